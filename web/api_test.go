package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// apiCall is one request to an API route: the documented pattern, the URL asked, and the
// status expected.
type apiCall struct {
	method, route, url string
	status             int
}

// TestAPI_EveryRoute asks every API route as an admin and checks the status and, for JSON
// answers, the shape against openapi.json.
func TestAPI_EveryRoute(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	doc := loadOpenAPI(t)
	c := e.as("admin")
	emp := e.userInside(e.mgrDept)
	calls := []apiCall{
		{"GET", "/api/v1/me", "/api/v1/me", 200},
		{"GET", "/api/v1/departments", "/api/v1/departments", 200},
		{"GET", "/api/v1/daily", "/api/v1/daily", 200},
		{"GET", "/api/v1/daily", "/api/v1/daily?date=2026-11-17&dept=" + sprint(e.mgrDept), 200},
		{"GET", "/api/v1/daily/export", "/api/v1/daily/export?format=csv", 200},
		{"GET", "/api/v1/series", "/api/v1/series?from=2026-11-01&to=2026-11-18", 200},
		{"GET", "/api/v1/period", "/api/v1/period?from=2026-11-01&to=2026-11-17", 200},
		{"GET", "/api/v1/period/export", "/api/v1/period/export?from=2026-11-01&to=2026-11-17&format=xlsx", 200},
		{"GET", "/api/v1/employees/{userid}", "/api/v1/employees/" + emp, 200},
		{"GET", "/api/v1/sync", "/api/v1/sync", 200},
		{"POST", "/api/v1/sync", "/api/v1/sync", 202},
		{"GET", "/api/v1/audit", "/api/v1/audit", 200},
		{"GET", "/api/v1/users", "/api/v1/users", 200},
		{"GET", "/api/v1/openapi.json", "/api/v1/openapi.json", 200},
		{"GET", "/api/v1/punches", "/api/v1/punches?from=2026-11-16&to=2026-11-17&method=phone_gps&limit=30", 200},
		{"GET", "/api/v1/punches/export", "/api/v1/punches/export?from=2026-11-17&to=2026-11-17&format=csv", 200},
		{"GET", "/api/v1/employees/{userid}/days/{date}", "/api/v1/employees/" + emp + "/days/2026-11-17", 200},
		{"GET", "/api/v1/employees/{userid}/days/{date}", "/api/v1/employees/" + emp + "/days/2026-10-01", 200},
		{"POST", "/api/v1/employees/{userid}/days/{date}/fetch", "/api/v1/employees/" + emp + "/days/2026-11-17/fetch", 503},
		{"GET", "/api/v1/methods", "/api/v1/methods?from=2026-11-09&to=2026-11-17", 200},
		{"GET", "/api/v1/review", "/api/v1/review?from=2026-11-09&to=2026-11-17", 200},
		{"GET", "/api/v1/review/export", "/api/v1/review/export?from=2026-11-09&to=2026-11-17&format=xlsx", 200},
		{"GET", "/api/v1/punches", "/api/v1/punches?from=2026-10-01&to=2026-10-02", 409},
		{"GET", "/api/v1/punches", "/api/v1/punches?method=pigeon", 400},
		// Errors, in their documented shape.
		{"GET", "/api/v1/daily", "/api/v1/daily?date=2026-13-01", 400},
		{"GET", "/api/v1/daily", "/api/v1/daily?dept=abc", 400},
		{"GET", "/api/v1/daily", "/api/v1/daily?dept=999999999", 404},
		{"GET", "/api/v1/daily", "/api/v1/daily?date=2026-10-01", 409},
		{"GET", "/api/v1/series", "/api/v1/series?from=2026-11-18&to=2026-11-01", 400},
		{"GET", "/api/v1/period", "/api/v1/period?from=2025-01-01&to=2026-11-17", 400},
		{"GET", "/api/v1/period", "/api/v1/period?from=2026-10-01&to=2026-10-31", 409},
		{"GET", "/api/v1/period/export", "/api/v1/period/export?format=pdf", 400},
		{"GET", "/api/v1/daily/export", "/api/v1/daily/export?format=csv&lang=fr", 400},
		{"GET", "/api/v1/employees/{userid}", "/api/v1/employees/nobody-here", 404},
		{"GET", "/api/v1/employees/{userid}", "/api/v1/employees/" + emp + "?from=2026-11-01&to=x", 400},
		{"GET", "/api/v1/audit", "/api/v1/audit?limit=0", 400},
	}
	for _, call := range calls {
		var resp *response
		if call.method == "POST" {
			resp = c.post(call.url)
		} else {
			resp = c.get(call.url)
		}
		if resp.StatusCode != call.status {
			t.Errorf("%s %s: status %d, want %d; body %.300s", call.method, call.url, resp.StatusCode, call.status, resp.body)
			continue
		}
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			validate(t, doc, call.method, call.route, call.status, resp.body)
		}
	}
	if got := e.sync.calls; len(got) != 1 || got[0] != "admin" {
		t.Errorf("sync now calls %v, want one by admin", got)
	}
}

