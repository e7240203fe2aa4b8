package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/store/storetest"
	"github.com/kaoqin/kaoqin/syncer"
	"github.com/kaoqin/kaoqin/web"
)

// TestServe_SeveralInstances runs three kaoqin serve processes, the built binary, on one
// PostgreSQL database and one simulated DingTalk, as design.md's decision 6 has it: every
// instance serves the dashboard, exactly one runs the schedule. The schedule's holder is
// killed with SIGKILL in the middle of the nightly sync; another instance must take the
// schedule over within 30 s and finish that sync, with no chunk of it pulled twice but those
// the dead instance was pulling, nothing lost, and the nightly sync not run again.
//
// Every instance also holds a Stream connection: DingTalk's events pushed while the holder
// dies are each stored and handled exactly once. The schedule will also drive reminders
// (notify), which other work is adding: it belongs in this test beside the sync. Give it something to
// do before the kill (see "before the kill"), and assert after the takeover (see "after the
// takeover") that it was handled exactly once, by counting at the simulator as sim.pages does
// for the sync's calls. The cluster helpers (startCluster, scheduler, kill) are for them too.
func TestServe_SeveralInstances(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresDSN(t, "kaoqin_instances") // skips without PostgreSQL
	bin := buildKaoqin(t)
	ctx := context.Background()
	loc := shanghaiZone()

	// A company whose last week was synced while each day was in progress: the nightly sync
	// reconciles the seven days, 20 chunks of 50 people x 7 days, about 200 pages.
	sim := newCountingSim(t, loc, 1000, 3)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	today := kaoqin.DateOf(time.Now(), loc)
	from, to := kaoqin.AddDays(today, -7), kaoqin.AddDays(today, -1)
	var cov []kaoqin.DayCoverage
	for _, d := range kaoqin.Days(from, to) {
		start, _ := kaoqin.DayBounds(d, loc)
		cov = append(cov, kaoqin.DayCoverage{Day: d, SyncedAt: start.Add(10 * time.Hour).UnixMilli(), Closed: false})
	}
	must(t, db.MarkCovered(ctx, cov))
	hash, err := web.HashPasswordWith("correct horse battery", web.PasswordParams{Memory: 64, Time: 1, Threads: 1})
	must(t, err)
	must(t, db.CreateUser(ctx, &kaoqin.User{Name: "admin", Role: kaoqin.RoleAdmin, PasswordHash: hash}))

	c := startCluster(t, bin, dsn, sim, 3)

	// Sessions live in the database: one login serves on every instance.
	jar, _ := cookiejar.New(nil) // cookies go by host, not port: the jar sends it to all three
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := client.Post(c.nodes[1].url+"/login", "application/json", strings.NewReader(`{"name":"admin","password":"correct horse battery"}`))
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("log in on instance 1: %s", resp.Status)
	}
	for i, n := range c.nodes {
		if code, body := getBody(t, client, n.url+"/api/v1/me"); code != http.StatusOK || !strings.Contains(body, `"admin"`) {
			t.Errorf("instance %d with instance 1's session: %d %s", i, code, body)
		}
	}

	// Exactly one instance runs the schedule, and says so in /metrics.
	leader := c.scheduler(t, client, 30*time.Second)
	for range 5 {
		c.scheduler(t, client, 0)
		time.Sleep(100 * time.Millisecond)
	}
	if sum := c.leaderGauge(t); sum != 1 {
		t.Errorf("kaoqin_scheduler_leader sums to %v over the instances, want 1", sum)
	}

	// Before the kill: every instance holds a Stream connection, and DingTalk pushes 150
	// events (administrators' edits of today, marked for when the day is reconciled) to them
	// at random while the leader dies.
	deadline := time.Now().Add(30 * time.Second)
	for sim.EventStats().Connections < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d Stream connections, want one per instance", sim.EventStats().Connections)
		}
		time.Sleep(20 * time.Millisecond)
	}
	edited := sim.Truth().UserIDs()[:150]
	pushed := make(chan struct{})
	go func() {
		defer close(pushed)
		for _, u := range edited {
			sim.EmitEvent("attend_bossCheck_change", map[string]any{"workDate": today + " 00:00:00", "action": "attend_bossCheck_update", "planId": 1, "userId": u})
			time.Sleep(40 * time.Millisecond) // 6 s: the leader dies in the middle
		}
	}()

	// The leader has pulled the org chart and waits at the first page of checks. It dies three
	// quarters of the way through them (50 rows a page).
	want := sim.Truth().Results(sim.Truth().UserIDs(), from, to)
	killAt := int64(len(want)/50) * 3 / 4
	sim.killAt(killAt, c.nodes[leader])
	var killedAt time.Time
	select {
	case killedAt = <-sim.killed:
	case <-time.After(60 * time.Second):
		t.Fatalf("the nightly sync never reached page %d", killAt)
	}
	c.nodes[leader].wait()
	saved, err := db.Checkpoints(ctx, "checks:") // the chunks of checks it saved
	must(t, err)
	t.Logf("killed instance %d at page %d of about %d, %d chunks saved", leader, killAt, len(want)/50, len(saved))

	// After the takeover: another instance runs the schedule within 30 s...
	next := c.scheduler(t, client, 30*time.Second)
	took := time.Since(killedAt)
	if next == leader {
		t.Fatalf("the dead instance %d still runs the schedule", leader)
	}
	t.Logf("instance %d took the schedule over in %s", next, took.Round(time.Millisecond))
	if took > 30*time.Second {
		t.Errorf("the takeover took %s, want within 30 s", took)
	}
	// ... and finishes the nightly sync.
	deadline = time.Now().Add(60 * time.Second)
	for !closed(t, db, from, to) {
		if time.Now().After(deadline) {
			t.Fatalf("the nightly sync was not finished a minute after the takeover")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The new scheduler's ticks go by without syncing again.
	calls := sim.total.Load()
	time.Sleep(2 * time.Second)
	if n := sim.total.Load(); n != calls {
		t.Errorf("%d more attendance calls after the nightly sync was done: it ran again", n-calls)
	}

	// Nothing lost: the store holds every check of the week, as DingTalk has them.
	checks, err := db.Checks(ctx, kaoqin.Filter{From: from, To: to})
	must(t, err)
	if len(checks) != len(want) || len(checks) == 0 {
		t.Errorf("%d checks stored, DingTalk has %d", len(checks), len(want))
	}
	// Nothing twice: one nightly run finished, the killed one marked interrupted, none left
	// running.
	runs, err := db.Runs(ctx, 20)
	must(t, err)
	var ok, interrupted int
	for _, r := range runs {
		switch r.Status {
		case kaoqin.RunOK:
			ok++
		case kaoqin.RunInterrupted:
			interrupted++
		default:
			t.Errorf("run %d (%s) ended %q", r.ID, r.Kind, r.Status)
		}
	}
	if ok != 1 || interrupted != 1 {
		t.Errorf("runs: %d ok, %d interrupted; want the takeover's ok and the killed one interrupted: %+v", ok, interrupted, runs)
	}
	// The chunks the dead instance saved: those read just after its death, and those whose
	// commit PostgreSQL was still running then (the dead client had sent it; they bear a time
	// before the kill).
	final, err := db.Checkpoints(ctx, "checks:")
	must(t, err)
	for k, at := range final {
		if _, ok := saved[k]; !ok && at <= killedAt.UnixMilli()+5 {
			t.Logf("a chunk the dead instance was committing when it died: %s", short(k))
			saved[k] = at
		}
	}
	// No page pulled twice, but those of the chunks the dead instance was pulling and had not
	// saved (they must be pulled again: their rows were lost with it), and none of them twice
	// after the takeover.
	again, touched, dup := sim.pages(leader)
	if len(dup) > 0 {
		t.Errorf("pages pulled twice: %v", dup)
	}
	if len(saved) == 0 || len(saved) == touched || len(again) != touched-len(saved) || len(again) > syncer.DefaultConcurrency {
		t.Errorf("the dead instance pulled %d chunks and saved %d; %d were pulled again after the takeover, want the %d it had not saved: %v",
			touched, len(saved), len(again), touched-len(saved), again)
	}

	// No event lost, none handled twice: every event pushed is stored once and handled once
	// (the events version moves once per event handled), whichever instance received it and
	// whether or not it died holding it; each edit marked its day for the next reconciliation.
	<-pushed
	deadline = time.Now().Add(60 * time.Second)
	for {
		c, err := db.EventCounts(ctx, 0)
		must(t, err)
		st := sim.EventStats()
		if st.Unacked == 0 && c.Pending == 0 && c.Received == int64(st.Emitted) {
			version, err := db.EventsVersion(ctx)
			must(t, err)
			if c.Failed != 0 || version != c.Received {
				t.Errorf("events: %+v; %d handled, want every one once", c, version)
			}
			t.Logf("events: %d made, %d pushes, %d of them again after no ack in 3 s", st.Emitted, st.Pushes, st.Redelivered)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("events not all handled a minute after the takeover: store %+v, simulator %+v", c, st)
		}
		time.Sleep(100 * time.Millisecond)
	}
	marks, err := db.Refetches(ctx)
	must(t, err)
	marked := map[string]bool{}
	for _, m := range marks {
		if m.Day == today {
			marked[m.UserID] = true
		}
	}
	for _, u := range edited {
		if !marked[u] {
			t.Errorf("the edit of %s's %s was lost", u, today)
		}
	}

	// Reminders: the instance holding the scheduler lock sends them; killed with SIGKILL
	// while DingTalk takes a call whose answer it never gets, the last instance takes over and
	// sends what is left, the message of the lost answer again: DingTalk drops the repeat
	// (the same content that day), and everyone gets exactly one message.
	reminded := sim.Truth().UserIDs()[:60] // a call each (their texts differ): 60 sends, 60 send results
	var msgs []kaoqin.ReminderMessage
	for i, u := range reminded {
		text := fmt.Sprintf("【集群测试】%s 的第 %d 条提醒", today, i+1)
		body, err := json.Marshal(dingtalk.TextMessage(text))
		must(t, err)
		msgs = append(msgs, kaoqin.ReminderMessage{Key: "cluster|" + u, Channel: kaoqin.ChannelBoard, WorkDate: today, To: u,
			About: []string{u}, DueAt: time.Now().UnixMilli(), Text: text, Body: string(body), By: "test"})
	}
	sim.killSendAt(10, c.nodes[next])
	_, err = db.PlanReminders(ctx, msgs)
	must(t, err)
	select {
	case <-sim.sendKilled:
	case <-time.After(60 * time.Second):
		t.Fatalf("the reminders were not sent")
	}
	c.nodes[next].wait()
	last := c.scheduler(t, client, 30*time.Second)
	deadline = time.Now().Add(2 * time.Minute)
	for {
		done, err := db.Reminders(ctx, kaoqin.ReminderFilter{States: []string{kaoqin.ReminderDelivered}})
		must(t, err)
		if len(done) == len(msgs) {
			again := slices.IndexFunc(done, func(m kaoqin.ReminderMessage) bool { return m.Attempts > 1 })
			if again < 0 || !strings.Contains(done[again].Reason, "earlier attempt") {
				t.Errorf("no message was sent again after the kill, or its repeat was not recognised: %+v", done)
			}
			break
		}
		if time.Now().After(deadline) {
			all, _ := db.Reminders(ctx, kaoqin.ReminderFilter{})
			states := map[string]int{}
			for _, m := range all {
				states[m.State+" "+m.ClaimedBy]++
			}
			t.Fatalf("two minutes after instance %d took over: %d of %d reminders delivered: %v", last, len(done), len(msgs), states)
		}
		time.Sleep(100 * time.Millisecond)
	}
	inboxes := sim.Inboxes()
	for i, u := range reminded {
		if in := inboxes[u]; len(in) != 1 || !strings.Contains(in[0].Text, fmt.Sprintf("第 %d 条提醒", i+1)) {
			t.Errorf("%s's inbox after the kill: %+v", u, in)
		}
	}
	if len(inboxes) != len(reminded) {
		t.Errorf("%d people got messages, want %d", len(inboxes), len(reminded))
	}
	t.Logf("reminders: instance %d killed at its 10th send, instance %d finished; %d people reminded once each", next, last, len(reminded))

	// The survivors still serve the session, and a logout on one ends it on all.
	for i, n := range c.nodes {
		if i == leader || i == next {
			continue
		}
		if code, _ := getBody(t, client, n.url+"/api/v1/me"); code != http.StatusOK {
			t.Errorf("instance %d after the takeover: %d", i, code)
		}
	}
	resp, err = client.Post(c.nodes[last].url+"/logout", "", nil)
	must(t, err)
	resp.Body.Close()
	for i, n := range c.nodes {
		if i == leader || i == next {
			continue
		}
		if code, _ := getBody(t, client, n.url+"/api/v1/me"); code != http.StatusUnauthorized {
			t.Errorf("instance %d after logging out on %d: %d, want 401", i, next, code)
		}
	}
}

// closed reports whether every day of [from, to] is covered and final.
func closed(t *testing.T, db *store.DB, from, to string) bool {
	cov, err := db.Coverage(context.Background(), from, to)
	must(t, err)
	for _, c := range cov {
		if !c.Closed {
			return false
		}
	}
	return len(cov) == len(kaoqin.Days(from, to))
}

// buildKaoqin builds the kaoqin binary, the very program people run.
func buildKaoqin(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kaoqin")
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// countingSim is the DingTalk simulator behind a handler that counts the pages of checks
// pulled, holds them until armed, and kills an instance at the n-th.
type countingSim struct {
	*dingtalksim.Server
	urls []string // one per instance: a page of checks is known by the instance that asked it

	mu     sync.Mutex
	seen   []page // every page of checks asked, in order
	total  atomic.Int64
	armed  chan struct{}
	n      int64
	victim *node
	killed chan time.Time
	// The reminders: kill sendVictim once DingTalk took its sendN-th work notification.
	sends      atomic.Int64
	sendN      int64
	sendVictim *node
	sendKilled chan struct{}
}

type page struct {
	chunk    string // the people and days
	offset   int
	instance int // which instance asked: the listener it called
}

type instanceKey struct{}

// newCountingSim starts the simulator behind one listener for each of instances.
func newCountingSim(t *testing.T, loc *time.Location, employees, instances int) *countingSim {
	s := &countingSim{armed: make(chan struct{}), killed: make(chan time.Time, 1), sendKilled: make(chan struct{}, 1)}
	s.Server = dingtalksim.New(dingtalksim.Config{Seed: 11, Employees: employees, Location: loc, Now: time.Now(), Speed: 1,
		QPS: -1, IPLimit: -1, MonthlyQuota: -1, Latency: 5 * time.Millisecond})
	// Which instance asked, by the listener it called. (Not by when its connection was
	// accepted, before or after the kill: an instance that took over reused, for its pages, the
	// connection it had opened for its Stream before the kill, and its pages counted as the
	// dead one's.)
	for i := range instances {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
		srv.Config.ConnContext = func(ctx context.Context, _ net.Conn) context.Context {
			return context.WithValue(ctx, instanceKey{}, i)
		}
		srv.Start()
		t.Cleanup(srv.Close)
		s.urls = append(s.urls, srv.URL)
	}
	return s
}

func (s *countingSim) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/topapi/message/corpconversation/asyncsend_v2" {
		n := s.sends.Add(1)
		s.mu.Lock()
		victim := s.sendVictim
		if n == s.sendN {
			s.sendVictim = nil
		}
		s.mu.Unlock()
		if n == s.sendN && victim != nil {
			// DingTalk takes the call; the caller dies before the answer.
			s.Server.ServeHTTP(httptest.NewRecorder(), r)
			victim.cmd.Process.Kill()
			s.sendKilled <- struct{}{}
			http.Error(w, "the caller is dead", http.StatusServiceUnavailable)
			return
		}
	}
	if r.URL.Path != "/attendance/list" {
		s.Server.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var req struct {
		From   string   `json:"workDateFrom"`
		To     string   `json:"workDateTo"`
		Users  []string `json:"userIdList"`
		Offset int      `json:"offset"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	select {
	case <-s.armed:
	case <-r.Context().Done():
		return
	}
	n := s.total.Add(1)
	instance, _ := r.Context().Value(instanceKey{}).(int)
	asked := page{chunk: req.From + ".." + req.To + " " + strings.Join(req.Users, ","), offset: req.Offset, instance: instance}
	s.mu.Lock()
	victim := s.victim
	if n == s.n {
		s.victim = nil
	}
	s.mu.Unlock()
	if n == s.n && victim != nil {
		s.record(asked)
		victim.cmd.Process.Kill()
		s.killed <- time.Now()
		http.Error(w, "the caller is dead", http.StatusServiceUnavailable)
		return
	}
	// A page counts as pulled only when DingTalk answered it: a throttled answer (requests
	// bunch up on a loaded machine and cross the simulator's QPS window) is asked again, as it
	// must be, and is not a page pulled twice.
	rec := httptest.NewRecorder()
	s.Server.ServeHTTP(rec, r)
	var answer struct {
		Errcode int `json:"errcode"`
	}
	if rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &answer) == nil && answer.Errcode == 0 {
		s.record(asked)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// record notes a page DingTalk answered, or the one the killed instance asked last.
func (s *countingSim) record(p page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, p)
}

// killSendAt kills victim with SIGKILL once DingTalk took the n-th work notification from now.
func (s *countingSim) killSendAt(n int64, victim *node) {
	s.mu.Lock()
	s.sendN, s.sendVictim = s.sends.Load()+n, victim
	s.mu.Unlock()
}

// killAt lets the pages of checks through and kills victim with SIGKILL at the n-th.
func (s *countingSim) killAt(n int64, victim *node) {
	s.mu.Lock()
	s.n, s.victim = n, victim
	s.mu.Unlock()
	close(s.armed)
}

// pages returns the chunks the instances alive pulled again (those the dead one left half
// done), how many chunks the dead one pulled, and the pages asked twice: twice by the dead one,
// or twice by the instances alive.
func (s *countingSim) pages(dead int) (again []string, touched int, dup []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type key struct {
		chunk  string
		offset int
		alive  bool
	}
	asked := map[key]int{}
	before := map[string]bool{}
	for _, p := range s.seen {
		asked[key{p.chunk, p.offset, p.instance != dead}]++
		if p.instance == dead {
			before[p.chunk] = true
		}
	}
	pulledAgain := map[string]bool{}
	for _, p := range s.seen {
		if p.instance != dead && before[p.chunk] && !pulledAgain[p.chunk] {
			pulledAgain[p.chunk] = true
			again = append(again, short(p.chunk))
		}
	}
	for k, n := range asked {
		if n > 1 {
			dup = append(dup, fmt.Sprintf("%s offset %d (%d times)", short(k.chunk), k.offset, n))
		}
	}
	slices.Sort(dup)
	return again, len(before), dup
}

func short(chunk string) string { return chunk[:min(len(chunk), 60)] }

// cluster is several kaoqin serve processes on one database.
type cluster struct {
	nodes []*node
	token string
}

// node is one kaoqin serve process.
type node struct {
	cmd  *exec.Cmd
	url  string
	out  *lockedBuffer
	done chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var bannerRE = regexp.MustCompile(`kaoqin serving on (http://\S+);`)

// startCluster starts n instances of kaoqin serve on dsn, with the schedule's nightly sync
// due at once, live pulls off, and the lock retried every half second; they are stopped
// (SIGTERM) when the test ends, and their output is logged if it failed.
func startCluster(t *testing.T, bin, dsn string, sim *countingSim, n int) *cluster {
	t.Helper()
	c := &cluster{token: "metrics-token-for-the-test"}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KAOQIN_") {
			env = append(env, kv)
		}
	}
	env = append(env, "KAOQIN_DB="+dsn, "KAOQIN_ADDR=127.0.0.1:0", "KAOQIN_TIMEZONE=Asia/Shanghai",
		"KAOQIN_DINGTALK_APP_KEY="+dingtalksim.DefaultAppKey, "KAOQIN_DINGTALK_APP_SECRET="+dingtalksim.DefaultAppSecret,
		"KAOQIN_DINGTALK_QPS=1000", "KAOQIN_DINGTALK_MONTHLY_QUOTA=100000",
		"KAOQIN_SYNC_NIGHTLY=00:00", "KAOQIN_SYNC_LIVE=off", "KAOQIN_SYNC_LEAVE_TYPES=false", // the nightly sync alone
		"KAOQIN_SCHEDULE_LOCK_RETRY=500ms", "KAOQIN_SCHEDULE_TICK=300ms",
		"KAOQIN_METRICS_TOKEN="+c.token, "KAOQIN_LOG_LEVEL=info",
		// DingTalk's events over Stream, each instance with a connection to the simulator; a
		// received event is its receiver's for 2 s before another may handle it.
		"KAOQIN_EVENTS=stream", "KAOQIN_EVENTS_LEASE=2s",

		"KAOQIN_DINGTALK_AGENT_ID="+strconv.FormatInt(dingtalksim.DefaultAgentID, 10))
	t.Cleanup(func() {
		for i, nd := range c.nodes {
			select {
			case <-nd.done:
			default:
				nd.cmd.Process.Signal(syscall.SIGTERM)
				select {
				case <-nd.done:
				case <-time.After(15 * time.Second):
					nd.cmd.Process.Kill()
					<-nd.done
					t.Errorf("instance %d did not stop on SIGTERM", i)
				}
			}
			if t.Failed() {
				t.Logf("instance %d said:\n%s", i, nd.out.String())
			}
		}
	})
	for i := range n {
		nd := &node{cmd: exec.Command(bin, "serve"), out: &lockedBuffer{}, done: make(chan struct{})}
		// Each instance calls the simulator through its own listener (its API and Stream alike).
		nd.cmd.Env = append(slices.Clip(env), "KAOQIN_DINGTALK_BASE_URL="+sim.urls[i], "KAOQIN_DINGTALK_API_URL="+sim.urls[i])
		nd.cmd.Stderr = nd.out
		stdout, err := nd.cmd.StdoutPipe()
		must(t, err)
		must(t, nd.cmd.Start())
		c.nodes = append(c.nodes, nd)
		urls := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				fmt.Fprintln(nd.out, sc.Text())
				if m := bannerRE.FindStringSubmatch(sc.Text()); m != nil {
					urls <- m[1]
				}
			}
			nd.cmd.Wait() // after the last read: Wait closes the pipe
			close(nd.done)
		}()
		select {
		case nd.url = <-urls:
		case <-nd.done:
			t.Fatalf("instance %d ended before serving:\n%s", i, nd.out.String())
		case <-time.After(30 * time.Second):
			t.Fatalf("instance %d did not serve within 30 s:\n%s", i, nd.out.String())
		}
	}
	return c
}

