-- Punches with everything listRecord tells about them (place, device, network, the base they
-- were judged against, why DingTalk refused one), when each employee's punches were last
-- pulled (a live reading of a day in progress needs it), and the coverage of the rows pulled
-- apart from the check results (punches, plans), which a company may choose not to pull.
-- Coordinates and accuracies are stored as millionths (of a degree, of a metre): 0 is none.

-- +goose Up
ALTER TABLE punches ADD COLUMN plan_check_time    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN class_id           INTEGER NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN invalid_record_msg TEXT    NOT NULL DEFAULT '';
ALTER TABLE punches ADD COLUMN user_lat_e6        INTEGER NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN user_lng_e6        INTEGER NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN user_accuracy_e6   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN device_sn          TEXT    NOT NULL DEFAULT '';
ALTER TABLE punches ADD COLUMN user_ssid          TEXT    NOT NULL DEFAULT '';
ALTER TABLE punches ADD COLUMN user_mac           TEXT    NOT NULL DEFAULT '';
ALTER TABLE punches ADD COLUMN base_address       TEXT    NOT NULL DEFAULT '';
ALTER TABLE punches ADD COLUMN base_lat_e6        INTEGER NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN base_lng_e6        INTEGER NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN base_accuracy_e6   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN base_ssid          TEXT    NOT NULL DEFAULT '';
ALTER TABLE punches ADD COLUMN base_mac           TEXT    NOT NULL DEFAULT '';

CREATE TABLE punch_pulls (
	user_id   TEXT    NOT NULL,
	work_date TEXT    NOT NULL,
	synced_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (work_date, user_id)
) WITHOUT ROWID;

CREATE TABLE kind_coverage (
	kind      TEXT    NOT NULL,
	day       TEXT    NOT NULL,
	synced_at INTEGER NOT NULL DEFAULT 0,
	closed    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (kind, day)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE kind_coverage;
DROP TABLE punch_pulls;
ALTER TABLE punches DROP COLUMN base_mac;
ALTER TABLE punches DROP COLUMN base_ssid;
ALTER TABLE punches DROP COLUMN base_accuracy_e6;
ALTER TABLE punches DROP COLUMN base_lng_e6;
ALTER TABLE punches DROP COLUMN base_lat_e6;
ALTER TABLE punches DROP COLUMN base_address;
ALTER TABLE punches DROP COLUMN user_mac;
ALTER TABLE punches DROP COLUMN user_ssid;
ALTER TABLE punches DROP COLUMN device_sn;
ALTER TABLE punches DROP COLUMN user_accuracy_e6;
ALTER TABLE punches DROP COLUMN user_lng_e6;
ALTER TABLE punches DROP COLUMN user_lat_e6;
ALTER TABLE punches DROP COLUMN invalid_record_msg;
ALTER TABLE punches DROP COLUMN class_id;
ALTER TABLE punches DROP COLUMN plan_check_time;
