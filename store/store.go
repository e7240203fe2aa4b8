package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/kaoqin/kaoqin"
)

var (
	_ kaoqin.OrgStore        = (*DB)(nil)
	_ kaoqin.AttendanceStore = (*DB)(nil)
	_ kaoqin.SyncStore       = (*DB)(nil)
	_ kaoqin.UserStore       = (*DB)(nil)
)

// DB is kaoqin's database, on SQLite or PostgreSQL. It is safe for concurrent use.
type DB struct {
	engine string
	d      dialect
	// rw takes the writes. On SQLite it is a single connection, so that writers from many
	// goroutines queue in Go instead of failing with SQLITE_BUSY; on PostgreSQL it is the pool.
	rw *sql.DB
	// ro takes the reads: a pool of read-only connections on SQLite (WAL lets them read while
	// the writer writes), rw itself on PostgreSQL and for :memory:.
	ro  *sql.DB
	now func() time.Time
	// stmts are the bulk statements prepared on SQLite's writer (see prepareBulk).
	stmts map[string]*sql.Stmt

	path   string // SQLite file; "" for :memory: and PostgreSQL
	locks  *memLocks
	closed sync.Once
}

// Option configures Open.
type Option func(*options)

type options struct {
	now       func() time.Time
	mustExist bool
	version   int64 // migrate up to this version only; 0 = the latest (tests)
	poolMax   int
	log       *slog.Logger
}

// WithNow sets the clock the store reads for the times it stamps itself: checkpoint done
// times, session expiry, default run start and audit times.
func WithNow(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// MustExist makes Open refuse to create a new SQLite file: commands that only read (reports)
// must not leave an empty database behind a mistyped KAOQIN_DB, and should say so instead.
func MustExist() Option {
	return func(o *options) { o.mustExist = true }
}

// WithMaxConns caps the connections to PostgreSQL (default 16). SQLite always has one writer.
func WithMaxConns(n int) Option {
	return func(o *options) { o.poolMax = n }
}

// WithLogger logs to log when Open upgrades an existing database's schema: some upgrades
// rebuild indexes, which takes minutes on a large database, and a server that starts
// silently for minutes looks hung.
func WithLogger(log *slog.Logger) Option {
	return func(o *options) { o.log = log }
}

// Open opens the database dsn names (KAOQIN_DB, see spec/cli.md) and migrates it to the
// latest schema: a file path, sqlite:PATH or :memory: for SQLite; postgres://... or
// postgresql://... for PostgreSQL. Any other scheme is refused before anything is touched.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	o := options{now: time.Now, poolMax: 16}
	for _, opt := range opts {
		opt(&o)
	}
	t, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	db := &DB{engine: t.engine, d: dialect{pg: t.engine == EnginePostgres}, now: o.now, locks: newMemLocks()}
	if t.path != "" {
		if db.path, err = filepath.Abs(t.path); err != nil {
			return nil, kaoqin.Errorf(kaoqin.EINVALID, "bad SQLite path %q in KAOQIN_DB: %v", t.path, err)
		}
		if _, err := os.Stat(db.path); o.mustExist && errors.Is(err, fs.ErrNotExist) {
			return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "no database at %s: run kaoqin sync first, or point KAOQIN_DB at the database", db.path)
		}
		// Processes opening a new file at once must not both set it up: turning on WAL and
		// creating the tables each want the file to themselves.
		unlock, err := waitFileLock(db.path + ".open.lock")
		if err != nil {
			return nil, kaoqin.Errorf(kaoqin.EUNAVAILABLE, "cannot open SQLite database %s: %v: does its directory exist, and may kaoqin write there?", db.path, err)
		}
		defer unlock()
	}
	if t.engine == EnginePostgres {
		err = db.openPostgres(ctx, t.url, o)
	} else {
		err = db.openSQLite(ctx, t)
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx, o.version, o.log); err != nil {
		db.Close()
		return nil, err
	}
	if !db.d.pg && o.version == 0 {
		if db.stmts, err = prepareBulk(ctx, db.rw); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: open: %w", err)
		}
	}
	return db, nil
}

// readerMmapSize is how much of a SQLite file its readers map.
const readerMmapSize = 1 << 30

