package report

import (
	"context"
	"fmt"
	"slices"

	"github.com/kaoqin/kaoqin"
)

// DaySource is what an employee's day reads: the reports' rows and the punch reports', and
// what getupdatedata said of the day if it was fetched. Package store implements it.
type DaySource interface {
	Source
	KindCoverage(ctx context.Context, kind, from, to string) ([]kaoqin.DayCoverage, error)
	DayDetail(ctx context.Context, userid, day string) (*kaoqin.DayDetail, error)
	// Punches reads the punches whole (place, device, Wi-Fi): the daily report's BriefPunches
	// leave those out.
	Punches(ctx context.Context, f kaoqin.Filter) ([]kaoqin.Punch, error)
}

// DisputedDay is one employee's work day in full, for a day in dispute: the plan, every
// punch (with its method, place and device), DingTalk's result for each check, and the
// approvals behind them. Synced days show what the store holds; a day the store lacks shows
// what getupdatedata said, if it was fetched.
type DisputedDay struct {
	UserID        string  `json:"userid"`
	Name          string  `json:"name"`
	JobNumber     string  `json:"job_number,omitempty"`
	Date          string  `json:"date"`
	Timezone      string  `json:"timezone"`
	DepartmentIDs []int64 `json:"department_ids"`
	// Synced says the day's results (checks and leave) are in the store; Final that they
	// were pulled after the day ended. PunchesSynced and PlansSynced say the same of punches
	// and plans.
	Synced        bool `json:"synced"`
	Final         bool `json:"final"`
	PunchesSynced bool `json:"punches_synced"`
	PlansSynced   bool `json:"plans_synced"`
	SyncedAt      Time `json:"synced_at"`
	// The day as the daily report reads it (only when Synced): the status, presence and
	// counts' words of DailyEmployee, and the checks with live readings.
	Status         string  `json:"status,omitempty"`
	Presence       string  `json:"presence,omitempty"`
	ShiftStart     Time    `json:"shift_start"`
	LateMinutes    int     `json:"late_minutes"`
	OverdueMinutes int     `json:"overdue_minutes"`
	NextOffDuty    Time    `json:"next_off_duty"`
	OnLeave        bool    `json:"on_leave"`
	Plans          []Plan  `json:"plans"`
	Checks         []Check `json:"checks"`
	// Punches are the day's punch records, in time order; Leaves the leave overlapping the
	// day; Approvals the approvals named by its results and punches, and getupdatedata's.
	Punches   []PunchRow    `json:"punches"`
	Leaves    []DayLeave    `json:"leaves"`
	Approvals []DayApproval `json:"approvals"`
	// Detail is what getupdatedata said, when it was fetched (nil otherwise).
	Detail *DayDetailView `json:"detail"`
}

// DayLeave is a leave overlapping the day.
type DayLeave struct {
	Start           Time   `json:"start"`
	End             Time   `json:"end"`
	DurationUnit    string `json:"duration_unit"`
	DurationPercent int64  `json:"duration_percent"`
}

// DayApproval is an approval behind the day: from getupdatedata (with its kind and times), or
// named by a result or a punch (its id only).
type DayApproval struct {
	Tag          string `json:"tag,omitempty"` // 请假, 出差, 外出, 加班, 补卡; "" when only named
	SubType      string `json:"sub_type,omitempty"`
	BizType      int    `json:"biz_type,omitempty"`
	Duration     string `json:"duration,omitempty"`
	DurationUnit string `json:"duration_unit,omitempty"`
	Begin        Time   `json:"begin"`
	End          Time   `json:"end"`
	ApproveID    int64  `json:"approve_id,omitempty"`
	ProcInstID   string `json:"proc_inst_id,omitempty"`
	// From says where kaoqin learned of it: "getupdatedata", "check" or "punch".
	From string `json:"from"`
}

// DayDetailView is a fetched getupdatedata as the day shows it.
type DayDetailView struct {
	FetchedAt Time       `json:"fetched_at"`
	Results   []Check    `json:"results"`
	Punches   []PunchRow `json:"punches"`
	Matched   []int64    `json:"matched"` // the punches that made a result
}

