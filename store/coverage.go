package store

import (
	"context"
	"database/sql"
	"maps"
	"slices"

	"github.com/kaoqin/kaoqin"
)

// coverageCols are the columns of a day's coverage, in both coverage tables.
var coverageCols = []column{{"day", tText}, {"synced_at", tBigint}, {"closed", tBoolean},
	{"last_check_at", tBigint}, {"closes_at", tBigint}, {"settles_at", tBigint}, {"settled", tBoolean}}

// coverageSet merges a mark into what table t holds: the times take the later value, and
// Closed and Settled never go back from true to false (a live pull after the day's final one
// does not make it provisional again).
func coverageSet(t string) string {
	later := func(col string) string {
		return col + " = CASE WHEN excluded." + col + " > " + t + "." + col + " THEN excluded." + col + " ELSE " + t + "." + col + " END"
	}
	return "SET " + later("synced_at") + ", closed = " + t + ".closed OR excluded.closed, " +
		later("last_check_at") + ", " + later("closes_at") + ", " + later("settles_at") + ", settled = " + t + ".settled OR excluded.settled"
}

var coverageTable = table{
	name: "coverage",
	cols: coverageCols,
	key:  []string{"day"},
	set:  coverageSet("coverage"),
}

// mergeCoverage checks the days and merges the marks of one day as the upsert would: one row
// per day and statement. It returns them by day.
func mergeCoverage(days []kaoqin.DayCoverage) ([]kaoqin.DayCoverage, error) {
	merged := map[string]kaoqin.DayCoverage{}
	for _, c := range days {
		if _, err := kaoqin.ParseDate(c.Day); err != nil {
			return nil, err
		}
		if m, ok := merged[c.Day]; ok {
			c.SyncedAt, c.Closed = max(c.SyncedAt, m.SyncedAt), c.Closed || m.Closed
			c.LastCheckAt, c.ClosesAt, c.SettlesAt = max(c.LastCheckAt, m.LastCheckAt), max(c.ClosesAt, m.ClosesAt), max(c.SettlesAt, m.SettlesAt)
			c.Settled = c.Settled || m.Settled
		}
		merged[c.Day] = c
	}
	out := make([]kaoqin.DayCoverage, 0, len(merged))
	for _, day := range slices.Sorted(maps.Keys(merged)) {
		out = append(out, merged[day])
	}
	return out, nil
}

func coverageRow(c kaoqin.DayCoverage) []any {
	return []any{c.Day, c.SyncedAt, c.Closed, c.LastCheckAt, c.ClosesAt, c.SettlesAt, c.Settled}
}

func scanCoverage(rows *sql.Rows, c *kaoqin.DayCoverage) error {
	return rows.Scan(&c.Day, &c.SyncedAt, &c.Closed, &c.LastCheckAt, &c.ClosesAt, &c.SettlesAt, &c.Settled)
}

const coverageSelect = "SELECT day, synced_at, closed, last_check_at, closes_at, settles_at, settled FROM "

// MarkCovered records that the days' attendance has been pulled for every employee.
func (db *DB) MarkCovered(ctx context.Context, days []kaoqin.DayCoverage) (err error) {
	defer wrap(&err, "mark covered")
	merged, err := mergeCoverage(days)
	if err != nil {
		return err
	}
	data := make([][]any, 0, len(merged))
	for _, c := range merged {
		data = append(data, coverageRow(c))
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
	return queryAll(ctx, db.reader(), scanCoverage,
		coverageSelect+"coverage WHERE day >= ? AND day <= ? ORDER BY day", from, to)
}

// kindCoverageTable is coverageTable for the rows pulled apart from the check results.
var kindCoverageTable = table{
	name: "kind_coverage",
	cols: append([]column{{"kind", tText}}, coverageCols...),
	key:  []string{"kind", "day"},
	set:  coverageSet("kind_coverage"),
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
	merged, err := mergeCoverage(days)
	if err != nil {
		return err
	}
	data := make([][]any, 0, len(merged))
	for _, c := range merged {
		data = append(data, append([]any{kind}, coverageRow(c)...))
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
	return queryAll(ctx, db.reader(), scanCoverage,
		coverageSelect+"kind_coverage WHERE kind = ? AND day >= ? AND day <= ? ORDER BY day", kind, from, to)
}
