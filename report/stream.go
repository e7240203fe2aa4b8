package report

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kaoqin/kaoqin"
)

// SliceSource is a Source that also reads one slice of the company at a time: the employees
// whose userids fall in (Filter.After, Filter.Through]. Package store implements it.
type SliceSource interface {
	Source
	// EmployeesAfter returns the first limit employees whose userids sort after after, by userid.
	EmployeesAfter(ctx context.Context, after string, limit int) ([]kaoqin.Employee, error)
	// MembershipsOf returns the memberships of f's employees that held on any day of
	// [f.From, f.To], sorted by UserID, DeptID, From.
	MembershipsOf(ctx context.Context, f kaoqin.Filter) ([]kaoqin.Membership, error)
	// LeavesOf returns the leaves of f's employees overlapping [start, end) (unix ms), sorted
	// by UserID, StartTime.
	LeavesOf(ctx context.Context, f kaoqin.Filter, start, end int64) ([]kaoqin.Leave, error)
}

// SliceSize is how many employees a PeriodStream reads and computes at a time. The memory of
// a period report is about that many employees' checks over the range, whatever the size of
// the company: 1,000 people over a month is 62,000 checks, about 10 MB.
const SliceSize = 1000

// PeriodStream is the period report of a range, computed a slice of the company at a time as
// it is written: employees are read from the source SliceSize at a time, in userid order, and
// each slice's lines go to the writer before the next is read. Its memory does not grow with
// the company (a month of 100,000 people is written in about the memory of 10,000), where a
// Period holds every check of the range.
//
// It is a Report: Write, WriteJSON, WriteCSV and WriteXLSX write it exactly as they write the
// Period that LoadPeriod returns for the same data. It reads the source each time it is
// walked or written, with the context it was opened with; the JSON lists the employees before
// the company and department lines, which are known only once every employee is counted.
type PeriodStream struct {
	ctx  context.Context
	src  SliceSource
	opts Options
	head *Period // the report's own fields
	org  *org
	// scope is the department scope of opts.DeptIDs (nil: the company).
	scope []bool
	size  int
	done  *Period // the company and department lines, once walked to the end
}

// OpenPeriod prepares the period report of [from, to] from src. It reads what tells whether
// the report can be made (the days synced, the departments) and fails as LoadPeriod does:
// ENOTSYNCED naming the days not synced, EINVALID for bad dates and ENOTFOUND for an unknown
// department. The rest is read as the report is walked or written.
func OpenPeriod(ctx context.Context, src SliceSource, from, to string, opts Options) (*PeriodStream, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	from, to, err := opts.checkRange(from, to)
	if err != nil {
		return nil, err
	}
	cov, err := src.Coverage(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("load coverage %s..%s: %w", from, to, err)
	}
	if cov, err = coverage(cov, from, to); err != nil {
		return nil, err
	}
	depts, err := src.Departments(ctx)
	if err != nil {
		return nil, fmt.Errorf("load departments: %w", err)
	}
	o := newOrg(depts)
	scope, err := o.scope(opts.DeptIDs)
	if err != nil {
		return nil, err
	}
	head := newPeriod(from, to, opts, final(cov), o)
	if head.LeaveTypes, err = loadLeaveTypes(ctx, src, from, to); err != nil {
		return nil, err
	}
	return &PeriodStream{ctx: ctx, src: src, opts: opts, head: head, org: o, scope: scope, size: SliceSize}, nil
}

// Walk computes the report: it passes every employee's line to fn, in userid order, and
// returns the report's own fields with the company and department lines (Employees nil).
// fn must not keep e. Walk stops at fn's first error and returns it.
func (s *PeriodStream) Walk(fn func(e *PeriodEmployee) error) (*Period, error) {
	from, to := s.head.From, s.head.To
	first, _ := kaoqin.DayBounds(from, s.opts.Location)
	_, end := kaoqin.DayBounds(kaoqin.AddDays(to, 1), s.opts.Location) // the last day's night shift ends then
	start := first.UnixMilli()
	sum := newPeriodSum(s.org, s.scope, start, s.head.LeaveTypes)
	for after := ""; ; {
		in, f, err := s.slice(after, start, end.UnixMilli())
		if err != nil {
			return nil, err
		}
		v, err := newViewIn(s.org, in, from, to, s.opts)
		if err != nil {
			return nil, err
		}
		if err := sum.add(v, fn); err != nil {
			return nil, err
		}
		if f.Through == "" {
			break
		}
		after = f.Through
	}
	r := *s.head
	sum.finish(&r)
	s.done = &r
	return &r, nil
}

