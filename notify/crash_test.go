package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/notify"
	"github.com/kaoqin/kaoqin/schedule"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/store/storetest"
	"github.com/kaoqin/kaoqin/syncer"
	"github.com/kaoqin/kaoqin/web"
)

// An instance is this test binary run again as a kaoqin serve of its own: a store, a
// DingTalk client, a syncer, a notifier, and the schedule engine that ticks the notifier while
// it holds the scheduler lock. The tests kill instances with SIGKILL at chosen and random
// moments.
const (
	envChild = "KAOQIN_NOTIFY_TEST_INSTANCE"
	envDSN   = "KAOQIN_NOTIFY_TEST_DSN"
	envSim   = "KAOQIN_NOTIFY_TEST_SIM"
	envNow   = "KAOQIN_NOTIFY_TEST_NOW"
)

func TestMain(m *testing.M) {
	if id := os.Getenv(envChild); id != "" {
		os.Exit(instance(id))
	}
	os.Exit(m.Run())
}

// instance runs until SIGKILL (or SIGTERM), on an application clock that stands at envNow.
func instance(id string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	appNow, err := time.Parse(time.RFC3339Nano, os.Getenv(envNow))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	now := func() time.Time { return appNow }
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := store.Open(ctx, os.Getenv(envDSN), store.WithNow(now))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	books := syncer.NewBooks(shanghai, log)
	client, err := dingtalk.NewClient(dingtalksim.DefaultAppKey, dingtalksim.DefaultAppSecret, dingtalk.WithBaseURL(os.Getenv(envSim)),
		dingtalk.WithQPS(math.Inf(1)), dingtalk.WithLocation(shanghai), dingtalk.WithClock(now), dingtalk.WithCallHook(books.Hook),
		dingtalk.WithRetry(dingtalk.RetryPolicy{}))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s, err := syncer.New(syncer.Config{Client: client, Store: db, Books: books, Location: shanghai, Now: now, Logger: log})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var eng *schedule.Engine
	n, err := notify.New(notify.Options{Store: db, Client: client, AgentID: dingtalksim.DefaultAgentID, Location: shanghai,
		Now: now, ID: id, Lease: time.Second, Logger: log, Refresh: func(ctx context.Context) error { return eng.RefreshToday(ctx) }})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	eng = schedule.New(ctx, schedule.Options{Syncer: s, Store: db, Metrics: web.NewMetrics(), Logger: log, Now: now, Location: shanghai,
		Config: schedule.Config{Enabled: true, Nightly: -1, LiveEvery: -1, Tick: time.Hour, LockRetry: 100 * time.Millisecond,
			RemindTick: 20 * time.Millisecond}, Reminders: n})
	stopEngine, err := eng.Start(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	<-ctx.Done()
	stopEngine()
	return 0
}

// instances starts and kills instances of the test binary against one store and simulator.
type instances struct {
	t    *testing.T
	e    *env
	mu   sync.Mutex
	cmds map[string]*exec.Cmd
	seq  int
}

func newInstances(e *env) *instances {
	is := &instances{t: e.t, e: e, cmds: map[string]*exec.Cmd{}}
	e.t.Cleanup(func() {
		is.mu.Lock()
		defer is.mu.Unlock()
		for _, c := range is.cmds {
			c.Process.Kill()
			c.Wait()
		}
	})
	return is
}

// start starts an instance and returns its name.
func (is *instances) start() string {
	is.t.Helper()
	is.mu.Lock()
	defer is.mu.Unlock()
	is.seq++
	id := fmt.Sprintf("instance-%d", is.seq)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+id, envDSN+"="+is.e.dsn, envSim+"="+is.e.srv.URL,
		envNow+"="+is.e.app.Now().Format(time.RFC3339Nano))
	cmd.Stderr = &prefixWriter{t: is.t, prefix: id}
	if err := cmd.Start(); err != nil {
		is.t.Fatal(err)
	}
	is.cmds[id] = cmd
	return id
}

