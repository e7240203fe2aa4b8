-- Sessions begun before this instant (unix ms) are ended: a changed password logs the account
-- out everywhere (see kaoqin.User.SessionsAfter).

-- +goose Up
ALTER TABLE users ADD COLUMN sessions_after INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN sessions_after;
