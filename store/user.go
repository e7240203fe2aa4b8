package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/kaoqin/kaoqin"
)

const userCols = "id, name, role, dept_ids, password_hash, created_at, sessions_after, disabled"

func checkUser(u *kaoqin.User) error {
	if u.Name == "" {
		return kaoqin.Errorf(kaoqin.EINVALID, "A user needs a name.")
	}
	switch u.Role {
	case kaoqin.RoleAdmin, kaoqin.RoleHR, kaoqin.RoleManager:
		return nil
	}
	return kaoqin.Errorf(kaoqin.EINVALID, "Unknown role %q: want %s, %s or %s.", u.Role, kaoqin.RoleAdmin, kaoqin.RoleHR, kaoqin.RoleManager)
}

// CreateUser inserts u and sets its ID (and CreatedAt, if 0, to now). ECONFLICT if the name is
// taken.
func (db *DB) CreateUser(ctx context.Context, u *kaoqin.User) (err error) {
	defer wrap(&err, "create user")
	if err := checkUser(u); err != nil {
		return err
	}
	if u.CreatedAt == 0 {
		u.CreatedAt = db.nowMs()
	}
	deptIDs, err := json.Marshal(u.DeptIDs)
	if err != nil {
		return err
	}
	err = db.writer().queryRow(ctx, `INSERT INTO users (name, role, dept_ids, password_hash, created_at, sessions_after, disabled)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, u.Name, u.Role, string(deptIDs), u.PasswordHash, u.CreatedAt, u.SessionsAfter, u.Disabled).Scan(&u.ID)
	if isUniqueViolation(err) {
		return kaoqin.Errorf(kaoqin.ECONFLICT, "The user name %q is taken.", u.Name)
	}
	return err
}

// UpdateUser saves u's name, role, departments, password hash, SessionsAfter and Disabled.
// ENOTFOUND if there is no user u.ID; ECONFLICT if the new name is taken.
func (db *DB) UpdateUser(ctx context.Context, u *kaoqin.User) (err error) {
	defer wrap(&err, "update user")
	if err := checkUser(u); err != nil {
		return err
	}
	deptIDs, err := json.Marshal(u.DeptIDs)
	if err != nil {
		return err
	}
	n, err := db.writer().execN(ctx, "UPDATE users SET name = ?, role = ?, dept_ids = ?, password_hash = ?, sessions_after = ?, disabled = ? WHERE id = ?",
		u.Name, u.Role, string(deptIDs), u.PasswordHash, u.SessionsAfter, u.Disabled, u.ID)
	if isUniqueViolation(err) {
		return kaoqin.Errorf(kaoqin.ECONFLICT, "The user name %q is taken.", u.Name)
	} else if err != nil {
		return err
	}
	if n == 0 {
		return kaoqin.Errorf(kaoqin.ENOTFOUND, "User %d not found.", u.ID)
	}
	return nil
}

// UserByName returns the user called name; ENOTFOUND if there is none.
func (db *DB) UserByName(ctx context.Context, name string) (u *kaoqin.User, err error) {
	defer wrap(&err, "user by name")
	u, err = db.user(ctx, "name = ?", name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "User %q not found.", name)
	}
	return u, err
}

// UserByID returns user id; ENOTFOUND if there is none.
func (db *DB) UserByID(ctx context.Context, id int64) (u *kaoqin.User, err error) {
	defer wrap(&err, "user by id")
	u, err = db.user(ctx, "id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "User %d not found.", id)
	}
	return u, err
}

func (db *DB) user(ctx context.Context, cond string, arg any) (*kaoqin.User, error) {
	rows, err := db.reader().query(ctx, "SELECT "+userCols+" FROM users WHERE "+cond, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, sql.ErrNoRows
	}
	var u kaoqin.User
	if err := scanUser(rows, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// Users returns every user, sorted by ID.
func (db *DB) Users(ctx context.Context) (users []kaoqin.User, err error) {
	defer wrap(&err, "users")
	return queryAll(ctx, db.reader(), scanUser, "SELECT "+userCols+" FROM users ORDER BY id")
}

func scanUser(rows *sql.Rows, u *kaoqin.User) error {
	var deptIDs string
	if err := rows.Scan(&u.ID, &u.Name, &u.Role, &deptIDs, &u.PasswordHash, &u.CreatedAt, &u.SessionsAfter, &u.Disabled); err != nil {
		return err
	}
	return json.Unmarshal([]byte(deptIDs), &u.DeptIDs)
}
