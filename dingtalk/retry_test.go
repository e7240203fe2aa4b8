package dingtalk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// failThen answers the first n calls with fail and the rest with ok, recording each body.
type failThen struct {
	n      int32
	status int
	fail   string
	ok     string
	calls  atomic.Int32
	mu     sync.Mutex
	bodies []string
}

func (f *failThen) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, string(b))
	f.mu.Unlock()
	if f.calls.Add(1) <= f.n {
		if strings.HasPrefix(f.fail, "<") {
			w.Header().Set("Content-Type", "text/html")
		}
		if f.status != 0 {
			w.WriteHeader(f.status)
		}
		fmt.Fprint(w, f.fail)
		return
	}
	fmt.Fprint(w, f.ok)
}

var leaveOK = `{"errcode":0,"errmsg":"ok","result":{"has_more":false,"leave_status":[{"userid":"u1","start_time":1538323200000,"end_time":1538409600000,"duration_unit":"percent_day","duration_percent":100}]},"request_id":"r"}`

func leaveOpts() *LeaveStatusOptions {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, shanghai)
	return &LeaveStatusOptions{UserIDs: []string{"u1", "u2"}, Start: start, End: start.AddDate(0, 0, 30)}
}

func TestRetry_ThrottledAndTransientThenSuccess(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		name      string
		status    int
		fail      string
		throttled bool
	}{
		{"90018", 0, `{"errcode":90018,"errmsg":"当前接口触发了qps流控"}`, true},
		{"88Sub90018", 0, `{"errcode":88,"sub_code":"90018","sub_msg":"触发了qps流控","errmsg":"ding talk error[subcode=90018,submsg=触发了qps流控]","request_id":"r"}`, true},
		{"88Subcode90018InErrmsg", 0, `{"errcode":88,"errmsg":"ding talk error[subcode=90018, submsg=请求总次数超过 20 次]","request_id":"r"}`, true},
		{"90002", 0, `{"errcode":90002,"errmsg":"您的服务器调用钉钉开放平台当前接口的所有请求都被暂时禁用了"}`, true},
		{"SystemBusy", 0, `{"errcode":-1,"errmsg":"系统繁忙"}`, false},
		{"HTTP502HTML", http.StatusBadGateway, `<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>`, false},
		{"HTTP503JSON", http.StatusServiceUnavailable, `{"errcode":-1,"errmsg":"busy"}`, false},
		{"HTTP500Empty", http.StatusInternalServerError, ``, false},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t)
			h := &failThen{n: 2, status: test.status, fail: test.fail, ok: leaveOK}
			env.handle("/topapi/attendance/getleavestatus", h.ServeHTTP)
			rows, resp, err := env.client.Attendance.LeaveStatus(context.Background(), leaveOpts())
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].UserID != "u1" || resp.Attempts != 3 {
				t.Errorf("rows %+v, attempts %d; want one row after 3 attempts", rows, resp.Attempts)
			}
			var backoffs []time.Duration
			for _, d := range env.clock.Sleeps() {
				if d >= time.Second {
					backoffs = append(backoffs, d)
				}
			}
			if len(backoffs) != 2 {
				t.Fatalf("backoffs %v, want 2", backoffs)
			}
			// Exponential with up to 50% jitter: [1s, 1.5s], then [2s, 3s].
			if backoffs[0] < time.Second || backoffs[0] > 1500*time.Millisecond ||
				backoffs[1] < 2*time.Second || backoffs[1] > 3*time.Second {
				t.Errorf("backoffs %v, want ~1s then ~2s", backoffs)
			}
			calls := env.Calls()
			if len(calls) != 3 || calls[0].Throttled != test.throttled || calls[2].Err != nil {
				t.Errorf("hook saw %+v", calls)
			}
			if !strings.Contains(env.logs.String(), "level=WARN msg=\"dingtalk: retrying\"") {
				t.Errorf("no warning for the retries:\n%s", env.logs)
			}
		})
	}
}

