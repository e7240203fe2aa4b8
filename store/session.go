package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Sessions are stored in the shape of scs.Store (github.com/alexedwards/scs/v2), so that the
// web package can hand them to scs as they are: the data is opaque, expiry is unix ms, and an
// expired session is not found even before DeleteExpiredSessions removes it.

// FindSession returns the data of the session token; found is false if there is no such
// session or it has expired.
func (db *DB) FindSession(ctx context.Context, token string) (data []byte, found bool, err error) {
	defer wrap(&err, "find session")
	err = db.reader().queryRow(ctx, "SELECT data FROM sessions WHERE token = ? AND expiry > ?", token, db.nowMs()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	return data, true, nil
}

// CommitSession adds the session token, or replaces its data and expiry.
func (db *DB) CommitSession(ctx context.Context, token string, data []byte, expiry time.Time) (err error) {
	defer wrap(&err, "commit session")
	if data == nil {
		data = []byte{}
	}
	_, err = db.writer().exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, data, expiry.UnixMilli())
	return err
}

// DeleteSession removes the session token; removing a session that is not there is no error.
func (db *DB) DeleteSession(ctx context.Context, token string) (err error) {
	defer wrap(&err, "delete session")
	_, err = db.writer().exec(ctx, "DELETE FROM sessions WHERE token = ?", token)
	return err
}

// DeleteExpiredSessions removes the sessions that have expired.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (err error) {
	defer wrap(&err, "delete expired sessions")
	_, err = db.writer().exec(ctx, "DELETE FROM sessions WHERE expiry <= ?", db.nowMs())
	return err
}
