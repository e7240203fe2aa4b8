-- The outbox of reminders: one row per message to one recipient, recorded before DingTalk is
-- called and updated after (package notify), so that no reminder is sent twice or skipped
-- across a crash, a restart or a failover. msg_key is what makes a message this one and no
-- other; reminder_people says whom each message is about (a digest lists many).

-- +goose Up
CREATE TABLE reminder_messages (
	id         INTEGER PRIMARY KEY,
	msg_key    TEXT    NOT NULL UNIQUE,
	rule_id    INTEGER NOT NULL DEFAULT 0,
	channel    TEXT    NOT NULL,
	work_date  TEXT    NOT NULL,
	recipient  TEXT    NOT NULL,
	due_at     INTEGER NOT NULL,
	title      TEXT    NOT NULL DEFAULT '',
	text       TEXT    NOT NULL DEFAULT '',
	body       TEXT    NOT NULL DEFAULT '',
	state      TEXT    NOT NULL,
	reason     TEXT    NOT NULL DEFAULT '',
	attempts   INTEGER NOT NULL DEFAULT 0,
	claimed_at INTEGER NOT NULL DEFAULT 0, -- real time, unlike the others (application clock)
	claimed_by TEXT    NOT NULL DEFAULT '',
	task_id    INTEGER NOT NULL DEFAULT 0,
	sent_at    INTEGER NOT NULL DEFAULT 0,
	done_at    INTEGER NOT NULL DEFAULT 0,
	by_name    TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX reminder_messages_day ON reminder_messages (work_date, recipient);
CREATE INDEX reminder_messages_state ON reminder_messages (state, due_at);
CREATE INDEX reminder_messages_claims ON reminder_messages (recipient, claimed_at);

CREATE TABLE reminder_people (
	message_id INTEGER NOT NULL,
	user_id    TEXT    NOT NULL,
	PRIMARY KEY (message_id, user_id)
) WITHOUT ROWID;
CREATE INDEX reminder_people_user ON reminder_people (user_id, message_id);

-- +goose Down
DROP TABLE reminder_people;
DROP TABLE reminder_messages;
