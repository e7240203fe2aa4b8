package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// TestPunchPages renders the punch pages in both languages, as HR and as a manager.
func TestPunchPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("admin")
	emp := e.userInside(e.mgrDept)
	for _, tc := range []struct {
		path   string
		zh, en []string
	}{
		{"/punches?from=2026-11-16&to=2026-11-17", []string{"打卡记录", `id="punches"`, "手机定位", "下一页", "download-xlsx"}, []string{"Punch records", "phone GPS", "Next"}},
		{"/punches?from=2026-11-16&to=2026-11-17&invalid=1", []string{"无效"}, []string{"invalid"}},
		{"/employees/" + emp + "/days/2026-11-17", []string{"排班", "钉钉的打卡结果", "请假与审批", "向钉钉核对这一天"}, []string{"Plan", "DingTalk&#39;s results"}},
		{"/methods?from=2026-11-09&to=2026-11-17", []string{"打卡方式统计", `id="methods-departments"`, "外勤占比"}, []string{"Punches by method", "Outside share"}},
		{"/review?from=2026-10-20&to=2026-11-17", []string{"待复核的打卡", "并不代表有违规行为"}, []string{"Punches worth a look", "not findings of wrongdoing"}},
	} {
		for _, lang := range []string{"zh", "en"} {
			resp := c.get(tc.path + "&lang=" + lang)
			if strings.Contains(tc.path, "/days/") {
				resp = c.get(tc.path + "?lang=" + lang)
			}
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s in %s: status %d; %.300s\n%s", tc.path, lang, resp.StatusCode, resp.body, e.log.String())
				continue
			}
			want := tc.zh
			if lang == "en" {
				want = tc.en
			}
			for _, w := range want {
				if !strings.Contains(string(resp.body), w) {
					t.Errorf("%s in %s does not show %q", tc.path, lang, w)
				}
			}
		}
	}
}

// TestPunchAPI: a page of punches is the report's, pages follow each other, and bad input is a
// 4xx saying what to do.
func TestPunchAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("hr")
	var page struct {
		Punches []report.PunchRow
		Next    *string
	}
	c.getJSON("/api/v1/punches?from=2026-11-17&to=2026-11-17&limit=20", http.StatusOK, &page)
	if len(page.Punches) != 20 || page.Next == nil {
		t.Fatalf("first page: %d punches, next %v", len(page.Punches), page.Next)
	}
	var second struct {
		Punches []report.PunchRow
		Next    *string
	}
	c.getJSON("/api/v1/punches?from=2026-11-17&to=2026-11-17&limit=20&after="+*page.Next, http.StatusOK, &second)
	if len(second.Punches) == 0 || second.Punches[0].ID == page.Punches[19].ID {
		t.Errorf("second page starts with %+v", second.Punches)
	}
	for _, bad := range []struct {
		url    string
		status int
		says   string
	}{
		{"/api/v1/punches?method=pigeon", 400, "unknown punch method"},
		{"/api/v1/punches?check_type=Lunch", 400, "OnDuty or OffDuty"},
		{"/api/v1/punches?from=2026-10-01&to=2026-10-05", 409, "kaoqin sync --from 2026-10-01 --to 2026-10-05"},
		{"/api/v1/punches?after=zz", 400, "next page"},
		{"/api/v1/punches?limit=0", 400, "limit"},
		{"/api/v1/employees/nobody/days/2026-11-17", 404, "nobody"},
		{"/api/v1/employees/x/days/2026-13-01", 400, "2026-13-01"},
	} {
		sep := "?"
		if strings.Contains(bad.url, "?") {
			sep = "&"
		}
		resp := c.get(bad.url + sep + "lang=en")
		if resp.StatusCode != bad.status || !strings.Contains(string(resp.body), bad.says) {
			t.Errorf("%s: %d %s; want %d saying %q", bad.url, resp.StatusCode, resp.body, bad.status, bad.says)
		}
	}
	// A manager: another department is 403, someone outside their subtrees 404.
	m := e.as("boss")
	if resp := m.get("/api/v1/punches?dept=" + sprint(e.otherDept)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a manager asking for another department: %d %s", resp.StatusCode, resp.body)
	}
	outsider := e.userInside(e.otherDept)
	if resp := m.get("/api/v1/employees/" + outsider + "/days/2026-11-17"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a manager asking for someone outside: %d %s", resp.StatusCode, resp.body)
	}
	if resp := m.get("/api/v1/punches?from=2026-11-17&to=2026-11-17&user=" + outsider); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a manager asking for the punches of someone outside: %d %s", resp.StatusCode, resp.body)
	}
	var day report.DisputedDay
	m.getJSON("/api/v1/employees/"+e.userInside(e.mgrDept)+"/days/2026-11-17", http.StatusOK, &day)
	if !day.Synced || !day.PunchesSynced || len(day.Plans) == 0 {
		t.Errorf("a day inside: %+v", day)
	}
	// A manager may not spend a metered call.
	if resp := m.post("/api/v1/employees/" + e.userInside(e.mgrDept) + "/days/2026-11-17/fetch"); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a manager fetching a day: %d %s", resp.StatusCode, resp.body)
	}
	// A person by name, as HR knows them.
	named := e.userInside(e.mgrDept)
	emps, _ := e.db.Employees(context.Background())
	for _, x := range emps {
		if x.UserID == named {
			var byName, byID struct{ Punches []report.PunchRow }
			c.getJSON("/api/v1/punches?from=2026-11-09&to=2026-11-17&user="+url.QueryEscape(x.Name), http.StatusOK, &byName)
			c.getJSON("/api/v1/punches?from=2026-11-09&to=2026-11-17&user="+named, http.StatusOK, &byID)
			if len(byName.Punches) == 0 || len(byName.Punches) != len(byID.Punches) {
				t.Errorf("punches of %s by name: %d, by userid: %d", x.Name, len(byName.Punches), len(byID.Punches))
			}
		}
	}
	var rv report.Review
	c.getJSON("/api/v1/review?from=2026-10-20&to=2026-11-17", http.StatusOK, &rv)
	kinds := map[string]int{}
	for _, f := range rv.Flags {
		kinds[f.Kind]++
	}
	if kinds[report.FlagInvalidPunch] == 0 || kinds[report.FlagNotByPerson] == 0 || kinds[report.FlagFarFromBase] == 0 {
		t.Errorf("review of a month: %v", kinds)
	}
	var st map[string]any
	c.getJSON("/api/v1/methods?from=2026-11-09&to=2026-11-17", http.StatusOK, &st)
	if st["kind"] != "methods" {
		t.Errorf("methods: %v", st["kind"])
	}
	_ = json.Marshal
	_ = context.Background
	_ = kaoqin.OnDuty
}
