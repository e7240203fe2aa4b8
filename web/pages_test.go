package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/web"
)

// TestPages renders every page in both languages and checks what each must show.
func TestPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("admin")
	emp := e.userInside(e.mgrDept)
	d, err := report.LoadDaily(context.Background(), e.db, testToday, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	absentee := ""
	for _, p := range d.Departments[0].NotCheckedIn {
		absentee = p.Name
	}
	for _, tc := range []struct {
		path   string
		zh, en []string
	}{
		{"/today", []string{"今日考勤", "全公司", "未打卡人员", `hx-trigger="every 60s"`, absentee}, []string{"Today&#39;s attendance", "Not checked in"}},
		{"/today?date=2026-11-17", []string{"2026-11-17 周二", "已定稿"}, []string{"Tue", "final"}},
		{"/today?dept=" + sprint(e.mgrDept), []string{"返回全部", `data-dept="` + sprint(e.subDept) + `"`}, []string{"Back to all"}},
		{"/departments/" + sprint(e.mgrDept), []string{"近 30 天", `data-chart="trend" data-json="{`, "员工", "上班"}, []string{"Last 30 days", "On"}},
		{"/employees/" + emp, []string{"每日打卡", `id="calendar"`, "2026年11月", `data-date="2026-11-18"`}, []string{"Days and checks", "Nov 2026"}},
		{"/period?from=2026-11-01&to=2026-11-17", []string{"按部门", "按员工", "download-xlsx", "/api/v1/period/export?"}, []string{"By department", "Late min"}},
		{"/sync", []string{"本月计量调用", "立即同步", "每晚 02:00", "08:00 至 19:00，每 10 分钟拉取", "还没有同步记录"},
			[]string{"Metered calls this month", "Sync now", "nightly at 02:00", "08:00 – 19:00, every 10 min"}},
		{"/admin/audit", []string{"审计日志"}, []string{"Audit log"}},
		{"/admin/users", []string{"账号", "boss", "部门主管"}, []string{"Accounts", "manager"}},
	} {
		for _, lang := range []string{"zh", "en"} {
			sep := "?"
			if strings.Contains(tc.path, "?") {
				sep = "&"
			}
			resp := c.get(tc.path + sep + "lang=" + lang)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s in %s: status %d; %.300s", tc.path, lang, resp.StatusCode, resp.body)
				continue
			}
			want := tc.zh
			if lang == "en" {
				want = tc.en
			}
			for _, w := range want {
				if !strings.Contains(resp.text(), w) {
					t.Errorf("%s in %s: no %q", tc.path, lang, w)
				}
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("%s: Content-Type %q", tc.path, ct)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("%s: CSP %q", tc.path, csp)
			}
			if regexp.MustCompile(`<script>[^<]`).MatchString(resp.text()) {
				t.Errorf("%s: an inline script (the CSP would block it)", tc.path)
			}
		}
	}
	// The home page is the board.
	if r := c.get("/"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/today" {
		t.Errorf("/: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	// Unknown pages are a 404 page.
	if r := c.get("/nothing/here?lang=zh"); r.StatusCode != http.StatusNotFound || !strings.Contains(r.text(), "找不到") {
		t.Errorf("/nothing/here: %d", r.StatusCode)
	}
}

// TestPages_Lang checks that ?lang= is remembered for the next pages.
func TestPages_Lang(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	c.get("/today?lang=en")
	if !strings.Contains(c.get("/period").text(), "Period report") {
		t.Error("English was not remembered")
	}
	c.get("/sync?lang=zh")
	if !strings.Contains(c.get("/period").text(), "周期报表") {
		t.Error("Chinese was not remembered")
	}
	if r := c.get("/today?lang=fr"); r.StatusCode != http.StatusOK || !strings.Contains(r.text(), "今日考勤") {
		t.Error("an unknown language does not fall back to Chinese")
	}
}

// TestPages_Board checks the board's own refresh and that it stops refreshing a past day.
func TestPages_Board(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	req, _ := http.NewRequest("GET", e.ts.URL+"/today/board?dept="+sprint(e.mgrDept), nil)
	req.Header.Set("HX-Request", "true")
	resp := c.do(req)
	wantStatus(t, resp, http.StatusOK)
	body := resp.text()
	if !strings.HasPrefix(strings.TrimSpace(body), `<section id="board"`) || strings.Contains(body, "<html") {
		t.Errorf("the board refresh is not the board alone: %.200s", body)
	}
	if !strings.Contains(body, `hx-get="/today/board?date=2026-11-18&amp;dept=`+sprint(e.mgrDept)+`&amp;v=`) {
		t.Errorf("the board does not refresh itself with its own query: %.400s", body)
	}
	past := c.get("/today?date=2026-11-17").text()
	if strings.Contains(past, "hx-trigger") {
		t.Error("a past day's board refreshes itself")
	}
}

// TestPages_NotSynced checks that the pages name the days missing and offer the sync page
// instead of zeros.
func TestPages_NotSynced(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	for _, path := range []string{"/today?date=2026-11-19", "/departments/" + sprint(e.mgrDept) + "?date=2026-10-01",
		"/employees/" + e.userInside(e.mgrDept) + "?from=2026-10-10&to=2026-10-25"} {
		resp := c.get(path)
		if resp.StatusCode != http.StatusConflict {
			t.Errorf("%s: status %d, want 409", path, resp.StatusCode)
		}
		if !strings.Contains(resp.text(), "尚未同步") || !strings.Contains(resp.text(), `href="/sync"`) {
			t.Errorf("%s: no notice with a link to the sync page", path)
		}
	}
	resp := c.get("/period?from=2026-10-15&to=2026-10-25")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(resp.text(), "2026-10-15 至 2026-10-19") || !strings.Contains(resp.text(), `name="from"`) {
		t.Errorf("period not synced: %d; want 409 naming 2026-10-15..2026-10-19 with the form", resp.StatusCode)
	}
	if strings.Contains(resp.text(), "download-xlsx") {
		t.Error("a period not synced offers a download")
	}
	// The department chart starts after the missing days and says so.
	resp = c.get("/departments/" + sprint(e.mgrDept) + "?date=2026-11-10")
	wantStatus(t, resp, http.StatusOK)
	if !strings.Contains(resp.text(), "2026-10-12 至 2026-10-19") {
		t.Errorf("the chart does not name the days it cannot show")
	}
}

// TestPages_BadInput checks that bad parameters are a 400 page with the message, never a 500.
func TestPages_BadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	for _, path := range []string{"/today?date=2026-02-30", "/today?dept=-1", "/departments/x", "/departments/5?page=0",
		"/departments/" + sprint(e.mgrDept) + "?status=asleep", "/period?from=2026-11-17&to=2026-11-01", "/employees/" + strings.Repeat("x", 80)} {
		resp := c.get(path)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.text(), "请求有误") {
			t.Errorf("%s: status %d, want a 400 page", path, resp.StatusCode)
		}
	}
}