// wait waits for the process to end.
func (nd *node) wait() { <-nd.done }

func (nd *node) alive() bool {
	select {
	case <-nd.done:
		return false
	default:
		return true
	}
}

// scheduler returns the instance that runs the schedule, waiting up to patience for there to
// be one, and fails the test if two live instances say they run it.
func (c *cluster) scheduler(t *testing.T, client *http.Client, patience time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		var leaders []int
		for i, nd := range c.nodes {
			if !nd.alive() {
				continue
			}
			var info struct {
				Status *struct {
					Scheduler bool `json:"scheduler"`
				} `json:"status"`
			}
			code, body := getBody(t, client, nd.url+"/api/v1/sync")
			if code != http.StatusOK || json.Unmarshal([]byte(body), &info) != nil || info.Status == nil {
				t.Fatalf("instance %d sync status: %d %.300s", i, code, body)
			}
			if info.Status.Scheduler {
				leaders = append(leaders, i)
			}
		}
		switch {
		case len(leaders) > 1:
			t.Fatalf("instances %v all run the schedule", leaders)
		case len(leaders) == 1:
			return leaders[0]
		case time.Now().After(deadline):
			t.Fatalf("no instance runs the schedule after %s", patience)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var leaderGaugeRE = regexp.MustCompile(`(?m)^kaoqin_scheduler_leader (\d+)$`)

// leaderGauge sums kaoqin_scheduler_leader over the live instances.
func (c *cluster) leaderGauge(t *testing.T) float64 {
	t.Helper()
	var sum float64
	for i, nd := range c.nodes {
		if !nd.alive() {
			continue
		}
		req, _ := http.NewRequest("GET", nd.url+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := leaderGaugeRE.FindSubmatch(b)
		if m == nil {
			t.Fatalf("instance %d has no kaoqin_scheduler_leader in /metrics", i)
		}
		sum += float64(m[1][0] - '0')
	}
	return sum
}
