// Command report measures kaoqin's reports from the database: the daily report of a large
// company, and a month's period report written as JSON, CSV and XLSX, at several sizes to show
// that its memory does not grow with the company, on SQLite or PostgreSQL.
//
//	go run ./bench/report                                  # SQLite in a temporary folder
//	go run ./bench/report -db 'postgres://u:p@host/db'     # PostgreSQL, in a schema of its own
//	go run ./bench/report -daily 0 -period-employees 10000,100000 -cli /tmp/kaoqin
//	go run ./bench/report -daily 0 -period-employees 100000 -formats '' -runs 1   # the walk only
//
// It writes a generated company into a fresh database through the store (like a sync would),
// then times report.LoadDaily (read + compute), report.OpenPeriod walked and written in each
// format, and measures memory for real (see benchkit.Measure): the peak live heap above the
// baseline, the peak heap and the peak RSS of this process. With -cli it also runs the kaoqin
// binary's `report period --format xlsx` on the same database and reads its peak RSS from the
// kernel (rusage).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/bench/internal/benchkit"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/store"
)

func main() {
	employees := flag.Int("daily", 100_000, "employees of the daily report's company; 0: no daily report")
	depts := flag.Int("depts", 2_000, "departments of the daily report's company")
	periodEmployees := flag.String("period-employees", "10000,100000", "employees of the period reports (comma list: memory should stay flat)")
	days := flag.Int("days", 31, "days of the period report")
	runs := flag.Int("runs", 3, "timed runs of each report (the median is printed)")
	formats := flag.String("formats", "json,csv,xlsx", "formats the period reports are written in (comma list; empty: the walk only)")
	whole := flag.Bool("whole", false, "also measure report.LoadPeriod, which holds the range in memory")
	cli := flag.String("cli", "", "a kaoqin binary (go build -o /tmp/kaoqin ./cmd/kaoqin) to run report period --format xlsx with")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	dsn := flag.String("db", "", "postgres://... to measure PostgreSQL (a schema of its own is created and dropped); empty for SQLite")
	keep := flag.String("keep", "", "keep the databases (SQLite: in this folder; PostgreSQL: the schema) to profile them afterwards")
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

	fmt.Println(benchkit.Header())
	if *employees > 0 {
		db, err := benchkit.OpenDBKept(ctx, *dsn, *keep)
		if err != nil {
			log.Fatal(err)
		}
		// Two days of a company: the 17th final, the 18th pulled at 09:05 and reported at 09:10,
		// as the live board shows it.
		gen := newCompany(*employees, *depts)
		gen.save(ctx, db.DB, "2026-11-17", "2026-11-18", sh, time.Date(2026, 11, 18, 9, 5, 0, 0, sh))
		if *keep != "" {
			fmt.Printf("  (kept: %s)\n", db.DSN)
		}
		for _, day := range []struct{ date, what string }{{"2026-11-17", "final"}, {"2026-11-18", "at 09:10"}} {
			opts := report.Options{Location: sh, Now: time.Date(2026, 11, 18, 9, 10, 0, 0, sh)}
			fmt.Println(benchkit.Measure(fmt.Sprintf("daily %s, %d employees, %d depts (%s)", day.what, *employees, *depts, db.Name), *runs, func() {
				if _, err := report.LoadDaily(ctx, db, day.date, opts); err != nil {
					log.Fatal(err)
				}
			}))
		}
		db.Close()
	}
	for _, n := range parseInts(*periodEmployees) {
		db, err := benchkit.OpenDBKept(ctx, *dsn, *keep)
		if err != nil {
			log.Fatal(err)
		}
		gen := newCompany(n, max(n/50, 10))
		from := "2026-10-26"
		to := kaoqin.AddDays(from, *days-1)
		gen.save(ctx, db.DB, from, to, sh, time.Time{})
		gen = nil
		opts := report.Options{Location: sh, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, sh)}
		open := func() *report.PeriodStream {
			s, err := report.OpenPeriod(ctx, db, from, to, opts)
			if err != nil {
				log.Fatal(err)
			}
			return s
		}
		fmt.Println(benchkit.Measure(fmt.Sprintf("period, %d employees x %d days (%s)", n, *days, db.Name), *runs, func() {
			if _, err := open().Walk(func(*report.PeriodEmployee) error { return nil }); err != nil {
				log.Fatal(err)
			}
		}))
		for _, f := range strings.Split(*formats, ",") {
			if f == "" {
				continue
			}
			fmt.Println(benchkit.Measure(fmt.Sprintf("  written as %s", f), *runs, func() {
				if err := report.Write(io.Discard, open(), report.Format(f), report.Chinese); err != nil {
					log.Fatal(err)
				}
			}))
		}
		if *whole {
			fmt.Println(benchkit.Measure("  held whole (LoadPeriod)", 1, func() {
				if _, err := report.LoadPeriod(ctx, db, from, to, opts); err != nil {
					log.Fatal(err)
				}
			}))
		}
		if *cli != "" {
			runCLI(*cli, db, from, to)
		}
		db.Close()
	}
}

