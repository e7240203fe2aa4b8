// Command plans measures plans and evidence (issue 9):
//
//   - sync: the metered calls of D days of plans and punches for N people, against their lower
//     bound ceil(N/50) x ceil(D/7) each (listRecord has no pages; listbyusers neither);
//
//   - live: the metered calls of today's live board through a working day, polling every 10
//     minutes from 08:30 to 19:00 the people due and not seen, with listRecord (punches on)
//     and with attendance/list (punches off), and the budget planner's polls of each;
//
//   - punches: kaoqin punches of P people over 7 and 31 days written as CSV, XLSX and JSON
//     (wall and CPU time, peak live heap, peak RSS, rows), to show that the memory stays flat
//     as the rows grow.
//
//     go run ./bench/plans -users 1000 -days 31 -punch-users 10000 [-db postgres://...]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/bench/internal/benchkit"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
	"github.com/kaoqin/kaoqin/web/webtest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "plans:", err)
		os.Exit(1)
	}
}

type options struct {
	users, days      int
	punchUsers, runs int
	db               string
	only             string
	cpuprofile       string
}

func run(ctx context.Context, args []string, w io.Writer) error {
	var o options
	fs := flag.NewFlagSet("plans", flag.ContinueOnError)
	fs.IntVar(&o.users, "users", 1000, "people of the sync and live measures")
	fs.IntVar(&o.days, "days", 31, "days of the sync measure, ending yesterday")
	fs.IntVar(&o.punchUsers, "punch-users", 10000, "people of the kaoqin punches measure")
	fs.IntVar(&o.runs, "runs", 1, "timed runs of each punches measure (the median is printed)")
	fs.StringVar(&o.db, "db", "", "postgres://... to measure PostgreSQL; default a temporary SQLite file")
	fs.StringVar(&o.only, "only", "", "sync, live or punches: that measure alone")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the punches measure's writes to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.users < 1 || o.days < 1 || o.days > syncer.ServedDays || o.punchUsers < 1 || o.runs < 1 {
		return errors.New("want -users >= 1, 1 <= -days <= 180, -punch-users >= 1, -runs >= 1")
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	// A Friday; the days synced end the day before.
	now := time.Date(2026, 11, 20, 7, 0, 0, 0, loc)
	for _, m := range []struct {
		name string
		f    func(context.Context, io.Writer, options, *time.Location, time.Time) error
	}{{"sync", measureSync}, {"live", measureLive}, {"punches", measurePunches}} {
		if o.only != "" && o.only != m.name {
			continue
		}
		if err := m.f(ctx, w, o, loc, now); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		fmt.Fprintln(w)
	}
	return nil
}

func open(ctx context.Context, o options, now time.Time) (*benchkit.DB, error) {
	return benchkit.OpenDB(ctx, o.db, store.WithNow(func() time.Time { return now }))
}

// measureSync syncs o.days of o.users people, plans and punches included.
func measureSync(ctx context.Context, w io.Writer, o options, loc *time.Location, now time.Time) error {
	db, err := open(ctx, o, now)
	if err != nil {
		return err
	}
	defer db.Close()
	sim, err := benchkit.StartSim(db.DB, loc, benchkit.SimOptions{Users: o.users, Seed: 1, Now: now})
	if err != nil {
		return err
	}
	defer sim.Close()
	today := kaoqin.DateOf(now, loc)
	from, to := kaoqin.AddDays(today, -o.days), kaoqin.AddDays(today, -1)
	fmt.Fprintf(w, "sync of %d people x %d days (%s..%s), plans and punches included, into %s:\n", o.users, o.days, from, to, db.Name)
	sum, err := sim.Measure(ctx, w, db.DB, 0, syncer.Request{From: from, To: to})
	if err != nil {
		return err
	}
	punches, err := db.Punches(ctx, kaoqin.Filter{From: from, To: to})
	if err != nil {
		return err
	}
	plans, err := db.Schedules(ctx, kaoqin.Filter{From: from, To: to})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "stored:      %d punches, %d plans (%d punch rows and %d plan rows written)\n",
		len(punches), len(plans), sum.PunchRows, sum.PlanRows)
	return nil
}

