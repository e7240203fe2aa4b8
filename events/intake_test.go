package events

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/dingtalk/stream"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// world is a simulated company, its DingTalk, a database with its org chart, and a syncer.
type world struct {
	sim *dingtalksim.Server
	srv *httptest.Server
	db  *store.DB
	s   *syncer.Syncer
	log *lockedBuf
}

func newWorld(t *testing.T, employees int, ev dingtalksim.EventsConfig, now time.Time) *world {
	t.Helper()
	return newWorldWith(t, dingtalksim.Config{Employees: employees, Now: now, Events: ev})
}

// newWorldWith is newWorld with more of the simulator's configuration.
func newWorldWith(t *testing.T, cfg dingtalksim.Config) *world {
	t.Helper()
	cfg.Seed, cfg.Location, cfg.QPS, cfg.IPLimit, cfg.MonthlyQuota = 11, shanghai, -1, -1, -1
	sim := dingtalksim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	db, err := store.Open(context.Background(), t.TempDir()+"/kaoqin.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := &world{sim: sim, srv: srv, db: db, log: &lockedBuf{}}
	log := slog.New(slog.NewTextHandler(w.log, nil))
	books := syncer.NewBooks(shanghai, log)
	client, err := dingtalk.NewClient(sim.Config().AppKey, sim.Config().AppSecret, dingtalk.WithBaseURL(srv.URL),
		dingtalk.WithQPS(1000), dingtalk.WithLocation(shanghai), dingtalk.WithCallHook(books.Hook))
	if err != nil {
		t.Fatal(err)
	}
	w.s, err = syncer.New(syncer.Config{Client: client, Store: db, Books: books, Location: shanghai, Now: sim.Now, Logger: log, MonthlyQuota: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Run(context.Background(), syncer.Request{OrgOnly: true}); err != nil {
		t.Fatal(err)
	}
	return w
}

// instance is one kaoqin instance taking events: an intake and its Stream client.
type instance struct {
	in   *Intake
	stop func()
	done chan struct{}
}

func (w *world) instance(t *testing.T, name string, lease time.Duration) *instance {
	t.Helper()
	log := slog.New(slog.NewTextHandler(w.log, nil)).With("instance", name)
	in, err := New(Config{Store: w.db, Syncer: w.s, Location: shanghai, Logger: log, Instance: name,
		Lease: lease, Sweep: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c, err := stream.New(stream.Config{AppKey: w.sim.Config().AppKey, AppSecret: w.sim.Config().AppSecret, APIURL: w.srv.URL,
		Handle: in.Receive, OnState: in.StreamState, Logger: log, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.Run(ctx) }()
	go func() { defer wg.Done(); in.Run(ctx) }()
	go func() { wg.Wait(); close(done) }()
	inst := &instance{in: in, done: done}
	inst.stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("an instance did not stop")
		}
	}
	t.Cleanup(inst.stop)
	return inst
}

func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wantPunches are the punches of the simulator's punch events, by the ids the intake gives.
func wantPunches(t *testing.T, sim *dingtalksim.Server) map[int64]kaoqin.Punch {
	t.Helper()
	out := map[int64]kaoqin.Punch{}
	for _, ev := range sim.EventLog() {
		if ev.Type != dingtalk.EventCheckRecord {
			continue
		}
		p, err := dingtalk.Event{ID: ev.ID, Type: ev.Type, Data: ev.Data}.Decode(shanghai)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.CheckRecords {
			pu := Punch(r, shanghai)
			// The store keeps coordinates to the millionth of a degree.
			pu.Latitude, pu.Longitude = math.Round(pu.Latitude*1e6)/1e6, math.Round(pu.Longitude*1e6)/1e6
			if _, dup := out[pu.ID]; dup {
				t.Fatalf("two punches share id %d", pu.ID)
			}
			out[pu.ID] = pu
		}
	}
	return out
}

// TestIntake_AMorningOfPunches: two instances take a simulated morning's punch events while
// DingTalk disconnects them every 600 ms, duplicates 10% of the events, and one instance is
// killed halfway: every punch is stored exactly once, every event is handled, and every
// delivery an instance received is booked once.
func TestIntake_AMorningOfPunches(t *testing.T) {
	w := newWorld(t, 200, dingtalksim.EventsConfig{DuplicateRate: 0.1, DisconnectAfter: 600 * time.Millisecond,
		DisconnectGrace: 300 * time.Millisecond, AckTimeout: 2 * time.Second},
		time.Date(2026, 11, 18, 7, 30, 0, 0, shanghai))
	a := w.instance(t, "a", 400*time.Millisecond)
	b := w.instance(t, "b", 400*time.Millisecond)
	waitFor(t, "two connections", 10*time.Second, func() bool { return w.sim.EventStats().Connections == 2 })
	for step := range 12 { // 07:30 to 10:30
		w.sim.Advance(15 * time.Minute)
		if step == 6 {
			b.stop() // killed: what it stored but did not handle, and what it did not ack, goes to a
		}
		time.Sleep(150 * time.Millisecond)
	}
	want := wantPunches(t, w.sim)
	if len(want) < 150 {
		t.Fatalf("only %d punches in the morning", len(want))
	}
	ctx := context.Background()
	// Until nothing is still to come (a duplicate not yet due would be booked after the ledger
	// is read) and the disconnects asked for have happened (the morning can end before the
	// fourth on a fast machine).
	waitFor(t, "every event acked and handled", 20*time.Second, func() bool {
		c, err := w.db.EventCounts(ctx, 0)
		st := w.sim.EventStats()
		return err == nil && st.Unacked == 0 && st.Outstanding == 0 && st.Disconnects >= 4 && c.Pending == 0
	})
	got, err := w.db.Punches(ctx, kaoqin.Filter{From: "2026-11-18", To: "2026-11-18"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("%d punches stored, want %d", len(got), len(want))
	}
	for _, p := range got {
		if wp, ok := want[p.ID]; !ok || wp != p {
			t.Errorf("stored punch %+v, want %+v", p, wp)
		}
	}
	st := w.sim.EventStats()
	c, _ := w.db.EventCounts(ctx, 0)
	if c.Received != int64(st.Emitted) || c.Failed != 0 {
		t.Errorf("store has %+v, the simulator made %d events", c, st.Emitted)
	}
	l, err := w.db.Ledger(ctx, kaoqin.MonthOf(time.Now(), shanghai))
	if err != nil {
		t.Fatal(err)
	}
	if l.Pushes < int64(st.Acked) || l.Pushes > int64(st.Pushes) || l.PushDuplicates == 0 || st.Duplicates == 0 || st.Disconnects < 4 {
		t.Errorf("ledger %d pushes (%d duplicates); simulator %+v", l.Pushes, l.PushDuplicates, st)
	}
	_ = a
}

// TestIntake_OrgChangesWithoutASync: joins, leavers, transfers and departments reach the
// stored org chart through contacts events, with free contacts calls only.
func TestIntake_OrgChangesWithoutASync(t *testing.T) {
	w := newWorld(t, 40, dingtalksim.EventsConfig{NoDay: true}, time.Date(2026, 11, 18, 9, 0, 0, 0, shanghai))
	w.instance(t, "a", time.Second)
	waitFor(t, "a connection", 10*time.Second, func() bool { return w.sim.EventStats().Connections == 1 })
	time.Sleep(300 * time.Millisecond) // the simulator's baseline of the org
	ctx := context.Background()
	dept, err := w.sim.AddDepartment(1, "事件部")
	if err != nil {
		t.Fatal(err)
	}
	nu, err := w.sim.AddUser(dingtalksim.NewUser{Name: "新人", DeptIDs: []int64{dept}})
	if err != nil {
		t.Fatal(err)
	}
	ids := w.sim.Truth().UserIDs()
	mover, leaver := ids[0], ids[1]
	if err := w.sim.Transfer(mover, dept); err != nil {
		t.Fatal(err)
	}
	if err := w.sim.RemoveUser(leaver); err != nil {
		t.Fatal(err)
	}
	before := w.sim.Counters().Total().Metered
	waitFor(t, "the org chart to follow", 10*time.Second, func() bool {
		emps, err := w.db.Employees(ctx)
		if err != nil {
			return false
		}
		by := map[string]kaoqin.Employee{}
		for _, e := range emps {
			by[e.UserID] = e
		}
		return slices.Equal(by[nu.UserID].DeptIDs, []int64{dept}) && slices.Equal(by[mover].DeptIDs, []int64{dept}) && by[leaver].LeftAt != 0
	})
	depts, _ := w.db.Departments(ctx)
	found := false
	for _, d := range depts {
		found = found || d.ID == dept && d.Name == "事件部"
	}
	if !found {
		t.Error("the new department is not stored")
	}
	if m := w.sim.Counters().Total().Metered - before; m != 0 {
		t.Errorf("%d metered calls for contacts events", m)
	}
	l, _ := w.db.Ledger(ctx, kaoqin.MonthOf(time.Now(), shanghai))
	if l.Pushes != 0 || l.PushesBy[dingtalk.EventUserAdd] == 0 {
		t.Errorf("contacts events counted against the push quota: %+v", l)
	}
}

// TestIntake_ApprovalsAndChangedDays: a leave's approval pulls that person's leave again;
// an administrator's edit marks the person's day for the next reconciliation, which pulls it.
func TestIntake_ApprovalsAndChangedDays(t *testing.T) {
	w := newWorld(t, 300, dingtalksim.EventsConfig{}, time.Date(2026, 11, 18, 0, 0, 0, 0, shanghai))
	w.instance(t, "a", time.Second)
	waitFor(t, "a connection", 10*time.Second, func() bool { return w.sim.EventStats().Connections == 1 })
	w.sim.Advance(10 * time.Hour)
	var approved []string
	waitFor(t, "the morning's events", 10*time.Second, func() bool {
		approved = approved[:0]
		for _, ev := range w.sim.EventLog() {
			if ev.Type == dingtalk.EventApproveStatus && !ev.Acked.IsZero() {
				approved = append(approved, ev.UserIDs[0])
			}
		}
		return len(approved) > 0 && w.sim.EventStats().Unacked == 0
	})
	ctx := context.Background()
	waitFor(t, "the approvals handled", 10*time.Second, func() bool {
		c, _ := w.db.EventCounts(ctx, 0)
		return c.Pending == 0
	})
	start, end := kaoqin.DayBounds("2026-11-18", shanghai)
	leaves, err := w.db.Leaves(ctx, start.UnixMilli(), end.UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, l := range leaves {
		have[l.UserID] = true
	}
	for _, u := range approved {
		if !have[u] {
			t.Errorf("%s's leave was approved but is not stored", u)
		}
	}

	user := w.sim.Truth().UserIDs()[3]
	w.sim.EmitEvent(dingtalk.EventBossCheck, map[string]any{"workDate": "2026-11-17 00:00:00", "action": "attend_bossCheck_update", "planId": 1, "userId": user})
	waitFor(t, "the refetch mark", 10*time.Second, func() bool {
		marks, _ := w.db.Refetches(ctx)
		return len(marks) == 1 && marks[0].UserID == user && marks[0].Day == "2026-11-17"
	})
	before := w.sim.Counters()["/attendance/list"].Metered
	sum, err := w.s.RefetchMarked(ctx)
	if err != nil || sum == nil || sum.Marks != 1 || sum.Run.Kind != syncer.KindRefetch || sum.Run.Metered != 1 {
		t.Fatalf("RefetchMarked: %+v, %v", sum, err)
	}
	if m := w.sim.Counters()["/attendance/list"].Metered - before; m != 1 {
		t.Errorf("%d metered calls for one marked day, want 1", m)
	}
	checks, _ := w.db.Checks(ctx, kaoqin.Filter{From: "2026-11-17", To: "2026-11-17", UserIDs: []string{user}})
	if len(checks) == 0 {
		t.Error("the marked day's checks were not pulled")
	}
	if marks, _ := w.db.Refetches(ctx); len(marks) != 0 {
		t.Errorf("marks left: %+v", marks)
	}
}

func TestCarrierOf(t *testing.T) {
	now := time.Date(2026, 11, 18, 9, 0, 0, 0, shanghai)
	ms := func(d time.Duration) int64 { return now.Add(d).UnixMilli() }
	up := kaoqin.EventLink{Instance: "a", Source: kaoqin.SourceStream, Connected: true, SeenAt: ms(-10 * time.Second), LastEventAt: ms(-3 * time.Second)}
	downNow := kaoqin.EventLink{Instance: "b", Source: kaoqin.SourceStream, Since: ms(-time.Minute), SeenAt: ms(-5 * time.Second)}
	downLong := kaoqin.EventLink{Instance: "c", Source: kaoqin.SourceStream, Since: ms(-10 * time.Minute), SeenAt: ms(-5 * time.Second)}
	dead := kaoqin.EventLink{Instance: "d", Source: kaoqin.SourceStream, Connected: true, SeenAt: ms(-5 * time.Minute)}
	for _, tc := range []struct {
		name   string
		mode   string
		links  []kaoqin.EventLink
		pushes int64
		events bool
		why    string
	}{
		{"flowing", "stream", []kaoqin.EventLink{up, downLong}, 10, true, WhyEvents},
		{"reconnecting", "stream", []kaoqin.EventLink{downNow}, 10, true, WhyEvents},
		{"down for long", "stream", []kaoqin.EventLink{downLong}, 10, false, WhyLinkDown},
		{"a killed instance", "stream", []kaoqin.EventLink{dead}, 10, false, WhyNoLink},
		{"pushes spent", "stream", []kaoqin.EventLink{up}, 3000, false, WhyPushesSpent},
		{"off", "off", []kaoqin.EventLink{up}, 0, false, WhyOff},
		{"http", "http", []kaoqin.EventLink{{Instance: "h", Source: kaoqin.SourceHTTP, Connected: true, SeenAt: ms(-time.Second)}}, 0, true, WhyEvents},
	} {
		c := CarrierOf(tc.mode, tc.links, tc.pushes, 3000, now)
		if c.Events != tc.events || c.Why != tc.why {
			t.Errorf("%s: %+v, want events %v why %s", tc.name, c, tc.events, tc.why)
		}
		if tc.name == "flowing" && c.LastEventAt != up.LastEventAt {
			t.Errorf("last event %d", c.LastEventAt)
		}
	}
}

// TestIntake_PunchesMoveTheBoard: after the day's first pull (07:00: who is due when), the
// morning's punch events alone move the board: everyone who punched a check-in shows in (or
// late) at once with the punch as a provisional reading, and a full pull at 10:30 agrees, but
// for the punches DingTalk refused (the event does not say so).
func TestIntake_PunchesMoveTheBoard(t *testing.T) {
	w := newWorld(t, 150, dingtalksim.EventsConfig{}, time.Date(2026, 11, 18, 7, 0, 0, 0, shanghai))
	ctx := context.Background()
	if _, err := w.s.SyncToday(ctx); err != nil {
		t.Fatal(err)
	}
	w.instance(t, "a", time.Second)
	waitFor(t, "a connection", 10*time.Second, func() bool { return w.sim.EventStats().Connections == 1 })
	for range 14 { // to 10:30
		w.sim.Advance(15 * time.Minute)
		time.Sleep(30 * time.Millisecond)
	}
	waitFor(t, "every event handled", 10*time.Second, func() bool {
		c, _ := w.db.EventCounts(ctx, 0)
		return w.sim.EventStats().Unacked == 0 && c.Pending == 0 && c.Received == int64(w.sim.EventStats().Emitted)
	})
	firstPunch := map[string]time.Time{}
	for _, p := range wantPunches(t, w.sim) {
		at := time.UnixMilli(p.UserCheckTime)
		if f, ok := firstPunch[p.UserID]; !ok || at.Before(f) {
			firstPunch[p.UserID] = at
		}
	}
	opts := report.Options{Location: shanghai, Now: w.sim.Now()}
	board, err := report.LoadDaily(ctx, w.db, "2026-11-18", opts)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]bool{}
	for _, e := range board.Employees {
		if e.Presence == report.PresenceIn || e.Presence == report.PresenceLate {
			in[e.UserID] = true
		}
		at, punched := firstPunch[e.UserID]
		if !punched {
			continue
		}
		found := false
		for _, c := range e.Checks {
			found = found || c.Provisional && c.UserCheckTime != nil && c.UserCheckTime.Time.Equal(at)
		}
		if !found || !in[e.UserID] {
			t.Errorf("%s punched at %s: presence %s, checks %+v", e.UserID, at.Format("15:04:05"), e.Presence, e.Checks)
		}
	}
	if len(firstPunch) < 100 || board.Company.CheckedIn != len(in) {
		t.Errorf("%d people punched, the board counts %d checked in (%d in or late)", len(firstPunch), board.Company.CheckedIn, len(in))
	}

	// DingTalk's own results, pulled now, agree but for refused punches.
	refused := map[string]bool{}
	for _, r := range w.sim.Truth().Records(w.sim.Truth().UserIDs(), "2026-11-18", "2026-11-18") {
		if r.InvalidRecordType != "" {
			refused[r.UserID] = true
		}
	}
	if _, err := w.s.Run(ctx, syncer.Request{From: "2026-11-18", To: "2026-11-18", NoOrg: true}); err != nil {
		t.Fatal(err)
	}
	truth, err := report.LoadDaily(ctx, w.db, "2026-11-18", opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range truth.Employees {
		dt := e.Presence == report.PresenceIn || e.Presence == report.PresenceLate
		if dt != in[e.UserID] && !refused[e.UserID] {
			t.Errorf("%s: DingTalk says %s, the events said in=%v", e.UserID, e.Presence, in[e.UserID])
		}
	}
}

// TestIntake_NightShiftPunches: a night shift's check-out after midnight is filed under the day
// the shift began on, as DingTalk files it, so the board of that day reads it.
func TestIntake_NightShiftPunches(t *testing.T) {
	ctx := context.Background()
	w := newWorldWith(t, dingtalksim.Config{Employees: 300, NightShift: true, Now: time.Date(2026, 11, 17, 21, 0, 0, 0, shanghai)})
	if _, err := w.s.SyncToday(ctx); err != nil { // the 17th's plans, the night shift's included
		t.Fatal(err)
	}
	w.instance(t, "a", time.Second)
	waitFor(t, "a connection", 10*time.Second, func() bool { return w.sim.EventStats().Connections == 1 })
	w.sim.SkipEvents()
	for range 10 { // to 06:00 and past
		w.sim.Advance(time.Hour)
		time.Sleep(30 * time.Millisecond)
	}
	waitFor(t, "every event handled", 10*time.Second, func() bool {
		c, _ := w.db.EventCounts(ctx, 0)
		return w.sim.EventStats().Unacked == 0 && c.Pending == 0 && c.Received == int64(w.sim.EventStats().Emitted)
	})
	// DingTalk's own records say which work date each punch belongs to.
	want := map[string]string{} // "user@unix s" -> work date
	for _, d := range []string{"2026-11-17", "2026-11-18"} {
		for _, r := range w.sim.Truth().Records(w.sim.Truth().UserIDs(), d, d) {
			want[fmt.Sprintf("%s@%d", r.UserID, r.UserCheckTime/1000)] = time.UnixMilli(r.WorkDate).In(shanghai).Format("2006-01-02")
		}
	}
	got, err := w.db.Punches(ctx, kaoqin.Filter{From: "2026-11-17", To: "2026-11-18"})
	if err != nil {
		t.Fatal(err)
	}
	night := 0
	for _, p := range got {
		k := fmt.Sprintf("%s@%d", p.UserID, p.UserCheckTime/1000)
		wd, ok := want[k]
		if !ok {
			continue
		}
		if p.WorkDate != wd {
			t.Errorf("punch %s filed under %s, DingTalk files it under %s", k, p.WorkDate, wd)
		}
		if wd == "2026-11-17" && kaoqin.DateOfMs(p.UserCheckTime, shanghai) == "2026-11-18" {
			night++
		}
	}
	if night == 0 {
		t.Error("no night shift's check-out after midnight in the test")
	}
}
