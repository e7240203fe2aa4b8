// Package schedule runs kaoqin serve's syncs on the application's clock: the nightly
// reconciliation and today's live pulls, in the one instance that holds the store's
// "scheduler" lock, and "sync now" from the dashboard through the same path.
package schedule

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/events"
	"github.com/kaoqin/kaoqin/syncer"
	"github.com/kaoqin/kaoqin/web"
)

// Engine runs the syncs of kaoqin serve: the schedule, in the one instance that holds the
// store's "scheduler" lock, and "sync now" from the dashboard, through the same path (one
// sync at a time in this process; the syncer's own "sync" lock keeps syncs apart across
// processes). It is the dashboard's web.Syncer. Every run is counted in /metrics.
//
// The schedule, on the application's clock (the simulator's in kaoqin demo):
//   - nightly (default 02:00), once a day: the org chart, and every day of the last week that
//     was synced but is not final yet (yesterday, normally), so that closed days are
//     reconciled once, and the final days whose last pull is due (syncer.Config.LastPullAge);
//   - close-outs: a day pulled while its night shift was at work is final once that shift is
//     over; then its people still open are pulled again, at the first tick after;
//   - refetch: the people's days DingTalk's events said changed after they were pulled, at
//     the first tick after the event once the day has closed (syncer.RefetchMarked);
//   - live: today's pulls, at the moments the syncer's budget planner allows (after shift
//     starts, fewer as the month's quota runs down), or every interval during work hours.
type Engine struct {
	s       *syncer.Syncer
	st      Store
	metrics *web.Metrics
	log     *slog.Logger
	now     func() time.Time
	loc     *time.Location
	cfg     Config
	rem     Reminders // nil: no reminders

	ctx     context.Context // the server's life: background syncs end with it
	running atomic.Bool
	leader  atomic.Bool
	wg      sync.WaitGroup
	ticking sync.Mutex // one Tick at a time: Lead ticks too, beside the tick job

	carrier    func(ctx context.Context) (events.Carrier, error)
	eventsMode string

	mu        sync.Mutex
	paused    bool      // live pulls wait: events carry the board
	lastMark  time.Time // application clock when punch pulls were last recorded for the events
	unlock    func()
	lastTick  time.Time // application clock of the last tick
	nextLive  time.Time // application clock when the next interval pull is due; zero: at once
	nextRun   time.Time
	pollsLeft int
	plan      string

	remindWarned time.Time // real time of the last warning of the reminders
}

// Store is what the engine reads besides the syncer: the scheduler lock and what was synced.
type Store interface {
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
	// Held reports whether this store still holds the lock: a PostgreSQL session lock is lost
	// with its connection.
	Held(ctx context.Context, name string) (bool, error)
	Coverage(ctx context.Context, from, to string) ([]kaoqin.DayCoverage, error)
	Runs(ctx context.Context, limit int) ([]kaoqin.SyncRun, error)
}

// schedulerLock is the store lock whose holder runs the scheduled syncs.
const schedulerLock = "scheduler"

// Options is what New needs.
type Options struct {
	Syncer  *syncer.Syncer
	Store   Store
	Metrics *web.Metrics
	Logger  *slog.Logger
	// Now is the application's clock (the simulator's in kaoqin demo).
	Now      func() time.Time
	Location *time.Location
	Config   Config
	// Reminders, if set, are ticked every Config.RemindTick by the scheduler lock's holder.
	Reminders Reminders
	// Events, if set, says which source carries the live board (package events): while
	// DingTalk's events do, live pulls stop, but for the day's first pull, which learns who is
	// due today. EventsMode is KAOQIN_EVENTS, for the sync page.
	Events     func(ctx context.Context) (events.Carrier, error)
	EventsMode string
}

// New returns an engine whose background syncs ("sync now") live as long as ctx.
func New(ctx context.Context, o Options) *Engine {
	return &Engine{s: o.Syncer, st: o.Store, metrics: o.Metrics, log: o.Logger, now: o.Now, loc: o.Location, cfg: o.Config,
		rem: o.Reminders, ctx: ctx, pollsLeft: -1, plan: o.Config.Describe(), carrier: o.Events, eventsMode: o.EventsMode}
}

