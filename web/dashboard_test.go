package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// TestBoard_NotCheckedIn: the board's list is the report's not_checked_in, grouped by
// department, each person with their job number, shift start and minutes overdue, and the
// department's managers; its export is the same list, or the people selected.
func TestBoard_NotCheckedIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	d, err := report.LoadDaily(context.Background(), e.db, testToday, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want, err := d.Absentees(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	notIn, _ := d.Who(0, "not_checked_in")
	if want.Total == 0 || want.Total != len(notIn) {
		t.Fatalf("the fixture's list has %d people, the count %d", want.Total, len(notIn))
	}
	resp := c.get("/today")
	page := resp.text()
	if !resp.Uncompressed { // the client asked for gzip, as browsers do, and unpacked it
		t.Error("the board page was not sent gzipped")
	}
	req, _ := http.NewRequest("GET", e.ts.URL+"/today/board", nil)
	req.Header.Set("HX-Request", "true")
	if r := c.do(req); !r.Uncompressed || !strings.Contains(r.text(), `id="not-checked-in"`) {
		t.Error("the board's refresh was not sent gzipped")
	}
	rows := regexp.MustCompile(`<tr class="pickable" data-userid="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(rows) != want.Total {
		t.Errorf("the board lists %d people, the report %d", len(rows), want.Total)
	}
	groups := regexp.MustCompile(`<tbody data-dept="(\d+)"`).FindAllStringSubmatch(page, -1)
	if len(groups) != len(want.Groups) {
		t.Errorf("%d groups on the board, %d in the report", len(groups), len(want.Groups))
	}
	withManager := 0
	for _, g := range want.Groups {
		if len(g.Managers) > 0 {
			withManager++
			if !strings.Contains(page, "负责人 "+g.Managers[0].Name) {
				t.Errorf("the group %s does not name its manager %s", g.Dept, g.Managers[0].Name)
			}
		}
		for _, p := range g.People {
			if p.JobNumber != "" && !strings.Contains(page, `<small class="sub">`+p.JobNumber+`</small>`) {
				t.Errorf("%s's job number %s is not on the board", p.Name, p.JobNumber)
			}
			if !strings.Contains(page, `data-minutes="`+strconv.Itoa(p.OverdueMinutes)+`"`) {
				t.Errorf("%s's %d minutes overdue are not on the board", p.Name, p.OverdueMinutes)
			}
		}
	}
	if withManager == 0 {
		t.Error("no group names a manager: does the fixture have department managers?")
	}
	if !strings.Contains(page, `data-filter="not-checked-in"`) || !strings.Contains(page, `name="userid"`) {
		t.Error("the list has no search box or no boxes to select people")
	}

	// The export: everyone on the list, or the people selected.
	resp = c.get("/api/v1/daily/export?list=not_checked_in&format=csv&lang=zh")
	wantStatus(t, resp, http.StatusOK)
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(resp.body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != want.Total+1 || recs[0][0] != "部门" || recs[0][5] != "已超时(分钟)" {
		t.Errorf("the export has %d rows (want %d and a header), header %v", len(recs), want.Total, recs[0])
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "kaoqin-not_checked_in-2026-11-18.csv") {
		t.Errorf("file name %q", cd)
	}
	pick := []string{rows[0][1], rows[len(rows)-1][1]}
	resp = c.get("/api/v1/daily/export?list=not_checked_in&format=csv&userid=" + pick[0] + "&userid=" + pick[1])
	recs, _ = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(resp.body, []byte("\ufeff")))).ReadAll()
	if len(recs) != 3 || !slices.ContainsFunc(recs[1:], func(r []string) bool { return r[3] == pick[0] }) {
		t.Errorf("the selection's export: %v", recs)
	}
	if a := e.audit(); len(a) == 0 || a[0].Target != "not_checked_in 2026-11-18..2026-11-18 company csv zh" {
		t.Errorf("the export is not audited: %+v", a[:min(1, len(a))])
	}
	if r := c.get("/api/v1/daily/export?list=everyone&format=csv"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown list: %d", r.StatusCode)
	}

	// A manager's board is their departments', and their list holds their subtree only.
	boss := e.as("boss").get("/today").text()
	for _, dd := range d.Departments {
		if dd.ID == e.mgrDept && !strings.Contains(boss, `<h2 id="board-h">`+dd.Name+`</h2>`) {
			t.Errorf("the manager's board is not headed by their department %s", dd.Name)
		}
	}
	for _, m := range regexp.MustCompile(`<tr class="pickable" data-userid="([^"]+)"`).FindAllStringSubmatch(boss, -1) {
		if !e.subtreeUsers(e.mgrDept)[m[1]] {
			t.Errorf("the manager's list shows %s, outside their departments", m[1])
		}
	}

	// The charts' data is on the board.
	for _, w := range []string{`data-json="{&#34;minutes&#34;`, `data-chart="arrivals"`} {
		if !strings.Contains(page, w) {
			t.Errorf("the board has no %s", w)
		}
	}
}

