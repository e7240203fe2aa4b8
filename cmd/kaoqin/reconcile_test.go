package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/reconcile"
)

// TestReconcile_Command syncs the last ten days, has an administrator edit a late check-in,
// prices the reconciliation, runs it, and finds the edit among the differences, in every
// format; bad input is one line and exit status 1.
func TestReconcile_Command(t *testing.T) {
	t.Parallel()
	from, to := lastWeek()
	s := newSyncSim(t, dingtalksim.Config{Employees: 40})
	db := filepath.Join(t.TempDir(), "kaoqin.db")
	if status, _, errs := runSync(context.Background(), s.args(db, "--from", from, "--to", to)); status != 0 {
		t.Fatalf("sync: exit %d: %s", status, errs)
	}
	tr := s.sim.Truth()
	var who, day string
	for _, u := range tr.UserIDs() {
		for _, d := range kaoqin.Days(from, to) {
			if x, _ := tr.Day(u, d); x.Outcome == dingtalksim.OutcomeLate && who == "" {
				who, day = u, d
			}
		}
	}
	if who == "" {
		t.Fatal("nobody late in the last ten days")
	}
	must(t, s.sim.EditResult(dingtalksim.ResultEdit{UserID: who, Date: day, CheckType: "OnDuty", TimeResult: "Normal", At: s.sim.Now().Add(-time.Second)}))
	args := func(extra ...string) []string {
		a := s.args(db)
		return append(a[:len(a)-1:len(a)-1], append([]string{"reconcile", "--from", from, "--to", to}, extra...)...)
	}

	before := s.all.Load()
	status, out, errs := runSync(context.Background(), args("--dry-run"))
	if status != 0 || !strings.Contains(out, "people: 40 compared") || !strings.Contains(out, "metered calls: 82 expected") || s.all.Load() != before {
		t.Errorf("dry run: exit %d, %d calls\n%s%s", status, s.all.Load()-before, out, errs)
	}

	status, out, errs = runSync(context.Background(), args("--format", "json"))
	if status != 0 {
		t.Fatalf("reconcile: exit %d: %s", status, errs)
	}
	var res reconcile.Result
	must(t, json.Unmarshal([]byte(out), &res))
	found := false
	for _, d := range res.DifferencesOf(who) {
		for _, x := range d.Days {
			if d.Field == "late_count" && x.Date == day && x.Cause == reconcile.CauseEdited && x.Source == "BOSS" {
				found = true
			}
		}
	}
	if !found || res.People != 40 || res.ID == 0 {
		t.Errorf("the edit is not found: %+v", res.DifferencesOf(who))
	}

	status, out, errs = runSync(context.Background(), args("--lang", "en"))
	if status != 0 || !strings.Contains(out, "an administrator changed the check-in from Late to Normal after kaoqin pulled the day") ||
		!strings.Contains(out, "fix: kaoqin sync --from "+day+" --to "+day+" --refetch") {
		t.Errorf("table: exit %d\n%s%s", status, out, errs)
	}
	status, out, _ = runSync(context.Background(), args("--format", "csv"))
	if status != 0 || !strings.HasPrefix(out, "\uFEFF姓名,UserId,项目") || !strings.Contains(out, day+",1,0,edited_after_pull,本系统拉取后管理员把上班结果由迟到改为正常") {
		t.Errorf("csv: exit %d\n%s", status, out)
	}

	today := kaoqin.DateOf(time.Now(), shanghaiZone())
	for _, bad := range [][]string{
		{"reconcile", "--from", from, "--to", today},
		{"reconcile", "--from", to, "--to", from},
		{"reconcile", "--from", from, "--to", to, "--dept", "42"},
	} {
		a := s.args(db)
		status, out, errs := runSync(context.Background(), append(a[:len(a)-1:len(a)-1], bad...))
		if status != 1 || out != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.HasPrefix(errs, "kaoqin: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", bad, status, out, errs)
		}
	}
}
