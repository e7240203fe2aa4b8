package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

func TestOpen_Engine(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		want := store.EngineSQLite
		if strings.HasSuffix(t.Name(), "postgres") {
			want = store.EnginePostgres
		}
		if got := db.Engine(); got != want {
			t.Errorf("Engine() = %q, want %q", got, want)
		}
		v, err := db.SchemaVersion(context.Background())
		must(t, err)
		if latest := store.LatestSchemaVersion(db.Engine()); v != latest {
			t.Errorf("SchemaVersion() = %d, want %d", v, latest)
		}
	})
}

func TestOpen_Memory(t *testing.T) {
	db := mustOpen(t, "sqlite::memory:")
	ctx := context.Background()
	_, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Checks: []kaoqin.Check{check(1, "u1", "2026-11-16", 1)}})
	must(t, err)
	got, err := db.Checks(ctx, kaoqin.Filter{})
	must(t, err)
	if len(got) != 1 {
		t.Errorf("got %d checks from :memory:, want 1", len(got))
	}
	// Another :memory: database is another database.
	other := mustOpen(t, ":memory:")
	got, err = other.Checks(ctx, kaoqin.Filter{})
	must(t, err)
	if len(got) != 0 {
		t.Errorf("a second :memory: database has %d checks", len(got))
	}
}

// TestOpen_SQLiteReadersMapTheFile: the readers read pages from the kernel's page cache in
// place (the daily report of 100,000 people spent 15% of its CPU copying them in with pread).
func TestOpen_SQLiteReadersMapTheFile(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "kaoqin.db"))
	got, err := store.ReaderPragma(context.Background(), db, "mmap_size")
	must(t, err)
	if got != store.ReaderMmapSize {
		t.Errorf("a reader's mmap_size is %d, want %d", got, store.ReaderMmapSize)
	}
}

// TestOpen_UnknownScheme refuses with one line that names the scheme, and writes nothing.
func TestOpen_UnknownScheme(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, dsn := range []string{"mysql://root:hunter2@localhost/kaoqin.db", "sqlite3://kaoqin.db", "file:///kaoqin.db"} {
		_, err := store.Open(context.Background(), dsn)
		wantCode(t, err, kaoqin.EINVALID)
		msg := kaoqin.ErrorMessage(err)
		if !strings.Contains(msg, "unknown database scheme") || strings.Contains(msg, "hunter2") || strings.Contains(msg, "\n") {
			t.Errorf("Open(%q): %q", dsn, msg)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused DSNs left files behind: %v", entries)
	}
}

// TestOpen_PostgresUnreachable says which host it tried, and never the password.
func TestOpen_PostgresUnreachable(t *testing.T) {
	for _, dsn := range []string{
		"postgres://kaoqin:hunter2@127.0.0.1:1/kaoqin?connect_timeout=5",
		"postgresql://kaoqin:hunter%32@127.0.0.1:1/kaoqin?connect_timeout=5",
	} {
		_, err := store.Open(context.Background(), dsn)
		wantCode(t, err, kaoqin.EUNAVAILABLE)
		msg := err.Error()
		if !strings.Contains(msg, "127.0.0.1:1") || strings.Contains(msg, "hunter") || strings.Contains(msg, "\n") {
			t.Errorf("Open(%q): %q", dsn, msg)
		}
	}
}

func TestOpen_PostgresWrongPassword(t *testing.T) {
	u, err := url.Parse(postgresDSN(t))
	must(t, err)
	u.User = url.UserPassword(u.User.Username(), "wrong-hunter2")
	_, err = store.Open(context.Background(), u.String())
	wantCode(t, err, kaoqin.EUNAVAILABLE)
	if msg := err.Error(); strings.Contains(msg, "hunter2") || !strings.Contains(msg, u.Host) {
		t.Errorf("wrong password: %q", msg)
	}
}

func TestOpen_PostgresBadURL(t *testing.T) {
	_, err := store.Open(context.Background(), "postgres://kaoqin:hunter2@db:notaport/kaoqin")
	wantCode(t, err, kaoqin.EINVALID)
	if msg := err.Error(); strings.Contains(msg, "hunter2") || !strings.Contains(msg, "KAOQIN_DB") {
		t.Errorf("bad URL: %q", msg)
	}
}

func TestOpen_SQLiteUnopenable(t *testing.T) {
	_, err := store.Open(context.Background(), t.TempDir()+"/no/such/dir/kaoqin.db")
	wantCode(t, err, kaoqin.EUNAVAILABLE)
}

func TestOpen_NotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	content := []byte("not a database, and not to be written to\n")
	must(t, os.WriteFile(path, content, 0o644))
	_, err := store.Open(context.Background(), path)
	wantCode(t, err, kaoqin.EINVALID)
	if got, _ := os.ReadFile(path); string(got) != string(content) {
		t.Errorf("Open changed a file that is not a database: %q", got)
	}
}