// measureLive runs today's live board through a working day, once with each poll endpoint.
func measureLive(ctx context.Context, w io.Writer, o options, loc *time.Location, now time.Time) error {
	fmt.Fprintf(w, "today's live board for %d people, first pull at 08:30, polls every 10 minutes to 19:00:\n", o.users)
	for _, punches := range []bool{true, false} {
		db, err := open(ctx, o, now)
		if err != nil {
			return err
		}
		sim, err := benchkit.StartSim(db.DB, loc, benchkit.SimOptions{Users: o.users, Seed: 1, Now: now, NoPunches: !punches})
		if err != nil {
			db.Close()
			return err
		}
		if _, err := sim.Run(ctx, syncer.Request{OrgOnly: true}); err != nil {
			return err
		}
		day := kaoqin.DateOf(now, loc)
		start, _ := kaoqin.DayBounds(day, loc)
		calls := map[string]int64{}
		var first, polls, asked int64
		n := 0
		for at := start.Add(8*time.Hour + 30*time.Minute); !at.After(start.Add(19 * time.Hour)); at = at.Add(10 * time.Minute) {
			sim.SetNow(at)
			sum, err := sim.Syncer.SyncToday(ctx)
			if err != nil {
				return err
			}
			for p, c := range sum.Run.CallsBy {
				if p != syncer.PathToken {
					calls[p] += c
				}
			}
			if n == 0 {
				first = sum.Run.Metered
			} else {
				polls += sum.Run.Metered
				asked += int64(sum.Employees)
			}
			n++
		}
		b, err := sim.Syncer.Budget(ctx)
		if err != nil {
			return err
		}
		with := "listRecord (punches on) "
		if !punches {
			with = "attendance/list (punches off)"
		}
		var paths []string
		for p, c := range calls {
			paths = append(paths, fmt.Sprintf("%s %d", p, c))
		}
		sort.Strings(paths)
		fmt.Fprintf(w, "  polls with %s: first pull %d calls, %d polls %d calls (%d people asked in all), day %d: %s\n",
			with, first, n-1, polls, asked, first+polls, strings.Join(paths, ", "))
		fmt.Fprintf(w, "    the budget planner's day (quota 5000, today the 20th): nightly %d, first pull %d, polls at %v costing %d\n",
			b.Nightly, b.FirstPull, durations(b.Polls), b.PollCosts)
		sim.Close()
		db.Close()
	}
	return nil
}

func durations(ds []time.Duration) string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60))
	}
	return strings.Join(out, " ")
}

// measurePunches writes kaoqin punches of o.punchUsers people over growing ranges.
func measurePunches(ctx context.Context, w io.Writer, o options, loc *time.Location, now time.Time) error {
	db, err := open(ctx, o, now)
	if err != nil {
		return err
	}
	defer db.Close()
	today := kaoqin.DateOf(now, loc)
	from, to := kaoqin.AddDays(today, -31), kaoqin.AddDays(today, -1)
	sim := dingtalksim.New(dingtalksim.Config{Seed: 1, Employees: o.punchUsers, Now: now, Location: loc})
	start := time.Now()
	if err := webtest.Fill(ctx, db.DB, sim, from, to, now); err != nil {
		return err
	}
	fmt.Fprintf(w, "kaoqin punches of %d people from %s (filled from the simulator in %.0f s):\n", o.punchUsers, db.Name, time.Since(start).Seconds())
	fmt.Fprintln(w, benchkit.Header()+"   CPU time       rows")
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, days := range []int{7, 31} {
		req := report.PunchRequest{From: kaoqin.AddDays(to, -(days - 1)), To: to}
		opts := report.Options{Location: loc, Now: now}
		var rows int64
		p, err := report.OpenPunches(ctx, db.DB, req, opts)
		if err != nil {
			return err
		}
		if err := p.Walk(func(kaoqin.Punch) error { rows++; return nil }); err != nil {
			return err
		}
		for _, format := range []report.Format{report.FormatCSV, report.FormatXLSX, report.FormatJSON} {
			var werr error
			var cpu time.Duration
			r := benchkit.Measure(fmt.Sprintf("%d days as %s", days, format), o.runs, func() {
				before := cpuTime()
				defer func() {
					if cpu == 0 {
						cpu = cpuTime() - before
					}
				}()
				p, err := report.OpenPunches(ctx, db.DB, req, opts)
				if err != nil {
					werr = err
					return
				}
				werr = report.Write(&countWriter{}, p, format, report.Chinese)
			})
			if werr != nil {
				return werr
			}
			fmt.Fprintf(w, "%s %10s %10d\n", r, cpu.Round(time.Millisecond), rows)
		}
	}
	return nil
}

// cpuTime is the CPU time the process has used (user and system): on a busy machine a fairer
// figure than the wall time.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// countWriter counts what is written and keeps nothing.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
