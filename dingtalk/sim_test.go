package dingtalk_test

// The client against the simulator. The two were written apart from the same reference, on
// purpose: these tests are where a wrong JSON tag on either side shows. Every pull is compared
// with the simulator's own truth (dingtalksim.Truth), field by field.
//
// Both sides share one service clock that only the client's waits move (the limiter's spacing
// and the backoff between retries), so the simulator's 1-second QPS windows, token lives and
// slow answers run on simulated time and the whole file takes seconds.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// simNow is the company clock of every test here: Wednesday 2026-11-18, 10:00 in Shanghai.
// November 2026 has its holiday on Monday the 16th and its make-up workday on Saturday the 21st.
var simNow = time.Date(2026, 11, 18, 10, 0, 0, 0, shanghai)

// simClock is the service clock both sides read. Sleep moves it instead of waiting.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *simClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// lockedBuffer is a log sink safe for concurrent writes.
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

// simEnv is a simulator behind a real HTTP server and a client pointed at it, with the
// client's log, every attempt it reports and every secret that crossed the wire on record.
type simEnv struct {
	t     *testing.T
	sim   *dingtalksim.Server
	url   string
	c     *dingtalk.Client
	clock *simClock
	logs  *lockedBuffer

	mu      sync.Mutex
	calls   []dingtalk.CallInfo
	onCall  func(dingtalk.CallInfo)    // runs after each attempt is recorded
	secrets map[string]string          // app secret, robot secret, every token seen on the wire -> what it is
	errs    []string                   // every error string a test saw
	sent    map[string]map[string]bool // the top-level keys of every JSON body sent, by path
	arrive  func(*http.Request)        // runs before the simulator sees a request
}

// simCompany is the company most tests pull: a department of more than 100 people (so user
// paging matters), people in two departments, the split-shift group, leave, and the
// home-school department -1 under the root.
func simCompany() dingtalksim.Config {
	return dingtalksim.Config{Seed: 7, Employees: 160, Now: simNow, NegativeDept: true}
}

