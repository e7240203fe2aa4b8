package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

// Store is what a sync needs of the database: the org chart, attendance, the books of syncs,
// and a lock that keeps two syncs from running at once. Package store implements it.
type Store interface {
	kaoqin.OrgStore
	kaoqin.AttendanceStore
	kaoqin.SyncStore
	kaoqin.LeaveTimeStore
	// TryLock takes a named lock without waiting; ok is false if someone else holds it.
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
}

// LockName is the store lock every sync holds while it runs: the CLI's, the scheduled ones and
// the live polls of kaoqin serve.
const LockName = "sync"

// DefaultConcurrency is how many chunks are fetched at once. The client's limiter keeps each
// API path under its calls per second whatever the number; a few chunks in flight keep the
// limiter busy while answers travel and the database writes.
const DefaultConcurrency = 8

// Config is what a Syncer works with.
type Config struct {
	// Client calls DingTalk. Without it the Syncer can only Plan (kaoqin sync --dry-run).
	Client *dingtalk.Client
	Store  Store // required
	// Books must be the books whose Hook the client calls (WithCallHook): the quota is kept
	// with them. Required with a Client.
	Books        *Books
	Location     *time.Location   // work dates and the quota's months; default the client's (required without one)
	Now          func() time.Time // default time.Now
	Logger       *slog.Logger     // default discards
	MonthlyQuota int64            // metered calls a calendar month; 0 or less: no limit
	Concurrency  int              // chunks fetched at once; default DefaultConcurrency
	// Progress, if set, is called as the sync goes (never from two goroutines at once). It
	// must be quick.
	Progress func(Progress)
	// NoPunches and NoPlans turn off the pulls of punch records (listRecord) and of plans
	// (listbyusers or listschedule): both are metered (KAOQIN_SYNC_PUNCHES, KAOQIN_SYNC_PLANS).
	NoPunches, NoPlans bool
	// OpUserID is the administrator on whose behalf plans are read (listbyusers' op_user_id);
	// default the first administrator of the stored org chart (KAOQIN_DINGTALK_OP_USER_ID).
	OpUserID string
	// LateWindow is how long after a day's last check a punch may still answer it: a day is
	// final once pulled after that (and after its end). Default DefaultLateWindow
	// (KAOQIN_SYNC_LATE_WINDOW). See final.go.
	LateWindow time.Duration
	// LastPullAge is the age in days at which a final day is pulled once more, for the
	// corrections made after it; 0 means DefaultLastPullAge, negative none
	// (KAOQIN_SYNC_LAST_PULL).
	LastPullAge int
}

// Syncer pulls a company's org chart and attendance from DingTalk into the store, spending as
// few metered calls as the data allows. It is safe for concurrent use, but syncs take the
// store's "sync" lock: one runs at a time.
type Syncer struct {
	client   *dingtalk.Client
	store    Store
	books    *Books
	loc      *time.Location
	now      func() time.Time
	log      *slog.Logger
	quota    int64
	conc     int
	progress func(Progress)

	noPunches, noPlans bool
	opUserID           string
	final              finality
}

// New returns a Syncer and starts writing the books' calls to the store's ledger.
func New(cfg Config) (*Syncer, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("syncer: Config.Store is required")
	case cfg.Client != nil && cfg.Books == nil:
		return nil, errors.New("syncer: Config.Books is required: make them first and give their Hook to the client")
	case cfg.Client == nil && cfg.Location == nil:
		return nil, errors.New("syncer: Config.Location is required without a client")
	}
	s := &Syncer{
		client: cfg.Client, store: cfg.Store, books: cfg.Books, loc: cfg.Location, now: cfg.Now,
		log: cfg.Logger, quota: cfg.MonthlyQuota, conc: cfg.Concurrency, progress: cfg.Progress,
		noPunches: cfg.NoPunches, noPlans: cfg.NoPlans, opUserID: cfg.OpUserID,
	}
	if s.loc == nil {
		s.loc = cfg.Client.Location()
	}
	if s.books == nil {
		s.books = NewBooks(s.loc, cfg.Logger)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.quota < 0 {
		s.quota = 0
	}
	if s.conc <= 0 {
		s.conc = DefaultConcurrency
	}
	s.final = finality{loc: s.loc, window: cfg.LateWindow, age: cfg.LastPullAge}
	if s.final.window <= 0 {
		s.final.window = DefaultLateWindow
	}
	switch {
	case s.final.age == 0:
		s.final.age = DefaultLastPullAge
	case s.final.age < 0:
		s.final.age = 0
	}
	s.books.Attach(s.store)
	return s, nil
}

