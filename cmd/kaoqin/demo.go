package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/schedule"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
	"github.com/kaoqin/kaoqin/web"
)

// demoCmd runs everything at once with no credentials: the DingTalk simulator in-process on a
// loopback port with a company whose morning unfolds fast, a database in a temporary folder, a
// first sync, and the dashboard with live pulls every few simulated minutes. The whole
// application runs on the simulator's clock, so the board shows the simulated morning.
type demoCmd struct {
	Addr       string        `default:"127.0.0.1:8080" help:"Address of the dashboard."`
	Employees  int           `default:"300" help:"People in the simulated company."`
	Seed       int64         `default:"1" help:"Seed of the simulated company."`
	Start      string        `default:"08:45" placeholder:"HH:MM" help:"The simulated clock at start, on today (or the last workday before it)."`
	Speed      float64       `default:"30" help:"Simulated seconds per real second: at 30, the morning passes in minutes."`
	Days       int           `default:"0" help:"Days of history synced at start; 0: what the dashboard's pages show (last month, the last pay cycle from the 26th, the 30-day charts)."`
	LiveEvery  time.Duration `name:"live-every" default:"10m" help:"Simulated time between live pulls of today, when events do not carry the board."`
	NightShift bool          `name:"night-shift" default:"true" negatable:"" help:"The company has night shifts: its teams (…班) work 22:00-06:00, its hotline a 20:00-08:00 two-shift rotation."`
	Events     bool          `default:"true" negatable:"" help:"Take the company's punches as DingTalk's Stream events, so the board moves as people punch (--no-events: live pulls only)."`

	ready func(d *demoRun) // tests learn the URL, the password, the simulator and the engine here
}

// demoRules are the demo's reminder rules: a work notification to each person 15 minutes after
// their shift starts, the list of who is not in to each department's managers at 09:30, and
// the company's summary to the simulator's group robot at 10:00.
func demoRules(ctx context.Context, g *Globals, db *store.DB, simURL string) error {
	for _, r := range []kaoqin.ReminderRule{
		{Name: "上班提醒", Enabled: true, Channel: kaoqin.ChannelPerson, After: 15, Note: "（演示：这是模拟的钉钉）"},
		{Name: "部门未到名单", Enabled: true, Channel: kaoqin.ChannelDigest, At: "09:30"},
		{Name: "考勤播报", Enabled: true, Channel: kaoqin.ChannelRobot, At: "10:00",
			RobotURL: simURL + "/robot/send?access_token=" + dingtalksim.DefaultRobotToken, RobotSecret: dingtalksim.DefaultRobotSecret},
	} {
		if err := saveRule(ctx, g, db, &r, "demo"); err != nil {
			return fmt.Errorf("the demo's reminder rule %s: %w", r.Name, err)
		}
	}
	return nil
}

// demoRun is what a running demo is made of, for tests.
type demoRun struct {
	URL, User, Password string
	Dir                 string // the temporary folder of the database
	Sim                 *dingtalksim.Server
	Engine              *schedule.Engine
}

// Help is the detailed help of kaoqin demo --help.
func (c *demoCmd) Help() string {
	return "Starts a simulated DingTalk company (its clock starts at --start today and runs --speed times fast), " +
		"syncs its org chart and the last --days days into a database in a temporary folder, creates a demo admin " +
		"account with a random password printed here, and serves the dashboard: the company's punches come as DingTalk's Stream " +
		"events and the board changes as people check in through the simulated morning (--no-events: it pulls today every " +
		"--live-every of simulated time instead). Ctrl-C stops it and " +
		"removes the database. No credentials, no network."
}

