package store

import (
	"context"
	"io/fs"
	"strconv"
	"strings"
)

// WithSchemaVersion stops the migrations at version v, to build a database as an older kaoqin
// left it.
func WithSchemaVersion(v int64) Option {
	return func(o *options) { o.version = v }
}

// LatestSchemaVersion is the highest version of the embedded migrations of engine ("sqlite" or
// "postgres"), read from their file names, so that the tests need no change when one is added.
func LatestSchemaVersion(engine string) int64 {
	names, err := fs.Glob(migrations, "migrations/"+engine+"/*.sql")
	if err != nil {
		panic(err)
	}
	var latest int64
	for _, n := range names {
		base := n[strings.LastIndex(n, "/")+1:]
		v, err := strconv.ParseInt(base[:strings.Index(base, "_")], 10, 64)
		if err != nil {
			panic("store: migration without a version: " + n)
		}
		latest = max(latest, v)
	}
	return latest
}

// ReaderPragma reads a PRAGMA's value on a connection of db's readers.
func ReaderPragma(ctx context.Context, db *DB, name string) (v int64, err error) {
	err = db.ro.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, err
}

// ReaderMmapSize is how much of a SQLite file its readers map.
const ReaderMmapSize = readerMmapSize
