package web_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/reconcile"
	"github.com/kaoqin/kaoqin/syncer"
	"github.com/kaoqin/kaoqin/web"
)

// lateReconciler is a web.Reconciler made once the env's store exists.
type lateReconciler struct{ r *reconcile.Reconciler }

func (l *lateReconciler) Plan(ctx context.Context, req reconcile.Request) (*reconcile.Plan, error) {
	return l.r.Plan(ctx, req)
}

func (l *lateReconciler) Start(ctx context.Context, req reconcile.Request) (*kaoqin.Reconciliation, error) {
	return l.r.Start(ctx, req)
}

// reconcileEnv is the small company's dashboard with a reconciler over a simulator of the same
// company, in which an administrator turned a late check-in to normal after the store's pull.
type reconcileEnv struct {
	*env
	sim       *dingtalksim.Server
	r         *reconcile.Reconciler
	who, day  string
	from, to  string
	simServer *httptest.Server
}

func newReconcileEnv(t *testing.T) *reconcileEnv {
	t.Helper()
	lr := &lateReconciler{}
	e := newEnvOf(t, smallFixture, func(c *web.Config) { c.Reconciler = lr })
	re := &reconcileEnv{env: e, from: "2026-11-09", to: "2026-11-13"}
	// The same company as the store's, in a simulator of the test's own.
	re.sim = dingtalksim.New(dingtalksim.Config{Seed: 7, Employees: 40, Now: testNow, Location: shanghai, QPS: -1, MonthlyQuota: -1, IPLimit: -1})
	re.simServer = httptest.NewServer(re.sim)
	t.Cleanup(re.simServer.Close)
	for _, u := range re.sim.Truth().UserIDs() {
		for _, d := range kaoqin.Days(re.from, re.to) {
			if x, _ := re.sim.Truth().Day(u, d); x.Outcome == dingtalksim.OutcomeLate && re.who == "" {
				re.who, re.day = u, d
			}
		}
	}
	if re.who == "" {
		t.Fatal("nobody late in the week")
	}
	if err := re.sim.EditResult(dingtalksim.ResultEdit{UserID: re.who, Date: re.day, CheckType: "OnDuty", TimeResult: "Normal", At: testNow.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	books := syncer.NewBooks(shanghai, nil)
	client, err := dingtalk.NewClient(dingtalksim.DefaultAppKey, dingtalksim.DefaultAppSecret, dingtalk.WithBaseURL(re.simServer.URL),
		dingtalk.WithQPS(math.Inf(1)), dingtalk.WithLocation(shanghai), dingtalk.WithClock(e.clock.Now), dingtalk.WithCallHook(books.Hook))
	if err != nil {
		t.Fatal(err)
	}
	s, err := syncer.New(syncer.Config{Client: client, Store: e.db, Books: books, Location: shanghai, Now: e.clock.Now, MonthlyQuota: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if re.r, err = reconcile.New(reconcile.Config{Syncer: s, Store: e.db, Location: shanghai, Now: e.clock.Now}); err != nil {
		t.Fatal(err)
	}
	lr.r = re.r
	return re
}

// wait waits for reconciliation id to finish and returns its record.
func (re *reconcileEnv) wait(id int64) *kaoqin.Reconciliation {
	re.t.Helper()
	for range 200 {
		rec, err := re.db.Reconciliation(context.Background(), id)
		if err != nil {
			re.t.Fatal(err)
		}
		if rec.Status != kaoqin.ReconcileRunning && !re.r.Running() {
			return rec
		}
		time.Sleep(50 * time.Millisecond)
	}
	re.t.Fatalf("reconciliation %d did not finish", id)
	return nil
}

// TestReconcilePage estimates a reconciliation, starts it from the page's form, and shows its
// differences, the administrator's edit among them, each day a link to that day's checks.
func TestReconcilePage(t *testing.T) {
	t.Parallel()
	re := newReconcileEnv(t)
	c := re.as("hr")
	q := "from=" + re.from + "&to=" + re.to
	resp := c.get("/reconcile?estimate=1&" + q)
	wantStatus(t, resp, http.StatusOK)
	for _, want := range []string{`data-field="people">40<`, `data-field="calls">82<`, "与钉钉报表对账", `id="rc-run"`} {
		if !strings.Contains(resp.text(), want) {
			t.Errorf("the estimate lacks %q", want)
		}
	}
	resp = c.postForm("/reconcile", url.Values{"from": {re.from}, "to": {re.to}, "dept": {""}, "sample": {"0"}})
	wantStatus(t, resp, http.StatusSeeOther)
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/reconcile/") {
		t.Fatalf("redirected to %q", loc)
	}
	var id int64
	if err := json.Unmarshal([]byte(strings.TrimPrefix(loc, "/reconcile/")), &id); err != nil {
		t.Fatal(err)
	}
	rec := re.wait(id)
	if rec.Status != kaoqin.ReconcileOK || rec.By != "hr" || rec.Differences == 0 {
		t.Fatalf("record %+v", rec)
	}
	page := c.get(loc + "?lang=en")
	wantStatus(t, page, http.StatusOK)
	link := `href="/employees/` + re.who + `?from=` + re.day + `&amp;to=` + re.day + `"`
	for _, want := range []string{link, "an administrator changed the check-in from Late to Normal after kaoqin pulled the day",
		"kaoqin sync --from " + re.day + " --to " + re.day + " --refetch", `data-cause="edited_after_pull"`, "40 people compared"} {
		if !strings.Contains(page.text(), want) {
			t.Errorf("the reconciliation page lacks %q", want)
		}
	}
	// In Chinese, nothing in English but commands.
	for _, path := range []string{loc + "?lang=zh", "/reconcile?estimate=1&" + q, "/sync"} {
		for _, w := range englishWords(c.get(path).text(), "hr", "admin") {
			t.Errorf("%s in Chinese says %q", path, w)
		}
	}
	list := c.get("/reconcile")
	if !strings.Contains(list.text(), `href="/reconcile/`+strings.TrimPrefix(loc, "/reconcile/")+`"`) {
		t.Errorf("the list does not link the reconciliation")
	}
	if audit := re.audit(); len(audit) == 0 || audit[0].Action != "reconcile" {
		t.Errorf("audit %+v", audit)
	}

	// A manager sees none of it; a bad range is refused with the form kept.
	boss := re.as("boss")
	wantStatus(t, boss.get("/reconcile"), http.StatusForbidden)
	wantStatus(t, boss.get(loc), http.StatusForbidden)
	bad := c.postForm("/reconcile", url.Values{"from": {re.from}, "to": {testToday}})
	wantStatus(t, bad, http.StatusBadRequest)
	if !strings.Contains(bad.text(), "对账的日期须已结束：结束日期最晚为 2026-11-17") || !strings.Contains(bad.text(), `value="`+re.from+`"`) {
		t.Errorf("bad range: %s", bad.text())
	}
}

// TestReconcileAPI starts a reconciliation through the API, follows it, and checks every
// answer against openapi.json; bad bodies are 400 and managers 403.
func TestReconcileAPI(t *testing.T) {
	t.Parallel()
	re := newReconcileEnv(t)
	doc := loadOpenAPI(t)
	c := re.as("admin")
	resp := c.getJSON("/api/v1/reconciliations/plan?from="+re.from+"&to="+re.to+"&sample=10", http.StatusOK, nil)
	validate(t, doc, "GET", "/api/v1/reconciliations/plan", http.StatusOK, resp.body)
	var plan struct {
		People     int   `json:"people"`
		Calls      int64 `json:"expected_calls"`
		Affordable bool  `json:"affordable"`
	}
	if err := json.Unmarshal(resp.body, &plan); err != nil || plan.People != 10 || plan.Calls != 22 || !plan.Affordable {
		t.Errorf("plan %s", resp.body)
	}

	post := func(body string) *response {
		req, err := http.NewRequest(http.MethodPost, re.ts.URL+"/api/v1/reconciliations", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		return c.do(req)
	}
	resp = post(`{"from":"` + re.from + `","to":"` + re.to + `"}`)
	wantStatus(t, resp, http.StatusAccepted)
	validate(t, doc, "POST", "/api/v1/reconciliations", http.StatusAccepted, resp.body)
	var started kaoqin.Reconciliation
	if err := json.Unmarshal(resp.body, &started); err != nil {
		t.Fatal(err)
	}
	re.wait(started.ID)
	path := "/api/v1/reconciliations/" + strconv.FormatInt(started.ID, 10)
	resp = c.getJSON(path, http.StatusOK, nil)
	validate(t, doc, "GET", "/api/v1/reconciliations/{id}", http.StatusOK, resp.body)
	var got struct {
		Status string           `json:"status"`
		Result reconcile.Result `json:"result"`
	}
	if err := json.Unmarshal(resp.body, &got); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range got.Result.DifferencesOf(re.who) {
		found = found || (d.Field == "late_count" && len(d.Days) == 1 && d.Days[0].Source == "BOSS")
	}
	if got.Status != kaoqin.ReconcileOK || !found {
		t.Errorf("result %+v", got)
	}
	resp = c.getJSON("/api/v1/reconciliations", http.StatusOK, nil)
	validate(t, doc, "GET", "/api/v1/reconciliations", http.StatusOK, resp.body)

	for body, status := range map[string]int{
		`{"from":"` + re.from + `","to":"` + testToday + `"}`:                   http.StatusBadRequest,
		`{"from":"` + re.from + `"}`:                                            http.StatusBadRequest,
		`{"from":"` + re.from + `","to":"` + re.to + `","sample":-2}`:           http.StatusBadRequest,
		`{"from":"` + re.from + `","to":"` + re.to + `","extra":1}`:             http.StatusBadRequest,
		`{"from":"2026-10-01","to":"2026-10-10"}`:                               http.StatusConflict, // not synced
		`{"from":"` + re.from + `","to":"` + re.to + `","department_ids":[42]}`: http.StatusNotFound,
	} {
		if r := post(body); r.StatusCode != status {
			t.Errorf("%s: status %d, want %d: %s", body, r.StatusCode, status, r.body)
		}
	}
	c.getJSON("/api/v1/reconciliations/999", http.StatusNotFound, nil)
	c.getJSON("/api/v1/reconciliations/x", http.StatusBadRequest, nil)
	re.as("boss").getJSON("/api/v1/reconciliations", http.StatusForbidden, nil)
}

// fakeReconciler is every env's reconciler unless a test gives a real one: it plans nothing
// and starts nothing.
type fakeReconciler struct{}

func (fakeReconciler) Plan(_ context.Context, req reconcile.Request) (*reconcile.Plan, error) {
	return &reconcile.Plan{From: req.From, To: req.To, Left: []reconcile.Person{}}, nil
}

func (fakeReconciler) Start(context.Context, reconcile.Request) (*kaoqin.Reconciliation, error) {
	return nil, kaoqin.Errorf(kaoqin.ECONFLICT, "A reconciliation is already running: wait for it to finish.")
}
