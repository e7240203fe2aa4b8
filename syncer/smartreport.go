package syncer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

// DingTalk's own report (智能报表), read within the month's budget: for leave by type
// (leavetypes.go) and for package reconcile, which compares it with kaoqin's reports.

// API paths of the report.
const (
	PathSmartReport   = "/topapi/attendance/isopensmartreport"
	PathReportColumns = "/topapi/attendance/getattcolumns"
	PathColumnValues  = "/topapi/attendance/getcolumnval"
	PathLeaveTimes    = "/topapi/attendance/getleavetimebynames"
	PathVacationTypes = "/topapi/attendance/vacation/type/list"
)

// ReportColumn is a column of DingTalk's report: a leave column has no id, and its values
// come by name.
type ReportColumn struct {
	ID    int64  `json:"id,omitempty"`
	Name  string `json:"name"`
	Alias string `json:"alias,omitempty"`
	Leave bool   `json:"leave,omitempty"`
}

// ReportReader reads DingTalk's report for one job, asking the month's budget before every
// call: a call that would take the month past the quota is never made (EQUOTA). Every call is
// booked in the ledger, as every call of the Syncer is.
type ReportReader struct {
	s *Syncer
	g *guard
}

// ReportReader returns a reader whose budget is what the month has left now.
func (s *Syncer) ReportReader(ctx context.Context) (*ReportReader, error) {
	if s.client == nil {
		return nil, errNoClient
	}
	l, err := s.store.Ledger(ctx, kaoqin.MonthOf(s.now(), s.loc))
	if err != nil {
		return nil, fmt.Errorf("read the month's ledger: %w", err)
	}
	return &ReportReader{s: s, g: &guard{quota: s.quota, used0: l.Metered, books: s.books, m0: s.books.metered()}}, nil
}

// Books returns the books of the Syncer's calls.
func (s *Syncer) Books() *Books { return s.books }

// Quota returns the quota's month, the monthly quota (0: none) and the metered calls spent
// this month by the ledger.
func (s *Syncer) Quota(ctx context.Context) (month string, quota, used int64, err error) {
	month = kaoqin.MonthOf(s.now(), s.loc)
	l, err := s.store.Ledger(ctx, month)
	if err != nil {
		return month, s.quota, 0, fmt.Errorf("read the month's ledger: %w", err)
	}
	return month, s.quota, l.Metered, nil
}

// call runs one metered call within the budget.
func call[T any](r *ReportReader, fn func() (T, *dingtalk.Response, error)) (T, error) {
	var zero T
	if err := r.g.take(); err != nil {
		return zero, r.s.budgetError(err)
	}
	defer r.g.release()
	v, _, err := fn()
	if dingtalk.IsQuotaExhausted(err) {
		return zero, r.s.explain(err, 0, 0)
	}
	return v, err
}

// budgetError turns the guard's refusal into the line the user reads.
func (s *Syncer) budgetError(err error) error {
	if !errors.Is(err, errBudget) {
		return err
	}
	month := kaoqin.MonthOf(s.now(), s.loc)
	return kaoqin.Errorf(kaoqin.EQUOTA,
		"stopped before going past KAOQIN_DINGTALK_MONTHLY_QUOTA (%d metered calls this month); the quota resets on %s, or raise KAOQIN_DINGTALK_MONTHLY_QUOTA if the org has bought more",
		s.quota, nextMonth(month))
}

