package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/syncer"
	"github.com/kaoqin/kaoqin/web"
)

// engine runs the syncs of kaoqin serve: the schedule, in the one instance that holds the
// store's "scheduler" lock, and "sync now" from the dashboard, through the same path (one
// sync at a time in this process; the syncer's own "sync" lock keeps syncs apart across
// processes). It is the dashboard's web.Syncer. Every run is counted in /metrics.
//
// The schedule, on the application's clock (the simulator's in kaoqin demo):
//   - nightly (default 02:00): the org chart, and every day of the last week that was synced
//     but is not final yet (yesterday, normally), so that closed days are reconciled once;
//   - live: today's pulls, at the moments the syncer's budget planner allows (after shift
//     starts, fewer as the month's quota runs down), or every interval during work hours.
type engine struct {
	s       *syncer.Syncer
	st      engineStore
	metrics *web.Metrics
	log     *slog.Logger
	now     func() time.Time
	loc     *time.Location
	cfg     scheduleConfig

	ctx     context.Context // the server's life: background syncs end with it
	running atomic.Bool
	leader  atomic.Bool
	wg      sync.WaitGroup

	mu        sync.Mutex
	unlock    func()
	lastTick  time.Time // application clock of the last live check
	lastLive  time.Time // application clock of the last live pull
	nextRun   time.Time
	pollsLeft int
	plan      string
}

// engineStore is what the engine reads besides the syncer: the scheduler lock and what was
// synced.
type engineStore interface {
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
	Coverage(ctx context.Context, from, to string) ([]kaoqin.DayCoverage, error)
	Runs(ctx context.Context, limit int) ([]kaoqin.SyncRun, error)
}

// schedulerLock is the store lock whose holder runs the scheduled syncs.
const schedulerLock = "scheduler"

// scheduleConfig says what the schedule does; parseSchedule reads it from the flags.
type scheduleConfig struct {
	Enabled bool
	// Nightly is the time of day of the nightly sync; negative: none.
	Nightly time.Duration
	// LiveEvery is the interval of live pulls during Hours; 0: the budget planner decides;
	// negative: no live pulls.
	LiveEvery  time.Duration
	HoursStart time.Duration
	HoursEnd   time.Duration
	// Tick is how often (real time) the schedule looks at the clock; LockRetry how often an
	// instance that is not the scheduler tries to become it.
	Tick      time.Duration
	LockRetry time.Duration
	// ReconcileDays is how far back the nightly sync looks for days not final.
	ReconcileDays int
}

// parseSchedule reads the schedule flags: nightly "HH:MM" or "off"; live "plan", "off" or a
// duration; hours "HH:MM-HH:MM".
func parseSchedule(enabled bool, nightly, live, hours string) (scheduleConfig, error) {
	cfg := scheduleConfig{Enabled: enabled, Tick: time.Minute, LockRetry: time.Minute, ReconcileDays: 7}
	var err error
	if nightly == "off" {
		cfg.Nightly = -1
	} else if cfg.Nightly, err = clockTime(nightly); err != nil {
		return cfg, kaoqin.Errorf(kaoqin.EINVALID, "bad --sync-nightly %q: want HH:MM such as 02:00, or off", nightly)
	}
	switch live {
	case "plan":
	case "off":
		cfg.LiveEvery = -1
	default:
		d, err := time.ParseDuration(live)
		if err != nil || d < time.Minute {
			return cfg, kaoqin.Errorf(kaoqin.EINVALID, "bad --sync-live %q: want plan, off, or an interval of a minute or more such as 10m", live)
		}
		cfg.LiveEvery = d
	}
	start, end, ok := strings.Cut(hours, "-")
	if ok {
		cfg.HoursStart, err = clockTime(start)
		if err == nil {
			cfg.HoursEnd, err = clockTime(end)
		}
	}
	if !ok || err != nil || cfg.HoursEnd <= cfg.HoursStart {
		return cfg, kaoqin.Errorf(kaoqin.EINVALID, "bad --sync-hours %q: want HH:MM-HH:MM such as 08:00-19:00", hours)
	}
	return cfg, nil
}

