package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

// API paths a sync calls.
const (
	PathToken     = "/gettoken"
	PathListSub   = "/topapi/v2/department/listsub"
	PathDeptGet   = "/topapi/v2/department/get"
	PathUserList  = "/topapi/v2/user/list"
	PathResults   = "/attendance/list"
	PathLeave     = "/topapi/attendance/getleavestatus"
	resultsPage   = dingtalk.MaxResultLimit
	leavePage     = dingtalk.MaxLeavePage
	userPage      = dingtalk.MaxUserPage
	sampleUsers   = 200 // employees whose stored checks estimate the pages of a plan
	sampleDays    = 14  // and the closed days they are read over
	defaultChecks = 2.0 * 5 / 7
	defaultLeaves = 0.01 // leaves returned per employee-day
)

// Checkpoint kinds.
const (
	kindChecks = "checks"
	kindLeave  = "leave"
)

// PathPlan is what a plan expects of one API path.
type PathPlan struct {
	Path     string `json:"path"`
	Metered  bool   `json:"metered"`
	Chunks   int64  `json:"chunks"`         // units of work still to fetch
	Skipped  int64  `json:"skipped"`        // chunks done by earlier runs (checkpoints)
	MinCalls int64  `json:"min_calls"`      // one call a chunk
	Calls    int64  `json:"expected_calls"` // with the pages the data is expected to need
}

// Plan is what a sync would do and cost, worked out from the store alone, without a call to
// DingTalk.
type Plan struct {
	From        string     `json:"from"`
	To          string     `json:"to"`
	OrgKnown    bool       `json:"org_known"` // the store has an org chart to plan with
	Departments int        `json:"departments"`
	Employees   int        `json:"employees"` // whose attendance the range needs
	Paths       []PathPlan `json:"paths"`
	// The metered calls the attendance needs: at least (one a chunk), and expected (pages
	// estimated from the checks per employee-day stored so far, or 2 checks on 5 days of 7).
	MinMetered      int64   `json:"min_metered"`
	ExpectedMetered int64   `json:"expected_metered"`
	ChecksPerDay    float64 `json:"checks_per_employee_day"`
	EstimateFrom    string  `json:"estimate_from"` // "stored data" or "defaults"
	// DaysFinal are the days of the range already pulled after they had ended: final, and not
	// fetched again (Request.Refetch fetches them).
	DaysFinal int `json:"days_final"`
	// The month's budget: Quota (0: no limit) less the metered calls the ledger holds.
	Month     string `json:"month"`
	Quota     int64  `json:"quota"`
	Used      int64  `json:"used"`
	Remaining int64  `json:"remaining"`
	Note      string `json:"note,omitempty"`

	jobs    []*job
	days    []string // the days to fetch
	partial bool     // some employees only (a live poll): the days are not covered by it
}

// job is one chunk of the plan: one user batch over one window of days, fetched whole and
// saved in one transaction with its checkpoint.
type job struct {
	kind     string
	chunk    dingtalk.Chunk
	from, to string // the chunk's work dates
	key      string // checkpoint key
	doneAt   int64  // when an earlier run finished it after its days had ended; 0: to fetch
	pages    int64  // expected calls
	pulledAt int64  // when this run began to fetch it
}

// checkpointKey names a chunk: its kind, its days and a hash of its sorted userids, so that a
// chunk of other people over the same days is another chunk.
func checkpointKey(kind, from, to string, userIDs []string) string {
	ids := slices.Clone(userIDs)
	slices.Sort(ids)
	h := sha256.Sum256([]byte(strings.Join(ids, "\n")))
	return fmt.Sprintf("%s:%s..%s:%s", kind, from, to, hex.EncodeToString(h[:8]))
}

// Plan works out what Run(ctx, req) would fetch and what it would cost, from the store alone:
// the employees of the stored org chart, the checkpoints of earlier runs, the checks stored
// so far (to estimate pages) and the month's ledger. It makes no call to DingTalk. Without an
// org chart in the store the plan says so in Note and counts no attendance.
func (s *Syncer) Plan(ctx context.Context, req Request) (*Plan, error) {
	from, to, err := Range(req.From, req.To, s.now(), s.loc)
	if err != nil {
		return nil, err
	}
	p, depts, err := s.newPlan(ctx, from, to)
	if err != nil {
		return nil, err
	}
	if !req.NoOrg {
		if err := s.planOrg(ctx, p, depts); err != nil {
			return nil, err
		}
	}
	if req.OrgOnly {
		return p, nil
	}
	if !p.OrgKnown {
		p.Note = "the plan needs the org chart: run kaoqin sync --org-only first (contacts calls are free)"
		return p, nil
	}
	users, err := s.rangeUsers(ctx, from, to)
	if err != nil {
		return nil, err
	}
	p.Employees = len(users)
	if err := s.planAttendance(ctx, p, users, req.Refetch, true); err != nil {
		return nil, err
	}
	return p, nil
}

