package store

import (
	"context"
	"database/sql"
)

// LastChecks returns, for each work date of [from, to] that has any, the latest scheduled time
// (unix ms) of its checks and plans, rest days' plans left out: when the day's last check was
// due. A night shift's is the next morning.
func (db *DB) LastChecks(ctx context.Context, from, to string) (last map[string]int64, err error) {
	defer wrap(&err, "last checks")
	if err := checkRange(from, to); err != nil {
		return nil, err
	}
	type row struct {
		day string
		at  int64
	}
	rows, err := queryAll(ctx, db.reader(), func(rows *sql.Rows, r *row) error { return rows.Scan(&r.day, &r.at) },
		`SELECT work_date, MAX(base_check_time) FROM checks WHERE work_date >= ? AND work_date <= ? GROUP BY work_date
		UNION ALL
		SELECT work_date, MAX(plan_check_time) FROM schedules WHERE work_date >= ? AND work_date <= ? AND NOT is_rest GROUP BY work_date`,
		from, to, from, to)
	if err != nil {
		return nil, err
	}
	last = make(map[string]int64, len(rows))
	for _, r := range rows {
		last[r.day] = max(last[r.day], r.at)
	}
	return last, nil
}
