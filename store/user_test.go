package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

func TestUsers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		admin := &kaoqin.User{Name: "admin", Role: kaoqin.RoleAdmin, PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA"}
		must(t, db.CreateUser(ctx, admin))
		if admin.ID == 0 || admin.CreatedAt != testNow.UnixMilli() {
			t.Errorf("CreateUser left ID %d, CreatedAt %d", admin.ID, admin.CreatedAt)
		}
		mgr := &kaoqin.User{Name: "王经理", Role: kaoqin.RoleManager, DeptIDs: []int64{5, 2}, CreatedAt: 42}
		must(t, db.CreateUser(ctx, mgr))

		t.Run("ErrNameTaken", func(t *testing.T) {
			wantCode(t, db.CreateUser(ctx, &kaoqin.User{Name: "admin", Role: kaoqin.RoleHR}), kaoqin.ECONFLICT)
		})
		t.Run("ErrBadRole", func(t *testing.T) {
			wantCode(t, db.CreateUser(ctx, &kaoqin.User{Name: "x", Role: "root"}), kaoqin.EINVALID)
		})

		got, err := db.UserByName(ctx, "王经理")
		must(t, err)
		if diff := cmp.Diff(mgr, got); diff != "" {
			t.Errorf("UserByName (-want +got):\n%s", diff)
		}
		got, err = db.UserByID(ctx, admin.ID)
		must(t, err)
		if diff := cmp.Diff(admin, got); diff != "" {
			t.Errorf("UserByID (-want +got):\n%s", diff)
		}
		_, err = db.UserByName(ctx, "nobody")
		wantCode(t, err, kaoqin.ENOTFOUND)
		_, err = db.UserByID(ctx, 999)
		wantCode(t, err, kaoqin.ENOTFOUND)

		mgr.Role, mgr.DeptIDs, mgr.PasswordHash, mgr.SessionsAfter, mgr.Disabled = kaoqin.RoleHR, nil, "new", 1234, true
		must(t, db.UpdateUser(ctx, mgr))
		got, err = db.UserByID(ctx, mgr.ID)
		must(t, err)
		if diff := cmp.Diff(mgr, got); diff != "" {
			t.Errorf("after UpdateUser (-want +got):\n%s", diff)
		}
		taken := *mgr
		taken.Name = "admin"
		wantCode(t, db.UpdateUser(ctx, &taken), kaoqin.ECONFLICT)
		wantCode(t, db.UpdateUser(ctx, &kaoqin.User{ID: 999, Name: "ghost", Role: kaoqin.RoleHR}), kaoqin.ENOTFOUND)

		users, err := db.Users(ctx)
		must(t, err)
		if diff := cmp.Diff([]kaoqin.User{*admin, *mgr}, users); diff != "" {
			t.Errorf("Users (-want +got):\n%s", diff)
		}
	})
}

func TestSessions(t *testing.T) {
	clk := &clock{}
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk.Set(testNow)
		must(t, db.CommitSession(ctx, "short", []byte("a"), testNow.Add(time.Minute)))
		must(t, db.CommitSession(ctx, "long", []byte("b"), testNow.Add(time.Hour)))
		must(t, db.CommitSession(ctx, "long", []byte("b2"), testNow.Add(2*time.Hour))) // renewed

		find := func(token string) (string, bool) {
			t.Helper()
			data, found, err := db.FindSession(ctx, token)
			must(t, err)
			return string(data), found
		}
		if data, found := find("long"); !found || data != "b2" {
			t.Errorf("FindSession(long) = %q, %v; want b2, true", data, found)
		}
		if _, found := find("nobody"); found {
			t.Error("found a session that was never committed")
		}

		clk.Set(testNow.Add(time.Minute)) // "short" expires now
		if _, found := find("short"); found {
			t.Error("found an expired session")
		}
		must(t, db.DeleteExpiredSessions(ctx))
		clk.Set(testNow) // had it not been deleted, it would be found again
		if _, found := find("short"); found {
			t.Error("DeleteExpiredSessions kept an expired session")
		}
		if _, found := find("long"); !found {
			t.Error("DeleteExpiredSessions deleted a live session")
		}
		must(t, db.DeleteSession(ctx, "long"))
		must(t, db.DeleteSession(ctx, "long"))
		if _, found := find("long"); found {
			t.Error("found a deleted session")
		}
	}, store.WithNow(clk.Now))
}

func TestAudit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := &kaoqin.AuditEntry{At: 1000, User: "hr", Action: "export", Target: "period 2026-10-26..2026-11-25 dept 5 xlsx", IP: "10.0.0.1"}
		b := &kaoqin.AuditEntry{User: "王经理", Action: "view_employee", Target: "alice"}   // at now
		c := &kaoqin.AuditEntry{At: 1000, User: "hr", Action: "export", Target: "daily"} // same time as a, later
		for _, e := range []*kaoqin.AuditEntry{a, b, c} {
			must(t, db.AddAudit(ctx, e))
		}
		if b.At != testNow.UnixMilli() || a.ID == 0 || a.ID == c.ID {
			t.Errorf("AddAudit: b.At %d, ids %d %d", b.At, a.ID, c.ID)
		}
		got, err := db.Audit(ctx, 0)
		must(t, err)
		if diff := cmp.Diff([]kaoqin.AuditEntry{*b, *c, *a}, got); diff != "" {
			t.Errorf("audit, newest first (-want +got):\n%s", diff)
		}
		got, err = db.Audit(ctx, 2)
		must(t, err)
		if len(got) != 2 || got[1].ID != c.ID {
			t.Errorf("Audit(2) = %+v", got)
		}
	})
}

func TestSettings(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		got, err := db.Settings(ctx)
		must(t, err)
		if len(got) != 0 {
			t.Errorf("a new database has settings %v", got)
		}
		must(t, db.SaveSetting(ctx, "payroll_start_day", "26"))
		must(t, db.SaveSetting(ctx, "other", "x"))
		must(t, db.SaveSetting(ctx, "payroll_start_day", "21")) // the latest wins
		got, err = db.Settings(ctx)
		must(t, err)
		if diff := cmp.Diff(map[string]string{"payroll_start_day": "21", "other": "x"}, got); diff != "" {
			t.Errorf("Settings (-want +got):\n%s", diff)
		}
		wantCode(t, db.SaveSetting(ctx, "", "x"), kaoqin.EINVALID)
	})
}
