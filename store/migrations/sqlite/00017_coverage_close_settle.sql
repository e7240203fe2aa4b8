-- When a day becomes final and when its last pull is due (kaoqin.DayCoverage): a night
-- shift's day closes the next morning, after its check-out; a final day is pulled once more at
-- an age, for the corrections made after it. Days covered before are taken as settled: they
-- were final under the old rule and are not pulled again unasked.

-- +goose Up
ALTER TABLE coverage ADD COLUMN last_check_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE coverage ADD COLUMN closes_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE coverage ADD COLUMN settles_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE coverage ADD COLUMN settled INTEGER NOT NULL DEFAULT 0;
UPDATE coverage SET settled = closed;
ALTER TABLE kind_coverage ADD COLUMN last_check_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kind_coverage ADD COLUMN closes_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kind_coverage ADD COLUMN settles_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kind_coverage ADD COLUMN settled INTEGER NOT NULL DEFAULT 0;
UPDATE kind_coverage SET settled = closed;

-- +goose Down
ALTER TABLE kind_coverage DROP COLUMN settled;
ALTER TABLE kind_coverage DROP COLUMN settles_at;
ALTER TABLE kind_coverage DROP COLUMN closes_at;
ALTER TABLE kind_coverage DROP COLUMN last_check_at;
ALTER TABLE coverage DROP COLUMN settled;
ALTER TABLE coverage DROP COLUMN settles_at;
ALTER TABLE coverage DROP COLUMN closes_at;
ALTER TABLE coverage DROP COLUMN last_check_at;
