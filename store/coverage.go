package store

import (
	"context"
	"database/sql"
	"maps"
	"slices"

	"github.com/kaoqin/kaoqin"
)

// coverageTable merges a mark into what is there: SyncedAt takes the later time and Closed
// never goes back from true to false (a live pull after the day's final one does not make it
// provisional again).
var coverageTable = table{
	name: "coverage",
	cols: []column{{"day", tText}, {"synced_at", tBigint}, {"closed", tBoolean}},
	key:  []string{"day"},
	set: `SET synced_at = CASE WHEN excluded.synced_at > coverage.synced_at THEN excluded.synced_at ELSE coverage.synced_at END,
		closed = coverage.closed OR excluded.closed`,
}

// MarkCovered records that the days' attendance has been pulled for every employee.
func (db *DB) MarkCovered(ctx context.Context, days []kaoqin.DayCoverage) (err error) {
	defer wrap(&err, "mark covered")
	merged := map[string]kaoqin.DayCoverage{}
	for _, c := range days {
		if _, err := kaoqin.ParseDate(c.Day); err != nil {
			return err
		}
		if m, ok := merged[c.Day]; ok { // one row per day and statement; merge as the upsert would
			c.SyncedAt = max(c.SyncedAt, m.SyncedAt)
			c.Closed = c.Closed || m.Closed
		}
		merged[c.Day] = c
	}
	data := make([][]any, 0, len(merged))
	for _, day := range slices.Sorted(maps.Keys(merged)) {
		c := merged[day]
		data = append(data, []any{c.Day, c.SyncedAt, c.Closed})
	}
	return db.update(ctx, func(tx conn) error {
		_, err := tx.upsert(ctx, coverageTable, data)
		return err
	})
}

// Coverage returns the covered days of [from, to], sorted by Day.
func (db *DB) Coverage(ctx context.Context, from, to string) (days []kaoqin.DayCoverage, err error) {
	defer wrap(&err, "coverage")
	if err := checkRange(from, to); err != nil {
		return nil, err
	}
	return queryAll(ctx, db.reader(), func(rows *sql.Rows, c *kaoqin.DayCoverage) error {
		return rows.Scan(&c.Day, &c.SyncedAt, &c.Closed)
	}, "SELECT day, synced_at, closed FROM coverage WHERE day >= ? AND day <= ? ORDER BY day", from, to)
}

// kindCoverageTable is coverageTable for the rows pulled apart from the check results.
var kindCoverageTable = table{
	name: "kind_coverage",
	cols: []column{{"kind", tText}, {"day", tText}, {"synced_at", tBigint}, {"closed", tBoolean}},
	key:  []string{"kind", "day"},
	set: `SET synced_at = CASE WHEN excluded.synced_at > kind_coverage.synced_at THEN excluded.synced_at ELSE kind_coverage.synced_at END,
		closed = kind_coverage.closed OR excluded.closed`,
}

func checkKind(kind string) error {
	if kind != kaoqin.CoverPunches && kind != kaoqin.CoverPlans {
		return kaoqin.Errorf(kaoqin.EINVALID, "unknown kind of coverage %q: want %s or %s", kind, kaoqin.CoverPunches, kaoqin.CoverPlans)
	}
	return nil
}

// MarkKindCovered records that the days' rows of kind (kaoqin.CoverPunches or CoverPlans) have
// been pulled for every employee, merged as MarkCovered merges.
func (db *DB) MarkKindCovered(ctx context.Context, kind string, days []kaoqin.DayCoverage) (err error) {
	defer wrap(&err, "mark "+kind+" covered")
	if err := checkKind(kind); err != nil {
		return err
	}
	merged := map[string]kaoqin.DayCoverage{}
	for _, c := range days {
		if _, err := kaoqin.ParseDate(c.Day); err != nil {
			return err
		}
		if m, ok := merged[c.Day]; ok {
			c.SyncedAt = max(c.SyncedAt, m.SyncedAt)
			c.Closed = c.Closed || m.Closed
		}
		merged[c.Day] = c
	}
	data := make([][]any, 0, len(merged))
	for _, day := range slices.Sorted(maps.Keys(merged)) {
		c := merged[day]
		data = append(data, []any{kind, c.Day, c.SyncedAt, c.Closed})
	}
	return db.update(ctx, func(tx conn) error {
		_, err := tx.upsert(ctx, kindCoverageTable, data)
		return err
	})
}

// KindCoverage returns the days of [from, to] whose rows of kind have been pulled, sorted by Day.
func (db *DB) KindCoverage(ctx context.Context, kind, from, to string) (days []kaoqin.DayCoverage, err error) {
	defer wrap(&err, kind+" coverage")
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	if err := checkRange(from, to); err != nil {
		return nil, err
	}
	return queryAll(ctx, db.reader(), func(rows *sql.Rows, c *kaoqin.DayCoverage) error {
		return rows.Scan(&c.Day, &c.SyncedAt, &c.Closed)
	}, "SELECT day, synced_at, closed FROM kind_coverage WHERE kind = ? AND day >= ? AND day <= ? ORDER BY day", kind, from, to)
}
