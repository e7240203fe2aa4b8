package web_test

import (
	"bytes"
	"context"
	"fmt"
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
// computes from the same rows, and add up), work the list of people not checked in, drill
// into a department, tap a day of an employee's month, switch to English, and download the
// period report's XLSX. Then it tours every page at 1400x1000 and at 390x844, in Chinese and
// in English: no element may be wider than the screen, and each view leaves a screenshot in
// KAOQIN_TEST_ARTIFACTS (or a temporary folder, logged). scripts/test.sh installs Chromium and
// a CJK font (fonts-noto-cjk), without which the screenshots show boxes for Chinese.

const chromiumEnv = "KAOQIN_TEST_CHROMIUM"

// browserRequired reports whether a browser that cannot run fails the test rather than
// skipping it: in CI, and whenever KAOQIN_TEST_CHROMIUM names one (scripts/test.sh does).
func browserRequired() bool { return os.Getenv(chromiumEnv) != "" || os.Getenv("CI") != "" }

// newBrowser starts headless Chromium at 1400x1000 for a test, with timeout for all it does; it
// fails where a browser is required (browserRequired) and skips the test elsewhere.
func newBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	exe := chromiumPath(t)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000))
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(ctx); err != nil {
		if browserRequired() {
			t.Fatalf("start Chromium %s: %v", exe, err)
		}
		t.Skipf("Chromium %s does not start here (%v)", exe, err)
	}
	return ctx
}

