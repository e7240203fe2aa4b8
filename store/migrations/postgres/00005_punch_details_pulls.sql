-- Punches with everything listRecord tells about them (place, device, network, the base they
-- were judged against, why DingTalk refused one), when each employee's punches were last
-- pulled (a live reading of a day in progress needs it), and the coverage of the rows pulled
-- apart from the check results (punches, plans), which a company may choose not to pull.
-- Coordinates and accuracies are stored as millionths (of a degree, of a metre): 0 is none.

-- +goose Up
ALTER TABLE punches ADD COLUMN plan_check_time    bigint NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN class_id           bigint NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN invalid_record_msg text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE punches ADD COLUMN user_lat_e6        bigint NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN user_lng_e6        bigint NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN user_accuracy_e6   bigint NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN device_sn          text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE punches ADD COLUMN user_ssid          text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE punches ADD COLUMN user_mac           text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE punches ADD COLUMN base_address       text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE punches ADD COLUMN base_lat_e6        bigint NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN base_lng_e6        bigint NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN base_accuracy_e6   bigint NOT NULL DEFAULT 0;
ALTER TABLE punches ADD COLUMN base_ssid          text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE punches ADD COLUMN base_mac           text COLLATE "C" NOT NULL DEFAULT '';

CREATE TABLE punch_pulls (
	user_id   text COLLATE "C" NOT NULL,
	work_date text COLLATE "C" NOT NULL,
	synced_at bigint           NOT NULL DEFAULT 0,
	PRIMARY KEY (work_date, user_id)
);

CREATE TABLE kind_coverage (
	kind      text COLLATE "C" NOT NULL,
	day       text COLLATE "C" NOT NULL,
	synced_at bigint           NOT NULL DEFAULT 0,
	closed    boolean          NOT NULL DEFAULT false,
	PRIMARY KEY (kind, day)
);

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
