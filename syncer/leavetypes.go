package syncer

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

// Leave by type. getleavestatus says who was on leave when, without the type; DingTalk's
// report (getleavetimebynames) says which type, one person a call of up to 31 days. So kaoqin
// asks only about the people the leave status shows on leave, and only over the days around
// their leave: a window of up to 31 days from a person's first leave day, then from the next
// leave day after it. A window pulled after its days ended is final and not pulled again,
// unless a later sync finds its days' leave changed: a leave approved after the fact (a
// scheduled day on leave without a type) or revoked (a type without leave).

// KindLeaveTypes is the run kind of a pull of leave by type.
const KindLeaveTypes = "leave-types"

// LeaveTypesRequest is what one pull of leave by type is asked to do.
type LeaveTypesRequest struct {
	From, To string // work dates, both included; both empty: today (see Range)
	Refetch  bool   // pull again the windows earlier pulls finished
	// MaxCalls, if above 0, bounds the pull's metered calls: the windows that fit, oldest
	// first; the others wait for a later pull (the nightly job pulls as the budget allows).
	MaxCalls int64
}

// LeaveTypesPlan is what a pull of leave by type would do and cost, from the store alone.
type LeaveTypesPlan struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Employees int    `json:"employees"` // with leave in the range
	Windows   int    `json:"windows"`   // to pull: one person, at most 31 days each
	Done      int    `json:"done"`      // pulled already, final
	Left      int    `json:"left"`      // with leave, but gone: DingTalk's report has nothing for them
	Waiting   int    `json:"waiting"`   // left for a later pull by MaxCalls
	Types     int    `json:"types"`     // leave types known from an earlier pull; 0: unknown
	// Calls are the metered calls expected: the report's columns (2), the leave types' units
	// (1, with an op userid) and a call a window (per 20 types).
	Calls int64 `json:"expected_calls"`
	// DaysNotSynced are days of the range whose leave status has not been pulled: their leave
	// is unknown, and they are left out.
	DaysNotSynced int    `json:"days_not_synced"`
	Month         string `json:"month"`
	Quota         int64  `json:"quota"`
	Used          int64  `json:"used"`
	Remaining     int64  `json:"remaining"`
	Note          string `json:"note,omitempty"`

	windows []leaveWindow
}

// leaveWindow is one call of leave by type: one person over at most 31 days.
type leaveWindow struct {
	user     string
	from, to string
}

// Affordable returns nil if the month's budget covers the plan, else an EQUOTA error that
// says what to do.
func (p *LeaveTypesPlan) Affordable() error {
	if p.Quota <= 0 || p.Calls <= p.Remaining {
		return nil
	}
	return kaoqin.Errorf(kaoqin.EQUOTA,
		"leave by type of %s..%s needs about %d metered DingTalk calls (one a person with leave, a call per 31 days) but only %d of this month's %d are left; "+
			"pull a shorter range, wait for the quota to reset on %s, or raise KAOQIN_DINGTALK_MONTHLY_QUOTA if the org has bought more",
		p.From, p.To, p.Calls, max(0, p.Remaining), p.Quota, nextMonth(p.Month))
}

