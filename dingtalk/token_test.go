package dingtalk

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestToken_OneFetchFor50ConcurrentCallers(t *testing.T) {
	t.Parallel()
	env := setup(t, WithQPS(math.Inf(1)))
	release := make(chan struct{})
	env.setTokenHandler(func(w http.ResponseWriter, r *http.Request) {
		<-release // hold the fetch until every caller is under way
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":%q,"expires_in":7200}`, testToken)
	})
	env.handle("/topapi/user/listid", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":{"userid_list":["u1"]}}`)
	})

	const n = 50
	var started, done sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			_, _, err := env.client.Users.ListIDs(context.Background(), 1)
			errs <- err
		}()
	}
	started.Wait()
	time.Sleep(10 * time.Millisecond) // let the callers reach the token cache; the assertion holds either way
	close(release)
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := env.tokenFetches.Load(); got != 1 {
		t.Errorf("%d token fetches for %d concurrent callers, want 1", got, n)
	}
}

func TestToken_RefreshedAheadOfExpiry(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		name   string
		ttl    int           // seconds DingTalk says the token lives
		margin time.Duration // how long before expiry the client replaces it
	}{
		{"DingTalk7200s", 7200, 10 * time.Minute},
		{"Simulator20s", 20, 2 * time.Second},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t)
			env.setTokenHandler(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":%q,"expires_in":%d}`, testToken, test.ttl)
			})
			env.handle("/topapi/user/listid", func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":{"userid_list":[]}}`)
			})
			call := func() {
				t.Helper()
				if _, _, err := env.client.Users.ListIDs(context.Background(), 1); err != nil {
					t.Fatal(err)
				}
			}
			call()
			lifetime := time.Duration(test.ttl) * time.Second
			env.clock.Advance(lifetime - test.margin - time.Second)
			call()
			if got := env.tokenFetches.Load(); got != 1 {
				t.Fatalf("%d fetches before the refresh margin, want 1", got)
			}
			env.clock.Advance(2 * time.Second) // inside the margin, still before expiry
			call()
			if got := env.tokenFetches.Load(); got != 2 {
				t.Fatalf("%d fetches inside the refresh margin, want 2", got)
			}
			call()
			if got := env.tokenFetches.Load(); got != 2 {
				t.Fatalf("%d fetches after the refresh, want still 2", got)
			}
		})
	}
}

// tokenSequence makes /gettoken hand out tok-1-..., then tok-2-..., and so on.
func tokenSequence(env *testEnv) {
	var n atomic.Int32
	env.setTokenHandler(func(w http.ResponseWriter, r *http.Request) {
		tok := []string{"tok-1-aaaaaaaa", "tok-2-bbbbbbbb"}[min(int(n.Add(1)), 2)-1]
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":%q,"expires_in":7200}`, tok)
	})
}

func TestToken_RejectedTokenIsRefetchedAndRetriedOnce(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		name, path, rejection string
	}{
		{"Legacy40014", "/attendance/list", `{"errcode":40014,"errmsg":"不合法的access_token"}`},
		{"Legacy42001", "/attendance/list", `{"errcode":42001,"errmsg":"access_token超时"}`},
		{"Topapi88Sub40014", "/topapi/v2/department/listsub",
			`{"errcode":88,"sub_code":"40014","sub_msg":"不合法的access_token","errmsg":"ding talk error[subcode=40014,submsg=不合法的access_token]","request_id":"r1"}`},
		{"Topapi88SubInErrmsgOnly", "/topapi/v2/department/listsub",
			`{"errcode":88,"errmsg":"ding talk error[subcode=40014,submsg=不合法的access_token]","request_id":"r1"}`},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t)
			tokenSequence(env)
			var seen []string
			var mu sync.Mutex
			env.mux.HandleFunc(test.path, func(w http.ResponseWriter, r *http.Request) {
				tok := r.URL.Query().Get("access_token")
				mu.Lock()
				seen = append(seen, tok)
				mu.Unlock()
				if tok == "tok-1-aaaaaaaa" {
					fmt.Fprint(w, test.rejection)
					return
				}
				if strings.HasPrefix(test.path, "/topapi") {
					fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":[]}`)
				} else {
					fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","hasMore":false,"recordresult":[]}`)
				}
			})
			var err error
			if strings.HasPrefix(test.path, "/topapi") {
				_, _, err = env.client.Departments.ListSub(context.Background(), 1, "")
			} else {
				_, _, err = env.client.Attendance.List(context.Background(), &ResultOptions{UserIDs: []string{"u"}, From: MustParseDate("2026-11-16"), To: MustParseDate("2026-11-16")})
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := env.tokenFetches.Load(); got != 2 {
				t.Errorf("%d token fetches, want 2", got)
			}
			if want := []string{"tok-1-aaaaaaaa", "tok-2-bbbbbbbb"}; fmt.Sprint(seen) != fmt.Sprint(want) {
				t.Errorf("tokens sent %v, want %v", seen, want)
			}
			for _, d := range env.clock.Sleeps() {
				if d >= DefaultRetryPolicy.BaseDelay {
					t.Errorf("slept %v before the retry with a new token, want no backoff (only the limiter's spacing)", d)
				}
			}
		})
	}
}

