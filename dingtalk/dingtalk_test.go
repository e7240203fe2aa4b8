package dingtalk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	testAppKey    = "ding-test-appkey"
	testAppSecret = "s3cr3t-APP-secret/with+chars="
	testToken     = "tok-0123456789abcdef"
	// baseURLPath is where the test server mounts the API, so that an endpoint resolved
	// against the host instead of the base URL misses it.
	baseURLPath = "/api-base"
)

// shanghai is the default location, loaded once.
var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// fakeClock is a clock that only sleeps move.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 18, 9, 0, 0, 0, shanghai)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return nil
}

func (f *fakeClock) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testEnv is a client wired to a per-test mux under baseURLPath, with a fake clock, a captured
// log and the calls the hook saw.
type testEnv struct {
	t      *testing.T
	client *Client
	mux    *http.ServeMux
	server *httptest.Server
	clock  *fakeClock
	logs   *syncBuffer

	tokenFetches atomic.Int32
	tokenMu      sync.Mutex
	tokenHandler http.HandlerFunc

	callsMu sync.Mutex
	calls   []CallInfo
}

// setup starts a server whose /gettoken hands out testToken for 7200 s, and a client for it.
// Extra options come after the defaults and override them. At cleanup it checks that no log
// line and no error the hook saw holds the secret or a token.
func setup(t *testing.T, opts ...Option) *testEnv {
	t.Helper()
	env := &testEnv{t: t, mux: http.NewServeMux(), clock: newFakeClock(), logs: &syncBuffer{}}
	env.tokenHandler = func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":%q,"expires_in":7200}`, testToken)
	}
	env.mux.HandleFunc("/gettoken", func(w http.ResponseWriter, r *http.Request) {
		env.tokenFetches.Add(1)
		if r.Method != http.MethodGet {
			t.Errorf("/gettoken: method %s, want GET", r.Method)
		}
		if got := r.URL.Query().Get("appkey"); got != testAppKey {
			t.Errorf("/gettoken: appkey %q, want %q", got, testAppKey)
		}
		if got := r.URL.Query().Get("appsecret"); got != testAppSecret {
			t.Errorf("/gettoken: appsecret %q, want the app secret", got)
		}
		env.tokenMu.Lock()
		h := env.tokenHandler
		env.tokenMu.Unlock()
		h(w, r)
	})
	root := http.NewServeMux()
	root.Handle(baseURLPath+"/", http.StripPrefix(baseURLPath, env.mux))
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base path: %s %s", r.Method, r.URL.Path)
		http.Error(w, "outside the base path", http.StatusNotFound)
	})
	env.server = httptest.NewServer(root)
	t.Cleanup(env.server.Close)

	all := append([]Option{
		WithBaseURL(env.server.URL + baseURLPath),
		WithClock(env.clock.Now),
		WithSleep(env.clock.Sleep),
		WithLogger(slog.New(slog.NewTextHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		WithCallHook(func(ci CallInfo) {
			env.callsMu.Lock()
			defer env.callsMu.Unlock()
			env.calls = append(env.calls, ci)
		}),
	}, opts...)
	c, err := NewClient(testAppKey, testAppSecret, all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	env.client = c
	t.Cleanup(env.checkNoSecrets)
	return env
}

// setTokenHandler replaces the /gettoken handler.
func (env *testEnv) setTokenHandler(h http.HandlerFunc) {
	env.tokenMu.Lock()
	defer env.tokenMu.Unlock()
	env.tokenHandler = h
}

// Calls returns the calls the hook saw, except token fetches.
func (env *testEnv) Calls() []CallInfo {
	env.callsMu.Lock()
	defer env.callsMu.Unlock()
	var out []CallInfo
	for _, ci := range env.calls {
		if ci.Path != "/gettoken" {
			out = append(out, ci)
		}
	}
	return out
}

func (env *testEnv) checkNoSecrets() {
	t := env.t
	logs := env.logs.String()
	for _, s := range []string{testAppSecret, testToken, "tok-1-aaaaaaaa", "tok-2-bbbbbbbb"} {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds a secret or token %q:\n%s", s, logs)
		}
	}
	env.callsMu.Lock()
	defer env.callsMu.Unlock()
	for _, ci := range env.calls {
		if ci.Err == nil {
			continue
		}
		msg := ci.Err.Error()
		for _, s := range []string{testAppSecret, testToken, "tok-1-aaaaaaaa", "tok-2-bbbbbbbb"} {
			if strings.Contains(msg, s) {
				t.Errorf("an error the hook saw holds a secret or token: %s", msg)
			}
		}
	}
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("method %s, want %s", r.Method, want)
	}
}