// clockTime reads "HH:MM" as a time of day.
func clockTime(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// describe says in words what the schedule does, for the sync page.
func (c scheduleConfig) describe() string {
	if !c.Enabled {
		return "schedule off (--no-schedule): syncs run only when asked"
	}
	var parts []string
	if c.Nightly >= 0 {
		parts = append(parts, fmt.Sprintf("nightly at %s: the org chart and the days of the last %d not final yet", hhmm(c.Nightly), c.ReconcileDays))
	}
	switch {
	case c.LiveEvery < 0:
		parts = append(parts, "no live pulls of today")
	case c.LiveEvery == 0:
		parts = append(parts, "today's live pulls when the month's quota budget allows them (after shift starts)")
	default:
		parts = append(parts, fmt.Sprintf("today's live pulls every %s from %s to %s, within today's share of the month's budget", c.LiveEvery, hhmm(c.HoursStart), hhmm(c.HoursEnd)))
	}
	return strings.Join(parts, "; ")
}

// schedule is describe as values, for the sync page to put in its reader's language.
func (c scheduleConfig) schedule() web.Schedule {
	s := web.Schedule{Enabled: c.Enabled, ReconcileDays: c.ReconcileDays, LiveOff: c.LiveEvery < 0}
	if c.Nightly >= 0 {
		s.Nightly = hhmm(c.Nightly)
	}
	if c.LiveEvery > 0 {
		s.LiveEvery = c.LiveEvery.String()
		s.Hours = hhmm(c.HoursStart) + "-" + hhmm(c.HoursEnd)
	}
	return s
}

func hhmm(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func newEngine(ctx context.Context, s *syncer.Syncer, st engineStore, m *web.Metrics, log *slog.Logger, now func() time.Time, loc *time.Location, cfg scheduleConfig) *engine {
	return &engine{s: s, st: st, metrics: m, log: log, now: now, loc: loc, cfg: cfg, ctx: ctx, pollsLeft: -1, plan: cfg.describe()}
}

// start runs the schedule until ctx is done; stop waits for it and for running syncs.
func (e *engine) start(ctx context.Context) (stop func(), err error) {
	if !e.cfg.Enabled {
		return func() { e.wg.Wait() }, nil
	}
	sch, err := gocron.NewScheduler(gocron.WithLocation(e.loc))
	if err != nil {
		return nil, fmt.Errorf("start the scheduler: %w", err)
	}
	jobs := []struct {
		every time.Duration
		fn    func(context.Context)
		name  string
	}{
		{e.cfg.LockRetry, e.lead, "lead"},
		{e.cfg.Tick, e.tick, "tick"},
	}
	for _, j := range jobs {
		if _, err := sch.NewJob(gocron.DurationJob(j.every), gocron.NewTask(j.fn, ctx), gocron.WithName(j.name),
			gocron.WithSingletonMode(gocron.LimitModeReschedule), gocron.WithStartAt(gocron.WithStartImmediately())); err != nil {
			return nil, fmt.Errorf("schedule %s: %w", j.name, err)
		}
	}
	sch.Start()
	return func() {
		if err := sch.Shutdown(); err != nil {
			e.log.Warn("scheduler shutdown", "err", err)
		}
		e.wg.Wait()
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.unlock != nil {
			e.unlock()
			e.unlock = nil
		}
		e.leader.Store(false)
	}, nil
}

// lead takes the scheduler lock if nobody holds it: one instance of several runs the
// schedule. If the holder dies, the lock goes with it (a file lock, or a PostgreSQL session
// lock) and another instance takes it within LockRetry.
//
// The holder lets go of the lock and takes it again every LockRetry: the store cannot say
// whether a PostgreSQL session lock is still held (its connection may have dropped, and
// another instance may have taken the lock since), and taking it anew answers that. Should
// another instance hold it by then, this one stops running the schedule: two schedulers last
// at most LockRetry, and the syncer's own lock keeps their syncs apart meanwhile.
func (e *engine) lead(ctx context.Context) {
	wasLeader := e.leader.Load()
	e.mu.Lock()
	if e.unlock != nil {
		e.unlock()
		e.unlock = nil
	}
	e.mu.Unlock()
	unlock, ok, err := e.st.TryLock(ctx, schedulerLock)
	if err != nil || !ok {
		e.leader.Store(false)
		if wasLeader {
			e.log.Warn("this instance no longer runs the scheduled syncs: another holds the scheduler lock", "err", err)
		} else if err != nil {
			e.log.Warn("take the scheduler lock", "err", err)
		}
		return
	}
	e.mu.Lock()
	e.unlock = unlock
	if !wasLeader {
		e.lastTick = e.now()
	}
	e.mu.Unlock()
	e.leader.Store(true)
	if !wasLeader {
		e.log.Info("this instance runs the scheduled syncs", "schedule", e.plan)
		e.tick(ctx)
	}
}

// tick looks at the application's clock: the nightly sync once a day after its time, and the
// live pulls that came due since the last tick.
func (e *engine) tick(ctx context.Context) {
	if !e.leader.Load() || ctx.Err() != nil {
		return
	}
	now := e.now()
	e.mu.Lock()
	last := e.lastTick
	e.lastTick = now
	e.mu.Unlock()
	if e.cfg.Nightly >= 0 && timeOfDay(now, e.loc) >= e.cfg.Nightly {
		e.nightly(ctx, now)
	}
	e.live(ctx, last, now)
}

func timeOfDay(t time.Time, loc *time.Location) time.Duration {
	t = t.In(loc)
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second
}

// nightly syncs the org chart and reconciles the days of the last week that were synced
// before they ended, unless a run already did so today. It reads the store to know, so that a
// restart or another instance taking over does not run it twice.
func (e *engine) nightly(ctx context.Context, now time.Time) {
	today := kaoqin.DateOf(now, e.loc)
	yesterday := kaoqin.AddDays(today, -1)
	cov, err := e.st.Coverage(ctx, kaoqin.AddDays(today, -e.cfg.ReconcileDays), yesterday)
	if err != nil {
		e.log.Warn("nightly sync: read coverage", "err", err)
		return
	}
	from := ""
	for _, c := range cov {
		if !c.Closed {
			from = c.Day
			break
		}
	}
	req := syncer.Request{From: from, To: yesterday}
	if from == "" {
		// Nothing to reconcile: the org chart alone, once a day.
		if ran, err := e.ranToday(ctx, today, func(r kaoqin.SyncRun) bool { return r.Kind != syncer.KindLive }); err != nil || ran {
			return
		}
		req = syncer.Request{OrgOnly: true}
	}
	e.do(ctx, "nightly", func(ctx context.Context) (*syncer.Summary, error) { return e.s.Run(ctx, req) })
}

// ranToday reports whether a run that match accepts finished well today.
func (e *engine) ranToday(ctx context.Context, today string, match func(kaoqin.SyncRun) bool) (bool, error) {
	runs, err := e.st.Runs(ctx, 50)
	if err != nil {
		return false, err
	}
	for _, r := range runs {
		if r.Status == kaoqin.RunOK && kaoqin.DateOfMs(r.StartedAt, e.loc) == today && match(r) {
			return true, nil
		}
	}
	return false, nil
}

// live pulls today when a poll came due in (last, now].
func (e *engine) live(ctx context.Context, last, now time.Time) {
	if e.cfg.LiveEvery < 0 {
		return
	}
	due := false
	if e.cfg.LiveEvery > 0 {
		tod := timeOfDay(now, e.loc)
		e.mu.Lock()
		due = tod >= e.cfg.HoursStart && tod < e.cfg.HoursEnd && now.Sub(e.lastLive) >= e.cfg.LiveEvery
		next := e.lastLive.Add(e.cfg.LiveEvery)
		if due {
			next = now.Add(e.cfg.LiveEvery)
		}
		e.nextRun = next
		e.mu.Unlock()
	} else {
		b, err := e.s.Budget(ctx)
		if err != nil {
			e.log.Warn("live pulls: work out the budget", "err", err)
			return
		}
		for _, at := range b.NextPolls(last) {
			if !at.After(now) {
				due = true
			}
		}
		upcoming := b.NextPolls(now)
		e.mu.Lock()
		e.pollsLeft = len(upcoming)
		e.nextRun = time.Time{}
		if len(upcoming) > 0 {
			e.nextRun = upcoming[0]
		}
		if b.Note != "" {
			e.plan = e.cfg.describe() + ". " + b.Note
		}
		e.mu.Unlock()
	}
	if due && e.cfg.LiveEvery > 0 {
		// Polls at an interval still live within the quota plan: today's share of what the
		// month has left after the nightly reconciliations and first pulls it still owes.
		if why := e.overShare(ctx, now); why != "" {
			e.mu.Lock()
			e.lastLive = now
			e.plan = e.cfg.describe() + ". " + why
			e.mu.Unlock()
			e.log.Info("live pull skipped", "why", why)
			return
		}
	}
	if due {
		e.mu.Lock()
		e.lastLive = now
		e.mu.Unlock()
		e.do(ctx, "live", e.s.SyncToday)
	}
}

// overShare says why today's live pulls may not spend more, or "" if they may: their metered
// calls so far have reached today's share of the month's budget (the budget planner's first
// pull and polls of a day).
func (e *engine) overShare(ctx context.Context, now time.Time) string {
	b, err := e.s.Budget(ctx)
	if err != nil {
		e.log.Warn("live pulls: work out the budget", "err", err)
		return "the budget could not be worked out"
	}
	if b.Quota <= 0 {
		return ""
	}
	runs, err := e.st.Runs(ctx, 1000)
	if err != nil {
		e.log.Warn("live pulls: read today's runs", "err", err)
		return "today's runs could not be read"
	}
	today := kaoqin.DateOf(now, e.loc)
	var spent int64
	for _, r := range runs {
		if r.Kind == syncer.KindLive && kaoqin.DateOfMs(r.StartedAt, e.loc) == today {
			spent += r.Metered
		}
	}
	if share := b.FirstPull + b.PerDay; spent >= share {
		return fmt.Sprintf("today's live pulls have spent today's share of the month's budget (%d of %d metered calls): they resume tomorrow", spent, share)
	}
	return ""
}

// do runs one sync in the caller's goroutine unless one is running in this process, and
// counts it in the metrics.
func (e *engine) do(ctx context.Context, why string, sync func(context.Context) (*syncer.Summary, error)) {
	if !e.running.CompareAndSwap(false, true) {
		e.log.Info("sync skipped: another is running in this instance", "why", why)
		return
	}
	e.wg.Add(1)
	defer e.wg.Done()
	defer e.running.Store(false)
	e.run(ctx, why, sync)
}

func (e *engine) run(ctx context.Context, why string, sync func(context.Context) (*syncer.Summary, error)) {
	sum, err := sync(ctx)
	if sum != nil {
		e.metrics.ObserveSyncRun(sum.Run)
	}
	switch {
	case err != nil && sum == nil:
		// Refused before it began (budget, lock, no org chart): no run record, but a count.
		e.metrics.ObserveSyncRun(kaoqin.SyncRun{Kind: why, Status: "refused"})
		e.log.Warn("sync refused", "why", why, "err", kaoqin.ErrorMessage(err), "cause", err)
	case err != nil:
		e.log.Warn("sync failed", "why", why, "run", sum.Run.ID, "err", err)
	default:
		e.log.Info("sync done", "why", why, "run", sum.Run.ID, "kind", sum.Run.Kind, "rows", sum.Run.Rows,
			"calls", sum.Run.Calls, "metered", sum.Run.Metered, "wall", sum.Wall.Round(time.Millisecond))
	}
}

// SyncNow starts a sync of today (the org chart and today's attendance) in the background:
// the dashboard's button. It refuses at once, rather than in the background, what it can
// know now: a sync running in this instance, and a month's budget that cannot pay.
func (e *engine) SyncNow(ctx context.Context, by string) error {
	if !e.running.CompareAndSwap(false, true) {
		return kaoqin.Errorf(kaoqin.ECONFLICT, "A sync is already running: wait for it to finish.")
	}
	if p, err := e.s.Plan(ctx, syncer.Request{}); err != nil {
		e.running.Store(false)
		return err
	} else if p.OrgKnown {
		if err := p.Affordable(); err != nil {
			e.running.Store(false)
			return err
		}
	}
	e.log.Info("sync now", "by", by)
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer e.running.Store(false)
		e.run(e.ctx, "now", func(ctx context.Context) (*syncer.Summary, error) { return e.s.Run(ctx, syncer.Request{}) })
	}()
	return nil
}

// Status tells the sync page what the engine is doing.
func (e *engine) Status(context.Context) web.SyncStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := web.SyncStatus{Running: e.running.Load(), Scheduler: e.leader.Load(), Plan: e.plan, Schedule: e.cfg.schedule(), PollsLeftToday: -1}
	if st.Scheduler {
		st.NextRun, st.PollsLeftToday = e.nextRun, e.pollsLeft
	}
	return st
}

var _ web.Syncer = (*engine)(nil)