// TestOpen_Concurrently opens a new database from several instances at once: one creates the
// tables, the others find them.
func TestOpen_Concurrently(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		var wg sync.WaitGroup
		errs := make(chan error, 6)
		for range 6 {
			wg.Go(func() {
				db, err := store.Open(context.Background(), dsn)
				if err == nil {
					db.Close()
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
	})
}

// TestOpen_AppliesALateMigration: version numbers are handed out to pieces of work done side
// by side, so a database can be at the latest version without one below it (8, accounts
// disabled and the settings), which lands later: Open applies it instead of refusing.
func TestOpen_AppliesALateMigration(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		must(t, mustOpen(t, dsn).Close())
		driver := "sqlite"
		if strings.HasPrefix(dsn, "postgres") {
			driver = "pgx"
		}
		sdb, err := sql.Open(driver, dsn)
		must(t, err)
		for _, q := range []string{"DROP TABLE settings", "ALTER TABLE users DROP COLUMN disabled",
			"DELETE FROM goose_db_version WHERE version_id = 8"} {
			_, err = sdb.ExecContext(ctx, q)
			must(t, err)
		}
		must(t, sdb.Close())
		db := mustOpen(t, dsn)
		must(t, db.SaveSetting(ctx, "payroll_start_day", "26"))
		must(t, db.CreateUser(ctx, &kaoqin.User{Name: "x", Role: kaoqin.RoleHR, Disabled: true}))
	})
}

// TestOpen_MigratesOlderDatabase opens a database an older kaoqin left at schema version 1,
// with data in it: Open brings it to the latest version, says so on its log, and the data
// stays. Creating a database, or opening one up to date, logs nothing.
func TestOpen_MigratesOlderDatabase(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		var logged strings.Builder
		log := slog.New(slog.NewTextHandler(&logged, nil))
		old := mustOpen(t, dsn, store.WithSchemaVersion(1), store.WithLogger(log))
		if logged.Len() > 0 {
			t.Errorf("creating a database logged %q", logged.String())
		}
		v, err := old.SchemaVersion(ctx)
		must(t, err)
		if v != 1 {
			t.Fatalf("built a database at version %d, want 1", v)
		}
		// The org chart as version 1 stored it: today's SaveOrg writes columns added since.
		driver := "sqlite"
		if strings.HasPrefix(dsn, "postgres") {
			driver = "pgx"
		}
		sdb, err := sql.Open(driver, dsn)
		must(t, err)
		for _, q := range []string{
			"INSERT INTO departments (id, parent_id, name) VALUES (1, 0, '公司')",
			"INSERT INTO employees (user_id, name) VALUES ('alice', 'Alice')",
			"INSERT INTO memberships (user_id, dept_id, from_day, to_day) VALUES ('alice', 1, '', '')",
		} {
			_, err = sdb.ExecContext(ctx, q)
			must(t, err)
		}
		must(t, sdb.Close())
		_, err = old.SaveChecks(ctx, kaoqin.CheckBatch{Checks: []kaoqin.Check{check(7, "alice", "2026-11-02", 1)}, Checkpoint: "cp"})
		must(t, err)
		must(t, old.RecordCall(ctx, kaoqin.Call{Month: "2026-11", Path: "/attendance/list", Metered: true}))
		must(t, old.Close())

		db := mustOpen(t, dsn, store.WithLogger(log))
		v, err = db.SchemaVersion(ctx)
		must(t, err)
		latest := store.LatestSchemaVersion(db.Engine())
		if v != latest {
			t.Errorf("after Open: version %d, want %d", v, latest)
		}
		want := []string{fmt.Sprintf("upgrading the database schema: on a large database this takes minutes, do not stop kaoqin\" from=1 to=%d", latest),
			fmt.Sprintf("database schema upgraded\" version=%d took=", latest)}
		for _, w := range want {
			if !strings.Contains(logged.String(), w) {
				t.Errorf("the upgrade's log %q lacks %q", logged.String(), w)
			}
		}
		logged.Reset()
		mustOpen(t, dsn, store.WithLogger(log)).Close()
		if logged.Len() > 0 {
			t.Errorf("opening a database up to date logged %q", logged.String())
		}
		emps, err := db.Employees(ctx)
		must(t, err)
		checks, err := db.Checks(ctx, kaoqin.Filter{})
		must(t, err)
		l, err := db.Ledger(ctx, "2026-11")
		must(t, err)
		if len(emps) != 1 || len(emps[0].DeptIDs) != 1 || len(checks) != 1 || checks[0].ID != 7 || checks[0].SyncedAt != 0 || l.Metered != 1 {
			t.Errorf("data lost in the migration: employees %+v, checks %+v, ledger %+v", emps, checks, l)
		}
		// Version 2's tables are there.
		must(t, db.CreateUser(ctx, &kaoqin.User{Name: "admin", Role: kaoqin.RoleAdmin}))
	})
}

