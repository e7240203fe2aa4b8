package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kaoqin/kaoqin"
)

// Source is what the loader reads: the read side of kaoqin.OrgStore and
// kaoqin.AttendanceStore. Package store implements it.
type Source interface {
	Departments(ctx context.Context) ([]kaoqin.Department, error)
	Employees(ctx context.Context) ([]kaoqin.Employee, error)
	// BriefEmployees are the employees with what the reports read (store's BriefEmployees
	// leaves out the title, the admin flag and the current departments).
	BriefEmployees(ctx context.Context) ([]kaoqin.Employee, error)
	Memberships(ctx context.Context, from, to string) ([]kaoqin.Membership, error)
	Checks(ctx context.Context, f kaoqin.Filter) ([]kaoqin.Check, error)
	// BriefChecks are the checks with what the reports read (store's BriefChecks leaves out
	// the record id, attendance group and source).
	BriefChecks(ctx context.Context, f kaoqin.Filter) ([]kaoqin.Check, error)
	Leaves(ctx context.Context, start, end int64) ([]kaoqin.Leave, error)
	Coverage(ctx context.Context, from, to string) ([]kaoqin.DayCoverage, error)
	Schedules(ctx context.Context, f kaoqin.Filter) ([]kaoqin.Schedule, error)
	// BriefPunches are the punches with what reading them against the plans needs (store's
	// BriefPunches leaves out the place, device and Wi-Fi).
	BriefPunches(ctx context.Context, f kaoqin.Filter) ([]kaoqin.Punch, error)
	PunchPulls(ctx context.Context, f kaoqin.Filter) ([]kaoqin.PunchPull, error)
}

