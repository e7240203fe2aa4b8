-- The reports read a day of the whole company at once: at 100,000 people, 200,000 checks,
-- plans and punches each. Through an index of (work_date, userid, time, id) each row was then
-- fetched from its table, and the syncs write a day's rows chunk by chunk (50 people, a week),
-- so those fetches jump across the table's pages; the planner sorted a sequential scan
-- instead. These indexes carry every column the reports read (store's BriefChecks, Schedules
-- and BriefPunches), in the order they read them: a day whose pages are vacuumed is read by
-- an index-only scan. Each pull rewrites today's rows, and PostgreSQL reads a row from its table
-- again until a vacuum marks its page visible to all. By default autovacuum waits until a fifth
-- of the table has changed: in a year of a 100,000-person company (80 million checks), some 70
-- pulls of today. These tables are vacuumed after a hundredth instead (a few pulls): a vacuum
-- skips the pages already visible to all, so it costs little more than a pass over the
-- indexes.

-- +goose Up
-- The new indexes are built beside the old ones first, while the tables can still be read (a
-- build blocks only writes); dropping an index locks its table against reads too, until the
-- migration commits, so the drops come last.
CREATE INDEX checks_day_v18 ON checks (work_date, user_id, base_check_time, id)
	INCLUDE (check_type, time_result, location_result, user_check_time, plan_id, approve_id, proc_inst_id, synced_at);
CREATE INDEX schedules_day_v18 ON schedules (work_date, user_id, plan_check_time, plan_id)
	INCLUDE (check_type, group_id, shift_id, is_rest, approve_id);
CREATE INDEX punches_day_v18 ON punches (work_date, user_id, user_check_time, id)
	INCLUDE (check_type, location_result, source_type, plan_id, invalid_record_type);
DROP INDEX checks_day;
ALTER INDEX checks_day_v18 RENAME TO checks_day;
DROP INDEX schedules_day;
ALTER INDEX schedules_day_v18 RENAME TO schedules_day;
DROP INDEX punches_day;
ALTER INDEX punches_day_v18 RENAME TO punches_day;
ALTER TABLE checks SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01);
ALTER TABLE schedules SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01);
ALTER TABLE punches SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01);

-- +goose Down
ALTER TABLE punches RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor);
ALTER TABLE schedules RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor);
ALTER TABLE checks RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor);
DROP INDEX punches_day;
CREATE INDEX punches_day ON punches (work_date, user_id, user_check_time, id);
DROP INDEX schedules_day;
CREATE INDEX schedules_day ON schedules (work_date, user_id, plan_check_time, plan_id);
DROP INDEX checks_day;
CREATE INDEX checks_day ON checks (work_date, user_id, base_check_time, id);