// testAuth checks that the request carries the app token and says it sends JSON.
func testAuth(t *testing.T, r *http.Request) {
	t.Helper()
	if got := r.URL.Query().Get("access_token"); got != testToken {
		t.Errorf("access_token %q, want the test token", got)
	}
}

// testJSONBody checks that the body is JSON equal to want: the same keys (so a required field
// sent as 0 counts, and one left out does not) and the same values.
func testJSONBody(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	var got, w any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, b)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want: %v", err)
	}
	if diff := cmp.Diff(w, got); diff != "" {
		t.Errorf("body (-want +got):\n%s\nbody: %s", diff, b)
	}
}

// handle registers a handler that checks method POST and the token, then runs h.
func (env *testEnv) handle(path string, h http.HandlerFunc) {
	env.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		testMethod(env.t, r, http.MethodPost)
		testAuth(env.t, r)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		h(w, r)
	})
}

func TestNewClient_Errors(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		name        string
		key, secret string
		opts        []Option
	}{
		{"NoKey", "", "secret", nil},
		{"NoSecret", "key", " ", nil},
		{"BadBaseURL", "key", "secret", []Option{WithBaseURL("oapi.dingtalk.com")}},
		{"ZeroQPS", "key", "secret", []Option{WithQPS(0)}},
		{"NaNQPS", "key", "secret", []Option{WithQPS(math.NaN())}},
		{"BadRetry", "key", "secret", []Option{WithRetry(RetryPolicy{MaxRetries: 1, BaseDelay: time.Second, MaxDelay: time.Millisecond})}},
		{"NilHTTPClient", "key", "secret", []Option{WithHTTPClient(nil)}},
		{"NilLocation", "key", "secret", []Option{WithLocation(nil)}},
	} {
		t.Run(test.name, func(t *testing.T) {
			if _, err := NewClient(test.key, test.secret, test.opts...); err == nil {
				t.Fatal("NewClient succeeded, want an error")
			}
		})
	}
}

func TestNewClient_Defaults(t *testing.T) {
	t.Parallel()
	c, err := NewClient("key", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.baseURL.String(); got != DefaultBaseURL {
		t.Errorf("base URL %q, want %q", got, DefaultBaseURL)
	}
	if got := c.Location().String(); got != "Asia/Shanghai" {
		t.Errorf("location %q, want Asia/Shanghai", got)
	}
	if got := c.caller.lims.limit; float64(got) != DefaultQPS {
		t.Errorf("limit %v, want %v", got, DefaultQPS)
	}
	if c.caller.retry != DefaultRetryPolicy {
		t.Errorf("retry %+v, want %+v", c.caller.retry, DefaultRetryPolicy)
	}
}

func TestNewRequest_PathMustBeAbsolute(t *testing.T) {
	t.Parallel()
	env := setup(t)
	if _, err := env.client.NewRequest(http.MethodPost, "topapi/v2/user/get", nil); err == nil {
		t.Fatal("NewRequest accepted a path without a leading /")
	}
}

// TestDo_RawCall shows an endpoint the package does not wrap, called through NewRequest and Do.
func TestDo_RawCall(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/attendance/getattcolumns", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":{"columns":[{"id":1,"name":"出勤天数"}]},"request_id":"r1"}`)
	})
	req, err := env.client.NewRequest(http.MethodPost, "/topapi/attendance/getattcolumns", struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Result struct {
			Columns []struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"columns"`
		} `json:"result"`
	}
	resp, err := env.client.Do(context.Background(), req, &out)
	if err != nil {
		t.Fatal(err)
	}
	if resp.RequestID != "r1" || resp.HTTPStatus != 200 || resp.Attempts != 1 {
		t.Errorf("response %+v", resp)
	}
	if len(out.Result.Columns) != 1 || out.Result.Columns[0].Name != "出勤天数" {
		t.Errorf("decoded %+v", out)
	}
}