// TestAPI_DailyIsTheReport checks that GET /api/v1/daily is exactly the report package's daily
// report of the same rows: the contract of spec/reports.md.
func TestAPI_DailyIsTheReport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	for _, tc := range []struct {
		url   string
		day   string
		depts []int64
	}{
		{"/api/v1/daily", testToday, nil},
		{"/api/v1/daily?date=2026-11-17", "2026-11-17", nil},
		{"/api/v1/daily?date=2026-11-18&dept=" + sprint(e.subDept), testToday, []int64{e.subDept}},
	} {
		want, err := report.LoadDaily(context.Background(), e.db, tc.day, report.Options{Location: shanghai, Now: testNow, DeptIDs: tc.depts})
		if err != nil {
			t.Fatal(err)
		}
		resp := c.getJSON(tc.url, http.StatusOK, nil)
		sameJSON(t, tc.url, resp.body, want)
		if !resp.Uncompressed {
			t.Errorf("%s: not gzipped for a client that takes gzip", tc.url)
		}
		// And plain for a client that does not.
		req, _ := http.NewRequest("GET", e.ts.URL+tc.url, nil)
		req.Header.Set("Accept-Encoding", "identity")
		plain := c.do(req)
		if plain.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: encoded %q for a client that asked for identity", tc.url, plain.Header.Get("Content-Encoding"))
		}
		sameJSON(t, tc.url+" (identity)", plain.body, want)
	}
}

func TestAPI_PeriodIsTheReport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	want, err := report.LoadPeriod(context.Background(), e.db, "2026-10-26", "2026-11-17", report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	resp := c.getJSON("/api/v1/period?from=2026-10-26&to=2026-11-17", http.StatusOK, nil)
	sameJSON(t, "period", resp.body, want)

	// Without a range: the month of yesterday, up to yesterday.
	var p report.Period
	c.getJSON("/api/v1/period", http.StatusOK, &p)
	if p.From != "2026-11-01" || p.To != "2026-11-17" {
		t.Errorf("default period %s..%s, want 2026-11-01..2026-11-17", p.From, p.To)
	}
}