// PlanLeaveTypes works out what RunLeaveTypes(ctx, req) would pull and cost, from the store
// alone: the leave status stored, the pulls of leave by type done, and the month's ledger.
func (s *Syncer) PlanLeaveTypes(ctx context.Context, req LeaveTypesRequest) (*LeaveTypesPlan, error) {
	from, to, err := Range(req.From, req.To, s.now(), s.loc)
	if err != nil {
		return nil, err
	}
	p := &LeaveTypesPlan{From: from, To: to}
	if p.Month, p.Quota, p.Used, err = s.Quota(ctx); err != nil {
		return nil, err
	}
	p.Remaining = p.Quota - p.Used
	types, err := s.store.LeaveTypes(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the leave types: %w", err)
	}
	p.Types = len(types)

	// Days whose leave status is known, and when it was last pulled.
	cov, err := s.store.Coverage(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("read the coverage of %s..%s: %w", from, to, err)
	}
	synced := map[string]int64{}
	for _, c := range cov {
		synced[c.Day] = c.SyncedAt
	}
	oldest := kaoqin.AddDays(kaoqin.DateOf(s.now(), s.loc), -dingtalk.MaxLeaveTimeDaysBack)
	days := map[string]map[string]bool{} // user -> leave days
	addDay := func(u, d string) {
		if _, ok := synced[d]; !ok || d < oldest {
			return
		}
		if days[u] == nil {
			days[u] = map[string]bool{}
		}
		days[u][d] = true
	}
	start, _ := kaoqin.DayBounds(from, s.loc)
	_, end := kaoqin.DayBounds(to, s.loc)
	leaves, err := s.store.Leaves(ctx, start.UnixMilli(), end.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("read the leave of %s..%s: %w", from, to, err)
	}
	for _, l := range leaves {
		for _, d := range leaveDays(l, from, to, s.loc) {
			addDay(l.UserID, d)
		}
	}
	// Days of which kaoqin holds a type: a leave revoked since must be pulled to go away.
	held, err := s.store.LeaveTimes(ctx, kaoqin.Filter{From: from, To: to})
	if err != nil {
		return nil, fmt.Errorf("read the leave by type of %s..%s: %w", from, to, err)
	}
	for _, t := range held {
		addDay(t.UserID, t.WorkDate)
	}
	p.DaysNotSynced = len(kaoqin.Days(from, to)) - len(synced)

	// DingTalk's report serves nothing for people who have left.
	emps, err := s.store.Employees(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the employees: %w", err)
	}
	left := map[string]bool{}
	for _, e := range emps {
		left[e.UserID] = e.LeftAt != 0
	}
	users := make([]string, 0, len(days))
	for u := range days {
		if left[u] {
			p.Left++
			continue
		}
		users = append(users, u)
	}
	slices.Sort(users)
	p.Employees = len(users)
	var pulls []kaoqin.LeaveTimePull
	onLeave, typed, scheduled := map[[2]string]bool{}, map[[2]string]bool{}, map[[2]string]bool{}
	if !req.Refetch && len(users) > 0 {
		if pulls, err = s.store.LeaveTimePulls(ctx, kaoqin.Filter{From: from, To: to, UserIDs: users}); err != nil {
			return nil, fmt.Errorf("read the pulls of leave by type: %w", err)
		}
		checks, err := s.store.Checks(ctx, kaoqin.Filter{From: from, To: to, UserIDs: users})
		if err != nil {
			return nil, fmt.Errorf("read the checks of %s..%s: %w", from, to, err)
		}
		for _, c := range checks {
			scheduled[[2]string{c.UserID, c.WorkDate}] = true
		}
		for _, l := range leaves {
			for _, d := range leaveDays(l, from, to, s.loc) {
				onLeave[[2]string{l.UserID, d}] = true
			}
		}
		for _, t := range held {
			typed[[2]string{t.UserID, t.WorkDate}] = true
		}
	}
	// A day is final when a pull covered it after it ended, and what kaoqin holds of it agrees
	// with the leave status: a scheduled day on leave has a type, a day with a type has leave.
	// A leave approved or revoked after the pull, once a sync has seen it, makes the day due.
	final := func(u, d string, mine []kaoqin.LeaveTimePull) bool {
		k := [2]string{u, d}
		if onLeave[k] && scheduled[k] != typed[k] || typed[k] && !onLeave[k] {
			return false
		}
		_, end := kaoqin.DayBounds(d, s.loc)
		return slices.ContainsFunc(mine, func(p kaoqin.LeaveTimePull) bool {
			return p.From <= d && d <= p.To && p.PulledAt >= end.UnixMilli()
		})
	}
	for _, u := range users {
		mine := pulls[:0:0]
		for _, pl := range pulls {
			if pl.UserID == u {
				mine = append(mine, pl)
			}
		}
		for _, w := range leaveWindows(u, days[u], to) {
			done := !req.Refetch
			for d := range days[u] {
				if d >= w.from && d <= w.to && done {
					done = final(u, d, mine)
				}
			}
			if done {
				p.Done++
				continue
			}
			p.windows = append(p.windows, w)
		}
	}
	// Oldest days first: a pull cut short by MaxCalls leaves the latest for later.
	slices.SortStableFunc(p.windows, func(a, b leaveWindow) int { return cmp.Compare(a.from, b.from) })
	perWindow := ReportCalls(max(p.Types, 1), "2000-01-01", "2000-01-01")
	fixed := int64(0)
	if len(p.windows) > 0 {
		fixed = 2 // the report's columns: which leave types there are
		if op, err := s.opUser(ctx); err != nil {
			return nil, err
		} else if op != "" {
			fixed++ // their units
		}
	}
	if req.MaxCalls > 0 {
		fit := max(0, int((req.MaxCalls-fixed)/perWindow))
		if fit < len(p.windows) {
			p.Waiting = len(p.windows) - fit
			p.windows = p.windows[:fit]
			p.Note = fmt.Sprintf("%d windows wait for a later pull: the budget allows %d calls", p.Waiting, req.MaxCalls)
		}
		if len(p.windows) == 0 {
			fixed = 0
		}
	}
	p.Windows = len(p.windows)
	p.Calls = fixed + int64(p.Windows)*perWindow
	if p.DaysNotSynced > 0 {
		p.Note = joinNote(p.Note, fmt.Sprintf("%d days of %s..%s are not synced: their leave is unknown (kaoqin sync them first)", p.DaysNotSynced, from, to))
	}
	return p, nil
}