// newPlan starts a plan of [from, to] with the month's budget and the stored departments.
func (s *Syncer) newPlan(ctx context.Context, from, to string) (*Plan, []kaoqin.Department, error) {
	p := &Plan{From: from, To: to, Month: kaoqin.MonthOf(s.now(), s.loc), Quota: s.quota}
	l, err := s.store.Ledger(ctx, p.Month)
	if err != nil {
		return nil, nil, fmt.Errorf("read the month's ledger: %w", err)
	}
	p.Used = l.Metered
	p.Remaining = p.Quota - p.Used
	depts, err := s.store.Departments(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read the stored departments: %w", err)
	}
	depts = slices.DeleteFunc(depts, func(d kaoqin.Department) bool { return d.RemovedAt != 0 })
	p.OrgKnown, p.Departments = len(depts) > 0, len(depts)
	return p, depts, nil
}

// planOrg adds the free contacts calls of the org pull, as the stored chart predicts them.
func (s *Syncer) planOrg(ctx context.Context, p *Plan, depts []kaoqin.Department) error {
	n := int64(max(len(depts), 1))
	userCalls := n
	if p.OrgKnown {
		today := s.today()
		ms, err := s.store.Memberships(ctx, today, today)
		if err != nil {
			return fmt.Errorf("read the stored memberships: %w", err)
		}
		members := map[int64]int64{}
		for _, m := range ms {
			members[m.DeptID]++
		}
		userCalls = 0
		for _, d := range depts {
			userCalls += max(1, ceilDiv(members[d.ID], userPage))
		}
	}
	p.Paths = append(p.Paths,
		PathPlan{Path: PathListSub, Chunks: n, MinCalls: n, Calls: n},
		PathPlan{Path: PathDeptGet, Chunks: n, MinCalls: n, Calls: n},
		PathPlan{Path: PathUserList, Chunks: n, MinCalls: n, Calls: userCalls},
	)
	return nil
}

// rangeUsers returns the employees whose memberships overlap [from, to], sorted: departed ones
// too, since their past still counts.
func (s *Syncer) rangeUsers(ctx context.Context, from, to string) ([]string, error) {
	ms, err := s.store.Memberships(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("read the memberships of %s..%s: %w", from, to, err)
	}
	users := make([]string, 0, len(ms))
	for _, m := range ms {
		users = append(users, m.UserID)
	}
	slices.Sort(users)
	return slices.Compact(users), nil
}

// planAttendance plans the chunks of checks (50 users × 7 days) and, with leave, of leave
// (100 users × 180 days), marks the ones earlier runs finished, and estimates their calls.
func (s *Syncer) planAttendance(ctx context.Context, p *Plan, users []string, refetch, leave bool) error {
	checksRate, leaveRate, source, err := s.rates(ctx, users)
	if err != nil {
		return err
	}
	p.ChecksPerDay, p.EstimateFrom = checksRate, source
	// Days pulled after they had ended are final: they are not fetched again.
	p.days = kaoqin.Days(p.From, p.To)
	if !refetch {
		cov, err := s.store.Coverage(ctx, p.From, p.To)
		if err != nil {
			return fmt.Errorf("read the coverage of %s..%s: %w", p.From, p.To, err)
		}
		final := map[string]bool{}
		for _, c := range cov {
			final[c.Day] = c.Closed
		}
		p.days = slices.DeleteFunc(p.days, func(d string) bool { return final[d] })
		p.DaysFinal = len(cov) - len(slices.DeleteFunc(cov, func(c kaoqin.DayCoverage) bool { return c.Closed }))
	}
	for _, k := range []struct {
		kind, path     string
		users, days    int
		rate, pageRows float64
	}{
		{kindChecks, PathResults, dingtalk.MaxResultUsers, dingtalk.MaxResultDays, checksRate, resultsPage},
		{kindLeave, PathLeave, dingtalk.MaxLeaveUsers, dingtalk.MaxLeaveDays, leaveRate, leavePage},
	} {
		if k.kind == kindLeave && !leave {
			continue
		}
		pp := PathPlan{Path: k.path, Metered: true}
		done := map[string]int64{}
		var chunks []dingtalk.Chunk
		for _, r := range dayRuns(p.days) {
			chunks = append(chunks, dingtalk.PlanChunks(users, date(r[0]), date(r[1]), k.users, k.days)...)
		}
		for _, ch := range chunks {
			j := &job{kind: k.kind, chunk: ch, from: ch.From.String(), to: ch.To.String()}
			j.key = checkpointKey(k.kind, j.from, j.to, ch.UserIDs)
			prefix := fmt.Sprintf("%s:%s..%s:", k.kind, j.from, j.to)
			if _, read := done[prefix]; !read && !refetch {
				cps, err := s.store.Checkpoints(ctx, prefix)
				if err != nil {
					return fmt.Errorf("read the checkpoints of %s: %w", prefix, err)
				}
				for key, at := range cps {
					done[key] = at
				}
				done[prefix] = 0
			}
			// A checkpoint counts only if the chunk was pulled after its days had ended:
			// closed data is fetched once, a window touching today every time.
			_, end := kaoqin.DayBounds(j.to, s.loc)
			if at := done[j.key]; at >= end.UnixMilli() {
				j.doneAt = at
				pp.Skipped++
			} else {
				rows := float64(len(ch.UserIDs)*ch.Days()) * k.rate
				j.pages = max(1, int64(math.Ceil(rows/k.pageRows)))
				pp.Chunks++
				pp.MinCalls++
				pp.Calls += j.pages
			}
			p.jobs = append(p.jobs, j)
		}
		p.Paths = append(p.Paths, pp)
		p.MinMetered += pp.MinCalls
		p.ExpectedMetered += pp.Calls
	}
	return nil
}

