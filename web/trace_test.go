package web_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin/report"
)

// TestAPI_Trace: with ?field=, the employee API answers the days, checks and leaves behind
// one number of the period report, as the report traces them, in the document's shape; a
// manager traces only their people; an unknown field is refused.
func TestAPI_Trace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	const from, to = "2026-11-01", "2026-11-17"
	p, err := report.LoadPeriod(context.Background(), e.db, from, to, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	var emp report.PeriodEmployee
	for _, pe := range p.Employees {
		if pe.LateCount > 1 {
			emp = pe
			break
		}
	}
	if emp.UserID == "" {
		t.Fatal("nobody late twice in the fixture")
	}
	path := "/api/v1/employees/" + emp.UserID + "?from=" + from + "&to=" + to + "&field=late_count"
	resp := c.getJSON(path, http.StatusOK, nil)
	validate(t, loadOpenAPI(t), "GET", "/api/v1/employees/{userid}", http.StatusOK, resp.body)
	want, err := report.LoadTrace(context.Background(), e.db, emp.UserID, from, to, "late_count", report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "trace", resp.body, want)
	days, _ := p.Days(emp.UserID, "late_count")
	if want.Value != float64(emp.LateCount) || len(want.Days) != len(days) {
		t.Errorf("trace of %d lates on %d days, the period report says %d on %v", int(want.Value), len(want.Days), emp.LateCount, days)
	}

	wantStatus(t, c.get("/api/v1/employees/"+emp.UserID+"?from="+from+"&to="+to+"&field=lateness"), http.StatusBadRequest)
	page := c.get("/employees/" + emp.UserID + "?from=" + from + "&to=" + to + "&field=late_count")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(string(page.body), `id="trace"`) {
		t.Error("the employee page does not trace the count")
	}
	// The period report's links go there, and a department's count to its people.
	period := c.get("/period?from=" + from + "&to=" + to)
	if !strings.Contains(string(period.body), "/employees/"+emp.UserID+"?field=late_count&amp;from="+from+"&amp;to="+to+"#trace") {
		t.Error("the period report does not link the person's late count to its trace")
	}
	who := c.get("/period?from=" + from + "&to=" + to + "&who=late_count")
	wantStatus(t, who, http.StatusOK)
	if !strings.Contains(string(who.body), `id="who"`) || !strings.Contains(string(who.body), `data-userid="`+emp.UserID+`"`) {
		t.Error("the people of the late count do not list a person late")
	}
	wantStatus(t, c.get("/period?from="+from+"&to="+to+"&who=lateness"), http.StatusBadRequest)

	// A manager traces their people's numbers, not the others'.
	m := e.as("boss")
	wantStatus(t, m.get("/api/v1/employees/"+e.userInside(e.mgrDept)+"?from="+from+"&to="+to+"&field=attended_days"), http.StatusOK)
	wantStatus(t, m.get("/api/v1/employees/"+e.userInside(e.otherDept)+"?from="+from+"&to="+to+"&field=attended_days"), http.StatusNotFound)
	wantStatus(t, c.get("/departments/all?date=2026-11-17&who=lateness"), http.StatusBadRequest)
}

