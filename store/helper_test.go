package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/store/storetest"
)

// postgresEnv names the PostgreSQL server the suite also runs on; scripts/test.sh sets it.
// testNow is the default clock of test databases: 2026-11-18 09:00 in Shanghai.
var testNow = time.Date(2026, 11, 18, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// forEachEngine runs fn on a fresh, migrated database of each engine: SQLite in a temporary
// directory, and PostgreSQL in a schema of its own on the server KAOQIN_TEST_POSTGRES_DSN names
// (skipped, saying how to run it, when that is unset). The clock is testNow unless opts say
// otherwise.
func forEachEngine(t *testing.T, fn func(t *testing.T, db *store.DB), opts ...store.Option) {
	t.Helper()
	forEachDSN(t, func(t *testing.T, dsn string) {
		fn(t, mustOpen(t, dsn, opts...))
	})
}

// forEachDSN runs fn with the DSN of a fresh, empty database of each engine.
func forEachDSN(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, filepath.Join(t.TempDir(), "kaoqin.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, postgresDSN(t))
	})
}

// mustOpen opens dsn with the test clock and closes it at the end of the test.
func mustOpen(tb testing.TB, dsn string, opts ...store.Option) *store.DB {
	tb.Helper()
	opts = append([]store.Option{store.WithNow(func() time.Time { return testNow })}, opts...)
	db, err := store.Open(context.Background(), dsn, opts...)
	if err != nil {
		tb.Fatalf("open a test database: %v", err) // not the DSN: it has a password
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return db
}

// postgresDSN is a schema of the test's own on KAOQIN_TEST_POSTGRES_DSN's server; the test
// is skipped when that is not set.
func postgresDSN(tb testing.TB) string { return storetest.PostgresDSN(tb, "kaoqin_test") }

// wantCode fails the test unless err carries the application error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := kaoqin.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

// must fails the test on err.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// clock is a settable clock for the tests that need time to move.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
