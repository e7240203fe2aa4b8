package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/kaoqin/kaoqin"
)

var _ kaoqin.EventStore = (*DB)(nil)

const eventCols = "id, type, source, born_at, received_at, data, status, attempts, done_at, error"

func scanEvent(rows *sql.Rows, e *kaoqin.Event) error {
	var data string
	if err := rows.Scan(&e.ID, &e.Type, &e.Source, &e.BornAt, &e.ReceivedAt, &data, &e.Status, &e.Attempts, &e.DoneAt, &e.Error); err != nil {
		return err
	}
	e.Data = []byte(data)
	return nil
}

// ReceiveEvent books one delivery in the push ledger and keeps the event unless it was
// received before, in one transaction (see kaoqin.EventStore).
func (db *DB) ReceiveEvent(ctx context.Context, e *kaoqin.Event, p kaoqin.Push, lease time.Duration) (fresh bool, err error) {
	defer wrap(&err, "receive event")
	switch {
	case e.ID == "" || e.Type == "":
		return false, kaoqin.Errorf(kaoqin.EINVALID, "an event needs an id and a type")
	case len(p.Month) != 7 || p.Month[4] != '-':
		return false, kaoqin.Errorf(kaoqin.EINVALID, "bad quota month %q: want YYYY-MM", p.Month)
	}
	if e.ReceivedAt == 0 {
		e.ReceivedAt = db.nowMs()
	}
	if e.Status == "" {
		e.Status = kaoqin.EventPending
	}
	err = db.update(ctx, func(tx conn) error {
		n, err := tx.execN(ctx, `INSERT INTO events (id, type, source, born_at, received_at, data, status, attempts, lease_until)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT (id) DO NOTHING`,
			e.ID, e.Type, e.Source, e.BornAt, e.ReceivedAt, string(e.Data), e.Status, e.ReceivedAt+lease.Milliseconds())
		if err != nil {
			return err
		}
		fresh = n == 1
		dup := int64(0)
		if !fresh {
			dup = 1
		}
		_, err = tx.exec(ctx, `INSERT INTO push_ledger (month, kind, pushes, counted, duplicates) VALUES (?, ?, 1, ?, ?)
			ON CONFLICT (month, kind) DO UPDATE SET pushes = push_ledger.pushes + 1,
				counted = push_ledger.counted + excluded.counted, duplicates = push_ledger.duplicates + excluded.duplicates`,
			p.Month, p.Kind, b2i(p.Counted), dup)
		return err
	})
	return fresh, err
}

// ClaimEvents leases pending events whose lease ran out, oldest first.
func (db *DB) ClaimEvents(ctx context.Context, now int64, lease time.Duration, limit int) (events []kaoqin.Event, err error) {
	defer wrap(&err, "claim events")
	err = db.update(ctx, func(tx conn) error {
		if err := db.d.lockTx(ctx, tx, "claim-events"); err != nil {
			return err
		}
		events, err = queryAll(ctx, tx, scanEvent, "SELECT "+eventCols+` FROM events
			WHERE status = 'pending' AND lease_until < ? ORDER BY received_at, id LIMIT ?`, now, limit)
		if err != nil || len(events) == 0 {
			return err
		}
		ids := make([]string, len(events))
		for i := range events {
			ids[i] = events[i].ID
			events[i].Attempts++
		}
		_, err = tx.exec(ctx, "UPDATE events SET lease_until = ?, attempts = attempts + 1 WHERE id IN "+db.d.in(tText),
			now+lease.Milliseconds(), db.d.list(ids))
		return err
	})
	return events, err
}

// FinishEvent marks an event handled, or records a failed attempt.
func (db *DB) FinishEvent(ctx context.Context, id, errText string, final bool) (err error) {
	defer wrap(&err, "finish event")
	now := db.nowMs()
	return db.update(ctx, func(tx conn) error {
		var n int64
		var err error
		switch {
		case errText == "":
			n, err = tx.execN(ctx, "UPDATE events SET status = 'done', done_at = ?, error = '', data = '' WHERE id = ? AND status <> 'done'", now, id)
		case final:
			n, err = tx.execN(ctx, "UPDATE events SET status = 'failed', done_at = ?, error = ? WHERE id = ? AND status = 'pending'", now, errText, id)
		default:
			// Let another try come soon: the lease is given up.
			n, err = tx.execN(ctx, "UPDATE events SET error = ?, lease_until = 0 WHERE id = ? AND status = 'pending'", errText, id)
			n = 0
		}
		if err != nil || n == 0 {
			return err
		}
		_, err = tx.exec(ctx, "UPDATE event_version SET version = version + 1 WHERE id = 1")
		return err
	})
}