func TestToken_RejectedAgainIsNotRetriedForever(t *testing.T) {
	t.Parallel()
	env := setup(t)
	tokenSequence(env)
	var calls atomic.Int32
	env.mux.HandleFunc("/topapi/v2/user/get", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) > 5 {
			t.Error("the client keeps retrying a rejected token")
			fmt.Fprint(w, `{"errcode":33012,"errmsg":"stop"}`)
			return
		}
		fmt.Fprint(w, `{"errcode":88,"sub_code":"40014","sub_msg":"不合法的access_token","errmsg":"ding talk error","request_id":"r"}`)
	})
	_, _, err := env.client.Users.Get(context.Background(), "u1", "")
	if !IsAuth(err) {
		t.Fatalf("error %v, want an auth error", err)
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("%d calls, want 2 (one retry with a new token)", got)
	}
	if got := env.tokenFetches.Load(); got != 2 {
		t.Errorf("%d token fetches, want 2", got)
	}
	if !strings.Contains(err.Error(), "the access token is invalid or expired") {
		t.Errorf("error %q does not say what is wrong", err)
	}
}

func TestToken_ExpiryWhileWaitingToRetryIsRefetchedAgain(t *testing.T) {
	t.Parallel()
	// The first token is rejected; the call retries with a second one at once, and is
	// throttled; while it backs off, the second token expires too. The retry after the
	// backoff is rejected, and a third token must be fetched, not the call failed.
	env := setup(t)
	var fetched atomic.Int32
	env.setTokenHandler(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":"tok-%d-aaaaaaaa","expires_in":7200}`, fetched.Add(1))
	})
	var seen []string
	var mu sync.Mutex
	env.mux.HandleFunc("/topapi/v2/department/listsub", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Query().Get("access_token"))
		n := len(seen)
		mu.Unlock()
		switch n {
		case 1, 3:
			fmt.Fprint(w, `{"errcode":88,"sub_code":"40014","sub_msg":"不合法的access_token","errmsg":"ding talk error","request_id":"r"}`)
		case 2:
			fmt.Fprint(w, `{"errcode":90018,"errmsg":"请求太频繁"}`)
		default:
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":[]}`)
		}
	})
	if _, _, err := env.client.Departments.ListSub(context.Background(), 1, ""); err != nil {
		t.Fatal(err)
	}
	want := []string{"tok-1-aaaaaaaa", "tok-2-aaaaaaaa", "tok-2-aaaaaaaa", "tok-3-aaaaaaaa"}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("tokens sent %v, want %v", seen, want)
	}
}

func TestToken_BadCredentials(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.setTokenHandler(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":40096,"errmsg":"不合法的appKey或appSecret"}`)
	})
	var apiCalls atomic.Int32
	env.handle("/topapi/user/listid", func(w http.ResponseWriter, r *http.Request) { apiCalls.Add(1) })
	_, _, err := env.client.Users.ListIDs(context.Background(), 1)
	if !IsAuth(err) {
		t.Fatalf("error %v, want an auth error", err)
	}
	want := "dingtalk: /gettoken: errcode 40096: 不合法的appKey或appSecret (check the AppKey and AppSecret)"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if apiCalls.Load() != 0 || env.tokenFetches.Load() != 1 {
		t.Errorf("%d API calls and %d token fetches, want 0 and 1", apiCalls.Load(), env.tokenFetches.Load())
	}
}

