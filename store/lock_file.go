package store

import (
	"os"
)

// tryFileLock takes an OS lock on a file next to the database. The kernel releases it when the
// process ends, however it ends. The file itself stays: removing it would let two processes
// lock two different files of the same name.
func (db *DB) tryFileLock(name string) (func(), bool, error) {
	f, err := os.OpenFile(db.path+"-"+name+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, err
	}
	ok, err := lockFile(f, false)
	if err != nil || !ok {
		f.Close()
		return nil, false, err
	}
	return db.locks.try(name, func() {
		unlockFile(f)
		f.Close()
	})
}

// waitFileLock takes an OS lock on the file path, waiting for its holder if need be, for work
// that takes moments (setting a database up). TryLock's files are apart: "<dbfile>-<name>.lock".
func waitFileLock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if _, err := lockFile(f, true); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		unlockFile(f)
		f.Close()
	}, nil
}
