package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// received collects what a handler saw.
type received struct {
	mu     sync.Mutex
	calls  map[string]int // event id -> handler calls
	fail   map[string]int // event id -> failures still to return
	states []State
}

func newReceived() *received { return &received{calls: map[string]int{}, fail: map[string]int{}} }

func (r *received) handle(ctx context.Context, e dingtalk.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[e.ID]++
	if r.fail[e.ID] > 0 {
		r.fail[e.ID]--
		return errors.New("the database is away")
	}
	return nil
}

func (r *received) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[id]
}

func (r *received) onState(s State) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, s)
}

type fixture struct {
	sim *dingtalksim.Server
	srv *httptest.Server
	got *received
	log *bytes.Buffer
	mu  *sync.Mutex
}

func newFixture(t *testing.T, ev dingtalksim.EventsConfig) *fixture {
	t.Helper()
	ev.NoDay = true
	sim := dingtalksim.New(dingtalksim.Config{Seed: 1, Employees: 20, Speed: 0, QPS: -1, IPLimit: -1, Events: ev})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return &fixture{sim: sim, srv: srv, got: newReceived(), log: &bytes.Buffer{}, mu: &sync.Mutex{}}
}

type lockedBuf struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (l lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (f *fixture) run(t *testing.T, cfg Config) (stop func()) {
	t.Helper()
	if cfg.AppKey == "" {
		cfg.AppKey, cfg.AppSecret = f.sim.Config().AppKey, f.sim.Config().AppSecret
	}
	cfg.APIURL = f.srv.URL
	if cfg.Handle == nil {
		cfg.Handle = f.got.handle
	}
	cfg.OnState = f.got.onState
	cfg.Logger = slog.New(slog.NewTextHandler(lockedBuf{f.mu, f.log}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff, cfg.MaxBackoff = 20*time.Millisecond, 100*time.Millisecond
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	return func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return")
		}
	}
}

func (f *fixture) logText() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.log.String()
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func emit(sim *dingtalksim.Server, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = sim.EmitEvent(dingtalk.EventDailySummary, map[string]any{"userId": fmt.Sprintf("u%d", i), "workDate": "2026-11-18"})
	}
	return ids
}

// TestClient_Delivers: every event reaches the handler and is acked; pings are answered, so
// the connection stays up through many of them.
func TestClient_Delivers(t *testing.T) {
	f := newFixture(t, dingtalksim.EventsConfig{PingEvery: 30 * time.Millisecond})
	stop := f.run(t, Config{})
	ids := emit(f.sim, 50)
	waitFor(t, "every event acked", func() bool { return f.sim.EventStats().Acked == 50 })
	for _, id := range ids {
		if n := f.got.count(id); n != 1 {
			t.Errorf("event %s handled %d times", id, n)
		}
	}
	time.Sleep(200 * time.Millisecond) // several pings
	st := f.sim.EventStats()
	if st.Opened != 1 || st.Connections != 1 {
		t.Errorf("connections: %+v (unanswered pings close them)", st)
	}
	stop()
	if f.got.states[0].Connected != true {
		t.Errorf("states %+v", f.got.states)
	}
	if strings.Contains(f.logText(), f.sim.Config().AppSecret) {
		t.Error("the log holds the app secret")
	}
}

