package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
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
	PathRecords   = "/attendance/listRecord"
	PathByUsers   = "/topapi/attendance/schedule/listbyusers"
	PathDaySched  = "/topapi/attendance/listschedule"
	resultsPage   = dingtalk.MaxResultLimit
	schedulePage  = dingtalk.MaxSchedulePage
	defaultPlans  = (2.0*5 + 2) / 7 // plans per employee-day: 2 checks on 5 days, a rest plan on 2
	leavePage     = dingtalk.MaxLeavePage
	userPage      = dingtalk.MaxUserPage
	sampleUsers   = 200 // employees whose stored checks estimate the pages of a plan
	sampleDays    = 14  // and the closed days they are read over
	defaultChecks = 2.0 * 5 / 7
	defaultLeaves = 0.01 // leaves returned per employee-day
)

// Checkpoint kinds: each is saved apart, and checks and leave together cover a day's results
// (Coverage), punches and plans each their own (KindCoverage).
const (
	kindChecks  = "checks"
	kindLeave   = "leave"
	kindPunches = "punches"
	kindPlans   = "plans"
)

// coverOf is the coverage a kind of chunk counts toward: "" for the results (checks and leave).
func coverOf(kind string) string {
	switch kind {
	case kindPunches:
		return kaoqin.CoverPunches
	case kindPlans:
		return kaoqin.CoverPlans
	}
	return ""
}

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
	PlansPerDay     float64 `json:"plans_per_employee_day,omitempty"`
	EstimateFrom    string  `json:"estimate_from"` // "stored data" or "defaults"
	// Punches and Plans say whether the sync pulls them (KAOQIN_SYNC_PUNCHES, KAOQIN_SYNC_PLANS,
	// --no-punches, --no-plans); PlansWith is the path it pulls plans with: listbyusers (50
	// people x 7 days a call, on behalf of OpUserID, an administrator) or listschedule (the whole
	// company one day at a time, 200 rows a page), whichever costs less for the days.
	Punches   bool     `json:"punches"`
	Plans     bool     `json:"plans"`
	PlansWith []string `json:"plans_with,omitempty"`
	OpUserID  string   `json:"op_user_id,omitempty"`
	// DaysFinal are the days of the range already final (pulled after they closed: after
	// they ended and their last check's late window passed) with nothing due: not fetched
	// again (Request.Refetch fetches them). DaysLastPull are final days whose last pull is due
	// (Config.LastPullAge): fetched once more, whole. DaysClosing are days pulled after they
	// ended while a night shift was still open, closed since: only the people whose shift was
	// open then are fetched again (PeopleClosing person-days), and the days become final.
	DaysFinal     int `json:"days_final"`
	DaysLastPull  int `json:"days_last_pull"`
	DaysClosing   int `json:"days_closing"`
	PeopleClosing int `json:"people_closing"`
	// The month's budget: Quota (0: no limit) less the metered calls the ledger holds.
	Month     string `json:"month"`
	Quota     int64  `json:"quota"`
	Used      int64  `json:"used"`
	Remaining int64  `json:"remaining"`
	Note      string `json:"note,omitempty"`

	jobs []*job
	days map[string][]string // per coverage ("" results, punches, plans): the days to fetch whole
	// closing holds, per coverage, the days of a close-out and when they were pulled whole.
	closing map[string]map[string]int64
	open    map[string][]string // per close-out day: the people still open when it was pulled whole
	due     map[string]map[string]int64
	last    map[string]int64 // per day: its latest check, as the store knows it
	partial bool             // some employees only (a live poll): the days are not covered by it
}

// job is one chunk of the plan: one user batch over one window of days, fetched whole and
// saved in one transaction with its checkpoint.
type job struct {
	kind     string
	daily    bool   // plans of the whole company for one day (listschedule), chunk.UserIDs the ones kept
	opUser   string // plans by listbyusers: the administrator they are asked on behalf of
	chunk    dingtalk.Chunk
	from, to string // the chunk's work dates
	key      string // checkpoint key
	doneAt   int64  // when an earlier run finished it after its days had ended; 0: to fetch
	pages    int64  // expected calls
	pulledAt int64  // when this run began to fetch it
	closes   int64  // when its days close, as the plan knew it: a pull before is of days still open
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
	if err := s.planAttendance(ctx, p, users, req.Refetch, s.wants(req, true)); err != nil {
		return nil, err
	}
	return p, nil
}

// wants is what a pull fetches besides the check results: leave (a full pull), punches and
// plans (unless turned off in the Config or the Request).
type wants struct{ checks, leave, punches, plans bool }

