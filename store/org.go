package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"

	"github.com/kaoqin/kaoqin"
)

var departmentsTable = table{
	name: "departments",
	cols: []column{
		{"id", tBigint}, {"parent_id", tBigint}, {"name", tText}, {"ord", tBigint},
		{"source_identifier", tText}, {"removed_at", tBigint}, {"managers", tText},
	},
	key: []string{"id"},
}

var employeesTable = table{
	name: "employees",
	cols: []column{
		{"user_id", tText}, {"name", tText}, {"job_number", tText}, {"title", tText},
		{"hired_at", tBigint}, {"left_at", tBigint}, {"admin", tBoolean},
	},
	key: []string{"user_id"},
}

var membershipsTable = table{
	name: "memberships",
	cols: []column{{"user_id", tText}, {"dept_id", tBigint}, {"from_day", tText}, {"to_day", tText}},
}

// membership is a stored Membership with its row id.
type membership struct {
	id int64
	kaoqin.Membership
}

type userDept struct {
	user string
	dept int64
}

// SaveOrg makes the stored org chart equal to snap, in one transaction, writing only what
// changed (see kaoqin.OrgStore). Beyond the interface's contract:
//   - a department or employee that comes back counts as added; its RemovedAt / LeftAt is 0
//     again and, for an employee, memberships open from snap.Day;
//   - a membership closed by an earlier snapshot of the same day (To = snap.Day - 1) is
//     reopened rather than followed by a new one, and a membership opened on snap.Day that is
//     gone again the same day is deleted: a transfer undone within a day leaves no trace;
//   - an employee listed twice (DingTalk lists people per department) is one employee in the
//     union of the departments; a department listed twice is its last listing;
//   - a snapshot without departments is refused: it would mark the whole org removed, and is
//     far likelier a failed pull than a company that deleted itself.
func (db *DB) SaveOrg(ctx context.Context, snap kaoqin.OrgSnapshot) (ch kaoqin.OrgChange, err error) {
	defer wrap(&err, "save org")
	if _, err := kaoqin.ParseDate(snap.Day); err != nil {
		return ch, kaoqin.Errorf(kaoqin.EINVALID, "org snapshot has a bad day %q: want YYYY-MM-DD", snap.Day)
	}
	if len(snap.Departments) == 0 {
		return ch, kaoqin.Errorf(kaoqin.EINVALID, "org snapshot of %s has no departments: refusing to mark the whole org removed", snap.Day)
	}
	if snap.At == 0 {
		snap.At = db.nowMs()
	}
	depts := map[int64]kaoqin.Department{}
	for _, d := range snap.Departments {
		depts[d.ID] = d
	}
	emps := map[string]kaoqin.Employee{}
	for _, e := range snap.Employees {
		if e.UserID == "" {
			return ch, kaoqin.Errorf(kaoqin.EINVALID, "org snapshot of %s has an employee without userid (%q)", snap.Day, e.Name)
		}
		if prev, ok := emps[e.UserID]; ok {
			e.DeptIDs = append(slices.Clone(prev.DeptIDs), e.DeptIDs...)
		}
		emps[e.UserID] = e
	}
	err = db.update(ctx, func(tx conn) error {
		ch = kaoqin.OrgChange{}
		if err := db.d.lockTx(ctx, tx, "save-org"); err != nil {
			return err
		}
		return db.saveOrg(ctx, tx, snap, depts, emps, &ch)
	})
	return ch, err
}

