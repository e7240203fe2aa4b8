package dingtalk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	robotSecret = "SECd5e0a1b2c3"
	robotToken  = "robot-webhook-token-123456"
)

func TestRobotSign(t *testing.T) {
	t.Parallel()
	// Computed independently (Python's hmac and base64).
	if got := RobotSign(robotSecret, 1700000000000); got != "Pdvb41dnEDtlwEXFavbNcy5IZpdwGSVIhTkFUvKk3KQ=" {
		t.Errorf("RobotSign = %q", got)
	}
}

type robotServer struct {
	t        *testing.T
	mu       sync.Mutex
	queries  []url.Values
	rawQuery []string
	bodies   []string
	answers  []string // answered in turn; the last one repeats
}

func (s *robotServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/robot/send" {
		s.t.Errorf("%s %s", r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		s.t.Errorf("Content-Type %q", ct)
	}
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries = append(s.queries, r.URL.Query())
	s.rawQuery = append(s.rawQuery, r.URL.RawQuery)
	s.bodies = append(s.bodies, string(b))
	answer := s.answers[min(len(s.bodies), len(s.answers))-1]
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, answer)
}

func newTestRobot(t *testing.T, secret string, answers ...string) (*Robot, *robotServer, *fakeClock) {
	t.Helper()
	rs := &robotServer{t: t, answers: answers}
	srv := httptest.NewServer(rs)
	t.Cleanup(srv.Close)
	clock := newFakeClock()
	r, err := NewRobot(srv.URL+"/robot/send?access_token="+robotToken, secret, WithClock(clock.Now), WithSleep(clock.Sleep))
	if err != nil {
		t.Fatal(err)
	}
	return r, rs, clock
}

func TestRobot_SendSigned(t *testing.T) {
	t.Parallel()
	r, rs, clock := newTestRobot(t, robotSecret, `{"errcode":0,"errmsg":"ok"}`)
	msg := &RobotMessage{MsgType: "text", Text: &Text{Content: "9:10 还有 3 人未打卡 @13800000000"}, At: &At{AtMobiles: []string{"13800000000"}}}
	if err := r.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	q := rs.queries[0]
	ts := clock.Now().UnixMilli()
	if q.Get("access_token") != robotToken || q.Get("timestamp") != strconv.FormatInt(ts, 10) {
		t.Errorf("query %v", q)
	}
	if q.Get("sign") != RobotSign(robotSecret, ts) {
		t.Errorf("sign %q, want %q", q.Get("sign"), RobotSign(robotSecret, ts))
	}
	// The signature is URL-encoded on the wire.
	if !strings.Contains(rs.rawQuery[0], "sign="+url.QueryEscape(RobotSign(robotSecret, ts))) {
		t.Errorf("raw query %q", rs.rawQuery[0])
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(rs.bodies[0]), &body); err != nil {
		t.Fatal(err)
	}
	if body["msgtype"] != "text" || body["text"].(map[string]any)["content"] != "9:10 还有 3 人未打卡 @13800000000" ||
		body["at"].(map[string]any)["atMobiles"].([]any)[0] != "13800000000" {
		t.Errorf("body %s", rs.bodies[0])
	}
	if uuid, _ := body["msgUuid"].(string); len(uuid) != 32 {
		t.Errorf("msgUuid %q, want one filled in", body["msgUuid"])
	}
	if msg.MsgUUID != "" {
		t.Error("Send changed the caller's message")
	}
}

func TestRobot_SendUnsigned(t *testing.T) {
	t.Parallel()
	r, rs, _ := newTestRobot(t, "", `{"errcode":0,"errmsg":"ok"}`)
	if err := r.Send(context.Background(), &RobotMessage{MsgType: "markdown", Markdown: &Markdown{Title: "t", Text: "x"}, MsgUUID: "fixed"}); err != nil {
		t.Fatal(err)
	}
	if q := rs.queries[0]; q.Has("sign") || q.Has("timestamp") {
		t.Errorf("an unsigned robot sent %v", q)
	}
	if !strings.Contains(rs.bodies[0], `"msgUuid":"fixed"`) {
		t.Errorf("body %s", rs.bodies[0])
	}
}

