package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/web"
)

// TestSync_ManagerSeesFreshnessOnly is issue 15's item 6: managers saw the company's sync
// figures on /sync and /api/v1/sync (runs, rows, calls, the month's ledger), which tell the
// company's size. A manager sees only whether their data is fresh; admins and HR see the
// books and the same freshness.
func TestSync_ManagerSeesFreshnessOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	run := &kaoqin.SyncRun{Kind: "live", From: testToday, To: testToday, StartedAt: testNow.UnixMilli() - 60_000, Status: kaoqin.RunRunning}
	if err := e.db.CreateRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	run.Status, run.FinishedAt, run.Rows, run.Calls, run.Metered = kaoqin.RunOK, testNow.UnixMilli(), 4321, 77, 66
	if err := e.db.UpdateRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	doc := loadOpenAPI(t)

	boss := e.as("boss")
	resp := boss.getJSON("/api/v1/sync", http.StatusOK, nil)
	validate(t, doc, "GET", "/api/v1/sync", http.StatusOK, resp.body)
	var got map[string]json.RawMessage
	if err := json.Unmarshal(resp.body, &got); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"runs", "ledger", "quota", "remaining", "status"} {
		if _, ok := got[secret]; ok {
			t.Errorf("a manager's /api/v1/sync has %q: %s", secret, resp.body)
		}
	}
	var fresh struct {
		Freshness struct {
			Today         string `json:"today"`
			TodayPulledAt string `json:"today_pulled_at"`
			LastFinalDay  string `json:"last_final_day"`
		} `json:"freshness"`
	}
	if err := json.Unmarshal(resp.body, &fresh); err != nil {
		t.Fatal(err)
	}
	if f := fresh.Freshness; f.Today != testToday || f.TodayPulledAt != "2026-11-18T09:10:00+08:00" || f.LastFinalDay != "2026-11-17" {
		t.Errorf("a manager's freshness: %+v", f)
	}
	page := boss.get("/sync").text()
	for _, secret := range []string{"4321", `data-field="metered"`, `id="runs"`, "5000"} {
		if strings.Contains(page, secret) {
			t.Errorf("a manager's sync page shows %q", secret)
		}
	}
	if !strings.Contains(page, "09:10") {
		t.Error("a manager's sync page does not say when today's data was pulled")
	}

	hr := e.as("hr")
	resp = hr.getJSON("/api/v1/sync", http.StatusOK, nil)
	validate(t, doc, "GET", "/api/v1/sync", http.StatusOK, resp.body)
	for _, want := range []string{`"runs"`, `"ledger"`, `"freshness"`, "4321"} {
		if !strings.Contains(resp.text(), want) {
			t.Errorf("HR's /api/v1/sync lacks %s", want)
		}
	}
}

// TestSyncPage_QuotaOff: with KAOQIN_DINGTALK_MONTHLY_QUOTA=off the page says there is no
// limit rather than "N / 0, 0 left".
func TestSyncPage_QuotaOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(cfg *web.Config) { cfg.MonthlyQuota = 0 })
	page := e.as("admin").get("/sync").text()
	if !strings.Contains(page, "未设上限") || strings.Contains(page, `data-field="quota"`) {
		t.Errorf("the sync page with the quota off:\n%.3000s", page)
	}
}

// TestMetrics_QuotaOff: with the quota off there is no budget to alert on; a budget of 0
// would make metered / budget infinite and fire deploy/prometheus's alert.
func TestMetrics_QuotaOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(cfg *web.Config) { cfg.MonthlyQuota = 0 })
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer scrape-token")
	body := e.anon().do(req).text()
	if strings.Contains(body, "\nkaoqin_quota_monthly_calls ") || !strings.Contains(body, "kaoqin_quota_metered_calls") {
		t.Errorf("metrics with the quota off:\n%.2000s", body)
	}
}

// TestSync_Refetches: the days DingTalk's events said changed after they were pulled show on
// the sync page, with how many people and which events, newest first, until pulled again;
// to admins and HR, not to managers.
func TestSync_Refetches(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if page := e.as("admin").get("/sync?lang=en").text(); strings.Contains(page, "refetch-h") {
		t.Errorf("the sync page lists days to pull again before any event marked one")
	}
	err := e.db.MarkRefetch(ctx, []kaoqin.Refetch{
		{UserID: "u01", Day: "2026-11-16", Reason: "attend_bossCheck_change", MarkedAt: 1},
		{UserID: "u02", Day: "2026-11-17", Reason: "attendance_approve_finish", MarkedAt: 2},
		{UserID: "u03", Day: "2026-11-17", Reason: "attend_bossCheck_change", MarkedAt: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	page := e.as("admin").get("/sync?lang=en").text()
	i17, i16 := strings.Index(page, `<li data-day="2026-11-17">`), strings.Index(page, `<li data-day="2026-11-16">`)
	if i17 < 0 || i16 < i17 {
		t.Fatalf("the sync page does not list 11-17 then 11-16 to pull again:\n%s", page)
	}
	day17, day16 := page[i17:i16], page[i16:]
	for _, want := range []string{"2 people", "<code>attend_bossCheck_change</code> <code>attendance_approve_finish</code>"} {
		if !strings.Contains(day17, want) {
			t.Errorf("11-17 to pull again: no %q in %s", want, day17[:strings.Index(day17, "</li>")])
		}
	}
	if !strings.Contains(day16[:strings.Index(day16, "</li>")], "1 person") {
		t.Errorf("11-16 to pull again: not 1 person")
	}
	if page := e.as("boss").get("/sync?lang=en").text(); strings.Contains(page, "refetch-h") {
		t.Errorf("a manager's sync page lists the days to pull again")
	}
}