func TestPages_DepartmentTable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	d, err := report.LoadDaily(context.Background(), e.db, testToday, report.Options{Location: shanghai, Now: testNow, DeptIDs: []int64{e.mgrDept}})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	for _, emp := range d.Employees {
		statuses[emp.Status]++
	}
	resp := c.get("/departments/" + sprint(e.mgrDept) + "?status=missing")
	wantStatus(t, resp, http.StatusOK)
	if n := strings.Count(resp.text(), `data-status="missing"`); n != min(statuses["missing"], 200) || n == 0 {
		t.Errorf("status filter shows %d rows, the report has %d missing", n, statuses["missing"])
	}
	if strings.Contains(resp.text(), `data-status="normal"`) {
		t.Error("the status filter lets other statuses through")
	}
	// Worst first: no normal row before a missing one.
	all := c.get("/departments/" + sprint(e.mgrDept)).text()
	if i, j := strings.Index(all, `data-status="normal"`), strings.LastIndex(all, `data-status="missing"`); i >= 0 && j > i {
		t.Error("the table does not list the people who need attention first")
	}
}

func TestSyncPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	run := &kaoqin.SyncRun{Kind: "org+attendance", From: "2026-11-18", To: "2026-11-18", StartedAt: testNow.UnixMilli(), Status: kaoqin.RunRunning}
	if err := e.db.CreateRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	run.Status, run.FinishedAt, run.Rows, run.Calls, run.Metered = kaoqin.RunOK, testNow.UnixMilli()+65000, 1234, 40, 12
	if err := e.db.UpdateRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := e.db.RecordCall(ctx, kaoqin.Call{At: testNow.UnixMilli(), Month: "2026-11", Path: "/attendance/list", Metered: true}); err != nil {
			t.Fatal(err)
		}
	}
	c := e.as("admin")
	var info web.SyncInfo
	c.getJSON("/api/v1/sync", http.StatusOK, &info)
	if len(info.Runs) != 1 || info.Runs[0].Rows != 1234 || info.Ledger.Metered != 3 || info.Quota != 5000 || info.Remaining != 4997 {
		t.Errorf("sync info %+v", info)
	}
	if info.Status == nil || !info.Status.Scheduler || info.Status.PollsLeftToday != 7 {
		t.Errorf("sync status %+v", info.Status)
	}
	page := c.get("/sync").text()
	for _, w := range []string{"1234", "1 分 5 秒", "4997", "组织架构与考勤", "成功"} {
		if !strings.Contains(page, w) {
			t.Errorf("the sync page does not show %q", w)
		}
	}
	// The button starts a sync and comes back to the page.
	resp := c.postForm("/sync", url.Values{})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sync?started=1" {
		t.Errorf("sync now: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if !strings.Contains(c.get("/sync?started=1").text(), "同步已开始") {
		t.Error("no word that the sync started")
	}
	// A sync already running: the page says so with 409.
	e.sync.err = kaoqin.Errorf(kaoqin.ECONFLICT, "A sync is already running (started 09:05).")
	resp = c.postForm("/sync", url.Values{})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(resp.text(), "已有同步正在进行") {
		t.Errorf("sync while running: %d", resp.StatusCode)
	}
	if b := errorBody(t, c.post("/api/v1/sync")); b.Code != kaoqin.ECONFLICT {
		t.Errorf("API sync while running: %+v", b)
	}
	e.sync.err = kaoqin.Errorf(kaoqin.EQUOTA, "The month's budget is spent.")
	if r := c.post("/api/v1/sync"); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("API sync over budget: %d, want 429", r.StatusCode)
	}
}

