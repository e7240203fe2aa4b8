// Package store keeps kaoqin's data in SQLite (the default: one file, nothing to set up) or
// PostgreSQL (when several instances share the work), with the same behaviour on both. It
// implements kaoqin.OrgStore, kaoqin.AttendanceStore, kaoqin.SyncStore and kaoqin.UserStore.
//
//	db, err := store.Open(ctx, cfg.DB) // KAOQIN_DB: "kaoqin.db", "sqlite:/var/lib/kaoqin.db", "postgres://..."
//	if err != nil {
//		return err // a *kaoqin.Error: EINVALID for a bad KAOQIN_DB, EUNAVAILABLE if unreachable
//	}
//	defer db.Close()
//
//	rows, err := db.SaveChecks(ctx, kaoqin.CheckBatch{
//		Scope:      kaoqin.Scope{UserIDs: chunkUsers, From: "2026-11-16", To: "2026-11-22"},
//		Checks:     checks, // everything DingTalk returned for the scope
//		Checkpoint: "checks:2026-11-16:3",
//	})
//
// Open migrates the database to the latest schema (embedded goose migrations, one set per
// engine with the same versions), so a database written by an older kaoqin just works.
//
// Conventions: instants are unix milliseconds, work dates "YYYY-MM-DD" text. Every batch
// (SaveChecks, SaveLeaves, SavePunches, SaveSchedules) replaces what the store holds for its
// scope in one transaction, upserting by DingTalk's ids and recording its checkpoint, so a sync
// can be killed anywhere and rerun; rerunning a batch writes nothing. SaveOrg keeps the org's
// history as memberships with the dates they held.
//
// SQLite runs in WAL mode with one writer connection: writers from many goroutines queue in
// Go instead of failing with SQLITE_BUSY, while readers read from a pool of their own.
// PostgreSQL runs through pgx's database/sql driver, bulk writes as one statement over arrays
// (unnest), and TryLock takes session-level advisory locks, so that one instance of several
// runs the scheduled work.
//
// The reports' reads of a whole day or month (Brief*, Schedules, PunchPulls, MembershipsOf)
// read only the columns the reports use, and go around database/sql (readMany): each row's
// values come from the driver itself, on PostgreSQL from pgx as they came over the wire, and
// are converted by hand. A day of 100,000 people is millions of values; database/sql's locks,
// reflection and one allocation per value cost more than reading them. The day indexes of
// checks, plans and punches carry those columns (migration 18), so that a day is read from
// the index alone rather than row by row from tables the syncs wrote a week at a time.
package store
