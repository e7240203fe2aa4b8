// Command sync measures a full kaoqin sync (org chart, check results, leave, punch records and
// plans; -no-punches and -no-plans leave the last two out) of N people
// over D days, through the syncer, against the DingTalk simulator started in-process on
// loopback, into SQLite (a temporary file) or PostgreSQL (-db, in a schema of its own that is
// dropped afterwards):
//
//	go run ./bench/sync -users 1000 -days 31 -latency 50ms -qps 20 [-db postgres://...]
//	go run ./bench/sync -users 1000 -days 31 -latency 0 -qps 0   # the database side
//
// It prints the metered calls against their lower bound, the rows written per second, the
// wall time, and the time the QPS limit alone requires. The lower bound of a path is the
// fewest calls that fetch its data within DingTalk's limits: for /attendance/list the sum
// over the chunks (ceil(N/50) × ceil(D/7) of them) of ceil(rows of the chunk / 50), at least
// 1; for leave the same over chunks of 100 people × 180 days and pages of 20; listRecord and
// listbyusers have no pages, so theirs is ceil(N/50) × ceil(D/7) each. Rows are counted
// from what the sync stored. The QPS limit alone requires, per phase, the calls of its
// busiest path divided by the QPS (each path has a limit of its own and runs beside the others).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/bench/internal/benchkit"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sync:", err)
		os.Exit(1)
	}
}

type options struct {
	users, days        int
	qps                int
	latency            time.Duration
	db                 string
	concurrency        int
	seed               int64
	noPunches, noPlans bool
}

func parse(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.IntVar(&o.users, "users", 1000, "people in the simulated company, all synced")
	fs.IntVar(&o.days, "days", 31, "work dates synced, ending yesterday")
	fs.IntVar(&o.qps, "qps", 20, "calls per second per path, for the simulator and the client; 0: no limit")
	fs.DurationVar(&o.latency, "latency", 50*time.Millisecond, "added by the simulator to every answer")
	fs.StringVar(&o.db, "db", "", "postgres://... to measure PostgreSQL (a schema of its own is made and dropped); default a temporary SQLite file")
	fs.IntVar(&o.concurrency, "concurrency", syncer.DefaultConcurrency, "chunks fetched at once")
	fs.Int64Var(&o.seed, "seed", 1, "the simulated company's seed")
	fs.BoolVar(&o.noPunches, "no-punches", false, "leave punch records (listRecord) out, like kaoqin sync --no-punches")
	fs.BoolVar(&o.noPlans, "no-plans", false, "leave plans (listbyusers) out, like kaoqin sync --no-plans")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.users < 1 || o.days < 1 || o.days > syncer.ServedDays || o.qps < 0 || o.latency < 0 || o.concurrency < 1 {
		return o, errors.New("want -users >= 1, 1 <= -days <= 180, -qps >= 0, -latency >= 0, -concurrency >= 1")
	}
	if o.db != "" && !strings.HasPrefix(o.db, "postgres://") && !strings.HasPrefix(o.db, "postgresql://") {
		return o, errors.New("-db takes a postgres:// URL; SQLite is the default")
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
	// The company clock stands at 10:00 on a Friday; the days synced end the day before.
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, loc)
	db, err := benchkit.OpenDB(ctx, o.db, store.WithNow(func() time.Time { return now }))
	if err != nil {
		return err
	}
	defer db.Close()
	sim, err := benchkit.StartSim(db.DB, loc, benchkit.SimOptions{Users: o.users, Seed: o.seed, Now: now, QPS: o.qps,
		Latency: o.latency, Concurrency: o.concurrency, NoPunches: o.noPunches, NoPlans: o.noPlans})
	if err != nil {
		return err
	}
	defer sim.Close()
	today := kaoqin.DateOf(now, loc)
	from, to := kaoqin.AddDays(today, -o.days), kaoqin.AddDays(today, -1)
	fmt.Fprintf(stdout, "sync of %d people × %d days (%s..%s) into %s: simulator latency %s, %s, %d chunks at once\n",
		o.users, o.days, from, to, db.Name, o.latency, benchkit.Limit(o.qps), o.concurrency)
	_, err = sim.Measure(ctx, stdout, db.DB, o.qps, syncer.Request{From: from, To: to})
	return err
}
