package main

import (
	"context"

	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/store"
)

// punchesCmd writes every punch record of a range (spec/punches.md), from the database; it
// never calls DingTalk.
type punchesCmd struct {
	From      string   `required:"" placeholder:"DATE" help:"First work date, YYYY-MM-DD."`
	To        string   `required:"" placeholder:"DATE" help:"Last work date, inclusive."`
	User      []string `placeholder:"USERID" help:"Only this employee's punches (repeatable)."`
	CheckType string   `name:"check-type" placeholder:"OnDuty|OffDuty" help:"Only punches of this check type."`
	Method    []string `placeholder:"METHOD" help:"Only punches made this way (repeatable): machine, dingtalk_device, beacon, phone_gps, phone_wifi, phone, admin, approval, system, auto."`
	Invalid   bool     `help:"Only the punches DingTalk refused (invalidRecordType)."`

	reportOutput `embed:""`
}

// Help is the detailed help of kaoqin punches --help.
func (c *punchesCmd) Help() string {
	return "Every punch of the range, valid or not, with when, how (method), where (address, coordinates, " +
		"distance from the base), on what device or Wi-Fi, and what DingTalk made of it: the evidence behind the " +
		"check results. --dept keeps the punches of the employees who were members of those departments on " +
		"each punch's day. Written as it is read: a month of 10,000 people in little memory. A range whose " +
		"punches were not synced fails with the days and the sync to run."
}

func (c *punchesCmd) Run(ctx context.Context, g *Globals) error {
	loc, from, to, err := g.Range(c.From, c.To)
	if err != nil {
		return err
	}
	req := report.PunchRequest{From: from, To: to, UserIDs: c.User, CheckType: c.CheckType, Methods: c.Method, InvalidOnly: c.Invalid}
	return c.writeFrom(ctx, g, loc, func(db *store.DB, opts report.Options) (report.Report, error) {
		return report.OpenPunches(ctx, db, req, opts)
	})
}

// reportReviewCmd lists punches and patterns worth a human look (spec/punches.md).
type reportReviewCmd struct {
	From         string `required:"" placeholder:"DATE" help:"First work date, YYYY-MM-DD."`
	To           string `required:"" placeholder:"DATE" help:"Last work date, inclusive."`
	reportOutput `embed:""`
}

func (c *reportReviewCmd) Run(ctx context.Context, g *Globals) error {
	loc, from, to, err := g.Range(c.From, c.To)
	if err != nil {
		return err
	}
	ro := report.ReviewOptions{FarFromBase: g.FarFromBase, SameMinuteDays: g.SameMinuteDays}
	return c.writeFrom(ctx, g, loc, func(db *store.DB, opts report.Options) (report.Report, error) {
		return report.LoadReview(ctx, db, from, to, opts, ro)
	})
}

// reportMethodsCmd counts punches by method.
type reportMethodsCmd struct {
	From         string `required:"" placeholder:"DATE" help:"First work date, YYYY-MM-DD."`
	To           string `required:"" placeholder:"DATE" help:"Last work date, inclusive (the same day for one day)."`
	reportOutput `embed:""`
}

func (c *reportMethodsCmd) Run(ctx context.Context, g *Globals) error {
	loc, from, to, err := g.Range(c.From, c.To)
	if err != nil {
		return err
	}
	return c.writeFrom(ctx, g, loc, func(db *store.DB, opts report.Options) (report.Report, error) {
		return report.LoadMethodStats(ctx, db, from, to, opts)
	})
}
