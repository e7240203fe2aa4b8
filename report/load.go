package report

import (
	"context"
	"fmt"
	"slices"

	"github.com/kaoqin/kaoqin"
)

// Source is what the loader reads: the read side of kaoqin.OrgStore and
// kaoqin.AttendanceStore. Package store implements it.
type Source interface {
	Departments(ctx context.Context) ([]kaoqin.Department, error)
	Employees(ctx context.Context) ([]kaoqin.Employee, error)
	Memberships(ctx context.Context, from, to string) ([]kaoqin.Membership, error)
	Checks(ctx context.Context, f kaoqin.Filter) ([]kaoqin.Check, error)
	Leaves(ctx context.Context, start, end int64) ([]kaoqin.Leave, error)
	Coverage(ctx context.Context, from, to string) ([]kaoqin.DayCoverage, error)
	Schedules(ctx context.Context, f kaoqin.Filter) ([]kaoqin.Schedule, error)
	Punches(ctx context.Context, f kaoqin.Filter) ([]kaoqin.Punch, error)
	PunchPulls(ctx context.Context, f kaoqin.Filter) ([]kaoqin.PunchPull, error)
}

// LoadDaily reads what the daily report of day needs from src and computes it. This and the
// other Load functions are the only code of the package that does I/O.
func LoadDaily(ctx context.Context, src Source, day string, opts Options) (*Daily, error) {
	in, err := Load(ctx, src, day, day, opts)
	if err != nil {
		return nil, err
	}
	if err := loadLive(ctx, src, &in, day); err != nil {
		return nil, err
	}
	if err := loadOvernight(ctx, src, &in, day, opts); err != nil {
		return nil, err
	}
	return ComputeDaily(in, day, opts)
}

// loadOvernight adds the rows of the day before day when a shift of it is still going on at
// opts.Now, by its coverage's latest check (overnight.go): a night shift the board of day
// lists. Days without one cost a read of one coverage row.
func loadOvernight(ctx context.Context, src Source, in *Input, day string, opts Options) error {
	prev := kaoqin.AddDays(day, -1)
	cov, err := src.Coverage(ctx, prev, prev)
	if err != nil {
		return fmt.Errorf("load coverage of %s: %w", prev, err)
	}
	start, _ := kaoqin.DayBounds(day, opts.Location)
	if len(cov) != 1 || cov[0].LastCheckAt < start.UnixMilli() || cov[0].LastCheckAt <= opts.Now.UnixMilli() {
		return nil
	}
	in.Coverage = append(in.Coverage, cov[0])
	f := kaoqin.Filter{From: prev, To: prev, UserIDs: in.users}
	checks, err := src.Checks(ctx, f)
	if err != nil {
		return fmt.Errorf("load checks of %s: %w", prev, err)
	}
	in.Checks = append(in.Checks, checks...)
	plans, err := src.Schedules(ctx, f)
	if err != nil {
		return fmt.Errorf("load schedules (plans) of %s: %w", prev, err)
	}
	in.Schedules = append(in.Schedules, plans...)
	if !cov[0].Closed {
		punches, err := src.Punches(ctx, f)
		if err != nil {
			return fmt.Errorf("load punches of %s: %w", prev, err)
		}
		in.Punches = append(in.Punches, punches...)
		pulls, err := src.PunchPulls(ctx, f)
		if err != nil {
			return fmt.Errorf("load punch pulls of %s: %w", prev, err)
		}
		in.PunchPulls = append(in.PunchPulls, pulls...)
	}
	// The leaves of the night before midnight: those after it are loaded with the day.
	from, _ := kaoqin.DayBounds(prev, opts.Location)
	leaves, err := src.Leaves(ctx, from.UnixMilli(), start.UnixMilli())
	if err != nil {
		return fmt.Errorf("load leaves of %s: %w", prev, err)
	}
	for _, l := range leaves {
		if l.EndTime <= start.UnixMilli() && (in.users == nil || slices.Contains(in.users, l.UserID)) {
			in.Leaves = append(in.Leaves, l)
		}
	}
	return nil
}

// loadLive reads the day's plans and, for a day not final, its punches and punch pulls: what
// the daily report reads besides the check results (live.go).
func loadLive(ctx context.Context, src Source, in *Input, day string) error {
	f := kaoqin.Filter{From: day, To: day, UserIDs: in.users}
	var err error
	if in.Schedules, err = src.Schedules(ctx, f); err != nil {
		return fmt.Errorf("load schedules (plans) of %s: %w", day, err)
	}
	if len(in.Coverage) == 1 && in.Coverage[0].Closed {
		return nil
	}
	if in.Punches, err = src.Punches(ctx, f); err != nil {
		return fmt.Errorf("load punches of %s: %w", day, err)
	}
	if in.PunchPulls, err = src.PunchPulls(ctx, f); err != nil {
		return fmt.Errorf("load punch pulls of %s: %w", day, err)
	}
	return nil
}

