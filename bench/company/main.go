// Command company runs a simulated company end to end, the way a large customer would run
// kaoqin: the org chart synced from DingTalk, a month of attendance synced under DingTalk's
// limits, today's pull at 09:10, the daily and period reports from the database, the period's
// XLSX export, and the dashboard under load.
//
//	go run ./bench/company -users 100000                     # SQLite in a temporary folder
//	go run ./bench/company -users 100000 -db 'postgres://...' # PostgreSQL, in a schema of its own
//	go run ./bench/company -users 100000 -qps 0 -latency 0   # the sync machinery without DingTalk's limits
//
// The simulator serves the company on loopback with DingTalk's limits (-qps per path, 50
// people x 7 days a call, 50 rows a page) and -latency per answer, and no monthly quota: a month
// of 100,000 people costs far more than a standard edition's 5,000 metered calls (the figures
// say how much). Each sync prints its wall time against what the QPS limit alone requires and
// its metered calls against their lower bound; the reports print time and memory (see
// benchkit.Measure); the dashboard prints requests/s and latency at each -clients.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/bench/internal/benchkit"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
)

func main() {
	users := flag.Int("users", 100_000, "people in the simulated company")
	days := flag.Int("days", 31, "days of the month synced, ending yesterday")
	qps := flag.Int("qps", 20, "calls per second per path, for the simulator and the client; 0: no limit")
	latency := flag.Duration("latency", 50*time.Millisecond, "added by the simulator to every answer")
	concurrency := flag.Int("concurrency", syncer.DefaultConcurrency, "chunks fetched at once")
	dsn := flag.String("db", "", "postgres://... for PostgreSQL (a schema of its own, dropped afterwards); default a temporary SQLite file")
	clients := flag.String("clients", "16,64", "concurrent clients of the dashboard (comma list: one round each)")
	duration := flag.Duration("duration", 10*time.Second, "how long each dashboard target is hammered")
	runs := flag.Int("runs", 3, "timed runs of each report (the median is printed)")
	keep := flag.String("keep", "", "keep the database (SQLite: in this folder; PostgreSQL: the schema) to profile it afterwards")
	flag.Parse()
	var rounds []int
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			log.Fatalf("bad -clients %q: want numbers such as 16,64", *clients)
		}
		rounds = append(rounds, n)
	}
	o := options{users: *users, days: *days, qps: *qps, latency: *latency, concurrency: *concurrency, dsn: *dsn,
		keep: *keep, rounds: rounds, duration: *duration, runs: *runs}
	if err := run(context.Background(), os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "company:", err)
		os.Exit(1)
	}
}

type options struct {
	users, days, qps, concurrency, runs int
	latency, duration                   time.Duration
	dsn, keep                           string
	rounds                              []int
}

func run(ctx context.Context, w io.Writer, o options) error {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	// The company clock stands at 09:10 on a Friday: the month ends yesterday, and today is in
	// progress on the board.
	now := time.Date(2026, 11, 20, 9, 10, 0, 0, loc)
	clock := func() time.Time { return now }
	today := kaoqin.DateOf(now, loc)
	from, to := kaoqin.AddDays(today, -o.days), kaoqin.AddDays(today, -1)
	db, err := benchkit.OpenDBKept(ctx, o.dsn, o.keep, store.WithNow(clock))
	if err != nil {
		return err
	}
	defer db.Close()
	if err := syncCompany(ctx, w, db, loc, now, from, to, o); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n== the reports, from the database\n%s\n", benchkit.Header())
	opts := report.Options{Location: loc, Now: now}
	fmt.Fprintln(w, benchkit.Measure(fmt.Sprintf("daily report of %s", today), o.runs, func() {
		if _, err := report.LoadDaily(ctx, db, today, opts); err != nil {
			log.Fatal(err)
		}
	}))
	open := func() *report.PeriodStream {
		s, err := report.OpenPeriod(ctx, db, from, to, opts)
		if err != nil {
			log.Fatal(err)
		}
		return s
	}
	fmt.Fprintln(w, benchkit.Measure(fmt.Sprintf("period report %s..%s", from, to), o.runs, func() {
		if _, err := open().Walk(func(*report.PeriodEmployee) error { return nil }); err != nil {
			log.Fatal(err)
		}
	}))
	var size int64
	fmt.Fprintln(w, benchkit.Measure("  its XLSX export", o.runs, func() {
		cw := &countWriter{}
		if err := report.WriteXLSX(cw, open(), report.Chinese); err != nil {
			log.Fatal(err)
		}
		size = cw.n
	}))
	fmt.Fprintf(w, "  (%s of XLSX)\n", benchkit.Size(size))

	fmt.Fprintf(w, "\n== the dashboard at %s\n", now.Format("15:04"))
	d, err := benchkit.ServeDashboard(ctx, db.DB, loc, clock, max(o.rounds[0], o.rounds[len(o.rounds)-1]), true)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Rounds(w, o.rounds, o.duration, []string{"/today", "/api/v1/daily"})
}

// syncCompany serves the simulated company and syncs it into db: the org chart, the days from..to
// and today at now. The simulator is closed when it returns, so that its company, held in
// memory, does not weigh on the reports measured afterwards (kaoqin serve holds no simulator).
func syncCompany(ctx context.Context, w io.Writer, db *benchkit.DB, loc *time.Location, now time.Time, from, to string, o options) error {
	sim, err := benchkit.StartSim(db.DB, loc, benchkit.SimOptions{Users: o.users, Seed: 1, Now: now, QPS: o.qps,
		Latency: o.latency, Concurrency: o.concurrency})
	if err != nil {
		return err
	}
	defer sim.Close()
	if o.keep != "" {
		fmt.Fprintf(w, "  (kept: %s)\n", db.DSN)
	}
	fmt.Fprintf(w, "a company of %d people in %d departments, into %s; simulator latency %s, %s, %d chunks at once\n",
		o.users, len(sim.Truth().Departments()), db.Name, o.latency, benchkit.Limit(o.qps), o.concurrency)

	fmt.Fprintf(w, "\n== the org chart\n")
	if _, err := sim.Measure(ctx, w, db.DB, o.qps, syncer.Request{OrgOnly: true}); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== the month: %d days, %s..%s\n", o.days, from, to)
	month, err := sim.Measure(ctx, w, db.DB, o.qps, syncer.Request{From: from, To: to, NoOrg: true})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  (a standard edition's quota is 5,000 metered calls a month: this month took %.1f of them)\n",
		float64(month.Run.Metered)/5000)
	fmt.Fprintf(w, "\n== today at %s\n", now.Format("15:04"))
	if _, err := sim.Measure(ctx, w, db.DB, o.qps, syncer.Request{NoOrg: true}); err != nil {
		return err
	}
	return nil
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
