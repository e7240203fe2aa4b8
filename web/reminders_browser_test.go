package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/kaoqin/kaoqin"
)

// TestBrowser_Reminders looks at the reminders page as HR would, in Chinese and English, on a
// desktop (1400x1000) and a phone (390x844): the rules, the day's messages sent and planned,
// a refused rule; with no script or console error. Screenshots go to KAOQIN_TEST_ARTIFACTS.
func TestBrowser_Reminders(t *testing.T) {
	// Not parallel: two browsers at once on CI's two cores slow TestBrowser past its deadline.
	chromiumPath(t) // where there is no browser, skip before the set-up
	var e *env
	e = newEnv(t, withReminders(&e))
	shots := artifactsDir(t)
	ctx := context.Background()

	for _, r := range []kaoqin.ReminderRule{
		{Name: "上班提醒", Enabled: true, Channel: kaoqin.ChannelPerson, After: 15, Cap: 1, Note: "如已请假请忽略"},
		{Name: "催卡", Enabled: false, Channel: kaoqin.ChannelPerson, After: 30, Every: 30, Cap: 3, DeptIDs: []int64{e.mgrDept}, QuietFrom: "12:00", QuietTo: "13:30"},
		{Name: "部门未到名单", Enabled: true, Channel: kaoqin.ChannelDigest, At: "09:30", Cap: 1},
		{Name: "考勤播报", Enabled: true, Channel: kaoqin.ChannelRobot, At: "10:00", Cap: 1,
			RobotURL: "https://oapi.dingtalk.com/robot/send?access_token=5f3a1c9e7b2d4a6f8e0c1b3d5f7a9c2e", RobotSecret: "SECabc"},
	} {
		if err := e.db.SaveReminderRule(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	// Two messages sent this morning: one delivered, one DingTalk dropped.
	a, b := e.userInside(e.mgrDept), e.userOutside(e.mgrDept)
	added, err := e.db.PlanReminders(ctx, []kaoqin.ReminderMessage{
		{Key: "k1", RuleID: 1, Channel: kaoqin.ChannelPerson, WorkDate: testToday, To: a, About: []string{a}, DueAt: testNow.Add(-5 * time.Minute).UnixMilli(), Text: "【上班提醒】11月18日 09:05：还没有看到您 08:50 的上班打卡"},
		{Key: "k2", RuleID: 1, Channel: kaoqin.ChannelPerson, WorkDate: testToday, To: b, About: []string{b}, DueAt: testNow.Add(-5 * time.Minute).UnixMilli(), Text: "【上班提醒】11月18日 09:05：还没有看到您 08:50 的上班打卡"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.UpdateReminders(ctx, []kaoqin.ReminderUpdate{
		{ID: added[0].ID, If: kaoqin.ReminderPlanned, State: kaoqin.ReminderDelivered, TaskID: 256000000001, SentAt: 1, DoneAt: 1},
		{ID: added[1].ID, If: kaoqin.ReminderPlanned, State: kaoqin.ReminderFailed, Reason: "daily_cap: the person had DingTalk's 500 messages of the day from the app (143105)", DoneAt: 1},
	}); err != nil {
		t.Fatal(err)
	}

	bctx := newBrowser(t, 90*time.Second)
	// A refused rule answers 422 on purpose (the page with the form, and why).
	watchConsole(t, bctx, func(e *cdplog.Entry) bool { return strings.Contains(e.Text, "status of 422") })
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(bctx,
		chromedp.Navigate(e.ts.URL+"/reminders"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("name"), "hr"),
		chromedp.SendKeys(chromedp.ID("password"), testPass),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("rules")),
	); err != nil {
		t.Fatalf("log in and see the reminders: %v", err)
	}
	rows, err := chromedp.Run(bctx, chromedp.Nodes(chromedp.CSSAll("#rules tbody tr")))
	if err != nil || len(rows) != 4 {
		t.Fatalf("%d rules on the page (%v), want 4", len(rows), err)
	}
	sent, err := chromedp.Run(bctx, chromedp.TextContent(chromedp.ID("sent")))
	if err != nil || !strings.Contains(sent, "已送达") || !strings.Contains(sent, "未送达") || !strings.Contains(sent, "143105") {
		t.Errorf("the sent messages: %q (%v)", sent, err)
	}
	shot("reminders-zh-1400")
	for _, lang := range []string{"en", "zh"} {
		if err := chromedp.Do(bctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.ts.URL+"/reminders?lang="+lang),
			chromedp.WaitVisible(chromedp.ID("rules"))); err != nil {
			t.Fatal(err)
		}
		shot("reminders-" + lang + "-390")
		if err := fits(bctx, "reminders in "+lang+" at 390"); err != nil {
			t.Error(err)
		}
	}
	// A refused rule, in English, on a desktop.
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate(e.ts.URL+"/reminders?lang=en"),
		chromedp.WaitVisible(chromedp.ID("rule-form")),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "Late list"),
		chromedp.Click(chromedp.CSS(`input[name="mode"][value="at"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="at"]`), "9.30"),
		chromedp.Submit(chromedp.CSS(`input[name="name"]`)),
		chromedp.WaitVisible(chromedp.ID("rule-error")),
	); err != nil {
		t.Fatalf("submit a bad rule: %v", err)
	}
	msg, err := chromedp.Run(bctx, chromedp.TextContent(chromedp.ID("rule-error")))
	if err != nil || !strings.Contains(msg, `The time "9.30" does not parse`) {
		t.Errorf("the refusal: %q (%v)", msg, err)
	}
	shot("reminders-en-1400-refused")

	// Remind from the board: tick the first person not checked in, press the button.
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.ts.URL+"/today?lang=zh"),
		chromedp.WaitVisible(chromedp.ID("not-checked-in")),
		chromedp.Click(chromedp.CSS(`#not-checked-in tr.pickable input[name="userid"]`)),
		chromedp.WaitEnabled(chromedp.CSS(`button[formaction="/reminders/now"]`)),
	); err != nil {
		t.Fatalf("select someone on the board: %v", err)
	}
	shot("today-remind-zh-390")
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`button[formaction="/reminders/now"]`)),
		chromedp.WaitVisible(chromedp.ID("reminded"))); err != nil {
		t.Fatalf("remind the selected: %v", err)
	}
	shot("remindnow-zh-390")
	if msgs, _ := e.db.Reminders(ctx, kaoqin.ReminderFilter{States: []string{kaoqin.ReminderPlanned}}); len(msgs) != 1 || msgs[0].By != "hr" {
		t.Errorf("after remind now: %+v", msgs)
	}
	if rules, _ := e.db.ReminderRules(ctx); len(rules) != 4 {
		t.Errorf("%d rules after a refused one, want 4", len(rules))
	}
}