func TestToken_ThrottledFetchIsRetriedInsideTheFetchOnly(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.setTokenHandler(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":90018,"errmsg":"too fast"}`)
	})
	env.handle("/topapi/user/listid", func(w http.ResponseWriter, r *http.Request) {})
	_, _, err := env.client.Users.ListIDs(context.Background(), 1)
	if !IsThrottled(err) {
		t.Fatalf("error %v, want throttled", err)
	}
	// One call's worth of retries for /gettoken, not retries of retries.
	if got, want := env.tokenFetches.Load(), int32(DefaultRetryPolicy.MaxRetries+1); got != want {
		t.Errorf("%d token fetches, want %d", got, want)
	}
}

func TestToken_MalformedAnswer(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"NoToken":   `{"errcode":0,"errmsg":"ok","expires_in":7200}`,
		"NoExpiry":  `{"errcode":0,"errmsg":"ok","access_token":"abcdefgh"}`,
		"NotJSON":   `access_token=abc`,
		"BadExpiry": `{"errcode":0,"errmsg":"ok","access_token":"abcdefgh","expires_in":"soon"}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := setup(t)
			env.setTokenHandler(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
			_, err := env.client.AccessToken(context.Background())
			var e *APIError
			if !errors.As(err, &e) || e.Path != "/gettoken" || !strings.Contains(e.Message, "not the expected JSON") {
				t.Fatalf("error %v, want a malformed-answer error for /gettoken", err)
			}
		})
	}
}

func TestToken_StaleTokenServesWhileRefreshFails(t *testing.T) {
	t.Parallel()
	env := setup(t, WithRetry(RetryPolicy{}))
	if _, err := env.client.AccessToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	env.setTokenHandler(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":-1,"errmsg":"系统繁忙"}`)
	})
	env.clock.Advance(7200*time.Second - 5*time.Minute) // due for refresh, not expired
	tok, err := env.client.AccessToken(context.Background())
	if err != nil || tok != testToken {
		t.Fatalf("got %q, %v; want the old token while it is valid", tok, err)
	}
	tok, err = env.client.AccessToken(context.Background())
	if err != nil || tok != testToken {
		t.Fatalf("got %q, %v; want the old token again", tok, err)
	}
	if got := env.tokenFetches.Load(); got != 2 {
		t.Errorf("%d fetches, want 2: a failed refresh is not retried on every call", got)
	}
	env.clock.Advance(5 * time.Minute) // expired now
	if _, err := env.client.AccessToken(context.Background()); !IsTransient(err) {
		t.Fatalf("error %v after expiry, want the fetch's transient error", err)
	}
}

func TestToken_PerAppKey(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":"tok-for-%s","expires_in":7200}`, r.URL.Query().Get("appkey"))
	}))
	defer srv.Close()
	a, err := NewClient("app-a", testAppSecret, WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewClient("app-b", testAppSecret, WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if tok, err := a.AccessToken(context.Background()); err != nil || tok != "tok-for-app-a" {
			t.Errorf("app a got %q, %v", tok, err)
		}
		if tok, err := b.AccessToken(context.Background()); err != nil || tok != "tok-for-app-b" {
			t.Errorf("app b got %q, %v; want its own token, not app a's", tok, err)
		}
	}
	if got := fetches.Load(); got != 2 {
		t.Errorf("%d fetches, want one per app", got)
	}
}

func TestToken_CallerCancelWhileWaiting(t *testing.T) {
	t.Parallel()
	env := setup(t)
	release := make(chan struct{})
	env.setTokenHandler(func(w http.ResponseWriter, r *http.Request) {
		<-release
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":%q,"expires_in":7200}`, testToken)
	})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := env.client.AccessToken(ctx)
		errc <- err
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	// The fetch goes on for others, and its token is cached.
	close(release)
	tok, err := env.client.AccessToken(context.Background())
	if err != nil || tok != testToken {
		t.Fatalf("got %q, %v", tok, err)
	}
	if got := env.tokenFetches.Load(); got > 2 {
		t.Errorf("%d fetches, want at most 2", got)
	}
}
