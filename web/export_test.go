package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin/report"
)

// TestExport_SameAsReportCommand checks that the downloads are what `kaoqin report` writes for
// the same range, scope and language: CSV byte for byte, XLSX entry by entry (excelize stamps
// the workbook's creation time, if anywhere, in docProps).
func TestExport_SameAsReportCommand(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	ctx := context.Background()
	for _, tc := range []struct {
		url, name string
		load      func() (report.Report, error)
		format    report.Format
		lang      report.Lang
	}{
		{"/api/v1/period/export?from=2026-10-26&to=2026-11-17&format=csv", "kaoqin-period-2026-10-26-2026-11-17.csv",
			func() (report.Report, error) {
				return report.LoadPeriod(ctx, e.db, "2026-10-26", "2026-11-17", report.Options{Location: shanghai, Now: testNow})
			}, report.FormatCSV, report.Chinese},
		{"/api/v1/period/export?from=2026-10-26&to=2026-11-17&format=xlsx&lang=en&dept=" + sprint(e.mgrDept),
			"kaoqin-period-2026-10-26-2026-11-17-dept" + sprint(e.mgrDept) + ".xlsx",
			func() (report.Report, error) {
				return report.LoadPeriod(ctx, e.db, "2026-10-26", "2026-11-17", report.Options{Location: shanghai, Now: testNow, DeptIDs: []int64{e.mgrDept}})
			}, report.FormatXLSX, report.English},
		{"/api/v1/daily/export?date=2026-11-18&format=xlsx", "kaoqin-daily-2026-11-18.xlsx",
			func() (report.Report, error) {
				return report.LoadDaily(ctx, e.db, testToday, report.Options{Location: shanghai, Now: testNow})
			}, report.FormatXLSX, report.Chinese},
		{"/api/v1/daily/export?date=2026-11-17&format=csv&lang=en", "kaoqin-daily-2026-11-17.csv",
			func() (report.Report, error) {
				return report.LoadDaily(ctx, e.db, "2026-11-17", report.Options{Location: shanghai, Now: testNow})
			}, report.FormatCSV, report.English},
	} {
		resp := c.get(tc.url)
		wantStatus(t, resp, http.StatusOK)
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="`+tc.name+`"` {
			t.Errorf("%s: Content-Disposition %q, want the file %s", tc.url, cd, tc.name)
		}
		r, err := tc.load()
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := report.Write(&want, r, tc.format, tc.lang); err != nil {
			t.Fatal(err)
		}
		if tc.format == report.FormatCSV {
			if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("%s: Content-Type %q", tc.url, ct)
			}
			if !bytes.Equal(resp.body, want.Bytes()) {
				t.Errorf("%s: the CSV differs from kaoqin report's (%d vs %d bytes)", tc.url, len(resp.body), want.Len())
			}
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
			t.Errorf("%s: Content-Type %q", tc.url, ct)
		}
		sameZip(t, tc.url, resp.body, want.Bytes())
	}
}

func sameZip(t *testing.T, what string, got, want []byte) {
	t.Helper()
	read := func(b []byte) map[string]string {
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("%s: not a zip: %v", what, err)
		}
		out := map[string]string{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			out[f.Name] = string(data)
		}
		return out
	}
	g, w := read(got), read(want)
	if len(g) != len(w) {
		t.Errorf("%s: %d entries, want %d", what, len(g), len(w))
	}
	for name, data := range w {
		if strings.HasPrefix(name, "docProps/") {
			continue
		}
		if g[name] != data {
			t.Errorf("%s: entry %s differs from kaoqin report's", what, name)
		}
	}
}

// TestExport_Audited checks that every export is in the audit log with who, what, the range,
// the scope and the format, and every employee view too.
func TestExport_Audited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	hr := e.as("hr")
	boss := e.as("boss")
	emp := e.userInside(e.mgrDept)
	wantStatus(t, hr.get("/api/v1/period/export?from=2026-11-01&to=2026-11-17&format=xlsx"), 200)
	wantStatus(t, boss.get("/api/v1/daily/export?date=2026-11-17&format=csv&lang=en"), 200)
	wantStatus(t, hr.get("/employees/"+emp+"?from=2026-11-01&to=2026-11-18"), 200)
	wantStatus(t, boss.get("/api/v1/employees/"+emp), 200)
	a := e.audit() // newest first
	if len(a) != 4 {
		t.Fatalf("audit log has %d entries, want 4: %+v", len(a), a)
	}
	want := []struct{ user, action, target string }{
		{"boss", "view_employee", "employee " + emp + " " + fixtureFrom + ".." + testToday + " dept " + sprint(e.mgrDept)},
		{"hr", "view_employee", "employee " + emp + " 2026-11-01..2026-11-18 company"},
		{"boss", "export", "daily 2026-11-17..2026-11-17 dept " + sprint(e.mgrDept) + " csv en"},
		{"hr", "export", "period 2026-11-01..2026-11-17 company xlsx zh"},
	}
	for i, w := range want {
		if a[i].User != w.user || a[i].Action != w.action || a[i].Target != w.target || a[i].IP != "127.0.0.1" || a[i].At != testNow.UnixMilli() {
			t.Errorf("audit[%d] = %+v, want %+v from 127.0.0.1 at the test's now", i, a[i], w)
		}
	}
	// Admins read it, through the API and the page.
	var got struct {
		Entries []struct{ User, Action, Target string }
	}
	e.as("admin").getJSON("/api/v1/audit?limit=2", http.StatusOK, &got)
	if len(got.Entries) != 2 || got.Entries[0].Target != want[0].target {
		t.Errorf("GET /api/v1/audit?limit=2 = %+v", got.Entries)
	}
	page := e.as("admin").get("/admin/audit")
	wantStatus(t, page, 200)
	// In words: what was exported, the range, the scope, the format; whose attendance was seen.
	name := ""
	for _, u := range testSim(t).Truth().Users() {
		if u.UserID == emp {
			name = u.Name
		}
	}
	for _, w := range []string{"导出", "周期报表，2026-11-01 至 2026-11-17，范围：全公司 · XLSX · 中文", "查看员工", name + " ("} {
		if !strings.Contains(page.text(), w) {
			t.Errorf("the audit page does not say %q", w)
		}
	}
	if strings.Contains(page.text(), emp) {
		t.Error("the audit page shows a raw userid instead of the employee's name")
	}
}