// LoadDaily reads what the daily report of day needs from src and computes it. This and the
// other Load functions are the only code of the package that does I/O.
func LoadDaily(ctx context.Context, src Source, day string, opts Options) (*Daily, error) {
	in, err := load(ctx, src, day, day, opts, nil, true)
	if err != nil {
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
	checks, err := src.BriefChecks(ctx, f)
	if err != nil {
		return fmt.Errorf("load checks of %s: %w", prev, err)
	}
	// All of them, in place of those loadNightBefore read.
	in.Checks = merged(slices.DeleteFunc(in.Checks, func(c kaoqin.Check) bool { return c.WorkDate == prev }), checks, cmpChecks)
	plans, err := src.Schedules(ctx, f)
	if err != nil {
		return fmt.Errorf("load schedules (plans) of %s: %w", prev, err)
	}
	in.Schedules = append(in.Schedules, plans...)
	if !cov[0].Closed {
		punches, err := src.BriefPunches(ctx, f)
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
	// With the plans and punches, as the daily report reads them: a day in progress shows on
	// the calendar as on the board.
	in, err := load(ctx, src, from, to, opts, []string{userid}, true)
	if err != nil {
		return nil, err
	}
	return ComputeCalendar(in, userid, from, to, opts)
}

// Load reads the Input of the reports of [from, to] from src. It checks the coverage first,
// so that a range not synced fails with ENOTSYNCED before anything else is read, and with a
// scope it reads the checks of the scope's members only.
func Load(ctx context.Context, src Source, from, to string, opts Options) (Input, error) {
	return load(ctx, src, from, to, opts, nil, false)
}

// load reads the Input of [from, to]; with live, also the day's plans and, for a day not
// final, its punches and punch pulls: what the daily report reads besides the check results
// (live.go). What tells whether the report can be made is read first; the rest, at once.
func load(ctx context.Context, src Source, from, to string, opts Options, users []string, live bool) (Input, error) {
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
	memberships := func() error {
		if in.Memberships, err = src.Memberships(ctx, from, to); err != nil {
			return fmt.Errorf("load memberships %s..%s: %w", from, to, err)
		}
		return nil
	}
	// The reads of a 100,000-person day take longer than their computing: run them side by
	// side (each on a connection of its own) rather than one after the other.
	g, gctx := errgroup.WithContext(ctx)
	if users == nil && scope != nil {
		// A manager's report reads their people's rows, not the company's.
		if err := memberships(); err != nil {
			return in, err
		}
		users = []string{}
		for _, m := range in.Memberships {
			if i, ok := o.index[m.DeptID]; ok && scope[i] && m.Overlaps(from, to) {
				users = append(users, m.UserID)
			}
		}
		slices.Sort(users)
		users = slices.Compact(users)
	} else {
		g.Go(memberships)
	}
	in.users = users
	f := kaoqin.Filter{From: from, To: to, UserIDs: users}
	var nightBefore []kaoqin.Check
	g.Go(func() (err error) {
		if in.Checks, err = src.BriefChecks(gctx, f); err != nil {
			return fmt.Errorf("load checks %s..%s: %w", from, to, err)
		}
		return nil
	})
	g.Go(func() (err error) {
		// To the end of the day after: the last day's night shift, and its leave, end then.
		start, _ := kaoqin.DayBounds(from, opts.Location)
		_, end := kaoqin.DayBounds(kaoqin.AddDays(to, 1), opts.Location)
		if in.Leaves, err = src.Leaves(gctx, start.UnixMilli(), end.UnixMilli()); err != nil {
			return fmt.Errorf("load leaves %s..%s: %w", from, to, err)
		}
		if users != nil {
			in.Leaves = slices.DeleteFunc(in.Leaves, func(l kaoqin.Leave) bool {
				_, ok := slices.BinarySearch(users, l.UserID)
				return !ok
			})
		}
		nightBefore, err = loadNightBefore(gctx, src, in.Leaves, from, opts.Location, kaoqin.Filter{UserIDs: users})
		return err
	})
	g.Go(func() (err error) {
		if in.Employees, err = src.BriefEmployees(gctx); err != nil {
			return fmt.Errorf("load employees: %w", err)
		}
		return nil
	})
	if live {
		g.Go(func() (err error) {
			if in.Schedules, err = src.Schedules(gctx, f); err != nil {
				return fmt.Errorf("load schedules (plans) of %s: %w", from, err)
			}
			return nil
		})
		if !(len(in.Coverage) == 1 && in.Coverage[0].Closed) {
			g.Go(func() (err error) {
				if in.Punches, err = src.BriefPunches(gctx, f); err != nil {
					return fmt.Errorf("load punches of %s: %w", from, err)
				}
				return nil
			})
			g.Go(func() (err error) {
				if in.PunchPulls, err = src.PunchPulls(gctx, f); err != nil {
					return fmt.Errorf("load punch pulls of %s: %w", from, err)
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return in, err
	}
	in.Checks = merged(in.Checks, nightBefore, cmpChecks)
	return in, nil
}

// checkSource reads checks: Source and SliceSource do.
type checkSource interface {
	BriefChecks(ctx context.Context, f kaoqin.Filter) ([]kaoqin.Check, error)
}

// loadNightBefore reads the checks of the day before from of the people of f with a leave (of
// leaves) on from's calendar day. A night shift of the day before ends that morning, and a
// leave of the night may run into it (01:00-08:00 of a 20:00-08:00 shift, or all of a
// 22:00-06:00 one); the first day of the range begins for them after that shift (view.span),
// so that the night's leave counts on its work date, where DingTalk files it, and not also on
// the morning after. Without such a leave nothing is read.
func loadNightBefore(ctx context.Context, src checkSource, leaves []kaoqin.Leave, from string, loc *time.Location, f kaoqin.Filter) ([]kaoqin.Check, error) {
	_, end := kaoqin.DayBounds(from, loc)
	var users []string
	for _, l := range leaves {
		if l.StartTime < end.UnixMilli() {
			users = append(users, l.UserID)
		}
	}
	if len(users) == 0 {
		return nil, nil
	}
	slices.Sort(users)
	prev := kaoqin.AddDays(from, -1)
	f.From, f.To, f.UserIDs = prev, prev, slices.Compact(users)
	checks, err := src.BriefChecks(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("load checks of %s: %w", prev, err)
	}
	return checks, nil
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
