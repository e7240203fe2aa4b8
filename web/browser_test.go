package web_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/kaoqin/kaoqin/report"
)

// The browser test drives Debian's Chromium through the dashboard the way HR would at 9:10:
// log in, read the today board (whose numbers must be exactly what the report package
// computes from the same rows), drill into a department, look at an employee's calendar,
// switch to English, and download the period report's XLSX. Each step leaves a screenshot in
// KAOQIN_TEST_ARTIFACTS (or a temporary folder, logged).

const chromiumEnv = "KAOQIN_TEST_CHROMIUM"

func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv(chromiumEnv)
	if p == "" {
		p = "/usr/bin/chromium"
		if _, err := os.Stat(p); err != nil {
			t.Skip("Chromium is not installed at /usr/bin/chromium (and " + chromiumEnv + " is not set): skipping the browser test; scripts/test.sh installs it")
		}
	}
	return p
}

func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KAOQIN_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else {
		dir = filepath.Join(dir, "web-browser")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

func TestBrowser(t *testing.T) {
	t.Parallel()
	exe := chromiumPath(t)
	e := newEnv(t)
	shots := artifactsDir(t)
	downloads := t.TempDir()

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()
	if err := chromedp.Do(ctx); err != nil {
		// The browser did not start: with KAOQIN_TEST_CHROMIUM set (CI) that is a failure.
		if os.Getenv(chromiumEnv) != "" {
			t.Fatalf("start Chromium %s: %v", exe, err)
		}
		t.Skipf("Chromium %s does not start here (%v): skipping the browser test", exe, err)
	}

	// Every script error and every console error (a CSP violation among them) fails the test.
	var mu sync.Mutex
	var consoleErrors []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			consoleErrors = append(consoleErrors, "exception: "+ev.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError {
				consoleErrors = append(consoleErrors, string(ev.Entry.Source)+": "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range consoleErrors {
			t.Errorf("browser console: %s", e)
		}
	}()

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
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}

	// 1. Log in.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/today"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("name"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), testPass),
	); err != nil {
		t.Fatal(err)
	}
	shot("1-login")
	if err := chromedp.Do(ctx,
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("board")),
	); err != nil {
		t.Fatalf("log in and see the board: %v", err)
	}
	shot("2-today")

	// 2. The board's numbers are the report package's.
	in, err := report.Load(context.Background(), e.db, testToday, testToday, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want, err := report.ComputeDaily(in, testToday, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	fields := []string{"headcount", "scheduled", "checked_in", "not_checked_in", "late", "absent", "on_leave", "outside"}
	checkTile := func(dept int64, c report.Counts) {
		t.Helper()
		got := map[string]int{}
		for _, f := range fields {
			n, err := strconv.Atoi(text(`.tile[data-dept="` + sprint(dept) + `"] dd[data-field="` + f + `"]`))
			if err != nil {
				t.Fatalf("tile %d field %s: %v", dept, f, err)
			}
			got[f] = n
		}
		wantMap := map[string]int{"headcount": c.Headcount, "scheduled": c.Scheduled, "checked_in": c.CheckedIn,
			"not_checked_in": c.NotCheckedIn, "late": c.Late, "absent": c.Absent, "on_leave": c.OnLeave, "outside": c.Outside}
		for _, f := range fields {
			if got[f] != wantMap[f] {
				t.Errorf("tile %d: %s = %d on the page, report says %d", dept, f, got[f], wantMap[f])
			}
		}
	}
	checkTile(0, want.Company)
	if want.Company.CheckedIn == 0 || want.Company.NotCheckedIn == 0 {
		t.Fatalf("the fixture's morning should have people in and people missing: %+v", want.Company)
	}
	tiles := 0
	for _, d := range want.Departments {
		if d.ParentID == 1 && d.Counts.Headcount > 0 && tiles < 4 {
			checkTile(d.ID, d.Counts)
			tiles++
		}
	}
	if tiles == 0 {
		t.Fatal("no department tile checked")
	}
	rows, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("#not-checked-in tbody tr")))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != want.Company.NotCheckedIn {
		t.Errorf("not-checked-in list has %d rows, report says %d", len(rows), want.Company.NotCheckedIn)
	}

	// 3. Drill into the manager's department.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.tile[data-dept="`+sprint(e.mgrDept)+`"] .links a`)),
		chromedp.WaitVisible(chromedp.ID("employees")),
		chromedp.WaitVisible(chromedp.CSS(`[data-chart="trend"][data-drawn]`)),
	); err != nil {
		t.Fatalf("open the department page: %v", err)
	}
	shot("3-department")
	var dept report.DailyDepartment
	for _, d := range want.Departments {
		if d.ID == e.mgrDept {
			dept = d
		}
	}
	if got := text("h1"); !strings.HasPrefix(got, dept.Name) {
		t.Errorf("department page heading %q, want %q", got, dept.Name)
	}
	if n, _ := strconv.Atoi(text(`.tile[data-dept="` + sprint(e.mgrDept) + `"] dd[data-field="scheduled"]`)); n != dept.Counts.Scheduled {
		t.Errorf("department page: scheduled %d, report says %d", n, dept.Counts.Scheduled)
	}

	// 4. An employee's calendar.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#employees tbody tr td a`)),
		chromedp.WaitVisible(chromedp.ID("days")),
		chromedp.WaitVisible(chromedp.CSS(`[data-chart="calendar"][data-drawn]`)),
	); err != nil {
		t.Fatalf("open an employee page: %v", err)
	}
	shot("4-employee")

	// 5. English.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/today?lang=en"),
		chromedp.WaitVisible(chromedp.ID("board")),
	); err != nil {
		t.Fatal(err)
	}
	if got := text("h1"); !strings.HasPrefix(got, "Today's attendance") {
		t.Errorf("English board heading %q", got)
	}
	shot("5-today-en")

	// 6. The period page and its XLSX, in Chinese again.
	from, to := "2026-11-01", "2026-11-17"
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/period?lang=zh&from="+from+"&to="+to),
		chromedp.WaitVisible(chromedp.ID("period-employees")),
	); err != nil {
		t.Fatal(err)
	}
	shot("6-period")
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			events := true
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &events,
			})
			return err
		}),
		chromedp.Click(chromedp.ID("download-xlsx")),
	); err != nil {
		t.Fatal(err)
	}
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("wait for the download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(downloads, ev.GUID)
			break
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	period, err := report.LoadPeriod(context.Background(), e.db, from, to, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	xf, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open the downloaded XLSX: %v", err)
	}
	defer xf.Close()
	sheets := xf.GetSheetList()
	if len(sheets) == 0 {
		t.Fatal("the XLSX has no sheets")
	}
	xrows, err := xf.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(xrows) != len(period.Employees)+1 {
		t.Errorf("XLSX has %d rows, want a header and %d employees", len(xrows), len(period.Employees))
	}
	var ids []string
	for _, r := range xrows[1:] {
		ids = append(ids, strings.Join(r, "|"))
	}
	for _, emp := range period.Employees[:3] {
		if !slices.ContainsFunc(ids, func(row string) bool { return strings.Contains(row, emp.UserID) && strings.Contains(row, emp.Name) }) {
			t.Errorf("XLSX has no row for %s %s", emp.UserID, emp.Name)
		}
	}
	entries := e.audit()
	if len(entries) == 0 || entries[0].Action != "export" || !strings.Contains(entries[0].Target, "xlsx") {
		t.Errorf("the download is not in the audit log: %+v", entries)
	}
}
