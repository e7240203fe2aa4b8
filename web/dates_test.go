package web_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// allocated returns the bytes the process allocated while fn ran. Tests that use it are not
// parallel, so that nothing else allocates meanwhile.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// serve answers req in process, as the logged-in client c (its session cookie).
func (c *client) serve(method, target string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	u, _ := req.URL.Parse(c.e.ts.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	c.e.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// TestRange_CheckedFromItsEnds is issue 15's item 1: a range of eight thousand years was
// expanded day by day (413 MB) before its length was checked. Every route that takes a range
// refuses it with a 400 after looking at its two ends only.
func TestRange_CheckedFromItsEnds(t *testing.T) {
	e := newEnv(t)
	emp := e.userInside(e.mgrDept)
	var most uint64
	defer func() { t.Logf("the costliest refusal allocated %d KB", most>>10) }()
	for _, who := range []string{"boss", "admin"} {
		c := e.as(who)
		for _, target := range []string{
			"/api/v1/period?from=0001-01-01&to=9999-12-30",
			"/api/v1/period/export?format=xlsx&from=0001-01-01&to=9999-12-30",
			"/api/v1/series?from=0001-01-01&to=9999-12-30",
			"/api/v1/employees/" + emp + "?from=0001-01-01&to=9999-12-30",
			"/period?from=0001-01-01&to=9999-12-30",
			"/employees/" + emp + "?from=0001-01-01&to=9999-12-30",
			"/api/v1/period?from=2017-01-01&to=2026-11-17", // inside the calendar, but years long
		} {
			var rec *httptest.ResponseRecorder
			n := allocated(func() { rec = c.serve(http.MethodGet, target) })
			most = max(most, n)
			if rec.Code != http.StatusBadRequest {
				t.Errorf("%s GET %s: status %d, want 400; body %.200s", who, target, rec.Code, rec.Body)
			}
			if n > 4<<20 {
				t.Errorf("%s GET %s: allocated %d MB to refuse it", who, target, n>>20)
			}
		}
	}
}

// TestDates_OutsideTheCalendar is issue 15's item 2: 9999-12-31 crashed handlers (the day after
// it, "10000-01-01", sorts before it as text), with a plain-text 500 and a stack in the log.
// Days before 2017 or after a year from today are a 400 that says which days are possible.
func TestDates_OutsideTheCalendar(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	emp := e.userInside(e.mgrDept)
	c := e.as("admin")
	for _, target := range []string{
		"/api/v1/daily?date=9999-12-31",
		"/api/v1/daily/export?format=csv&date=9999-12-31",
		"/api/v1/series?from=2026-11-01&to=9999-12-31",
		"/api/v1/period?from=9999-12-31&to=9999-12-31",
		"/api/v1/period/export?format=csv&from=9999-12-30&to=9999-12-31",
		"/api/v1/employees/" + emp + "?from=9999-12-01&to=9999-12-31",
		"/today?date=9999-12-31",
		"/today/board?date=9999-12-31",
		"/departments/" + sprint(e.mgrDept) + "?date=9999-12-31",
		"/period?from=9999-12-31&to=9999-12-31",
		"/employees/" + emp + "?from=9999-12-31&to=9999-12-31",
		"/api/v1/daily?date=2016-12-31",
		"/api/v1/daily?date=2027-11-19", // a year and a day after the fixture's today
	} {
		resp := c.get(target)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 400; body %.200s", target, resp.StatusCode, resp.body)
			continue
		}
		if strings.HasPrefix(target, "/api/") {
			if b := errorBody(t, resp); b.Code != "invalid" || !strings.Contains(b.Message, "2017-01-01") {
				t.Errorf("GET %s: %+v, want code invalid and the first possible day", target, b)
			}
		}
	}
	// A year from today is fine (plans are made ahead); it has not been synced.
	wantStatus(t, c.get("/api/v1/daily?date=2027-11-18"), http.StatusConflict)
	if log := e.log.String(); strings.Contains(log, "panic") {
		t.Errorf("the log has a panic:\n%.2000s", log)
	}
}
