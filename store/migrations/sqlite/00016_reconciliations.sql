-- Reconciliations of kaoqin's period report with DingTalk's own report (package reconcile):
-- what was asked, how it went, what it cost, and what it found (result: JSON).

-- +goose Up
CREATE TABLE reconciliations (
	id          INTEGER PRIMARY KEY,
	created_at  INTEGER NOT NULL,
	finished_at INTEGER NOT NULL DEFAULT 0,
	by_name     TEXT    NOT NULL DEFAULT '',
	from_date   TEXT    NOT NULL,
	to_date     TEXT    NOT NULL,
	dept_ids    TEXT    NOT NULL DEFAULT '[]', -- JSON array
	sample      INTEGER NOT NULL DEFAULT 0,
	status      TEXT    NOT NULL,
	error       TEXT    NOT NULL DEFAULT '',
	people      INTEGER NOT NULL DEFAULT 0,
	differences INTEGER NOT NULL DEFAULT 0,
	calls       INTEGER NOT NULL DEFAULT 0,
	metered     INTEGER NOT NULL DEFAULT 0,
	result      TEXT    NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE reconciliations;
