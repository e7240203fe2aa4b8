package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// TestScope_PathsStartAtTheScope is issue 15's item 5: a manager's exports showed each
// department's path from the company's root, and the parent of the manager's department
// pointed outside the scope, also in /api/v1/departments, /api/v1/daily and /api/v1/period.
// Inside a scope, paths start at the scope's top and its parent is none (null; an empty cell).
func TestScope_PathsStartAtTheScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("boss")
	var rootName, mgrName string
	for _, d := range e.sim.Truth().Departments() {
		switch d.ID {
		case kaoqin.RootDeptID:
			rootName = d.Name
		case e.mgrDept:
			mgrName = d.Name
		}
	}
	// parent_id of the manager's department must be null: its parent is outside the scope.
	// Decode into pointers, so that null and 0 differ.
	wantTop := func(where string, id int64, parent *int64) {
		t.Helper()
		if id == e.mgrDept && parent != nil {
			t.Errorf("%s: the manager's department has parent_id %d, want null", where, *parent)
		}
		if id != e.mgrDept && parent == nil {
			t.Errorf("%s: department %d has parent_id null, want its parent", where, id)
		}
	}
	var depts struct {
		Departments []struct {
			ID       int64  `json:"id"`
			ParentID *int64 `json:"parent_id"`
		}
	}
	c.getJSON("/api/v1/departments", http.StatusOK, &depts)
	for _, d := range depts.Departments {
		wantTop("/api/v1/departments", d.ID, d.ParentID)
	}
	var rep struct {
		Departments []struct {
			ID       int64  `json:"id"`
			ParentID *int64 `json:"parent_id"`
		}
	}
	for _, u := range []string{"/api/v1/daily", "/api/v1/period?from=2026-11-02&to=2026-11-17"} {
		c.getJSON(u, http.StatusOK, &rep)
		if len(rep.Departments) == 0 {
			t.Errorf("%s: no departments", u)
		}
		for _, d := range rep.Departments {
			wantTop(u, d.ID, d.ParentID)
		}
	}

	// The files: the departments sheet's path and parent columns.
	check := func(where string, rows [][]string) {
		t.Helper()
		if len(rows) < 3 {
			t.Fatalf("%s: %d rows", where, len(rows))
		}
		for _, row := range rows[2:] { // the header, the total
			if strings.Contains(row[2], rootName) || !strings.HasPrefix(row[2], mgrName) {
				t.Errorf("%s: path %q, want it to start at %s without %s", where, row[2], mgrName, rootName)
			}
			if row[0] == sprint(e.mgrDept) && row[3] != "" {
				t.Errorf("%s: the manager's department has parent %q, want none", where, row[3])
			}
		}
	}
	resp := c.get("/api/v1/daily/export?format=csv")
	wantStatus(t, resp, http.StatusOK)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(resp.text(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	check("daily CSV", rows)
	for _, u := range []string{"/api/v1/daily/export?format=xlsx", "/api/v1/period/export?format=xlsx&from=2026-11-02&to=2026-11-17"} {
		resp := c.get(u)
		wantStatus(t, resp, http.StatusOK)
		f, err := excelize.OpenReader(bytes.NewReader(resp.body))
		if err != nil {
			t.Fatal(err)
		}
		sheet := "部门汇总"
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		check(u+" "+sheet, rows)
		f.Close()
	}
}

// TestDepartmentLabels is issue 12's naming complaint, which the pages' lists of people take
// from report.Daily.DepartmentLabels: "一组 / 甲班" named two departments where the company has
// two 一组 with a 甲班 each, and a manager read names above their own department.
func TestDepartmentLabels(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, scope := range [][]int64{nil, {e.mgrDept}} {
		d, err := report.LoadDaily(context.Background(), e.db, testToday, report.Options{Location: shanghai, Now: testNow, DeptIDs: scope})
		if err != nil {
			t.Fatal(err)
		}
		labels := d.DepartmentLabels()
		if len(labels) != len(d.Departments) {
			t.Errorf("scope %v: %d labels for %d departments", scope, len(labels), len(d.Departments))
		}
		names := map[string]int64{}
		for _, dd := range d.Departments {
			l := labels[dd.ID]
			if other, ok := names[l]; ok {
				t.Errorf("scope %v: %q names both %d and %d", scope, l, other, dd.ID)
			}
			names[l] = dd.ID
			if !strings.HasSuffix(l, dd.Name) {
				t.Errorf("scope %v: %d %s is labelled %q", scope, dd.ID, dd.Name, l)
			}
			if scope != nil && dd.ID != e.mgrDept && strings.Count(l, "/") > 0 {
				// A label never reaches above the manager's department.
				top := strings.SplitN(l, "/", 2)[0]
				if !slices.ContainsFunc(d.Departments, func(x report.DailyDepartment) bool { return x.Name == top }) {
					t.Errorf("scope %v: %q names a department outside it", scope, l)
				}
			}
		}
	}
}
