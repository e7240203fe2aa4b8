-- An admin can disable an account from the dashboard (its sessions end, its logins are
-- refused) instead of deleting it, so that the audit log keeps naming who did what; and the
-- dashboard keeps its settings (the pay cycle's first day) in the database, where every
-- instance reads the same.

-- +goose Up
ALTER TABLE users ADD COLUMN disabled boolean NOT NULL DEFAULT false;

CREATE TABLE settings (
	key        text COLLATE "C" PRIMARY KEY,
	value      text COLLATE "C" NOT NULL,
	updated_at bigint           NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE settings;
ALTER TABLE users DROP COLUMN disabled;