// slice reads the rows of the next slice of the company: the next s.size employees after
// after, and the rows of the userids from after to the last of them (to the end of the
// userids when there are fewer: the last slice).
func (s *PeriodStream) slice(after string, start, end int64) (Input, kaoqin.Filter, error) {
	var in Input
	ctx, from, to := s.ctx, s.head.From, s.head.To
	f := kaoqin.Filter{From: from, To: to, After: after}
	emps, err := s.src.EmployeesAfter(ctx, after, s.size)
	if err != nil {
		return in, f, fmt.Errorf("load employees: %w", err)
	}
	if len(emps) == s.size {
		f.Through = emps[len(emps)-1].UserID
	}
	in.Employees = emps
	if in.Memberships, err = s.src.MembershipsOf(ctx, f); err != nil {
		return in, f, fmt.Errorf("load memberships %s..%s: %w", from, to, err)
	}
	if s.scope != nil {
		// A manager's report reads their people's rows, not the company's.
		users := []string{}
		for _, m := range in.Memberships {
			if i, ok := s.org.index[m.DeptID]; ok && s.scope[i] && m.Overlaps(from, to) {
				users = append(users, m.UserID)
			}
		}
		if len(users) == 0 {
			return in, f, nil
		}
		f.UserIDs = slices.Compact(users) // sorted by userid already
	}
	if in.Checks, err = s.src.BriefChecks(ctx, f); err != nil {
		return in, f, fmt.Errorf("load checks %s..%s: %w", from, to, err)
	}
	if in.Leaves, err = s.src.LeavesOf(ctx, f, start, end); err != nil {
		return in, f, fmt.Errorf("load leaves %s..%s: %w", from, to, err)
	}
	night, err := loadNightBefore(ctx, s.src, in.Leaves, from, s.opts.Location, f)
	if err != nil {
		return in, f, err
	}
	in.Checks = merged(in.Checks, night, cmpChecks)
	in.LeaveTypes = s.head.LeaveTypes
	if in.LeaveTimes, err = loadLeaveTimes(ctx, s.src, in.LeaveTypes, f); err != nil {
		return in, f, err
	}
	return in, f, nil
}

// Period returns the report's own fields (Employees, Company and Departments empty).
func (s *PeriodStream) Period() *Period {
	r := *s.head
	return &r
}

// periodLines is a period report as its writers read it: a Period held in memory, or a
// PeriodStream computed as it is written.
type periodLines interface {
	// header returns the report's own fields.
	header() *Period
	tree() *org
	// walk passes every employee line to fn in userid order, then returns the report with its
	// company and department lines.
	walk(fn func(e *PeriodEmployee) error) (*Period, error)
	// totals returns the report with its company and department lines, walking it if need be.
	totals() (*Period, error)
}

func (r *Period) header() *Period { return r }
func (r *Period) tree() *org      { return r.org }

func (r *Period) walk(fn func(e *PeriodEmployee) error) (*Period, error) {
	for i := range r.Employees {
		if err := fn(&r.Employees[i]); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *Period) totals() (*Period, error) { return r, nil }

func (s *PeriodStream) header() *Period { return s.head }
func (s *PeriodStream) tree() *org      { return s.org }

func (s *PeriodStream) walk(fn func(e *PeriodEmployee) error) (*Period, error) { return s.Walk(fn) }

func (s *PeriodStream) totals() (*Period, error) {
	if s.done != nil {
		return s.done, nil
	}
	return s.Walk(func(*PeriodEmployee) error { return nil })
}

// errStopped ends a walk whose reader stopped reading.
var errStopped = errors.New("report: stopped")
