// Command report measures kaoqin's reports from the database: the daily report of a large
// company and a month's period report with its XLSX export, on SQLite or PostgreSQL.
//
//	go run ./bench/report                                  # SQLite in a temporary folder
//	go run ./bench/report -db 'postgres://u:p@host/db'     # PostgreSQL, in a schema of its own
//
// It writes a generated company into a fresh database through the store (like a sync would),
// then times report.LoadDaily / LoadPeriod (read + compute) and report.WriteXLSX, and samples
// the Go heap to report its peak above the baseline.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"sync/atomic"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/store/storetest"
)

func main() {
	employees := flag.Int("employees", 100_000, "employees of the daily report's company")
	depts := flag.Int("depts", 2_000, "departments")
	periodEmployees := flag.String("period-employees", "10000,20000", "employees of the period reports (comma list: XLSX memory should stay flat)")
	days := flag.Int("days", 31, "days of the period report")
	runs := flag.Int("runs", 3, "timed runs of each report (the median is printed)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	dsn := flag.String("db", "", "postgres://... to measure PostgreSQL (a schema of its own is created and dropped); empty for SQLite")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		log.Fatal(err)
	}

	fmt.Printf("%-44s %12s %14s %12s\n", "measure", "median time", "live peak", "allocated")
	{
		db, cleanup := open(ctx, *dsn)
		gen := newCompany(*employees, *depts)
		day := "2026-11-18"
		gen.save(ctx, db, day, day, sh)
		opts := report.Options{Location: sh, Now: time.Date(2026, 11, 18, 23, 0, 0, 0, sh)}
		measure(fmt.Sprintf("daily, %d employees, %d depts (%s)", *employees, *depts, db.Engine()), *runs, func() {
			if _, err := report.LoadDaily(ctx, db, day, opts); err != nil {
				log.Fatal(err)
			}
		})
		db.Close()
		cleanup()
	}
	for _, n := range parseInts(*periodEmployees) {
		db, cleanup := open(ctx, *dsn)
		gen := newCompany(n, max(n/50, 10))
		from := "2026-10-26"
		to := kaoqin.AddDays(from, *days-1)
		gen.save(ctx, db, from, to, sh)
		opts := report.Options{Location: sh, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, sh)}
		var p *report.Period
		measure(fmt.Sprintf("period, %d employees x %d days (%s)", n, *days, db.Engine()), *runs, func() {
			if p, err = report.LoadPeriod(ctx, db, from, to, opts); err != nil {
				log.Fatal(err)
			}
		})
		measure(fmt.Sprintf("  xlsx of it, %d employee rows", len(p.Employees)), *runs, func() {
			if err := report.WriteXLSX(io.Discard, p, report.Chinese); err != nil {
				log.Fatal(err)
			}
		})
		db.Close()
		cleanup()
	}
}

// measure runs f runs times and prints the median wall time and the bytes allocated per run,
// then runs it once more with the collector running often (GOGC=10) to print the peak of the
// live heap above what was live before: how much memory f really holds, not how much garbage
// the collector had not yet got round to.
func measure(name string, runs int, f func()) {
	var times []time.Duration
	var alloc uint64
	for range runs {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		f()
		times = append(times, time.Since(start))
		runtime.ReadMemStats(&after)
		alloc = after.TotalAlloc - before.TotalAlloc
	}
	slices.Sort(times)

	// The live heap as the collector last marked it: garbage does not count, so this is what
	// f holds, even when the report it writes is much larger than the writer's own memory.
	old := debug.SetGCPercent(5)
	runtime.GC()
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	base := live[0].Value.Uint64()
	var top atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(s)
			top.Store(max(top.Load(), s[0].Value.Uint64()))
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	runtime.GC() // mark once more at the end, so a peak reached just before it is seen
	close(done)
	<-sampled
	debug.SetGCPercent(old)
	peak := uint64(0)
	if top.Load() > base {
		peak = top.Load() - base
	}
	fmt.Printf("%-44s %12s %11.1f MB %9.1f MB\n", name, times[len(times)/2].Round(time.Millisecond),
		float64(peak)/1e6, float64(alloc)/1e6)
}

// open opens a fresh database: a SQLite file in a temporary folder, or a new schema in the
// PostgreSQL database dsn names.
func open(ctx context.Context, dsn string) (*store.DB, func()) {
	if dsn == "" {
		dir, err := os.MkdirTemp("", "kaoqin-bench-")
		if err != nil {
			log.Fatal(err)
		}
		db, err := store.Open(ctx, filepath.Join(dir, "kaoqin.db"))
		if err != nil {
			log.Fatal(err)
		}
		return db, func() { os.RemoveAll(dir) }
	}
	schema, drop, err := storetest.NewSchema(dsn, "kaoqin_bench")
	if err != nil {
		log.Fatal(err)
	}
	db, err := store.Open(ctx, schema)
	if err != nil {
		log.Fatal(err)
	}
	return db, func() { drop() }
}

