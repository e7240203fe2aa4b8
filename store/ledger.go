package store

import (
	"context"

	"github.com/kaoqin/kaoqin"
)

// RecordCall adds one DingTalk call to the month's counters of its path. It is one upsert that
// adds to the counters in place, so calls recorded at once from many goroutines or processes
// are all counted.
func (db *DB) RecordCall(ctx context.Context, c kaoqin.Call) (err error) {
	defer wrap(&err, "record call")
	if len(c.Month) != 7 || c.Month[4] != '-' {
		return kaoqin.Errorf(kaoqin.EINVALID, "bad quota month %q: want YYYY-MM", c.Month)
	}
	_, err = db.writer().exec(ctx, `INSERT INTO ledger (month, path, calls, metered, throttled, failed)
		VALUES (?, ?, 1, ?, ?, ?)
		ON CONFLICT (month, path) DO UPDATE SET calls = ledger.calls + 1, metered = ledger.metered + excluded.metered,
			throttled = ledger.throttled + excluded.throttled, failed = ledger.failed + excluded.failed`,
		c.Month, c.Path, b2i(c.Metered), b2i(c.Throttled), b2i(c.Errcode != 0))
	return err
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Ledger returns the month's totals ("YYYY-MM"); a month without calls is all zeros. ByPath has
// every path called; MeteredBy only the paths with metered calls.
func (db *DB) Ledger(ctx context.Context, month string) (l kaoqin.MonthLedger, err error) {
	defer wrap(&err, "ledger")
	l = kaoqin.MonthLedger{Month: month, ByPath: map[string]int64{}, MeteredBy: map[string]int64{}, PushesBy: map[string]int64{}}
	if err := db.pushLedger(ctx, &l); err != nil {
		return l, err
	}
	rows, err := db.reader().query(ctx, "SELECT path, calls, metered, throttled, failed FROM ledger WHERE month = ?", month)
	if err != nil {
		return l, err
	}
	defer rows.Close()
	for rows.Next() {
		var path string
		var calls, metered, throttled, failed int64
		if err := rows.Scan(&path, &calls, &metered, &throttled, &failed); err != nil {
			return l, err
		}
		l.Calls += calls
		l.Metered += metered
		l.Throttled += throttled
		l.Failed += failed
		l.ByPath[path] = calls
		if metered > 0 {
			l.MeteredBy[path] = metered
		}
	}
	return l, rows.Err()
}

// pushLedger adds the month's event deliveries to l.
func (db *DB) pushLedger(ctx context.Context, l *kaoqin.MonthLedger) error {
	rows, err := db.reader().query(ctx, "SELECT kind, pushes, counted, duplicates FROM push_ledger WHERE month = ?", l.Month)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var pushes, counted, dups int64
		if err := rows.Scan(&kind, &pushes, &counted, &dups); err != nil {
			return err
		}
		l.Pushes += counted
		l.PushDuplicates += dups
		l.PushesBy[kind] = pushes
	}
	return rows.Err()
}
