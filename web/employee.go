package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// The employee page: a calendar heatmap of a range and every check behind it. Every view,
// on the page or through the API, is written to the audit log.

// calendarDays is how many days the employee page shows by default.
const calendarDays = 60

type employeeView struct {
	Calendar *report.Calendar
	Days     []report.CalendarDay // newest first, days they belonged to the report only
	Statuses []statusCount
	Depts    []string // departments on the last day they held any
	Missing  []string // days before the range that could not be shown (not synced)
	From, To string
}

func (s *Server) handleEmployee(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	c, missing, err := s.employeeCalendar(r, u)
	if err != nil {
		return err
	}
	v := &employeeView{Calendar: c, Missing: missing, From: c.From, To: c.To}
	counts := map[string]int{}
	var last []int64
	for _, d := range c.Days {
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
			v.Statuses = append(v.Statuses, statusCount{st, counts[st]})
		}
	}
	if v.Depts, err = s.deptNames(r.Context(), last); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "employee", "nav_today", v)
}

func (s *Server) apiEmployee(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	c, _, err := s.employeeCalendar(r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// employeeCalendar loads the calendar the request asks for, within u's scope, and audits the
// view. Without from and to it shows the synced days of the last calendarDays days, and
// returns the days it left out.
func (s *Server) employeeCalendar(r *http.Request, u *kaoqin.User) (*report.Calendar, []string, error) {
	ctx := r.Context()
	userid := r.PathValue("userid")
	if userid == "" || len(userid) > 64 {
		return nil, nil, kaoqin.Errorf(kaoqin.EINVALID, "bad userid %q", userid)
	}
	depts, err := s.scope(ctx, u, 0)
	if err != nil {
		return nil, nil, err
	}
	q := r.URL.Query()
	var from, to string
	var missing []string
	if q.Get("from") != "" || q.Get("to") != "" {
		today := s.today()
		if from, to, err = rangeParams(r, kaoqin.AddDays(today, -(calendarDays-1)), today); err != nil {
			return nil, nil, err
		}
	} else if from, to, missing, err = s.defaultCalendarRange(ctx); err != nil {
		return nil, nil, err
	}
	c, err := s.calendar(ctx, userid, from, to, depts)
	if kaoqin.ErrorCode(err) == kaoqin.ENOTFOUND {
		// One message for an employee who does not exist and one outside the scope.
		return nil, nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "No employee %q in what you may see for %s..%s.", userid, from, to)
	} else if err != nil {
		return nil, nil, err
	}
	if depts != nil {
		// A manager sees the employee's days in their departments; the ids of the others are
		// none of their business.
		all, err := s.store.Departments(ctx)
		if err != nil {
			return nil, nil, err
		}
		for i := range c.Days {
			c.Days[i].DepartmentIDs = slices.DeleteFunc(c.Days[i].DepartmentIDs, func(id int64) bool {
				return !inSubtrees(all, id, depts)
			})
		}
	}
	if err := s.audit(r, u, actionViewEmployee, "employee "+userid+" "+from+".."+to+scopeText(depts)); err != nil {
		return nil, nil, err
	}
	return c, missing, nil
}

// defaultCalendarRange returns the synced days of the last calendarDays days: the stretch
// ending today, or yesterday early in the morning before today's first sync.
func (s *Server) defaultCalendarRange(ctx context.Context) (from, to string, missing []string, err error) {
	today := s.today()
	for _, end := range []string{today, kaoqin.AddDays(today, -1)} {
		start, miss, ok, err := s.coveredTail(ctx, kaoqin.AddDays(today, -(calendarDays-1)), end)
		if err != nil {
			return "", "", nil, err
		}
		if ok {
			return start, end, miss, nil
		}
	}
	// Nothing synced lately: ask for the whole range, which fails naming the missing days.
	return kaoqin.AddDays(today, -(calendarDays - 1)), today, nil, nil
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
