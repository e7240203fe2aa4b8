package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/notify"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/web"
)

// withReminders gives the server a notifier over its store (that sends nothing itself: the
// scheduler's does), and says reminders are sent.
func withReminders(e **env) func(*web.Config) {
	return func(cfg *web.Config) {
		n, err := notify.New(notify.Options{Store: cfg.Store.(notify.Store), Location: shanghai, Now: cfg.Now, Clock: cfg.Clock})
		if err != nil {
			panic(err)
		}
		cfg.Reminders, cfg.RemindersSend, cfg.RobotHosts = n, true, []string{"127.0.0.1:9007"}
	}
}

func (e *env) rules() []kaoqin.ReminderRule {
	e.t.Helper()
	rules, err := e.db.ReminderRules(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return rules
}

// TestReminders_RulesPage: HR adds, edits, switches and deletes rules on the page; a bad rule
// is refused with one line saying what to fix, the form keeps what was typed, nothing is
// saved; managers may not; every change is audited.
func TestReminders_RulesPage(t *testing.T) {
	t.Parallel()
	var e *env
	e = newEnv(t, withReminders(&e))
	hr := e.as("hr")
	resp := hr.get("/reminders")
	wantStatus(t, resp, http.StatusOK)
	if !strings.Contains(resp.text(), `action="/reminders/rules"`) {
		t.Fatalf("no rule form on the page")
	}
	form := url.Values{"name": {"上班提醒"}, "channel": {"person"}, "mode": {"after"}, "after": {"15"}, "every": {"0"},
		"cap": {"1"}, "dept": {strconv.FormatInt(e.mgrDept, 10)}, "enabled": {"on"}}
	resp = hr.postForm("/reminders/rules", form)
	wantStatus(t, resp, http.StatusSeeOther)
	rules := e.rules()
	if len(rules) != 1 || rules[0].After != 15 || !slices.Equal(rules[0].DeptIDs, []int64{e.mgrDept}) || !rules[0].Enabled || rules[0].UpdatedBy != "hr" {
		t.Fatalf("saved rules %+v", rules)
	}
	id := strconv.FormatInt(rules[0].ID, 10)

	for _, tc := range []struct {
		change map[string]string
		want   string
	}{
		{map[string]string{"name": "部门未到", "dept": "424242"}, "Department 424242 is not in the org chart"},
		{map[string]string{"name": "部门未到", "mode": "at", "at": "9点半"}, `The time "9点半" does not parse`},
		{map[string]string{"name": "部门未到", "after": "1441"}, "over a day"},
		{map[string]string{"name": "播报", "channel": "robot", "mode": "at", "at": "10:00", "robot_url": "https://evil.example/robot/send?access_token=x"}, "is not DingTalk"},
		{map[string]string{"name": "上班提醒"}, "Another rule is called"},
		{map[string]string{"name": "部门未到", "cap": "many"}, "not a whole number"},
	} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		for k, v := range tc.change {
			f.Set(k, v)
		}
		resp := hr.postForm("/reminders/rules?lang=en", f)
		body := html.UnescapeString(resp.text())
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) || !strings.Contains(body, `value="`+f.Get("name")+`"`) {
			t.Errorf("%v: status %d; want 422 saying %q with the form kept", tc.change, resp.StatusCode, tc.want)
		}
		if _, msg, _ := strings.Cut(body, `id="rule-error"`); strings.Contains(strings.SplitN(msg, "</p>", 2)[0], "access_token=x") {
			t.Errorf("the error shows a webhook's token: %s", msg)
		}
	}
	if n := len(e.rules()); n != 1 {
		t.Fatalf("%d rules after refused saves, want 1", n)
	}

	// Edit: the form shows the rule; saving changes it.
	resp = hr.get("/reminders/rules/" + id)
	wantStatus(t, resp, http.StatusOK)
	if !strings.Contains(resp.text(), `action="/reminders/rules/`+id+`"`) {
		t.Error("the edit form does not post to the rule")
	}
	form.Set("after", "20")
	form.Set("note", "请及时打卡")
	wantStatus(t, hr.postForm("/reminders/rules/"+id, form), http.StatusSeeOther)
	wantStatus(t, hr.postForm("/reminders/rules/"+id+"/switch", url.Values{}), http.StatusSeeOther)
	if r := e.rules()[0]; r.After != 20 || r.Note != "请及时打卡" || r.Enabled {
		t.Errorf("after edit and switch off: %+v", r)
	}
	// A robot rule keeps its secret when the field is left empty, and never shows it.
	robot := url.Values{"name": {"播报"}, "channel": {"robot"}, "mode": {"at"}, "at": {"10:00"}, "every": {"0"}, "cap": {"1"},
		"robot_url": {"http://127.0.0.1:9007/robot/send?access_token=5f3a1c9e7b2d4a6f8e0c1b3d"}, "robot_secret": {"SECtopsecret"}, "enabled": {"on"}}
	wantStatus(t, hr.postForm("/reminders/rules", robot), http.StatusSeeOther)
	rid := strconv.FormatInt(e.rules()[1].ID, 10)
	page := hr.get("/reminders/rules/" + rid).text()
	if strings.Contains(page, "SECtopsecret") || strings.Contains(page, "5f3a1c9e7b2d4a6f8e0c1b3d") {
		t.Errorf("the page shows the robot's secret or token")
	}
	robot.Set("robot_url", notify.MaskURL(robot.Get("robot_url")))
	robot.Set("robot_secret", "")
	robot.Set("at", "10:30")
	wantStatus(t, hr.postForm("/reminders/rules/"+rid, robot), http.StatusSeeOther)
	if r := e.rules()[1]; r.At != "10:30" || r.RobotSecret != "SECtopsecret" || !strings.Contains(r.RobotURL, "5f3a1c9e7b2d4a6f8e0c1b3d") {
		t.Errorf("the robot rule after an edit that left the webhook and secret alone: %+v", r)
	}
	var api struct {
		Rules []kaoqin.ReminderRule `json:"rules"`
	}
	resp = hr.getJSON("/api/v1/reminders", http.StatusOK, &api)
	if len(api.Rules) != 2 || strings.Contains(resp.text(), "5f3a1c9e7b2d4a6f8e0c1b3d") || strings.Contains(resp.text(), "SECtopsecret") {
		t.Errorf("GET /api/v1/reminders: %s", resp.text())
	}
	validate(t, loadOpenAPI(t), "GET", "/api/v1/reminders", http.StatusOK, resp.body)
	wantStatus(t, hr.postForm("/reminders/rules/"+rid+"/delete", url.Values{}), http.StatusSeeOther)

	// Opt-outs.
	who := e.userInside(e.mgrDept)
	wantStatus(t, hr.postForm("/reminders/optouts", url.Values{"userid": {who}}), http.StatusSeeOther)
	wantStatus(t, hr.postForm("/reminders/optouts", url.Values{"userid": {"nobody"}}), http.StatusUnprocessableEntity)
	if outs, _ := e.db.ReminderOptOuts(context.Background()); len(outs) != 1 || outs[0].UserID != who || outs[0].By != "hr" {
		t.Errorf("opt-outs %+v", outs)
	}

	// Managers manage no rules.
	boss := e.as("boss")
	wantStatus(t, boss.get("/reminders"), http.StatusForbidden)
	wantStatus(t, boss.postForm("/reminders/rules", form), http.StatusForbidden)
	wantStatus(t, boss.postForm("/reminders/rules/"+id+"/delete", url.Values{}), http.StatusForbidden)
	if n := len(e.rules()); n != 1 {
		t.Errorf("%d rules after a manager's tries", n)
	}
	actions := map[string]int{}
	for _, a := range e.audit() {
		actions[a.Action]++
	}
	if actions["remind_rule_add"] != 2 || actions["remind_rule_edit"] != 2 || actions["remind_rule_switch"] != 1 ||
		actions["remind_rule_delete"] != 1 || actions["remind_opt_out"] != 1 {
		t.Errorf("audit: %v", actions)
	}
	// The audit page names these actions.
	wantStatus(t, e.as("admin").get("/admin/audit"), http.StatusOK)
}

