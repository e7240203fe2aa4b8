package web_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_CountToChecks follows counts to what stands behind them, as HR checking a payroll
// number would: a department's late count in the period report opens the people counted in it,
// a person's late count opens the days and the Late checks behind it (as many as the count),
// and the board's late count opens the people late that day.
func TestBrowser_CountToChecks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := newBrowser(t, 120*time.Second)
	const from, to = "2026-11-01", "2026-11-17"
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/period?from="+from+"&to="+to),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("name"), "hr"),
		chromedp.SendKeys(chromedp.ID("password"), testPass),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("period-departments")),
	); err != nil {
		t.Fatalf("log in and open the period report: %v", err)
	}
	dept := `#period-departments tr[data-dept="` + strconv.FormatInt(e.mgrDept, 10) + `"] td[data-field="late_count"]`
	n, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(dept)))
	if err != nil || n == "0" {
		t.Fatalf("the department's late count %q (%v): want some", n, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(dept+" a")), chromedp.WaitVisible(chromedp.ID("who"))); err != nil {
		t.Fatalf("follow the department's late count: %v", err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#period-employees tbody tr td[data-field="late_count"]')].map(td => td.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("nobody is counted in the department's late count")
	}
	sum := 0
	for _, r := range rows {
		k, err := strconv.Atoi(r)
		if err != nil || k == 0 {
			t.Errorf("a person listed under the late count has %q", r)
		}
		sum += k
	}
	if strconv.Itoa(sum) != strings.TrimSpace(n) {
		t.Errorf("the people listed add up to %d lates, the department counts %s", sum, n)
	}

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#period-employees tbody tr td[data-field="late_count"] a`)),
		chromedp.WaitVisible(chromedp.ID("trace")),
	); err != nil {
		t.Fatalf("follow a person's late count: %v", err)
	}
	count, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("#trace .count")))
	if err != nil {
		t.Fatal(err)
	}
	late, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#trace li.r-Late').length`))
	if err != nil {
		t.Fatal(err)
	}
	days, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#trace article.dayview').length`))
	if err != nil {
		t.Fatal(err)
	}
	if count == "0" || count != strconv.Itoa(late) || days == 0 {
		t.Errorf("the late count says %s, its days show %d Late checks over %d days", count, late, days)
	}
	// A day behind it opens that day's punches, plans and approvals.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#trace article.dayview .links a`)),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
	); err != nil {
		t.Fatalf("follow a day of the late count: %v", err)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.Contains(loc, "/days/2026-11-") {
		t.Errorf("the day led to %s (%v)", loc, err)
	}

	// The board's late count of a day opens the people late that day.
	const day = "2026-11-17"
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/today?date="+day),
		chromedp.WaitVisible(chromedp.CSS(`#board .headline dd[data-field="late"] a`)),
	); err != nil {
		t.Fatalf("open the board of %s: %v", day, err)
	}
	board, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(`#board .headline dd[data-field="late"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#board .headline dd[data-field="late"] a`)),
		chromedp.WaitVisible(chromedp.ID("who")),
	); err != nil {
		t.Fatalf("follow the board's late count: %v", err)
	}
	listed, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#employees tbody tr[data-userid]').length`))
	if err != nil {
		t.Fatal(err)
	}
	if strconv.Itoa(listed) != strings.TrimSpace(board) {
		t.Errorf("the board counts %s late, the page behind it lists %d people", board, listed)
	}
}
