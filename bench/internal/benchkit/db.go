package benchkit

import (
	"context"
	"os"
	"path/filepath"

	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/store/storetest"
)

// DB is a fresh database for a benchmark.
type DB struct {
	*store.DB
	// DSN is what KAOQIN_DB would say to reach it (a kaoqin process can open it too).
	DSN string
	// Name is the engine's name for the figures: SQLite or PostgreSQL.
	Name  string
	clean func()
}

// OpenDB opens a fresh database: a SQLite file in a temporary folder when server is "", or a
// new schema on the PostgreSQL server server names (a postgres:// URL), dropped by Close.
func OpenDB(ctx context.Context, server string, opts ...store.Option) (*DB, error) {
	return OpenDBKept(ctx, server, "", opts...)
}

// OpenDBKept is OpenDB, but with keep (not "") the database stays, to be profiled or looked
// at afterwards: a SQLite file in the folder keep, or the PostgreSQL schema.
func OpenDBKept(ctx context.Context, server, keep string, opts ...store.Option) (*DB, error) {
	db := &DB{}
	switch {
	case server == "" && keep != "":
		if err := os.MkdirAll(keep, 0o755); err != nil {
			return nil, err
		}
		f, err := os.CreateTemp(keep, "kaoqin-*.db")
		if err != nil {
			return nil, err
		}
		f.Close()
		os.Remove(f.Name())
		db.DSN, db.Name, db.clean = f.Name(), "SQLite", func() {}
	case server == "":
		dir, err := os.MkdirTemp("", "kaoqin-bench-")
		if err != nil {
			return nil, err
		}
		db.DSN, db.Name, db.clean = filepath.Join(dir, "kaoqin.db"), "SQLite", func() { os.RemoveAll(dir) }
	default:
		dsn, drop, err := storetest.NewSchema(server, "kaoqin_bench")
		if err != nil {
			return nil, err
		}
		db.DSN, db.Name, db.clean = dsn, "PostgreSQL", func() { drop() }
		if keep != "" {
			db.clean = func() {}
		}
	}
	var err error
	if db.DB, err = store.Open(ctx, db.DSN, opts...); err != nil {
		db.clean()
		return nil, err
	}
	return db, nil
}

// Close closes the database and removes it.
func (db *DB) Close() error {
	err := db.DB.Close()
	db.clean()
	return err
}
