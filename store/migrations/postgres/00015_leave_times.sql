-- Leave by type, from DingTalk's report (getleavetimebynames): each employee's leave of each
-- type on each day (days without leave are not stored; values in millionths of the type's
-- unit), the pulls that brought it (a pull replaces its employee's days), and the company's
-- leave types in the report's order, with their units ('day', 'hour' or '' when unknown).

-- +goose Up
CREATE TABLE leave_times (
	user_id   text COLLATE "C" NOT NULL,
	work_date text COLLATE "C" NOT NULL,
	name      text COLLATE "C" NOT NULL,
	value_e6  bigint           NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, work_date, name)
);

CREATE INDEX leave_times_by_date ON leave_times (work_date, name);

CREATE TABLE leave_time_pulls (
	user_id   text COLLATE "C" NOT NULL,
	from_date text COLLATE "C" NOT NULL,
	to_date   text COLLATE "C" NOT NULL,
	pulled_at bigint           NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, from_date, to_date)
);

CREATE TABLE leave_types (
	name     text COLLATE "C" PRIMARY KEY,
	unit     text COLLATE "C" NOT NULL DEFAULT '',
	position bigint           NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE leave_types;
DROP TABLE leave_time_pulls;
DROP TABLE leave_times;
