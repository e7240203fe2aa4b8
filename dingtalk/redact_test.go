package dingtalk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// closedPort returns the address of a port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func checkClean(t *testing.T, what, s string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if strings.Contains(s, secret) || strings.Contains(s, url.QueryEscape(secret)) {
			t.Errorf("%s holds %q:\n%s", what, secret, s)
		}
	}
}

func TestRedact_SecretNotInNetworkErrorOfGettoken(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var hookErrs []string
	c, err := NewClient(testAppKey, testAppSecret,
		WithBaseURL("http://"+closedPort(t)+"/base"),
		WithRetry(RetryPolicy{MaxRetries: 1, BaseDelay: 1, MaxDelay: 1}),
		WithSleep(func(context.Context, time.Duration) error { return nil }),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		WithCallHook(func(ci CallInfo) {
			if ci.Err != nil {
				hookErrs = append(hookErrs, ci.Err.Error())
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Users.ListIDs(context.Background(), 1)
	if err == nil {
		t.Fatal("a call to a closed port succeeded")
	}
	if !IsTransient(err) {
		t.Errorf("connection refused: IsTransient = false for %v", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) || !strings.Contains(ue.URL, "appsecret=REDACTED") {
		t.Errorf("error %v: want a *url.Error whose URL shows appsecret=REDACTED", err)
	}
	if !strings.Contains(err.Error(), "/gettoken") || !strings.Contains(err.Error(), "appkey="+testAppKey) {
		t.Errorf("error %q should still say which call failed", err)
	}
	checkClean(t, "the error", err.Error(), testAppSecret)
	checkClean(t, "the log", logs.String(), testAppSecret)
	checkClean(t, "the hook's errors", strings.Join(hookErrs, "\n"), testAppSecret)
	if len(hookErrs) != 2 {
		t.Errorf("hook saw %d failed attempts, want 2 (one retry)", len(hookErrs))
	}
}

// failingTransport answers /gettoken through the real transport and fails every other call
// with an error after the request left, as a network failure would.
type failingTransport struct{}

func (failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/gettoken") {
		return http.DefaultTransport.RoundTrip(r)
	}
	// Some transports quote the URL in their own errors too.
	return nil, fmt.Errorf("write tcp: connection reset by peer while sending %s", r.URL)
}

func TestRedact_TokenNotInNetworkError(t *testing.T) {
	t.Parallel()
	env := setup(t, WithHTTPClient(&http.Client{Transport: failingTransport{}}), WithRetry(RetryPolicy{}))
	_, _, err := env.client.Users.ListIDs(context.Background(), 1)
	if err == nil {
		t.Fatal("want an error")
	}
	var ue *url.Error
	if !errors.As(err, &ue) || !strings.Contains(ue.URL, "access_token=REDACTED") {
		t.Errorf("error %v: want the URL's access_token redacted", err)
	}
	checkClean(t, "the error", err.Error(), testToken, testAppSecret)
	if !strings.Contains(err.Error(), "/topapi/user/listid") {
		t.Errorf("error %q should name the path", err)
	}
}

func TestRedact_TokenEchoedByDingTalk(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/user/get", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"errcode":40014,"errmsg":"不合法的access_token: %s"}`, r.URL.Query().Get("access_token"))
	})
	_, _, err := env.client.Users.Get(context.Background(), "u", "")
	if err == nil {
		t.Fatal("want an error")
	}
	checkClean(t, "the error", err.Error(), testToken)
	if !strings.Contains(err.Error(), "不合法的access_token: REDACTED") {
		t.Errorf("error %q: want the echoed token replaced", err)
	}
}

func TestRedact_MalformedAnswerQuotingSecrets(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/user/get", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `oops %s %s`, r.URL.Query().Get("access_token"), testAppSecret)
	})
	_, _, err := env.client.Users.Get(context.Background(), "u", "")
	if err == nil || !strings.Contains(err.Error(), "not the expected JSON") {
		t.Fatalf("error %v", err)
	}
	checkClean(t, "the error", err.Error(), testToken, testAppSecret)
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://oapi.dingtalk.com/gettoken?appkey=k&appsecret=s3cr3t":              "https://oapi.dingtalk.com/gettoken?appkey=k&appsecret=REDACTED",
		"https://oapi.dingtalk.com/topapi/v2/user/get?access_token=abc":             "https://oapi.dingtalk.com/topapi/v2/user/get?access_token=REDACTED",
		"https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1&sign=x%3D": "https://oapi.dingtalk.com/robot/send?access_token=REDACTED&sign=REDACTED&timestamp=1",
		"https://oapi.dingtalk.com/attendance/list":                                 "https://oapi.dingtalk.com/attendance/list",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactor_ShortSecretsAreLeftAlone(t *testing.T) {
	t.Parallel()
	r := newRedactor("x")
	if got := r.redact("max x"); got != "max x" {
		t.Errorf("a one-letter secret redacted %q", got)
	}
	r.add("longer-token-1")
	if got := r.redact("a longer-token-1 b"); got != "a REDACTED b" {
		t.Errorf("got %q", got)
	}
}

func TestRedactor_KeepsAppSecretAndRecentTokens(t *testing.T) {
	t.Parallel()
	r := newRedactor("app-secret-000")
	for i := range keepTokens + 5 {
		r.add(fmt.Sprintf("token-number-%02d", i))
	}
	s := r.redact("app-secret-000 token-number-12")
	if s != "REDACTED REDACTED" {
		t.Errorf("got %q: the app secret and the newest token must stay redacted", s)
	}
	if len(r.secrets) != keepTokens+1 {
		t.Errorf("%d secrets kept, want %d", len(r.secrets), keepTokens+1)
	}
}