// Request is what one sync is asked to do.
type Request struct {
	From, To string // work dates, both included; both empty: today (see Range)
	Refetch  bool   // fetch again what checkpoints say is done: DingTalk data can change afterwards
	OrgOnly  bool   // the org chart only (contacts calls, which are free)
	NoOrg    bool   // attendance only, for the employees of the org chart already stored
	// NoPunches and NoPlans leave out the punch records and the plans this time (Config's
	// turn them off for good).
	NoPunches, NoPlans bool
}

// Run kinds, as the run records name them.
const (
	KindFull       = "org+attendance"
	KindOrg        = "org"
	KindAttendance = "attendance"
	KindLive       = "live"
	KindRefetch    = "refetch" // days DingTalk's events named, pulled again
)

func (r Request) kind() string {
	switch {
	case r.OrgOnly:
		return KindOrg
	case r.NoOrg:
		return KindAttendance
	}
	return KindFull
}

// Summary is what a sync did and cost.
type Summary struct {
	Run         kaoqin.SyncRun    `json:"run"`
	Org         *kaoqin.OrgChange `json:"org,omitempty"`
	Departments int               `json:"departments"` // in DingTalk now (org pulled), or stored
	Employees   int               `json:"employees"`   // whose attendance was synced
	CheckRows   int64             `json:"check_rows"`  // checks inserted, changed or deleted
	LeaveRows   int64             `json:"leave_rows"`
	PunchRows   int64             `json:"punch_rows"`
	PlanRows    int64             `json:"plan_rows"`
	ChunksTotal int64             `json:"chunks_total"`
	DaysFinal   int               `json:"days_final"`      // final before the sync: not fetched again
	DaysLast    int               `json:"days_last_pull"`  // final, fetched once more: their last pull
	DaysClosing int               `json:"days_closing"`    // closed since: their night shift's people fetched again
	DaysCovered int               `json:"days_covered"`    // covered by this sync
	Marks       int               `json:"marks,omitempty"` // a refetch: the marks of events pulled and cleared
	Month       string            `json:"month"`           // the quota's month
	MonthUsed   int64             `json:"month_metered"`   // metered calls of the month in the ledger
	Quota       int64             `json:"quota"`           // 0: no limit
	Wall        time.Duration     `json:"wall_ns"`
}

// Run syncs the org chart and the attendance of req's range: it takes the store's sync lock,
// pulls the org chart (unless NoOrg) and then, chunk by chunk and several at once, the check
// results and leave of every employee who belonged to the company in the range, leaving out
// the days and chunks earlier runs pulled after they had ended. Each chunk is saved in one
// transaction with its checkpoint, so the sync can be interrupted anywhere and run again.
//
// It refuses to start when its plan needs more metered calls than the month has left, stops
// before it would go past the monthly quota, and stops at once when DingTalk says the quota is
// spent (90020), keeping the chunks already saved. Errors meant for the user are
// *kaoqin.Error with one line that says what to do.
func (s *Syncer) Run(ctx context.Context, req Request) (*Summary, error) {
	if s.client == nil {
		return nil, errNoClient
	}
	started := time.Now()
	from, to, err := Range(req.From, req.To, s.now(), s.loc)
	if err != nil {
		return nil, err
	}
	req.From, req.To = from, to
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()

	// Refuse before writing anything when the org already stored says the month cannot afford it.
	if !req.OrgOnly {
		if p, err := s.Plan(ctx, req); err != nil {
			return nil, err
		} else if p.OrgKnown {
			if err := p.Affordable(); err != nil {
				return nil, err
			}
		} else if req.NoOrg {
			return nil, kaoqin.Errorf(kaoqin.ENOTSYNCED, "no org chart stored yet: run kaoqin sync without --no-org (contacts calls are free)")
		}
	}

	t := s.newTracker(ctx, req.kind(), from, to)
	if err := t.create(ctx); err != nil {
		return nil, err
	}
	sum := &Summary{Quota: s.quota}
	err = s.run(ctx, req, t, sum)
	t.finish(err)
	s.fill(ctx, sum, t, started)
	return sum, err
}