// rates estimates the checks and leaves per employee-day of the chunks to come from what is
// stored: the checks and leave of up to 200 of the employees over the latest 14 closed days
// of the last 60. With nothing stored it assumes 2 checks a day on 5 days of 7, and one leave
// in 100 employee-days.
func (s *Syncer) rates(ctx context.Context, users []string) (checks, leaves float64, source string, err error) {
	today := s.today()
	cov, err := s.store.Coverage(ctx, kaoqin.AddDays(today, -60), today)
	if err != nil {
		return 0, 0, "", fmt.Errorf("read the coverage: %w", err)
	}
	cov = slices.DeleteFunc(cov, func(c kaoqin.DayCoverage) bool { return !c.Closed })
	if len(cov) == 0 || len(users) == 0 {
		return defaultChecks, defaultLeaves, "defaults", nil
	}
	cov = cov[max(0, len(cov)-sampleDays):]
	days := map[string]bool{}
	for _, c := range cov {
		days[c.Day] = true
	}
	sample := users
	if len(users) > sampleUsers {
		sample = make([]string, 0, sampleUsers)
		for i := range sampleUsers {
			sample = append(sample, users[i*len(users)/sampleUsers])
		}
	}
	first, last := cov[0].Day, cov[len(cov)-1].Day
	cs, err := s.store.Checks(ctx, kaoqin.Filter{From: first, To: last, UserIDs: sample})
	if err != nil {
		return 0, 0, "", fmt.Errorf("read stored checks for the estimate: %w", err)
	}
	n := 0
	for _, c := range cs {
		if days[c.WorkDate] {
			n++
		}
	}
	start, _ := kaoqin.DayBounds(first, s.loc)
	_, end := kaoqin.DayBounds(last, s.loc)
	ls, err := s.store.Leaves(ctx, start.UnixMilli(), end.UnixMilli())
	if err != nil {
		return 0, 0, "", fmt.Errorf("read stored leave for the estimate: %w", err)
	}
	nl := 0
	for _, l := range ls {
		if _, ok := slices.BinarySearch(sample, l.UserID); ok {
			nl++
		}
	}
	empDays := float64(len(sample) * len(days))
	return float64(n) / empDays, float64(nl) / empDays, "stored data", nil
}

// Affordable returns nil if the month's budget covers the plan's expected metered calls, and
// otherwise an EQUOTA error that says what the sync needs, what is left and what to do.
func (p *Plan) Affordable() error {
	if p.Quota <= 0 || p.ExpectedMetered <= p.Remaining {
		return nil
	}
	return kaoqin.Errorf(kaoqin.EQUOTA,
		"this sync needs about %d metered DingTalk calls (at least %d) but only %d of this month's %d are left (%d spent, by kaoqin's ledger); "+
			"sync a shorter range, wait for the quota to reset on %s, or raise KAOQIN_DINGTALK_MONTHLY_QUOTA if the org has bought more (kaoqin sync --dry-run shows the plan)",
		p.ExpectedMetered, p.MinMetered, max(0, p.Remaining), p.Quota, p.Used, nextMonth(p.Month))
}

// nextMonth returns the first day of the month after month ("YYYY-MM"): when the quota resets.
func nextMonth(month string) string {
	return kaoqin.AddDays(month+"-01", 31)[:7] + "-01"
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// dayRuns cuts sorted work dates into runs of consecutive days, as [first, last] pairs.
func dayRuns(days []string) [][2]string {
	var runs [][2]string
	for _, d := range days {
		if n := len(runs); n > 0 && kaoqin.AddDays(runs[n-1][1], 1) == d {
			runs[n-1][1] = d
			continue
		}
		runs = append(runs, [2]string{d, d})
	}
	return runs
}
