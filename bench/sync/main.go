// Command sync measures a full kaoqin sync (org chart, check results and leave) of N people
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
// 1; for leave the same over chunks of 100 people × 180 days and pages of 20. Rows are counted
// from what the sync stored. The QPS limit alone requires, per phase, the calls of its
// busiest path divided by the QPS (each path has a limit of its own and runs beside the others).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/store/storetest"
	"github.com/kaoqin/kaoqin/syncer"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sync:", err)
		os.Exit(1)
	}
}

type options struct {
	users, days int
	qps         int
	latency     time.Duration
	db          string
	concurrency int
	seed        int64
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
	clock := func() time.Time { return now }
	simQPS, clientQPS := o.qps, float64(o.qps)
	if o.qps == 0 {
		simQPS, clientQPS = -1, math.Inf(1)
	}
	sim := dingtalksim.New(dingtalksim.Config{Seed: o.seed, Employees: o.users, Now: now, QPS: simQPS,
		Latency: o.latency, MonthlyQuota: -1, IPLimit: -1})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	dsn, engine, cleanup, err := database(o.db)
	if err != nil {
		return err
	}
	defer cleanup()
	db, err := store.Open(ctx, dsn, store.WithNow(clock))
	if err != nil {
		return err
	}
	defer db.Close()

	books := syncer.NewBooks(loc, nil)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 4 * o.concurrency
	cfg := sim.Config()
	client, err := dingtalk.NewClient(cfg.AppKey, cfg.AppSecret, dingtalk.WithBaseURL("http://"+ln.Addr().String()),
		dingtalk.WithQPS(clientQPS), dingtalk.WithLocation(loc), dingtalk.WithCallHook(books.Hook),
		dingtalk.WithHTTPClient(&http.Client{Transport: transport, Timeout: 30 * time.Second}))
	if err != nil {
		return err
	}
	var mu sync.Mutex
	phases := map[string]time.Time{}
	s, err := syncer.New(syncer.Config{Client: client, Store: db, Books: books, Location: loc, Now: clock,
		Concurrency: o.concurrency, Progress: func(p syncer.Progress) {
			mu.Lock()
			if _, seen := phases[p.Phase]; !seen {
				phases[p.Phase] = time.Now()
			}
			mu.Unlock()
		}})
	if err != nil {
		return err
	}
	today := kaoqin.DateOf(now, loc)
	from, to := kaoqin.AddDays(today, -o.days), kaoqin.AddDays(today, -1)
	limit := fmt.Sprintf("%d QPS per path", o.qps)
	if o.qps == 0 {
		limit = "no QPS limit"
	}
	fmt.Fprintf(stdout, "sync of %d people × %d days (%s..%s) into %s: simulator latency %s, %s, %d chunks at once\n",
		o.users, o.days, from, to, engine, o.latency, limit, o.concurrency)

	start := time.Now()
	sum, err := s.Run(ctx, syncer.Request{From: from, To: to})
	end := time.Now()
	if err != nil {
		return err
	}
	orgTime, attTime := phases["attendance"].Sub(start), end.Sub(phases["attendance"])
	by := sum.Run.CallsBy

	bound, err := lowerBound(ctx, db, sim.Truth().UserIDs(), from, to, loc)
	if err != nil {
		return err
	}
	qpsOrg, qpsAtt := 0.0, 0.0
	if o.qps > 0 {
		q := float64(o.qps)
		qpsOrg = float64(max(by[syncer.PathListSub], by[syncer.PathDeptGet], by[syncer.PathUserList])) / q
		qpsAtt = float64(max(by[syncer.PathResults], by[syncer.PathLeave])) / q
	}
	w := stdout
	fmt.Fprintf(w, "org:         %8.2f s  (listsub %d, department/get %d, user/list %d calls; the QPS limit alone: %.2f s)\n",
		orgTime.Seconds(), by[syncer.PathListSub], by[syncer.PathDeptGet], by[syncer.PathUserList], qpsOrg)
	fmt.Fprintf(w, "attendance:  %8.2f s  (attendance/list %d, getleavestatus %d calls; the QPS limit alone: %.2f s)\n",
		attTime.Seconds(), by[syncer.PathResults], by[syncer.PathLeave], qpsAtt)
	fmt.Fprintf(w, "wall time:   %8.2f s; the QPS limit alone requires %.2f s (%.0f%% of the wall time)\n",
		end.Sub(start).Seconds(), qpsOrg+qpsAtt, 100*(qpsOrg+qpsAtt)/end.Sub(start).Seconds())
	fmt.Fprintf(w, "metered:     %d calls (attendance/list %d, getleavestatus %d); lower bound %d (%d + %d: %d chunks of checks, %d of leave)\n",
		sum.Run.Metered, by[syncer.PathResults], by[syncer.PathLeave], bound.results+bound.leave, bound.results, bound.leave,
		bound.resultChunks, bound.leaveChunks)
	fmt.Fprintf(w, "retried:     %d, throttled %d\n", sum.Run.Retried, sum.Run.Throttled)
	rows := sum.CheckRows + sum.LeaveRows
	fmt.Fprintf(w, "rows:        %d written (checks %d, leave %d): %.0f rows/s over the attendance phase\n",
		rows, sum.CheckRows, sum.LeaveRows, float64(rows)/attTime.Seconds())
	return nil
}

type bound struct {
	results, leave            int64
	resultChunks, leaveChunks int
}

// lowerBound counts the pages each chunk really needed, from the rows the sync stored.
func lowerBound(ctx context.Context, db *store.DB, users []string, from, to string, loc *time.Location) (bound, error) {
	var b bound
	f, t := dingtalk.MustParseDate(from), dingtalk.MustParseDate(to)
	for _, ch := range dingtalk.PlanChunks(users, f, t, dingtalk.MaxResultUsers, dingtalk.MaxResultDays) {
		checks, err := db.Checks(ctx, kaoqin.Filter{From: ch.From.String(), To: ch.To.String(), UserIDs: ch.UserIDs})
		if err != nil {
			return b, err
		}
		b.results += max(1, ceilDiv(int64(len(checks)), dingtalk.MaxResultLimit))
		b.resultChunks++
	}
	for _, ch := range dingtalk.PlanChunks(users, f, t, dingtalk.MaxLeaveUsers, dingtalk.MaxLeaveDays) {
		start, _ := kaoqin.DayBounds(ch.From.String(), loc)
		_, end := kaoqin.DayBounds(ch.To.String(), loc)
		leaves, err := db.Leaves(ctx, start.UnixMilli(), end.UnixMilli())
		if err != nil {
			return b, err
		}
		in := map[string]bool{}
		for _, u := range ch.UserIDs {
			in[u] = true
		}
		n := int64(0)
		for _, l := range leaves {
			if in[l.UserID] {
				n++
			}
		}
		b.leave += max(1, ceilDiv(n, dingtalk.MaxLeavePage))
		b.leaveChunks++
	}
	return b, nil
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// database returns the DSN to sync into: a new SQLite file in a temporary directory, or a new
// schema on the PostgreSQL server of raw, dropped by cleanup.
func database(raw string) (dsn, engine string, cleanup func(), err error) {
	if raw == "" {
		dir, err := os.MkdirTemp("", "kaoqin-bench-sync-")
		if err != nil {
			return "", "", nil, err
		}
		return filepath.Join(dir, "kaoqin.db"), "SQLite", func() { os.RemoveAll(dir) }, nil
	}
	dsn, drop, err := storetest.NewSchema(raw, "kaoqin_bench_sync")
	if err != nil {
		return "", "", nil, err
	}
	return dsn, "PostgreSQL", func() { drop() }, nil
}
