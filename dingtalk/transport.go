package dingtalk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxBodySize bounds how much of an answer is read. The largest legitimate answers (a page
// of 100 full user records) are far below it.
const maxBodySize = 4 << 20

// caller is the machinery Client and Robot share: one HTTP attempt with its classification,
// hook and log line; the rate limiters; the retry loop.
type caller struct {
	hc    *http.Client
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error // nil: real timers
	log   *slog.Logger
	hook  func(CallInfo)
	loc   *time.Location
	retry RetryPolicy
	red   *redactor
	lims  *limiters
}

func newCaller(cfg config, red *redactor, lims *limiters) *caller {
	return &caller{
		hc:    cfg.httpClient,
		now:   cfg.now,
		sleep: cfg.sleep,
		log:   cfg.logger,
		hook:  cfg.hook,
		loc:   cfg.loc,
		retry: cfg.retry,
		red:   red,
		lims:  lims,
	}
}

// run makes attempts with try until one succeeds or the failure is final. Before each
// attempt it waits for the path's limiter. After a failure, again may ask for one more
// attempt at once (a refreshed token); otherwise throttled and transient failures are retried
// with backoff, as far as the retry policy allows.
func (k *caller) run(ctx context.Context, path string, try func(attempt int) (*Response, error), again func(error) bool) (*Response, error) {
	retries := 0
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("dingtalk: %s: %w", path, err)
		}
		if err := k.wait(ctx, path); err != nil {
			return nil, fmt.Errorf("dingtalk: %s: waiting for the rate limiter: %w", path, err)
		}
		resp, err := try(attempt)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return resp, err
		}
		if again != nil && again(err) {
			continue
		}
		delay, ok := k.retryDelay(err, retries)
		if !ok {
			return resp, err
		}
		retries++
		k.log.Warn("dingtalk: retrying", "path", path, "attempt", attempt, "retry_in", delay, "err", err)
		if serr := k.pause(ctx, delay); serr != nil {
			return resp, fmt.Errorf("dingtalk: %s: gave up waiting %s to retry: %w (last error: %w)", path, delay, serr, err)
		}
	}
}

// retryDelay says whether to retry after err, and after how long.
func (k *caller) retryDelay(err error, retries int) (time.Duration, bool) {
	var tf *tokenFetchError
	if retries >= k.retry.MaxRetries || errors.As(err, &tf) || IsQuotaExhausted(err) {
		return 0, false
	}
	if !IsThrottled(err) && !IsTransient(err) {
		return 0, false
	}
	d := k.retry.MaxDelay
	if f := float64(k.retry.BaseDelay) * math.Pow(2, float64(retries)); f < float64(k.retry.MaxDelay) {
		d = time.Duration(f)
	}
	if d > 0 {
		d += rand.N(d/2 + 1)
	}
	d = min(d, k.retry.MaxDelay)
	var e *APIError
	if errors.As(err, &e) && e.RetryAfter > 0 {
		if e.RetryAfter > k.retry.MaxDelay {
			return 0, false // an IP ban or a robot penalty: the error says how long to wait
		}
		d = max(d, e.RetryAfter)
	}
	return d, true
}