func (db *DB) saveOrg(ctx context.Context, tx conn, snap kaoqin.OrgSnapshot,
	depts map[int64]kaoqin.Department, emps map[string]kaoqin.Employee, ch *kaoqin.OrgChange) error {
	oldDepts, err := queryAll(ctx, tx, scanDepartment, "SELECT "+deptCols+" FROM departments")
	if err != nil {
		return err
	}
	oldEmps, err := queryAll(ctx, tx, scanEmployee, "SELECT "+empCols+" FROM employees")
	if err != nil {
		return err
	}
	yesterday := kaoqin.AddDays(snap.Day, -1)
	// The open memberships, and the ones an earlier snapshot of this same day closed.
	mems, err := queryAll(ctx, tx, scanMembership,
		"SELECT id, "+memberCols+" FROM memberships WHERE to_day = '' OR to_day = ?", yesterday)
	if err != nil {
		return err
	}

	// Departments: new, changed, back, or gone.
	var deptRows [][]any
	seenDept := make(map[int64]bool, len(oldDepts))
	for _, old := range oldDepts {
		seenDept[old.ID] = true
		d, listed := depts[old.ID]
		switch {
		case !listed && old.RemovedAt == 0:
			old.RemovedAt = snap.At
			deptRows = append(deptRows, deptRow(old))
			ch.DepartmentsRemoved++
		case !listed:
		case old.RemovedAt != 0:
			d.RemovedAt = 0
			deptRows = append(deptRows, deptRow(d))
			ch.DepartmentsAdded++
		default:
			d.RemovedAt = 0
			if !sameDepartment(d, old) {
				deptRows = append(deptRows, deptRow(d))
				ch.DepartmentsUpdated++
			}
		}
	}
	for _, d := range depts {
		if !seenDept[d.ID] {
			d.RemovedAt = 0
			deptRows = append(deptRows, deptRow(d))
			ch.DepartmentsAdded++
		}
	}

	// Employees: new, changed, back, or gone.
	var empRows [][]any
	known := make(map[string]bool, len(oldEmps)) // seen by an earlier snapshot
	for _, old := range oldEmps {
		known[old.UserID] = true
		e, listed := emps[old.UserID]
		switch {
		case !listed && old.LeftAt == 0:
			old.LeftAt = snap.At
			empRows = append(empRows, empRow(old))
			ch.EmployeesLeft++
		case !listed:
		case old.LeftAt != 0:
			e.LeftAt = 0
			empRows = append(empRows, empRow(e))
			ch.EmployeesAdded++
		default:
			e.LeftAt = 0
			if !sameEmployee(e, old) {
				empRows = append(empRows, empRow(e))
				ch.EmployeesUpdated++
			}
		}
	}
	for _, e := range emps {
		if !known[e.UserID] {
			e.LeftAt = 0
			empRows = append(empRows, empRow(e))
			ch.EmployeesAdded++
		}
	}

	// Memberships: the snapshot's (user, dept) pairs against the open ones.
	want := map[userDept]bool{}
	for _, e := range emps {
		for _, d := range e.DeptIDs {
			want[userDept{e.UserID, d}] = true
		}
	}
	open := map[userDept]membership{}
	closedToday := map[userDept]membership{}
	for _, m := range mems {
		k := userDept{m.UserID, m.DeptID}
		if m.To == "" {
			open[k] = m
		} else {
			closedToday[k] = m
		}
	}
	var closeIDs, deleteIDs, reopenIDs []int64
	for k, m := range open {
		if want[k] {
			continue
		}
		if m.From != "" && m.From >= snap.Day {
			deleteIDs = append(deleteIDs, m.id) // opened today, gone today
		} else {
			closeIDs = append(closeIDs, m.id)
		}
		ch.MembershipsClosed++
	}
	var newRows [][]any
	for k := range want {
		if _, ok := open[k]; ok {
			continue
		}
		ch.MembershipsOpened++
		if m, ok := closedToday[k]; ok {
			reopenIDs = append(reopenIDs, m.id)
			continue
		}
		from := snap.Day
		if !known[k.user] {
			from = "" // kaoqin cannot know since when
		}
		newRows = append(newRows, []any{k.user, k.dept, from, ""})
	}

	// Write, in a fixed order of keys (see lastByKey).
	slices.SortFunc(deptRows, func(a, b []any) int { return cmp.Compare(a[0].(int64), b[0].(int64)) })
	slices.SortFunc(empRows, func(a, b []any) int { return cmp.Compare(a[0].(string), b[0].(string)) })
	slices.SortFunc(newRows, func(a, b []any) int {
		return cmp.Or(cmp.Compare(a[0].(string), b[0].(string)), cmp.Compare(a[1].(int64), b[1].(int64)))
	})
	for _, ids := range [][]int64{closeIDs, deleteIDs, reopenIDs} {
		slices.Sort(ids)
	}
	if _, err := tx.upsert(ctx, departmentsTable, deptRows); err != nil {
		return err
	}
	if _, err := tx.upsert(ctx, employeesTable, empRows); err != nil {
		return err
	}
	if len(deleteIDs) > 0 {
		if _, err := tx.exec(ctx, "DELETE FROM memberships WHERE id IN "+db.d.in(tBigint), db.d.list(deleteIDs)); err != nil {
			return err
		}
	}
	if len(closeIDs) > 0 {
		if _, err := tx.exec(ctx, "UPDATE memberships SET to_day = ? WHERE id IN "+db.d.in(tBigint), yesterday, db.d.list(closeIDs)); err != nil {
			return err
		}
	}
	if len(reopenIDs) > 0 {
		if _, err := tx.exec(ctx, "UPDATE memberships SET to_day = '' WHERE id IN "+db.d.in(tBigint), db.d.list(reopenIDs)); err != nil {
			return err
		}
	}
	_, err = tx.upsert(ctx, membershipsTable, newRows)
	return err
}

