package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// The employee page: a month calendar like DingTalk's (a week a row, Monday first, each day
// with its number, the colour of its status and a word on it), the day's checks one tap away,
// and the month's summary. ?month=YYYY-MM picks the month (default: this one); ?from=&to= shows
// any range instead (the period report links here with its own). Every view, on the page or
// through the API, is written to the audit log.

// calendarDays is how many days the API's calendar covers by default.
const calendarDays = 60

type employeeView struct {
	Calendar *report.Calendar
	Weeks    [][]calendarCell
	Days     []report.CalendarDay // the days shown, newest first, days they belonged to the report only
	Statuses []statusCount
	Depts    []string // departments on the last day they held any
	Missing  []string // days of the month that could not be shown (not synced)
	From, To string
	// Month is the month shown ("2026-11"); Prev and Next the months to go to ("" for none).
	Month, Prev, Next string
	Today             string
	Ranged            bool // a range was asked (?from=&to=), not a month
	// Reminders are the messages to or about the person, by work date (reminders.go).
	Reminders map[string][]reminderLine
	// Trace is what stands behind one number of the period report (?field=, from a count's
	// link): its days with their checks, and the person's leaves; nil without ?field=.
	Trace *traceView
}

// traceView is a number of the period report traced to its days, checks and leaves.
type traceView struct {
	*report.Trace
	Leaves  []leaveLine
	AllDays string // the link to every day of the range
}

// leaveLine is one leave (an approval) as the page shows it.
type leaveLine struct {
	From, To string // local times, "2006-01-02 15:04"
	Amount   float64
	Hours    bool // Amount in hours, not days
}

// calendarCell is one day of the month grid.
type calendarCell struct {
	Date    string
	Day     int  // day of the month
	First   bool // the first of a month: the cell names the month
	Month   int
	Shown   bool // within the range shown
	Synced  bool // the calendar holds the day
	Status  string
	Note    string // a word on the day: the check-in time, minutes late, on leave...
	IsToday bool
}

func (s *Server) handleEmployee(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	ctx := r.Context()
	userid, err := useridParam(r)
	if err != nil {
		return err
	}
	depts, err := s.scope(ctx, u, 0)
	if err != nil {
		return err
	}
	today := s.today()
	q := r.URL.Query()
	v := &employeeView{Today: today}
	var from, to string
	if q.Get("from") != "" || q.Get("to") != "" {
		if from, to, err = rangeParams(r, kaoqin.AddDays(today, -(calendarDays-1)), today); err != nil {
			return err
		}
		v.Ranged, v.From, v.To, v.Month = true, from, to, to[:7]
	} else {
		month, err := monthParam(r, today[:7])
		if err != nil {
			return err
		}
		v.Month = month
		first, last := monthBounds(month)
		if first > today {
			return errorf(kaoqin.EINVALID, "err_month_future", month)
		}
		last = min(last, today)
		// The synced stretch of the month that ends last: the days before it are named.
		cov, err := s.store.Coverage(ctx, first, last)
		if err != nil {
			return err
		}
		end := ""
		for _, c := range cov {
			end = c.Day
		}
		if end == "" {
			from, to = first, last // fails below, naming the days
		} else {
			start, missing, _, err := s.coveredTail(ctx, first, end)
			if err != nil {
				return err
			}
			from, to = start, end
			v.Missing = append(missing, missingDays(cov, kaoqin.AddDays(end, 1), last)...)
		}
		v.From, v.To = first, last
	}
	c, err := s.employeeCalendar(r, u, userid, from, to, depts)
	if err != nil {
		return err
	}
	v.Calendar = c
	if field := q.Get("field"); field != "" {
		if v.Trace, err = s.traceView(r, u, userid, c.From, c.To, field); err != nil {
			return err
		}
	}
	if v.Reminders, err = s.personReminders(ctx, userid, c.From, c.To); err != nil {
		return err
	}
	if !v.Ranged {
		v.Prev, v.Next = addMonth(v.Month, -1), addMonth(v.Month, 1)
		if v.Next > today[:7] {
			v.Next = ""
		}
	}
	byDate := make(map[string]report.CalendarDay, len(c.Days))
	counts := map[string]int{}
	var last []int64
	for _, d := range c.Days {
		byDate[d.Date] = d
		if d.Status == report.StatusNone {
			continue
		}
		counts[d.Status]++
		v.Days = append(v.Days, d)
		if len(d.DepartmentIDs) > 0 {
			last = d.DepartmentIDs
		}
	}
	slices.Reverse(v.Days)
	for _, st := range statusOrder {
		if counts[st] > 0 {
			v.Statuses = append(v.Statuses, statusCount{st, counts[st], "status_" + st})
		}
	}
	v.Weeks = monthGrid(v.From, v.To, today, byDate, s.loc)
	if v.Depts, err = s.deptNames(ctx, last); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "employee", "nav_today", v)
}

