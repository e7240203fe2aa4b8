// Command reconcile measures a reconciliation with DingTalk's own report (kaoqin reconcile)
// of N people over D days: the metered calls it prices and spends, by API path, and its wall
// time, against the DingTalk simulator started in-process on loopback, after a sync of the
// same days into SQLite (a temporary file) or PostgreSQL (-db). A few changes are planted
// after the sync (administrators' edits and leaves approved late, -plants of each), so that the
// calls that explain differences are measured too.
//
//	go run ./bench/reconcile -users 1000 -days 31 -latency 50ms -qps 20
//	go run ./bench/reconcile -users 1000 -days 31 -latency 0 -qps 0 -mem   # its memory
//
// It also pulls leave by type after the sync (-leave-types), one call a person on leave, and
// counts its calls.
//
// A reconciliation reads one person a call: a call per 31 days for the columns that match
// kaoqin's fields, and one for leave by type; so about 2 N calls a month, plus 2 for the
// report's columns, plus the check results and leave of the people who differ.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/bench/internal/benchkit"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/reconcile"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "reconcile:", err)
		os.Exit(1)
	}
}

type options struct {
	users, days, sample, plants int
	qps                         int
	latency                     time.Duration
	db                          string
	mem, leaveTypes             bool
}

func parse(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.IntVar(&o.users, "users", 1000, "people in the simulated company")
	fs.IntVar(&o.days, "days", 31, "work dates reconciled, ending yesterday")
	fs.IntVar(&o.sample, "sample", 0, "compare this many people (0: everyone)")
	fs.IntVar(&o.plants, "plants", 10, "administrators' edits, and leaves approved late, planted after the sync (of each)")
	fs.IntVar(&o.qps, "qps", 20, "calls per second per path, for the simulator and the client; 0: no limit")
	fs.DurationVar(&o.latency, "latency", 50*time.Millisecond, "added by the simulator to every answer")
	fs.StringVar(&o.db, "db", "", "postgres://... to use PostgreSQL (a schema of its own is made and dropped); default a temporary SQLite file")
	fs.BoolVar(&o.mem, "mem", false, "measure the reconciliation's memory too (it runs three more times)")
	fs.BoolVar(&o.leaveTypes, "leave-types", true, "pull leave by type after the sync, and count its calls")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.users < 1 || o.days < 1 || o.days > syncer.ServedDays || o.qps < 0 || o.latency < 0 || o.sample < 0 || o.plants < 0 {
		return o, errors.New("want -users >= 1, 1 <= -days <= 180, -qps >= 0, -latency >= 0, -sample >= 0, -plants >= 0")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	// The company clock stands at 03:00 on a Friday: the days end the day before.
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, loc)
	var sim *benchkit.Sim
	clock := func() time.Time {
		if sim == nil {
			return now
		}
		return sim.Now()
	}
	db, err := benchkit.OpenDB(ctx, o.db, store.WithNow(clock))
	if err != nil {
		return err
	}
	defer db.Close()
	sim, err = benchkit.StartSim(db.DB, loc, benchkit.SimOptions{Users: o.users, Seed: 1, Now: now, QPS: o.qps, Latency: o.latency})
	if err != nil {
		return err
	}
	defer sim.Close()
	today := kaoqin.DateOf(now, loc)
	from, to := kaoqin.AddDays(today, -o.days), kaoqin.AddDays(today, -1)
	fmt.Fprintf(stdout, "reconciliation of %d people × %d days (%s..%s) in %s: simulator latency %s, %s\n",
		o.users, o.days, from, to, db.Name, o.latency, benchkit.Limit(o.qps))
	start := time.Now()
	if _, err := sim.Run(ctx, syncer.Request{From: from, To: to}); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	fmt.Fprintf(stdout, "sync first: %s\n", time.Since(start).Round(time.Millisecond))
	if o.leaveTypes {
		before := sim.Syncer.Books().Figures()
		start := time.Now()
		sum, err := sim.Syncer.RunLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to})
		if err != nil {
			return fmt.Errorf("leave by type: %w", err)
		}
		f := sim.Syncer.Books().Figures().Sub(before)
		fmt.Fprintf(stdout, "leave by type: %d people on leave, %d metered calls (%d of %s), %d rows, in %s\n",
			sum.Employees, f.Metered, f.CallsBy[syncer.PathLeaveTimes], syncer.PathLeaveTimes, sum.LeaveRows, time.Since(start).Round(time.Millisecond))
	}

	// Changes after the sync: the first late days get an administrator's edit, the first
	// absent days a leave approved late.
	tr := sim.Truth()
	edits, leaves := 0, 0
	at := now.Add(time.Hour)
	for _, u := range tr.UserIDs() {
		for _, d := range kaoqin.Days(from, to) {
			day, _ := tr.Day(u, d)
			switch {
			case day.Outcome == dingtalksim.OutcomeLate && edits < o.plants:
				if sim.EditResult(dingtalksim.ResultEdit{UserID: u, Date: d, CheckType: "OnDuty", TimeResult: "Normal", At: at}) == nil {
					edits++
				}
			case day.Outcome == dingtalksim.OutcomeAbsent && leaves < o.plants:
				if sim.ApproveLeave(dingtalksim.LateLeave{UserID: u, Date: d, Type: "事假", At: at}) == nil {
					leaves++
				}
			}
		}
	}
	sim.Advance(2 * time.Hour)

	r, err := reconcile.New(reconcile.Config{Syncer: sim.Syncer, Store: db.DB, Location: loc, Now: sim.Now})
	if err != nil {
		return err
	}
	req := reconcile.Request{From: from, To: to, Sample: o.sample, By: "bench"}
	p, err := r.Plan(ctx, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "plan: %d people, %d metered calls expected (%d a person + 2), at most %d more to explain differences\n",
		p.People, p.Calls, p.PerPerson, p.VerifyCalls)
	before := sim.Syncer.Books().Figures()
	start = time.Now()
	res, err := r.Run(ctx, req)
	if err != nil {
		return err
	}
	wall := time.Since(start)
	spent := sim.Syncer.Books().Figures().Sub(before)
	// Verify is what explaining the differences was priced at before it ran (a call per 50
	// people a week of attendance/list, one per 100 of getleavestatus); the rest were spent.
	fmt.Fprintf(stdout, "made %d calls, %d metered (planned %d + %d to explain %d differing days, priced at %d), %d throttled, %d retried, in %s\n",
		spent.Calls, spent.Metered, res.Calls.Planned, spent.Metered-res.Calls.Planned, countDays(res), res.Calls.Verify,
		spent.Throttled, spent.Retried, wall.Round(time.Millisecond))
	for _, path := range slices.Sorted(maps.Keys(spent.CallsBy)) {
		fmt.Fprintf(stdout, "  %-45s %6d\n", path, spent.CallsBy[path])
	}
	var causes []string
	for _, c := range slices.Sorted(maps.Keys(res.Causes)) {
		causes = append(causes, fmt.Sprintf("%s %d", c, res.Causes[c]))
	}
	fmt.Fprintf(stdout, "found: %d differences over %d people (%s); planted %d edits and %d late leaves\n",
		len(res.Differences), res.People-res.Agreeing, strings.Join(causes, ", "), edits, leaves)
	if o.qps > 0 {
		// Two paths of one call a person each, side by side, at the client's pace (5% under the QPS).
		floor := time.Duration(float64(p.People) / (float64(o.qps) * 0.95) * float64(time.Second))
		fmt.Fprintf(stdout, "the QPS limit alone requires %s for the people's calls\n", floor.Round(time.Millisecond))
	}
	if o.mem {
		m := benchkit.Measure(fmt.Sprintf("reconcile %d people × %d days", p.People, o.days), 1, func() {
			if _, err := r.Run(ctx, req); err != nil {
				panic(err)
			}
		})
		fmt.Fprintln(stdout, benchkit.Header())
		fmt.Fprintln(stdout, m)
	}
	return nil
}

func countDays(r *reconcile.Result) int {
	n := 0
	for _, d := range r.Differences {
		n += len(d.Days)
	}
	return n
}