// leaveDays returns the work dates of [from, to] a leave overlaps.
func leaveDays(l kaoqin.Leave, from, to string, loc *time.Location) []string {
	first := max(from, kaoqin.DateOfMs(l.StartTime, loc))
	last := min(to, kaoqin.DateOfMs(max(l.EndTime-1, l.StartTime), loc))
	if first > last {
		return nil
	}
	return kaoqin.Days(first, last)
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// leaveWindows cuts a person's leave days (in [_, to]) into windows of at most 31 days, each
// from a leave day.
func leaveWindows(user string, days map[string]bool, to string) []leaveWindow {
	sorted := make([]string, 0, len(days))
	for d := range days {
		sorted = append(sorted, d)
	}
	slices.Sort(sorted)
	var out []leaveWindow
	for _, d := range sorted {
		if n := len(out); n > 0 && d <= out[n-1].to {
			continue
		}
		out = append(out, leaveWindow{user: user, from: d, to: min(to, kaoqin.AddDays(d, dingtalk.MaxReportDays-1))})
	}
	// A window ends at its last leave day: no call for days nobody asked about.
	for i := range out {
		last := out[i].from
		for _, d := range sorted {
			if d >= out[i].from && d <= out[i].to {
				last = d
			}
		}
		out[i].to = last
	}
	return out
}

// RunLeaveTypes pulls leave by type as PlanLeaveTypes plans it: the report's leave types
// first (and their units, with Config.OpUserID), then a call a window, several at once, each
// saved with its pull record. It takes the sync lock, refuses a plan the month cannot pay,
// and stops before going past the quota; the windows saved stay saved.
func (s *Syncer) RunLeaveTypes(ctx context.Context, req LeaveTypesRequest) (*Summary, error) {
	if s.client == nil {
		return nil, errNoClient
	}
	started := time.Now()
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	p, err := s.PlanLeaveTypes(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := p.Affordable(); err != nil {
		return nil, err
	}
	t := s.newTracker(ctx, KindLeaveTypes, p.From, p.To)
	if err := t.create(ctx); err != nil {
		return nil, err
	}
	sum := &Summary{Quota: s.quota, Employees: p.Employees, ChunksTotal: int64(p.Windows + p.Done)}
	t.planned(int64(p.Windows+p.Done), int64(p.Done))
	err = s.pullLeaveTypes(ctx, t, p, sum)
	t.finish(err)
	s.fill(ctx, sum, t, started)
	return sum, err
}

func (s *Syncer) pullLeaveTypes(ctx context.Context, t *tracker, p *LeaveTypesPlan, sum *Summary) error {
	if len(p.windows) == 0 {
		return nil
	}
	t.phase("leave-types", "")
	r, err := s.ReportReader(ctx)
	if err != nil {
		return err
	}
	cols, err := r.Columns(ctx)
	if err != nil {
		return err
	}
	// The units of the types need an administrator with the OA approval app's rights; without
	// one (or without the qyapi_holiday_readonly permission) the types keep the units known.
	units := map[string]string{}
	if op, err := s.opUser(ctx); err != nil {
		return err
	} else if op != "" {
		if units, err = r.VacationTypes(ctx, op); err != nil {
			if kaoqin.ErrorCode(err) == kaoqin.EQUOTA || dingtalk.IsQuotaExhausted(err) || ctx.Err() != nil {
				return err
			}
			s.log.Warn("syncer: cannot read the leave types' units; the ones known stay", "op_userid", op, "err", err)
			units = map[string]string{}
			known, err := s.store.LeaveTypes(ctx)
			if err != nil {
				return err
			}
			for _, t := range known {
				units[t.Name] = t.Unit
			}
		}
	}
	var types []kaoqin.LeaveType
	var names []string
	for _, c := range cols {
		if c.Leave {
			types = append(types, kaoqin.LeaveType{Name: c.Name, Unit: units[c.Name], Position: len(types)})
			names = append(names, c.Name)
		}
	}
	if err := s.store.SaveLeaveTypes(ctx, types); err != nil {
		return err
	}
	if len(names) == 0 {
		return nil // the org has no leave types: nothing to ask
	}

	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	jobs := make(chan leaveWindow)
	for range min(s.conc, len(p.windows)) {
		wg.Go(func() {
			for w := range jobs {
				rows, err := s.pullLeaveWindow(ctx, r, w, names)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					sum.LeaveRows += rows
				}
				mu.Unlock()
				if err == nil {
					t.chunkDone(w.from+".."+w.to, rows)
				}
			}
		})
	}
	for _, w := range p.windows {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		jobs <- w
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if firstErr != nil {
		if err := s.books.Err(); err != nil {
			return err
		}
	}
	return firstErr
}

// pullLeaveWindow fetches one person's leave by type over one window and saves it.
func (s *Syncer) pullLeaveWindow(ctx context.Context, r *ReportReader, w leaveWindow, names []string) (int64, error) {
	pulledAt := s.now().UnixMilli()
	v := DayValues{}
	found, err := r.Leave(ctx, w.user, names, w.from, w.to, v)
	if err != nil {
		return 0, err
	}
	if !found {
		// Nothing at all, not even zeros: what DingTalk answers for someone who has left. Keep
		// what kaoqin holds; the next org sync marks them gone and the plans leave them out.
		return 0, nil
	}
	var times []kaoqin.LeaveTime
	for name, days := range v {
		for day, value := range days {
			times = append(times, kaoqin.LeaveTime{UserID: w.user, WorkDate: day, Name: name, Value: value})
		}
	}
	// A pull before the window's last day ended is not final: record it as of its start, so
	// that the next plan finds the window still due.
	rows, err := s.store.SaveLeaveTimes(ctx, kaoqin.LeaveTimeBatch{UserID: w.user, From: w.from, To: w.to, Times: times, PulledAt: pulledAt})
	if err != nil {
		return 0, fmt.Errorf("save leave by type of %s %s..%s: %w", w.user, w.from, w.to, err)
	}
	return rows, nil
}
