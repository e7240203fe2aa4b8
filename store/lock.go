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

func (db *DB) tryAdvisoryLock(ctx context.Context, name string) (func(), bool, error) {
	c, err := db.rw.Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	lc := conn{q: c, d: db.d}
	var ok bool
	if err := lc.queryRow(ctx, "SELECT pg_try_advisory_lock("+advisoryKey+")", name).Scan(&ok); err != nil {
		c.Close()
		return nil, false, err
	}
	if !ok {
		c.Close()
		return nil, false, nil
	}
	return db.locks.try(name, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var released bool
		err := lc.queryRow(ctx, "SELECT pg_advisory_unlock("+advisoryKey+")", name).Scan(&released)
		if err != nil || !released {
			// The connection goes back to the pool on Close: drop it instead, so that a lock
			// we failed to release goes with it.
			c.Raw(func(any) error { return driver.ErrBadConn })
		}
		c.Close()
	})
}

// memLocks are the locks this DB holds, so that a second TryLock of a name in the same
// process is refused whatever the engine does within one session or process, and so that
// Close releases them.
type memLocks struct {
	mu   sync.Mutex
	held map[string]func()
}

func newMemLocks() *memLocks { return &memLocks{held: map[string]func(){}} }

// try records name as held, with release to call when it is unlocked. If name is held
// already, it calls release at once and refuses.
func (m *memLocks) try(name string, release func()) (func(), bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, busy := m.held[name]; busy {
		release()
		return nil, false, nil
	}
	m.held[name] = release
	var once sync.Once
	return func() {
		once.Do(func() {
			m.mu.Lock()
			r, ok := m.held[name]
			delete(m.held, name)
			m.mu.Unlock()
			if ok {
				r()
			}
		})
	}, true, nil
}

func (m *memLocks) releaseAll() {
	m.mu.Lock()
	held := m.held
	m.held = map[string]func(){}
	m.mu.Unlock()
	for _, r := range held {
		r()
	}
}
