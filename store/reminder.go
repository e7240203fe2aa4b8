package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/kaoqin/kaoqin"
)

var _ kaoqin.ReminderStore = (*DB)(nil)

const ruleCols = `id, name, enabled, channel, at, after_minutes, every_minutes, cap, userids, dept_ids,
	quiet_from, quiet_to, robot_url, robot_secret, note, updated_at, updated_by`

// SaveReminderRule inserts r (ID 0; its ID is set) or replaces the rule with r's ID. Package
// notify validates rules; the store only refuses what it cannot store.
func (db *DB) SaveReminderRule(ctx context.Context, r *kaoqin.ReminderRule) (err error) {
	defer wrap(&err, "save reminder rule")
	if r.Name == "" || r.Channel == "" {
		return kaoqin.Errorf(kaoqin.EINVALID, "A reminder rule needs a name and a channel.")
	}
	if r.UpdatedAt == 0 {
		r.UpdatedAt = db.nowMs()
	}
	users, _ := json.Marshal(nonNilList(r.UserIDs))
	depts, _ := json.Marshal(nonNilList(r.DeptIDs))
	args := []any{r.Name, r.Enabled, r.Channel, r.At, r.After, r.Every, r.Cap, string(users), string(depts),
		r.QuietFrom, r.QuietTo, r.RobotURL, r.RobotSecret, r.Note, r.UpdatedAt, r.UpdatedBy}
	if r.ID == 0 {
		return db.writer().queryRow(ctx, `INSERT INTO reminder_rules (name, enabled, channel, at, after_minutes, every_minutes,
			cap, userids, dept_ids, quiet_from, quiet_to, robot_url, robot_secret, note, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&r.ID)
	}
	n, err := db.writer().execN(ctx, `UPDATE reminder_rules SET name = ?, enabled = ?, channel = ?, at = ?, after_minutes = ?,
		every_minutes = ?, cap = ?, userids = ?, dept_ids = ?, quiet_from = ?, quiet_to = ?, robot_url = ?, robot_secret = ?,
		note = ?, updated_at = ?, updated_by = ? WHERE id = ?`, append(args, r.ID)...)
	if err != nil {
		return err
	}
	if n == 0 {
		return kaoqin.Errorf(kaoqin.ENOTFOUND, "There is no reminder rule %d: kaoqin remind list shows the rules.", r.ID)
	}
	return nil
}

func nonNilList[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// DeleteReminderRule deletes rule id; the messages it sent stay in the outbox.
func (db *DB) DeleteReminderRule(ctx context.Context, id int64) (err error) {
	defer wrap(&err, "delete reminder rule")
	n, err := db.writer().execN(ctx, "DELETE FROM reminder_rules WHERE id = ?", id)
	if err != nil {
		return err
	}
	if n == 0 {
		return kaoqin.Errorf(kaoqin.ENOTFOUND, "There is no reminder rule %d: kaoqin remind list shows the rules.", id)
	}
	return nil
}

// ReminderRules returns every rule, by ID.
func (db *DB) ReminderRules(ctx context.Context) (rules []kaoqin.ReminderRule, err error) {
	defer wrap(&err, "reminder rules")
	return queryAll(ctx, db.reader(), func(rows *sql.Rows, r *kaoqin.ReminderRule) error {
		var users, depts string
		if err := rows.Scan(&r.ID, &r.Name, &r.Enabled, &r.Channel, &r.At, &r.After, &r.Every, &r.Cap, &users, &depts,
			&r.QuietFrom, &r.QuietTo, &r.RobotURL, &r.RobotSecret, &r.Note, &r.UpdatedAt, &r.UpdatedBy); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(users), &r.UserIDs); err != nil {
			return err
		}
		return json.Unmarshal([]byte(depts), &r.DeptIDs)
	}, "SELECT "+ruleCols+" FROM reminder_rules ORDER BY id")
}

// SetReminderOptOut records that userid gets no reminders (out) or gets them again.
func (db *DB) SetReminderOptOut(ctx context.Context, userid string, out bool, by string) (err error) {
	defer wrap(&err, "set reminder opt-out")
	if userid == "" {
		return kaoqin.Errorf(kaoqin.EINVALID, "Name the person by their DingTalk userid.")
	}
	if !out {
		_, err = db.writer().exec(ctx, "DELETE FROM reminder_optouts WHERE user_id = ?", userid)
		return err
	}
	_, err = db.writer().exec(ctx, `INSERT INTO reminder_optouts (user_id, at, by_name) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO NOTHING`, userid, db.nowMs(), by)
	return err
}

// ReminderOptOuts returns the people who opted out, by userid.
func (db *DB) ReminderOptOuts(ctx context.Context) (outs []kaoqin.ReminderOptOut, err error) {
	defer wrap(&err, "reminder opt-outs")
	return queryAll(ctx, db.reader(), func(rows *sql.Rows, o *kaoqin.ReminderOptOut) error {
		return rows.Scan(&o.UserID, &o.At, &o.By)
	}, "SELECT user_id, at, by_name FROM reminder_optouts ORDER BY user_id")
}

const messageCols = `id, msg_key, rule_id, channel, work_date, recipient, due_at, title, text, body, state, reason,
	attempts, claimed_at, claimed_by, task_id, sent_at, done_at, by_name, created_at`

func scanMessage(rows *sql.Rows, m *kaoqin.ReminderMessage) error {
	return rows.Scan(&m.ID, &m.Key, &m.RuleID, &m.Channel, &m.WorkDate, &m.To, &m.DueAt, &m.Title, &m.Text, &m.Body,
		&m.State, &m.Reason, &m.Attempts, &m.ClaimedAt, &m.ClaimedBy, &m.TaskID, &m.SentAt, &m.DoneAt, &m.By, &m.CreatedAt)
}

// PlanReminders records msgs as planned, each with the people it is about, in one
// transaction; a message whose Key is recorded already is left alone. It returns the messages
// it recorded, with their IDs.
func (db *DB) PlanReminders(ctx context.Context, msgs []kaoqin.ReminderMessage) (added []kaoqin.ReminderMessage, err error) {
	defer wrap(&err, "plan reminders")
	for _, m := range msgs {
		if m.Key == "" || m.Channel == "" || m.To == "" {
			return nil, kaoqin.Errorf(kaoqin.EINVALID, "A reminder needs a key, a channel and a recipient.")
		}
		if _, err := kaoqin.ParseDate(m.WorkDate); err != nil {
			return nil, err
		}
	}
	now := db.nowMs()
	err = db.update(ctx, func(tx conn) error {
		added = added[:0]
		for _, m := range msgs {
			if m.CreatedAt == 0 {
				m.CreatedAt = now
			}
			m.State, m.Attempts, m.ClaimedAt, m.ClaimedBy = kaoqin.ReminderPlanned, 0, 0, ""
			err := tx.queryRow(ctx, `INSERT INTO reminder_messages (msg_key, rule_id, channel, work_date, recipient, due_at,
				title, text, body, state, by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (msg_key) DO NOTHING RETURNING id`,
				m.Key, m.RuleID, m.Channel, m.WorkDate, m.To, m.DueAt, m.Title, m.Text, m.Body, m.State, m.By, m.CreatedAt).Scan(&m.ID)
			if err == sql.ErrNoRows {
				continue // recorded before
			} else if err != nil {
				return err
			}
			for _, u := range uniqueStrings(m.About) {
				if _, err := tx.exec(ctx, "INSERT INTO reminder_people (message_id, user_id) VALUES (?, ?)", m.ID, u); err != nil {
					return err
				}
			}
			added = append(added, m)
		}
		return nil
	})
	return added, err
}

func uniqueStrings(s []string) []string {
	seen := make(map[string]bool, len(s))
	var out []string
	for _, v := range s {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// ClaimReminders moves the messages of ids that are planned, or sending under a claim older
// than staleBefore, to sending for by at `at`, counting an attempt, and returns them (without
// About). One UPDATE does it, so that of senders claiming at once each message goes to one.
func (db *DB) ClaimReminders(ctx context.Context, ids []int64, by string, at, staleBefore int64) (claimed []kaoqin.ReminderMessage, err error) {
	defer wrap(&err, "claim reminders")
	if len(ids) == 0 {
		return nil, nil
	}
	err = db.update(ctx, func(tx conn) error {
		var err error
		claimed, err = queryAll(ctx, tx, scanMessage, `UPDATE reminder_messages
			SET state = ?, claimed_at = ?, claimed_by = ?, attempts = attempts + 1
			WHERE id IN `+db.d.in(tBigint)+` AND (state = ? OR (state = ? AND claimed_at < ?))
			RETURNING `+messageCols,
			kaoqin.ReminderSending, at, by, db.d.list(ids), kaoqin.ReminderPlanned, kaoqin.ReminderSending, staleBefore)
		return err
	})
	return claimed, err
}

// UpdateReminders applies what senders learnt, in one transaction, each update only if the
// message is still as its sender left it (kaoqin.ReminderUpdate); a delivered message stays
// delivered. It returns how many applied.
func (db *DB) UpdateReminders(ctx context.Context, updates []kaoqin.ReminderUpdate) (applied int, err error) {
	defer wrap(&err, "update reminders")
	err = db.update(ctx, func(tx conn) error {
		applied = 0
		for _, u := range updates {
			n, err := tx.execN(ctx, `UPDATE reminder_messages SET state = ?, reason = ?,
				task_id = CASE WHEN CAST(? AS BIGINT) <> 0 THEN CAST(? AS BIGINT) ELSE task_id END,
				sent_at = CASE WHEN CAST(? AS BIGINT) <> 0 THEN CAST(? AS BIGINT) ELSE sent_at END,
				done_at = CASE WHEN CAST(? AS BIGINT) <> 0 THEN CAST(? AS BIGINT) ELSE done_at END
				WHERE id = ? AND state = ? AND state <> ? AND (? = '' OR claimed_by = ?) AND (CAST(? AS BIGINT) = 0 OR task_id = ?)`,
				u.State, u.Reason, u.TaskID, u.TaskID, u.SentAt, u.SentAt, u.DoneAt, u.DoneAt,
				u.ID, u.If, kaoqin.ReminderDelivered, u.IfClaimedBy, u.IfClaimedBy, u.IfTaskID, u.IfTaskID)
			if err != nil {
				return err
			}
			applied += int(n)
		}
		return nil
	})
	return applied, err
}

// Reminders returns the messages f selects, by DueAt then ID, each with the people it is
// about.
func (db *DB) Reminders(ctx context.Context, f kaoqin.ReminderFilter) (msgs []kaoqin.ReminderMessage, err error) {
	defer wrap(&err, "reminders")
	var where []string
	var args []any
	if f.From != "" {
		where, args = append(where, "work_date >= ?"), append(args, f.From)
	}
	if f.To != "" {
		where, args = append(where, "work_date <= ?"), append(args, f.To)
	}
	if f.UserID != "" {
		where = append(where, "(recipient = ? OR id IN (SELECT message_id FROM reminder_people WHERE user_id = ?))")
		args = append(args, f.UserID, f.UserID)
	}
	if f.Recipient != "" {
		where, args = append(where, "recipient = ?"), append(args, f.Recipient)
	}
	if f.RuleID != 0 {
		where, args = append(where, "rule_id = ?"), append(args, f.RuleID)
	}
	if f.States != nil {
		where, args = append(where, "state IN "+db.d.in(tText)), append(args, db.d.list(f.States))
	}
	if f.ClaimedSince != 0 {
		where, args = append(where, "claimed_at >= ?"), append(args, f.ClaimedSince)
	}
	q := "SELECT " + messageCols + " FROM reminder_messages"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY due_at, id LIMIT ?"
	msgs, err = queryAll(ctx, db.reader(), scanMessage, q, append(args, sqlLimit(f.Limit))...)
	if err != nil || len(msgs) == 0 {
		return msgs, err
	}
	ids := make([]int64, len(msgs))
	index := make(map[int64]int, len(msgs))
	for i, m := range msgs {
		ids[i], index[m.ID] = m.ID, i
	}
	rows, err := db.reader().query(ctx, "SELECT message_id, user_id FROM reminder_people WHERE message_id IN "+db.d.in(tBigint)+
		" ORDER BY message_id, user_id", db.d.list(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var u string
		if err := rows.Scan(&id, &u); err != nil {
			return nil, err
		}
		msgs[index[id]].About = append(msgs[index[id]].About, u)
	}
	return msgs, rows.Err()
}

// RecordRobotPush counts one group robot message in month's push ledger (kind "robot"): robot
// messages spend the org's Webhook & Stream pushes, like DingTalk's events.
func (db *DB) RecordRobotPush(ctx context.Context, month string) (err error) {
	defer wrap(&err, "record robot push")
	if len(month) != 7 || month[4] != '-' {
		return kaoqin.Errorf(kaoqin.EINVALID, "bad push month %q: want YYYY-MM", month)
	}
	_, err = db.writer().exec(ctx, `INSERT INTO push_ledger (month, kind, pushes, counted, duplicates) VALUES (?, 'robot', 1, 1, 0)
		ON CONFLICT (month, kind) DO UPDATE SET pushes = push_ledger.pushes + 1, counted = push_ledger.counted + 1`, month)
	return err
}