func TestAccessToken(t *testing.T) {
	t.Parallel()
	env := setup(t)
	tok, err := env.client.AccessToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok != testToken {
		t.Errorf("token %q", tok)
	}
}

func TestCallHook_SeesEveryAttempt(t *testing.T) {
	t.Parallel()
	env := setup(t)
	var n atomic.Int32
	env.handle("/attendance/list", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			fmt.Fprint(w, `{"errcode":90018,"errmsg":"触发了qps流控"}`)
			return
		}
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","hasMore":false,"recordresult":[]}`)
	})
	opts := &ResultOptions{UserIDs: []string{"u1"}, From: MustParseDate("2026-11-16"), To: MustParseDate("2026-11-16")}
	if _, _, err := env.client.Attendance.List(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	calls := env.Calls()
	if len(calls) != 2 {
		t.Fatalf("hook saw %d calls, want 2: %+v", len(calls), calls)
	}
	first, second := calls[0], calls[1]
	if first.Path != "/attendance/list" || !first.Metered || first.Attempt != 1 || first.Errcode != 90018 ||
		!first.Throttled || first.HTTPStatus != 200 || first.Err == nil {
		t.Errorf("first attempt %+v", first)
	}
	if second.Attempt != 2 || second.Errcode != 0 || second.Throttled || second.Err != nil {
		t.Errorf("second attempt %+v", second)
	}
	if !first.At.Equal(newFakeClock().Now()) {
		t.Errorf("At %v, want the fake clock's time", first.At)
	}
	// The token fetch is reported too, unmetered.
	env.callsMu.Lock()
	defer env.callsMu.Unlock()
	if env.calls[0].Path != "/gettoken" || env.calls[0].Metered {
		t.Errorf("first hook call %+v, want an unmetered /gettoken", env.calls[0])
	}
}

func TestIsMetered(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]bool{
		"/attendance/list":                              true,
		"/attendance/listRecord":                        true,
		"/topapi/attendance/getleavestatus":             true,
		"/topapi/attendance/schedule/listbyusers":       true,
		"/topapi/message/corpconversation/asyncsend_v2": true,
		"/gettoken":                     false,
		"/topapi/v2/department/listsub": false,
		"/topapi/v2/user/list":          false,
		"/topapi/user/listsimple":       false,
		"/robot/send":                   false,
		"/topapi/attendancex/whatever":  false,
		"/attendance":                   false,
	} {
		if got := IsMetered(path); got != want {
			t.Errorf("IsMetered(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestLogs_DebugPerCallWithoutBodies(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/user/getbymobile", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":{"userid":"zhangsan"},"request_id":"x"}`)
	})
	if _, _, err := env.client.Users.GetByMobile(context.Background(), "18513027676"); err != nil {
		t.Fatal(err)
	}
	logs := env.logs.String()
	if !strings.Contains(logs, "path=/topapi/v2/user/getbymobile") || !strings.Contains(logs, "level=DEBUG") {
		t.Errorf("no debug line for the call:\n%s", logs)
	}
	if strings.Contains(logs, "18513027676") || strings.Contains(logs, "zhangsan") {
		t.Errorf("the log holds personal data from a body:\n%s", logs)
	}
}

func TestErrorsAreAPIErrors(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/user/get", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":33012,"errmsg":"无效的userId","request_id":"4e7exhl6pm0t"}`)
	})
	_, resp, err := env.client.Users.Get(context.Background(), "nobody", "")
	var e *APIError
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want an *APIError", err, err)
	}
	want := &APIError{Path: "/topapi/v2/user/get", HTTPStatus: 200, Code: 33012, Message: "无效的userId", RequestID: "4e7exhl6pm0t"}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if got := err.Error(); got != "dingtalk: /topapi/v2/user/get: errcode 33012: 无效的userId [request_id 4e7exhl6pm0t]" {
		t.Errorf("Error() = %q", got)
	}
	if resp == nil || resp.RequestID != "4e7exhl6pm0t" {
		t.Errorf("response %+v, want the request id even on error", resp)
	}
}

// jsonDecode decodes a request's JSON body.
func jsonDecode(r *http.Request, v any) error {
	return json.NewDecoder(r.Body).Decode(v)
}