func TestAPI_SeriesAndCalendar(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	want, err := report.LoadSeries(context.Background(), e.db, "2026-10-20", testToday, report.Options{Location: shanghai, Now: testNow, DeptIDs: []int64{e.mgrDept}})
	if err != nil {
		t.Fatal(err)
	}
	resp := c.getJSON("/api/v1/series?from=2026-10-20&to=2026-11-18&dept="+sprint(e.mgrDept), http.StatusOK, nil)
	sameJSON(t, "series", resp.body, want)

	// Default: the 30 days ending today (the fixture starts exactly then).
	var def report.Series
	c.getJSON("/api/v1/series", http.StatusOK, &def)
	if def.From != "2026-10-20" || def.To != testToday || len(def.Days) != 30 {
		t.Errorf("default series %s..%s with %d days, want the 30 days ending today", def.From, def.To, len(def.Days))
	}

	emp := e.userInside(e.mgrDept)
	cal, err := report.LoadCalendar(context.Background(), e.db, emp, "2026-11-01", "2026-11-18", report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	resp = c.getJSON("/api/v1/employees/"+emp+"?from=2026-11-01&to=2026-11-18", http.StatusOK, nil)
	sameJSON(t, "calendar", resp.body, cal)

	// Without a range: the synced days of the last 60.
	var got report.Calendar
	c.getJSON("/api/v1/employees/"+emp, http.StatusOK, &got)
	if got.From != fixtureFrom || got.To != testToday {
		t.Errorf("default calendar %s..%s, want %s..%s (the synced stretch)", got.From, got.To, fixtureFrom, testToday)
	}
}

// TestAPI_NotSynced checks that days not synced are refused with 409, the days and the
// command to run, never zeros.
func TestAPI_NotSynced(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("admin")
	for _, url := range []string{
		"/api/v1/daily?date=2026-11-19",
		"/api/v1/period?from=2026-10-15&to=2026-10-25",
		"/api/v1/period/export?from=2026-10-15&to=2026-10-25&format=csv",
		"/api/v1/daily/export?date=2026-10-01&format=xlsx",
		"/api/v1/series?from=2026-10-15&to=2026-10-25",
		"/api/v1/employees/" + e.userInside(e.mgrDept) + "?from=2026-10-15&to=2026-10-25",
	} {
		resp := c.getJSON(url, http.StatusConflict, nil)
		b := errorBody(t, resp)
		if b.Code != kaoqin.ENOTSYNCED || !strings.Contains(b.Message, "kaoqin sync") || len(b.MissingDays) == 0 {
			t.Errorf("%s: %+v, want not_synced with the days and the command", url, b)
		}
		for _, d := range b.MissingDays {
			if d >= fixtureFrom && d <= testToday {
				t.Errorf("%s: %s listed as missing but it is synced", url, d)
			}
		}
	}
	if n := len(e.audit()); n != 0 {
		t.Errorf("refused exports and views wrote %d audit rows", n)
	}
}

// TestAPI_Cache checks that the board's report is reused while the data is unchanged and
// recomputed as soon as a sync marks the day again.
func TestAPI_Cache(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	var first, second, third report.Daily
	c.getJSON("/api/v1/daily", http.StatusOK, &first)
	e.clock.Advance(3 * 1e9) // 3 s: within the TTL
	c.getJSON("/api/v1/daily", http.StatusOK, &second)
	if !second.GeneratedAt.Equal(first.GeneratedAt.Time) {
		t.Errorf("report recomputed within the TTL: %v then %v", first.GeneratedAt, second.GeneratedAt)
	}
	syncedAt := testNow.Add(5 * 1e9)
	if err := e.db.MarkCovered(context.Background(), []kaoqin.DayCoverage{{Day: testToday, SyncedAt: syncedAt.UnixMilli()}}); err != nil {
		t.Fatal(err)
	}
	c.getJSON("/api/v1/daily", http.StatusOK, &third)
	if !third.SyncedAt.Equal(syncedAt) || third.GeneratedAt.Equal(first.GeneratedAt.Time) {
		t.Errorf("after a sync: synced_at %v generated_at %v, want a fresh report synced at %v", third.SyncedAt, third.GeneratedAt, syncedAt)
	}
	e.clock.Advance(20 * 1e9) // past the TTL
	var fourth report.Daily
	c.getJSON("/api/v1/daily", http.StatusOK, &fourth)
	if !fourth.GeneratedAt.After(third.GeneratedAt.Time) {
		t.Errorf("report not recomputed after the TTL: %v", fourth.GeneratedAt)
	}
}

// sameJSON compares a JSON body with v marshalled.
func sameJSON(t *testing.T, what string, body []byte, v any) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("%s: the API's JSON differs from the report package's (%d vs %d bytes)", what, len(bytes.TrimSpace(body)), len(want))
	}
}