// TestBoard_Headline: the headline's parts add up to 应到, as report.ComputeDaily counts them.
func TestBoard_Headline(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	page := e.as("hr").get("/today").text()
	d, err := report.LoadDaily(context.Background(), e.db, testToday, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	head := page[strings.Index(page, `class="tile headline"`):]
	head = head[:strings.Index(head, "</dl>")]
	field := func(name string) int {
		// A count that is not 0 links to the people counted in it.
		m := regexp.MustCompile(`data-field="` + name + `"[^>]*>(?:<a href="/departments/all\?date=` + testToday + `&amp;who=` + name + `">)?(\d+)<`).FindStringSubmatch(head)
		if m == nil {
			return 0 // a part not shown is 0
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	c := d.Company
	if got := field("scheduled"); got != c.Scheduled {
		t.Errorf("应到 %d on the board, %d in the report", got, c.Scheduled)
	}
	sum := 0
	for _, f := range []string{"checked_in", "not_checked_in", "awaiting", "on_leave_not_checked_in", "not_due_yet"} {
		sum += field(f)
	}
	if sum != c.Scheduled {
		t.Errorf("the headline's parts add up to %d, not to 应到 %d", sum, c.Scheduled)
	}
	if c.CheckedIn == 0 || c.NotCheckedIn == 0 || c.OnLeaveNotCheckedIn+c.OnLeaveCheckedIn == 0 {
		t.Errorf("the fixture's 09:10 should have people in, not in and on leave: %+v", c)
	}
}

// TestPeriod_SortSearchLeft: the period's employee table sorts by any column, finds people by
// name, job number or department, shows job numbers, and hides the people who left unless
// asked.
func TestPeriod_SortSearchLeft(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	p, err := report.LoadPeriod(context.Background(), e.db, "2026-11-01", "2026-11-17", report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	rowRE := regexp.MustCompile(`<tr data-userid="([^"]+)">`)
	ids := func(path string) []string {
		var out []string
		for _, m := range rowRE.FindAllStringSubmatch(c.get(path).text(), -1) {
			out = append(out, m[1])
		}
		return out
	}
	byID := map[string]report.PeriodEmployee{}
	for _, e := range p.Employees {
		byID[e.UserID] = e
	}
	// Most late minutes first.
	got := ids("/period?from=2026-11-01&to=2026-11-17&sort=late_minutes&desc=1")
	for i := 1; i < len(got); i++ {
		if byID[got[i]].LateMinutes > byID[got[i-1]].LateMinutes {
			t.Fatalf("sorted by late minutes, %s (%d) comes after %s (%d)", got[i], byID[got[i]].LateMinutes, got[i-1], byID[got[i-1]].LateMinutes)
		}
	}
	if byID[got[0]].LateMinutes == 0 {
		t.Error("nobody was late in the fixture?")
	}
	// By job number, ascending.
	got = ids("/period?from=2026-11-01&to=2026-11-17&sort=job_number")
	for i := 1; i < len(got); i++ {
		if byID[got[i]].JobNumber < byID[got[i-1]].JobNumber {
			t.Fatalf("sorted by job number, %s comes after %s", byID[got[i]].JobNumber, byID[got[i-1]].JobNumber)
		}
	}
	// Search by name and by job number.
	someone := p.Employees[7]
	for _, q := range []string{someone.Name, someone.JobNumber} {
		got = ids("/period?from=2026-11-01&to=2026-11-17&q=" + q)
		if !slices.Contains(got, someone.UserID) || len(got) > 5 {
			t.Errorf("searching %q finds %v, want %s", q, got, someone.UserID)
		}
	}
	if r := c.get("/period?sort=nonsense"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad sort column: %d", r.StatusCode)
	}

	// Someone leaves on 11-10: hidden by default, shown with the switch, marked.
	gone := p.Employees[3]
	truth := testSim(t).Truth()
	snap := kaoqin.OrgSnapshot{Day: "2026-11-10", At: testNow.UnixMilli()}
	for _, d := range truth.Departments() {
		snap.Departments = append(snap.Departments, kaoqin.Department{ID: d.ID, ParentID: d.ParentID, Name: d.Name, Order: d.Order, Managers: d.Managers})
	}
	for _, u := range truth.Users() {
		if u.UserID != gone.UserID {
			snap.Employees = append(snap.Employees, kaoqin.Employee{UserID: u.UserID, Name: u.Name, JobNumber: u.JobNumber, DeptIDs: u.DeptIDs})
		}
	}
	if _, err := e.db.SaveOrg(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(ids("/period?from=2026-11-01&to=2026-11-17"), gone.UserID) {
		t.Error("someone who left is shown without the switch")
	}
	page := c.get("/period?from=2026-11-01&to=2026-11-17&left=1").text()
	if !strings.Contains(page, `data-userid="`+gone.UserID+`"`) || !strings.Contains(page, "已离职") {
		t.Error("the switch does not show the people who left, marked")
	}
}

// TestEmployee_Month: the employee page is a month calendar with day numbers, each synced day
// coloured by its status and linked to its checks; the month before is one tap away.
func TestEmployee_Month(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	emp := e.userInside(e.mgrDept)
	cal, err := report.LoadCalendar(context.Background(), e.db, emp, "2026-11-01", testToday, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	page := c.get("/employees/" + emp).text()
	if !strings.Contains(page, "2026年11月") || !strings.Contains(page, `href="?month=2026-10"`) {
		t.Error("no month heading or no way to last month")
	}
	if strings.Contains(page, `href="?month=2026-12"`) {
		t.Error("a link to a month still to come")
	}
	for _, d := range cal.Days {
		if d.Status == report.StatusNone {
			continue
		}
		cell := `<li class="day d-` + d.Status
		if !strings.Contains(page, cell) || !strings.Contains(page, `data-date="`+d.Date+`" data-status="`+d.Status+`"`) {
			t.Errorf("%s (%s) is not a cell of its colour", d.Date, d.Status)
		}
		if !strings.Contains(page, `id="d-`+d.Date+`"`) {
			t.Errorf("%s has no checks to tap to", d.Date)
		}
	}
	// Day numbers: 1 to 18 of November, and the days around them in grey.
	days := regexp.MustCompile(`<li class="day[ "]`).FindAllString(page, -1)
	if len(days)%7 != 0 || len(days) < 21 {
		t.Errorf("%d day cells: not whole weeks", len(days))
	}
	// The month before: synced from 10-20 only; the days before are named.
	prev := c.get("/employees/" + emp + "?month=2026-10")
	wantStatus(t, prev, http.StatusOK)
	if !strings.Contains(prev.text(), "2026-10-01 至 2026-10-19") {
		t.Error("October does not name its days not synced")
	}
	for _, bad := range []string{"?month=2026-13", "?month=x", "?month=2027-01"} {
		if r := c.get("/employees/" + emp + bad); r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, r.StatusCode)
		}
	}
}