// Start runs the schedule until ctx is done; stop waits for it and for running syncs.
func (e *Engine) Start(ctx context.Context) (stop func(), err error) {
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
		{e.cfg.LockRetry, e.Lead, "lead"},
		{e.cfg.Tick, e.Tick, "tick"},
	}
	if e.rem != nil {
		jobs = append(jobs, struct {
			every time.Duration
			fn    func(context.Context)
			name  string
		}{cmp.Or(e.cfg.RemindTick, DefaultRemindTick), e.remind, "remind"})
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

// Lead takes the scheduler lock if nobody holds it: one instance of several runs the
// schedule. If the holder dies, the lock goes with it (a file lock, or a PostgreSQL session
// lock: the server ends a dead instance's session) and another instance takes it within
// LockRetry.
//
// The holder keeps the lock, and checks every LockRetry that it still holds it: a PostgreSQL
// session lock is lost with its connection (a restarted server, a cut network), and another
// instance may take it then. The holder that finds it lost stops running the schedule, and
// tries to take the lock again like any other instance. (Letting go and taking the lock anew
// would answer the same question, but another instance could take it in between: the
// schedule would move between instances for nothing.)
func (e *Engine) Lead(ctx context.Context) {
	if e.leader.Load() {
		held, err := e.st.Held(ctx, schedulerLock)
		if err != nil || held {
			return // still the scheduler (err: ctx ended, the server is stopping)
		}
		e.mu.Lock()
		if e.unlock != nil {
			e.unlock()
			e.unlock = nil
		}
		e.mu.Unlock()
		e.leader.Store(false)
		e.log.Warn("this instance no longer runs the scheduled syncs: its hold on the scheduler lock was lost")
	}
	unlock, ok, err := e.st.TryLock(ctx, schedulerLock)
	if err != nil || !ok {
		if err != nil {
			e.log.Warn("take the scheduler lock", "err", err)
		}
		return
	}
	e.mu.Lock()
	e.unlock = unlock
	e.lastTick = e.now()
	e.mu.Unlock()
	e.leader.Store(true)
	e.log.Info("this instance runs the scheduled syncs", "schedule", e.plan)
	e.Tick(ctx)
}

// Tick looks at the application's clock: the nightly sync once a day after its time, a
// close-out as soon as a day's night shift is over, the days events said changed, and the
// live pulls that came due since the last tick.
//
// A tick that comes while another runs (Lead's, or the tick job's) is skipped: the next covers
// its time. Two at once would race (one reads that a sync is due while the other runs it).
func (e *Engine) Tick(ctx context.Context) {
	if !e.leader.Load() || ctx.Err() != nil {
		return
	}
	if !e.ticking.TryLock() {
		return
	}
	defer e.ticking.Unlock()
	now := e.now()
	e.mu.Lock()
	last := e.lastTick
	e.lastTick = now
	e.mu.Unlock()
	if e.cfg.Nightly >= 0 && timeOfDay(now, e.loc) >= e.cfg.Nightly {
		e.nightly(ctx, now)
		if e.cfg.LeaveTypes {
			e.leaveTypes(ctx, now) // leavetypes.go
		}
	}
	e.closeOut(ctx, now)
	e.refetch(ctx)
	e.live(ctx, last, now)
}

// window returns the days the scheduled syncs look after: from ReconcileDays (or the last
// pull's age, if more) before today, through yesterday.
func (e *Engine) window(now time.Time) (from, to string) {
	today := kaoqin.DateOf(now, e.loc)
	return kaoqin.AddDays(today, -max(e.cfg.ReconcileDays, e.s.LastPullAge())), kaoqin.AddDays(today, -1)
}

// nightly syncs the org chart and reconciles the days of the window that need it (pulled
// before they ended or closed, or final with their last pull due: syncer.Due), once a day. It
// reads the store to know, so that a restart or another instance taking over does not run it
// twice. A day whose night shift is still at work is pulled and left open: a close-out
// finishes it once the shift is over.
func (e *Engine) nightly(ctx context.Context, now time.Time) {
	today := kaoqin.DateOf(now, e.loc)
	start, _ := kaoqin.DayBounds(today, e.loc)
	nightlyAt := start.Add(e.cfg.Nightly).UnixMilli()
	// Today's nightly run: the org chart, with the days up to yesterday (or today) or alone.
	nightlyRun := func(r kaoqin.SyncRun) bool {
		return r.StartedAt >= nightlyAt && (r.Kind == syncer.KindOrg || (r.Kind == syncer.KindFull && r.From < today))
	}
	if ran, err := e.ranToday(ctx, today, nightlyRun); err != nil || ran {
		if err != nil {
			e.log.Warn("nightly sync: read today's runs", "err", err)
		}
		return
	}
	from, to := e.window(now)
	due, err := e.s.Due(ctx, from, to)
	if err != nil {
		e.log.Warn("nightly sync: what the days need", "err", err)
		return
	}
	req := syncer.Request{OrgOnly: true} // nothing to reconcile: the org chart alone
	if first := due.First(); first != "" {
		req = syncer.Request{From: first, To: to}
		// Yesterday's night shift is at work: today's first pull comes with it, in the same
		// calls, so that the board of the small hours has today and shows that shift.
		if cov, err := e.st.Coverage(ctx, to, to); err == nil && len(cov) == 1 && cov[0].LastCheckAt >= start.UnixMilli() {
			req.To = today
		}
	}
	e.do(ctx, "nightly", func(ctx context.Context) (*syncer.Summary, error) {
		// Ticks may overlap (the lead job ticks when it takes the lock): another may have run
		// it since this one looked.
		if ran, err := e.ranToday(ctx, today, nightlyRun); err != nil || ran {
			return nil, err
		}
		return e.s.Run(ctx, req)
	})
}

// refetch pulls again, at once, the people's days that DingTalk's events said changed after
// they were pulled (an administrator's edit, a make-up punch approved): those of closed days;
// the others wait for their day's reconciliation (syncer.RefetchMarked). A tick with no mark
// costs one read of the marks.
func (e *Engine) refetch(ctx context.Context) {
	if e.running.Load() {
		return // the next tick
	}
	e.do(ctx, "refetch", e.s.RefetchMarked)
}

// closeOut pulls, as soon as a day of the window has closed, the people whose shift was still
// at work when it was pulled (a night shift's): the day is final then. It runs on every tick
// that finds one, the nightly sync having pulled the day whole before.
func (e *Engine) closeOut(ctx context.Context, now time.Time) {
	from, to := e.window(now)
	due, err := e.s.Due(ctx, from, to)
	if err != nil {
		e.log.Warn("close-out: what the days need", "err", err)
		return
	}
	if len(due.Closing) == 0 {
		return
	}
	req := syncer.Request{From: due.Closing[0], To: due.Closing[len(due.Closing)-1], NoOrg: true}
	e.do(ctx, "close-out", func(ctx context.Context) (*syncer.Summary, error) { return e.s.Run(ctx, req) })
}

// ranToday reports whether a run that match accepts finished well today.
func (e *Engine) ranToday(ctx context.Context, today string, match func(kaoqin.SyncRun) bool) (bool, error) {
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
func (e *Engine) live(ctx context.Context, last, now time.Time) {
	if e.cfg.LiveEvery < 0 {
		return
	}
	if e.eventsCarry(ctx, now) {
		return
	}
	due := false
	if e.cfg.LiveEvery > 0 {
		tod := timeOfDay(now, e.loc)
		e.mu.Lock()
		// Pulls are due every LiveEvery from when the last was due, not from when it ran, and
		// at the tick nearest to that moment: ticks come every Tick of real time, a little
		// early or late, and waiting for the first tick after the moment made every interval a
		// tick longer (1m ran every 2 minutes, 10m every 11).
		slack := min(now.Sub(last), e.cfg.LiveEvery) / 2
		if tod >= e.cfg.HoursStart && tod < e.cfg.HoursEnd && !now.Before(e.nextLive.Add(-slack)) {
			due = true
			e.nextLive = e.nextLive.Add(e.cfg.LiveEvery)
			if !e.nextLive.After(now) {
				// The first pull, or a whole interval missed (the night, a long pull, a
				// paused clock): count from now.
				e.nextLive = now.Add(e.cfg.LiveEvery)
			}
		}
		e.nextRun = e.nextLive
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
			e.plan = e.cfg.Describe() + ". " + b.Note
		}
		e.mu.Unlock()
	}
	if due && e.cfg.LiveEvery > 0 {
		// Polls at an interval still live within the quota plan: today's share of what the
		// month has left after the nightly reconciliations and first pulls it still owes.
		if why := e.overShare(ctx, now); why != "" {
			e.mu.Lock()
			e.plan = e.cfg.Describe() + ". " + why
			e.mu.Unlock()
			e.log.Info("live pull skipped", "why", why)
			return
		}
	}
	if due {
		e.do(ctx, "live", e.s.SyncToday)
	}
}

// eventsCarry reports whether DingTalk's events carry the board, so that no live pull is
// due: the day's first pull has run (it learns who is due today), and the events flow. When
// they stop (the connection down for minutes, the push budget spent) the pulls resume at
// once: the interval's next pull was due while they carried the board.
func (e *Engine) eventsCarry(ctx context.Context, now time.Time) bool {
	if e.carrier == nil {
		return false
	}
	c, err := e.carrier(ctx)
	if err != nil {
		e.log.Warn("live pulls: which source carries the board", "err", err)
		return false
	}
	if !c.Events {
		e.mu.Lock()
		if e.paused {
			e.paused = false
			e.plan = e.cfg.Describe()
			e.log.Info("live pulls resume: events no longer carry the board", "why", c.Why)
		}
		e.mu.Unlock()
		return false
	}
	today := kaoqin.DateOf(now, e.loc)
	if cov, err := e.st.Coverage(ctx, today, today); err != nil || len(cov) == 0 {
		return false // the day's first pull is still to come
	}
	e.mu.Lock()
	if !e.paused {
		e.paused = true
		e.log.Info("live pulls pause: DingTalk's events carry the board")
	}
	e.plan = e.cfg.Describe() + ". Live pulls pause while DingTalk's events carry the board"
	e.nextRun = time.Time{}
	mark := c.Connected && now.Sub(e.lastMark) >= time.Minute
	if mark {
		e.lastMark = now
	}
	e.mu.Unlock()
	if mark {
		// Every punch until a moment ago has come (a push may wait a minute: DingTalk pushes
		// a person at most once a minute): a check-in due by then without one was missed.
		if err := e.s.MarkPunchesKnown(ctx, now.Add(-punchEventLag)); err != nil {
			e.log.Warn("live pulls: record that punch events flow", "err", err)
		}
	}
	return true
}

// punchEventLag is how late a punch event may come after the punch.
const punchEventLag = 2 * time.Minute

// overShare says why today's live pulls may not spend more, or "" if they may: their metered
// calls so far have reached today's share of the month's budget (the budget planner's first
// pull and polls of a day).
func (e *Engine) overShare(ctx context.Context, now time.Time) string {
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
func (e *Engine) do(ctx context.Context, why string, sync func(context.Context) (*syncer.Summary, error)) {
	if !e.running.CompareAndSwap(false, true) {
		e.log.Info("sync skipped: another is running in this instance", "why", why)
		return
	}
	e.wg.Add(1)
	defer e.wg.Done()
	defer e.running.Store(false)
	e.run(ctx, why, sync)
}

func (e *Engine) run(ctx context.Context, why string, sync func(context.Context) (*syncer.Summary, error)) {
	sum, err := sync(ctx)
	if sum != nil {
		e.metrics.ObserveSyncRun(sum.Run)
	}
	switch {
	case err == nil && sum == nil:
		// Nothing to do (a refetch without a mark due).
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
func (e *Engine) SyncNow(ctx context.Context, by string) error {
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
func (e *Engine) Status(ctx context.Context) web.SyncStatus {
	e.mu.Lock()
	st := web.SyncStatus{Running: e.running.Load(), Scheduler: e.leader.Load(), Plan: e.plan, Schedule: e.cfg.Schedule(), PollsLeftToday: -1}
	if st.Scheduler {
		st.NextRun, st.PollsLeftToday = e.nextRun, e.pollsLeft
	}
	e.mu.Unlock()
	if e.carrier == nil {
		return st
	}
	c, err := e.carrier(ctx)
	if err != nil {
		e.log.Warn("sync status: which source carries the board", "err", err)
		return st
	}
	st.Events = &web.EventsStatus{Mode: e.eventsMode, Carried: c.Events, Why: c.Why, Pushes: c.Pushes, PushQuota: c.PushQuota}
	if c.LastEventAt > 0 {
		st.Events.LastEventAt = time.UnixMilli(c.LastEventAt)
	}
	if c.DownSince > 0 {
		st.Events.DownSince = time.UnixMilli(c.DownSince)
	}
	return st
}

var _ web.Syncer = (*Engine)(nil)