// watchConsole fails the test, when it ends, for every script error and every console error
// (a CSP violation among them) of the browser of ctx, but those expected says a page makes on
// purpose.
func watchConsole(t *testing.T, ctx context.Context, expected func(e *cdplog.Entry) bool) {
	t.Helper()
	var mu sync.Mutex
	var consoleErrors []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			consoleErrors = append(consoleErrors, "exception: "+ev.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError && !expected(ev.Entry) {
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
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range consoleErrors {
			t.Errorf("browser console: %s", e)
		}
	})
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv(chromiumEnv)
	if p == "" {
		p = "/usr/bin/chromium"
		if _, err := os.Stat(p); err != nil {
			if browserRequired() {
				t.Fatal("Chromium is not installed at /usr/bin/chromium and " + chromiumEnv + " is not set, in CI: scripts/test.sh installs it")
			}
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
	// Bounded, but with room for a machine busy with other tests: the tour alone is 30 views.
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	defer cancelTimeout()
	if err := chromedp.Do(ctx); err != nil {
		// The browser did not start: in CI, or with KAOQIN_TEST_CHROMIUM set, that is a failure.
		if browserRequired() {
			t.Fatalf("start Chromium %s: %v", exe, err)
		}
		t.Skipf("Chromium %s does not start here (%v): skipping the browser test", exe, err)
	}

	// The tour visits a missing page and a day not synced for their answers.
	watchConsole(t, ctx, func(e *cdplog.Entry) bool {
		return strings.Contains(e.URL, "/no/such/page") || strings.Contains(e.URL, "date=2026-11-19")
	})

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

	// The login form, at both sizes and in both languages.
	tour(t, ctx, e.ts.URL, shots, "login", "/login")

	// 1. Log in.
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1400, 1000),
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

	// 2. The board's numbers are the report package's, and its headline adds up.
	in, err := report.Load(context.Background(), e.db, testToday, testToday, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want, err := report.ComputeDaily(in, testToday, report.Options{Location: shanghai, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	number := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(function(){var e=document.querySelector(`+strconv.Quote(sel)+
			`);return e?parseInt(e.textContent,10):0})()`))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return n
	}
	parts := []string{"checked_in", "not_checked_in", "awaiting", "on_leave_not_checked_in", "not_due_yet"}
	checkTile := func(dept int64, c report.Counts) {
		t.Helper()
		tile := `.tile[data-dept="` + sprint(dept) + `"] `
		wantMap := map[string]int{"headcount": c.Headcount, "scheduled": c.Scheduled, "checked_in": c.CheckedIn,
			"not_checked_in": c.NotCheckedIn, "awaiting": c.Awaiting, "on_leave_not_checked_in": c.OnLeaveNotCheckedIn,
			"not_due_yet": c.NotDueYet, "late": c.Late, "serious_late": c.SeriousLate, "absenteeism_late": c.AbsenteeismLate,
			"absent": c.Absent, "outside": c.Outside}
		for f, w := range wantMap {
			if got := number(tile + `dd[data-field="` + f + `"]`); got != w {
				t.Errorf("tile %d: %s = %d on the page, report.ComputeDaily says %d", dept, f, got, w)
			}
		}
		sum := 0
		for _, f := range parts {
			sum += number(tile + `dd[data-field="` + f + `"]`)
		}
		if sum != number(tile+`dd[data-field="scheduled"]`) {
			t.Errorf("tile %d: the parts on the page add up to %d, not to 应到 %d", dept, sum, c.Scheduled)
		}
		// People on leave who checked in (a half day) are counted in 已到 and said apart.
		overlap, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){var e=document.querySelector(`+
			strconv.Quote(tile+`[data-field="on_leave_checked_in"]`)+`);return e?e.dataset.n:"0"})()`))
		if err != nil || overlap != sprint(c.OnLeaveCheckedIn) {
			t.Errorf("tile %d: on leave and checked in: %s on the page, %d in the report (%v)", dept, overlap, c.OnLeaveCheckedIn, err)
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

	// The board refreshes itself: htmx swaps the whole board for a new one. Its charts are
	// drawn again, with their data (htmx drops <script> elements, which held it once). (Without
	// v=, the board is sent even unchanged.)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var b=document.getElementById("board");`+
		`window.oldCharts=Array.prototype.slice.call(b.querySelectorAll("[data-chart][data-drawn]"));`+
		`b.setAttribute("data-old","1");htmx.ajax("GET",b.getAttribute("hx-get").replace(/&v=[^&]*/,""),{target:b,swap:"outerHTML"});return true})()`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(function(){var b=document.getElementById("board");`+
		`return !!b&&!b.hasAttribute("data-old")&&b.querySelectorAll("[data-chart] canvas").length===b.querySelectorAll("[data-chart]").length`+
		`&&b.querySelectorAll("[data-chart]").length>0})()`,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("after the board refreshed itself, its charts are not drawn: %v", err)
	}
	// The old board's charts are disposed of: a board open all day must not keep them all.
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.oldCharts.length===0?-1:window.oldCharts.filter(function(el){return !!echarts.getInstanceByDom(el)}).length`))
	if err != nil || kept != 0 {
		t.Errorf("after the board refreshed itself, %d of its old charts are still alive (-1: there were none) (%v)", kept, err)
	}

	// Shift starts close together on a narrow chart: their labels take as many rows as they
	// need, and no label covers another or the legend. (The board's own chart has one start.)
	crowded := `(function(){var el=document.createElement("div");el.id="crowded";el.className="chart small";el.style.width="320px";
		el.setAttribute("data-chart","arrivals");var m=[];
		for(var h=7;h<10;h++)for(var i=0;i<60;i++)m.push("0"+h+":"+(i<10?"0":"")+i);
		var z=m.map(function(){return 0}),at=["07:05","08:30","08:45","09:00","09:55"];
		el.setAttribute("data-json",JSON.stringify({minutes:m,in:z,due:z,labels:{in:"Checked in",due:"Due"},
			starts:at.map(function(a,i){return {at:a,label:a+" · "+(i*40+3)+" people"}}).concat([{at:"22:00",label:"22:00 · 9 people"}])}));
		var box=document.createElement("div");box.id="crowded-box";box.appendChild(el);
		document.getElementById("main").appendChild(box);box.dispatchEvent(new CustomEvent("htmx:load",{bubbles:true}));return true})()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](crowded)); err != nil {
		t.Fatalf("draw a crowded arrivals chart: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#crowded[data-drawn]"))); err != nil {
		t.Fatalf("draw a crowded arrivals chart: %v", err)
	}
	if err := legible(ctx, "a crowded arrivals chart"); err != nil {
		t.Error(err)
	}
	labels, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`echarts.getInstanceByDom(document.getElementById("crowded")).getZr().storage.getDisplayList()`+
		`.filter(function(e){return e.type==="tspan"&&!e.ignore&&!e.invisible&&/ · /.test(e.style.text)}).map(function(e){return e.style.text}).sort()`))
	if err != nil {
		t.Fatal(err)
	}
	// The five starts drawn have their labels; 22:00, after the chart's last minute, has none.
	if want := "[07:05 · 3 people 08:30 · 43 people 08:45 · 83 people 09:00 · 123 people 09:55 · 163 people]"; fmt.Sprint(labels) != want {
		t.Errorf("the crowded chart's labels are %v, want %s", labels, want)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("crowded-box").remove(),true`)); err != nil {
		t.Fatal(err)
	}

	// 3. The list of people not checked in: everyone the report counts, a search that narrows
	// it as one types, a department's box that selects its people.
	if n := number(`[data-field="list_total"]`); n != want.Company.NotCheckedIn {
		t.Errorf("the list says %d people, the report %d", n, want.Company.NotCheckedIn)
	}
	rows, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("#not-checked-in tr.pickable")))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != want.Company.NotCheckedIn {
		t.Errorf("not-checked-in list has %d rows, report says %d", len(rows), want.Company.NotCheckedIn)
	}
	absentees, err := want.Absentees(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := absentees.Groups[0]
	visible := func() int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("#not-checked-in tr.pickable")).filter(function(r){return r.offsetParent!==null}).length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`input[data-filter="not-checked-in"]`), first.People[0].Name)); err != nil {
		t.Fatal(err)
	}
	if n := visible(); n < 1 || n >= len(rows) {
		t.Errorf("searching %s leaves %d of %d rows", first.People[0].Name, n, len(rows))
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var i=document.querySelector('input[data-filter="not-checked-in"]');`+
		`i.value="";return i.dispatchEvent(new Event("input"))})()`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`tbody[data-dept="`+sprint(first.DeptID)+`"] input[data-group]`))); err != nil {
		t.Fatal(err)
	}
	if n := visible(); n != len(rows) {
		t.Errorf("an empty search shows %d of %d rows", n, len(rows))
	}
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#not-checked-in input[name=userid]:checked").length`))
	if err != nil || checked != len(first.People) {
		t.Errorf("the box of %s selects %d people, want %d (%v)", first.Dept, checked, len(first.People), err)
	}
	if got := text("[data-selected]"); !strings.Contains(got, sprint(len(first.People))) {
		t.Errorf("the selection count says %q", got)
	}
	shot("2-today")

	// 4. Drill into the manager's department.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/departments/"+sprint(e.mgrDept)+"?date="+testToday),
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
	checkTile(e.mgrDept, dept.Counts)

	// 5. An employee's month: a tap on a day shows that day's checks alone.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#employees tbody tr th a`)),
		chromedp.WaitVisible(chromedp.ID("calendar")),
	); err != nil {
		t.Fatalf("open an employee page: %v", err)
	}
	day := "2026-11-16"
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#calendar a[data-day="`+day+`"]`)),
		chromedp.WaitVisible(chromedp.ID("d-"+day)),
	); err != nil {
		t.Fatalf("tap %s: %v", day, err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("#days article")).filter(function(a){return !a.hidden}).length`))
	if err != nil || shown != 1 {
		t.Errorf("after tapping %s, %d days are shown, want 1 (%v)", day, shown, err)
	}
	shot("4-employee")

	// English.
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

	// Every page at both sizes, in both languages.
	began := time.Now()
	defer func() { t.Logf("the tour took %v", time.Since(began)) }()
	emp := e.userInside(e.mgrDept)
	tour(t, ctx, e.ts.URL, shots,
		"today", "/today",
		"today-dept", "/today?dept="+sprint(e.mgrDept),
		"department", "/departments/"+sprint(e.subDept),
		"employee", "/employees/"+emp,
		"period", "/period?from=2026-10-26&to=2026-11-17&dept="+sprint(e.subDept),
		"sync", "/sync",
		"users", "/admin/users",
		"audit", "/admin/audit",
		"not-found", "/no/such/page",
		"not-synced", "/today?date=2026-11-19",
	)
}

// tour shows each page (name, path, name, path...) at 390x844 in Chinese and in English, and
// at 1400x1000 in Chinese, and fails if anything on it is wider than the screen. Each view is a
// screenshot in dir: NAME-WIDTHxHEIGHT-LANG.png. Two tabs share the pages.
func tour(t *testing.T, ctx context.Context, base, dir string, pages ...string) {
	t.Helper()
	var wg sync.WaitGroup
	for tab := range 2 {
		tabCtx, cancel := chromedp.NewContext(ctx)
		defer cancel()
		// Open the tab now, on its own context: a view's timeout must not close it.
		if err := chromedp.Do(tabCtx); err != nil {
			t.Fatalf("open a tab: %v", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 2 * tab; i+1 < len(pages); i += 4 {
				for _, v := range []struct {
					w, h int64
					lang string
				}{{390, 844, "zh"}, {390, 844, "en"}, {1400, 1000, "zh"}} {
					if err := tourView(tabCtx, base, dir, pages[i], pages[i+1], v.w, v.h, v.lang); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
}

// fits fails when the page shown is wider than the screen, naming the widest elements past its
// right edge.
func fits(ctx context.Context, view string) error {
	const overflow = `(function(){var vw=document.documentElement.clientWidth,out=[];
		if(document.documentElement.scrollWidth>vw)out.push("the page is "+document.documentElement.scrollWidth+" px wide");
		document.querySelectorAll("body *").forEach(function(e){var r=e.getBoundingClientRect();
			if(r.width>0&&r.right>vw+1)out.push(e.tagName.toLowerCase()+(e.id?"#"+e.id:"")+
				(typeof e.className==="string"&&e.className?"."+e.className.trim().split(/\s+/).join("."):"")+" to "+Math.round(r.right)+" px")});
		return out.slice(0,5).join("; ")})()`
	return findNone(ctx, view, overflow, "is wider than the screen")
}

// legible fails when two texts of a chart drawn on the page cover each other: labels, legend,
// axis names. It reads what ECharts drew from its renderer's display list.
func legible(ctx context.Context, view string) error {
	const overlaps = `(function(){var out=[];
		document.querySelectorAll("[data-chart][data-drawn]").forEach(function(el){
			var c=echarts.getInstanceByDom(el);if(!c)return;
			var texts=[];
			c.getZr().storage.getDisplayList().forEach(function(e){
				if(e.type!=="tspan"||e.ignore||e.invisible||!e.style.text)return;
				var r=e.getBoundingRect().clone();r.applyTransform(e.getComputedTransform());texts.push({t:e.style.text,r:r});
			});
			for(var i=0;i<texts.length;i++)for(var j=i+1;j<texts.length;j++){
				var a=texts[i].r,b=texts[j].r;
				if(a.x<b.x+b.width&&b.x<a.x+a.width&&a.y<b.y+b.height&&b.y<a.y+a.height)
					out.push(el.getAttribute("data-chart")+": \""+texts[i].t+"\" covers \""+texts[j].t+"\"");
			}
		});
		return out.slice(0,5).join("; ")})()`
	return findNone(ctx, view, overlaps, "has chart texts that cover each other")
}

// findNone runs script, which describes what it finds wrong on the page shown, and fails with
// what it found, if anything.
func findNone(ctx context.Context, view, script, wrong string) error {
	found, err := chromedp.Run(ctx, chromedp.Evaluate[string](script))
	if err != nil {
		return fmt.Errorf("%s: %w", view, err)
	}
	if found != "" {
		return fmt.Errorf("%s %s: %s", view, wrong, found)
	}
	return nil
}

// tourView shows one page at one size in one language, checks its width and takes its
// screenshot.
func tourView(ctx context.Context, base, dir, name, path string, w, h int64, lang string) error {
	view := fmt.Sprintf("%s-%dx%d-%s", name, w, h, lang)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var opts []chromedp.EmulateViewportOption
	if w < 600 {
		opts = append(opts, chromedp.EmulateMobile)
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(w, h, opts...),
		chromedp.Navigate(base+path+sep+"lang="+lang),
		chromedp.WaitVisible(chromedp.ID("main")),
	); err != nil {
		return fmt.Errorf("%s: %w", view, err)
	}
	// Charts are drawn once their script has run.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState==="complete"&&!document.querySelector("[data-chart]:not([data-drawn])")`,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		return fmt.Errorf("%s: the charts are not drawn: %w", view, err)
	}
	if err := fits(ctx, view); err != nil {
		return err
	}
	if err := legible(ctx, view); err != nil {
		return err
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return fmt.Errorf("screenshot %s: %w", view, err)
	}
	return os.WriteFile(filepath.Join(dir, view+".png"), png, 0o644)
}
