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
// originator's leave is pulled again; a changed result names a person's day to pull again at
// the next reconciliation (RefetchMarked).

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
// day, and clears the marks: the days before today that were not pulled whole after the mark
// (marks of today wait for the day to end). The days keep their coverage. It runs in the nightly
// reconciliation; it takes the sync lock and keeps within the month's budget (marks it cannot
// afford stay for the next night). It returns how many marks it cleared.
func (s *Syncer) RefetchMarked(ctx context.Context) (int, error) {
	if s.client == nil {
		return 0, errNoClient
	}
	rs, ok := s.store.(refetchStore)
	if !ok {
		return 0, nil
	}
	marks, err := rs.Refetches(ctx)
	if err != nil || len(marks) == 0 {
		return 0, err
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	g, err := s.newGuard(ctx)
	if err != nil {
		return 0, err
	}
	// Today's marks wait for the day to close; a day pulled whole after its marks (the
	// nightly reconciliation) needs no second pull for them.
	today := s.today()
	first, last := marks[0].Day, marks[len(marks)-1].Day
	cov, err := s.store.Coverage(ctx, first, last)
	if err != nil {
		return 0, err
	}
	pulledAt := map[string]int64{}
	for _, c := range cov {
		pulledAt[c.Day] = c.SyncedAt
	}
	byDay := map[string][]kaoqin.Refetch{}
	var done []kaoqin.Refetch
	var days []string
	for _, m := range marks {
		switch {
		case m.Day >= today:
			continue
		case pulledAt[m.Day] >= m.MarkedAt:
			done = append(done, m)
			continue
		}
		if _, ok := byDay[m.Day]; !ok {
			days = append(days, m.Day)
		}
		byDay[m.Day] = append(byDay[m.Day], m)
	}
	if err := rs.ClearRefetches(ctx, done); err != nil {
		return 0, err
	}
	slices.Sort(days)
	cleared := len(done)
	for _, day := range days {
		ms := byDay[day]
		for i := 0; i < len(ms); i += dingtalk.MaxResultUsers {
			part := ms[i:min(i+dingtalk.MaxResultUsers, len(ms))]
			users := make([]string, len(part))
			for j, m := range part {
				users[j] = m.UserID
			}
			d := date(day)
			pulled := s.now().UnixMilli()
			rows, err := s.fetchResults(ctx, dingtalk.Chunk{UserIDs: users, DateRange: dingtalk.DateRange{From: d, To: d}}, g)
			if err != nil {
				return cleared, s.explain(fmt.Errorf("refetch %s of %d people: %w", day, len(users), err), int64(cleared), int64(len(marks)-cleared))
			}
			if _, err := s.store.SaveChecks(ctx, kaoqin.CheckBatch{Scope: kaoqin.Scope{UserIDs: users, From: day, To: day},
				Checks: Checks(rows, s.loc), SyncedAt: pulled}); err != nil {
				return cleared, fmt.Errorf("save the refetched %s: %w", day, err)
			}
			if err := rs.ClearRefetches(ctx, part); err != nil {
				return cleared, err
			}
			cleared += len(part)
		}
	}
	if len(days) > 0 {
		s.log.Info("syncer: days that events marked pulled again", "marks", cleared, "days", len(days))
	}
	return cleared, nil
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
