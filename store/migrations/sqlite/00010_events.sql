-- DingTalk's events (Stream and HTTP push): each kept once by its eventId until handled, the
-- month's pushes by kind (the second monthly budget), each instance's link to DingTalk, and the
-- days an event said to fetch again.

-- +goose Up
CREATE TABLE events (
	id          TEXT    PRIMARY KEY,
	type        TEXT    NOT NULL DEFAULT '',
	source      TEXT    NOT NULL DEFAULT '',
	born_at     INTEGER NOT NULL DEFAULT 0,
	received_at INTEGER NOT NULL DEFAULT 0,
	data        TEXT    NOT NULL DEFAULT '',
	status      TEXT    NOT NULL DEFAULT 'pending', -- pending, done, failed
	attempts    INTEGER NOT NULL DEFAULT 0,
	lease_until INTEGER NOT NULL DEFAULT 0, -- a pending event is someone's until then
	done_at     INTEGER NOT NULL DEFAULT 0,
	error       TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX events_pending ON events (lease_until) WHERE status = 'pending';
CREATE INDEX events_received ON events (received_at);

-- The push ledger: deliveries per quota month and event type. counted are the deliveries that
-- count against the push quota (attendance events; contacts events are free), duplicates the
-- deliveries of an event received before.
CREATE TABLE push_ledger (
	month      TEXT    NOT NULL,
	kind       TEXT    NOT NULL,
	pushes     INTEGER NOT NULL DEFAULT 0,
	counted    INTEGER NOT NULL DEFAULT 0,
	duplicates INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (month, kind)
) WITHOUT ROWID;

-- One row: a number that changes whenever an event is handled, for the boards' caches.
CREATE TABLE event_version (
	id      INTEGER PRIMARY KEY,
	version INTEGER NOT NULL DEFAULT 0
);
INSERT INTO event_version (id, version) VALUES (1, 0);

-- Each instance's link to DingTalk's events (its Stream connection, or the HTTP push it takes).
CREATE TABLE event_links (
	instance      TEXT    PRIMARY KEY,
	source        TEXT    NOT NULL DEFAULT '',
	connected     INTEGER NOT NULL DEFAULT 0,
	since         INTEGER NOT NULL DEFAULT 0,
	seen_at       INTEGER NOT NULL DEFAULT 0,
	last_event_at INTEGER NOT NULL DEFAULT 0,
	error         TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- A person's day to fetch again at the next reconciliation (an administrator edited it).
CREATE TABLE refetch (
	user_id   TEXT    NOT NULL,
	day       TEXT    NOT NULL,
	reason    TEXT    NOT NULL DEFAULT '',
	marked_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, day)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE refetch;
DROP TABLE event_links;
DROP TABLE event_version;
DROP TABLE push_ledger;
DROP TABLE events;
