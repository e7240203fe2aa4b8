package store

import (
	"database/sql"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// values converts what the driver hands over, and a column of another type fails the row
// instead of reading as zero.
func TestValues(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	read := func(query string, convert func(v *values)) error {
		t.Helper()
		rows, err := db.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		v := newValues(query[len("SELECT "):])
		for rows.Next() {
			if err := v.scan(rows); err != nil {
				t.Fatal(err)
			}
			convert(v)
		}
		return v.err
	}

	in, users := interner{}, &run{}
	var got []any
	err = read(`SELECT 1776000000000, 'u1', 'Normal', NULL, 0, 1`, func(v *values) {
		got = append(got, v.int(), v.user(users), v.text(in), v.text(in), v.bool(), v.bool())
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{int64(1776000000000), "u1", "Normal", "", false, true}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("column %d: got %#v, want %#v", i+1, got[i], want[i])
		}
	}
	if v := (&values{v: []any{"2026-11-18"}, p: []any{nil}}); v.day("2026-11-17", in) != "2026-11-17" || v.next != 0 {
		t.Errorf("day of a one-day read: read a column, or not the day")
	}

	err = read(`SELECT 'u1', 'late'`, func(v *values) { v.text(in); v.int() })
	if err == nil || !strings.Contains(err.Error(), "column 2: want an integer, have string") {
		t.Errorf("an integer column holding text: got %v", err)
	}
}
