package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/notify"
	"github.com/kaoqin/kaoqin/store"
)

// remindEnv is a database with a simulated company's org chart and one workday synced.
type remindEnv struct {
	sim  *syncSim
	db   string
	day  string
	args func(extra ...string) []string
}

func newRemindEnv(t *testing.T) *remindEnv {
	t.Helper()
	s := newSyncSim(t, dingtalksim.Config{})
	e := &remindEnv{sim: s, db: filepath.Join(t.TempDir(), "kaoqin.db")}
	// The last Wednesday before today: a workday (the simulator's holidays are Mondays).
	loc := shanghaiZone()
	d := time.Now().In(loc).AddDate(0, 0, -1)
	for d.Weekday() != time.Wednesday {
		d = d.AddDate(0, 0, -1)
	}
	e.day = d.Format("2006-01-02")
	e.args = func(extra ...string) []string {
		return append([]string{"--app-key", dingtalksim.DefaultAppKey, "--app-secret", dingtalksim.DefaultAppSecret,
			"--base-url", s.srv.URL, "--db", e.db, "--qps", "1000", "--log-level", "warn"}, extra...)
	}
	if status, _, stderr := runSync(context.Background(), e.args("sync", "--from", e.day, "--to", e.day)); status != 0 {
		t.Fatalf("sync: %s", stderr)
	}
	return e
}

func (e *remindEnv) run(t *testing.T, extra ...string) (int, string, string) {
	t.Helper()
	return runSync(context.Background(), e.args(extra...))
}

func (e *remindEnv) dept(t *testing.T) int64 {
	db, err := store.Open(context.Background(), e.db)
	must(t, err)
	defer db.Close()
	depts, err := db.Departments(context.Background())
	must(t, err)
	return depts[len(depts)-1].ID
}

// TestRemind_Rules: rules are added, edited, switched and deleted from the command line; a bad
// rule is refused with one line saying what to fix and nothing is saved.
func TestRemind_Rules(t *testing.T) {
	t.Parallel()
	e := newRemindEnv(t)
	dept := strconv.FormatInt(e.dept(t), 10)
	robot := e.sim.srv.URL + "/robot/send?access_token=" + dingtalksim.DefaultRobotToken
	for _, args := range [][]string{
		{"remind", "add", "--name", "上班提醒", "--after", "15"},
		{"remind", "add", "--name", "催卡", "--after", "15", "--every", "30", "--cap", "3", "--dept", dept, "--quiet", "12:00-13:30"},
		{"remind", "add", "--name", "考勤播报", "--channel", "robot", "--at", "10:00", "--robot-url", robot, "--robot-secret", dingtalksim.DefaultRobotSecret},
	} {
		if status, stdout, stderr := e.run(t, args...); status != 0 || !strings.Contains(stdout, "added") {
			t.Fatalf("%v: status %d, %s%s", args, status, stdout, stderr)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"remind", "add", "--name", "x", "--after", "15", "--dept", "424242"}, "Department 424242 is not in the org chart"},
		{[]string{"remind", "add", "--name", "x", "--channel", "digest", "--at", "9.30"}, `The time "9.30" does not parse: want HH:MM`},
		{[]string{"remind", "add", "--name", "x", "--after", "1500"}, "The offset of 1500 minutes is over a day"},
		{[]string{"remind", "add", "--name", "x", "--channel", "robot", "--at", "10:00", "--robot-url", "https://example.com/hook?access_token=abc"}, "is not DingTalk's webhook"},
		{[]string{"remind", "add", "--name", "上班提醒", "--after", "20"}, "Another rule is called"},
		{[]string{"remind", "edit", "1", "--dept", "424242"}, "Department 424242 is not in the org chart"},
		{[]string{"remind", "rm", "99"}, "There is no reminder rule 99"},
	} {
		status, stdout, stderr := e.run(t, tc.args...)
		if status != 1 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || stdout != "" {
			t.Errorf("%v: status %d, stdout %q, stderr %q; want 1 and one line saying %q", tc.args, status, stdout, stderr, tc.want)
		}
	}
	if status, _, stderr := e.run(t, "remind", "edit", "1", "--after", "20", "--note", "请及时打卡"); status != 0 {
		t.Fatalf("edit: %s", stderr)
	}
	if status, _, stderr := e.run(t, "remind", "off", "2"); status != 0 {
		t.Fatalf("off: %s", stderr)
	}
	if status, _, stderr := e.run(t, "remind", "opt-out", "nobody"); status != 1 || !strings.Contains(stderr, `"nobody"`) {
		t.Errorf("opt-out of an unknown userid: %d %s", status, stderr)
	}
	_, stdout, _ := e.run(t, "remind", "list", "--json")
	var got struct {
		Rules []kaoqin.ReminderRule `json:"rules"`
	}
	must(t, json.Unmarshal([]byte(stdout), &got))
	if len(got.Rules) != 3 || got.Rules[0].After != 20 || got.Rules[0].Note != "请及时打卡" || got.Rules[1].Enabled ||
		got.Rules[1].Cap != 3 || got.Rules[1].QuietTo != "13:30" || got.Rules[2].At != "10:00" {
		t.Errorf("rules after the edits: %s", stdout)
	}
	if strings.Contains(stdout, dingtalksim.DefaultRobotToken) || strings.Contains(stdout, dingtalksim.DefaultRobotSecret) {
		t.Errorf("the list shows the robot's token or secret: %s", stdout)
	}
	_, stdout, _ = e.run(t, "remind", "list")
	if !strings.Contains(stdout, "15 min") && !strings.Contains(stdout, "20 min after the shift start") || strings.Contains(stdout, dingtalksim.DefaultRobotToken) {
		t.Errorf("list:\n%s", stdout)
	}
	if status, _, stderr := e.run(t, "remind", "rm", "3"); status != 0 {
		t.Fatalf("rm: %s", stderr)
	}
}

