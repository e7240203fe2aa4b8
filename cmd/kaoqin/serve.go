package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/notify"
	"github.com/kaoqin/kaoqin/reconcile"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/schedule"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
	"github.com/kaoqin/kaoqin/web"
)

// serveCmd serves the dashboard and the JSON API, and runs the scheduled syncs.
type serveCmd struct {
	Addr           string        `env:"KAOQIN_ADDR" default:"127.0.0.1:8080" help:"Address to listen on."`
	MetricsToken   string        `name:"metrics-token" env:"KAOQIN_METRICS_TOKEN" placeholder:"TOKEN" help:"Lets a Prometheus scraper read /metrics with Authorization: Bearer TOKEN (admins can always read it)."`
	TrustedProxies []string      `name:"trusted-proxy" env:"KAOQIN_TRUSTED_PROXIES" sep:"," placeholder:"CIDR" help:"Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (repeatable, or comma-separated), e.g. 127.0.0.1/32."`
	Schedule       bool          `env:"KAOQIN_SCHEDULE" default:"true" negatable:"" help:"Run the scheduled syncs (only the instance holding the store's scheduler lock does)."`
	SyncNightly    string        `name:"sync-nightly" env:"KAOQIN_SYNC_NIGHTLY" default:"02:00" placeholder:"HH:MM" help:"Time of the nightly sync (the org chart, and the days of the last week not final yet), or off."`
	SyncLive       string        `name:"sync-live" env:"KAOQIN_SYNC_LIVE" default:"10m" help:"Today's live pulls: an interval during --sync-hours, within today's share of the month's quota budget; plan (fewer pulls, at the moments the budget planner picks around shift starts); or off."`
	SyncLeaveTypes bool          `name:"sync-leave-types" env:"KAOQIN_SYNC_LEAVE_TYPES" default:"true" negatable:"" help:"After the nightly sync, pull leave by type (年假, 事假...) for the people on leave, as the month's budget allows."`
	SyncHours      string        `name:"sync-hours" env:"KAOQIN_SYNC_HOURS" default:"08:00-19:00" placeholder:"HH:MM-HH:MM" help:"Work hours of interval live pulls; 00:00-24:00 for all day (night shifts)."`
	LockRetry      time.Duration `name:"schedule-lock-retry" env:"KAOQIN_SCHEDULE_LOCK_RETRY" default:"15s" help:"How often an instance that does not run the schedule tries to take it over (another instance runs the schedule within this of the holder's death), and the one that does checks it still holds the lock."`
	Tick           time.Duration `name:"schedule-tick" env:"KAOQIN_SCHEDULE_TICK" default:"1m" hidden:"" help:"How often the schedule looks at the clock (tests shorten it)."`
	TLSCert        string        `name:"tls-cert" env:"KAOQIN_TLS_CERT" placeholder:"FILE" help:"Serve HTTPS with this certificate (PEM, the chain after the leaf); with --tls-key."`
	TLSKey         string        `name:"tls-key" env:"KAOQIN_TLS_KEY" placeholder:"FILE" help:"The certificate's private key (PEM)."`
	Events         string        `name:"events" env:"KAOQIN_EVENTS" enum:",stream,http,off" default:"" placeholder:"MODE" help:"How DingTalk's events come: stream (a WebSocket kaoqin opens, no public URL), http (DingTalk pushes to POST /dingtalk/events), or off; default stream when credentials are set."`
	EventsToken    string        `name:"events-token" env:"KAOQIN_EVENTS_TOKEN" placeholder:"TOKEN" help:"HTTP push: the token of the developer console's event subscription."`
	EventsAESKey   string        `name:"events-aes-key" env:"KAOQIN_EVENTS_AES_KEY" placeholder:"KEY" help:"HTTP push: its 43-character aes_key. Never printed."`
	EventsLease    time.Duration `name:"events-lease" env:"KAOQIN_EVENTS_LEASE" default:"30s" hidden:"" help:"How long a received event is its receiver's before another instance may handle it (tests shorten it)."`

	listening func(url string) // tests learn the address here
}

// Help is the detailed help of kaoqin serve --help.
func (c *serveCmd) Help() string {
	return "Serves the dashboard (今日 board, departments, employees, period report with CSV/XLSX, sync page, audit log) " +
		"and the JSON API under /api/v1/ (described at /api/v1/openapi.json). Every page needs an account: " +
		"create the first with kaoqin user add NAME --role admin. /healthz needs none; /metrics needs an admin " +
		"session or --metrics-token. With DingTalk credentials it also runs the scheduled syncs and the sync page's " +
		"button; without them it serves what the database holds."
}