const deptCols = "id, parent_id, name, ord, source_identifier, removed_at, managers"

func deptRow(d kaoqin.Department) []any {
	return []any{d.ID, d.ParentID, d.Name, d.Order, d.SourceIdentifier, d.RemovedAt, jsonList(d.Managers)}
}

func scanDepartment(rows *sql.Rows, d *kaoqin.Department) error {
	var managers string
	if err := rows.Scan(&d.ID, &d.ParentID, &d.Name, &d.Order, &d.SourceIdentifier, &d.RemovedAt, &managers); err != nil {
		return err
	}
	if managers == "[]" || managers == "" {
		return nil
	}
	return json.Unmarshal([]byte(managers), &d.Managers)
}

// sameDepartment reports whether a and b would be stored alike.
func sameDepartment(a, b kaoqin.Department) bool {
	return a.ID == b.ID && a.ParentID == b.ParentID && a.Name == b.Name && a.Order == b.Order &&
		a.SourceIdentifier == b.SourceIdentifier && a.RemovedAt == b.RemovedAt && slices.Equal(a.Managers, b.Managers)
}

// jsonList encodes a list of userids as a JSON array ("[]" for none).
func jsonList(ids []string) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

const empCols = "user_id, name, job_number, title, hired_at, left_at, admin"

func empRow(e kaoqin.Employee) []any {
	return []any{e.UserID, e.Name, e.JobNumber, e.Title, e.HiredAt, e.LeftAt, e.Admin}
}

func scanEmployee(rows *sql.Rows, e *kaoqin.Employee) error {
	return rows.Scan(&e.UserID, &e.Name, &e.JobNumber, &e.Title, &e.HiredAt, &e.LeftAt, &e.Admin)
}

// sameEmployee compares the stored fields; departments are memberships, compared apart.
func sameEmployee(a, b kaoqin.Employee) bool {
	return a.UserID == b.UserID && a.Name == b.Name && a.JobNumber == b.JobNumber && a.Title == b.Title &&
		a.HiredAt == b.HiredAt && a.LeftAt == b.LeftAt && a.Admin == b.Admin
}

const memberCols = "user_id, dept_id, from_day, to_day"

func scanMembership(rows *sql.Rows, m *membership) error {
	return rows.Scan(&m.id, &m.UserID, &m.DeptID, &m.From, &m.To)
}

// Departments returns every department ever seen, removed ones included, sorted by ID.
func (db *DB) Departments(ctx context.Context) (depts []kaoqin.Department, err error) {
	defer wrap(&err, "departments")
	return queryAll(ctx, db.reader(), scanDepartment, "SELECT "+deptCols+" FROM departments ORDER BY id")
}