// openSQLite opens the writer, then, once the writer has put the file in WAL mode, the readers.
func (db *DB) openSQLite(ctx context.Context, t target) error {
	// busy_timeout covers other processes (a CLI sync next to "kaoqin serve"); _txlock=immediate
	// takes the write lock at BEGIN, so that a transaction never fails halfway by upgrading.
	rwParams := "_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	if t.memory {
		rw, err := sql.Open("sqlite", ":memory:?"+rwParams)
		if err != nil {
			return fmt.Errorf("store: open sqlite :memory:: %w", err)
		}
		// One connection is the whole database: it must never be closed while idle.
		rw.SetMaxOpenConns(1)
		rw.SetMaxIdleConns(1)
		rw.SetConnMaxLifetime(0)
		rw.SetConnMaxIdleTime(0)
		db.rw, db.ro = rw, rw
		return db.ping(ctx, ":memory:")
	}
	abs := db.path
	rw, err := sql.Open("sqlite", sqliteURI(abs, rwParams+"&_pragma=journal_mode(WAL)"))
	if err != nil {
		return fmt.Errorf("store: open sqlite %s: %w", abs, err)
	}
	rw.SetMaxOpenConns(1)
	rw.SetMaxIdleConns(1)
	rw.SetConnMaxLifetime(0)
	db.rw = rw
	if err := db.ping(ctx, abs); err != nil {
		rw.Close()
		return err
	}
	// The readers map the file (its first GiB): a page is then read from the kernel's page
	// cache in place, not copied into SQLite's own small cache by a pread each time. A
	// 100,000-person daily report reads 800,000 rows and spent 15% of its CPU in those preads.
	// (Mapping is unsafe only when the file shrinks under a reader: kaoqin never vacuums.)
	ro, err := sql.Open("sqlite", sqliteURI(abs, "_pragma=busy_timeout(10000)&_pragma=query_only(1)&_pragma=mmap_size("+strconv.Itoa(readerMmapSize)+")"))
	if err != nil {
		rw.Close()
		return fmt.Errorf("store: open sqlite %s: %w", abs, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	ro.SetMaxOpenConns(n)
	ro.SetMaxIdleConns(n)
	db.ro = ro
	return nil
}

func (db *DB) ping(ctx context.Context, name string) error {
	err := db.rw.PingContext(ctx)
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) && sqErr.Code() == sqlite3.SQLITE_NOTADB {
		return kaoqin.Errorf(kaoqin.EINVALID, "%s is not a SQLite database: is KAOQIN_DB the right file?", name)
	}
	if err != nil {
		return kaoqin.Errorf(kaoqin.EUNAVAILABLE, "cannot open SQLite database %s: %v: does its directory exist, and may kaoqin write there?", name, err)
	}
	return nil
}

// sqliteURI spells an absolute path as a file: URI, so that no character of the path ("?",
// "#", "%") is taken for part of the query that carries the connection settings.
func sqliteURI(abs, params string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x -> /C:/x
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: params}
	return u.String()
}

func (db *DB) openPostgres(ctx context.Context, raw string, o options) error {
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		shown := ""
		if m := maskedURL(raw); m != "" {
			shown = " " + m
		}
		return kaoqin.Errorf(kaoqin.EINVALID, "bad PostgreSQL URL in KAOQIN_DB%s: %s: want postgres://user:password@host:port/database",
			shown, oneLine(parseReason(err)))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	host := net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
	if strings.HasPrefix(cfg.Host, "/") {
		host = cfg.Host // a Unix socket directory
	}
	db.rw = stdlib.OpenDB(*cfg)
	db.rw.SetMaxOpenConns(o.poolMax)
	db.rw.SetMaxIdleConns(min(4, o.poolMax))
	db.rw.SetConnMaxIdleTime(5 * time.Minute)
	db.ro = db.rw
	if err := db.rw.PingContext(ctx); err != nil {
		db.rw.Close()
		msg := err.Error()
		var ce *pgconn.ConnectError
		if errors.As(err, &ce) && ce.Unwrap() != nil {
			msg = ce.Unwrap().Error()
		}
		return kaoqin.Errorf(kaoqin.EUNAVAILABLE, "cannot reach PostgreSQL at %s (database %q, user %q): %s: is it running, and is KAOQIN_DB right?",
			host, cfg.Database, cfg.User, oneLine(msg))
	}
	return nil
}

// oneLine joins the distinct lines of a message (pgx gives one per attempt) with "; ".
func oneLine(msg string) string {
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}

// Engine returns "sqlite" or "postgres".
func (db *DB) Engine() string { return db.engine }

// Close releases the locks this DB holds and closes its connections.
func (db *DB) Close() error {
	var err error
	db.closed.Do(func() {
		db.locks.releaseAll()
		closeStmts(db.stmts)
		if db.ro != nil && db.ro != db.rw {
			err = db.ro.Close()
		}
		if db.rw != nil {
			err = errors.Join(err, db.rw.Close())
		}
	})
	return err
}

// maxAttempts bounds the reruns of a PostgreSQL transaction aborted by a deadlock.
const maxAttempts = 5

// update runs fn in a write transaction and commits it. PostgreSQL transactions that the
// server aborted for a deadlock or a serialization failure are run again: fn must be safe to
// rerun (it is, when it only writes through the transaction).
func (db *DB) update(ctx context.Context, fn func(tx conn) error) error {
	for attempt := 1; ; attempt++ {
		err := db.updateOnce(ctx, fn)
		if err == nil || !isRetryable(err) || attempt == maxAttempts || ctx.Err() != nil {
			return err
		}
	}
}

func (db *DB) updateOnce(ctx context.Context, fn func(tx conn) error) error {
	tx, err := db.rw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(conn{q: tx, d: db.d, tx: tx, stmts: db.stmts}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// reader is where reads go.
func (db *DB) reader() conn { return conn{q: db.ro, d: db.d} }

// writer is where single-statement writes go.
func (db *DB) writer() conn { return conn{q: db.rw, d: db.d} }

// nowMs is the store's clock in unix ms.
func (db *DB) nowMs() int64 { return db.now().UnixMilli() }

// wrap names the operation in an error, once. Application errors (*kaoqin.Error) are meant for
// users and keep their message as it is.
func wrap(errp *error, op string) {
	if *errp == nil {
		return
	}
	var e *kaoqin.Error
	if errors.As(*errp, &e) {
		return
	}
	*errp = fmt.Errorf("store: %s: %w", op, *errp)
}
