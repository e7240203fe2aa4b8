package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/web"
	"github.com/kaoqin/kaoqin/web/webtest"
)

// fakeFetcher fetches a day from the simulator's truth, as getupdatedata would answer it.
type fakeFetcher struct {
	e     *env
	mu    sync.Mutex
	calls []string
}

func (f *fakeFetcher) FetchDay(ctx context.Context, userid, day string) (*kaoqin.DayDetail, error) {
	f.mu.Lock()
	f.calls = append(f.calls, userid+" "+day)
	f.mu.Unlock()
	td, ok := f.e.sim.Truth().Day(userid, day)
	if !ok {
		return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "no %s", userid)
	}
	d := kaoqin.DayDetail{UserID: userid, WorkDate: day, FetchedAt: testNow.UnixMilli()}
	for _, r := range td.Results {
		d.Results = append(d.Results, webtest.Check(r, shanghai))
		if r.RecordID != 0 {
			d.Matched = append(d.Matched, r.RecordID)
		}
	}
	for _, r := range td.Records {
		d.Punches = append(d.Punches, webtest.Punch(r, shanghai))
	}
	if td.Leave != nil {
		d.Approvals = append(d.Approvals, kaoqin.Approval{Tag: "请假", SubType: "年假", BizType: 3, Begin: td.Leave.StartTime, End: td.Leave.EndTime})
	}
	return &d, f.e.db.SaveDayDetail(ctx, d)
}

// TestBrowser_DisputedDay opens a disputed day in Chromium as HR: the punches with their
// methods in words, the results, the plan; then fetches the day from DingTalk with the button
// that says what it costs. It also checks that the punches, methods and review pages fit a
// phone's width in both languages (and with KAOQIN_TEST_ARTIFACTS set, screenshots them at
// desktop and phone sizes).
func TestBrowser_DisputedDay(t *testing.T) {
	t.Parallel()
	chromiumPath(t) // where there is no browser, skip before the set-up
	f := &fakeFetcher{}
	e := newEnv(t, func(c *web.Config) { c.Fetcher = f })
	f.e = e
	shots := artifactsDir(t)

	// A day with a punch DingTalk refused and another one besides: evidence to dispute.
	var userid, day string
	for _, u := range e.sim.Truth().UserIDs() {
		for d := "2026-11-02"; d <= "2026-11-17" && userid == ""; d = kaoqin.AddDays(d, 1) {
			if td, _ := e.sim.Truth().Day(u, d); td.InvalidPunch && len(td.Records) >= 3 {
				userid, day = u, d
			}
		}
	}
	if userid == "" {
		t.Fatal("no day with an invalid punch in the fixture")
	}
	want, err := report.LoadDay(context.Background(), e.db, userid, day, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}

	ctx := newBrowser(t, 180*time.Second)
	// Screenshots only when asked for (KAOQIN_TEST_ARTIFACTS): they take seconds each on a
	// loaded machine, and the checks below do not need them.
	keep := os.Getenv("KAOQIN_TEST_ARTIFACTS") != ""
	shot := func(name string) {
		t.Helper()
		if !keep {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	view := func(name string) { // the first screen only: what a reader sees on opening the page
		t.Helper()
		if !keep {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	size := func(w, h int64) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h)); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1400, 1000),
		chromedp.Navigate(e.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("name"), "hr"),
		chromedp.SendKeys(chromedp.ID("password"), testPass),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("board")),
	); err != nil {
		t.Fatalf("log in: %v", err)
	}

	// The day: every punch with its method in words.
	dayURL := e.ts.URL + "/employees/" + userid + "/days/" + day
	if err := chromedp.Do(ctx, chromedp.Navigate(dayURL+"?lang=zh"), chromedp.WaitVisible(chromedp.ID("punches-h"))); err != nil {
		t.Fatalf("open the day: %v", err)
	}
	shot("day-zh-1400")
	methods, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#punches-h ~ table [data-punch]")].map(r => r.dataset.method)`))
	if err != nil {
		t.Fatal(err)
	}
	words, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#punches-h ~ table [data-punch] td.method")].map(td => td.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if len(methods) != len(want.Punches) || len(methods) < 3 {
		t.Fatalf("the day shows %d punches, the store has %d", len(methods), len(want.Punches))
	}
	labels := map[string]string{kaoqin.MethodMachine: "考勤机", kaoqin.MethodDingTalkDevice: "钉钉考勤机", kaoqin.MethodBeacon: "蓝牙信标",
		kaoqin.MethodPhoneGPS: "手机定位", kaoqin.MethodPhoneWiFi: "手机 Wi-Fi", kaoqin.MethodPhone: "手机", kaoqin.MethodAdmin: "管理员修改",
		kaoqin.MethodApproval: "审批", kaoqin.MethodAuto: "自动打卡"}
	for i, p := range want.Punches {
		if methods[i] != *p.Method || !strings.HasPrefix(words[i], labels[*p.Method]) {
			t.Errorf("punch %d: shown %s %q, the store says %s", i, methods[i], words[i], *p.Method)
		}
	}
	invalid, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#punches-h ~ table tr.invalid").length`))
	if err != nil {
		t.Fatal(err)
	}
	if invalid == 0 {
		t.Error("the refused punch is not marked invalid")
	}
	cost, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.ID("fetch-cost")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cost, "5000") {
		t.Errorf("the fetch button does not say what is left: %q", cost)
	}

	// Fetch it from DingTalk: one call, then the page shows what DingTalk said.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("fetch-button")), chromedp.WaitVisible(chromedp.ID("fetched")),
		chromedp.WaitVisible(chromedp.ID("detail-results"))); err != nil {
		t.Fatalf("fetch the day: %v", err)
	}
	if len(f.calls) != 1 || f.calls[0] != userid+" "+day {
		t.Errorf("fetches %v", f.calls)
	}
	shot("day-fetched-zh-1400")
	if err := chromedp.Do(ctx, chromedp.Navigate(dayURL+"?lang=en"), chromedp.WaitVisible(chromedp.ID("punches-h"))); err != nil {
		t.Fatal(err)
	}
	shot("day-en-1400")

	// Every page at both sizes, in both languages, none wider than a phone's screen.
	pages := map[string]string{
		"day":     dayURL + "?",
		"punches": e.ts.URL + "/punches?from=2026-11-16&to=2026-11-17&",
		"methods": e.ts.URL + "/methods?from=2026-11-02&to=2026-11-17&",
		"review":  e.ts.URL + "/review?from=2026-11-10&to=2026-11-13&",
	}
	for name, u := range pages {
		for _, lang := range []string{"zh", "en"} {
			sizes := [][2]int64{{390, 844}} // the width that can overflow
			if keep {
				sizes = append(sizes, [2]int64{1400, 1000})
			}
			for _, sz := range sizes {
				size(sz[0], sz[1])
				if err := chromedp.Do(ctx, chromedp.Navigate(u+"lang="+lang), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
					t.Fatal(err)
				}
				shot(fmt.Sprintf("%s-%s-%d", name, lang, sz[0]))
				view(fmt.Sprintf("%s-%s-%d-first-screen", name, lang, sz[0]))
				wide, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
				if err != nil {
					t.Fatal(err)
				}
				if wide > sz[0] {
					culprits, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))`))
					t.Errorf("%s in %s at %d px is %d px wide: %v", name, lang, sz[0], wide, culprits)
				}
			}
		}
	}
}
