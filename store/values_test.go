package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin/store/storetest"
)

// readMany hands each row's values to values, which converts them (on PostgreSQL from the wire:
// binary integers of each size, booleans, text, NULL); a column of another type fails the read
// instead of reading as zero; arguments are converted as database/sql would. (The reads built
// on it are tested with the rest of the store.)
func TestReadMany_Values(t *testing.T) {
	ctx := context.Background()
	dsns := map[string]string{"sqlite": filepath.Join(t.TempDir(), "kaoqin.db")}
	if server := os.Getenv(storetest.EnvDSN); server != "" {
		dsn, drop, err := storetest.NewSchema(server, "kaoqin_values")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { drop() })
		dsns["postgres"] = dsn
	}
	for engine, dsn := range dsns {
		t.Run(engine, func(t *testing.T) {
			db, err := Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
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
}
