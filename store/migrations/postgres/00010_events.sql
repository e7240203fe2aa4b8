-- DingTalk's events (Stream and HTTP push): each kept once by its eventId until handled, the
-- month's pushes by kind (the second monthly budget), each instance's link to DingTalk, and the
-- days an event said to fetch again.

-- +goose Up
CREATE TABLE events (
	id          text COLLATE "C" PRIMARY KEY,
	type        text   NOT NULL DEFAULT '',
	source      text   NOT NULL DEFAULT '',
	born_at     bigint NOT NULL DEFAULT 0,
	received_at bigint NOT NULL DEFAULT 0,
	data        text   NOT NULL DEFAULT '',
	status      text   NOT NULL DEFAULT 'pending', -- pending, done, failed
	attempts    bigint NOT NULL DEFAULT 0,
	lease_until bigint NOT NULL DEFAULT 0, -- a pending event is someone's until then
	done_at     bigint NOT NULL DEFAULT 0,
	error       text   NOT NULL DEFAULT ''
);
CREATE INDEX events_pending ON events (lease_until) WHERE status = 'pending';
CREATE INDEX events_received ON events (received_at);

-- The push ledger: deliveries per quota month and event type. counted are the deliveries that
-- count against the push quota (attendance events; contacts events are free), duplicates the
-- deliveries of an event received before.
CREATE TABLE push_ledger (
	month      text COLLATE "C" NOT NULL,
	kind       text COLLATE "C" NOT NULL,
	pushes     bigint NOT NULL DEFAULT 0,
	counted    bigint NOT NULL DEFAULT 0,
	duplicates bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (month, kind)
);

-- One row: a number that changes whenever an event is handled, for the boards' caches.
CREATE TABLE event_version (
	id      bigint PRIMARY KEY,
	version bigint NOT NULL DEFAULT 0
);
INSERT INTO event_version (id, version) VALUES (1, 0);

-- Each instance's link to DingTalk's events (its Stream connection, or the HTTP push it takes).
CREATE TABLE event_links (
	instance      text COLLATE "C" PRIMARY KEY,
	source        text   NOT NULL DEFAULT '',
	connected     boolean NOT NULL DEFAULT false,
	since         bigint NOT NULL DEFAULT 0,
	seen_at       bigint NOT NULL DEFAULT 0,
	last_event_at bigint NOT NULL DEFAULT 0,
	error         text   NOT NULL DEFAULT ''
);

-- A person's day to fetch again at the next reconciliation (an administrator edited it).
CREATE TABLE refetch (
	user_id   text COLLATE "C" NOT NULL,
	day       text COLLATE "C" NOT NULL,
	reason    text   NOT NULL DEFAULT '',
	marked_at bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, day)
);

-- +goose Down
DROP TABLE refetch;
DROP TABLE event_links;
DROP TABLE event_version;
DROP TABLE push_ledger;
DROP TABLE events;