// TestClient_ReconnectsAndRedelivers: DingTalk disconnects every 100 ms, drops connections
// without a word, duplicates every ack, and the handler fails each event's first try (LATER):
// every event is still handled, acked once, and the client never stops reconnecting.
func TestClient_ReconnectsAndRedelivers(t *testing.T) {
	f := newFixture(t, dingtalksim.EventsConfig{DisconnectAfter: 100 * time.Millisecond, DisconnectGrace: 50 * time.Millisecond,
		DuplicateRate: 1, AckTimeout: 200 * time.Millisecond})
	stop := f.run(t, Config{})
	defer stop()
	var ids []string
	for i := range 10 {
		batch := emit(f.sim, 10)
		f.got.mu.Lock()
		for _, id := range batch {
			f.got.fail[id] = 1
		}
		f.got.mu.Unlock()
		ids = append(ids, batch...)
		if i == 5 {
			f.sim.DropConnections()
		}
		time.Sleep(40 * time.Millisecond)
	}
	waitFor(t, "every event acked", func() bool { return f.sim.EventStats().Acked == len(ids) })
	waitFor(t, "a duplicate of every event", func() bool { return f.sim.EventStats().Duplicates == len(ids) })
	for _, id := range ids {
		if n := f.got.count(id); n < 2 { // the failed try and the success; the duplicate may be lost with its connection
			t.Errorf("event %s handled %d times", id, n)
		}
	}
	st := f.sim.EventStats()
	if st.Opened < 3 || st.Disconnects < 2 || st.Later+st.Redelivered < len(ids) || st.Duplicates != len(ids) {
		t.Errorf("stats %+v", st)
	}
}

// TestClient_BadCredentials keeps trying with backoff, says why, and never logs the secret.
func TestClient_BadCredentials(t *testing.T) {
	f := newFixture(t, dingtalksim.EventsConfig{})
	stop := f.run(t, Config{AppKey: f.sim.Config().AppKey, AppSecret: "not-the-secret-at-all"})
	waitFor(t, "two failed attempts", func() bool {
		f.got.mu.Lock()
		defer f.got.mu.Unlock()
		return len(f.got.states) >= 2
	})
	stop()
	f.got.mu.Lock()
	err := f.got.states[0].Err
	f.got.mu.Unlock()
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") || !strings.Contains(err.Error(), "KAOQIN_DINGTALK_APP_SECRET") {
		t.Errorf("error %v", err)
	}
	if strings.Contains(f.logText(), "not-the-secret-at-all") || strings.Contains(err.Error(), "not-the-secret-at-all") {
		t.Error("the secret leaked")
	}
}

// TestClient_BoundedInFlight: with one handler slot and a slow handler, the other events are
// asked for later rather than queued without bound, and all are handled in the end.
func TestClient_BoundedInFlight(t *testing.T) {
	f := newFixture(t, dingtalksim.EventsConfig{AckTimeout: 300 * time.Millisecond})
	var mu sync.Mutex
	running, most := 0, 0
	handle := func(ctx context.Context, e dingtalk.Event) error {
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		running--
		mu.Unlock()
		return f.got.handle(ctx, e)
	}
	stop := f.run(t, Config{Handle: handle, MaxInFlight: 1})
	defer stop()
	emit(f.sim, 30)
	waitFor(t, "every event acked", func() bool { return f.sim.EventStats().Acked == 30 })
	if most != 1 {
		t.Errorf("%d handlers at once, want at most 1", most)
	}

}

// TestClient_SlowHandlerAcksLater: a handler that misses the ack deadline gets LATER, and the
// event comes again.
func TestClient_SlowHandlerAcksLater(t *testing.T) {
	f := newFixture(t, dingtalksim.EventsConfig{})
	var mu sync.Mutex
	tries := 0
	handle := func(ctx context.Context, e dingtalk.Event) error {
		mu.Lock()
		tries++
		first := tries == 1
		mu.Unlock()
		if first {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	stop := f.run(t, Config{Handle: handle, AckWithin: 50 * time.Millisecond})
	defer stop()
	emit(f.sim, 1)
	waitFor(t, "the event acked", func() bool { return f.sim.EventStats().Acked == 1 })
	if st := f.sim.EventStats(); st.Later != 1 {
		t.Errorf("stats %+v, want one LATER", st)
	}
}

func TestNew_Refuses(t *testing.T) {
	h := func(context.Context, dingtalk.Event) error { return nil }
	for _, cfg := range []Config{
		{AppSecret: "s", Handle: h},
		{AppKey: "k", Handle: h},
		{AppKey: "k", AppSecret: "s"},
		{AppKey: "k", AppSecret: "s", Handle: h, APIURL: "ftp://x"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}
