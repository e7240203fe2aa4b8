package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// readMany hands the driver's values to values, which converts them; a column of another type
// fails the read instead of reading as zero. (The reads built on it are tested on both engines
// with the rest of the store.)
func TestReadMany_Values(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "kaoqin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	in, users := interner{}, &run{}
	type row struct {
		at            int64
		user, res, no string
		f, t          bool
		day           string
	}
	got, err := readMany(ctx, db, func(v *values, r *row) error {
		r.at, r.user, r.res, r.no, r.f, r.t, r.day = v.int(), v.user(users), v.text(in), v.text(in), v.bool(), v.bool(), v.day("2026-11-18", in)
		return v.err
	}, `1776000000000, 'u1', 'Normal', NULL, 0, 1`, "(SELECT 1)", "1")
	if err != nil {
		t.Fatal(err)
	}
	want := row{1776000000000, "u1", "Normal", "", false, true, "2026-11-18"}
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %+v, want %+v", got, want)
	}

	_, err = readMany(ctx, db, func(v *values, r *row) error {
		r.user, r.at = v.text(in), v.int()
		return v.err
	}, `'u1', 'late'`, "(SELECT 1)", "1")
	if err == nil || !strings.Contains(err.Error(), "column 2: want an integer, have string") {
		t.Errorf("an integer column holding text: got %v", err)
	}

	// Arguments go through the driver's own conversions, as database/sql's would.
	n, err := readMany(ctx, db, func(v *values, n *int64) error { *n = v.int(); return v.err },
		"value", "json_each(?) WHERE value > ?", "value", `[1, 5, 9]`, int64(4))
	if err != nil || len(n) != 2 || n[0] != 5 || n[1] != 9 {
		t.Errorf("read with arguments: %v, %v", n, err)
	}
}