// Both engines have the same migrations, version for version.
func TestMigrations_SameVersions(t *testing.T) {
	if a, b := store.LatestSchemaVersion("sqlite"), store.LatestSchemaVersion("postgres"); a != b || a < 5 {
		t.Errorf("latest migration: sqlite %d, postgres %d; want the same, at least 5", a, b)
	}
}

// TestOpen_NewerDatabase refuses a database a newer kaoqin migrated past what this one knows.
func TestOpen_NewerDatabase(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		mustOpen(t, dsn).Close()
		driver, raw := "sqlite", dsn
		if strings.HasPrefix(dsn, "postgres") {
			driver = "pgx"
		}
		sdb, err := sql.Open(driver, raw)
		must(t, err)
		defer sdb.Close()
		_, err = sdb.ExecContext(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (99, TRUE)")
		must(t, err)
		_, err = store.Open(ctx, dsn)
		wantCode(t, err, kaoqin.EINVALID)
		if msg := kaoqin.ErrorMessage(err); !strings.Contains(msg, "99") {
			t.Errorf("message %q does not name the version", msg)
		}
	})
}

func TestOpen_MustExist(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing.db")
	_, err := store.Open(context.Background(), path, store.MustExist())
	if kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND || !strings.Contains(kaoqin.ErrorMessage(err), "kaoqin sync") {
		t.Fatalf("Open(missing, MustExist) = %v, want ENOTFOUND telling to sync", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("MustExist created %s", path)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = store.Open(context.Background(), path, store.MustExist())
	if err != nil {
		t.Fatalf("MustExist refused an existing database: %v", err)
	}
	db.Close()
}

// TestOpen_PostgresShortPassword is issue 15's item 8: the password was masked by replacing
// its text everywhere in the message, which garbled other words ("dixxxxxl tcp") and so told
// that the password is "a". The message shows the URL with its password field masked, and
// the driver's words as they are.
func TestOpen_PostgresShortPassword(t *testing.T) {
	_, err := store.Open(context.Background(), "postgres://kaoqin:a@127.0.0.1:1/kaoqin?connect_timeout=5")
	wantCode(t, err, kaoqin.EUNAVAILABLE)
	if msg := kaoqin.ErrorMessage(err); !strings.Contains(msg, "dial tcp") || !strings.Contains(msg, "connection refused") || strings.Contains(msg, "xxxxx") {
		t.Errorf("unreachable, password a: %q", msg)
	}
	for _, dsn := range []string{
		"postgres://kaoqin:e@db:notaport/kaoqin",
		"postgres://kaoqin:hunter2@db:notaport/kaoqin?sslpassword=hunter3",
		"postgres://kaoqin:p%zz@db/kaoqin",
		"postgres://kaoqin@db:notaport/kaoqin?password=hunter2",
	} {
		_, err := store.Open(context.Background(), dsn)
		wantCode(t, err, kaoqin.EINVALID)
		msg := kaoqin.ErrorMessage(err)
		for _, leak := range []string{"hunter", "p%zz", ":e@"} {
			if strings.Contains(msg, leak) {
				t.Errorf("Open(%q) shows %q: %q", dsn, leak, msg)
			}
		}
		if !strings.Contains(msg, "KAOQIN_DB") || !strings.Contains(msg, "postgres://user:password@host:port/database") || strings.Contains(msg, "\n") {
			t.Errorf("Open(%q): %q", dsn, msg)
		}
		if strings.Contains(dsn, "notaport") && !strings.Contains(msg, "invalid port") {
			t.Errorf("Open(%q) does not say what is wrong: %q", dsn, msg)
		}
	}
}