func (s *Syncer) wants(req Request, full bool) wants {
	return wants{checks: true, leave: full, punches: !s.noPunches && !req.NoPunches, plans: !s.noPlans && !req.NoPlans}
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

// planAttendance plans the chunks of what w asks for: checks (50 users x 7 days), leave (100
// users x 180 days), punches (50 x 7, one listRecord call each) and plans (listbyusers, 50 x 7,
// or listschedule, the company a day, whichever costs less); marks the ones earlier runs
// finished, and estimates their calls. Days each kind has already pulled after they ended are
// final for that kind and left out.
func (s *Syncer) planAttendance(ctx context.Context, p *Plan, users []string, refetch bool, w wants) error {
	r, err := s.rates(ctx, users)
	if err != nil {
		return err
	}
	p.ChecksPerDay, p.EstimateFrom = r.checks, r.source
	p.Punches, p.Plans = w.punches, w.plans
	if w.plans {
		p.PlansPerDay = r.plans
		if p.OpUserID, err = s.opUser(ctx); err != nil {
			return err
		}
	}
	if err := s.planDays(ctx, p, users, refetch); err != nil {
		return err
	}
	done := map[string]int64{}
	read := map[string]bool{}
	lines := map[string]*PathPlan{}
	var order []string
	add := func(kind, path string, ch dingtalk.Chunk, daily bool, calls int64) error {
		j := &job{kind: kind, daily: daily, chunk: ch, from: ch.From.String(), to: ch.To.String(), opUser: p.OpUserID}
		j.key = checkpointKey(kind, j.from, j.to, ch.UserIDs)
		prefix := fmt.Sprintf("%s:%s..%s:", kind, j.from, j.to)
		if !read[prefix] && !refetch {
			cps, err := s.store.Checkpoints(ctx, prefix)
			if err != nil {
				return fmt.Errorf("read the checkpoints of %s: %w", prefix, err)
			}
			for key, at := range cps {
				done[key] = at
			}
			read[prefix] = true
		}
		pp := lines[path]
		if pp == nil {
			pp = &PathPlan{Path: path, Metered: true}
			lines[path] = pp
			order = append(order, path)
		}
		// A checkpoint counts only if the chunk was pulled when its days needed no more: after
		// they closed (or after their last pull was due). A window touching today is fetched
		// every time.
		for _, d := range kaoqin.Days(j.from, j.to) {
			j.closes = max(j.closes, s.final.closesAt(d, p.last[d]))
		}
		if at := done[j.key]; at > 0 && at >= p.dueAt(coverOf(kind), j.from, j.to) {
			j.doneAt = at
			pp.Skipped++
		} else {
			j.pages = max(1, calls)
			pp.Chunks++
			pp.MinCalls++
			pp.Calls += j.pages
		}
		p.jobs = append(p.jobs, j)
		return nil
	}
	// The chunks of a kind: its whole days, everyone, then its close-outs, the people still
	// open on each day.
	chunks := func(cover string, perCall, maxDays int) []dingtalk.Chunk {
		var out []dingtalk.Chunk
		for _, run := range dayRuns(p.days[cover]) {
			out = append(out, dingtalk.PlanChunks(users, date(run[0]), date(run[1]), perCall, maxDays)...)
		}
		for _, d := range slices.Sorted(maps.Keys(p.closing[cover])) {
			out = append(out, dingtalk.PlanChunks(p.open[d], date(d), date(d), perCall, 1)...)
		}
		return out
	}
	pages := func(ch dingtalk.Chunk, rate, pageRows float64) int64 {
		return int64(math.Ceil(float64(len(ch.UserIDs)*ch.Days()) * rate / pageRows))
	}
	if w.checks {
		for _, ch := range chunks("", dingtalk.MaxResultUsers, dingtalk.MaxResultDays) {
			if err := add(kindChecks, PathResults, ch, false, pages(ch, r.checks, resultsPage)); err != nil {
				return err
			}
		}
	}
	if w.leave {
		for _, ch := range chunks("", dingtalk.MaxLeaveUsers, dingtalk.MaxLeaveDays) {
			if err := add(kindLeave, PathLeave, ch, false, pages(ch, r.leaves, leavePage)); err != nil {
				return err
			}
		}
	}
	if w.punches {
		// listRecord selects punches by their time: a chunk asks for a day more than its work
		// dates, for the check-outs of their night shifts, within its 7 x 24 hours.
		for _, ch := range chunks(kaoqin.CoverPunches, dingtalk.MaxResultUsers, dingtalk.MaxResultDays-1) {
			if err := add(kindPunches, PathRecords, ch, false, 1); err != nil {
				return err
			}
		}
	}
	if w.plans && len(users) > 0 {
		// Per run of days, the cheaper path: listbyusers costs a call per 50 people and 7 days,
		// listschedule a call per 200 plans of the company and day (whoever is asked about).
		perDay := max(1, int64(math.Ceil(float64(len(users))*r.plans/schedulePage)))
		planRun := func(who []string, from, to string) error {
			n := int64(len(kaoqin.Days(from, to)))
			byUsers := ceilDiv(int64(len(who)), dingtalk.MaxScheduleUsers) * ceilDiv(n, dingtalk.MaxScheduleDays)
			if plansByUsers(p.OpUserID, byUsers, n, perDay) {
				for _, ch := range dingtalk.PlanChunks(who, date(from), date(to), dingtalk.MaxScheduleUsers, dingtalk.MaxScheduleDays) {
					if err := add(kindPlans, PathByUsers, ch, false, 1); err != nil {
						return err
					}
				}
				return nil
			}
			for _, d := range kaoqin.Days(from, to) {
				ch := dingtalk.Chunk{UserIDs: who, DateRange: dingtalk.DateRange{From: date(d), To: date(d)}}
				if err := add(kindPlans, PathDaySched, ch, true, perDay); err != nil {
					return err
				}
			}
			return nil
		}
		for _, run := range dayRuns(p.days[kaoqin.CoverPlans]) {
			if err := planRun(users, run[0], run[1]); err != nil {
				return err
			}
		}
		for _, d := range slices.Sorted(maps.Keys(p.closing[kaoqin.CoverPlans])) {
			if err := planRun(p.open[d], d, d); err != nil {
				return err
			}
		}
	}
	for _, path := range order {
		pp := lines[path]
		p.Paths = append(p.Paths, *pp)
		p.MinMetered += pp.MinCalls
		p.ExpectedMetered += pp.Calls
		if path == PathByUsers || path == PathDaySched {
			p.PlansWith = append(p.PlansWith, path)
		}
	}
	return nil
}

// plansByUsers says whether a run of days of plans is read with listbyusers (byUsers calls, on
// behalf of op) rather than listschedule (perDay pages a day, for each of days): the cheaper
// one, if there is an administrator to ask on behalf of. But listschedule pages through the
// whole company, and the client stops at dingtalk.MaxPages pages: a company of 100,000 has
// about 1,000 a day. From half of that estimated (the estimate may be low), listbyusers, though
// it costs more.
func plansByUsers(op string, byUsers, days, perDay int64) bool {
	return op != "" && (byUsers <= days*perDay || perDay > dingtalk.MaxPages/2)
}

// opUser returns the userid the plans API is called on behalf of: Config.OpUserID, or the
// first administrator of the stored org chart. "" when there is none: plans then come from
// listschedule, which needs nobody.
func (s *Syncer) opUser(ctx context.Context) (string, error) {
	if s.opUserID != "" {
		return s.opUserID, nil
	}
	emps, err := s.store.Employees(ctx)
	if err != nil {
		return "", fmt.Errorf("read the stored employees: %w", err)
	}
	for _, e := range emps {
		if e.Admin && e.LeftAt == 0 {
			return e.UserID, nil
		}
	}
	return "", nil
}

// estimates are the rows per employee-day a plan expects, and where the figures come from.
type estimates struct {
	checks, leaves, plans float64
	source                string
}

// rates estimates the checks, leaves and plans per employee-day of the chunks to come from
// what is stored: the rows of up to 200 of the employees over the latest 14 closed days of the
// last 60. With nothing stored it assumes 2 checks a day on 5 days of 7, one leave in 100
// employee-days, and 2 plans on 5 days and a rest plan on 2.
func (s *Syncer) rates(ctx context.Context, users []string) (estimates, error) {
	def := estimates{defaultChecks, defaultLeaves, defaultPlans, "defaults"}
	today := s.today()
	cov, err := s.store.Coverage(ctx, kaoqin.AddDays(today, -60), today)
	if err != nil {
		return def, fmt.Errorf("read the coverage: %w", err)
	}
	cov = slices.DeleteFunc(cov, func(c kaoqin.DayCoverage) bool { return !c.Closed })
	if len(cov) == 0 || len(users) == 0 {
		return def, nil
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
	f := kaoqin.Filter{From: first, To: last, UserIDs: sample}
	cs, err := s.store.Checks(ctx, f)
	if err != nil {
		return def, fmt.Errorf("read stored checks for the estimate: %w", err)
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
		return def, fmt.Errorf("read stored leave for the estimate: %w", err)
	}
	nl := 0
	for _, l := range ls {
		if _, ok := slices.BinarySearch(sample, l.UserID); ok {
			nl++
		}
	}
	empDays := float64(len(sample) * len(days))
	e := estimates{float64(n) / empDays, float64(nl) / empDays, defaultPlans, "stored data"}
	// Plans, from the days whose plans were pulled; the default without.
	pcov, err := s.store.KindCoverage(ctx, kaoqin.CoverPlans, first, last)
	if err != nil {
		return def, fmt.Errorf("read the plans' coverage: %w", err)
	}
	if len(pcov) > 0 {
		planned := map[string]bool{}
		for _, c := range pcov {
			planned[c.Day] = true
		}
		ss, err := s.store.Schedules(ctx, f)
		if err != nil {
			return def, fmt.Errorf("read stored plans for the estimate: %w", err)
		}
		np := 0
		for _, x := range ss {
			if planned[x.WorkDate] {
				np++
			}
		}
		e.plans = float64(np) / float64(len(sample)*len(pcov))
	}
	return e, nil
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
