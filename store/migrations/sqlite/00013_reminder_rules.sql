-- Reminder rules and the people who opted out of reminders (package notify), and each
-- department's managers (DingTalk's department leaders), who receive its digests.

-- +goose Up
CREATE TABLE reminder_rules (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL,
	enabled       INTEGER NOT NULL DEFAULT 1,
	channel       TEXT    NOT NULL,
	at            TEXT    NOT NULL DEFAULT '',  -- 'HH:MM', or '' for after_minutes after a shift start
	after_minutes INTEGER NOT NULL DEFAULT 0,
	every_minutes INTEGER NOT NULL DEFAULT 0,
	cap           INTEGER NOT NULL DEFAULT 1,
	userids       TEXT    NOT NULL DEFAULT '[]', -- JSON array
	dept_ids      TEXT    NOT NULL DEFAULT '[]', -- JSON array
	quiet_from    TEXT    NOT NULL DEFAULT '',
	quiet_to      TEXT    NOT NULL DEFAULT '',
	robot_url     TEXT    NOT NULL DEFAULT '',
	robot_secret  TEXT    NOT NULL DEFAULT '',
	note          TEXT    NOT NULL DEFAULT '',
	updated_at    INTEGER NOT NULL DEFAULT 0,
	updated_by    TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE reminder_optouts (
	user_id TEXT    PRIMARY KEY,
	at      INTEGER NOT NULL DEFAULT 0,
	by_name TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;

ALTER TABLE departments ADD COLUMN managers TEXT NOT NULL DEFAULT '[]'; -- JSON array of userids

-- +goose Down
ALTER TABLE departments DROP COLUMN managers;
DROP TABLE reminder_optouts;
DROP TABLE reminder_rules;
