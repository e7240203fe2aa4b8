package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// The department page: one subtree's employees on a chosen day with each check and its
// result, and a chart of the last 30 days (checked-in rate, late, absent).

// trendDays is how many days the department chart shows.
const trendDays = 30

// employeesPerPage bounds the rows of one page of a table of employees; the exports hold
// them all.
const employeesPerPage = 200

type departmentView struct {
	Date      string
	IsToday   bool
	Dept      report.DailyDepartment
	Crumbs    []crumb
	Employees []employeeRow
	Status    string // the status filter; "" for all
	// Who is a count's name (?who=, a daily field such as "late"): the table lists the people
	// counted in it; "" for all.
	Who      string
	Statuses []statusCount
	// Live is true for a day in progress: people are shown by where they stand now (Presence:
	// in, late, overdue, not due yet...) rather than by the day's status.
	Live  bool
	Page  int
	Pages int
	Total int
	Trend *trendView
}

type crumb struct {
	ID   int64
	Name string
}

type employeeRow struct {
	report.DailyEmployee
	Depts []string
}

type statusCount struct {
	Status string
	N      int
	Key    string // the dictionary key of its name
}

// trendView is the 30-day chart: the synced days, and the days it cannot show.
type trendView struct {
	Series  *report.Series
	Missing []string
}

// statusOrder ranks day statuses worst first: the people who need attention head the table.
var statusOrder = []string{report.StatusAbsent, report.StatusMissing, report.StatusLate, report.StatusEarly,
	report.StatusLeave, report.StatusPending, report.StatusNormal, report.StatusRest}

// presenceOrder ranks where people stand on a day in progress, the people to act on first.
var presenceOrder = []string{report.PresenceOverdue, report.PresenceAbsent, report.PresenceAwaiting, report.PresenceLate,
	report.PresenceNotDue, report.PresenceOnLeave, report.PresenceIn, report.PresenceRest}

func rank(order []string, s string) int {
	if i := slices.Index(order, s); i >= 0 {
		return i
	}
	return len(order)
}

// allDepts is the path of the department page of everything one may see: /departments/all.
const allDepts = "all"

func (s *Server) handleDepartment(w http.ResponseWriter, r *http.Request, u *kaoqin.User) (err error) {
	ctx := r.Context()
	// "all" is the whole of what u may see (the company, or a manager's departments): the
	// board's headline links its counts there.
	var dept int64
	if id := r.PathValue("id"); id != allDepts {
		if dept, err = parseDeptID(id); err != nil {
			return err
		}
	}
	today := s.today()
	day, err := dateParam(r, "date", today)
	if err != nil {
		return err
	}
	page, err := pageParam(r)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	if status != "" && !slices.Contains(statusOrder, status) && !slices.Contains(presenceOrder, status) {
		return errorf(kaoqin.EINVALID, "err_bad_status", status)
	}
	depts, err := s.scope(ctx, u, dept)
	if err != nil {
		return err
	}
	d, err := s.daily(ctx, day, depts)
	if err != nil {
		return err
	}
	v := &departmentView{Date: day, IsToday: day == today, Status: status, Live: !d.Final, Who: r.URL.Query().Get("who")}
	var who map[string]bool
	if v.Who != "" {
		ids, err := d.Who(dept, v.Who)
		if kaoqin.ErrorCode(err) == kaoqin.EINVALID {
			return errorf(kaoqin.EINVALID, "err_bad_field", v.Who)
		} else if err != nil {
			return err
		}
		who = make(map[string]bool, len(ids))
		for _, id := range ids {
			who[id] = true
		}
	}
	if dept == 0 {
		name, _ := tr(langOf(r), "company_line")
		v.Dept = report.DailyDepartment{Name: name, Counts: d.Company}
	}
	order, word, key := statusOrder, func(e *report.DailyEmployee) string { return e.Status }, "status_"
	if v.Live {
		order, word, key = presenceOrder, func(e *report.DailyEmployee) string { return e.Presence }, "presence_"
	}
	names := d.DepartmentLabels()
	for _, dd := range d.Departments {
		if dd.ID == dept {
			v.Dept = dd
		}
	}
	if v.Crumbs, err = s.crumbs(ctx, u, dept); err != nil {
		return err
	}
	counts := map[string]int{}
	var rows []employeeRow
	// The filter takes the words of the list (presence on a day in progress), or a day's status.
	filter := word
	if v.Live && !slices.Contains(presenceOrder, status) {
		filter = func(e *report.DailyEmployee) string { return e.Status }
	}
	for _, e := range d.Employees {
		counts[word(&e)]++
		if status != "" && filter(&e) != status || who != nil && !who[e.UserID] {
			continue
		}
		row := employeeRow{DailyEmployee: e}
		for _, id := range e.DepartmentIDs {
			if n, ok := names[id]; ok {
				row.Depts = append(row.Depts, n)
			}
		}
		rows = append(rows, row)
	}
	for _, st := range order {
		if counts[st] > 0 {
			v.Statuses = append(v.Statuses, statusCount{st, counts[st], key + st})
		}
	}
	slices.SortFunc(rows, func(a, b employeeRow) int {
		return cmp.Or(cmp.Compare(rank(order, word(&a.DailyEmployee)), rank(order, word(&b.DailyEmployee))),
			cmp.Compare(a.Name, b.Name), cmp.Compare(a.UserID, b.UserID))
	})
	v.Total = len(rows)
	lo, hi, pages := paginate(len(rows), page, employeesPerPage)
	v.Employees, v.Page, v.Pages = rows[lo:hi], min(page, pages), pages
	if v.Trend, err = s.trend(r, day, depts); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "department", "nav_today", v)
}

