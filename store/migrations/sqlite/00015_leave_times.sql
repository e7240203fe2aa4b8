-- Leave by type, from DingTalk's report (getleavetimebynames): each employee's leave of each
-- type on each day (days without leave are not stored; values in millionths of the type's
-- unit), the pulls that brought it (a pull replaces its employee's days), and the company's
-- leave types in the report's order, with their units ('day', 'hour' or '' when unknown).

-- +goose Up
CREATE TABLE leave_times (
	user_id   TEXT    NOT NULL,
	work_date TEXT    NOT NULL,
	name      TEXT    NOT NULL,
	value_e6  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, work_date, name)
) WITHOUT ROWID;

CREATE INDEX leave_times_by_date ON leave_times (work_date, name);

CREATE TABLE leave_time_pulls (
	user_id   TEXT    NOT NULL,
	from_date TEXT    NOT NULL,
	to_date   TEXT    NOT NULL,
	pulled_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, from_date, to_date)
) WITHOUT ROWID;

CREATE TABLE leave_types (
	name     TEXT    PRIMARY KEY,
	unit     TEXT    NOT NULL DEFAULT '',
	position INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- +goose Down
DROP TABLE leave_types;
DROP TABLE leave_time_pulls;
DROP TABLE leave_times;