// LoadDay reads employee userid's day. With a scope (Options.DeptIDs) the employee must have
// been a member of it that day: ENOTFOUND otherwise, as for an employee kaoqin does not know.
// A day not synced is no error: its view says what is missing.
func LoadDay(ctx context.Context, src DaySource, userid, day string, opts Options) (*DisputedDay, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	day, err := kaoqin.CheckDate(day, kaoqin.DateOf(opts.Now, opts.Location))
	if err != nil {
		return nil, err
	}
	var in Input
	if in.Departments, err = src.Departments(ctx); err != nil {
		return nil, fmt.Errorf("load departments: %w", err)
	}
	o := newOrg(in.Departments)
	scope, err := o.scope(opts.DeptIDs)
	if err != nil {
		return nil, err
	}
	emps, err := src.Employees(ctx)
	if err != nil {
		return nil, fmt.Errorf("load employees: %w", err)
	}
	i := slices.IndexFunc(emps, func(e kaoqin.Employee) bool { return e.UserID == userid })
	ms, err := src.Memberships(ctx, day, day)
	if err != nil {
		return nil, fmt.Errorf("load memberships of %s: %w", day, err)
	}
	var held []int64
	for _, m := range ms {
		if m.UserID == userid {
			in.Memberships = append(in.Memberships, m)
			held = append(held, m.DeptID)
		}
	}
	slices.Sort(held)
	notFound := kaoqin.Errorf(kaoqin.ENOTFOUND, "employee %q is not known in what you may see on %s", userid, day)
	if i < 0 || (scope != nil && !o.inScope(scope, held)) {
		return nil, notFound
	}
	emp := emps[i]
	in.Employees = []kaoqin.Employee{emp}
	d := &DisputedDay{UserID: userid, Name: emp.Name, JobNumber: emp.JobNumber, Date: day, Timezone: opts.Location.String(),
		DepartmentIDs: nonNil(o.visible(scope, held)), Plans: []Plan{}, Checks: []Check{}, Punches: []PunchRow{},
		Leaves: []DayLeave{}, Approvals: []DayApproval{}}
	f := kaoqin.Filter{From: day, To: day, UserIDs: []string{userid}}
	if in.Coverage, err = src.Coverage(ctx, day, day); err != nil {
		return nil, fmt.Errorf("load coverage of %s: %w", day, err)
	}
	for kind, synced := range map[string]*bool{kaoqin.CoverPunches: &d.PunchesSynced, kaoqin.CoverPlans: &d.PlansSynced} {
		cov, err := src.KindCoverage(ctx, kind, day, day)
		if err != nil {
			return nil, fmt.Errorf("load the coverage of %s of %s: %w", kind, day, err)
		}
		*synced = len(cov) == 1
	}
	if in.Checks, err = src.Checks(ctx, f); err != nil {
		return nil, fmt.Errorf("load checks of %s: %w", day, err)
	}
	if in.Schedules, err = src.Schedules(ctx, f); err != nil {
		return nil, fmt.Errorf("load schedules (plans) of %s: %w", day, err)
	}
	if in.Punches, err = src.Punches(ctx, f); err != nil {
		return nil, fmt.Errorf("load punches of %s: %w", day, err)
	}
	if in.PunchPulls, err = src.PunchPulls(ctx, f); err != nil {
		return nil, fmt.Errorf("load punch pulls of %s: %w", day, err)
	}
	start, end := kaoqin.DayBounds(day, opts.Location)
	leaves, err := src.Leaves(ctx, start.UnixMilli(), end.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("load leaves of %s: %w", day, err)
	}
	for _, l := range leaves {
		if l.UserID == userid {
			in.Leaves = append(in.Leaves, l)
			d.Leaves = append(d.Leaves, DayLeave{Start: at(l.StartTime, opts.Location), End: at(l.EndTime, opts.Location),
				DurationUnit: l.DurationUnit, DurationPercent: l.DurationPercent})
		}
	}
	pa := &planAlloc{loc: opts.Location}
	d.Plans = nonNil(newPlans(in.Schedules, pa))
	if len(in.Coverage) == 1 {
		d.Synced, d.Final, d.SyncedAt = true, in.Coverage[0].Closed, at(in.Coverage[0].SyncedAt, opts.Location)
		o := opts
		o.DeptIDs = nil // the employee is in scope: their line of the company's report
		daily, err := ComputeDaily(in, day, o)
		if err != nil {
			return nil, err
		}
		if e, ok := daily.Employee(userid); ok {
			d.Status, d.Presence, d.OnLeave, d.Checks = e.Status, e.Presence, e.OnLeave, e.Checks
			d.ShiftStart, d.LateMinutes, d.OverdueMinutes, d.NextOffDuty = e.ShiftStart, e.LateMinutes, e.OverdueMinutes, e.NextOffDuty
		}
	} else {
		d.Checks = nonNil(newChecks(in.Checks, opts.Location, opts.Now.UnixMilli()))
	}
	for _, x := range in.Punches {
		d.Punches = append(d.Punches, newPunchRow(x, emp.Name, opts.Location))
	}
	// Approvals: getupdatedata's first (they say what they are), then those only named by a
	// result or a punch, each once (by process instance, else by approval id).
	seen := map[string]bool{}
	key := func(approveID int64, proc string) string {
		if proc != "" {
			return proc
		}
		return fmt.Sprint("#", approveID)
	}
	detail, err := src.DayDetail(ctx, userid, day)
	switch {
	case kaoqin.ErrorCode(err) == kaoqin.ENOTFOUND:
	case err != nil:
		return nil, fmt.Errorf("load the fetched day: %w", err)
	default:
		v := &DayDetailView{FetchedAt: at(detail.FetchedAt, opts.Location), Results: nonNil(newChecks(detail.Results, opts.Location, detail.FetchedAt)),
			Punches: []PunchRow{}, Matched: nonNil(detail.Matched)}
		for _, x := range detail.Punches {
			v.Punches = append(v.Punches, newPunchRow(x, emp.Name, opts.Location))
		}
		d.Detail = v
		for _, a := range detail.Approvals {
			seen[key(0, a.ProcInstID)] = true
			d.Approvals = append(d.Approvals, DayApproval{Tag: a.Tag, SubType: a.SubType, BizType: a.BizType,
				Duration: a.Duration, DurationUnit: a.DurationUnit, Begin: at(a.Begin, opts.Location), End: at(a.End, opts.Location),
				ProcInstID: a.ProcInstID, From: "getupdatedata"})
		}
	}
	named := func(approveID int64, proc, from string) {
		if approveID == 0 && proc == "" {
			return
		}
		if k := key(approveID, proc); !seen[k] {
			seen[k] = true
			d.Approvals = append(d.Approvals, DayApproval{ApproveID: approveID, ProcInstID: proc, From: from})
		}
	}
	for _, c := range in.Checks {
		named(c.ApproveID, c.ProcInstID, "check")
	}
	for _, x := range in.Punches {
		named(x.ApproveID, x.ProcInstID, "punch")
	}
	return d, nil
}