// minMetricsToken is the shortest KAOQIN_METRICS_TOKEN serve accepts: /metrics does not slow
// down wrong tokens, so the token must be too long to guess.
const minMetricsToken = 16

func (c *serveCmd) Run(ctx context.Context, g *Globals) error {
	sched, err := schedule.Parse(c.Schedule, c.SyncNightly, c.SyncLive, c.SyncHours)
	if err != nil {
		return err
	}
	sched.LeaveTypes = c.SyncLeaveTypes
	for _, d := range []struct {
		flag string
		v    time.Duration
		to   *time.Duration
	}{{"--schedule-lock-retry", c.LockRetry, &sched.LockRetry}, {"--schedule-tick", c.Tick, &sched.Tick}} {
		switch {
		case d.v < 0 || d.v > 0 && d.v < 100*time.Millisecond:
			return kaoqin.Errorf(kaoqin.EINVALID, "bad %s %s: want 100ms or more, such as 15s", d.flag, d.v)
		case d.v > 0:
			*d.to = d.v
		}
	}
	if n := utf8.RuneCountInString(c.MetricsToken); n > 0 && n < minMetricsToken {
		return kaoqin.Errorf(kaoqin.EINVALID, "KAOQIN_METRICS_TOKEN is %d characters: use at least %d random ones (openssl rand -hex 32): "+
			"whoever guesses it reads /metrics", n, minMetricsToken)
	}
	proxies, err := parseProxies(c.TrustedProxies)
	if err != nil {
		return err
	}
	tlsConfig, err := loadTLS(c.TLSCert, c.TLSKey)
	if err != nil {
		return err
	}
	loc, err := g.Location()
	if err != nil {
		return err
	}
	log := g.logger()
	metrics := web.NewMetrics()
	books := syncer.NewBooks(loc, log)
	var client *dingtalk.Client
	if g.AppKey != "" || g.AppSecret != "" {
		if client, err = g.dingtalkClient(callHook(books, metrics)); err != nil {
			return err
		}
	} else {
		log.Warn("no DingTalk credentials (KAOQIN_DINGTALK_APP_KEY, KAOQIN_DINGTALK_APP_SECRET): serving what the database holds; no syncs")
	}
	ev, err := c.eventsConfig(g, client != nil)
	if err != nil {
		return err
	}
	db, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	return serve(ctx, g, serveSetup{
		db: db, loc: loc, now: time.Now, log: log, metrics: metrics, books: books, client: client, sched: sched, events: ev,
		addr: c.Addr, tls: tlsConfig, token: c.MetricsToken, proxies: proxies, listening: c.listening,
		banner: func(url string) string { return "kaoqin serving on " + url + "; Ctrl-C stops it" },
	})
}

// serveSetup is what serve needs; kaoqin serve and kaoqin demo fill it differently.
type serveSetup struct {
	db        *store.DB
	loc       *time.Location
	now       func() time.Time // the application's clock (the simulator's in the demo)
	log       *slog.Logger
	metrics   *web.Metrics
	books     *syncer.Books
	client    *dingtalk.Client // nil: no syncs
	sched     schedule.Config
	events    eventsSetup
	addr      string
	tls       *tls.Config // nil: plain HTTP (loopback, or TLS ended by a proxy)
	token     string
	proxies   []netip.Prefix
	listening func(url string)
	banner    func(url string) string
	// ready, if set, is called with the engine (nil without a client) once serving.
	ready func(e *schedule.Engine)
	// first, if set, runs before serving, with the syncer (the demo's first sync).
	first func(ctx context.Context, s *syncer.Syncer) error
}

