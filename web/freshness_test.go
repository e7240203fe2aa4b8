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
