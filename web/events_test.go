package web_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/web"
)

// TestEvents_SourceAndBudgets: the sync page shows the month's pushes against their quota and
// the day they run out at this pace, and both the sync page and the board say which source
// carries the board, in Chinese and in English; the board refreshes every 2 s on events.
func TestEvents_SourceAndBudgets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *web.Config) { c.PushQuota = 150 })
	ctx := context.Background()
	month := kaoqin.MonthOf(testNow, shanghai)
	for i := range 120 {
		_, err := e.db.ReceiveEvent(ctx, &kaoqin.Event{ID: fmt.Sprint("ev", i), Type: "attendance_check_record", ReceivedAt: testNow.UnixMilli()},
			kaoqin.Push{Month: month, Kind: "attendance_check_record", Counted: true}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
	}
	e.sync.mu.Lock()
	e.sync.events = &web.EventsStatus{Mode: "stream", Carried: true, Why: "events", LastEventAt: testNow.Add(-3 * time.Second), Pushes: 120, PushQuota: 150}
	e.sync.mu.Unlock()
	c := e.as("admin")
	for _, tc := range []struct{ lang, source, boardSource, pushes, runsOut, refresh, paused string }{
		{"zh", "数据来源：钉钉事件推送，最近一条在 3 秒前", "数据来源：钉钉事件推送，打卡即时显示", "本月事件推送", "推送额度将于 11-2", "每 2 秒自动刷新", "钉钉事件推送承载看板时暂停实时拉取"},
		{"en", "Source: DingTalk&#39;s events, last 3 s ago", "Source: DingTalk&#39;s events, punches shown as they come", "Event pushes this month", "the pushes run out on 11-2", "refreshes every 2 s", "Live pulls pause while DingTalk&#39;s events carry the board"},
	} {
		page := c.get("/sync?lang=" + tc.lang).text()
		for _, want := range []string{tc.source, tc.pushes, `data-field="pushes">120<`, `data-field="push_quota">150<`, tc.runsOut, tc.paused} {
			if !strings.Contains(page, want) {
				t.Errorf("/sync in %s lacks %q", tc.lang, want)
			}
		}
		board := c.get("/today?lang=" + tc.lang).text()
		for _, want := range []string{tc.boardSource, tc.refresh, `hx-trigger="every 2s"`} {
			if !strings.Contains(board, want) {
				t.Errorf("the board in %s lacks %q", tc.lang, want)
			}
		}
	}

	// The board's refresh gets 204 while the board is the one the page shows, and the board
	// once the data moved.
	board := c.get("/today").text()
	m := regexp.MustCompile(`hx-get="(/today/board\?[^"]+)"`).FindStringSubmatch(board)
	if m == nil {
		t.Fatal("no refresh on the board")
	}
	refresh := html.UnescapeString(m[1])
	if r := c.get(refresh); r.StatusCode != 204 || len(r.body) != 0 {
		t.Errorf("an unchanged board: %d, %d bytes", r.StatusCode, len(r.body))
	}
	if err := e.db.FinishEvent(ctx, "ev1", "", false); err != nil { // a punch handled: the data moved
		t.Fatal(err)
	}
	if r := c.get(refresh); r.StatusCode != 200 || !strings.Contains(r.text(), `id="board"`) {
		t.Errorf("a board whose data moved: %d", r.StatusCode)
	}
	var info web.SyncInfo
	c.getJSON("/api/v1/sync", 200, &info)
	if info.PushQuota != 150 || info.PushRemaining != 30 || info.Ledger.Pushes != 120 || info.Status == nil || info.Status.Events == nil || !info.Status.Events.Carried {
		t.Errorf("/api/v1/sync: %+v", info)
	}

	// The push budget spent: polls carry the board again, and say why.
	e.sync.mu.Lock()
	e.sync.events = &web.EventsStatus{Mode: "stream", Why: "pushes_spent", Pushes: 150, PushQuota: 150}
	e.sync.mu.Unlock()
	e.clock.Advance(time.Minute) // past the board's cache
	for lang, want := range map[string]string{"zh": "数据来源：每 10 分钟拉取一次（本月推送额度已用完）", "en": "Source: polls every 10 min: push budget spent"} {
		for _, path := range []string{"/sync", "/today?date=" + kaoqin.DateOf(testNow, shanghai)} {
			page := c.get(path + sep(path) + "lang=" + lang).text()
			if !strings.Contains(page, want) {
				t.Errorf("%s in %s lacks %q", path, lang, want)
			}
			if strings.Contains(path, "today") && !strings.Contains(page, `hx-trigger="every 60s"`) {
				t.Errorf("the board on polls does not refresh every minute")
			}
			if strings.Contains(page, `data-field="live-paused"`) {
				t.Errorf("%s in %s says live pulls pause while polls carry the board", path, lang)
			}
		}
	}

	// A budget that lasts the month at this pace says so.
	e2 := newEnv(t, func(c *web.Config) { c.PushQuota = 3000 })
	_, err := e2.db.ReceiveEvent(ctx, &kaoqin.Event{ID: "ev", Type: "attendance_check_record", ReceivedAt: testNow.UnixMilli()},
		kaoqin.Push{Month: month, Kind: "attendance_check_record", Counted: true}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"zh": "按本月目前的速度，推送额度够用到月底。", "en": "At this month&#39;s pace the pushes last the month."} {
		if page := e2.as("admin").get("/sync?lang=" + lang).text(); !strings.Contains(page, want) || strings.Contains(page, `data-field="pushes-run-out"`) {
			t.Errorf("/sync in %s with 1 push of 3,000 lacks %q", lang, want)
		}
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// TestEvents_ProvisionalPunch: a punch that came as an event, before DingTalk's result, reads
// as provisional in the department's list of the day, in both languages.
func TestEvents_ProvisionalPunch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("admin")
	var daily struct {
		Employees []struct {
			UserID        string  `json:"userid"`
			Presence      string  `json:"presence"`
			DepartmentIDs []int64 `json:"department_ids"`
		} `json:"employees"`
	}
	c.getJSON("/api/v1/daily", 200, &daily)
	var who string
	var dept int64
	for _, p := range daily.Employees {
		if p.Presence == "overdue" && len(p.DepartmentIDs) > 0 {
			who, dept = p.UserID, p.DepartmentIDs[0]
			break
		}
	}
	if who == "" {
		t.Fatal("nobody overdue on the board")
	}
	at := testNow.Add(-2 * time.Minute)
	day := kaoqin.DateOf(testNow, shanghai)
	_, err := e.db.SavePunches(context.Background(), kaoqin.PunchBatch{Punches: []kaoqin.Punch{{
		ID: -1, UserID: who, WorkDate: day, LocationResult: "Normal", SourceType: "EVENT", UserCheckTime: at.UnixMilli()}}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute) // past the board's cache
	for lang, want := range map[string]string{"zh": "待钉钉确认", "en": ">provisional<"} {
		path := fmt.Sprintf("/departments/%d?date=%s&lang=%s", dept, day, lang)
		if page := c.get(path).text(); !strings.Contains(page, want) || !strings.Contains(page, at.Format("15:04")) {
			t.Errorf("%s lacks the punch at %s marked %q", path, at.Format("15:04"), want)
		}
	}
}