func TestSyncPage_NoEngine(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(cfg *web.Config) { cfg.Syncer = nil })
	c := e.as("admin")
	var info web.SyncInfo
	c.getJSON("/api/v1/sync", http.StatusOK, &info)
	if info.Status != nil {
		t.Errorf("status %+v without an engine", info.Status)
	}
	if r := c.post("/api/v1/sync"); r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("sync now without an engine: %d, want 503", r.StatusCode)
	}
	if strings.Contains(c.get("/sync").text(), `action="/sync"`) {
		t.Error("the button shows without an engine")
	}
}

// TestPages_PeriodPages: the period page, computed as it is walked, shows the employees a page
// at a time (the last page when asked past the end) and counts them all.
func TestPages_PeriodPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	want, err := report.LoadPeriod(context.Background(), e.db, "2026-11-01", "2026-11-17", report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	n := len(want.Employees)
	if n <= 200 {
		t.Fatalf("%d employees: too few for two pages of 200", n)
	}
	rowRE := regexp.MustCompile(`<tr data-userid="([^"]+)">`)
	pages := map[string][]string{}
	for _, page := range []string{"1", "2", "9"} {
		body := c.get("/period?from=2026-11-01&to=2026-11-17&page=" + page).text()
		for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
			pages[page] = append(pages[page], m[1])
		}
		if !strings.Contains(body, fmt.Sprintf(`<span class="count">%d</span>`, n)) {
			t.Errorf("page %s does not count the %d employees", page, n)
		}
	}
	all := slices.Sorted(slices.Values(slices.Concat(pages["1"], pages["2"])))
	var wantIDs []string
	for _, e := range want.Employees {
		wantIDs = append(wantIDs, e.UserID)
	}
	if len(pages["1"]) != 200 || !slices.Equal(all, wantIDs) {
		t.Errorf("pages 1 and 2 have %d and %d employees, not each of the %d once", len(pages["1"]), len(pages["2"]), n)
	}
	if !slices.Equal(pages["9"], pages["2"]) {
		t.Error("page 9 is not the last page")
	}
}