// reminders builds the notifier that the scheduler lock's holder ticks: work notifications go
// through a client of their own that never retries by itself (the notifier retries, and must
// know which attempt went out), robot messages through the same books.
func (c serveSetup) reminders(g *Globals, s *syncer.Syncer, eng func() *schedule.Engine) (*notify.Notifier, error) {
	sender, err := g.dingtalkClient(callHook(c.books, c.metrics), dingtalk.WithRetry(dingtalk.RetryPolicy{}))
	if err != nil {
		return nil, err
	}
	return notify.New(notify.Options{
		Store: c.db, Client: sender, AgentID: g.AgentID, Location: c.loc, Now: c.now, Logger: c.log,
		// A sender that died mid-call is another instance that lost the scheduler lock: its
		// claims are stale once the lock has had time to change hands. Sending again early is
		// safe (the same content, or msgUuid, is dropped by DingTalk), only a call more.
		Lease:        2 * c.sched.LockRetry,
		RobotOptions: []dingtalk.Option{dingtalk.WithCallHook(callHook(c.books, c.metrics)), dingtalk.WithLogger(c.log)},
		Refresh:      func(ctx context.Context) error { return eng().RefreshToday(ctx) },
		EventsLive:   func() bool { return eng().EventsLive() },
		Budget:       s.AllowNotifications,
		PushBudget:   pushBudget(c.db, g.PushQuota, c.now, c.loc),
	})
}

// pushBudget is the notifier's PushBudget: a robot may post pushes more messages unless the
// month's Webhook & Stream pushes (events and robot messages, the push ledger) would pass quota
// (0: no limit).
func pushBudget(db *store.DB, quota int, now func() time.Time, loc *time.Location) func(ctx context.Context, pushes int) error {
	return func(ctx context.Context, pushes int) error {
		if quota <= 0 {
			return nil
		}
		l, err := db.Ledger(ctx, kaoqin.MonthOf(now(), loc))
		if err != nil {
			return err
		}
		if l.Pushes+int64(pushes) > int64(quota) {
			return kaoqin.Errorf(kaoqin.EQUOTA, "the month's %d Webhook & Stream pushes are spent (%d): no robot messages until next month (raise KAOQIN_DINGTALK_PUSH_QUOTA if the org bought more)", quota, l.Pushes)
		}
		return nil
	}
}

// callHook is the DingTalk client's call hook: the syncer's books, and the metrics. A call
// DingTalk answered has an errcode (0 on success); one without (a network error, a gateway's
// HTML page, a timeout) is counted under errcode "none".
func callHook(books *syncer.Books, m *web.Metrics) func(dingtalk.CallInfo) {
	return func(ci dingtalk.CallInfo) {
		books.Hook(ci)
		answered := ci.Err == nil || ci.Errcode != 0
		m.ObserveCall(ci.Path, ci.Errcode, answered, ci.Metered && !ci.Throttled, ci.Duration)
	}
}