// company is a generated org: a tree of departments (root, divisions, departments, teams) and
// employees in the teams, one in twenty in a second team.
type company struct {
	depts     []kaoqin.Department
	employees []kaoqin.Employee
	rng       *rand.Rand
}

func newCompany(employees, depts int) *company {
	c := &company{rng: rand.New(rand.NewPCG(1, 2))}
	c.depts = append(c.depts, kaoqin.Department{ID: 1, Name: "示例集团"})
	var teams []int64
	for id := int64(2); len(c.depts) < depts; id++ {
		// Each department hangs under one of the first tenth: a tree 3-4 levels deep.
		parent := c.depts[c.rng.IntN(max(1, len(c.depts)/10+1))].ID
		c.depts = append(c.depts, kaoqin.Department{ID: 100_000 + id, ParentID: parent, Name: fmt.Sprintf("部门%d", id)})
		teams = append(teams, 100_000+id)
	}
	for i := range employees {
		e := kaoqin.Employee{UserID: fmt.Sprintf("u%06d", i), Name: fmt.Sprintf("员工%d", i), DeptIDs: []int64{teams[c.rng.IntN(len(teams))]}}
		if i%20 == 0 {
			if second := teams[c.rng.IntN(len(teams))]; second != e.DeptIDs[0] {
				e.DeptIDs = append(e.DeptIDs, second)
			}
		}
		slices.Sort(e.DeptIDs)
		c.employees = append(c.employees, e)
	}
	return c
}

// save writes the org and, for every weekday of [from, to], two checks per employee with a
// realistic mix of results, then marks the days covered, as a sync would.
func (c *company) save(ctx context.Context, db *store.DB, from, to string, loc *time.Location) {
	start := time.Now()
	if _, err := db.SaveOrg(ctx, kaoqin.OrgSnapshot{Day: from, At: 1, Departments: c.depts, Employees: c.employees}); err != nil {
		log.Fatal(err)
	}
	rows := 0
	var id int64
	var cover []kaoqin.DayCoverage
	for _, day := range kaoqin.Days(from, to) {
		dayStart, _ := kaoqin.DayBounds(day, loc)
		cover = append(cover, kaoqin.DayCoverage{Day: day, SyncedAt: dayStart.Add(47 * time.Hour).UnixMilli(), Closed: true})
		if wd := dayStart.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if os.Getenv("BENCH_VERBOSE") != "" {
			fmt.Printf("    %s: %d checks so far, %s\n", day, rows, time.Since(start).Round(time.Millisecond))
		}
		on, off := dayStart.Add(9*time.Hour).UnixMilli(), dayStart.Add(18*time.Hour).UnixMilli()
		for lo := 0; lo < len(c.employees); lo += 700 {
			chunk := c.employees[lo:min(lo+700, len(c.employees))]
			batch := kaoqin.CheckBatch{Scope: kaoqin.Scope{From: day, To: day}}
			for _, e := range chunk {
				batch.Scope.UserIDs = append(batch.Scope.UserIDs, e.UserID)
				onRes, onAt := kaoqin.TimeNormal, on-int64(c.rng.IntN(30))*60_000
				offRes, offAt := kaoqin.TimeNormal, off+int64(c.rng.IntN(60))*60_000
				switch r := c.rng.IntN(100); {
				case r < 5:
					onRes, onAt = kaoqin.TimeLate, on+int64(1+c.rng.IntN(25))*60_000
				case r < 7:
					offRes, offAt = kaoqin.TimeEarly, off-int64(1+c.rng.IntN(40))*60_000
				case r < 8:
					onRes, offRes, onAt, offAt = kaoqin.TimeNotSigned, kaoqin.TimeNotSigned, on, off
				}
				id += 2
				batch.Checks = append(batch.Checks,
					kaoqin.Check{ID: id, UserID: e.UserID, WorkDate: day, CheckType: kaoqin.OnDuty, TimeResult: onRes, LocationResult: kaoqin.LocationNormal, BaseCheckTime: on, UserCheckTime: onAt},
					kaoqin.Check{ID: id + 1, UserID: e.UserID, WorkDate: day, CheckType: kaoqin.OffDuty, TimeResult: offRes, LocationResult: kaoqin.LocationNormal, BaseCheckTime: off, UserCheckTime: offAt})
			}
			n, err := db.SaveChecks(ctx, batch)
			if err != nil {
				log.Fatal(err)
			}
			rows += int(n)
		}
	}
	if err := db.MarkCovered(ctx, cover); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("  (wrote %d employees, %d departments, %d checks in %s)\n", len(c.employees), len(c.depts), rows, time.Since(start).Round(time.Millisecond))
}

func parseInts(s string) []int {
	var out []int
	for len(s) > 0 {
		var n int
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			n = n*10 + int(s[i]-'0')
			i++
		}
		out = append(out, n)
		if i < len(s) {
			i++ // the comma
		}
		s = s[i:]
	}
	return out
}
