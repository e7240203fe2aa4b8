package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// Store is what the dashboard reads and writes: the rows the reports are computed from, the
// books of the syncs it shows, and the local accounts with their sessions and the audit log.
// Package store implements it.
type Store interface {
	report.SliceSource
	kaoqin.UserStore
	kaoqin.SettingsStore
	kaoqin.ReminderStore
	Runs(ctx context.Context, limit int) ([]kaoqin.SyncRun, error)
	// What the punch pages read besides the reports' rows.
	KindCoverage(ctx context.Context, kind, from, to string) ([]kaoqin.DayCoverage, error)
	QueryPunches(ctx context.Context, q kaoqin.PunchQuery) ([]kaoqin.Punch, error)
	DayDetail(ctx context.Context, userid, day string) (*kaoqin.DayDetail, error)
	Punches(ctx context.Context, f kaoqin.Filter) ([]kaoqin.Punch, error)
	Ledger(ctx context.Context, month string) (kaoqin.MonthLedger, error)
	// Refetches are the people's days DingTalk's events said changed, waiting to be pulled again.
	Refetches(ctx context.Context) ([]kaoqin.Refetch, error)
	// EventsVersion changes whenever a DingTalk event is handled: the boards' caches follow it.
	EventsVersion(ctx context.Context) (int64, error)
	kaoqin.ReconcileStore
}

// Syncer is the sync engine as the dashboard sees it: the sync page's "sync now" button and
// the state it shows. cmd/kaoqin implements it over package syncer and its scheduler.
type Syncer interface {
	// SyncNow starts a pull of today (the org chart and today's attendance) in the background
	// and returns without waiting for it: ctx is the request's, and the sync must outlive it.
	// by names who asked, for the log. ECONFLICT if a sync is already running, EQUOTA if the
	// month's budget does not allow it.
	SyncNow(ctx context.Context, by string) error
	// Status says what the engine is doing now.
	Status(ctx context.Context) SyncStatus
}

// SyncStatus is what the sync page shows of the sync engine besides the stored runs.
type SyncStatus struct {
	Running bool `json:"running"` // a sync is running in this instance
	// Scheduler is true when this instance holds the scheduler lock and runs the scheduled
	// syncs (one instance of several does).
	Scheduler bool `json:"scheduler"`
	// NextRun is when the next scheduled sync is due; zero if none is planned.
	NextRun time.Time `json:"next_run,omitzero"`
	// Plan says in words what the scheduler does (e.g. "org nightly at 02:00; today every
	// 10 minutes 08:00-19:00 within the budget").
	Plan string `json:"plan,omitempty"`
	// PollsLeftToday is how many live polls the budget still allows today; -1 if unknown.
	PollsLeftToday int `json:"polls_left_today"`
	// Schedule is Plan as values, for the sync page to say in its reader's language.
	Schedule Schedule `json:"-"`
	// Events says which source carries the live board; nil when this server takes no events.
	Events *EventsStatus `json:"events,omitempty"`
}

// EventsStatus is DingTalk's events as the live board's source (see package events).
type EventsStatus struct {
	Mode string `json:"mode"` // KAOQIN_EVENTS: stream, http or off
	// Carried is true while events carry the board (live polls stop); Why says why, or why
	// not: events, off, no_link, link_down, pushes_spent.
	Carried     bool      `json:"carried"`
	Why         string    `json:"why"`
	LastEventAt time.Time `json:"last_event_at,omitzero"` // real time
	DownSince   time.Time `json:"down_since,omitzero"`
	Pushes      int64     `json:"pushes"`     // the month's pushes that count against the quota
	PushQuota   int64     `json:"push_quota"` // 0: no limit
}

// Schedule is what the scheduled syncs do.
type Schedule struct {
	Enabled       bool
	Nightly       string // time of the nightly sync, "02:00"; "" when there is none
	ReconcileDays int    // how many days back the nightly sync finishes days not final
	LiveEvery     string // interval of today's live pulls, "10m"; "" when the budget planner decides
	LiveOff       bool   // no live pulls of today
	Hours         string // when interval pulls run, "08:00-19:00"
}

