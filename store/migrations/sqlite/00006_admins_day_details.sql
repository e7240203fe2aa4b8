-- Which employees are DingTalk administrators (the plans API is called on behalf of one), and
-- the days fetched one by one with getupdatedata for a day in dispute: results, punches and
-- approvals as DingTalk told them, kept as JSON (kaoqin.DayDetail), one row per employee-day.

-- +goose Up
ALTER TABLE employees ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;

CREATE TABLE day_details (
	user_id    TEXT    NOT NULL,
	work_date  TEXT    NOT NULL,
	fetched_at INTEGER NOT NULL DEFAULT 0,
	body       TEXT    NOT NULL DEFAULT '{}',
	PRIMARY KEY (user_id, work_date)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE day_details;
ALTER TABLE employees DROP COLUMN admin;