// TestRemind_DryRunAndSend: --dry-run --at shows who would get which message when; sending
// needs the agent id, and is left to kaoqin serve while it holds the scheduler lock.
func TestRemind_DryRunAndSend(t *testing.T) {
	t.Parallel()
	e := newRemindEnv(t)
	if status, _, stderr := e.run(t, "remind", "add", "--name", "上班提醒", "--after", "15"); status != 0 {
		t.Fatal(stderr)
	}
	status, stdout, stderr := e.run(t, "remind", "--dry-run", "--at", e.day+" 09:30")
	if status != 0 || !strings.Contains(stdout, "TIME") || !strings.Contains(stdout, "09:15") || !strings.Contains(stdout, "上班提醒") ||
		!strings.Contains(stdout, " due ") {
		t.Errorf("dry run: status %d\n%s%s", status, stdout, stderr)
	}
	status, stdout, _ = e.run(t, "remind", "--dry-run", "--at", e.day+" 09:30", "--json")
	var p struct {
		Items []struct {
			Status string `json:"status"`
			Text   string `json:"text"`
		} `json:"items"`
	}
	must(t, json.Unmarshal([]byte(stdout), &p))
	if status != 0 || len(p.Items) == 0 || p.Items[0].Status != "due" || !strings.Contains(p.Items[0].Text, "09:00 的上班打卡") {
		t.Errorf("dry run as JSON: %s", stdout)
	}
	if status, _, stderr := e.run(t, "remind", "--at", "09:30"); status != 2 || !strings.Contains(stderr, "--dry-run") {
		t.Errorf("--at without --dry-run: %d %s", status, stderr)
	}
	if status, _, stderr := e.run(t, "remind"); status != 1 || !strings.Contains(stderr, "KAOQIN_DINGTALK_AGENT_ID") {
		t.Errorf("without an agent id: %d %s", status, stderr)
	}
	db, err := store.Open(context.Background(), e.db)
	must(t, err)
	unlock, ok, err := db.TryLock(context.Background(), "scheduler")
	if err != nil || !ok {
		t.Fatal(err)
	}
	if status, _, stderr := e.run(t, "--agent-id", "2391456789", "remind"); status != 1 || !strings.Contains(stderr, "kaoqin serve holds the scheduler lock") {
		t.Errorf("while serve holds the lock: %d %s", status, stderr)
	}
	unlock()
	db.Close()
	if status, _, stderr := e.run(t, "--agent-id", "2391456789", "remind"); status != 1 || !strings.Contains(stderr, "has not been synced: run kaoqin sync") {
		t.Errorf("today not synced: %d %s", status, stderr)
	}
	if status, _, stderr := e.run(t, "sync"); status != 0 {
		t.Fatal(stderr)
	}
	if status, stdout, stderr := e.run(t, "--agent-id", "2391456789", "remind"); status != 0 || !strings.Contains(stdout, "reminders:") {
		t.Errorf("one pass: %d %s%s", status, stdout, stderr)
	}
}

// TestPushBudget: robot messages stop when the month's pushes (events and robot messages) would
// pass the quota; quota 0 is no limit.
func TestPushBudget(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loc := time.FixedZone("CST", 8*3600)
	now := func() time.Time { return time.Date(2026, 12, 4, 10, 0, 0, 0, loc) }
	for range 2 {
		if err := db.RecordRobotPush(ctx, "2026-12"); err != nil {
			t.Fatal(err)
		}
	}
	if err := pushBudget(db, 3, now, loc)(ctx, 1); err != nil {
		t.Errorf("the third of 3 pushes: %v", err)
	}
	if err := pushBudget(db, 2, now, loc)(ctx, 1); kaoqin.ErrorCode(err) != kaoqin.EQUOTA || !strings.Contains(kaoqin.ErrorMessage(err), "KAOQIN_DINGTALK_PUSH_QUOTA") {
		t.Errorf("a third of 2 pushes: %v, want EQUOTA naming KAOQIN_DINGTALK_PUSH_QUOTA", err)
	}
	if err := pushBudget(db, 0, now, loc)(ctx, 1000); err != nil {
		t.Errorf("no limit: %v", err)
	}
}

// TestWritePreview_Header: a moment still to come says it is judged on the punches known now.
func TestWritePreview_Header(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 12, 4, 8, 50, 0, 0, loc)
	var past, future strings.Builder
	must(t, writePreview(&past, &notify.Preview{Day: "2026-12-04", At: now.Add(-time.Hour)}, now, loc))
	must(t, writePreview(&future, &notify.Preview{Day: "2026-12-04", At: now.Add(40 * time.Minute)}, now, loc))
	if !strings.HasPrefix(past.String(), "reminders of 2026-12-04, as the data stands at 07:50\n") {
		t.Errorf("a past moment: %q", past.String())
	}
	if !strings.HasPrefix(future.String(), "reminders of 2026-12-04 at 09:30, judged on the punches known now (2026-12-04 08:50)") {
		t.Errorf("a moment to come: %q", future.String())
	}
}
