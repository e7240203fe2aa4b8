-- The org chart and its history, what DingTalk said about attendance, and the books of syncs.
-- Instants are unix milliseconds, work dates 'YYYY-MM-DD' text; "none" is 0 or ''.

-- +goose Up
CREATE TABLE departments (
	id                INTEGER PRIMARY KEY,
	parent_id         INTEGER NOT NULL DEFAULT 0,
	name              TEXT    NOT NULL DEFAULT '',
	ord               INTEGER NOT NULL DEFAULT 0,
	source_identifier TEXT    NOT NULL DEFAULT '',
	removed_at        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE employees (
	user_id    TEXT    PRIMARY KEY,
	name       TEXT    NOT NULL DEFAULT '',
	job_number TEXT    NOT NULL DEFAULT '',
	title      TEXT    NOT NULL DEFAULT '',
	hired_at   INTEGER NOT NULL DEFAULT 0,
	left_at    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- One row per stretch of time an employee belonged to a department; to_day = '' while it holds.
CREATE TABLE memberships (
	id       INTEGER PRIMARY KEY,
	user_id  TEXT    NOT NULL,
	dept_id  INTEGER NOT NULL,
	from_day TEXT    NOT NULL DEFAULT '',
	to_day   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX memberships_user ON memberships (user_id, dept_id, from_day);
CREATE UNIQUE INDEX memberships_open ON memberships (user_id, dept_id) WHERE to_day = '';

CREATE TABLE checks (
	id              INTEGER PRIMARY KEY,
	record_id       INTEGER NOT NULL DEFAULT 0,
	user_id         TEXT    NOT NULL,
	work_date       TEXT    NOT NULL,
	check_type      TEXT    NOT NULL DEFAULT '',
	time_result     TEXT    NOT NULL DEFAULT '',
	location_result TEXT    NOT NULL DEFAULT '',
	base_check_time INTEGER NOT NULL DEFAULT 0,
	user_check_time INTEGER NOT NULL DEFAULT 0,
	source_type     TEXT    NOT NULL DEFAULT '',
	plan_id         INTEGER NOT NULL DEFAULT 0,
	group_id        INTEGER NOT NULL DEFAULT 0,
	approve_id      INTEGER NOT NULL DEFAULT 0,
	proc_inst_id    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX checks_user_day ON checks (user_id, work_date);
-- Serves a day's checks in the order Checks returns them, without sorting.
CREATE INDEX checks_day ON checks (work_date, user_id, base_check_time);

CREATE TABLE punches (
	id                  INTEGER PRIMARY KEY,
	user_id             TEXT    NOT NULL,
	work_date           TEXT    NOT NULL,
	check_type          TEXT    NOT NULL DEFAULT '',
	time_result         TEXT    NOT NULL DEFAULT '',
	location_result     TEXT    NOT NULL DEFAULT '',
	source_type         TEXT    NOT NULL DEFAULT '',
	user_check_time     INTEGER NOT NULL DEFAULT 0,
	base_check_time     INTEGER NOT NULL DEFAULT 0,
	plan_id             INTEGER NOT NULL DEFAULT 0,
	group_id            INTEGER NOT NULL DEFAULT 0,
	is_legal            INTEGER NOT NULL DEFAULT 0,
	invalid_record_type TEXT    NOT NULL DEFAULT '',
	location_method     TEXT    NOT NULL DEFAULT '',
	user_address        TEXT    NOT NULL DEFAULT '',
	outside_remark      TEXT    NOT NULL DEFAULT '',
	device_id           TEXT    NOT NULL DEFAULT '',
	approve_id          INTEGER NOT NULL DEFAULT 0,
	proc_inst_id        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX punches_user_day ON punches (user_id, work_date);
CREATE INDEX punches_day ON punches (work_date, user_id, user_check_time);

-- DingTalk gives a leave no id: (user_id, start_time, end_time) is its key.
CREATE TABLE leaves (
	user_id          TEXT    NOT NULL,
	start_time       INTEGER NOT NULL,
	end_time         INTEGER NOT NULL,
	duration_unit    TEXT    NOT NULL DEFAULT '',
	duration_percent INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, start_time, end_time)
) WITHOUT ROWID;
CREATE INDEX leaves_start ON leaves (start_time);

CREATE TABLE schedules (
	plan_id         INTEGER PRIMARY KEY,
	user_id         TEXT    NOT NULL,
	work_date       TEXT    NOT NULL,
	check_type      TEXT    NOT NULL DEFAULT '',
	plan_check_time INTEGER NOT NULL DEFAULT 0,
	group_id        INTEGER NOT NULL DEFAULT 0,
	shift_id        INTEGER NOT NULL DEFAULT 0,
	is_rest         INTEGER NOT NULL DEFAULT 0,
	approve_id      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX schedules_user_day ON schedules (user_id, work_date);
CREATE INDEX schedules_day ON schedules (work_date, user_id, plan_check_time);

CREATE TABLE coverage (
	day       TEXT    PRIMARY KEY,
	synced_at INTEGER NOT NULL DEFAULT 0,
	closed    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE sync_runs (
	id             INTEGER PRIMARY KEY,
	kind           TEXT    NOT NULL DEFAULT '',
	from_day       TEXT    NOT NULL DEFAULT '',
	to_day         TEXT    NOT NULL DEFAULT '',
	started_at     INTEGER NOT NULL DEFAULT 0,
	finished_at    INTEGER NOT NULL DEFAULT 0,
	status         TEXT    NOT NULL DEFAULT '',
	error          TEXT    NOT NULL DEFAULT '',
	rows_written   INTEGER NOT NULL DEFAULT 0,
	calls          INTEGER NOT NULL DEFAULT 0,
	metered        INTEGER NOT NULL DEFAULT 0,
	throttled      INTEGER NOT NULL DEFAULT 0,
	retried        INTEGER NOT NULL DEFAULT 0,
	calls_by       TEXT    NOT NULL DEFAULT 'null', -- JSON object: path -> calls
	chunks_done    INTEGER NOT NULL DEFAULT 0,
	chunks_skipped INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sync_runs_started ON sync_runs (started_at);

CREATE TABLE checkpoints (
	key     TEXT    PRIMARY KEY,
	done_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The metered-call ledger: one row of counters per quota month and API path.
CREATE TABLE ledger (
	month     TEXT    NOT NULL,
	path      TEXT    NOT NULL,
	calls     INTEGER NOT NULL DEFAULT 0,
	metered   INTEGER NOT NULL DEFAULT 0,
	throttled INTEGER NOT NULL DEFAULT 0,
	failed    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (month, path)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE ledger;
DROP TABLE checkpoints;
DROP TABLE sync_runs;
DROP TABLE coverage;
DROP TABLE schedules;
DROP TABLE leaves;
DROP TABLE punches;
DROP TABLE checks;
DROP TABLE memberships;
DROP TABLE employees;
DROP TABLE departments;