// EventsVersion changes whenever an event is handled.
func (db *DB) EventsVersion(ctx context.Context) (v int64, err error) {
	defer wrap(&err, "events version")
	err = db.reader().queryRow(ctx, "SELECT version FROM event_version WHERE id = 1").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// EventCounts counts the events received since the instant.
func (db *DB) EventCounts(ctx context.Context, since int64) (c kaoqin.EventCounts, err error) {
	defer wrap(&err, "event counts")
	err = db.reader().queryRow(ctx, `SELECT COUNT(*),
			COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0),
			COALESCE(MAX(received_at), 0)
		FROM events WHERE received_at >= ?`, since).Scan(&c.Received, &c.Pending, &c.Failed, &c.LastReceivedAt)
	return c, err
}

// PurgeEvents forgets handled events received before the instant; pending ones stay.
func (db *DB) PurgeEvents(ctx context.Context, before int64) (n int64, err error) {
	defer wrap(&err, "purge events")
	return db.writer().execN(ctx, "DELETE FROM events WHERE received_at < ? AND status <> 'pending'", before)
}

// SaveEventLink records an instance's link to DingTalk's events.
func (db *DB) SaveEventLink(ctx context.Context, l kaoqin.EventLink) (err error) {
	defer wrap(&err, "save event link")
	if l.Instance == "" {
		return kaoqin.Errorf(kaoqin.EINVALID, "an event link needs an instance")
	}
	_, err = db.writer().exec(ctx, `INSERT INTO event_links (instance, source, connected, since, seen_at, last_event_at, error)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (instance) DO UPDATE SET source = excluded.source,
			connected = excluded.connected, since = excluded.since, seen_at = excluded.seen_at,
			last_event_at = CASE WHEN excluded.last_event_at > event_links.last_event_at THEN excluded.last_event_at ELSE event_links.last_event_at END,
			error = excluded.error`,
		l.Instance, l.Source, l.Connected, l.Since, l.SeenAt, l.LastEventAt, l.Error)
	return err
}

// EventLinks returns every instance's link, by instance.
func (db *DB) EventLinks(ctx context.Context) (links []kaoqin.EventLink, err error) {
	defer wrap(&err, "event links")
	return queryAll(ctx, db.reader(), func(rows *sql.Rows, l *kaoqin.EventLink) error {
		return rows.Scan(&l.Instance, &l.Source, &l.Connected, &l.Since, &l.SeenAt, &l.LastEventAt, &l.Error)
	}, "SELECT instance, source, connected, since, seen_at, last_event_at, error FROM event_links ORDER BY instance")
}

// MarkRefetch marks days to fetch again; a mark of a day already marked is renewed.
func (db *DB) MarkRefetch(ctx context.Context, marks []kaoqin.Refetch) (err error) {
	defer wrap(&err, "mark refetch")
	for _, m := range marks {
		if m.UserID == "" {
			return kaoqin.Errorf(kaoqin.EINVALID, "a refetch mark needs a userid")
		}
		if _, err := kaoqin.ParseDate(m.Day); err != nil {
			return kaoqin.Errorf(kaoqin.EINVALID, "a refetch mark has a bad day %q: want YYYY-MM-DD", m.Day)
		}
	}
	return db.update(ctx, func(tx conn) error {
		for _, m := range marks {
			if m.MarkedAt == 0 {
				m.MarkedAt = db.nowMs()
			}
			if _, err := tx.exec(ctx, `INSERT INTO refetch (user_id, day, reason, marked_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (user_id, day) DO UPDATE SET reason = excluded.reason, marked_at = excluded.marked_at`,
				m.UserID, m.Day, m.Reason, m.MarkedAt); err != nil {
				return err
			}
		}
		return nil
	})
}

// Refetches returns the days marked to fetch again, by day and userid.
func (db *DB) Refetches(ctx context.Context) (marks []kaoqin.Refetch, err error) {
	defer wrap(&err, "refetches")
	return queryAll(ctx, db.reader(), func(rows *sql.Rows, m *kaoqin.Refetch) error {
		return rows.Scan(&m.UserID, &m.Day, &m.Reason, &m.MarkedAt)
	}, "SELECT user_id, day, reason, marked_at FROM refetch ORDER BY day, user_id")
}

// ClearRefetches removes the marks that were not renewed since they were read.
func (db *DB) ClearRefetches(ctx context.Context, marks []kaoqin.Refetch) (err error) {
	defer wrap(&err, "clear refetches")
	return db.update(ctx, func(tx conn) error {
		for _, m := range marks {
			if _, err := tx.exec(ctx, "DELETE FROM refetch WHERE user_id = ? AND day = ? AND marked_at <= ?", m.UserID, m.Day, m.MarkedAt); err != nil {
				return err
			}
		}
		return nil
	})
}

// PatchOrg applies a partial change to the org chart: the stored chart with the patch applied
// is saved as a whole, in one transaction, by the rules of SaveOrg.
func (db *DB) PatchOrg(ctx context.Context, p kaoqin.OrgPatch) (ch kaoqin.OrgChange, err error) {
	defer wrap(&err, "patch org")
	if _, err := kaoqin.ParseDate(p.Day); err != nil {
		return ch, kaoqin.Errorf(kaoqin.EINVALID, "org patch has a bad day %q: want YYYY-MM-DD", p.Day)
	}
	for _, e := range p.Employees {
		if e.UserID == "" {
			return ch, kaoqin.Errorf(kaoqin.EINVALID, "org patch has an employee without userid (%q)", e.Name)
		}
	}
	if p.At == 0 {
		p.At = db.nowMs()
	}
	err = db.update(ctx, func(tx conn) error {
		ch = kaoqin.OrgChange{}
		if err := db.d.lockTx(ctx, tx, "save-org"); err != nil {
			return err
		}
		depts := map[int64]kaoqin.Department{}
		stored, err := queryAll(ctx, tx, scanDepartment, "SELECT "+deptCols+" FROM departments WHERE removed_at = 0")
		if err != nil {
			return err
		}
		if len(stored) == 0 {
			return kaoqin.Errorf(kaoqin.ENOTSYNCED, "no org chart stored yet: run kaoqin sync first (contacts calls are free)")
		}
		for _, d := range stored {
			depts[d.ID] = d
		}
		emps := map[string]kaoqin.Employee{}
		current, err := queryAll(ctx, tx, scanEmployee, "SELECT "+empCols+" FROM employees WHERE left_at = 0")
		if err != nil {
			return err
		}
		for _, e := range current {
			emps[e.UserID] = e
		}
		rows, err := tx.query(ctx, "SELECT user_id, dept_id FROM memberships WHERE to_day = ''")
		if err != nil {
			return err
		}
		for rows.Next() {
			var user string
			var dept int64
			if err := rows.Scan(&user, &dept); err != nil {
				rows.Close()
				return err
			}
			if e, ok := emps[user]; ok {
				e.DeptIDs = append(e.DeptIDs, dept)
				emps[user] = e
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		for _, d := range p.Departments {
			d.RemovedAt = 0
			depts[d.ID] = d
		}
		for _, id := range p.RemovedDepts {
			if id != kaoqin.RootDeptID {
				delete(depts, id)
			}
		}
		for _, e := range p.Employees {
			e.LeftAt = 0
			emps[e.UserID] = e
		}
		for _, id := range p.Left {
			delete(emps, id)
		}
		// Memberships only in departments that exist, as a full sync keeps them.
		for id, e := range emps {
			kept := e.DeptIDs[:0:0]
			for _, d := range e.DeptIDs {
				if _, ok := depts[d]; ok {
					kept = append(kept, d)
				}
			}
			e.DeptIDs = kept
			emps[id] = e
		}
		return db.saveOrg(ctx, tx, kaoqin.OrgSnapshot{Day: p.Day, At: p.At}, depts, emps, &ch)
	})
	return ch, err
}

// RecordPunchPulls records that kaoqin knew every punch of these employees on day as of at
// (unix ms), without touching their punches: DingTalk's punch events were flowing (see package
// report, "Live punches"). A pull recorded later stays.
func (db *DB) RecordPunchPulls(ctx context.Context, userIDs []string, day string, at int64) (err error) {
	defer wrap(&err, "record punch pulls")
	if _, err := kaoqin.ParseDate(day); err != nil {
		return kaoqin.Errorf(kaoqin.EINVALID, "bad day %q: want YYYY-MM-DD", day)
	}
	rows := make([][]any, 0, len(userIDs))
	for _, u := range dedupeSorted(userIDs) {
		rows = append(rows, []any{u, day, at})
	}
	return db.update(ctx, func(tx conn) error {
		_, err := tx.upsert(ctx, punchPullsTable, rows)
		return err
	})
}