func (c *demoCmd) Run(ctx context.Context, g *Globals) error {
	if c.Employees < 10 || c.Employees > 100_000 {
		return usageError{fmt.Errorf("--employees %d: want 10 to 100000", c.Employees)}
	}
	if c.Days < 0 || c.Days > 90 {
		return usageError{fmt.Errorf("--days %d: want 1 to 90, or 0 for what the pages show", c.Days)}
	}
	if c.Speed < 0 {
		return usageError{fmt.Errorf("--speed %v: want 0 or more", c.Speed)}
	}
	start, err := schedule.ClockTime(c.Start)
	if err != nil {
		return usageError{fmt.Errorf("--start %q: want HH:MM such as 08:45", c.Start)}
	}
	loc, err := g.Location()
	if err != nil {
		return err
	}

	// The company and its clock: today at --start, or the last workday before today, so that
	// the board has a morning to show.
	day := kaoqin.DateOf(time.Now(), loc)
	probe := dingtalksim.New(dingtalksim.Config{Seed: c.Seed, Employees: 10, Location: loc})
	for probe.Truth().DayKind(day) != dingtalksim.Workday && probe.Truth().DayKind(day) != dingtalksim.MakeUp {
		day = kaoqin.AddDays(day, -1)
	}
	midnight, _ := kaoqin.DayBounds(day, loc)
	pushQuota := g.PushQuota
	if pushQuota <= 0 {
		pushQuota = -1
	}
	sim := dingtalksim.New(dingtalksim.Config{Seed: c.Seed, Employees: c.Employees, Location: loc,
		Now: midnight.Add(start), Speed: c.Speed, QPS: -1, IPLimit: -1, MonthlyQuota: -1, NightShift: c.NightShift,
		Events: dingtalksim.EventsConfig{PushQuota: pushQuota}})
	log := demoLogger(g, sim.Now, loc)
	simLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start the DingTalk simulator: %w", err)
	}
	simSrv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go simSrv.Serve(simLn)
	defer simSrv.Close()
	evctx, stopEvents := context.WithCancel(ctx)
	defer stopEvents()
	go sim.RunEvents(evctx) // the company's events, made as its clock runs

	dir, err := os.MkdirTemp("", "kaoqin-demo-")
	if err != nil {
		return fmt.Errorf("make the demo's temporary folder: %w", err)
	}
	defer os.RemoveAll(dir)

	// The demo's settings: the simulator's app, a database in the folder, no QPS worries.
	dg := *g
	dg.AppKey, dg.AppSecret = sim.Config().AppKey, sim.Config().AppSecret
	dg.BaseURL = "http://" + simLn.Addr().String()
	dg.APIURL = dg.BaseURL // the Stream gateway too
	dg.DB = filepath.Join(dir, "kaoqin.db")
	dg.QPS = 1000
	dg.AgentID = sim.Config().AgentID
	metrics := web.NewMetrics()
	books := syncer.NewBooks(loc, log)
	client, err := dg.dingtalkClient(callHook(books, metrics))
	if err != nil {
		return err
	}
	// The store keeps real time for what it stamps itself (sessions, accounts): only the
	// attendance runs on the simulated clock.
	db, err := store.Open(ctx, dg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	password := rand.Text()[:16]
	hash, err := web.HashPassword(password)
	if err != nil {
		return err
	}
	if err := db.CreateUser(ctx, &kaoqin.User{Name: "demo", Role: kaoqin.RoleAdmin, PasswordHash: hash}); err != nil {
		return err
	}

	sched := schedule.Config{Enabled: true, Nightly: -1, LiveEvery: c.LiveEvery, HoursEnd: 24 * time.Hour,
		Tick: time.Second, LockRetry: time.Second, ReconcileDays: 7}
	if c.Speed > 0 {
		// A tick every few simulated minutes at most, so that the pulls keep to --live-every.
		sched.Tick = min(time.Second, time.Duration(float64(c.LiveEvery)/c.Speed/4))
		sched.Tick = max(sched.Tick, 100*time.Millisecond)
	}
	sched.RemindTick = 250 * time.Millisecond // reminders within seconds of their simulated moment
	from := demoFrom(day)
	if c.Days > 0 {
		from = kaoqin.AddDays(day, -(c.Days - 1))
	}
	run := &demoRun{User: "demo", Password: password, Sim: sim, Dir: dir}
	ev := eventsSetup{mode: "off", clock: time.Now}
	how := fmt.Sprintf("the board pulls today every %s of it", schedule.EveryWords(c.LiveEvery))
	if c.Events {
		ev.mode = kaoqin.SourceStream
		how = fmt.Sprintf("DingTalk's punch events move the board within seconds (live pulls every %s of it if they stop)", schedule.EveryWords(c.LiveEvery))
	}
	return serve(ctx, &dg, serveSetup{
		db: db, loc: loc, now: sim.Now, log: log, metrics: metrics, books: books, client: client, sched: sched, events: ev,
		addr: c.Addr,
		first: func(ctx context.Context, s *syncer.Syncer) error {
			fmt.Fprintf(g.stdout, "kaoqin demo: %s, %d people; first sync of %s..%s...\n", sim.Config().CompanyName, c.Employees, from, day)
			began := time.Now()
			sum, err := s.Run(ctx, syncer.Request{From: from, To: day})
			if err != nil {
				return fmt.Errorf("the demo's first sync: %w", err)
			}
			metrics.ObserveSyncRun(sum.Run)
			fmt.Fprintf(g.stdout, "synced %d departments, %d people, %d checks in %s (%d DingTalk calls)\n",
				sum.Departments, sum.Employees, sum.CheckRows, time.Since(began).Round(100*time.Millisecond), sum.Run.Calls)
			demoChanges(sim, from, day) // for the reconciliation with DingTalk's report (/reconcile) to find
			return demoRules(ctx, &dg, db, "http://"+simLn.Addr().String())
		},
		listening: func(url string) { run.URL = url },
		banner: func(url string) string {
			return fmt.Sprintf("kaoqin demo on %s\n  log in as demo with password %s\n"+
				"  the company's clock reads %s and runs %vx: people check in as the morning goes on; %s\n"+
				"  reminders go out at 09:15 (each person not in), 09:30 (each department's managers) and 10:00 (a group robot): see %s/reminders;\n"+
				"  what the simulated DingTalk delivered: http://%s/_sim/inbox\n"+
				"  the log below tells the company's time\n"+
				"  Ctrl-C stops the demo and removes its database", url, password, sim.Now().In(loc).Format("2006-01-02 15:04"), c.Speed,
				how, url, simLn.Addr())
		},
		ready: func(e *schedule.Engine) {
			run.Engine = e
			if c.ready != nil {
				c.ready(run)
			}
		},
	})
}

