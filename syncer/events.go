package syncer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

// What DingTalk's events ask of the syncer: contacts events name people and departments
// whose details the free contacts calls fetch; an approval names a process instance whose
// originator's leave is pulled again; a changed result names a person's day to pull again
// (RefetchMarked), at once if the day has closed.

// Contacts is what contacts events named.
type Contacts struct {
	Users        []string // joined or changed: fetched with v2/user/get
	Left         []string
	Depts        []int64 // created or changed: fetched with v2/department/get
	RemovedDepts []int64
}

// orgPatcher is the store's partial org update (package store implements it).
type orgPatcher interface {
	PatchOrg(ctx context.Context, p kaoqin.OrgPatch) (kaoqin.OrgChange, error)
}

// ApplyContacts fetches the people and departments c names with free contacts calls and
// applies them to the stored org chart at once: joins, transfers, renames, leavers, new and
// removed departments. A person or department DingTalk no longer knows is taken as gone. It
// does not take the sync lock: it changes only what it names, in one transaction.
func (s *Syncer) ApplyContacts(ctx context.Context, c Contacts) (kaoqin.OrgChange, error) {
	if s.client == nil {
		return kaoqin.OrgChange{}, errNoClient
	}
	ps, ok := s.store.(orgPatcher)
	if !ok {
		return kaoqin.OrgChange{}, errors.New("syncer: the store cannot patch the org chart")
	}
	now := s.now()
	p := kaoqin.OrgPatch{Day: kaoqin.DateOf(now, s.loc), At: now.UnixMilli(), Left: slices.Clone(c.Left), RemovedDepts: slices.Clone(c.RemovedDepts)}
	for _, id := range c.Depts {
		d, _, err := s.client.Departments.Get(ctx, id, "")
		switch {
		case isGone(err):
			p.RemovedDepts = append(p.RemovedDepts, id)
		case err != nil:
			return kaoqin.OrgChange{}, fmt.Errorf("read department %d: %w", id, err)
		default:
			dept := Department(*d)
			if dept.ID == kaoqin.RootDeptID {
				dept.ParentID = 0
			}
			p.Departments = append(p.Departments, dept)
		}
	}
	var wantDepts []int64
	for _, id := range c.Users {
		u, _, err := s.client.Users.Get(ctx, id, "")
		switch {
		case isUnknownUser(err):
			p.Left = append(p.Left, id)
		case err != nil:
			return kaoqin.OrgChange{}, fmt.Errorf("read user %s: %w", id, err)
		default:
			e := Employee(*u)
			p.Employees = append(p.Employees, e)
			wantDepts = append(wantDepts, e.DeptIDs...)
		}
	}
	// A person may have joined a department whose own event is still on its way: fetch the
	// departments the store does not know yet, or the membership would have nowhere to go.
	if len(wantDepts) > 0 {
		known := map[int64]bool{}
		ds, err := s.store.Departments(ctx)
		if err != nil {
			return kaoqin.OrgChange{}, err
		}
		for _, d := range ds {
			known[d.ID] = d.RemovedAt == 0
		}
		for _, d := range p.Departments {
			known[d.ID] = true
		}
		slices.Sort(wantDepts)
		for _, id := range slices.Compact(wantDepts) {
			if known[id] {
				continue
			}
			d, _, err := s.client.Departments.Get(ctx, id, "")
			if isGone(err) {
				continue
			}
			if err != nil {
				return kaoqin.OrgChange{}, fmt.Errorf("read department %d: %w", id, err)
			}
			p.Departments = append(p.Departments, Department(*d))
		}
	}
	ch, err := ps.PatchOrg(ctx, p)
	if err != nil {
		return ch, err
	}
	s.log.Info("syncer: org chart patched from contacts events", "employees", len(p.Employees), "left", len(p.Left),
		"departments", len(p.Departments), "removed_departments", len(p.RemovedDepts),
		"memberships_opened", ch.MembershipsOpened, "memberships_closed", ch.MembershipsClosed)
	return ch, nil
}

// isUnknownUser reports DingTalk's "no such user" (60121, or 33012 from v2/user/get).
func isUnknownUser(err error) bool {
	var e *dingtalk.APIError
	return errors.As(err, &e) && (e.Code == 60121 || e.Code == 33012 || e.SubCode == "60121" || e.SubCode == "33012")
}