// TestAPI_Who: the API's people behind a count are report.Who's, for a day and for a range,
// for a department and for the whole, in the document's shape; on the pages, the board's
// department tree and the department's 30-day table link their counts to the same people.
func TestAPI_Who(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	doc := loadOpenAPI(t)
	type who struct {
		People []struct {
			UserID string  `json:"userid"`
			Value  float64 `json:"value"`
		} `json:"people"`
	}
	ids := func(w who) []string {
		out := []string{}
		for _, p := range w.People {
			out = append(out, p.UserID)
		}
		return out
	}
	const day = "2026-11-17"
	d, err := report.LoadDaily(context.Background(), e.db, day, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	deptParam := func(dept int64) string {
		if dept == 0 {
			return ""
		}
		return "&dept=" + sprint(dept)
	}
	for _, dept := range []int64{0, e.mgrDept} {
		want, err := d.Who(dept, "late")
		if err != nil {
			t.Fatal(err)
		}
		var got who
		resp := c.getJSON("/api/v1/daily/who?date="+day+"&field=late"+deptParam(dept), http.StatusOK, &got)
		validate(t, doc, "GET", "/api/v1/daily/who", http.StatusOK, resp.body)
		if len(want) == 0 || strings.Join(ids(got), ",") != strings.Join(want, ",") {
			t.Errorf("dept %d: late on %s %v, report.Who says %v", dept, day, ids(got), want)
		}
	}
	const from, to = "2026-11-01", "2026-11-17"
	p, err := report.LoadPeriod(context.Background(), e.db, from, to, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, dept := range []int64{0, e.mgrDept} {
		want, err := p.Who(dept, "late_count")
		if err != nil {
			t.Fatal(err)
		}
		var got who
		resp := c.getJSON("/api/v1/period/who?from="+from+"&to="+to+"&field=late_count"+deptParam(dept), http.StatusOK, &got)
		validate(t, doc, "GET", "/api/v1/period/who", http.StatusOK, resp.body)
		if len(want) == 0 || strings.Join(ids(got), ",") != strings.Join(want, ",") {
			t.Errorf("dept %d: late in %s..%s %v, report.Who says %v", dept, from, to, ids(got), want)
		}
		for _, pp := range got.People {
			if pp.Value == 0 {
				t.Errorf("%s is listed with no late", pp.UserID)
			}
		}
	}
	// The tree's 已到/应到 and the trend table's counts of the day open the department page of
	// that day listing report.Who's people, as many as the count says; a 0 is no link.
	var dd report.DailyDepartment
	for _, x := range d.Departments {
		if x.ID == e.mgrDept {
			dd = x
		}
	}
	board := c.get("/today?date=" + day).text()
	tree := board[strings.Index(board, `id="tree-h"`):]
	trend := c.get("/departments/" + sprint(e.mgrDept) + "?date=" + day).text()
	i := strings.Index(trend, `<tr data-date="`+day+`">`)
	if i < 0 {
		t.Fatalf("the 30-day table of department %d has no row of %s", e.mgrDept, day)
	}
	row := trend[i:]
	row = row[:strings.Index(row, "</tr>")]
	for _, tc := range []struct {
		where, page, field string
		n                  int
	}{
		{"tree", tree, "checked_in", dd.Counts.CheckedIn},
		{"tree", tree, "scheduled", dd.Counts.Scheduled},
		{"trend", row, "scheduled", dd.Counts.Scheduled},
		{"trend", row, "late", dd.Counts.Late},
		{"trend", row, "absent", dd.Counts.Absent},
	} {
		link := "/departments/" + sprint(e.mgrDept) + "?date=" + day + "&amp;who=" + tc.field
		if tc.n == 0 {
			if strings.Contains(tc.page, link) {
				t.Errorf("%s: a %s of 0 is a link", tc.where, tc.field)
			}
			continue
		}
		if !strings.Contains(tc.page, `<a href="`+link+`">`+sprint(tc.n)+`</a>`) {
			t.Errorf("%s: no link of %s %d to %s", tc.where, tc.field, tc.n, link)
			continue
		}
		want, err := d.Who(e.mgrDept, tc.field)
		if err != nil {
			t.Fatal(err)
		}
		people := c.get(strings.ReplaceAll(link, "&amp;", "&")).text()
		got := regexp.MustCompile(`<tr data-userid="([^"]+)" data-status=`).FindAllStringSubmatch(people, -1)
		if len(got) != tc.n || len(want) != tc.n {
			t.Errorf("%s: %s %d opens %d people; report.Who says %d", tc.where, tc.field, tc.n, len(got), len(want))
		}
		for _, m := range got {
			if !slices.Contains(want, m[1]) {
				t.Errorf("%s: %s lists %s, not counted in it", tc.where, tc.field, m[1])
			}
		}
	}
	if dd.Counts.Late == 0 || dd.Counts.CheckedIn == 0 {
		t.Errorf("the fixture's department %d has nobody late or in on %s: %+v", e.mgrDept, day, dd.Counts)
	}

	wantStatus(t, c.get("/api/v1/daily/who?date="+day+"&field=lateness"), http.StatusBadRequest)
	wantStatus(t, c.get("/api/v1/period/who?from="+from+"&to="+to+"&field=lateness"), http.StatusBadRequest)
}