func TestRetry_BoundedWhenThrottlingNeverStops(t *testing.T) {
	t.Parallel()
	env := setup(t)
	h := &failThen{n: 1000, fail: `{"errcode":88,"sub_code":"90018","sub_msg":"qps","errmsg":"x","request_id":"r"}`}
	env.handle("/topapi/attendance/getleavestatus", h.ServeHTTP)
	_, _, err := env.client.Attendance.LeaveStatus(context.Background(), leaveOpts())
	if !IsThrottled(err) {
		t.Fatalf("error %v, want throttled", err)
	}
	if got, want := h.calls.Load(), int32(DefaultRetryPolicy.MaxRetries+1); got != want {
		t.Errorf("%d attempts, want %d", got, want)
	}
}

func TestRetry_CustomPolicy(t *testing.T) {
	t.Parallel()
	env := setup(t, WithRetry(RetryPolicy{MaxRetries: 2, BaseDelay: 3 * time.Second, MaxDelay: 4 * time.Second}))
	h := &failThen{n: 1000, fail: `{"errcode":-1,"errmsg":"busy"}`}
	env.handle("/topapi/attendance/getleavestatus", h.ServeHTTP)
	_, _, err := env.client.Attendance.LeaveStatus(context.Background(), leaveOpts())
	if !IsTransient(err) || h.calls.Load() != 3 {
		t.Fatalf("error %v after %d attempts, want transient after 3", err, h.calls.Load())
	}
	var backoffs []time.Duration
	for _, d := range env.clock.Sleeps() {
		if d >= time.Second {
			backoffs = append(backoffs, d)
		}
	}
	if len(backoffs) != 2 || backoffs[0] < 3*time.Second || backoffs[1] != 4*time.Second {
		t.Errorf("backoffs %v, want >=3s then the 4s cap", backoffs)
	}
}

func TestRetry_NotRetried(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		name  string
		body  string
		check func(error) bool
	}{
		{"QuotaExhausted", `{"errcode":90020,"errmsg":"您的企业本月api调用量已超过限制,调用量:10001次,额度:10000次"}`, IsQuotaExhausted},
		{"InvalidParam", `{"errcode":40035,"errmsg":"缺少参数"}`, IsInvalidParam},
		{"SpanTooLarge", `{"errcode":41041,"errmsg":"时间跨度太大"}`, IsInvalidParam},
		{"NoPermission", `{"errcode":60011,"errmsg":"no permission"}`, func(err error) bool { return strings.Contains(err.Error(), "lacks the permission") }},
		{"IPBanJSON", `{"status":1111,"wait":5,"source":"x5","punish":"deny","uuid":"abc"}`, IsThrottled},
		{"Malformed", `{"errcode":0,"errmsg":"ok","result":{"has_more":"maybe"}}`, func(err error) bool { return strings.Contains(err.Error(), "not the expected JSON") }},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t)
			h := &failThen{n: 1000, fail: test.body}
			env.handle("/topapi/attendance/getleavestatus", h.ServeHTTP)
			_, _, err := env.client.Attendance.LeaveStatus(context.Background(), leaveOpts())
			if err == nil || !test.check(err) {
				t.Fatalf("error %v", err)
			}
			if got := h.calls.Load(); got != 1 {
				t.Errorf("%d attempts, want 1", got)
			}
		})
	}
}

