package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

// Figures for the issue note. Run with, for both engines:
//
//	pg_virtualenv -- sh -c 'export KAOQIN_TEST_POSTGRES_DSN="postgres://$PGUSER:$PGPASSWORD@$PGHOST:${PGPORT:-5432}/postgres?sslmode=disable"
//		go test -run XXX -bench SaveChecks -benchtime 50x ./store/ &&
//		go test -run XXX -bench "SaveOrg|Checks_Day" -benchtime 3x ./store/'

// benchEachEngine runs fn on a fresh database of each engine (PostgreSQL only when
// KAOQIN_TEST_POSTGRES_DSN is set).
func benchEachEngine(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Run("sqlite", func(b *testing.B) {
		fn(b, mustOpen(b, filepath.Join(b.TempDir(), "kaoqin.db")))
	})
	b.Run("postgres", func(b *testing.B) {
		fn(b, mustOpen(b, postgresDSN(b)))
	})
}

// chunk returns the checks of one attendance/list chunk: 50 users x 7 days x 4 check points
// (two shifts) = 1,400 checks, for chunk number n.
func chunk(n int) kaoqin.CheckBatch {
	days := kaoqin.Days("2026-11-09", "2026-11-15")
	b := kaoqin.CheckBatch{Scope: kaoqin.Scope{From: days[0], To: days[len(days)-1]}, Checkpoint: fmt.Sprintf("checks:%s:%d", days[0], n)}
	id := int64(n) * 10_000
	for u := range 50 {
		user := fmt.Sprintf("user%06d", n*50+u)
		b.Scope.UserIDs = append(b.Scope.UserIDs, user)
		for _, day := range days {
			start, _ := kaoqin.DayBounds(day, time.UTC)
			for k := range 4 {
				id++
				c := check(id, user, day, start.Add(time.Duration(9+3*k)*time.Hour).UnixMilli())
				if k%2 == 1 {
					c.CheckType = kaoqin.OffDuty
				}
				b.Checks = append(b.Checks, c)
			}
		}
	}
	return b
}

func BenchmarkSaveChecks(b *testing.B) {
	benchEachEngine(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		n, rows := 0, 0
		for b.Loop() {
			batch := chunk(n)
			if _, err := db.SaveChecks(ctx, batch); err != nil {
				b.Fatal(err)
			}
			n++
			rows += len(batch.Checks)
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkSaveChecks_Rerun saves the same chunk again: the rerun of an interrupted sync.
func BenchmarkSaveChecks_Rerun(b *testing.B) {
	benchEachEngine(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		batch := chunk(0)
		if _, err := db.SaveChecks(ctx, batch); err != nil {
			b.Fatal(err)
		}
		rows := 0
		for b.Loop() {
			if _, err := db.SaveChecks(ctx, batch); err != nil {
				b.Fatal(err)
			}
			rows += len(batch.Checks)
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	})
}

// bigOrg is a company of employees people in depts departments, everyone in one department.
func bigOrg(employees, depts int) kaoqin.OrgSnapshot {
	snap := kaoqin.OrgSnapshot{Day: "2026-11-16", At: testNow.UnixMilli()}
	snap.Departments = append(snap.Departments, kaoqin.Department{ID: 1, Name: "公司"})
	for i := 2; i <= depts; i++ {
		snap.Departments = append(snap.Departments, kaoqin.Department{ID: int64(i), ParentID: int64(1 + (i-2)/20), Name: fmt.Sprintf("部门%d", i), Order: int64(i)})
	}
	for i := range employees {
		snap.Employees = append(snap.Employees, kaoqin.Employee{
			UserID: fmt.Sprintf("user%06d", i), Name: fmt.Sprintf("员工%d", i), JobNumber: fmt.Sprint(100000 + i),
			Title: "工程师", HiredAt: 1_600_000_000_000, DeptIDs: []int64{int64(2 + i%(depts-1))},
		})
	}
	return snap
}

// BenchmarkSaveOrg saves a 100,000-employee org into an empty store (First), and then the
// next day's snapshot of it with 1% of the people transferred (Transfers).
func BenchmarkSaveOrg(b *testing.B) {
	snap := bigOrg(100_000, 2_000)
	next := snap
	next.Day, next.At = "2026-11-17", snap.At+86_400_000
	next.Employees = append([]kaoqin.Employee(nil), snap.Employees...)
	for i := 0; i < len(next.Employees); i += 100 {
		next.Employees[i].DeptIDs = []int64{2 + (next.Employees[i].DeptIDs[0]-1)%1999}
	}
	b.Run("First", func(b *testing.B) {
		benchEachEngine(b, func(b *testing.B, db *store.DB) {
			for b.Loop() {
				b.StopTimer()
				db := mustOpen(b, dsnOf(b, db))
				b.StartTimer()
				if _, err := db.SaveOrg(context.Background(), snap); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("Transfers", func(b *testing.B) {
		benchEachEngine(b, func(b *testing.B, db *store.DB) {
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				db := mustOpen(b, dsnOf(b, db))
				if _, err := db.SaveOrg(ctx, snap); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				ch, err := db.SaveOrg(ctx, next)
				if err != nil {
					b.Fatal(err)
				}
				if ch.MembershipsOpened != 1000 {
					b.Fatalf("opened %d memberships, want 1000", ch.MembershipsOpened)
				}
			}
		})
	})
}

// dsnOf returns the DSN of a fresh database of db's engine.
func dsnOf(b *testing.B, db *store.DB) string {
	if db.Engine() == store.EnginePostgres {
		return postgresDSN(b)
	}
	return filepath.Join(b.TempDir(), "kaoqin.db")
}

// BenchmarkChecks_Day reads one day of a 100,000-employee company: 200,000 checks.
func BenchmarkChecks_Day(b *testing.B) {
	benchEachEngine(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		var checks []kaoqin.Check
		id := int64(0)
		for _, day := range []string{"2026-11-16", "2026-11-17", "2026-11-18"} {
			for u := range 100_000 {
				for k := range 2 {
					id++
					checks = append(checks, check(id, fmt.Sprintf("user%06d", u), day, int64(k)))
				}
			}
		}
		if _, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Checks: checks}); err != nil {
			b.Fatal(err)
		}
		rows := 0
		for b.Loop() {
			got, err := db.Checks(ctx, kaoqin.Filter{From: "2026-11-17", To: "2026-11-17"})
			if err != nil {
				b.Fatal(err)
			}
			if len(got) != 200_000 {
				b.Fatalf("got %d checks", len(got))
			}
			rows += len(got)
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	})
}
