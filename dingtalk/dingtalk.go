package dingtalk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls DingTalk's Open API for one app (one AppKey). It caches the app's access token,
// keeps each API path under the configured calls per second, retries throttled and transient
// calls, and turns every failure into an *APIError or a wrapped network error. A Client is safe
// for concurrent use; make one per app and share it.
type Client struct {
	appKey    string
	appSecret string
	baseURL   *url.URL
	caller    *caller
	tokens    *tokenCache

	common service // reused by the services below instead of allocating one each

	Departments *DepartmentsService
	Users       *UsersService
	Attendance  *AttendanceService
	Messages    *MessagesService
	Workflow    *WorkflowService
}

type service struct {
	client *Client
}

// NewClient returns a client for the internal app with this AppKey and AppSecret.
func NewClient(appKey, appSecret string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(appKey) == "" || strings.TrimSpace(appSecret) == "" {
		return nil, errors.New("dingtalk: NewClient: the AppKey and the AppSecret are both required")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(cfg.baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("dingtalk: NewClient: base URL %q: want http(s)://host[/path]", cfg.baseURL)
	}
	base.RawQuery, base.Fragment = "", ""
	red := newRedactor(appSecret)
	c := &Client{
		appKey:    appKey,
		appSecret: appSecret,
		baseURL:   base,
		caller:    newCaller(cfg, red, newLimiters(cfg.qps)),
	}
	c.tokens = newTokenCache(appKey, cfg.now, red, c.fetchToken)
	c.common.client = c
	c.Departments = (*DepartmentsService)(&c.common)
	c.Users = (*UsersService)(&c.common)
	c.Attendance = (*AttendanceService)(&c.common)
	c.Messages = (*MessagesService)(&c.common)
	c.Workflow = (*WorkflowService)(&c.common)
	return c, nil
}

// Location returns the org's time zone the client was configured with.
func (c *Client) Location() *time.Location { return c.caller.loc }

// AccessToken returns the app's access token from the cache, fetching a new one when the
// cached one is missing or about to expire. The endpoint methods call it themselves; it is
// exported for calls this package does not wrap. Never log what it returns.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	return c.tokens.get(ctx)
}

// Request is one API call, ready to be sent any number of times: Body is kept as bytes so
// that a retry sends exactly the same JSON.
type Request struct {
	Method string
	Path   string     // the API path, e.g. "/topapi/v2/user/get"
	Query  url.Values // query parameters; Do adds access_token
	Body   []byte     // JSON, or nil
}

// Response describes how a call went. Paging endpoints fill HasMore and NextCursor.
type Response struct {
	HTTPStatus int
	RequestID  string // DingTalk's request_id (topapi paths)
	Attempts   int    // HTTP attempts the call took, retries included
	HasMore    bool
	NextCursor int64 // the cursor of the next page, for cursor-paged endpoints
}

// NewRequest returns a request for an API path (beginning with "/", relative to the base
// URL) with body encoded as JSON. body nil sends no body.
func (c *Client) NewRequest(method, path string, body any) (*Request, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("dingtalk: NewRequest: path %q must begin with /", path)
	}
	req := &Request{Method: method, Path: path}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("dingtalk: %s: encode request: %w", path, err)
		}
		req.Body = b
	}
	return req, nil
}

// Do sends req with the app's access token and decodes the answer into v (which may be nil)
// when DingTalk says errcode 0. It waits for the path's rate limiter before every attempt,
// retries throttled and transient failures per the retry policy, and when DingTalk rejects the
// token it drops it, fetches a new one and retries; if DingTalk rejects the new token at once,
// the call fails.
func (c *Client) Do(ctx context.Context, req *Request, v any) (*Response, error) {
	return c.do(ctx, req, true, v)
}

func (c *Client) do(ctx context.Context, req *Request, withToken bool, v any) (*Response, error) {
	var used string // the token of the latest attempt
	// refetched says the latest attempt used a token fetched because DingTalk had just
	// rejected the one before. If DingTalk rejects that one too, at once, a new token will not
	// help: the call fails. A token that expires later in the call (its attempt was throttled
	// or failed in passing, and retried after a backoff) is replaced again.
	refetched := false
	try := func(attempt int) (*Response, error) {
		token := ""
		if withToken {
			var err error
			if token, err = c.tokens.get(ctx); err != nil {
				return nil, &tokenFetchError{err}
			}
			used = token
		}
		hreq, err := c.httpRequest(ctx, req, token)
		if err != nil {
			return nil, err
		}
		return c.caller.send(ctx, req.Path, hreq, attempt, v)
	}
	again := func(err error) bool {
		var e *APIError
		if !withToken || !errors.As(err, &e) || !e.tokenRejected() {
			refetched = false
			return false
		}
		if refetched {
			return false
		}
		refetched = true
		c.tokens.drop(used)
		c.caller.log.Info("dingtalk: access token rejected, fetching a new one", "path", req.Path, "errcode", e.Code, "sub_code", e.SubCode)
		return true
	}
	return c.caller.run(ctx, req.Path, try, again)
}

func (c *Client) httpRequest(ctx context.Context, req *Request, token string) (*http.Request, error) {
	u := c.baseURL.JoinPath(req.Path)
	q := url.Values{}
	for k, vs := range req.Query {
		q[k] = append([]string(nil), vs...)
	}
	if token != "" {
		q.Set("access_token", token)
	}
	u.RawQuery = q.Encode()
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("dingtalk: %s: %w", req.Path, c.caller.red.redactErr(err))
	}
	if req.Body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	hreq.Header.Set("Accept", "application/json")
	return hreq, nil
}

// tokenFetchError marks a failure to get a token inside a call: the token fetch already did
// its own retries, so the call must not retry it again.
type tokenFetchError struct{ err error }

func (e *tokenFetchError) Error() string { return e.err.Error() }
func (e *tokenFetchError) Unwrap() error { return e.err }

// post is the request and do steps of a JSON POST endpoint.
func (c *Client) post(ctx context.Context, path string, body, v any) (*Response, error) {
	req, err := c.NewRequest(http.MethodPost, path, body)
	if err != nil {
		return nil, err
	}
	return c.Do(ctx, req, v)
}

// missing reports an answer that said errcode 0 but lacks a field the endpoint promises.
func missing(path string, resp *Response, field string) error {
	e := &APIError{Path: path, Message: fmt.Sprintf("the answer is not the expected JSON: it has no %q", field)}
	if resp != nil {
		e.HTTPStatus, e.RequestID = resp.HTTPStatus, resp.RequestID
	}
	return e
}

// badTimes reports a "Date" field that could not be read.
func badTimes(path string, resp *Response, err error) error {
	e := &APIError{Path: path, Message: "the answer is not the expected JSON: " + err.Error()}
	if resp != nil {
		e.HTTPStatus, e.RequestID = resp.HTTPStatus, resp.RequestID
	}
	return e
}