// TestReminders_RemindNow: a manager reminds only people of their subtree who are due and not
// in; HR anyone; each request is audited; the page and the API agree.
func TestReminders_RemindNow(t *testing.T) {
	t.Parallel()
	var e *env
	e = newEnv(t, withReminders(&e))
	daily, err := report.LoadDaily(context.Background(), e.db, "2026-11-18", report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	inside := e.subtreeUsers(e.mgrDept)
	var mine, theirs string
	for _, emp := range daily.Employees {
		if emp.Presence != report.PresenceOverdue {
			continue
		}
		if inside[emp.UserID] && mine == "" {
			mine = emp.UserID
		}
		if !inside[emp.UserID] && theirs == "" {
			theirs = emp.UserID
		}
	}
	if mine == "" || theirs == "" {
		t.Fatal("the fixture has nobody overdue inside and outside the manager's subtree")
	}
	boss := e.as("boss")
	resp := boss.postForm("/reminders/now", url.Values{"userid": {mine, theirs}})
	wantStatus(t, resp, http.StatusOK)
	if !strings.Contains(resp.text(), `id="reminded"`) || !strings.Contains(resp.text(), "/employees/"+mine) {
		t.Errorf("the result page does not name %s", mine)
	}
	msgs, err := e.db.Reminders(context.Background(), kaoqin.ReminderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].To != mine || msgs[0].By != "boss" || msgs[0].Channel != kaoqin.ChannelBoard {
		t.Errorf("recorded: %+v", msgs)
	}
	var res notify.BoardResult
	c := e.as("hr")
	resp = c.postJSON("/api/v1/reminders/now", `{"userids":["`+theirs+`","`+mine+`"]}`, http.StatusOK, &res)
	if !slices.Equal(res.Planned, []string{theirs}) || res.Skipped[mine] != notify.BoardJustRemined {
		t.Errorf("HR: %+v", res)
	}
	validate(t, loadOpenAPI(t), "POST", "/api/v1/reminders/now", http.StatusOK, resp.body)
	n := 0
	for _, a := range e.audit() {
		if a.Action == "remind_now" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d remind-now requests audited, want 2", n)
	}
	// Without an instance sending, the board offers nothing.
	off := newEnv(t)
	wantStatus(t, off.as("hr").postForm("/reminders/now", url.Values{"userid": {mine}}), http.StatusConflict)
}

// postJSON posts a JSON body, checks the status and decodes the answer into v.
func (c *client) postJSON(path, body string, want int, v any) *response {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.e.ts.URL+path, strings.NewReader(body))
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp := c.do(req)
	if resp.StatusCode != want {
		c.e.t.Fatalf("POST %s: status %d, want %d; body %.300s", path, resp.StatusCode, want, resp.body)
	}
	if err := json.Unmarshal(resp.body, v); err != nil {
		c.e.t.Fatalf("POST %s: decode: %v", path, err)
	}
	return resp
}