// Config is what New needs. Store and Location are required; the rest have defaults.
type Config struct {
	Store    Store
	Location *time.Location // the configured zone: work dates, "today", every time shown
	// Now is the application's clock: what "today" is and the moment reports are made at
	// (kaoqin demo runs it on the simulator's fast clock); default time.Now.
	Now func() time.Time
	// Clock is real time: sessions' idle limit, the login slow-down and the audit log's
	// timestamps; default time.Now.
	Clock  func() time.Time
	Logger *slog.Logger // default: discard
	// Syncer runs "sync now" and tells the sync engine's state; nil: the sync page shows the
	// stored runs only and offers no button.
	Syncer Syncer
	// Reconciler runs reconciliations with DingTalk's report; nil: the page lists the stored
	// ones and offers no button.
	Reconciler Reconciler
	// MonthlyQuota is the org's metered-call budget a month (KAOQIN_DINGTALK_MONTHLY_QUOTA),
	// shown against the month's ledger; 0 when it is off (no limit).
	MonthlyQuota int
	// Metrics are the Prometheus metrics served at /metrics; default NewMetrics().
	Metrics *Metrics
	// MetricsToken, if not empty, lets a scraper read /metrics with "Authorization: Bearer
	// TOKEN" (KAOQIN_METRICS_TOKEN); an admin session always may.
	MetricsToken string
	// TrustedProxies are the addresses of reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed: the client IP of the login slow-down and the audit log,
	// and whether the session cookie is Secure. Requests from anywhere else are taken as they
	// come.
	TrustedProxies []netip.Prefix
	// SessionLifetime is the longest a session lives (default 12 h); SessionIdle is how long
	// it lives without requests (default 2 h).
	SessionLifetime, SessionIdle time.Duration
	// CacheTTL is how long a computed daily report or series is reused while the data it was
	// computed from has not changed (default 10 s; negative: no cache).
	CacheTTL time.Duration
	// Reminders previews the day's reminders and records reminders from the board; nil: the
	// reminders page shows the rules only. RemindersSend says that an instance sends them
	// (KAOQIN_DINGTALK_AGENT_ID is set): without it, the board offers no "remind now".
	// RobotHosts are the hosts a robot webhook may have besides oapi.dingtalk.com.
	Reminders     Reminders
	RemindersSend bool
	RobotHosts    []string
	// Ping checks the database for /healthz; nil: /healthz does not look at the database.
	Ping func(ctx context.Context) error
	// PushQuota is the org's Webhook & Stream pushes a month (KAOQIN_DINGTALK_PUSH_QUOTA),
	// shown against the month's push ledger.
	PushQuota int
	// Events, if set, takes DingTalk's HTTP push at POST /dingtalk/events (package events);
	// it checks DingTalk's signature itself, so it needs no session.
	Events http.Handler
	// Fetcher fetches a day in dispute from DingTalk (one metered call); nil: the day page
	// offers no fetch.
	Fetcher DayFetcher
	// Review are the review's thresholds (KAOQIN_REVIEW_FAR_FROM_BASE, ..._SAME_MINUTE_DAYS).
	Review report.ReviewOptions
}

// Server is kaoqin's web dashboard and JSON API. It is safe for concurrent use.
type Server struct {
	store      Store
	loc        *time.Location
	now        func() time.Time
	clock      func() time.Time
	log        *slog.Logger
	syncer     Syncer
	reconciler Reconciler
	quota      int
	pushes     int
	events     http.Handler
	metrics    *Metrics
	token      string
	proxies    []netip.Prefix
	ping       func(ctx context.Context) error
	fetcher    DayFetcher
	review0    report.ReviewOptions
	sessions   *scs.SessionManager
	idle       time.Duration
	logins     *loginThrottle
	// the reminders (reminders.go)
	reminders     Reminders
	remindersSend bool
	robotHosts    []string
	// deviceKey signs the device cookies of logins (see throttle.go); random per instance.
	deviceKey []byte
	cache     *reportCache
	pages     map[string]*template.Template
	// apiRoutes are the patterns registered under /api/v1/, for the OpenAPI test.
	apiRoutes []string
	allRoutes []string
	handler   http.Handler
}

// New returns the server described by cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: Config.Store is required")
	}
	if cfg.Location == nil {
		return nil, errors.New("web: Config.Location is required")
	}
	s := &Server{
		store:      cfg.Store,
		loc:        cfg.Location,
		now:        cfg.Now,
		clock:      cfg.Clock,
		log:        cfg.Logger,
		syncer:     cfg.Syncer,
		reconciler: cfg.Reconciler,
		quota:      cfg.MonthlyQuota,
		pushes:     cfg.PushQuota,
		events:     cfg.Events,
		metrics:    cfg.Metrics,
		token:      cfg.MetricsToken,
		proxies:    cfg.TrustedProxies,
		ping:       cfg.Ping,

		reminders: cfg.Reminders, remindersSend: cfg.RemindersSend, robotHosts: cfg.RobotHosts,
		fetcher: cfg.Fetcher,
		review0: cfg.Review,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	if err := s.watchStore(); err != nil {
		return nil, fmt.Errorf("web: metrics: %w", err)
	}
	s.sessions = newSessionManager(s.store, cfg.SessionLifetime)
	s.idle = cfg.SessionIdle
	if s.idle <= 0 {
		s.idle = 2 * time.Hour
	}
	s.logins = newLoginThrottle(s.clock)
	s.deviceKey = make([]byte, 32)
	if _, err := rand.Read(s.deviceKey); err != nil {
		return nil, fmt.Errorf("web: device key: %w", err)
	}
	ttl := cfg.CacheTTL
	if ttl == 0 {
		ttl = 10 * time.Second
	}
	s.cache = newReportCache(ttl, s.clock)
	pages, err := parsePages(s.loc)
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.handler = s.routes()
	return s, nil
}

// Handler returns the handler of every route: pages, the JSON API, /healthz, /metrics and
// the static files.
func (s *Server) Handler() http.Handler { return s.handler }

// Metrics returns the server's metrics, for the DingTalk call hook and the sync runs.
func (s *Server) Metrics() *Metrics { return s.metrics }

// CleanSessions deletes expired sessions every interval until ctx is done: scs does not clean
// a store it does not own.
func (s *Server) CleanSessions(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.store.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("delete expired sessions", "err", err)
			}
		}
	}
}

// today returns the work date of now in the configured zone.
func (s *Server) today() string { return kaoqin.DateOf(s.now(), s.loc) }

// options returns the report options for the scope depts, made now.
func (s *Server) options(depts []int64) report.Options {
	return report.Options{Location: s.loc, Now: s.now(), DeptIDs: depts}
}
