package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/kaoqin/kaoqin"
)

// SaveDayDetail keeps what getupdatedata said of one employee-day (as JSON), replacing what
// an earlier fetch said.
func (db *DB) SaveDayDetail(ctx context.Context, d kaoqin.DayDetail) (err error) {
	defer wrap(&err, "save day detail")
	if err := checkRow("day detail", 0, d.UserID, d.WorkDate); err != nil {
		return err
	}
	body, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return db.update(ctx, func(tx conn) error {
		_, err := tx.exec(ctx, `INSERT INTO day_details (user_id, work_date, fetched_at, body) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, work_date) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body`,
			d.UserID, d.WorkDate, d.FetchedAt, string(body))
		return err
	})
}

// DayDetail returns what getupdatedata said of userid's day when last fetched; ENOTFOUND if
// never.
func (db *DB) DayDetail(ctx context.Context, userid, day string) (d *kaoqin.DayDetail, err error) {
	defer wrap(&err, "day detail")
	if _, err := kaoqin.ParseDate(day); err != nil {
		return nil, err
	}
	var body string
	err = db.reader().queryRow(ctx, "SELECT body FROM day_details WHERE user_id = ? AND work_date = ?", userid, day).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "the day %s of %s has not been fetched from DingTalk", day, userid)
	}
	if err != nil {
		return nil, err
	}
	d = &kaoqin.DayDetail{}
	return d, json.Unmarshal([]byte(body), d)
}