func TestRobot_RetryResendsSameBodyFreshlySigned(t *testing.T) {
	t.Parallel()
	r, rs, _ := newTestRobot(t, robotSecret, `{"errcode":-1,"errmsg":"系统繁忙"}`, `{"errcode":0,"errmsg":"ok"}`)
	if err := r.Send(context.Background(), &RobotMessage{MsgType: "text", Text: &Text{Content: "hi"}}); err != nil {
		t.Fatal(err)
	}
	if len(rs.bodies) != 2 || rs.bodies[0] != rs.bodies[1] {
		t.Fatalf("bodies %q, want the same body twice", rs.bodies)
	}
	t0, _ := strconv.ParseInt(rs.queries[0].Get("timestamp"), 10, 64)
	t1, _ := strconv.ParseInt(rs.queries[1].Get("timestamp"), 10, 64)
	if t1 <= t0 || rs.queries[1].Get("sign") != RobotSign(robotSecret, t1) {
		t.Errorf("second attempt %v: want a later timestamp with its own signature", rs.queries[1])
	}
}

func TestRobot_ThrottledForTenMinutesIsNotRetried(t *testing.T) {
	t.Parallel()
	r, rs, _ := newTestRobot(t, robotSecret, `{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}`)
	err := r.Send(context.Background(), &RobotMessage{MsgType: "text", Text: &Text{Content: "hi"}})
	var e *APIError
	if !errors.As(err, &e) || !IsThrottled(err) || e.RetryAfter != 10*time.Minute {
		t.Fatalf("error %v, want throttled for 10 minutes", err)
	}
	if !strings.Contains(err.Error(), "throttled for 10 minutes") {
		t.Errorf("error %q does not say how long", err)
	}
	if len(rs.bodies) != 1 {
		t.Errorf("%d attempts, want 1", len(rs.bodies))
	}
}

func TestRobot_SpacesMessagesUnderTwentyAMinute(t *testing.T) {
	t.Parallel()
	r, rs, clock := newTestRobot(t, robotSecret, `{"errcode":0,"errmsg":"ok"}`)
	start := clock.Now()
	for range 21 {
		if err := r.Send(context.Background(), &RobotMessage{MsgType: "text", Text: &Text{Content: "x"}}); err != nil {
			t.Fatal(err)
		}
	}
	// 21 messages: the 21st may not go out within a minute of the first.
	var stamps []int64
	for _, q := range rs.queries {
		ts, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		stamps = append(stamps, ts)
	}
	if got := time.Duration(stamps[20]-stamps[0]) * time.Millisecond; got < time.Minute {
		t.Errorf("21 messages within %v", got)
	}
	if clock.Now().Sub(start) < time.Minute {
		t.Errorf("the robot waited only %v for 21 messages", clock.Now().Sub(start))
	}
}

func TestRobot_SecretsRedacted(t *testing.T) {
	t.Parallel()
	r, err := NewRobot("http://"+closedPort(t)+"/robot/send?access_token="+robotToken, robotSecret,
		WithRetry(RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	err = r.Send(context.Background(), &RobotMessage{MsgType: "text", Text: &Text{Content: "x"}})
	if err == nil {
		t.Fatal("want an error")
	}
	checkClean(t, "the error", err.Error(), robotToken, robotSecret)
	if !strings.Contains(err.Error(), "access_token=REDACTED") || !strings.Contains(err.Error(), "sign=REDACTED") {
		t.Errorf("error %q", err)
	}
}

func TestNewRobot_Errors(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "oapi.dingtalk.com/robot/send", "https://oapi.dingtalk.com/robot/send", "ftp://x/robot/send?access_token=t"} {
		if _, err := NewRobot(u, ""); err == nil {
			t.Errorf("NewRobot(%q) succeeded", u)
		}
	}
	_, err := NewRobot("https://oapi.dingtalk.com/robot/send?access_token="+robotToken+"&x=%zz", "")
	if err != nil && strings.Contains(err.Error(), robotToken) {
		t.Errorf("error %q shows the webhook token", err)
	}
	r, _ := NewRobot("https://oapi.dingtalk.com/robot/send?access_token=t", "")
	if err := r.Send(context.Background(), &RobotMessage{}); !IsInvalidParam(err) {
		t.Errorf("empty message: %v", err)
	}
}
