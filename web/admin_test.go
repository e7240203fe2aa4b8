package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
)

// TestAdmin_Accounts walks an admin through the accounts on the admin page: create a manager
// with departments, change them, reset the password (the old sessions end), disable the
// account (its session ends, its login is refused), enable it again; every change audited.
func TestAdmin_Accounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.as("admin")
	ctx := context.Background()

	// Create.
	resp := admin.postForm("/admin/users", url.Values{"name": {"李经理"}, "role": {"manager"}, "password": {"first password!"},
		"dept": {sprint(e.mgrDept), sprint(e.otherDept)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/users" {
		t.Fatalf("create: %d to %q; %.300s", resp.StatusCode, resp.Header.Get("Location"), resp.body)
	}
	if page := admin.get("/admin/users").text(); !strings.Contains(page, "已创建账号 李经理") {
		t.Error("the admin page does not say the account was created")
	}
	u, err := e.db.UserByName(ctx, "李经理")
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != kaoqin.RoleManager || !slices.Equal(u.DeptIDs, sorted(e.mgrDept, e.otherDept)) {
		t.Errorf("created %+v", u)
	}
	mgr := e.anon()
	if r := mgr.postForm("/login", url.Values{"name": {"李经理"}, "password": {"first password!"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new account cannot log in: %d", r.StatusCode)
	}

	// Bad forms say what is wrong and create nothing.
	for _, form := range []url.Values{
		{"name": {"bad name"}, "role": {"hr"}, "password": {"first password!"}},
		{"name": {"x"}, "role": {"root"}, "password": {"first password!"}},
		{"name": {"x"}, "role": {"manager"}, "password": {"first password!"}},
		{"name": {"x"}, "role": {"manager"}, "password": {"first password!"}, "dept": {"999"}},
		{"name": {"x"}, "role": {"hr"}, "password": {"short"}},
		{"name": {"李经理"}, "role": {"hr"}, "password": {"first password!"}},
	} {
		r := admin.postForm("/admin/users", form)
		if r.StatusCode < 400 || r.StatusCode >= 500 || !strings.Contains(r.text(), `id="form-error"`) {
			t.Errorf("create %v: %d, want a 4xx page saying what is wrong", form, r.StatusCode)
		}
	}
	if users, _ := e.db.Users(ctx); len(users) != 4 {
		t.Errorf("%d accounts after the bad forms, want 4", len(users))
	}

	// Change the departments, then the password: the manager's session ends.
	id := sprint(u.ID)
	wantStatus(t, admin.postForm("/admin/users/"+id, url.Values{"action": {"update"}, "role": {"manager"}, "dept": {sprint(e.subDept)}}), http.StatusSeeOther)
	if u, _ = e.db.UserByID(ctx, u.ID); !slices.Equal(u.DeptIDs, []int64{e.subDept}) {
		t.Errorf("departments after the change: %v", u.DeptIDs)
	}
	e.clock.Advance(time.Second)
	wantStatus(t, admin.postForm("/admin/users/"+id, url.Values{"action": {"password"}, "password": {"second password!"}}), http.StatusSeeOther)
	if r := mgr.get("/today"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the manager's session outlived the new password: %d", r.StatusCode)
	}
	if r := mgr.postForm("/login", url.Values{"name": {"李经理"}, "password": {"second password!"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("no login with the new password: %d", r.StatusCode)
	}

	// Disable: the session ends and the login is refused; enable: it works again.
	e.clock.Advance(time.Second)
	wantStatus(t, admin.postForm("/admin/users/"+id, url.Values{"action": {"disable"}}), http.StatusSeeOther)
	if r := mgr.get("/today"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled account's session still works: %d", r.StatusCode)
	}
	r := mgr.postForm("/login", url.Values{"name": {"李经理"}, "password": {"second password!"}})
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.text(), "该账号已停用") {
		t.Errorf("a disabled account logs in: %d", r.StatusCode)
	}
	wantStatus(t, admin.postForm("/admin/users/"+id, url.Values{"action": {"enable"}}), http.StatusSeeOther)
	if r := mgr.postForm("/login", url.Values{"name": {"李经理"}, "password": {"second password!"}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("an enabled account cannot log in: %d", r.StatusCode)
	}

	// An admin cannot disable themselves or drop their own admin role.
	me, _ := e.db.UserByName(ctx, "admin")
	for _, form := range []url.Values{{"action": {"disable"}}, {"action": {"update"}, "role": {"hr"}}} {
		if r := admin.postForm("/admin/users/"+sprint(me.ID), form); r.StatusCode != http.StatusBadRequest {
			t.Errorf("%v on yourself: %d, want 400", form, r.StatusCode)
		}
	}
	if r := admin.postForm("/admin/users/99999", url.Values{"action": {"disable"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown account: %d", r.StatusCode)
	}

	// Only admins.
	for _, name := range []string{"hr", "boss"} {
		c := e.as(name)
		for _, path := range []string{"/admin/users", "/admin/users/" + id, "/admin/settings"} {
			if r := c.postForm(path, url.Values{"action": {"disable"}, "name": {"x"}, "role": {"admin"}, "password": {"first password!"}}); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s posts %s: %d, want 403", name, path, r.StatusCode)
			}
		}
	}

	// Every change is in the audit log, newest first.
	var actions []string
	for _, a := range e.audit() {
		if a.User == "admin" {
			actions = append(actions, a.Action)
		}
	}
	want := []string{"user_enable", "user_disable", "user_password", "user_update", "user_create"}
	if !slices.Equal(actions, want) {
		t.Errorf("audited %v, want %v", actions, want)
	}
	page := admin.get("/admin/audit").text()
	for _, w := range []string{"创建账号", "停用账号", "重置密码", "李经理 · 部门主管"} {
		if !strings.Contains(page, w) {
			t.Errorf("the audit page does not say %q", w)
		}
	}
}

// TestAdmin_Settings saves the pay cycle's first day; the period page offers its cycles.
func TestAdmin_Settings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.as("admin")
	// The default: the 26th. Today is 2026-11-18: this cycle is 10-26..11-17 so far.
	page := admin.get("/period").text()
	for _, w := range []string{`from=2026-10-26&amp;sort=department&amp;to=2026-11-17`, `from=2026-09-26&amp;sort=department&amp;to=2026-10-25`, "本考勤周期", "每月 26 日至次月 25 日"} {
		if !strings.Contains(page, w) {
			t.Errorf("the period page does not offer %q", w)
		}
	}
	wantStatus(t, admin.postForm("/admin/settings", url.Values{"payroll_start_day": {"21"}}), http.StatusSeeOther)
	page = admin.get("/period").text()
	for _, w := range []string{`from=2026-10-21&amp;sort=department&amp;to=2026-11-17`, `from=2026-09-21&amp;sort=department&amp;to=2026-10-20`, "每月 21 日至次月 20 日"} {
		if !strings.Contains(page, w) {
			t.Errorf("after setting the 21st, the period page does not offer %q", w)
		}
	}
	for _, bad := range []string{"0", "29", "x", ""} {
		if r := admin.postForm("/admin/settings", url.Values{"payroll_start_day": {bad}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("pay cycle day %q: %d, want 400", bad, r.StatusCode)
		}
	}
	// 1 is the calendar month: no cycle presets.
	wantStatus(t, admin.postForm("/admin/settings", url.Values{"payroll_start_day": {"1"}}), http.StatusSeeOther)
	if page := admin.get("/period").text(); strings.Contains(page, "本考勤周期") || !strings.Contains(page, "自然月") {
		t.Error("a calendar-month cycle still offers cycle presets")
	}
	if a := e.audit(); len(a) == 0 || a[0].Action != "settings" || a[0].Target != "settings payroll_start_day=1" {
		t.Errorf("the setting is not audited: %+v", a)
	}
}

func sorted(ids ...int64) []int64 {
	slices.Sort(ids)
	return ids
}