// pause sleeps for d or until ctx is done.
func (k *caller) pause(ctx context.Context, d time.Duration) error {
	if k.sleep != nil {
		return k.sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// wait takes the path's next slot from its limiter.
func (k *caller) wait(ctx context.Context, path string) error {
	lim := k.lims.get(path)
	if lim == nil {
		return nil
	}
	if k.sleep == nil {
		return lim.Wait(ctx)
	}
	// With an injected sleep, read the time from the injected clock so that waits are exact
	// and instant in tests.
	now := k.now()
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return errors.New("rate limiter refused the call")
	}
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if err := k.sleep(ctx, d); err != nil {
		r.CancelAt(k.now())
		return err
	}
	return nil
}

// send makes one HTTP attempt, classifies the answer, decodes it into v on success, and
// reports the attempt to the hook and the log.
func (k *caller) send(ctx context.Context, path string, hreq *http.Request, attempt int, v any) (*Response, error) {
	at := k.now()
	start := time.Now() // the network time, measured on the real clock whatever WithClock says
	resp := &Response{Attempts: attempt}
	err := k.exchange(path, hreq, resp, v)
	dur := time.Since(start)

	info := CallInfo{
		Path:       path,
		Metered:    IsMetered(path),
		Attempt:    attempt,
		HTTPStatus: resp.HTTPStatus,
		Throttled:  IsThrottled(err),
		At:         at,
		Duration:   dur,
		Err:        err,
	}
	var e *APIError
	if errors.As(err, &e) {
		info.Errcode, info.SubCode = e.Code, e.SubCode
	}
	if k.hook != nil {
		k.hook(info)
	}
	attrs := []slog.Attr{
		slog.String("path", path), slog.Int("attempt", attempt), slog.Int("errcode", info.Errcode),
		slog.Int("http_status", info.HTTPStatus), slog.Duration("duration", dur),
	}
	if info.SubCode != "" {
		attrs = append(attrs, slog.String("sub_code", info.SubCode))
	}
	if err != nil {
		attrs = append(attrs, slog.Any("err", err))
	}
	k.log.LogAttrs(ctx, slog.LevelDebug, "dingtalk: call", attrs...)
	return resp, err
}

func (k *caller) exchange(path string, hreq *http.Request, resp *Response, v any) error {
	hres, err := k.hc.Do(hreq)
	if err != nil {
		return fmt.Errorf("dingtalk: %s: %w", path, k.red.redactErr(err))
	}
	defer hres.Body.Close()
	resp.HTTPStatus = hres.StatusCode
	body, err := io.ReadAll(io.LimitReader(hres.Body, maxBodySize+1))
	if err != nil {
		return fmt.Errorf("dingtalk: %s: read the answer: %w", path, k.red.redactErr(err))
	}
	if len(body) > maxBodySize {
		return &APIError{Path: path, HTTPStatus: hres.StatusCode, Message: fmt.Sprintf("the answer is larger than %d MiB", maxBodySize>>20)}
	}
	return k.decode(path, hres.StatusCode, hres.Header.Get("Content-Type"), body, resp, v)
}

// limiters holds one token bucket per API path, created on first use: DingTalk limits each
// app per API path. Burst 1 spaces calls evenly, because DingTalk counts calls in 1-second
// windows and a burst at the edge of one window can spill into 90018.
type limiters struct {
	limit rate.Limit // DingTalk's limit; the buckets run jitterGuard under it
	mu    sync.Mutex
	m     map[string]*rate.Limiter
}

// jitterGuard is the room the limiters leave under DingTalk's limit, as a share of its window.
// DingTalk counts calls in windows (each second for an API path, any minute for a robot) by
// when they arrive, not when they were sent. Calls spaced exactly window/limit apart put limit+1
// calls into a window whenever the network delays the last call before a window's edge and
// not the one a window later: a 90018 every 10 to 60 seconds of a sustained pull in
// bench/pull, and a robot throttled for 10 minutes. Spacing limit calls over 105% of the
// window absorbs arrival jitter of up to 5% of it (50 ms for an API, 3 s for a robot), at the
// cost of 5% of the throughput.
const jitterGuard = 0.05

func newLimiters(perSecond float64) *limiters {
	return &limiters{limit: rate.Limit(perSecond), m: make(map[string]*rate.Limiter)}
}

// get returns the path's limiter; nil when there is no limit.
func (l *limiters) get(path string) *rate.Limiter {
	if l == nil || l.limit == rate.Inf {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.m[path]
	if !ok {
		lim = rate.NewLimiter(l.limit/(1+jitterGuard), 1)
		l.m[path] = lim
	}
	return lim
}
