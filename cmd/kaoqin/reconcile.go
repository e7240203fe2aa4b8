package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/reconcile"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
)

// reconcileCmd compares kaoqin's period report with DingTalk's own and explains every
// difference.
type reconcileCmd struct {
	From   string  `required:"" placeholder:"DATE" help:"First day of the range, YYYY-MM-DD."`
	To     string  `required:"" placeholder:"DATE" help:"Last day of the range, inclusive; a day that has ended."`
	Dept   []int64 `placeholder:"ID" help:"Only the people of these departments and their subtrees (repeatable)."`
	Sample int     `placeholder:"N" help:"Compare N people chosen evenly across the scope instead of everyone (each person costs about 2 metered calls a month)."`
	DryRun bool    `name:"dry-run" help:"Print what it would compare and cost, without calling DingTalk."`
	Format string  `default:"table" enum:"table,json,csv" help:"Output format (${enum})."`
	Output string  `short:"o" placeholder:"FILE" help:"Write to FILE instead of standard output; the file appears only once complete."`
	Lang   string  `default:"zh" enum:"zh,en" help:"Language of the table and CSV (${enum})."`
}

// Help is the detailed help of kaoqin reconcile --help.
func (c *reconcileCmd) Help() string {
	return "Reads DingTalk's smart report (智能报表) one person at a time (getcolumnval, getleavetimebynames: metered calls), " +
		"compares each of kaoqin's period fields with the matching column day by day, asks DingTalk what changed on the days that " +
		"differ, and lists every difference with its likely cause: a leave approved after kaoqin pulled the day, a result an " +
		"administrator edited after it, a person who left, or a rule DingTalk applies that kaoqin does not. It prices its calls " +
		"first and refuses to take the month past KAOQIN_DINGTALK_MONTHLY_QUOTA or into what the nightly syncs still need; " +
		"--sample N compares fewer people. Each run is recorded in the database (the dashboard's reconciliation page lists them)."
}

func (c *reconcileCmd) Run(ctx context.Context, g *Globals) error {
	if c.Sample < 0 {
		return usageError{fmt.Errorf("--sample %d: want a number of people, 1 or more", c.Sample)}
	}
	lang, err := report.ParseLang(c.Lang)
	if err != nil {
		return err
	}
	loc, err := g.Location()
	if err != nil {
		return err
	}
	req := reconcile.Request{From: c.From, To: c.To, DeptIDs: c.Dept, Sample: c.Sample, By: "cli"}
	if c.DryRun {
		db, err := g.openStore(ctx, store.MustExist())
		if err != nil {
			return err
		}
		defer db.Close()
		s, err := syncer.New(syncer.Config{Store: db, Location: loc, MonthlyQuota: int64(g.MonthlyQuota.limit()), OpUserID: g.OpUserID})
		if err != nil {
			return err
		}
		r, err := reconcile.New(reconcile.Config{Syncer: s, Store: db, Location: loc})
		if err != nil {
			return err
		}
		p, err := r.Plan(ctx, req)
		if err != nil {
			return err
		}
		return c.printPlan(g.stdout, p)
	}

	log := g.logger()
	books := syncer.NewBooks(loc, log)
	client, err := g.dingtalkClient(books.Hook)
	if err != nil {
		return err
	}
	db, err := g.openStore(ctx, store.MustExist())
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := syncer.New(syncer.Config{Client: client, Store: db, Books: books, Location: loc, Logger: log,
		MonthlyQuota: int64(g.MonthlyQuota.limit()), OpUserID: g.OpUserID})
	if err != nil {
		return err
	}
	r, err := reconcile.New(reconcile.Config{Syncer: s, Store: db, Location: loc, Logger: log, Now: time.Now})
	if err != nil {
		return err
	}
	// Bad input and a budget that cannot pay are refused before DingTalk hears of it.
	p, err := r.Plan(ctx, req)
	if err != nil {
		return err
	}
	if err := p.Affordable(); err != nil {
		return err
	}
	if err := syncer.CheckAccess(ctx, client, g.BaseURL); err != nil {
		return err
	}
	res, err := r.Run(ctx, req)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error {
		switch c.Format {
		case "json":
			return reconcile.WriteJSON(w, res)
		case "csv":
			return reconcile.WriteCSV(w, res, lang)
		}
		return reconcile.WriteTable(w, res, lang)
	}
	if c.Output != "" {
		return writeFileAtomic(c.Output, write)
	}
	w := bufio.NewWriter(g.stdout)
	if err := write(w); err != nil {
		return err
	}
	return w.Flush()
}

func (c *reconcileCmd) printPlan(w io.Writer, p *reconcile.Plan) error {
	if c.Format == "json" {
		return writeJSON(w, p)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "plan of kaoqin reconcile %s..%s (no DingTalk call made)\n", p.From, p.To)
	fmt.Fprintf(&b, "people: %d compared", p.People)
	if p.Sample > 0 {
		fmt.Fprintf(&b, " (a sample of the %d chosen)", p.Chosen-len(p.Left))
	}
	if len(p.Left) > 0 {
		fmt.Fprintf(&b, "; %d left the company and are not asked about (DingTalk's report has nothing for them)", len(p.Left))
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "metered calls: %d expected (%d a person: %s and %s, a call per 31 days each, and 2 for the report's columns), "+
		"and at most %d more to explain the differences\n", p.Calls, p.PerPerson, syncer.PathColumnValues, syncer.PathLeaveTimes, p.VerifyCalls)
	if p.Quota > 0 {
		fmt.Fprintf(&b, "this month (%s): %d of %d metered calls spent, %d left, %d of them kept for the nightly syncs of the days left",
			p.Month, p.Used, p.Quota, max(0, p.Remaining), p.Reserved)
		if err := p.Affordable(); err != nil {
			fmt.Fprintf(&b, ": NOT enough\n  %s", kaoqin.ErrorMessage(err))
		}
		b.WriteString("\n")
	}
	if p.Note != "" {
		fmt.Fprintf(&b, "note: %s\n", p.Note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