// LoadPeriod reads what the period report of [from, to] needs from src and computes it.
func LoadPeriod(ctx context.Context, src Source, from, to string, opts Options) (*Period, error) {
	in, err := Load(ctx, src, from, to, opts)
	if err != nil {
		return nil, err
	}
	if err := loadLeaveByType(ctx, src, &in, from, to); err != nil {
		return nil, err
	}
	return ComputePeriod(in, from, to, opts)
}

// LoadSeries reads what the series of [from, to] needs from src and computes it.
func LoadSeries(ctx context.Context, src Source, from, to string, opts Options) (*Series, error) {
	in, err := Load(ctx, src, from, to, opts)
	if err != nil {
		return nil, err
	}
	return ComputeSeries(in, from, to, opts)
}

// LoadCalendar reads one employee's rows of [from, to] from src and computes their calendar.
func LoadCalendar(ctx context.Context, src Source, userid, from, to string, opts Options) (*Calendar, error) {
	in, err := load(ctx, src, from, to, opts, []string{userid})
	if err != nil {
		return nil, err
	}
	return ComputeCalendar(in, userid, from, to, opts)
}

// Load reads the Input of the reports of [from, to] from src. It checks the coverage first,
// so that a range not synced fails with ENOTSYNCED before anything else is read, and with a
// scope it reads the checks of the scope's members only.
func Load(ctx context.Context, src Source, from, to string, opts Options) (Input, error) {
	return load(ctx, src, from, to, opts, nil)
}

func load(ctx context.Context, src Source, from, to string, opts Options, users []string) (Input, error) {
	var in Input
	if err := opts.check(); err != nil {
		return in, err
	}
	from, to, err := opts.checkRange(from, to)
	if err != nil {
		return in, err
	}
	if in.Coverage, err = src.Coverage(ctx, from, to); err != nil {
		return in, fmt.Errorf("load coverage %s..%s: %w", from, to, err)
	}
	if _, err := coverage(in.Coverage, from, to); err != nil {
		return in, err
	}
	if in.Departments, err = src.Departments(ctx); err != nil {
		return in, fmt.Errorf("load departments: %w", err)
	}
	o := newOrg(in.Departments)
	scope, err := o.scope(opts.DeptIDs)
	if err != nil {
		return in, err
	}
	if in.Memberships, err = src.Memberships(ctx, from, to); err != nil {
		return in, fmt.Errorf("load memberships %s..%s: %w", from, to, err)
	}
	if users == nil && scope != nil {
		// A manager's report reads their people's checks, not the company's.
		users = []string{}
		for _, m := range in.Memberships {
			if i, ok := o.index[m.DeptID]; ok && scope[i] && m.Overlaps(from, to) {
				users = append(users, m.UserID)
			}
		}
		slices.Sort(users)
		users = slices.Compact(users)
	}
	in.users = users
	if in.Checks, err = src.Checks(ctx, kaoqin.Filter{From: from, To: to, UserIDs: users}); err != nil {
		return in, fmt.Errorf("load checks %s..%s: %w", from, to, err)
	}
	// To the end of the day after: the last day's night shift, and its leave, end then.
	start, _ := kaoqin.DayBounds(from, opts.Location)
	_, end := kaoqin.DayBounds(kaoqin.AddDays(to, 1), opts.Location)
	if in.Leaves, err = src.Leaves(ctx, start.UnixMilli(), end.UnixMilli()); err != nil {
		return in, fmt.Errorf("load leaves %s..%s: %w", from, to, err)
	}
	if users != nil {
		in.Leaves = slices.DeleteFunc(in.Leaves, func(l kaoqin.Leave) bool {
			_, ok := slices.BinarySearch(users, l.UserID)
			return !ok
		})
	}
	if in.Employees, err = src.Employees(ctx); err != nil {
		return in, fmt.Errorf("load employees: %w", err)
	}
	return in, nil
}

// loadLeaveByType reads what the period report of [from, to] shows of leave by type.
func loadLeaveByType(ctx context.Context, src Source, in *Input, from, to string) error {
	var err error
	if in.LeaveTypes, err = loadLeaveTypes(ctx, src, from, to); err != nil {
		return err
	}
	in.LeaveTimes, err = loadLeaveTimes(ctx, src, in.LeaveTypes, kaoqin.Filter{From: from, To: to, UserIDs: in.users})
	return err
}