// newSimEnv starts a simulator with cfg and a client for its app. Unless cfg says otherwise
// the simulator reads the shared service clock and sleeps on it.
func newSimEnv(t *testing.T, cfg dingtalksim.Config, opts ...dingtalk.Option) *simEnv {
	t.Helper()
	env := &simEnv{
		t:       t,
		clock:   &simClock{t: time.Date(2026, 11, 18, 1, 59, 0, 0, time.UTC)},
		logs:    &lockedBuffer{},
		secrets: map[string]string{},
		sent:    map[string]map[string]bool{},
	}
	if cfg.Clock == nil {
		cfg.Clock = env.clock.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = env.clock.Sleep
	}
	env.sim = dingtalksim.New(cfg)
	cfg = env.sim.Config()
	env.secrets[cfg.AppSecret] = "the app secret"
	for tok, secret := range cfg.Robots {
		env.secrets[tok] = "a robot's webhook token"
		if secret != "" {
			env.secrets[secret] = "a robot's signing secret"
		}
	}
	srv := httptest.NewServer(env.recordSecrets(env.sim))
	t.Cleanup(srv.Close)
	env.url = srv.URL

	base := []dingtalk.Option{
		dingtalk.WithBaseURL(srv.URL),
		dingtalk.WithClock(env.clock.Now),
		dingtalk.WithSleep(env.clock.Sleep),
		dingtalk.WithLogger(slog.New(slog.NewTextHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		dingtalk.WithCallHook(env.record),
	}
	c, err := dingtalk.NewClient(cfg.AppKey, cfg.AppSecret, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	env.c = c
	t.Cleanup(env.checkNoSecrets)
	t.Cleanup(env.checkRequestKeys)
	return env
}

// recordSecrets notes every access token sent to or issued by the simulator.
func (env *simEnv) recordSecrets(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := r.URL.Query().Get("access_token"); tok != "" {
			env.addSecret(tok)
		}
		if r.Body != nil && r.Method == http.MethodPost {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			env.addKeys(r.URL.Path, body)
		}
		env.mu.Lock()
		arrive := env.arrive
		env.mu.Unlock()
		if arrive != nil {
			arrive(r)
		}
		if r.URL.Path != "/gettoken" {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if _, after, ok := bytes.Cut(body, []byte(`"access_token":"`)); ok {
			if tok, _, ok := bytes.Cut(after, []byte(`"`)); ok {
				env.addSecret(string(tok))
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

func (env *simEnv) addSecret(s string) {
	env.mu.Lock()
	defer env.mu.Unlock()
	if env.secrets[s] == "" {
		env.secrets[s] = fmt.Sprintf("access token #%d", len(env.secrets))
	}
}

func (env *simEnv) addKeys(path string, body []byte) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return
	}
	env.mu.Lock()
	defer env.mu.Unlock()
	if env.sent[path] == nil {
		env.sent[path] = map[string]bool{}
	}
	for k := range m {
		env.sent[path][k] = true
	}
}

func (env *simEnv) record(ci dingtalk.CallInfo) {
	env.mu.Lock()
	env.calls = append(env.calls, ci)
	if ci.Err != nil {
		env.errs = append(env.errs, ci.Err.Error())
	}
	f := env.onCall
	env.mu.Unlock()
	if f != nil {
		f(ci)
	}
}

// setArrive sets what runs before the simulator sees each request.
func (env *simEnv) setArrive(f func(*http.Request)) {
	env.mu.Lock()
	defer env.mu.Unlock()
	env.arrive = f
}

// setOnCall sets what runs after every attempt the client reports.
func (env *simEnv) setOnCall(f func(dingtalk.CallInfo)) {
	env.mu.Lock()
	defer env.mu.Unlock()
	env.onCall = f
}

// noteErr keeps an error a test received, for the secrets check.
func (env *simEnv) noteErr(err error) {
	if err == nil {
		return
	}
	env.mu.Lock()
	defer env.mu.Unlock()
	env.errs = append(env.errs, err.Error())
}

// Calls returns the attempts the client reported so far.
func (env *simEnv) Calls() []dingtalk.CallInfo {
	env.mu.Lock()
	defer env.mu.Unlock()
	return append([]dingtalk.CallInfo(nil), env.calls...)
}

// checkNoSecrets fails the test if the app secret, a robot secret or any access token shows
// in the client's log or in an error string.
func (env *simEnv) checkNoSecrets() {
	env.mu.Lock()
	defer env.mu.Unlock()
	logs := env.logs.String()
	if len(env.secrets) < 2 {
		env.t.Errorf("secrets check: only %d secrets on record; the recorder is broken", len(env.secrets))
	}
	for s, what := range env.secrets {
		if strings.Contains(logs, s) {
			env.t.Errorf("%s appears in the client's log", what)
		}
		for _, e := range env.errs {
			if strings.Contains(e, s) {
				env.t.Errorf("%s appears in an error: %s", what, strings.ReplaceAll(e, s, "<"+what+">"))
			}
		}
	}
}

// collect drains an iterator; it returns what came before the first error, and the error.
func collect[T any](env *simEnv, seq func(func(T, error) bool)) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			env.noteErr(err)
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// must fails the test on err, after noting it for the secrets check.
func (env *simEnv) must(err error) {
	env.t.Helper()
	if err != nil {
		env.noteErr(err)
		env.t.Fatal(err)
	}
}

// apiCode returns the code an error says DingTalk answered: the sub_code of an errcode 88,
// else the errcode; 0 when err is not an *APIError.
func apiCode(err error) int {
	var e *dingtalk.APIError
	if !errors.As(err, &e) {
		return 0
	}
	if e.Code == 88 && e.SubCode != "" {
		n := 0
		for _, r := range e.SubCode {
			if r < '0' || r > '9' {
				return e.Code
			}
			n = n*10 + int(r-'0')
		}
		return n
	}
	return e.Code
}

// callCode is apiCode for one reported attempt.
func callCode(ci dingtalk.CallInfo) int {
	if ci.Errcode == 88 && ci.SubCode != "" {
		return apiCode(&dingtalk.APIError{Code: 88, SubCode: ci.SubCode})
	}
	return ci.Errcode
}
