package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store/storetest"
)

// readMany hands each row's values to values, which converts them (on PostgreSQL from the wire:
// binary integers of each size, booleans, text, NULL); a column of another type fails the read
// instead of reading as zero; arguments are converted as database/sql would. (The reads built
// on it are tested with the rest of the store.)
func TestReadMany_Values(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, "kaoqin_values", func(t *testing.T, db *DB) {
		cols := `1776000000000, 'u1', 'Normal', NULL, 0, 1, -7, 3`
		if db.d.pg {
			cols = `1776000000000::bigint, 'u1'::text, 'Normal'::text, NULL::text, false, true, -7::int4, 3::int2`
		}
		in, users := interner{}, &run{}
		type row struct {
			at             int64
			user, res, no  string
			f, t           bool
			small, smaller int64
			day            string
		}
		got, err := readMany(ctx, db, func(v *values, r *row) error {
			r.at, r.user, r.res, r.no, r.f, r.t = v.int(), v.user(users), v.text(in), v.text(in), v.bool(), v.bool()
			r.small, r.smaller, r.day = v.int(), v.int(), v.day("2026-11-18", in)
			return v.err
		}, cols, "(SELECT 1) AS one", "1")
		if err != nil {
			t.Fatal(err)
		}
		want := row{1776000000000, "u1", "Normal", "", false, true, -7, 3, "2026-11-18"}
		if len(got) != 1 || got[0] != want {
			t.Errorf("got %+v, want %+v", got, want)
		}

		_, err = readMany(ctx, db, func(v *values, r *row) error {
			r.user, r.at = v.text(in), v.int()
			return v.err
		}, `'u1', 'late'`, "(SELECT 1) AS one", "1")
		if err == nil || !strings.Contains(err.Error(), "column 2: want an integer, have") {
			t.Errorf("an integer column holding text: got %v", err)
		}

		three := "(SELECT 5 AS x UNION ALL SELECT 9 UNION ALL SELECT 1) AS t"
		n, err := readMany(ctx, db, func(v *values, n *int64) error { *n = v.int(); return v.err },
			"x", three+" WHERE x > ? AND x IN "+db.d.in(tBigint), "x", int64(4), db.d.list([]int64{1, 9}))
		if err != nil || len(n) != 1 || n[0] != 9 {
			t.Errorf("read with arguments: %v, %v", n, err)
		}
	})
}

// eachEngine runs test on a new SQLite database, and on a new PostgreSQL schema (named after
// prefix) when the tests have a server.
func eachEngine(t *testing.T, prefix string, test func(t *testing.T, db *DB)) {
	dsns := map[string]string{"sqlite": filepath.Join(t.TempDir(), "kaoqin.db")}
	if server := os.Getenv(storetest.EnvDSN); server != "" {
		dsn, drop, err := storetest.NewSchema(server, prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { drop() })
		dsns["postgres"] = dsn
	}
	for engine, dsn := range dsns {
		t.Run(engine, func(t *testing.T) {
			db, err := Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			test(t, db)
		})
	}
}

// TestDayReads_IndexOnly: the reports' reads of a whole day (BriefChecks, Schedules,
// BriefPunches) come from their table's day index alone, in its order: no row is looked up
// in the table, and nothing is sorted (migration 18). A column added to one of these reads
// and not to its index fails here, not in a 100,000-person benchmark.
func TestDayReads_IndexOnly(t *testing.T) {
	ctx := context.Background()
	reads := []struct{ table, cols, order string }{
		{"checks", briefCheckCols, checkOrder},
		{"schedules", scheduleCols, scheduleOrder},
		{"punches", briefPunchCols, punchOrder},
	}
	eachEngine(t, "kaoqin_plans", func(t *testing.T, db *DB) {
		c, err := db.ro.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		explain := "EXPLAIN QUERY PLAN "
		if db.d.pg {
			// The tables are empty: without these the planner would rightly scan them.
			for _, set := range []string{"SET enable_seqscan = off", "SET enable_bitmapscan = off"} {
				if _, err := c.ExecContext(ctx, set); err != nil {
					t.Fatal(err)
				}
			}
			explain = "EXPLAIN "
		}
		day := "2026-11-20"
		where, args, err := filterWhere(db.d, kaoqin.Filter{From: day, To: day})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reads {
			q := db.d.rebind(explain + "SELECT " + dayColumns(r.cols, day) + " FROM " + r.table + where + " ORDER BY " + r.order)
			rows, err := c.QueryContext(ctx, q, args...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				cols, _ := rows.Columns()
				dest := make([]any, len(cols))
				var line string
				dest[len(cols)-1] = &line // the plan's text is the last column on both engines
				for i := range len(cols) - 1 {
					dest[i] = new(any)
				}
				if err := rows.Scan(dest...); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, line)
			}
			rows.Close()
			text := strings.Join(plan, "\n")
			want := "USING COVERING INDEX " + r.table + "_day"
			if db.d.pg {
				want = "Index Only Scan using " + r.table + "_day"
			}
			if !strings.Contains(text, want) || strings.Contains(text, "TEMP B-TREE") || strings.Contains(text, "Sort") {
				t.Errorf("a day of %s: want %q and no sort, got plan:\n%s", r.table, want, text)
			}
		}
	})
}

// TestSliceReads_ByUser: a period report reads the company a slice of userids at a time, over
// the whole range. SQLite counts each slice's checks before reading them (manySize); that
// count and the read must go by userid (checks_user_day). Counted through the day index
// instead, each slice's count scanned every check of the range: the 100,000-person period
// walk took minutes instead of 21 s before migration 18 happened to change the planner's
// choice.
func TestSliceReads_ByUser(t *testing.T) {
	eachEngine(t, "kaoqin_slices", func(t *testing.T, db *DB) {
		if db.d.pg {
			t.Skip("PostgreSQL reads without counting first")
		}
		where, args, err := filterWhere(db.d, kaoqin.Filter{From: "2026-10-26", To: "2026-11-25", After: "u1000", Through: "u1999"})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"SELECT count(*) FROM checks" + where,
			"SELECT " + briefCheckCols + " FROM checks" + where + " ORDER BY " + checkOrder} {
			var plan []string
			rows, err := db.ro.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			if text := strings.Join(plan, "\n"); !strings.Contains(text, "INDEX checks_user_day (user_id>? AND user_id<?)") {
				t.Errorf("%s\ngoes by:\n%s", q, text)
			}
		}
	})
}
