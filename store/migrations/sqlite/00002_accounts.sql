-- Local accounts of the dashboard, their sessions and the audit log.

-- +goose Up
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL UNIQUE,
	role          TEXT    NOT NULL,
	dept_ids      TEXT    NOT NULL DEFAULT 'null', -- JSON array of department ids
	password_hash TEXT    NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL DEFAULT 0
);

-- In the shape of scs.Store: data is opaque; expiry is unix ms.
CREATE TABLE sessions (
	token  TEXT    PRIMARY KEY,
	data   BLOB    NOT NULL,
	expiry INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_expiry ON sessions (expiry);

CREATE TABLE audit (
	id        INTEGER PRIMARY KEY,
	at        INTEGER NOT NULL,
	user_name TEXT    NOT NULL DEFAULT '',
	action    TEXT    NOT NULL DEFAULT '',
	target    TEXT    NOT NULL DEFAULT '',
	ip        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit (at);

-- +goose Down
DROP TABLE audit;
DROP TABLE sessions;
DROP TABLE users;