// runCLI runs `kaoqin report period --format xlsx` on db and prints its wall time and the peak
// RSS the kernel measured of the process. GNU time (/usr/bin/time) reads it: the rusage of a
// child of this process would not do, since Linux counts the parent's peak (whose memory the
// child shares until exec) in the child's.
func runCLI(bin string, db *benchkit.DB, from, to string) {
	dir, err := os.MkdirTemp("", "kaoqin-bench-cli-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	out, rssFile := filepath.Join(dir, "period.xlsx"), filepath.Join(dir, "rss")
	cmd := exec.Command("/usr/bin/time", "-f", "%M", "-o", rssFile,
		bin, "report", "period", "--from", from, "--to", to, "--format", "xlsx", "-o", out)
	cmd.Env = append(os.Environ(), "KAOQIN_DB="+db.DSN)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		log.Fatalf("%s (with GNU time): %v", bin, err)
	}
	wall := time.Since(start)
	fi, err := os.Stat(out)
	if err != nil {
		log.Fatal(err)
	}
	b, err := os.ReadFile(rssFile)
	if err != nil {
		log.Fatal(err)
	}
	kb, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		log.Fatalf("GNU time said %q: %v", b, err)
	}
	fmt.Printf("%-52s %10s %10s %10s %10s %10s %10s %10s\n", "  kaoqin report period --format xlsx (a process)", wall.Round(time.Millisecond),
		"", "", "", "", benchkit.MB(kb<<10), "")
	fmt.Printf("    (%s of XLSX)\n", benchkit.MB(uint64(fi.Size())))
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

// save writes the org and, for every weekday of [from, to], two plans (09:00 and 18:00) and
// two checks per employee with a realistic mix of results, as a sync would, then marks the
// days covered. With asOf set, the days are pulled at asOf: a check not due yet is NotSigned
// (pending), and a day not over is not final and has its punches and punch pulls, as the
// dashboard's live board reads them; otherwise every day is final.
func (c *company) save(ctx context.Context, db *store.DB, from, to string, loc *time.Location, asOf time.Time) {
	start := time.Now()
	if _, err := db.SaveOrg(ctx, kaoqin.OrgSnapshot{Day: from, At: 1, Departments: c.depts, Employees: c.employees}); err != nil {
		log.Fatal(err)
	}
	rows := 0
	var id int64
	var cover []kaoqin.DayCoverage
	for _, day := range kaoqin.Days(from, to) {
		dayStart, dayEnd := kaoqin.DayBounds(day, loc)
		synced := dayStart.Add(47 * time.Hour)
		if !asOf.IsZero() && asOf.Before(synced) {
			synced = asOf
		}
		at, live := synced.UnixMilli(), synced.Before(dayEnd)
		cover = append(cover, kaoqin.DayCoverage{Day: day, SyncedAt: at, Closed: !live})
		if wd := dayStart.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if os.Getenv("BENCH_VERBOSE") != "" {
			fmt.Printf("    %s: %d rows so far, %s\n", day, rows, time.Since(start).Round(time.Millisecond))
		}
		on, off := dayStart.Add(9*time.Hour).UnixMilli(), dayStart.Add(18*time.Hour).UnixMilli()
		for lo := 0; lo < len(c.employees); lo += 700 {
			chunk := c.employees[lo:min(lo+700, len(c.employees))]
			scope := kaoqin.Scope{From: day, To: day}
			checks := kaoqin.CheckBatch{SyncedAt: at}
			plans := kaoqin.ScheduleBatch{}
			punches := kaoqin.PunchBatch{SyncedAt: at}
			for _, e := range chunk {
				scope.UserIDs = append(scope.UserIDs, e.UserID)
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
				for k, x := range []struct {
					typ, res   string
					base, when int64
				}{{kaoqin.OnDuty, onRes, on, onAt}, {kaoqin.OffDuty, offRes, off, offAt}} {
					if x.when > at { // not punched yet when pulled: DingTalk says NotSigned
						x.res, x.when = kaoqin.TimeNotSigned, x.base
					}
					cid := id + int64(k)
					checks.Checks = append(checks.Checks, kaoqin.Check{ID: cid, UserID: e.UserID, WorkDate: day, CheckType: x.typ,
						TimeResult: x.res, LocationResult: kaoqin.LocationNormal, BaseCheckTime: x.base, UserCheckTime: x.when, PlanID: cid})
					plans.Schedules = append(plans.Schedules, kaoqin.Schedule{PlanID: cid, UserID: e.UserID, WorkDate: day,
						CheckType: x.typ, PlanCheckTime: x.base, GroupID: 1, ShiftID: 1})
					if live && x.res != kaoqin.TimeNotSigned {
						punches.Punches = append(punches.Punches, kaoqin.Punch{ID: cid, UserID: e.UserID, WorkDate: day, CheckType: x.typ,
							TimeResult: x.res, LocationResult: kaoqin.LocationNormal, UserCheckTime: x.when, BaseCheckTime: x.base,
							PlanCheckTime: x.base, PlanID: cid, GroupID: 1, IsLegal: x.res == kaoqin.TimeNormal})
					}
				}
			}
			checks.Scope, plans.Scope, punches.Scope = scope, scope, scope
			n, err := db.SaveChecks(ctx, checks)
			if err != nil {
				log.Fatal(err)
			}
			rows += int(n)
			if n, err = db.SaveSchedules(ctx, plans); err != nil {
				log.Fatal(err)
			}
			rows += int(n)
			if live {
				if n, err = db.SavePunches(ctx, punches); err != nil {
					log.Fatal(err)
				}
				rows += int(n)
			}
		}
	}
	if err := db.MarkCovered(ctx, cover); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("  (wrote %d employees, %d departments, %d rows (checks, plans, punches) in %s)\n", len(c.employees), len(c.depts), rows, time.Since(start).Round(time.Millisecond))
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
