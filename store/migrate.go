package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/kaoqin/kaoqin"
)

// Migrations are plain SQL per engine with the same version numbers, so that a database
// written by any kaoqin can be brought up to date on either engine. 00001 holds the org,
// attendance and sync tables; 00002 the accounts, sessions and audit log.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// migrate brings the schema up to version to (0: the latest), and says so on log (if not nil)
// when it upgrades a database that had a schema already. Several processes may open a
// database at once: on PostgreSQL the migration runs under an advisory lock, on SQLite Open
// holds a file lock.
func (db *DB) migrate(ctx context.Context, to int64, log *slog.Logger) (err error) {
	defer wrap(&err, "migrate")
	fsys, err := fs.Sub(migrations, "migrations/"+db.engine)
	if err != nil {
		return err
	}
	// Versions are reserved per line of work and land in any order: a database already past a
	// version that lands later still gets it (each migration stands on its own).
	p, err := goose.NewProvider(db.d.gooseDialect(), db.rw, fsys,
		goose.WithDisableGlobalRegistry(true), goose.WithLogger(goose.NopLogger()), goose.WithAllowOutofOrder(true))
	if err != nil {
		return err
	}
	if db.d.pg {
		c, err := db.rw.Conn(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		lock := conn{q: c, d: db.d}
		const key = "hashtextextended('kaoqin:migrate:' || current_schema(), 0)"
		if _, err := lock.exec(ctx, "SELECT pg_advisory_lock("+key+")"); err != nil {
			return err
		}
		defer lock.exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+key+")")
	}
	current, latest, err := p.GetVersions(ctx)
	if err != nil {
		return err
	}
	if current > latest {
		return kaoqin.Errorf(kaoqin.EINVALID,
			"the database is at schema version %d, newer than this kaoqin knows (%d): run a newer kaoqin", current, latest)
	}
	target := latest
	if to != 0 {
		target = min(to, latest)
	}
	// Only an upgrade is told: not a new database, nor a late migration below current (small).
	upgrade := log != nil && current > 0 && current < target
	start := time.Now()
	if upgrade {
		log.Info("upgrading the database schema: on a large database this takes minutes, do not stop kaoqin",
			"from", current, "to", target)
	}
	if to == 0 {
		_, err = p.Up(ctx)
	} else if to > current {
		_, err = p.UpTo(ctx, to)
	}
	if err != nil {
		return fmt.Errorf("from version %d: %w", current, err)
	}
	if upgrade {
		log.Info("database schema upgraded", "version", target, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// SchemaVersion returns the schema version the database is at.
func (db *DB) SchemaVersion(ctx context.Context) (v int64, err error) {
	defer wrap(&err, "schema version")
	err = db.reader().queryRow(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v)
	return v, err
}