// Leave windows pulled again after an approval: the current pay period back, two months ahead.
const (
	leaveBack  = 35 * 24 * time.Hour
	leaveAhead = 60 * 24 * time.Hour
)

// RefreshLeaveOf pulls again the leave of the person who started the approval: its
// originator (topapi/processinstance/get, not metered), then their leave from 35 days back to
// 60 days ahead (one metered call, within the month's budget).
func (s *Syncer) RefreshLeaveOf(ctx context.Context, processInstanceID string) (userID string, err error) {
	if s.client == nil {
		return "", errNoClient
	}
	pi, _, err := s.client.Workflow.GetProcessInstance(ctx, processInstanceID)
	if err != nil {
		return "", fmt.Errorf("read approval %s: %w", processInstanceID, err)
	}
	if pi.OriginatorUserID == "" {
		return "", fmt.Errorf("approval %s names no originator", processInstanceID)
	}
	userID = pi.OriginatorUserID
	g, err := s.newGuard(ctx)
	if err != nil {
		return userID, err
	}
	now := s.now()
	start, end := now.Add(-leaveBack), now.Add(leaveAhead)
	ls, err := s.fetchLeave(ctx, &dingtalk.LeaveStatusOptions{UserIDs: []string{userID}, Start: start, End: end}, g)
	if err != nil {
		return userID, s.explain(fmt.Errorf("leave of %s: %w", userID, err), 0, 1)
	}
	_, err = s.store.SaveLeaves(ctx, kaoqin.LeaveBatch{UserIDs: []string{userID}, Start: start.UnixMilli(), End: end.UnixMilli(), Leaves: Leaves(ls)})
	if err != nil {
		return userID, fmt.Errorf("save the leave of %s: %w", userID, err)
	}
	return userID, nil
}

// newGuard is a budget guard for metered calls made outside a planned pull.
func (s *Syncer) newGuard(ctx context.Context) (*guard, error) {
	l, err := s.store.Ledger(ctx, kaoqin.MonthOf(s.now(), s.loc))
	if err != nil {
		return nil, fmt.Errorf("read the month's ledger: %w", err)
	}
	return &guard{quota: s.quota, used0: l.Metered, books: s.books, m0: s.books.metered()}, nil
}

// refetchStore is the store's marks of days to pull again (package store implements it).
type refetchStore interface {
	Refetches(ctx context.Context) ([]kaoqin.Refetch, error)
	ClearRefetches(ctx context.Context, marks []kaoqin.Refetch) error
}

// RefetchMarked pulls again the check results of the people's days that events marked
// (an administrator edited a result, DingTalk's day summary changed), 50 people a call per
// day, and clears the marks. A mark is pulled at once, unless its day is still open: today,
// or a day whose close (its last check and the late window) is still to come, which its
// reconciliation or close-out will pull whole; a day pulled whole after the mark needs no
// second pull. The scheduler calls it on every tick. It takes the sync lock, keeps within the
// month's budget (marks it cannot afford stay for the next try) and records a run of
// KindRefetch, which the budget prices (BudgetInput.Refetch). It returns nil and no error
// when no mark was due.
func (s *Syncer) RefetchMarked(ctx context.Context) (*Summary, error) {
	if s.client == nil {
		return nil, errNoClient
	}
	rs, ok := s.store.(refetchStore)
	if !ok {
		return nil, nil
	}
	due, done, err := s.dueMarks(ctx, rs)
	if err != nil || len(due)+len(done) == 0 {
		return nil, err
	}
	if len(due) == 0 {
		return nil, rs.ClearRefetches(ctx, done)
	}
	started := time.Now()
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Read again under the lock: another instance may have pulled them meanwhile.
	if due, done, err = s.dueMarks(ctx, rs); err != nil {
		return nil, err
	}
	if err := rs.ClearRefetches(ctx, done); err != nil {
		return nil, err
	}
	if len(due) == 0 {
		return nil, nil
	}
	g, err := s.newGuard(ctx)
	if err != nil {
		return nil, err
	}
	byDay := map[string][]kaoqin.Refetch{}
	var days []string
	for _, m := range due {
		if _, ok := byDay[m.Day]; !ok {
			days = append(days, m.Day)
		}
		byDay[m.Day] = append(byDay[m.Day], m)
	}
	slices.Sort(days)
	t := s.newTracker(ctx, KindRefetch, days[0], days[len(days)-1])
	if err := t.create(ctx); err != nil {
		return nil, err
	}
	sum := &Summary{Quota: s.quota}
	err = s.refetch(ctx, t, sum, days, byDay, g)
	t.finish(err)
	s.fill(ctx, sum, t, started)
	if sum.Marks > 0 {
		s.log.Info("syncer: days that events marked pulled again", "marks", sum.Marks, "days", len(days))
	}
	return sum, err
}