// Employees returns every employee ever seen, departed ones included, sorted by UserID, with
// their current DeptIDs (those of their open memberships) sorted.
func (db *DB) Employees(ctx context.Context) (emps []kaoqin.Employee, err error) {
	defer wrap(&err, "employees")
	return db.employees(ctx, "", 0)
}

// BriefEmployees returns every employee ever seen, like Employees, with what the reports read:
// their name, job number and hire and leave dates. Their title, whether they are DingTalk
// administrators and their current departments are left out (the reports read each day's
// memberships).
func (db *DB) BriefEmployees(ctx context.Context) (emps []kaoqin.Employee, err error) {
	defer wrap(&err, "employees")
	const cols = "user_id, name, job_number, hired_at, left_at"
	return readMany(ctx, db, func(v *values, e *kaoqin.Employee) error {
		// (A name is a person's own: interned, it would be kept twice.)
		e.UserID, e.Name, e.JobNumber, e.HiredAt, e.LeftAt = v.text(nil), v.text(nil), v.text(nil), v.int(), v.int()
		return v.err
	}, cols, "employees", "user_id")
}

// EmployeesAfter returns, like Employees, the first limit employees whose userids sort after
// after: a large company a page at a time.
func (db *DB) EmployeesAfter(ctx context.Context, after string, limit int) (emps []kaoqin.Employee, err error) {
	defer wrap(&err, "employees")
	if limit < 1 {
		return nil, kaoqin.Errorf(kaoqin.EINVALID, "bad page size %d: want 1 or more", limit)
	}
	return db.employees(ctx, after, limit)
}

// employees reads the employees after after (all with limit 0) and their open memberships.
func (db *DB) employees(ctx context.Context, after string, limit int) ([]kaoqin.Employee, error) {
	// Both queries in one snapshot, so that they see the same org (a SQLite transaction is
	// one; PostgreSQL's default READ COMMITTED would not be).
	tx, err := db.ro.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c := conn{q: tx, d: db.d}
	emps, err := queryMany(ctx, c, scanEmployee, empCols, "employees WHERE user_id > ?", "user_id", limit, after)
	if err != nil || len(emps) == 0 {
		return emps, err
	}
	rows, err := c.query(ctx, `SELECT user_id, dept_id FROM memberships WHERE to_day = '' AND user_id > ? AND user_id <= ?
		ORDER BY user_id, dept_id`, after, emps[len(emps)-1].UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var user string
		var dept int64
		if err := rows.Scan(&user, &dept); err != nil {
			return nil, err
		}
		for i < len(emps) && emps[i].UserID < user {
			i++
		}
		if i < len(emps) && emps[i].UserID == user {
			emps[i].DeptIDs = append(emps[i].DeptIDs, dept)
		}
	}
	return emps, rows.Err()
}

// Memberships returns the memberships that held on any day of [from, to], sorted by UserID,
// DeptID, From.
func (db *DB) Memberships(ctx context.Context, from, to string) (ms []kaoqin.Membership, err error) {
	return db.MembershipsOf(ctx, kaoqin.Filter{From: from, To: to})
}

// MembershipsOf returns, like Memberships, the memberships of f's employees (UserIDs, After,
// Through) that held on any day of [f.From, f.To].
func (db *DB) MembershipsOf(ctx context.Context, f kaoqin.Filter) (ms []kaoqin.Membership, err error) {
	defer wrap(&err, "memberships")
	if err := checkRange(f.From, f.To); err != nil {
		return nil, err
	}
	conds, args := userConds(db.d, f, []string{"(from_day = '' OR from_day <= ?)", "(to_day = '' OR to_day >= ?)"},
		[]any{f.To, f.From})
	in, users := interner{}, &run{}
	return readMany(ctx, db, func(v *values, m *kaoqin.Membership) error {
		m.UserID, m.DeptID, m.From, m.To = v.user(users), v.int(), v.text(in), v.text(in)
		return v.err
	}, memberCols, "memberships WHERE "+strings.Join(conds, " AND "), "user_id, dept_id, from_day", args...)
}
