package store

import (
	"context"
	"database/sql/driver"
	"regexp"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
)

// TryLock takes the lock called name without waiting: ok is false if another holder (another
// process, or another caller in this one) has it. The lock is held until unlock is called, the
// DB is closed or the process ends, so a crashed instance never keeps it (design.md decision 6).
//
// On PostgreSQL it is a session-level advisory lock held on a connection of its own, scoped to
// the database and schema; on SQLite an OS file lock on "<dbfile>-<name>.lock" next to the
// database, and for :memory: a lock within this DB.
func (db *DB) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	defer wrap(&err, "lock "+name)
	if !lockNameRE.MatchString(name) {
		return nil, false, kaoqin.Errorf(kaoqin.EINVALID, "bad lock name %q: want letters, digits, '.', '_' or '-'", name)
	}
	switch {
	case db.d.pg:
		return db.tryAdvisoryLock(ctx, name)
	case db.path == "":
		return db.locks.try(name, func() {})
	}
	return db.tryFileLock(name)
}

var lockNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

const advisoryKey = "hashtextextended('kaoqin:lock:' || current_schema() || ':' || ?, 0)"

// Held reports whether this DB still holds the lock called name: it took it with TryLock and
// has not unlocked it, and, on PostgreSQL, the connection that holds it is alive (a session
// lock ends with its session, and another instance may have taken it since). A lock found
// lost is let go, so that TryLock can take it again. err is set only when ctx ended.
func (db *DB) Held(ctx context.Context, name string) (held bool, err error) {
	defer wrap(&err, "lock "+name)
	return db.locks.alive(ctx, name)
}

// keepalives make the server notice a peer that vanished without closing its connection (a
// host powered off, a network cut) within about half a minute, not the operating system's two
// hours: only then does a dead instance's lock go to another.
const keepalives = "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3"

func (db *DB) tryAdvisoryLock(ctx context.Context, name string) (func(), bool, error) {
	c, err := db.rw.Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	lc := conn{q: c, d: db.d}
	// (Ignored where they cannot apply, e.g. over a Unix socket.)
	if _, err := lc.exec(ctx, keepalives); err != nil {
		c.Close()
		return nil, false, err
	}
	var ok bool
	if err := lc.queryRow(ctx, "SELECT pg_try_advisory_lock("+advisoryKey+")", name).Scan(&ok); err != nil {
		c.Close()
		return nil, false, err
	}
	if !ok {
		c.Close()
		return nil, false, nil
	}
	drop := func() {
		// The connection goes back to the pool on Close: drop it instead, so that a lock
		// we failed to release, or could not tell we held, goes with it.
		c.Raw(func(any) error { return driver.ErrBadConn })
		c.Close()
	}
	return db.locks.try(name, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var released bool
		err := lc.queryRow(ctx, "SELECT pg_advisory_unlock("+advisoryKey+")", name).Scan(&released)
		if err != nil || !released {
			drop()
			return
		}
		c.Close()
	}, func(ctx context.Context) error {
		// A session lock lives as long as its session: if the connection answers, the lock is
		// ours. (Nothing else can release another session's advisory lock.)
		var one int
		return lc.queryRow(ctx, "SELECT 1").Scan(&one)
	})
}

// memLocks are the locks this DB holds, so that a second TryLock of a name in the same
// process is refused whatever the engine does within one session or process, and so that
// Close releases them.
type memLocks struct {
	mu   sync.Mutex
	held map[string]*memLock
}

type memLock struct {
	release func()
	// alive, if set, says whether the lock is still held (nil: it is while not released).
	alive func(ctx context.Context) error
}

func newMemLocks() *memLocks { return &memLocks{held: map[string]*memLock{}} }

// try records name as held, with release to call when it is unlocked and, optionally, alive
// to check that it is still held. If name is held already, it calls release at once and
// refuses.
func (m *memLocks) try(name string, release func(), alive ...func(context.Context) error) (func(), bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, busy := m.held[name]; busy {
		release()
		return nil, false, nil
	}
	l := &memLock{release: release}
	if len(alive) > 0 {
		l.alive = alive[0]
	}
	m.held[name] = l
	var once sync.Once
	return func() { once.Do(func() { m.release(name, l) }) }, true, nil
}

// release lets go of name if l still holds it.
func (m *memLocks) release(name string, l *memLock) {
	m.mu.Lock()
	cur := m.held[name]
	if cur == l {
		delete(m.held, name)
	}
	m.mu.Unlock()
	if cur == l {
		l.release()
	}
}

// alive reports whether name is held and alive; a lock found dead is released.
func (m *memLocks) alive(ctx context.Context, name string) (bool, error) {
	m.mu.Lock()
	l := m.held[name]
	m.mu.Unlock()
	if l == nil {
		return false, nil
	}
	if l.alive == nil {
		return true, nil
	}
	if err := l.alive(ctx); err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		m.release(name, l)
		return false, nil
	}
	return true, nil
}

func (m *memLocks) releaseAll() {
	m.mu.Lock()
	held := m.held
	m.held = map[string]*memLock{}
	m.mu.Unlock()
	for _, l := range held {
		l.release()
	}
}