// refetch pulls the marked people of each day and clears their marks.
func (s *Syncer) refetch(ctx context.Context, t *tracker, sum *Summary, days []string, byDay map[string][]kaoqin.Refetch, g *guard) error {
	rs := s.store.(refetchStore)
	t.phase("attendance", days[0]+".."+days[len(days)-1])
	for _, day := range days {
		ms := byDay[day]
		for i := 0; i < len(ms); i += dingtalk.MaxResultUsers {
			part := ms[i:min(i+dingtalk.MaxResultUsers, len(ms))]
			users := make([]string, len(part))
			for j, m := range part {
				users[j] = m.UserID
			}
			slices.Sort(users)
			users = slices.Compact(users)
			d := date(day)
			pulled := s.now().UnixMilli()
			rows, err := s.fetchResults(ctx, dingtalk.Chunk{UserIDs: users, DateRange: dingtalk.DateRange{From: d, To: d}}, g)
			if err != nil {
				return s.explain(fmt.Errorf("refetch %s of %d people: %w", day, len(users), err), int64(sum.Marks), int64(len(ms)-i))
			}
			n, err := s.store.SaveChecks(ctx, kaoqin.CheckBatch{Scope: kaoqin.Scope{UserIDs: users, From: day, To: day},
				Checks: Checks(rows, s.loc), SyncedAt: pulled})
			if err != nil {
				return fmt.Errorf("save the refetched %s: %w", day, err)
			}
			if err := rs.ClearRefetches(ctx, part); err != nil {
				return err
			}
			sum.CheckRows += n
			sum.Marks += len(part)
			t.chunkDone(day, n)
		}
	}
	return nil
}

// dueMarks splits the marks of days before today into those to pull now and those a pull of
// the whole day after them answered (done); the rest wait for their day to close.
func (s *Syncer) dueMarks(ctx context.Context, rs refetchStore) (due, done []kaoqin.Refetch, err error) {
	marks, err := rs.Refetches(ctx)
	if err != nil {
		return nil, nil, err
	}
	today := s.today()
	marks = slices.DeleteFunc(marks, func(m kaoqin.Refetch) bool { return m.Day >= today })
	if len(marks) == 0 {
		return nil, nil, nil
	}
	first, last := marks[0].Day, marks[0].Day
	for _, m := range marks {
		first, last = min(first, m.Day), max(last, m.Day)
	}
	cov, err := s.store.Coverage(ctx, first, last)
	if err != nil {
		return nil, nil, err
	}
	byDay := map[string]kaoqin.DayCoverage{}
	for _, c := range cov {
		byDay[c.Day] = c
	}
	now := s.now().UnixMilli()
	for _, m := range marks {
		c := byDay[m.Day]
		switch {
		case c.SyncedAt >= m.MarkedAt:
			done = append(done, m)
		case !c.Closed && c.ClosesAt > now:
			// Still open: its reconciliation, or its close-out, pulls it.
		default:
			due = append(due, m)
		}
	}
	return due, done, nil
}

// punchPullRecorder is the store's record of punch pulls alone (package store implements it).
type punchPullRecorder interface {
	RecordPunchPulls(ctx context.Context, userIDs []string, day string, at int64) error
}

// MarkPunchesKnown records that kaoqin knew every punch of today's employees as of at: while
// DingTalk's punch events flow, a check-in due by then that no punch answers was missed, as
// after a pull of punch records (see package report, "Live punches").
func (s *Syncer) MarkPunchesKnown(ctx context.Context, at time.Time) error {
	pr, ok := s.store.(punchPullRecorder)
	if !ok {
		return nil
	}
	day := kaoqin.DateOf(at, s.loc)
	users, err := s.rangeUsers(ctx, day, day)
	if err != nil || len(users) == 0 {
		return err
	}
	return pr.RecordPunchPulls(ctx, users, day, at.UnixMilli())
}