// kill kills instance id with SIGKILL and waits for it to be gone.
func (is *instances) kill(id string) {
	is.mu.Lock()
	cmd := is.cmds[id]
	delete(is.cmds, id)
	is.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}

// killAll kills every running instance.
func (is *instances) killAll() {
	is.mu.Lock()
	var ids []string
	for id := range is.cmds {
		ids = append(ids, id)
	}
	is.mu.Unlock()
	for _, id := range ids {
		is.kill(id)
	}
}

// running returns the running instances.
func (is *instances) running() []string {
	is.mu.Lock()
	defer is.mu.Unlock()
	var ids []string
	for id := range is.cmds {
		ids = append(ids, id)
	}
	return ids
}

type prefixWriter struct {
	t      *testing.T
	prefix string
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if line != "" && !strings.Contains(line, "answer was lost") && !strings.Contains(line, "context canceled") {
			w.t.Logf("%s: %s", w.prefix, line)
		}
	}
	return len(p), nil
}

// waitDone waits until every recorded reminder of the day is delivered or failed, and at
// least want are recorded.
func (e *env) waitDone(want int, within time.Duration) []kaoqin.ReminderMessage {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for {
		msgs, err := e.db.Reminders(context.Background(), kaoqin.ReminderFilter{From: day, To: day})
		must(e.t, err)
		done := 0
		for _, m := range msgs {
			if m.State == kaoqin.ReminderDelivered || m.State == kaoqin.ReminderFailed || m.State == kaoqin.ReminderExpired {
				done++
			}
		}
		if len(msgs) >= want && done == len(msgs) {
			return msgs
		}
		if time.Now().After(deadline) {
			states := map[string]int{}
			for _, m := range msgs {
				states[m.State+" by "+m.ClaimedBy+" "+m.Reason]++
			}
			e.t.Fatalf("after %s: %d of %d reminders done (want %d recorded): %v", within, done, len(msgs), want, states)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkOutbox fails the test unless every recorded message was delivered once: one inbox
// message per delivered row, none failed, none without a row.
func checkOutbox(t *testing.T, sim *dingtalksim.Server, msgs []kaoqin.ReminderMessage) {
	t.Helper()
	got := map[string]int{}
	for u, in := range sim.Inboxes() {
		for _, m := range in {
			got[u+"\x00"+m.Text]++
		}
	}
	for _, m := range msgs {
		if m.State != kaoqin.ReminderDelivered {
			t.Errorf("message %s is %s: %s", m.Key, m.State, m.Reason)
		}
		k := m.To + "\x00" + m.Text
		if got[k] != 1 {
			t.Errorf("%s received message %s %d times", m.To, m.Key, got[k])
		}
		delete(got, k)
	}
	for k, n := range got {
		t.Errorf("%d message(s) nobody recorded: %q", n, k)
	}
}

// crashScenario is the morning of 1,000 people at 09:15, the moment of a rule "shift start +
// 15 minutes" and of a 09:15 digest to every department's managers, with instances killed at
// chosen and random moments until one finishes.
func crashScenario(t *testing.T, dsn string, failover bool) {
	e := newEnv(t, envOptions{employees: 1000, dsn: dsn})
	e.morningSync()
	e.rule(kaoqin.ReminderRule{Name: "上班提醒", Channel: kaoqin.ChannelPerson, After: 15})
	e.rule(kaoqin.ReminderRule{Name: "部门未到", Channel: kaoqin.ChannelDigest, At: "09:15"})
	e.set(at("09:15")) // the clock stands still at 09:15 while instances come and go
	want := expectedLate(e.sim, at("09:00"), 15*time.Minute)
	is := newInstances(e)

	// start brings the instances running back to one (two for a failover).
	start := func() {
		for n := len(is.running()); n < 1 || failover && n < 2; n++ {
			is.start()
		}
	}
	// Kill the sender the first time DingTalk has taken a call but not answered yet, and the
	// first time it asks for a send result: both answers are lost with the process.
	var once [2]sync.Once
	killLeaders := func(i int) func(*http.Request) {
		return func(*http.Request) {
			once[i].Do(func() {
				for _, id := range is.running() {
					if failover {
						// Only the lock holder sends: the one calling is the one to kill; the
						// others live on and one of them takes over.
						if held := e.leader(id); !held {
							continue
						}
					}
					is.kill(id)
				}
				start()
			})
		}
	}
	e.handler.on("/topapi/message/corpconversation/asyncsend_v2", nil, killLeaders(0))
	e.handler.on("/topapi/message/corpconversation/getsendresult", nil, killLeaders(1))

	r := rand.New(rand.NewPCG(1, 2))
	start()
	for range 10 {
		time.Sleep(time.Duration(100+r.IntN(500)) * time.Millisecond)
		if failover {
			// Kill whoever holds the scheduler lock; the other takes over within a lock retry.
			for _, id := range is.running() {
				if e.leader(id) {
					is.kill(id)
				}
			}
		} else {
			is.killAll()
		}
		start()
	}
	if os.Getenv("KAOQIN_NOTIFY_TEST_DUMP") != "" {
		defer func() {
			is.mu.Lock()
			for _, c := range is.cmds {
				c.Process.Signal(syscall.SIGQUIT)
			}
			is.mu.Unlock()
			time.Sleep(time.Second)
		}()
	}
	msgs := e.waitDone(len(want), time.Minute)
	is.killAll()

	var personal []kaoqin.ReminderMessage
	digests := 0
	for _, m := range msgs {
		switch m.Channel {
		case kaoqin.ChannelPerson:
			personal = append(personal, m)
		case kaoqin.ChannelDigest:
			digests++
		}
	}
	if len(personal) != len(want) || digests == 0 {
		t.Errorf("%d personal reminders recorded (want %d), %d digests", len(personal), len(want), digests)
	}
	checkOutbox(t, e.sim, msgs)
	resent := 0
	for _, m := range msgs {
		if m.Attempts > 1 {
			resent++
		}
	}
	if resent == 0 {
		t.Errorf("no message was sent again after a kill: the scenario did not test what it should")
	}
	t.Logf("%d messages delivered once each; %d sent again after a kill (DingTalk dropped the repeats); %d instances started",
		len(msgs), resent, is.seq)
}

// leader reports whether instance id holds the scheduler lock now, as the outbox tells: the
// last claim was made by it. (The lock itself cannot be asked from outside the process.)
func (e *env) leader(id string) bool {
	msgs, err := e.db.Reminders(context.Background(), kaoqin.ReminderFilter{From: day, To: day})
	if err != nil {
		return true
	}
	var last kaoqin.ReminderMessage
	for _, m := range msgs {
		if m.ClaimedAt >= last.ClaimedAt {
			last = m
		}
	}
	return last.ClaimedBy == "" || last.ClaimedBy == id
}

// TestExactlyOnce_KillDashNine kills the sending instance with SIGKILL at chosen moments (DingTalk
// took a send, or a send result, and the answer was lost with the process) and at random ones,
// and starts another: every reminder reaches its person exactly once.
func TestExactlyOnce_KillDashNine(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			dsn := ""
			if engine == "postgres" {
				dsn = storetest.PostgresDSN(t, "kaoqin_notify")
			}
			crashScenario(t, dsn, false)
		})
	}
}

// TestExactlyOnce_Failover runs two instances on PostgreSQL and kills the one holding the
// scheduler lock, again and again: the other takes over, finishes what the dead one left, and
// every reminder reaches its person exactly once.
func TestExactlyOnce_Failover(t *testing.T) {
	t.Parallel()
	crashScenario(t, storetest.PostgresDSN(t, "kaoqin_notify"), true)
}
