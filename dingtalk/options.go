package dingtalk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on machines without a zoneinfo database
)

// DefaultBaseURL is the legacy Open API host every endpoint of this package lives on.
const DefaultBaseURL = "https://oapi.dingtalk.com"

// DefaultQPS is DingTalk's documented limit for a standard-edition org: 20 calls a second per
// app and API path (errcode 90018 beyond it). The client spaces its calls a little under it
// (see WithQPS).
const DefaultQPS = 20

// RetryPolicy bounds the retries of throttled and transient calls. Delays grow as
// BaseDelay, 2×BaseDelay, 4×BaseDelay... up to MaxDelay, each stretched by up to half again
// at random (jitter), so that several clients do not retry in step.
type RetryPolicy struct {
	// MaxRetries is how many times one call is retried after its first attempt; 0 disables
	// retries. The single retry after a refreshed token does not count.
	MaxRetries int
	// BaseDelay is the first delay. DingTalk counts calls in 1-second windows, so less than a
	// second rarely helps against 90018.
	BaseDelay time.Duration
	// MaxDelay caps every delay. When DingTalk says how long to wait and that is longer than
	// MaxDelay (an IP ban of 5 minutes, a robot throttled for 10), the call is not retried:
	// the error says how long to wait instead.
	MaxDelay time.Duration
}

// DefaultRetryPolicy waits about 1 s, 2 s, 4 s and 8 s: DingTalk's advice for 90002 and
// 90018, one more for luck, and about 15 to 23 seconds in all before giving up.
var DefaultRetryPolicy = RetryPolicy{MaxRetries: 4, BaseDelay: time.Second, MaxDelay: 30 * time.Second}

// An Option configures a Client or a Robot. Options that make no sense for a Robot (the
// base URL, the QPS, the location) are ignored by NewRobot.
type Option func(*config) error

// config is what the options set; Client and Robot copy what they need from it.
type config struct {
	baseURL    string
	httpClient *http.Client
	qps        float64
	now        func() time.Time
	sleep      func(ctx context.Context, d time.Duration) error
	logger     *slog.Logger
	hook       func(CallInfo)
	loc        *time.Location
	retry      RetryPolicy
}

func newConfig(opts []Option) (config, error) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return config{}, fmt.Errorf("dingtalk: load Asia/Shanghai: %w", err)
	}
	cfg := config{
		baseURL:    DefaultBaseURL,
		httpClient: &http.Client{Timeout: 30 * time.Second},
		qps:        DefaultQPS,
		now:        time.Now,
		logger:     slog.New(slog.DiscardHandler),
		loc:        loc,
		retry:      DefaultRetryPolicy,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return config{}, err
		}
	}
	return cfg, nil
}

// WithBaseURL points the client at another host, such as a simulator:
// WithBaseURL(server.URL). A path in the URL is kept: endpoints are resolved under it.
func WithBaseURL(baseURL string) Option {
	return func(c *config) error {
		if baseURL == "" {
			return errors.New("dingtalk: WithBaseURL: empty URL")
		}
		c.baseURL = baseURL
		return nil
	}
}

// WithHTTPClient sets the HTTP client. The default has a 30-second timeout per attempt.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("dingtalk: WithHTTPClient: nil client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithQPS sets DingTalk's limit of calls a second per API path for this org (default 20; 60
// for orgs with DingTalk's paid add-on pack). The client spaces its calls so that qps of them
// take 1.05 s (52.5 ms apart at 20): DingTalk counts calls per 1-second window as they arrive,
// and the 5% absorbs up to 50 ms of network jitter that would otherwise push a 21st call into
// a window now and then. math.Inf(1) turns the limiter off.
func WithQPS(qps float64) Option {
	return func(c *config) error {
		if !(qps > 0) || math.IsNaN(qps) {
			return fmt.Errorf("dingtalk: WithQPS(%v): want a positive number of calls per second", qps)
		}
		c.qps = qps
		return nil
	}
}

// WithClock sets what time it is: token expiry, robot signatures, the time of each call
// (CallInfo.At) and the end of a DingTalk penalty are read from it. Waits use real timers
// unless WithSleep is given too; give both when the clock does not follow real time.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("dingtalk: WithClock: nil clock")
		}
		c.now = now
		return nil
	}
}

// WithSleep makes every wait (the rate limiter's and the backoff between retries) call sleep,
// which must return early with ctx.Err() when ctx is done. With it, the limiter measures time
// with the clock of WithClock, so a fake clock that sleep advances gives exact, instant waits.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *config) error {
		if sleep == nil {
			return errors.New("dingtalk: WithSleep: nil func")
		}
		c.sleep = sleep
		return nil
	}
}

// WithLogger sets the logger: Debug for every attempt, Warn for every retry. Nothing logged
// contains the app secret, a token or a request body. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("dingtalk: WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithCallHook sets a function that sees every HTTP attempt, retries and token fetches
// included, after it ends. It runs on the calling goroutine and must be quick and safe for
// concurrent use.
func WithCallHook(hook func(CallInfo)) Option {
	return func(c *config) error {
		c.hook = hook
		return nil
	}
}

// WithLocation sets the org's time zone (default Asia/Shanghai): the zone of the
// "yyyy-MM-dd HH:mm:ss" strings DingTalk takes and returns, and of work dates.
func WithLocation(loc *time.Location) Option {
	return func(c *config) error {
		if loc == nil {
			return errors.New("dingtalk: WithLocation: nil location")
		}
		c.loc = loc
		return nil
	}
}

// WithRetry sets the retry policy for throttled and transient calls.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxRetries < 0 || p.BaseDelay < 0 || p.MaxDelay < p.BaseDelay {
			return fmt.Errorf("dingtalk: WithRetry: want MaxRetries >= 0 and 0 <= BaseDelay <= MaxDelay, got %+v", p)
		}
		c.retry = p
		return nil
	}
}