func TestRetry_QuotaErrorSaysWhatHappened(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/attendance/list", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":90020,"errmsg":"您的企业本月api调用量已超过限制"}`)
	})
	_, _, err := env.client.Attendance.List(context.Background(), &ResultOptions{UserIDs: []string{"u"}, From: MustParseDate("2026-11-16"), To: MustParseDate("2026-11-16")})
	want := "dingtalk: /attendance/list: errcode 90020: 您的企业本月api调用量已超过限制 (the org's monthly quota of metered API calls is spent; attendance and work-notification calls fail until next month or until more quota is bought)"
	if err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestRetry_IPBan(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]struct {
		status int
		body   string
	}{
		"HTML":       {200, `<!DOCTYPE html><html><body>访问被拒绝</body></html>`},
		"Status1111": {200, `{"status":1111,"wait":5,"source":"x5","punish":"deny","uuid":"6b2c"}`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := setup(t)
			h := &failThen{n: 1000, status: answer.status, fail: answer.body}
			env.handle("/attendance/list", h.ServeHTTP)
			_, _, err := env.client.Attendance.List(context.Background(), &ResultOptions{UserIDs: []string{"u"}, From: MustParseDate("2026-11-16"), To: MustParseDate("2026-11-16")})
			var e *APIError
			if !errors.As(err, &e) || !e.IPBlocked || !IsThrottled(err) || e.RetryAfter != 5*time.Minute {
				t.Fatalf("error %#v, want an IP ban", err)
			}
			if !strings.Contains(err.Error(), "DingTalk blocks this IP for about 5m0s") {
				t.Errorf("error %q does not say the IP is blocked for about 5 minutes", err)
			}
			if h.calls.Load() != 1 {
				t.Errorf("%d attempts: a 5-minute ban is longer than MaxDelay, want no retry", h.calls.Load())
			}
		})
	}
}

func TestRetry_WaitsUntilThePenaltyEnds(t *testing.T) {
	t.Parallel()
	env := setup(t) // the fake clock says 2026-11-18 09:00:00 in Shanghai
	h := &failThen{n: 1, fail: `{"errcode":90002,"errmsg":"您的服务器调用钉钉开放平台当前接口的所有请求都被暂时禁用了, apiPath(/topapi/attendance/getleavestatus), 从 2026-11-18 08:59:00 到 2026-11-18 09:00:00 请求总次数超过了 300 次, 处罚将在 2026-11-18 09:00:12 结束."}`, ok: leaveOK}
	env.handle("/topapi/attendance/getleavestatus", h.ServeHTTP)
	if _, _, err := env.client.Attendance.LeaveStatus(context.Background(), leaveOpts()); err != nil {
		t.Fatal(err)
	}
	var waited time.Duration
	for _, d := range env.clock.Sleeps() {
		waited = max(waited, d)
	}
	if waited != 12*time.Second {
		t.Errorf("waited %v, want the 12 s until the penalty ends", waited)
	}
}

func TestRetry_PostBodyReplayedByteForByte(t *testing.T) {
	t.Parallel()
	env := setup(t)
	h := &failThen{n: 2, fail: `{"errcode":-1,"errmsg":"busy"}`, ok: `{"errcode":0,"errmsg":"ok","hasMore":false,"recordresult":[]}`}
	env.handle("/attendance/list", h.ServeHTTP)
	opts := &ResultOptions{UserIDs: []string{"u1", "张三"}, From: MustParseDate("2026-11-16"), To: MustParseDate("2026-11-22")}
	if _, _, err := env.client.Attendance.List(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if len(h.bodies) != 3 {
		t.Fatalf("%d bodies", len(h.bodies))
	}
	if h.bodies[0] == "" || h.bodies[1] != h.bodies[0] || h.bodies[2] != h.bodies[0] {
		t.Errorf("bodies differ between attempts:\n%q", h.bodies)
	}
}

// blockingSleep blocks until ctx is done, telling started when it begins.
func blockingSleep(started chan<- time.Duration) func(context.Context, time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		started <- d
		<-ctx.Done()
		return ctx.Err()
	}
}

func TestRetry_ContextCanceledDuringBackoff(t *testing.T) {
	t.Parallel()
	started := make(chan time.Duration, 1)
	env := setup(t, WithSleep(blockingSleep(started)), WithQPS(1e9))
	h := &failThen{n: 1000, fail: `{"errcode":90018,"errmsg":"qps"}`}
	env.handle("/topapi/attendance/getleavestatus", h.ServeHTTP)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, _, err := env.client.Attendance.LeaveStatus(ctx, leaveOpts())
		errc <- err
	}()
	if d := <-started; d < time.Second {
		t.Fatalf("first sleep %v, want a backoff", d)
	}
	cancel()
	err := <-errc
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if !IsThrottled(err) || !strings.Contains(err.Error(), "gave up waiting") {
		t.Errorf("error %q should say it gave up and keep the last answer", err)
	}
	if got := h.calls.Load(); got != 1 {
		t.Errorf("%d attempts, want 1", got)
	}
}

func TestRetry_ContextCanceledDuringLimiterWait(t *testing.T) {
	t.Parallel()
	started := make(chan time.Duration, 1)
	env := setup(t, WithSleep(blockingSleep(started)), WithQPS(1))
	var calls atomic.Int32
	env.handle("/topapi/attendance/getleavestatus", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprint(w, leaveOK)
	})
	if _, _, err := env.client.Attendance.LeaveStatus(context.Background(), leaveOpts()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, _, err := env.client.Attendance.LeaveStatus(ctx, leaveOpts())
		errc <- err
	}()
	if d := <-started; d != 1050*time.Millisecond {
		t.Fatalf("limiter wait %v, want 1.05s at 1 QPS", d)
	}
	cancel()
	err := <-errc
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "rate limiter") {
		t.Fatalf("error %v, want a canceled limiter wait", err)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("%d calls reached the server, want 1", got)
	}
	// The canceled reservation is given back: the next call waits no longer than 1.05 s.
	started2 := make(chan time.Duration, 1)
	env.client.caller.sleep = func(ctx context.Context, d time.Duration) error {
		started2 <- d
		return env.clock.Sleep(ctx, d)
	}
	if _, _, err := env.client.Attendance.LeaveStatus(context.Background(), leaveOpts()); err != nil {
		t.Fatal(err)
	}
	if d := <-started2; d > 1050*time.Millisecond {
		t.Errorf("next wait %v, want at most 1.05s", d)
	}
}

func TestRetry_RealTimersHonourCancel(t *testing.T) {
	t.Parallel()
	// No WithSleep: the limiter's own Wait and a real timer. QPS is tiny so the second call
	// would wait ~17 minutes; the cancel ends it at once.
	env := setup(t, WithQPS(0.001))
	env.client.caller.sleep = nil
	env.handle("/topapi/attendance/getleavestatus", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, leaveOK) })
	if _, _, err := env.client.Attendance.LeaveStatus(context.Background(), leaveOpts()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, _, err := env.client.Attendance.LeaveStatus(ctx, leaveOpts())
		errc <- err
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestRetry_NetworkErrorIsTransient(t *testing.T) {
	t.Parallel()
	env := setup(t)
	var calls atomic.Int32
	env.handle("/topapi/attendance/getleavestatus", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			// Cut the connection without an answer.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close()
			return
		}
		fmt.Fprint(w, leaveOK)
	})
	if _, _, err := env.client.Attendance.LeaveStatus(context.Background(), leaveOpts()); err != nil {
		t.Fatal(err)
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("%d calls, want 2", got)
	}
	calls2 := env.Calls()
	if len(calls2) != 2 || calls2[0].Err == nil || calls2[0].HTTPStatus != 0 {
		t.Errorf("hook saw %+v", calls2)
	}
}

func TestRetry_RealTimerBackoff(t *testing.T) {
	t.Parallel()
	env := setup(t, WithRetry(RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
	env.client.caller.sleep = nil // real timers
	h := &failThen{n: 2, fail: `{"errcode":-1,"errmsg":"busy"}`, ok: leaveOK}
	env.handle("/topapi/attendance/getleavestatus", h.ServeHTTP)
	if _, _, err := env.client.Attendance.LeaveStatus(context.Background(), leaveOpts()); err != nil {
		t.Fatal(err)
	}
	if got := h.calls.Load(); got != 3 {
		t.Errorf("%d attempts, want 3", got)
	}
}

func TestRetryDelay_Bounds(t *testing.T) {
	t.Parallel()
	k := testCaller()
	k.retry = RetryPolicy{MaxRetries: 1000, BaseDelay: 10 * time.Second, MaxDelay: time.Minute}
	busy := &APIError{Code: -1}
	for _, retries := range []int{0, 1, 2, 3, 40, 63, 64, 500} {
		d, ok := k.retryDelay(busy, retries)
		if !ok || d < min(10*time.Second<<min(retries, 10), time.Minute) || d > time.Minute {
			t.Errorf("retry %d: %v, %v", retries, d, ok)
		}
	}
	if _, ok := k.retryDelay(busy, 1000); ok {
		t.Error("retried past MaxRetries")
	}
	if _, ok := k.retryDelay(&APIError{Code: 40035}, 0); ok {
		t.Error("retried an invalid-parameter error")
	}
	if d, ok := k.retryDelay(&APIError{Code: 90002, RetryAfter: 50 * time.Second}, 0); !ok || d != 50*time.Second {
		t.Errorf("penalty of 50 s: %v, %v", d, ok)
	}
}