func (s *Syncer) run(ctx context.Context, req Request, t *tracker, sum *Summary) error {
	if !req.NoOrg {
		t.phase("org", "")
		snap, err := s.pullOrg(ctx)
		if err != nil {
			return err
		}
		ch, err := s.store.SaveOrg(ctx, snap)
		if err != nil {
			return fmt.Errorf("save the org chart: %w", err)
		}
		sum.Org, sum.Departments = &ch, len(snap.Departments)
		t.addRows(int64(ch.DepartmentsAdded + ch.DepartmentsUpdated + ch.DepartmentsRemoved +
			ch.EmployeesAdded + ch.EmployeesUpdated + ch.EmployeesLeft + ch.MembershipsOpened + ch.MembershipsClosed))
		s.log.Info("syncer: org chart saved", "departments", len(snap.Departments), "employees", len(snap.Employees),
			"employees_added", ch.EmployeesAdded, "employees_left", ch.EmployeesLeft,
			"memberships_opened", ch.MembershipsOpened, "memberships_closed", ch.MembershipsClosed)
	}
	if req.OrgOnly {
		return nil
	}
	p, err := s.Plan(ctx, req)
	if err != nil {
		return err
	}
	if !p.OrgKnown {
		return kaoqin.Errorf(kaoqin.ENOTSYNCED, "no org chart stored yet: run kaoqin sync without --no-org (contacts calls are free)")
	}
	if err := p.Affordable(); err != nil {
		return err
	}
	sum.Employees, sum.DaysFinal, sum.DaysLast, sum.DaysClosing = p.Employees, p.DaysFinal, p.DaysLastPull, p.DaysClosing
	res, err := s.pull(ctx, t, p)
	res.fill(sum)
	sum.ChunksTotal = int64(len(p.jobs))
	return err
}

// fill completes the summary with the run's record and the month's books.
func (s *Syncer) fill(ctx context.Context, sum *Summary, t *tracker, started time.Time) {
	sum.Run = t.snapshot()
	sum.Wall = time.Since(started)
	sum.Month = kaoqin.MonthOf(s.now(), s.loc)
	if l, err := s.store.Ledger(context.WithoutCancel(ctx), sum.Month); err == nil {
		sum.MonthUsed = l.Metered
	}
	if sum.Departments == 0 {
		if ds, err := s.store.Departments(context.WithoutCancel(ctx)); err == nil {
			for _, d := range ds {
				if d.RemovedAt == 0 {
					sum.Departments++
				}
			}
		}
	}
}

// lock takes the sync lock, and marks the runs a killed process left "running" as interrupted:
// whoever holds the lock knows no other sync runs.
func (s *Syncer) lock(ctx context.Context) (func(), error) {
	unlock, ok, err := s.store.TryLock(ctx, LockName)
	if err != nil {
		return nil, fmt.Errorf("take the sync lock: %w", err)
	}
	if !ok {
		return nil, kaoqin.Errorf(kaoqin.ECONFLICT, "another sync is running on this database; wait for it to finish, or stop it")
	}
	runs, err := s.store.Runs(ctx, 50)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("read the latest runs: %w", err)
	}
	for _, r := range runs {
		if r.Status != kaoqin.RunRunning {
			continue
		}
		r.Status = kaoqin.RunInterrupted
		if r.Error == "" {
			r.Error = "the process ended before the run did"
		}
		if err := s.store.UpdateRun(ctx, &r); err != nil {
			unlock()
			return nil, fmt.Errorf("mark run %d interrupted: %w", r.ID, err)
		}
		s.log.Info("syncer: an earlier run did not finish; marked interrupted", "run", r.ID, "started_at", time.UnixMilli(r.StartedAt))
	}
	return unlock, nil
}

var errNoClient = errors.New("syncer: no DingTalk client: this Syncer can only plan")

// today returns the current work date.
func (s *Syncer) today() string { return kaoqin.DateOf(s.now(), s.loc) }
