-- When each check was pulled from DingTalk: a NotSigned check whose time had not come by then
-- is still pending, not missed (see kaoqin.Check.SyncedAt). Rows written before are 0: unknown.

-- +goose Up
ALTER TABLE checks ADD COLUMN synced_at bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE checks DROP COLUMN synced_at;