// serve runs the dashboard until ctx is done, then shuts down gracefully.
func serve(ctx context.Context, g *Globals, c serveSetup) error {
	users, err := c.db.Users(ctx)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		return kaoqin.Errorf(kaoqin.EINVALID, "no accounts yet: create one with kaoqin user add NAME --role admin")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	cfg := web.Config{
		Store: c.db, Location: c.loc, Now: c.now, Logger: c.log, MonthlyQuota: g.MonthlyQuota.limit(), PushQuota: g.PushQuota,
		Metrics: c.metrics, MetricsToken: c.token, TrustedProxies: c.proxies,
		Ping:   func(ctx context.Context) error { _, err := c.db.SchemaVersion(ctx); return err },
		Review: report.ReviewOptions{FarFromBase: g.FarFromBase, SameMinuteDays: g.SameMinuteDays},
	}
	var eng *schedule.Engine
	if c.client != nil {
		late, age := g.finality()
		s, err := syncer.New(syncer.Config{Client: c.client, Store: c.db, Books: c.books, Location: c.loc, Now: c.now,
			Logger: c.log, MonthlyQuota: int64(g.MonthlyQuota.limit()), NoPunches: !g.Punches, NoPlans: !g.Plans, OpUserID: g.OpUserID,
			LateWindow: late, LastPullAge: age})
		if err != nil {
			return err
		}
		opts := schedule.Options{Syncer: s, Store: c.db, Metrics: c.metrics, Logger: c.log, Now: c.now, Location: c.loc, Config: c.sched}
		if g.AgentID != 0 {
			n, err := c.reminders(g, s, func() *schedule.Engine { return eng })
			if err != nil {
				return err
			}
			opts.Reminders = n
			cfg.Reminders, cfg.RemindersSend = n, true
		} else {
			c.log.Info("no KAOQIN_DINGTALK_AGENT_ID: reminder rules can be edited and previewed, but none are sent")
		}
		if c.events.mode != "" && c.events.mode != "off" {
			intake, err := c.events.start(ctx, g, c, s)
			if err != nil {
				return err
			}
			if c.events.mode == kaoqin.SourceHTTP {
				cfg.Events = intake.handler
			}
			opts.Events, opts.EventsMode = intake.carrier, c.events.mode
			defer func() { cancel(); intake.wait() }()
		}
		eng = schedule.New(ctx, opts)
		rc, err := reconcile.New(reconcile.Config{Syncer: s, Store: c.db, Location: c.loc, Now: c.now, Logger: c.log, Base: ctx})
		if err != nil {
			return err
		}
		cfg.Reconciler = rc
		// Of several instances exactly one should say 1: the sum is what to alert on.
		c.metrics.Registry().MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kaoqin_scheduler_leader", Help: "1 when this instance holds the scheduler lock and runs the scheduled syncs, else 0.",
		}, func() float64 {
			if eng.Status(ctx).Scheduler {
				return 1
			}
			return 0
		}))
		cfg.Syncer = eng // only when there is one: a nil *Engine in the interface would not be nil
		cfg.Fetcher = s
		if c.first != nil {
			if err := c.first(ctx, s); err != nil {
				return err
			}
		}
	}
	cfg.RobotHosts = g.robotHosts()
	if cfg.Reminders == nil {
		// The reminders page still shows the rules and what they would send.
		if cfg.Reminders, err = notify.New(notify.Options{Store: c.db, Location: c.loc, Now: c.now, Logger: c.log}); err != nil {
			return err
		}
	}
	srv, err := web.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return listenError(c.addr, err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      5 * time.Minute, // a year's XLSX of a big company takes a while
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(c.log.Handler(), slog.LevelWarn),
		TLSConfig:         c.tls,
	}
	url := "http://" + ln.Addr().String()
	errc := make(chan error, 1)
	if c.tls != nil {
		url = "https://" + ln.Addr().String()
		go func() { errc <- hs.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- hs.Serve(ln) }()
	}
	go srv.CleanSessions(ctx, time.Hour)
	stopSchedule := func() {}
	if eng != nil {
		if stopSchedule, err = eng.Start(ctx); err != nil {
			hs.Close()
			return err
		}
	}
	fmt.Fprintln(g.stdout, c.banner(url))
	if c.listening != nil {
		c.listening(url)
	}
	if c.ready != nil {
		c.ready(eng)
	}

	select {
	case err = <-errc:
		err = fmt.Errorf("the web server stopped: %w", err)
	case <-ctx.Done():
		err = nil
	}
	c.log.Info("shutting down")
	shutdown, cancelShutdown := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelShutdown()
	if serr := hs.Shutdown(shutdown); serr != nil && !errors.Is(serr, context.DeadlineExceeded) && err == nil {
		err = fmt.Errorf("web server shutdown: %w", serr)
	}
	cancel() // a sync in progress stops between chunks; each chunk is saved whole or not at all
	stopSchedule()
	return err
}

// listenError says why the address cannot be served, in one line.
func listenError(addr string, err error) error {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return kaoqin.Errorf(kaoqin.EUNAVAILABLE, "cannot listen on %s: the address is in use (another kaoqin?); choose another with --addr or KAOQIN_ADDR", addr)
	case errors.Is(err, syscall.EACCES):
		return kaoqin.Errorf(kaoqin.EUNAVAILABLE, "cannot listen on %s: permission denied (ports below 1024 need privileges); choose another with --addr or KAOQIN_ADDR", addr)
	}
	return kaoqin.Errorf(kaoqin.EUNAVAILABLE, "cannot listen on %s: %v; check --addr or KAOQIN_ADDR", addr, err)
}

// parseProxies reads --trusted-proxy: CIDRs or single addresses.
func parseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, kaoqin.Errorf(kaoqin.EINVALID, "bad --trusted-proxy %q: want an address or a CIDR such as 10.0.0.0/8", s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// loadTLS loads the certificate and key of --tls-cert and --tls-key, before anything listens,
// so that a wrong file is one clear line and not a server that fails every handshake.
func loadTLS(cert, key string) (*tls.Config, error) {
	switch {
	case cert == "" && key == "":
		return nil, nil
	case cert == "" || key == "":
		return nil, kaoqin.Errorf(kaoqin.EINVALID, "HTTPS needs both --tls-cert and --tls-key (KAOQIN_TLS_CERT, KAOQIN_TLS_KEY)")
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, kaoqin.Errorf(kaoqin.EINVALID, "cannot use --tls-cert %s with --tls-key %s: %v", cert, key, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}