func (s *Server) apiEmployee(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	ctx := r.Context()
	userid, err := useridParam(r)
	if err != nil {
		return err
	}
	depts, err := s.scope(ctx, u, 0)
	if err != nil {
		return err
	}
	var from, to string
	if r.URL.Query().Get("from") != "" || r.URL.Query().Get("to") != "" {
		today := s.today()
		if from, to, err = rangeParams(r, kaoqin.AddDays(today, -(calendarDays-1)), today); err != nil {
			return err
		}
	} else if from, to, err = s.defaultCalendarRange(ctx); err != nil {
		return err
	}
	if field := r.URL.Query().Get("field"); field != "" {
		// One number of the period report traced to its days, checks and leaves.
		t, err := s.trace(r, u, userid, from, to, field)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, t)
		return nil
	}
	c, err := s.employeeCalendar(r, u, userid, from, to, depts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// trace traces one number of userid's period line over [from, to] to its days and checks,
// within u's scope drilled into ?dept= (the period report's own scope, when it links here).
func (s *Server) trace(r *http.Request, u *kaoqin.User, userid, from, to, field string) (*report.Trace, error) {
	ctx := r.Context()
	dept, err := deptParam(r)
	if err != nil {
		return nil, err
	}
	depts, err := s.scope(ctx, u, dept)
	if err != nil {
		return nil, err
	}
	t, err := report.LoadTrace(ctx, s.store, userid, from, to, field, s.options(depts))
	switch kaoqin.ErrorCode(err) {
	case "":
	case kaoqin.ENOTFOUND:
		return nil, errorf(kaoqin.ENOTFOUND, "err_no_employee", userid, from, to)
	case kaoqin.EINVALID:
		return nil, errorf(kaoqin.EINVALID, "err_bad_field", field)
	default:
		return nil, s.explain(ctx, err, from, to)
	}
	if err := s.audit(r, u, actionViewEmployee, auditTarget{Kind: "employee", UserID: userid, From: from, To: to, Depts: depts}.String()); err != nil {
		return nil, err
	}
	return t, nil
}

// traceView is trace for the page.
func (s *Server) traceView(r *http.Request, u *kaoqin.User, userid, from, to, field string) (*traceView, error) {
	t, err := s.trace(r, u, userid, from, to, field)
	if err != nil {
		return nil, err
	}
	v := &traceView{Trace: t, AllDays: "?" + url.Values{"from": {from}, "to": {to}}.Encode()}
	for _, l := range t.Leaves {
		v.Leaves = append(v.Leaves, leaveLine{
			From:   time.UnixMilli(l.StartTime).In(s.loc).Format("2006-01-02 15:04"),
			To:     time.UnixMilli(l.EndTime).In(s.loc).Format("2006-01-02 15:04"),
			Amount: float64(l.DurationPercent) / 100, Hours: l.DurationUnit == "percent_hour",
		})
	}
	return v, nil
}

// useridParam returns the employee of the path.
func useridParam(r *http.Request) (string, error) {
	userid := r.PathValue("userid")
	if userid == "" || len(userid) > 64 {
		return "", errorf(kaoqin.EINVALID, "err_bad_userid", userid)
	}
	return userid, nil
}

// employeeCalendar loads the calendar of [from, to] within u's scope depts, and audits the
// view.
func (s *Server) employeeCalendar(r *http.Request, u *kaoqin.User, userid, from, to string, depts []int64) (*report.Calendar, error) {
	ctx := r.Context()
	c, err := s.calendar(ctx, userid, from, to, depts)
	if kaoqin.ErrorCode(err) == kaoqin.ENOTFOUND {
		// One message for an employee who does not exist and one outside the scope.
		return nil, errorf(kaoqin.ENOTFOUND, "err_no_employee", userid, from, to)
	} else if err != nil {
		return nil, err
	}
	if depts != nil {
		// A manager sees the employee's days in their departments; the ids of the others are
		// none of their business.
		all, err := s.store.Departments(ctx)
		if err != nil {
			return nil, err
		}
		for i := range c.Days {
			c.Days[i].DepartmentIDs = slices.DeleteFunc(c.Days[i].DepartmentIDs, func(id int64) bool {
				return !inSubtrees(all, id, depts)
			})
		}
	}
	if err := s.audit(r, u, actionViewEmployee, auditTarget{Kind: "employee", UserID: userid, From: from, To: to, Depts: depts}.String()); err != nil {
		return nil, err
	}
	return c, nil
}

// defaultCalendarRange returns the synced days of the last calendarDays days: the stretch
// ending today, or yesterday early in the morning before today's first sync.
func (s *Server) defaultCalendarRange(ctx context.Context) (from, to string, err error) {
	today := s.today()
	for _, end := range []string{today, kaoqin.AddDays(today, -1)} {
		start, _, ok, err := s.coveredTail(ctx, kaoqin.AddDays(today, -(calendarDays-1)), end)
		if err != nil {
			return "", "", err
		}
		if ok {
			return start, end, nil
		}
	}
	// Nothing synced lately: ask for the whole range, which fails naming the missing days.
	return kaoqin.AddDays(today, -(calendarDays - 1)), today, nil
}

// monthGrid lays the days of [from, to] out in weeks, Monday first.
func monthGrid(from, to, today string, days map[string]report.CalendarDay, loc *time.Location) [][]calendarCell {
	start := from
	for weekdayOf(start) != time.Monday {
		start = kaoqin.AddDays(start, -1)
	}
	var weeks [][]calendarCell
	for d := start; d <= to || weekdayOf(d) != time.Monday; d = kaoqin.AddDays(d, 1) {
		if weekdayOf(d) == time.Monday {
			weeks = append(weeks, make([]calendarCell, 0, 7))
		}
		t, _ := time.Parse(kaoqin.DateLayout, d)
		c := calendarCell{Date: d, Day: t.Day(), Month: int(t.Month()), First: t.Day() == 1 || d == from, Shown: from <= d && d <= to, IsToday: d == today}
		if cd, ok := days[d]; ok {
			c.Synced, c.Status, c.Note = true, cd.Status, dayNote(cd, loc)
		}
		weeks[len(weeks)-1] = append(weeks[len(weeks)-1], c)
	}
	return weeks
}

func weekdayOf(day string) time.Weekday {
	t, _ := time.Parse(kaoqin.DateLayout, day)
	return t.Weekday()
}

// dayNote is the word a calendar cell shows: the check-in's time (a late one in the colour of
// late), or the check-out's on a day of leaving early; "" when the status says it all.
func dayNote(d report.CalendarDay, loc *time.Location) string {
	want := kaoqin.OnDuty
	if d.Status == report.StatusEarly {
		want = kaoqin.OffDuty
	}
	switch d.Status {
	case report.StatusNormal, report.StatusLate, report.StatusEarly, report.StatusPending:
	default:
		return ""
	}
	for _, c := range d.Checks {
		if c.CheckType == want && c.UserCheckTime != nil {
			return c.UserCheckTime.In(loc).Format("15:04")
		}
	}
	return ""
}

// monthParam returns ?month= (YYYY-MM), or def.
func monthParam(r *http.Request, def string) (string, error) {
	v := r.URL.Query().Get("month")
	if v == "" {
		return def, nil
	}
	t, err := time.Parse("2006-01", v)
	if err != nil || t.Year() < 2000 || t.Year() > 9000 {
		return "", errorf(kaoqin.EINVALID, "err_bad_month", v)
	}
	return t.Format("2006-01"), nil
}

// monthBounds returns the first and last day of a month "YYYY-MM".
func monthBounds(month string) (first, last string) {
	t, _ := time.Parse("2006-01", month)
	return t.Format(kaoqin.DateLayout), t.AddDate(0, 1, -1).Format(kaoqin.DateLayout)
}

// addMonth returns the month n months after month.
func addMonth(month string, n int) string {
	t, _ := time.Parse("2006-01", month)
	return t.AddDate(0, n, 0).Format("2006-01")
}

// deptNames returns the names of the departments ids.
func (s *Server) deptNames(ctx context.Context, ids []int64) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	all, err := s.store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range all {
		if slices.Contains(ids, d.ID) {
			names = append(names, d.Name)
		}
	}
	return names, nil
}

// monthName says a month: "2026年11月", "Nov 2026".
func monthName(lang report.Lang, month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	if lang == report.English {
		return t.Format("Jan 2006")
	}
	return strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月"
}
