package dingtalk

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// fetchTimeout bounds a token fetch, which runs detached from the context of the caller that
// started it (other callers may be waiting for it). It covers the default retry policy.
const fetchTimeout = 2 * time.Minute

// tokenCache holds one app's access token. DingTalk tokens live 7200 s, and asking again within
// that time returns the same token, so one cached token serves every call; the fetch is
// single-flight so that a thousand goroutines starting at once make one /gettoken call.
type tokenCache struct {
	key   string // the AppKey: the single-flight key, and the cache is this app's only
	now   func() time.Time
	red   *redactor
	fetch func(ctx context.Context) (string, time.Duration, error)

	mu        sync.Mutex
	token     string
	expiry    time.Time // DingTalk's end of validity
	refreshAt time.Time // when to fetch a new one, ahead of expiry

	group singleflight.Group
}

func newTokenCache(appKey string, now func() time.Time, red *redactor, fetch func(context.Context) (string, time.Duration, error)) *tokenCache {
	return &tokenCache{key: appKey, now: now, red: red, fetch: fetch}
}

// refreshMargin is how long before expiry a token is replaced: DingTalk's guide says about 10
// minutes; a short lifetime (a simulator's 20 s) gets a tenth of it.
func refreshMargin(ttl time.Duration) time.Duration {
	return min(10*time.Minute, ttl/10)
}

// get returns a token that is not about to expire, fetching one if needed.
func (tc *tokenCache) get(ctx context.Context) (string, error) {
	if tok, ok := tc.fresh(); ok {
		return tok, nil
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("dingtalk: waiting for an access token: %w", err)
	}
	ch := tc.group.DoChan(tc.key, func() (any, error) {
		// Another flight may have finished between fresh() and here.
		if tok, ok := tc.fresh(); ok {
			return tok, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		defer cancel()
		tok, ttl, err := tc.fetch(fctx)
		now := tc.now()
		tc.mu.Lock()
		defer tc.mu.Unlock()
		if err != nil {
			// A token that is due for refresh but not expired still works: use it rather than
			// fail the call because /gettoken is throttled or down.
			if tc.token != "" && now.Before(tc.expiry) {
				// Try again soon, not on every call.
				tc.refreshAt = now.Add(min(time.Minute, tc.expiry.Sub(now)/2))
				return tc.token, nil
			}
			return "", err
		}
		tc.red.add(tok)
		tc.token = tok
		tc.expiry = now.Add(ttl)
		tc.refreshAt = tc.expiry.Add(-refreshMargin(ttl))
		return tok, nil
	})
	select {
	case <-ctx.Done():
		return "", fmt.Errorf("dingtalk: waiting for an access token: %w", ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	}
}

func (tc *tokenCache) fresh() (string, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.token != "" && tc.now().Before(tc.refreshAt) {
		return tc.token, true
	}
	return "", false
}

// drop forgets token after DingTalk rejected it, unless another goroutine already replaced it.
func (tc *tokenCache) drop(token string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.token == token {
		tc.token, tc.expiry, tc.refreshAt = "", time.Time{}, time.Time{}
	}
}

// tokenAnswer is the answer of /gettoken.
type tokenAnswer struct {
	AccessToken string  `json:"access_token"`
	ExpiresIn   FlexInt `json:"expires_in"` // seconds
}

// getToken fetches a new access token for the app. The cache calls it; nothing else should.
//
// DingTalk doc: obtain-orgapp-token
//
//	GET /gettoken?appkey=...&appsecret=...
func (c *Client) getToken(ctx context.Context) (*tokenAnswer, *Response, error) {
	const path = "/gettoken"
	req, err := c.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Query = url.Values{"appkey": {c.appKey}, "appsecret": {c.appSecret}}
	var out tokenAnswer
	resp, err := c.do(ctx, req, false, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.AccessToken == "" {
		return nil, resp, missing(path, resp, "access_token")
	}
	if out.ExpiresIn <= 0 {
		return nil, resp, missing(path, resp, "expires_in")
	}
	return &out, resp, nil
}

func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	t, _, err := c.getToken(ctx)
	if err != nil {
		return "", 0, err
	}
	return t.AccessToken, time.Duration(t.ExpiresIn) * time.Second, nil
}