// Columns checks that the org has the smart report and returns its columns (2 calls).
func (r *ReportReader) Columns(ctx context.Context) ([]ReportColumn, error) {
	open, err := call(r, func() (bool, *dingtalk.Response, error) { return r.s.client.Attendance.IsSmartReportOpen(ctx) })
	if err != nil {
		return nil, fmt.Errorf("ask whether the smart report is on: %w", err)
	}
	if !open {
		return nil, kaoqin.Errorf(kaoqin.EUNAVAILABLE,
			"the org has not turned on DingTalk's smart report (智能报表): turn it on in DingTalk's attendance admin (考勤打卡 > 报表), then run this again")
	}
	cols, err := call(r, func() ([]dingtalk.ReportColumn, *dingtalk.Response, error) {
		return r.s.client.Attendance.ReportColumns(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("read the report's columns: %w", err)
	}
	out := make([]ReportColumn, 0, len(cols))
	for _, c := range cols {
		out = append(out, ReportColumn{ID: int64(c.ID), Name: c.Name, Alias: c.Alias, Leave: c.IsLeave()})
	}
	return out, nil
}

// VacationTypes returns the units of the org's leave types by name (kaoqin.LeaveUnitDay or
// LeaveUnitHour), read as opUserID (1 call).
func (r *ReportReader) VacationTypes(ctx context.Context, opUserID string) (map[string]string, error) {
	types, err := call(r, func() ([]dingtalk.VacationType, *dingtalk.Response, error) {
		return r.s.client.Attendance.VacationTypes(ctx, opUserID)
	})
	if err != nil {
		return nil, fmt.Errorf("read the leave types as %s: %w", opUserID, err)
	}
	units := map[string]string{}
	for _, t := range types {
		switch t.LeaveViewUnit {
		case dingtalk.LeaveUnitDay, dingtalk.LeaveUnitHalfDay:
			units[t.LeaveName] = kaoqin.LeaveUnitDay
		case dingtalk.LeaveUnitHour:
			units[t.LeaveName] = kaoqin.LeaveUnitHour
		}
	}
	return units, nil
}

// DayValues are one person's values of DingTalk's report: by column (a column's id, or a
// leave type's name), by work date. Days with 0 are left out.
type DayValues map[string]map[string]float64

// Sum adds up one column's days.
func (v DayValues) Sum(column string) float64 {
	var s float64
	for _, x := range v[column] {
		s += x
	}
	return s
}

// ColumnKey is how DayValues name a column with an id.
func ColumnKey(id int64) string { return fmt.Sprintf("#%d", id) }

// Windows returns the calls that cover [from, to] for one person: windows of at most 31 days.
func Windows(from, to string) [][2]string {
	var out [][2]string
	for _, w := range dingtalk.SplitDays(date(from), date(to), dingtalk.MaxReportDays) {
		out = append(out, [2]string{w.From.String(), w.To.String()})
	}
	return out
}

// ReportCalls is the calls of reading n things (columns or leave names) of one person over
// [from, to]: one a window of 31 days and 20 things.
func ReportCalls(n int, from, to string) int64 {
	if n == 0 {
		return 0
	}
	return int64(len(Windows(from, to))) * int64(math.Ceil(float64(n)/dingtalk.MaxReportColumns))
}

// Values reads one person's daily values of the columns (by id) over [from, to] into v, a
// call per 31 days and 20 columns. It reports whether DingTalk had anything for the person:
// nothing is what it answers for people who have left.
func (r *ReportReader) Values(ctx context.Context, userID string, ids []int64, from, to string, v DayValues) (bool, error) {
	found := false
	for _, w := range Windows(from, to) {
		for batch := range slices.Chunk(ids, dingtalk.MaxReportColumns) {
			opts := &dingtalk.ReportOptions{UserID: userID, From: date(w[0]), To: date(w[1])}
			vals, err := call(r, func() ([]dingtalk.ColumnValues, *dingtalk.Response, error) {
				return r.s.client.Attendance.ColumnValues(ctx, opts, batch)
			})
			if err != nil {
				return found, fmt.Errorf("DingTalk's report of %s %s..%s: %w", userID, w[0], w[1], err)
			}
			for _, cv := range vals {
				found = true
				v.add(ColumnKey(cv.ColumnID), cv.Days)
			}
		}
	}
	return found, nil
}

// Leave reads one person's daily leave of the named types over [from, to] into v, a call per
// 31 days and 20 names; days older than DingTalk serves (225 days) are left out. It reports
// whether DingTalk had anything for the person.
func (r *ReportReader) Leave(ctx context.Context, userID string, names []string, from, to string, v DayValues) (bool, error) {
	if oldest := kaoqin.AddDays(kaoqin.DateOf(r.s.now(), r.s.loc), -dingtalk.MaxLeaveTimeDaysBack); from < oldest {
		from = oldest
	}
	found := false
	if len(names) == 0 || from > to {
		return found, nil
	}
	for _, w := range Windows(from, to) {
		for batch := range slices.Chunk(names, dingtalk.MaxReportColumns) {
			opts := &dingtalk.ReportOptions{UserID: userID, From: date(w[0]), To: date(w[1])}
			times, err := call(r, func() ([]dingtalk.LeaveTime, *dingtalk.Response, error) {
				return r.s.client.Attendance.LeaveTimes(ctx, opts, batch)
			})
			if err != nil {
				return found, fmt.Errorf("leave by type of %s %s..%s: %w", userID, w[0], w[1], err)
			}
			for _, lt := range times {
				found = true
				v.add(lt.Name, lt.Days)
			}
		}
	}
	return found, nil
}

func (v DayValues) add(key string, days []dingtalk.DayValue) {
	for _, d := range days {
		if d.Value == 0 {
			continue
		}
		if v[key] == nil {
			v[key] = map[string]float64{}
		}
		v[key][d.Date.String()] += d.Value
	}
}

// Checks fetches the check results of users over [from, to] as DingTalk has them now, without
// saving them: what a reconciliation compares kaoqin's stored checks with (50 people and 7 days
// a call, paged).
func (r *ReportReader) Checks(ctx context.Context, users []string, from, to string) ([]kaoqin.Check, error) {
	var out []kaoqin.Check
	for _, ch := range dingtalk.PlanChunks(users, date(from), date(to), dingtalk.MaxResultUsers, dingtalk.MaxResultDays) {
		rs, err := r.s.fetchResults(ctx, ch, r.g)
		if err != nil {
			return nil, fmt.Errorf("check results %s..%s of %d employees: %w", ch.From, ch.To, len(ch.UserIDs), r.s.budgetError(err))
		}
		out = append(out, Checks(rs, r.s.loc)...)
	}
	return out, nil
}

// Leaves fetches the approved leave of users over [from, to] as DingTalk has it now, without
// saving it (100 people and 180 days a call, paged).
func (r *ReportReader) Leaves(ctx context.Context, users []string, from, to string) ([]kaoqin.Leave, error) {
	var out []kaoqin.Leave
	for _, ch := range dingtalk.PlanChunks(users, date(from), date(to), dingtalk.MaxLeaveUsers, dingtalk.MaxLeaveDays) {
		ls, err := r.s.fetchLeave(ctx, ch.LeaveStatusOptions(r.s.loc), r.g)
		if err != nil {
			return nil, fmt.Errorf("leave %s..%s of %d employees: %w", ch.From, ch.To, len(ch.UserIDs), r.s.budgetError(err))
		}
		out = append(out, Leaves(ls)...)
	}
	return out, nil
}

// ChecksCalls estimates the calls of Checks for users over days, with checksPerDay checks a
// person a day: a call a chunk of 50 people and 7 days, and a call a page of 50 rows.
func ChecksCalls(users, days int, checksPerDay float64) int64 {
	var n int64
	for u := users; u > 0; u -= dingtalk.MaxResultUsers {
		for d := days; d > 0; d -= dingtalk.MaxResultDays {
			rows := float64(min(u, dingtalk.MaxResultUsers)*min(d, dingtalk.MaxResultDays)) * checksPerDay
			n += max(1, int64(math.Ceil(rows/resultsPage)))
		}
	}
	return n
}
