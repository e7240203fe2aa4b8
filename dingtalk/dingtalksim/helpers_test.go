package dingtalksim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is an injectable service clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// wednesday is a plain workday: Wednesday 2026-11-18, 10:00 in Shanghai.
var wednesday = time.Date(2026, 11, 18, 10, 0, 0, 0, shanghai)

// sim is a simulator behind a real HTTP server, with a stopped service clock.
type sim struct {
	*Server
	t     *testing.T
	url   string
	clock *testClock
	token string
}

func newSim(t *testing.T, cfg Config) *sim {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)}
	if cfg.Clock == nil {
		cfg.Clock = clock.Now
	}
	if cfg.Now.IsZero() {
		cfg.Now = wednesday
	}
	if cfg.Employees == 0 {
		cfg.Employees = 300
	}
	if cfg.QPS == 0 {
		cfg.QPS = -1 // the service clock stands still: tests that count QPS set it
	}
	s := New(cfg)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &sim{Server: s, t: t, url: ts.URL, clock: clock}
}

// do sends one request and returns the HTTP status and body.
func (s *sim) do(method, path, contentType, body string) (int, string, http.Header) {
	s.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

// tok returns a valid access token of the default app, fetched once.
func (s *sim) tok() string {
	s.t.Helper()
	if s.token == "" {
		_, body, _ := s.do("GET", "/gettoken?appkey="+DefaultAppKey+"&appsecret="+url.QueryEscape(DefaultAppSecret), "", "")
		var r struct {
			AccessToken string `json:"access_token"`
		}
		decode(s.t, body, &r)
		if r.AccessToken == "" {
			s.t.Fatalf("no token: %s", body)
		}
		s.token = r.AccessToken
	}
	return s.token
}

// post calls an API path with the app's token and a JSON body; it returns the body.
func (s *sim) post(path, body string) string {
	s.t.Helper()
	_, b, _ := s.do("POST", path+"?access_token="+s.tok(), "application/json", body)
	return b
}

// ok calls post and fails the test unless errcode is 0; it decodes into v when v != nil.
func (s *sim) ok(path, body string, v any) string {
	s.t.Helper()
	b := s.post(path, body)
	if code := errcode(s.t, b); code != 0 {
		s.t.Fatalf("%s %s: %s", path, body, b)
	}
	if v != nil {
		decode(s.t, b, v)
	}
	return b
}

func decode(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
}

func errcode(t *testing.T, body string) int {
	t.Helper()
	var r struct {
		Errcode *int `json:"errcode"`
	}
	decode(t, body, &r)
	if r.Errcode == nil {
		t.Fatalf("no errcode in %s", body)
	}
	return *r.Errcode
}

var requestIDField = regexp.MustCompile(`,"request_id":"[0-9a-f]{13}"`)

// withoutRequestID drops the request_id so a body can be compared with a literal.
func withoutRequestID(t *testing.T, body string) string {
	t.Helper()
	if !requestIDField.MatchString(body) {
		t.Fatalf("no request_id in %s", body)
	}
	return requestIDField.ReplaceAllString(body, "")
}

// wantErr checks a failure's errcode and that its errmsg contains msg.
func wantErr(t *testing.T, body string, code int, msg string) {
	t.Helper()
	var r struct {
		Errcode int    `json:"errcode"`
		Errmsg  string `json:"errmsg"`
	}
	decode(t, body, &r)
	if r.Errcode != code || !strings.Contains(r.Errmsg, msg) {
		t.Errorf("got errcode %d %q, want %d containing %q (body %s)", r.Errcode, r.Errmsg, code, msg, body)
	}
}

// wantSub checks a topapi gateway failure: errcode 88 with sub_code.
func wantSub(t *testing.T, body, subCode string) {
	t.Helper()
	var r struct {
		Errcode int    `json:"errcode"`
		SubCode string `json:"sub_code"`
		Errmsg  string `json:"errmsg"`
	}
	decode(t, body, &r)
	if r.Errcode != 88 || r.SubCode != subCode || !strings.Contains(r.Errmsg, "ding talk error[subcode="+subCode) {
		t.Errorf("got %s, want errcode 88 sub_code %s", body, subCode)
	}
}

func quote(ids []string) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

// results calls attendance/list for the people and dates and returns every page.
func (s *sim) results(ids []string, from, to string) []Result {
	s.t.Helper()
	var all []Result
	for offset := 0; ; offset += 50 {
		var r struct {
			HasMore      bool     `json:"hasMore"`
			RecordResult []Result `json:"recordresult"`
		}
		s.ok("/attendance/list", `{"workDateFrom":"`+from+` 00:00:00","workDateTo":"`+to+` 00:00:00","userIdList":`+quote(ids)+`,"offset":`+itoa(offset)+`,"limit":50}`, &r)
		all = append(all, r.RecordResult...)
		if !r.HasMore {
			return all
		}
	}
}

// records calls attendance/listRecord for whole days from..to.
func (s *sim) records(ids []string, from, to string) []Record {
	s.t.Helper()
	var r struct {
		RecordResult []Record `json:"recordresult"`
	}
	s.ok("/attendance/listRecord", `{"checkDateFrom":"`+from+` 00:00:00","checkDateTo":"`+to+` 23:59:59","userIds":`+quote(ids)+`}`, &r)
	return r.RecordResult
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// sleepRecorder is an injectable Sleep that records what it was asked to wait.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *sleepRecorder) Sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return ctx.Err()
}

func (r *sleepRecorder) got() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}
