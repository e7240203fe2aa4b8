-- Which employees are DingTalk administrators (the plans API is called on behalf of one), and
-- the days fetched one by one with getupdatedata for a day in dispute: results, punches and
-- approvals as DingTalk told them, kept as JSON (kaoqin.DayDetail), one row per employee-day.

-- +goose Up
ALTER TABLE employees ADD COLUMN admin boolean NOT NULL DEFAULT false;

CREATE TABLE day_details (
	user_id    text COLLATE "C" NOT NULL,
	work_date  text COLLATE "C" NOT NULL,
	fetched_at bigint           NOT NULL DEFAULT 0,
	body       text COLLATE "C" NOT NULL DEFAULT '{}',
	PRIMARY KEY (user_id, work_date)
);

-- +goose Down
DROP TABLE day_details;
ALTER TABLE employees DROP COLUMN admin;
