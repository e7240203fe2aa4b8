// Package storetest gives tests and benchmarks a PostgreSQL database of their own: a fresh
// schema on the server KAOQIN_TEST_POSTGRES_DSN names (scripts/test.sh starts one with
// pg_virtualenv), dropped afterwards. A schema per test is far quicker than a database per test.
package storetest

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// EnvDSN names the PostgreSQL server tests may use.
const EnvDSN = "KAOQIN_TEST_POSTGRES_DSN"

// HowToRun is what a skipped PostgreSQL test says.
const HowToRun = EnvDSN + " is not set: skipping PostgreSQL. Run scripts/test.sh, or: " +
	`pg_virtualenv -- sh -c 'KAOQIN_TEST_POSTGRES_DSN="postgres://$PGUSER:$PGPASSWORD@$PGHOST:${PGPORT:-5432}/postgres?sslmode=disable" go test ./...'`

var (
	mu     sync.Mutex
	admins = map[string]*sql.DB{} // by base DSN: one pool for all the schemas of a process
	serial atomic.Int64
)

// NewSchema creates a schema named prefix_<pid>_<n> on base's server and returns a DSN whose
// search_path is that schema, and a function that drops it.
func NewSchema(base, prefix string) (dsn string, drop func() error, err error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", EnvDSN, err)
	}
	admin, err := adminFor(base)
	if err != nil {
		return "", nil, err
	}
	schema := fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), serial.Add(1))
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		return "", nil, fmt.Errorf("create schema %s: %w", schema, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop = func() error {
		_, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		return err
	}
	return u.String(), drop, nil
}

// PostgresDSN is NewSchema for a test: it skips the test when EnvDSN is not set, fails it when
// the server cannot be reached, and drops the schema when the test ends.
func PostgresDSN(tb testing.TB, prefix string) string {
	tb.Helper()
	base := os.Getenv(EnvDSN)
	if base == "" {
		tb.Skip(HowToRun)
	}
	dsn, drop, err := NewSchema(base, prefix)
	if err != nil {
		tb.Fatalf("%s: %v", EnvDSN, err)
	}
	tb.Cleanup(func() {
		if err := drop(); err != nil {
			tb.Errorf("drop schema: %v", err)
		}
	})
	return dsn
}

func adminFor(base string) (*sql.DB, error) {
	mu.Lock()
	defer mu.Unlock()
	if db, ok := admins[base]; ok {
		return db, nil
	}
	db, err := sql.Open("pgx", base)
	if err == nil {
		err = db.Ping()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvDSN, err)
	}
	admins[base] = db
	return db, nil
}