// demoFrom is the first day the demo syncs for day: the earliest day the dashboard's pages show
// by default (the 30-day charts, last month, the last pay cycle from the 26th), so that no page
// of the demo says "not synced".
func demoFrom(day string) string {
	t, _ := time.Parse(kaoqin.DateLayout, day)
	from := t.AddDate(0, 0, -29)
	lastMonth := time.Date(t.Year(), t.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	cycle := time.Date(t.Year(), t.Month(), 26, 0, 0, 0, 0, time.UTC) // the pay cycle holding day...
	if t.Day() < 26 {
		cycle = cycle.AddDate(0, -1, 0)
	}
	cycle = cycle.AddDate(0, -1, 0) // ...and the one before it
	for _, d := range []time.Time{lastMonth, cycle} {
		if d.Before(from) {
			from = d
		}
	}
	return from.Format(kaoqin.DateLayout)
}

// demoLogger is the logger of the demo: everything in it runs on the company's clock, so its
// lines say the company's time, in its zone, like the banner and the pages.
func demoLogger(g *Globals, now func() time.Time, loc *time.Location) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(g.LogLevel))
	w := g.stderr
	if w == nil {
		w = os.Stderr
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 {
			return slog.String("company_time", now().In(loc).Format("2006-01-02 15:04:05"))
		}
		return a
	}}))
}
