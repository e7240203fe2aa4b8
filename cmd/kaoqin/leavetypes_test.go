package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/store"
)

// TestSync_LeaveTypes pulls leave by type after the attendance, prices it in a dry run, and
// pulls nothing the second time.
func TestSync_LeaveTypes(t *testing.T) {
	t.Parallel()
	from, to := lastWeek()
	s := newSyncSim(t, dingtalksim.Config{Employees: 120})
	db := filepath.Join(t.TempDir(), "kaoqin.db")
	status, out, errs := runSync(context.Background(), s.args(db, "--from", from, "--to", to, "--leave-types", "--json"))
	if status != 0 {
		t.Fatalf("exit %d: %s", status, errs)
	}
	var sums struct {
		Sync       summaryJSON `json:"sync"`
		LeaveTypes summaryJSON `json:"leave_types"`
	}
	must(t, json.Unmarshal([]byte(out), &sums))
	c := s.sim.Counters()
	if sums.Sync.Status != kaoqin.RunOK || sums.LeaveTypes.Status != kaoqin.RunOK || sums.LeaveTypes.Rows == 0 ||
		sums.LeaveTypes.CallsBy["/topapi/attendance/getleavetimebynames"] != c["/topapi/attendance/getleavetimebynames"].Calls ||
		sums.Sync.Metered+sums.LeaveTypes.Metered != c.Total().Metered {
		t.Errorf("summaries %+v\nsimulator %+v", sums, c)
	}
	st, err := store.Open(context.Background(), db)
	must(t, err)
	times, err := st.LeaveTimes(context.Background(), kaoqin.Filter{From: from, To: to})
	st.Close()
	must(t, err)
	people := map[string]bool{}
	for _, lt := range times {
		people[lt.UserID] = true
	}
	if len(people) == 0 || int64(len(people)) != c["/topapi/attendance/getleavetimebynames"].Calls {
		t.Errorf("%d people with leave by type, %d calls: want one call a person on leave", len(people), c["/topapi/attendance/getleavetimebynames"].Calls)
	}

	status, out, errs = runSync(context.Background(), s.args(db, "--from", from, "--to", to, "--leave-types", "--dry-run"))
	if status != 0 || !strings.Contains(out, "then leave by type "+from+".."+to) || !strings.Contains(out, "0 calls of /topapi/attendance/getleavetimebynames") ||
		!strings.Contains(out, "metered calls: 0 expected") {
		t.Errorf("dry run after the pull: exit %d\n%s%s", status, out, errs)
	}
	status, _, errs = runSync(context.Background(), s.args(db, "--org-only", "--leave-types"))
	if status != 2 || !strings.Contains(errs, "--org-only and --leave-types") {
		t.Errorf("--org-only --leave-types: exit %d %s", status, errs)
	}
}