// TestReminders_NoEnglish reads the reminders' pages in Chinese, with rules of every kind,
// messages sent and failed, a refused rule and a reminder from the board: not an English word
// outside code and quotes from DingTalk.
func TestReminders_NoEnglish(t *testing.T) {
	t.Parallel()
	var e *env
	e = newEnv(t, withReminders(&e))
	ctx := context.Background()
	for _, r := range []kaoqin.ReminderRule{
		{Name: "上班提醒", Enabled: true, Channel: kaoqin.ChannelPerson, After: 15, Cap: 1},
		{Name: "催卡", Channel: kaoqin.ChannelPerson, After: -10, Every: 30, Cap: 3, DeptIDs: []int64{e.mgrDept}, QuietFrom: "12:00", QuietTo: "13:30"},
		{Name: "部门未到名单", Enabled: true, Channel: kaoqin.ChannelDigest, At: "09:30", Cap: 1},
		{Name: "考勤播报", Enabled: true, Channel: kaoqin.ChannelRobot, At: "10:00", Cap: 1,
			RobotURL: "https://oapi.dingtalk.com/robot/send?access_token=5f3a1c9e7b2d4a6f8e0c1b3d5f7a9c2e", RobotSecret: "SECabc"},
	} {
		if err := e.db.SaveReminderRule(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	who := e.userInside(e.mgrDept)
	added, err := e.db.PlanReminders(ctx, []kaoqin.ReminderMessage{{Key: "k1", RuleID: 1, Channel: kaoqin.ChannelPerson,
		WorkDate: testToday, To: who, About: []string{who}, DueAt: testNow.UnixMilli(), Text: "【上班提醒】"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.UpdateReminders(ctx, []kaoqin.ReminderUpdate{{ID: added[0].ID, If: kaoqin.ReminderPlanned, State: kaoqin.ReminderFailed,
		Reason: "duplicate: the same content reached the person earlier that day (143106)"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetReminderOptOut(ctx, who, true, "hr"); err != nil {
		t.Fatal(err)
	}
	hr := e.as("hr")
	pages := map[string]*response{
		"/reminders":           hr.get("/reminders"),
		"/reminders/rules/4":   hr.get("/reminders/rules/4"),
		"/employees/" + who:    hr.get("/employees/" + who),
		"a refused rule":       hr.postForm("/reminders/rules", url.Values{"name": {"坏规则"}, "channel": {"robot"}, "mode": {"at"}, "at": {"10:00"}, "robot_url": {"https://example.com/x"}}),
		"a refused time":       hr.postForm("/reminders/rules", url.Values{"name": {"坏规则"}, "channel": {"digest"}, "mode": {"at"}, "at": {"9点"}}),
		"a refused department": hr.postForm("/reminders/rules", url.Values{"name": {"坏规则"}, "channel": {"person"}, "mode": {"after"}, "after": {"5"}, "dept": {"424242"}}),
		"remind now":           hr.postForm("/reminders/now", url.Values{"userid": {who, "nobody"}}),
	}
	for name, resp := range pages {
		if resp.StatusCode >= 500 {
			t.Errorf("%s: status %d", name, resp.StatusCode)
		}
		for _, w := range englishWords(resp.text(), "hr", "admin", "boss", "Ctrl", "nobody") {
			t.Errorf("%s in Chinese says %q", name, w)
		}
	}
	if !strings.Contains(pages["/employees/"+who].text(), `class="reminderlines"`) {
		t.Error("the employee's day does not show the reminder")
	}
}