// trend returns the chart of the trendDays days ending at day: the longest synced stretch
// ending there, and the days before it that are missing.
func (s *Server) trend(r *http.Request, day string, depts []int64) (*trendView, error) {
	from := kaoqin.AddDays(day, -(trendDays - 1))
	start, missing, ok, err := s.coveredTail(r.Context(), from, day)
	if err != nil {
		return nil, err
	}
	t := &trendView{Missing: missing}
	if !ok {
		return t, nil
	}
	if t.Series, err = s.series(r.Context(), start, day, depts); err != nil {
		return nil, err
	}
	return t, nil
}

// crumbs returns the path from the top of what u may see down to dept, for the page's
// heading: a manager's path starts at their own department.
func (s *Server) crumbs(ctx context.Context, u *kaoqin.User, dept int64) ([]crumb, error) {
	all, err := s.store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]kaoqin.Department, len(all))
	for _, d := range all {
		byID[d.ID] = d
	}
	roots := managerRoots(u)
	var out []crumb
	seen := map[int64]bool{}
	for id := dept; id != 0 && !seen[id]; {
		d, ok := byID[id]
		if !ok {
			break
		}
		out = append(out, crumb{ID: d.ID, Name: d.Name})
		seen[id] = true
		if slices.Contains(roots, id) {
			break
		}
		id = d.ParentID
	}
	slices.Reverse(out)
	return out, nil
}

// apiSeries answers the daily counts of every day of a range for the user's scope: the
// department chart's data.
func (s *Server) apiSeries(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	today := s.today()
	from, to, err := rangeParams(r, kaoqin.AddDays(today, -(trendDays-1)), today)
	if err != nil {
		return err
	}
	depts, err := s.requestScope(r, u)
	if err != nil {
		return err
	}
	sr, err := s.series(r.Context(), from, to, depts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sr)
	return nil
}

// apiDepartments answers the departments the user may see, removed ones included (with
// removed_at), sorted by id.
func (s *Server) apiDepartments(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	all, err := s.store.Departments(r.Context())
	if err != nil {
		return err
	}
	out := all
	if !seesAll(u) {
		roots, err := s.scope(r.Context(), u, 0)
		if err != nil {
			return err
		}
		out = []kaoqin.Department{}
		for _, d := range all {
			if inSubtrees(all, d.ID, roots) {
				if !inSubtrees(all, d.ParentID, roots) {
					d.ParentID = 0 // the top of what they may see: its parent is none of theirs (null)
				}
				out = append(out, d)
			}
		}
	}
	if out == nil {
		out = []kaoqin.Department{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"departments": departmentsJSON(out)})
	return nil
}

// departmentJSON is a department as the API writes it: parent_id is 0 for the company's root,
// as DingTalk says, and null at the top of a manager's scope, whose parent they may not see.
type departmentJSON struct {
	kaoqin.Department
	ParentID *int64 `json:"parent_id"`
}

func departmentsJSON(ds []kaoqin.Department) []departmentJSON {
	out := make([]departmentJSON, len(ds))
	for i, d := range ds {
		out[i] = departmentJSON{Department: d}
		if d.ParentID != 0 || d.ID == kaoqin.RootDeptID {
			out[i].ParentID = &ds[i].ParentID
		}
	}
	return out
}
