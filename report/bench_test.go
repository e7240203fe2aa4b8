package report

import (
	"cmp"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
)

// genCompany generates a deterministic company: depts departments in a tree (each with up to
// 7 children: 4 levels for 2,000), employees spread over them (5% in two), and their checks
// over days workdays from from (weekends rest): mostly normal, some late, early, missing,
// absent, outside, 10% on split shifts, 2% with a day of leave.
func genCompany(employees, depts int, from string, days int) Input {
	rng := rand.New(rand.NewPCG(1, 2))
	var in Input
	in.Departments = append(in.Departments, kaoqin.Department{ID: 1, Name: "公司"})
	for i := 2; i <= depts; i++ {
		in.Departments = append(in.Departments, kaoqin.Department{ID: int64(i), ParentID: int64((i-2)/7 + 1), Name: fmt.Sprintf("部门%04d", i)})
	}
	var id int64
	for e := range employees {
		u := fmt.Sprintf("u%06d", e)
		d := int64(1 + rng.IntN(depts))
		in.Employees = append(in.Employees, kaoqin.Employee{UserID: u, Name: fmt.Sprintf("员工%06d", e), JobNumber: fmt.Sprintf("E%06d", e), DeptIDs: []int64{d}})
		in.Memberships = append(in.Memberships, kaoqin.Membership{UserID: u, DeptID: d})
		if rng.IntN(20) == 0 {
			in.Memberships = append(in.Memberships, kaoqin.Membership{UserID: u, DeptID: int64(1 + rng.IntN(depts))})
		}
		split := rng.IntN(10) == 0
		leaveDay := -1
		if rng.IntN(50) == 0 {
			leaveDay = rng.IntN(days)
		}
		for k := range days {
			day := kaoqin.AddDays(from, k)
			start, _ := kaoqin.DayBounds(day, shanghai)
			if wd := start.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			if k == leaveDay {
				in.Leaves = append(in.Leaves, kaoqin.Leave{UserID: u, StartTime: start.Add(9 * time.Hour).UnixMilli(),
					EndTime: start.Add(18 * time.Hour).UnixMilli(), DurationUnit: kaoqin.LeavePercentDay, DurationPercent: 100})
			}
			shifts := [][2]int{{9 * 60, 18 * 60}}
			if split {
				shifts = [][2]int{{9 * 60, 12 * 60}, {14 * 60, 18 * 60}}
			}
			absent := rng.IntN(100) == 0 || k == leaveDay
			for _, sh := range shifts {
				for j, typ := range []string{kaoqin.OnDuty, kaoqin.OffDuty} {
					id++
					base := start.Add(time.Duration(sh[j]) * time.Minute).UnixMilli()
					c := kaoqin.Check{ID: id, UserID: u, WorkDate: day, CheckType: typ, BaseCheckTime: base,
						TimeResult: kaoqin.TimeNormal, LocationResult: kaoqin.LocationNormal, UserCheckTime: base - 60_000}
					switch r := rng.IntN(100); {
					case absent || r < 2:
						c.TimeResult, c.LocationResult, c.UserCheckTime = kaoqin.TimeNotSigned, kaoqin.LocationNotSigned, base
					case typ == kaoqin.OnDuty && r < 7:
						c.TimeResult, c.UserCheckTime = kaoqin.TimeLate, base+int64(1+rng.IntN(20))*60_000
					case typ == kaoqin.OnDuty && r < 8:
						c.TimeResult, c.UserCheckTime = kaoqin.TimeSeriousLate, base+int64(30+rng.IntN(60))*60_000
					case typ == kaoqin.OffDuty && r < 5:
						c.TimeResult, c.UserCheckTime = kaoqin.TimeEarly, base-int64(1+rng.IntN(60))*60_000
					case r > 96:
						c.LocationResult = kaoqin.LocationOutside
					}
					in.Checks = append(in.Checks, c)
				}
			}
		}
	}
	// In the store's order.
	slices.SortFunc(in.Memberships, func(a, b kaoqin.Membership) int {
		return cmp.Or(strings.Compare(a.UserID, b.UserID), cmpInt64(a.DeptID, b.DeptID))
	})
	for k := range days {
		in.Coverage = append(in.Coverage, kaoqin.DayCoverage{Day: kaoqin.AddDays(from, k), Closed: true})
	}
	return in
}

// BenchmarkComputeDaily is the live board's computation: 100,000 employees in 2,000
// departments, at 10:00 of the day (the database part is measured with the store).
func BenchmarkComputeDaily(b *testing.B) {
	in := genCompany(100_000, 2_000, "2026-11-18", 1)
	o := opts(when("2026-11-18", "10:00"))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ComputeDaily(in, "2026-11-18", o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComputePeriod is a month's payroll report: 10,000 employees x 31 days.
func BenchmarkComputePeriod(b *testing.B) {
	in := genCompany(10_000, 2_000, "2026-10-26", 31)
	o := opts(when("2026-11-26", "08:00"))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ComputePeriod(in, "2026-10-26", "2026-11-25", o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteXLSX exports the period report at two sizes. After the timed runs, one more
// export runs with the garbage collector at work all the time (GOGC=1) and peak-live-MB is
// how far the heap rose above the report itself meanwhile: what the writer holds, which must
// not grow with the rows.
func BenchmarkWriteXLSX(b *testing.B) {
	for _, n := range []int{10_000, 40_000, 80_000} {
		b.Run(fmt.Sprintf("employees=%d", n), func(b *testing.B) {
			in := genCompany(n, 2_000, "2026-10-26", 31)
			r, err := ComputePeriod(in, "2026-10-26", "2026-11-25", opts(when("2026-11-26", "08:00")))
			if err != nil {
				b.Fatal(err)
			}
			// The writer reads the report's lines, not the checks behind them: drop those, so
			// that the heap below is the lines and what the writer holds.
			in, r.view = Input{}, &view{org: r.view.org}
			write := func() {
				if err := WriteXLSX(io.Discard, r, Chinese); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				write()
			}
			b.StopTimer()
			b.ReportMetric(float64(heapGrowth(write))/(1<<20), "peak-live-MB")
			b.ReportMetric(float64(len(r.Employees)+len(r.Departments)), "rows")
		})
	}
}

// heapGrowth runs fn with the garbage collector running all the time and returns how far the
// heap rose above where it was before, sampled every millisecond.
func heapGrowth(fn func()) uint64 {
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	read := func() uint64 {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	runtime.GC()
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(done)
	<-stopped
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

// BenchmarkCleanText is what cleaning costs every text cell of a file: a clean name (the
// common case, no copy) and one with a bidi control.
func BenchmarkCleanText(b *testing.B) {
	for _, s := range []string{"华东销售部/一组/甲班", "张三\u202egnp.exe"} {
		b.Run(fmt.Sprintf("%d-bytes", len(s)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = cleanText(s)
			}
		})
	}
}
