package reconcile

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/syncer"
)

// Store is what a reconciliation reads and writes: kaoqin's attendance (for the period
// report), leave by type, and the records of reconciliations. Package store implements it.
type Store interface {
	report.Source
	kaoqin.LeaveTimeStore
	kaoqin.ReconcileStore
}

// Config is what a Reconciler works with.
type Config struct {
	// Syncer reads DingTalk's report within the month's budget and works out the budget. A
	// Syncer without a client can only Plan.
	Syncer   *syncer.Syncer
	Store    Store
	Location *time.Location
	Now      func() time.Time // default time.Now
	Logger   *slog.Logger     // default discards
	// Concurrency is how many people are read at once; the client keeps each API path under
	// its calls per second whatever the number. Default 8.
	Concurrency int
	// Base is the life of the reconciliations Start runs in the background (the server's);
	// default context.Background().
	Base context.Context
}

// Reconciler plans and runs reconciliations.
type Reconciler struct {
	s       *syncer.Syncer
	st      Store
	loc     *time.Location
	now     func() time.Time
	log     *slog.Logger
	conc    int
	base    context.Context
	running atomic.Bool // a reconciliation Start began runs
}

// New returns a Reconciler.
func New(cfg Config) (*Reconciler, error) {
	if cfg.Syncer == nil || cfg.Store == nil || cfg.Location == nil {
		return nil, fmt.Errorf("reconcile: Config.Syncer, Store and Location are required")
	}
	r := &Reconciler{s: cfg.Syncer, st: cfg.Store, loc: cfg.Location, now: cfg.Now, log: cfg.Logger, conc: cfg.Concurrency, base: cfg.Base}
	if r.base == nil {
		r.base = context.Background()
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.conc <= 0 {
		r.conc = 8
	}
	return r, nil
}

// Request is what one reconciliation is asked to compare.
type Request struct {
	From, To string  // closed work dates, both included
	DeptIDs  []int64 // these departments' subtrees; empty: the company
	Sample   int     // compare this many people, chosen evenly by userid; 0: everyone
	By       string  // who asks: an account's name, or "cli"
}

// Plan is what a reconciliation would compare and cost, from the store alone.
type Plan struct {
	From   string  `json:"from"`
	To     string  `json:"to"`
	Scope  []int64 `json:"scope,omitempty"`
	Sample int     `json:"sample,omitempty"`
	// People are compared with DingTalk; Chosen before the sample; Left chosen but gone.
	People int      `json:"people"`
	Chosen int      `json:"chosen"`
	Left   []Person `json:"left"`
	// The metered calls: the report's columns (2), then for each person a call per 31 days
	// of the columns and one of leave (per 20 columns, 20 leave types).
	PerPerson int64 `json:"calls_per_person"`
	Calls     int64 `json:"expected_calls"`
	// VerifyCalls are the most that explaining the differences may add (every person's check
	// results and leave of the range, asked again): spent only on the days that differ, and
	// only when the month still affords them.
	VerifyCalls int64 `json:"verify_calls_at_most"`
	// ShouldFrom is the first day 应出勤天数 is compared: DingTalk has it for the last 15 days.
	ShouldFrom string `json:"scheduled_days_from"`
	// The month's budget: what is left after what the month's nightly syncs and first pulls of
	// the day still need (Reserved), which a reconciliation must leave them.
	Month     string `json:"month"`
	Quota     int64  `json:"quota"`
	Used      int64  `json:"used"`
	Remaining int64  `json:"remaining"`
	Reserved  int64  `json:"reserved"`
	Note      string `json:"note,omitempty"`

	people []Person // compared, by userid
}

// Fit is how many people the month's budget, less the nightly syncs' reserve, can pay for.
func (p *Plan) Fit() int64 {
	if p.PerPerson <= 0 {
		return 0
	}
	return max(0, (p.Remaining-p.Reserved-2)/p.PerPerson)
}

// Resets is when the month's quota resets: the first day of the next month.
func (p *Plan) Resets() string { return kaoqin.AddDays(p.Month+"-01", 31)[:7] + "-01" }

// Affordable returns nil if the month's budget covers the plan and leaves the nightly
// syncs their reserve, else an EQUOTA error that says how many people fit.
func (p *Plan) Affordable() error {
	if p.Quota <= 0 || p.Calls <= p.Remaining-p.Reserved {
		return nil
	}
	return kaoqin.Errorf(kaoqin.EQUOTA,
		"this reconciliation needs about %d metered DingTalk calls (%d a person) but the month has %d left, %d of them kept for the nightly syncs of the days left; "+
			"compare fewer people (--sample %d fits), a shorter range, or wait for the quota to reset on %s",
		p.Calls, p.PerPerson, max(0, p.Remaining), p.Reserved, p.Fit(), p.Resets())
}

// Plan works out what Run(ctx, req) would compare and what it would cost, from the store
// alone. Bad dates, an unknown department and days not synced are errors a user can read.
func (r *Reconciler) Plan(ctx context.Context, req Request) (*Plan, error) {
	from, to, err := r.checkRange(req.From, req.To)
	if err != nil {
		return nil, err
	}
	if req.Sample < 0 {
		return nil, kaoqin.Errorf(kaoqin.EINVALID, "--sample %d: want a number of people, 1 or more (0: everyone)", req.Sample)
	}
	p := &Plan{From: from, To: to, Scope: slices.Clone(req.DeptIDs), Sample: req.Sample}
	if err := r.checkSynced(ctx, from, to); err != nil {
		return nil, err
	}
	chosen, left, err := r.choose(ctx, from, to, req.DeptIDs)
	if err != nil {
		return nil, err
	}
	p.Chosen, p.Left = len(chosen)+len(left), nonNil(left)
	p.people = sample(chosen, req.Sample)
	p.People = len(p.people)

	types, err := r.st.LeaveTypes(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the leave types: %w", err)
	}
	p.PerPerson = syncer.ReportCalls(len(Fields)-1, from, to) + syncer.ReportCalls(max(len(types), 1), from, to)
	if p.People > 0 {
		p.Calls = 2 + int64(p.People)*p.PerPerson
		days := len(kaoqin.Days(from, to))
		p.VerifyCalls = syncer.ChecksCalls(p.People, days, 2) + int64((p.People+dingtalk.MaxLeaveUsers-1)/dingtalk.MaxLeaveUsers)
	}
	p.ShouldFrom = max(from, kaoqin.AddDays(r.today(), -(dingtalk.ShouldAttendanceDays-1)))

	b, err := r.s.Budget(ctx)
	if err != nil {
		return nil, err
	}
	p.Quota, p.Used, p.Reserved = b.Quota, b.Used, b.Reserved
	p.Month = kaoqin.MonthOf(r.now(), r.loc)
	p.Remaining = p.Quota - p.Used
	switch {
	case p.People == 0:
		p.Note = "nobody to compare: no current employee in the range and scope"
	case p.ShouldFrom > to:
		p.Note = fmt.Sprintf("scheduled_days is not compared: DingTalk gives 应出勤天数 for the last %d days only", dingtalk.ShouldAttendanceDays)
	case p.ShouldFrom > from:
		p.Note = fmt.Sprintf("scheduled_days is compared from %s on: DingTalk gives 应出勤天数 for the last %d days only", p.ShouldFrom, dingtalk.ShouldAttendanceDays)
	}
	return p, nil
}

func (r *Reconciler) today() string { return kaoqin.DateOf(r.now(), r.loc) }

// checkRange checks the dates of a reconciliation: days that have ended, that DingTalk still
// serves.
func (r *Reconciler) checkRange(from, to string) (string, string, error) {
	if from == "" || to == "" {
		return "", "", kaoqin.Errorf(kaoqin.EINVALID, "a reconciliation needs --from and --to: the first and last work dates, YYYY-MM-DD")
	}
	today := r.today()
	from, to, err := kaoqin.CheckRange(from, to, today, kaoqin.MaxRangeDays)
	if err != nil {
		return "", "", err
	}
	if to >= today {
		return "", "", kaoqin.Errorf(kaoqin.EINVALID,
			"the range ends %s: reconcile days that have ended (to %s at the latest); DingTalk's report of a day in progress is not final", to, kaoqin.AddDays(today, -1))
	}
	if from, to, err = syncer.Range(from, to, r.now(), r.loc); err != nil {
		return "", "", err
	}
	if oldest := kaoqin.AddDays(today, -dingtalk.MaxLeaveTimeDaysBack); from < oldest {
		return "", "", kaoqin.Errorf(kaoqin.EINVALID, "the range starts %s: DingTalk's report serves leave from %s on only", from, oldest)
	}
	return from, to, nil
}

// checkSynced fails with ENOTSYNCED unless kaoqin has pulled every day of the range.
func (r *Reconciler) checkSynced(ctx context.Context, from, to string) error {
	cov, err := r.st.Coverage(ctx, from, to)
	if err != nil {
		return fmt.Errorf("read the coverage of %s..%s: %w", from, to, err)
	}
	have := map[string]bool{}
	for _, c := range cov {
		have[c.Day] = true
	}
	var missing []string
	for _, d := range kaoqin.Days(from, to) {
		if !have[d] {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		return kaoqin.Errorf(kaoqin.ENOTSYNCED, "%d days of %s..%s have not been synced (the first %s): run kaoqin sync --from %s --to %s first",
			len(missing), from, to, missing[0], missing[0], missing[len(missing)-1])
	}
	return nil
}

// choose returns the people of the scope over the range, by userid: those employed now, and
// those who have left.
func (r *Reconciler) choose(ctx context.Context, from, to string, deptIDs []int64) (current, left []Person, err error) {
	depts, err := r.st.Departments(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read the departments: %w", err)
	}
	in, err := subtrees(depts, deptIDs)
	if err != nil {
		return nil, nil, err
	}
	ms, err := r.st.Memberships(ctx, from, to)
	if err != nil {
		return nil, nil, fmt.Errorf("read the memberships of %s..%s: %w", from, to, err)
	}
	ids := map[string]bool{}
	for _, m := range ms {
		if in == nil || in[m.DeptID] {
			ids[m.UserID] = true
		}
	}
	emps, err := r.st.Employees(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read the employees: %w", err)
	}
	for _, e := range emps { // by userid
		if !ids[e.UserID] {
			continue
		}
		p := Person{UserID: e.UserID, Name: e.Name}
		if e.LeftAt != 0 {
			p.LeftOn = kaoqin.DateOfMs(e.LeftAt, r.loc)
			left = append(left, p)
			continue
		}
		current = append(current, p)
	}
	return current, left, nil
}

// subtrees returns the departments of ids' subtrees (nil for no ids: everything); ENOTFOUND
// for an id kaoqin does not know.
func subtrees(depts []kaoqin.Department, ids []int64) (map[int64]bool, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	children := map[int64][]int64{}
	known := map[int64]bool{}
	for _, d := range depts {
		known[d.ID] = true
		if d.ID != d.ParentID {
			children[d.ParentID] = append(children[d.ParentID], d.ID)
		}
	}
	in := map[int64]bool{}
	for _, id := range ids {
		if !known[id] {
			return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "there is no department %d: kaoqin report daily lists the departments with their ids", id)
		}
		todo := []int64{id}
		for len(todo) > 0 {
			d := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			if !in[d] {
				in[d] = true
				todo = append(todo, children[d]...)
			}
		}
	}
	return in, nil
}

// sample picks n of people, evenly spread over their userids (all of them for n 0 or more
// than there are).
func sample(people []Person, n int) []Person {
	if n <= 0 || n >= len(people) {
		return people
	}
	out := make([]Person, 0, n)
	for i := range n {
		out = append(out, people[i*len(people)/n])
	}
	return out
}
