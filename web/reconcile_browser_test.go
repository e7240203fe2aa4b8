package web_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_Reconcile logs in as HR, estimates and starts a reconciliation, reads the
// administrator's edit among its differences, and follows that day to the employee's checks,
// with screenshots of both pages at a desk's size and a phone's, in Chinese and English.
func TestBrowser_Reconcile(t *testing.T) {
	t.Parallel()
	re := newReconcileEnv(t)
	ctx := newBrowser(t, 120*time.Second)
	shots := artifactsDir(t)
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(re.ts.URL+"/reconcile?from="+re.from+"&to="+re.to),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("name"), "hr"),
		chromedp.SendKeys(chromedp.ID("password"), testPass),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("rc-form")),
		chromedp.Click(chromedp.CSS(`#rc-form button[type=submit]:not(#rc-run)`)),
		chromedp.WaitVisible(chromedp.ID("rc-plan")),
	); err != nil {
		t.Fatalf("log in and estimate: %v", err)
	}
	people, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(`#rc-plan [data-field="people"]`)))
	if err != nil || people != "40" {
		t.Errorf("estimated people %q (%v), want 40", people, err)
	}
	shot("reconcile-1-estimate-zh")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("rc-run")),
		chromedp.WaitVisible(chromedp.ID("rc-summary")),
		chromedp.WaitVisible(chromedp.ID("rc-differences")),
	); err != nil {
		t.Fatalf("start the reconciliation and see its differences: %v", err)
	}
	shot("reconcile-2-result-zh")
	sel := `#rc-differences .rc-diff[data-userid="` + re.who + `"][data-field="late_count"] li[data-date="` + re.day + `"]`
	cause, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil || !strings.Contains(cause, "管理员把上班结果由迟到改为正常") {
		t.Fatalf("the edit's day: %q (%v)", cause, err)
	}
	for _, size := range [][2]int64{{1400, 1000}, {390, 844}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size[0], size[1]),
			chromedp.Navigate(re.ts.URL+"/reconcile/1?lang=en"), chromedp.WaitVisible(chromedp.ID("rc-differences"))); err != nil {
			t.Fatal(err)
		}
		shot("reconcile-3-result-en-" + strconv.FormatInt(size[0], 10))
		if err := fits(ctx, "the reconciliation in English at "+strconv.FormatInt(size[0], 10)); err != nil {
			t.Error(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(re.ts.URL+"/reconcile?lang=zh&estimate=1&from="+re.from+"&to="+re.to),
			chromedp.WaitVisible(chromedp.ID("reconciliations"))); err != nil {
			t.Fatal(err)
		}
		shot("reconcile-4-list-zh-" + strconv.FormatInt(size[0], 10))
		if err := fits(ctx, "the reconciliations in Chinese at "+strconv.FormatInt(size[0], 10)); err != nil {
			t.Error(err)
		}
	}

	// The day of the difference leads to that day's checks of the person.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1400, 1000),
		chromedp.Navigate(re.ts.URL+"/reconcile/1"), chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Click(chromedp.CSS(sel+" a")),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
	); err != nil {
		t.Fatalf("follow the day: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(loc, "/employees/"+re.who+"?from="+re.day+"&to="+re.day) {
		t.Errorf("the day led to %s", loc)
	}
	body, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("main")))
	if err != nil || !strings.Contains(body, "迟到") {
		t.Errorf("the employee's day does not show the Late check kaoqin holds: %v", err)
	}
	shot("reconcile-5-employee-day")
}
