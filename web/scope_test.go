package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// TestScope_Manager asks every endpoint and export as a manager for data outside their
// subtree (403, or 404 for an employee, so that existence is not revealed) and inside it (200
// with only their people).
func TestScope_Manager(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	doc := loadOpenAPI(t)
	c := e.as("boss")
	other, mine, sub := sprint(e.otherDept), sprint(e.mgrDept), sprint(e.subDept)
	outsider, insider := e.userOutside(e.mgrDept), e.userInside(e.mgrDept)
	range_ := "from=2026-11-01&to=2026-11-17"

	refused := []apiCall{
		{"GET", "/api/v1/daily", "/api/v1/daily?dept=" + other, 403},
		{"GET", "/api/v1/daily", "/api/v1/daily?dept=1", 403},
		{"GET", "/api/v1/daily", "/api/v1/daily?dept=999999999", 403}, // unknown: no hint it does not exist
		{"GET", "/api/v1/daily/export", "/api/v1/daily/export?format=csv&dept=" + other, 403},
		{"GET", "/api/v1/series", "/api/v1/series?dept=" + other, 403},
		{"GET", "/api/v1/period", "/api/v1/period?" + range_ + "&dept=" + other, 403},
		{"GET", "/api/v1/period/export", "/api/v1/period/export?format=xlsx&" + range_ + "&dept=" + other, 403},
		{"GET", "/api/v1/period/export", "/api/v1/period/export?format=csv&" + range_ + "&dept=1", 403},
		{"GET", "/api/v1/employees/{userid}", "/api/v1/employees/" + outsider, 404},
		{"GET", "/api/v1/audit", "/api/v1/audit", 403},
		{"GET", "/api/v1/users", "/api/v1/users", 403},
		{"POST", "/api/v1/sync", "/api/v1/sync", 403},
	}
	for _, call := range refused {
		var resp *response
		if call.method == "POST" {
			resp = c.post(call.url)
		} else {
			resp = c.get(call.url)
		}
		if resp.StatusCode != call.status {
			t.Errorf("manager %s %s: status %d, want %d", call.method, call.url, resp.StatusCode, call.status)
			continue
		}
		validate(t, doc, call.method, call.route, call.status, resp.body)
		if call.route == "/api/v1/employees/{userid}" {
			// The same answer as for someone who does not exist.
			unknown := c.get("/api/v1/employees/0000000000000000")
			if strings.ReplaceAll(resp.text(), outsider, "X") != strings.ReplaceAll(unknown.text(), "0000000000000000", "X") {
				t.Errorf("an employee outside and one unknown answer differently:\n%s\n%s", resp.body, unknown.body)
			}
		} else if strings.Contains(resp.text(), outsider) {
			t.Errorf("manager %s %s: the answer names the outsider", call.method, call.url)
		}
	}
	pages := map[string]int{
		"/today?dept=" + other:                     403,
		"/today/board?dept=" + other:               403,
		"/departments/" + other:                    403,
		"/departments/1":                           403,
		"/employees/" + outsider:                   404,
		"/period?dept=" + other:                    403,
		"/admin/audit":                             403,
		"/admin/users":                             403,
		"/today":                                   200,
		"/today?dept=" + sub:                       200,
		"/departments/" + mine:                     200,
		"/departments/" + sub + "?date=2026-11-17": 200,
		"/employees/" + insider:                    200,
		"/period?" + range_:                        200,
		"/sync":                                    200,
	}
	for path, want := range pages {
		resp := c.get(path)
		if resp.StatusCode != want {
			t.Errorf("manager page %s: status %d, want %d", path, resp.StatusCode, want)
		}
		if want == 403 && strings.Contains(resp.text(), outsider) {
			t.Errorf("manager page %s names the outsider", path)
		}
	}
	if len(e.sync.calls) != 0 {
		t.Errorf("a manager started a sync: %v", e.sync.calls)
	}
	// No "sync now" button for a manager.
	if strings.Contains(c.get("/sync").text(), `action="/sync"`) {
		t.Error("the sync page offers a manager the sync button")
	}

	// Inside: the manager's numbers are their subtree's, and nobody else is there.
	in := e.subtreeUsers(e.mgrDept)
	full, err := report.LoadDaily(context.Background(), e.db, testToday, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	var mgrLine report.Counts
	for _, d := range full.Departments {
		if d.ID == e.mgrDept {
			mgrLine = d.Counts
		}
	}
	var d report.Daily
	c.getJSON("/api/v1/daily", http.StatusOK, &d)
	if d.Company != mgrLine {
		t.Errorf("manager's company line %+v, want their department's %+v", d.Company, mgrLine)
	}
	if !slices.Equal(d.Scope, []int64{e.mgrDept}) {
		t.Errorf("manager's report scope %v, want [%d]", d.Scope, e.mgrDept)
	}
	for _, emp := range d.Employees {
		if !in[emp.UserID] {
			t.Errorf("manager's daily report holds %s from outside their subtree", emp.UserID)
		}
	}
	for _, dd := range d.Departments {
		if !slices.Contains(testSim(t).Truth().Subtree(e.mgrDept), dd.ID) {
			t.Errorf("manager's daily report holds department %d", dd.ID)
		}
	}
	var p report.Period
	c.getJSON("/api/v1/period?"+range_, http.StatusOK, &p)
	if len(p.Employees) != len(in) {
		t.Errorf("manager's period report has %d employees, their subtree %d", len(p.Employees), len(in))
	}
	for _, emp := range p.Employees {
		if !in[emp.UserID] {
			t.Errorf("manager's period report holds %s", emp.UserID)
		}
	}
	var depts struct{ Departments []kaoqin.Department }
	c.getJSON("/api/v1/departments", http.StatusOK, &depts)
	if len(depts.Departments) != len(testSim(t).Truth().Subtree(e.mgrDept)) {
		t.Errorf("manager sees %d departments, their subtree has %d", len(depts.Departments), len(testSim(t).Truth().Subtree(e.mgrDept)))
	}

	// The export holds exactly the subtree's people.
	resp := c.get("/api/v1/period/export?format=csv&" + range_)
	wantStatus(t, resp, http.StatusOK)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(resp.body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 != len(in) {
		t.Errorf("manager's CSV has %d rows, their subtree %d people", len(rows)-1, len(in))
	}
	if strings.Contains(resp.text(), outsider) {
		t.Error("manager's CSV names the outsider")
	}
	// A department inside: the sub-department's people only.
	resp = c.get("/api/v1/daily/export?format=csv&dept=" + sub)
	wantStatus(t, resp, http.StatusOK)
	if a := e.audit(); len(a) == 0 || !strings.Contains(a[0].Target, "dept "+sub) || a[0].User != "boss" {
		t.Errorf("manager's export audited as %+v", a)
	}
	// The employee inside, with department ids limited to the subtree.
	var cal report.Calendar
	c.getJSON("/api/v1/employees/"+insider, http.StatusOK, &cal)
	for _, day := range cal.Days {
		for _, id := range day.DepartmentIDs {
			if !slices.Contains(testSim(t).Truth().Subtree(e.mgrDept), id) {
				t.Errorf("manager sees department %d of %s", id, insider)
			}
		}
	}
}

// TestScope_ManagerWithoutDepartments: an account named manager with no departments sees
// nothing (an empty scope must never mean the whole company).
func TestScope_ManagerWithoutDepartments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addUser("lost", kaoqin.RoleManager)
	c := e.as("lost")
	for _, path := range []string{"/api/v1/daily", "/api/v1/period", "/api/v1/series", "/api/v1/departments",
		"/api/v1/period/export?format=csv", "/api/v1/employees/" + e.userInside(e.mgrDept)} {
		if r := c.get(path); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", path, r.StatusCode)
		}
	}
	if r := c.get("/today"); r.StatusCode != http.StatusForbidden {
		t.Errorf("/today: status %d, want 403", r.StatusCode)
	}
}

// TestScope_HR: HR sees everything but the audit log and the accounts.
func TestScope_HR(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	for path, want := range map[string]int{
		"/api/v1/daily?dept=" + sprint(e.otherDept):                    200,
		"/api/v1/employees/" + e.userOutside(e.mgrDept):                200,
		"/api/v1/period/export?format=csv&dept=" + sprint(e.otherDept): 200,
		"/api/v1/audit": 403,
		"/api/v1/users": 403,
		"/admin/audit":  403,
	} {
		if r := c.get(path); r.StatusCode != want {
			t.Errorf("hr %s: status %d, want %d", path, r.StatusCode, want)
		}
	}
	wantStatus(t, c.post("/api/v1/sync"), http.StatusAccepted)
}
