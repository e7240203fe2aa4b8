package web

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// The period report: any range, per department and per employee, with the CSV and XLSX that
// `kaoqin report period --format csv|xlsx` writes for the same range and scope. Exports go
// through the same scope as everything else and are written to the audit log.

type periodView struct {
	From, To  string
	Dept      int64
	Report    *report.Period
	Depts     []periodDeptRow
	Employees []periodEmployeeRow
	Total     int // employees after the search and the switch
	Left      int // employees who left, hidden unless ShowLeft
	Page      int
	Pages     int
	Choices   []crumb // departments to choose from, in tree order
	Presets   []preset
	Cycle     int // the pay cycle's first day
	Query     string
	Sort      string
	Desc      bool
	ShowLeft  bool
	Columns   []periodColumn
	PageLink  func(n int) string // for the pager
	// Who is a count's key (?who=, from a department's count): the employee table lists the
	// people who add to it, in the department chosen; "" for everyone.
	Who string
}

type periodDeptRow struct {
	report.PeriodDepartment
	Depth int
}

type periodEmployeeRow struct {
	report.PeriodEmployee
	Depts []string
}

// preset is a range the period page offers in one tap.
type preset struct {
	Key      string // a dictionary key
	From, To string
}

// periodColumn is a count the period tables show, and sort by.
type periodColumn struct {
	Key   string // the JSON name, and ?sort=
	Label string // a dictionary key
	Get   func(report.PeriodCounts) int
}

var periodColumns = []periodColumn{
	{"scheduled_days", "p_scheduled_days", func(c report.PeriodCounts) int { return c.ScheduledDays }},
	{"attended_days", "p_attended_days", func(c report.PeriodCounts) int { return c.AttendedDays }},
	{"late_count", "p_late_count", func(c report.PeriodCounts) int { return c.LateCount }},
	{"late_minutes", "p_late_minutes", func(c report.PeriodCounts) int { return c.LateMinutes }},
	{"serious_late_count", "p_serious_late_count", func(c report.PeriodCounts) int { return c.SeriousLateCount }},
	{"absenteeism_late_count", "p_absenteeism_late_count", func(c report.PeriodCounts) int { return c.AbsenteeismLateCount }},
	{"early_count", "p_early_count", func(c report.PeriodCounts) int { return c.EarlyCount }},
	{"missing_on_duty_count", "p_missing_on_duty_count", func(c report.PeriodCounts) int { return c.MissingOnDutyCount }},
	{"missing_off_duty_count", "p_missing_off_duty_count", func(c report.PeriodCounts) int { return c.MissingOffDutyCount }},
	{"absent_days", "p_absent_days", func(c report.PeriodCounts) int { return c.AbsentDays }},
	{"leave_days", "p_leave_days", func(c report.PeriodCounts) int { return c.LeaveDays }},
	{"outside_count", "p_outside_count", func(c report.PeriodCounts) int { return c.OutsideCount }},
}

// The text columns the employee table sorts by, besides the counts.
const (
	sortDept = "department"
	sortName = "name"
	sortJob  = "job_number"
)

// defaultPeriod is the range the period page opens with: this month so far (the "this month"
// preset).
func (s *Server) defaultPeriod() (string, string) {
	today := s.today()
	from, to := monthBounds(today[:7])
	return soFar(from, to, today)
}

// soFar cuts a range that holds today at yesterday (days that have ended), or at today on its
// first day.
func soFar(from, to, today string) (string, string) {
	if to < today {
		return from, to
	}
	return from, max(from, kaoqin.AddDays(today, -1))
}

// presets are this month, last month, this pay cycle and the last one; a range that holds
// today ends yesterday (days that have ended), or today on its first day.
func presets(today string, cycleDay int) []preset {
	thisFrom, thisTo := monthBounds(today[:7])
	thisFrom, thisTo = soFar(thisFrom, thisTo, today)
	lastFrom, lastTo := monthBounds(addMonth(today[:7], -1))
	out := []preset{{"preset_this_month", thisFrom, thisTo}, {"preset_last_month", lastFrom, lastTo}}
	if cycleDay > 1 {
		cf, ct := payCycle(today, cycleDay)
		pf, pt := payCycle(kaoqin.AddDays(cf, -1), cycleDay)
		cf, ct = soFar(cf, ct, today)
		out = append(out, preset{"preset_this_cycle", cf, ct}, preset{"preset_last_cycle", pf, pt})
	}
	return out
}

func (s *Server) handlePeriod(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	ctx := r.Context()
	defFrom, defTo := s.defaultPeriod()
	from, to, err := rangeParams(r, defFrom, defTo)
	if err != nil {
		return err
	}
	dept, err := deptParam(r)
	if err != nil {
		return err
	}
	page, err := pageParam(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := &periodView{From: from, To: to, Dept: dept, Columns: periodColumns, Query: strings.TrimSpace(q.Get("q")),
		Sort: q.Get("sort"), Desc: q.Get("desc") == "1", ShowLeft: q.Get("left") == "1", Who: q.Get("who")}
	v.PageLink = v.pageLink
	var who func(report.PeriodCounts) int
	if v.Who != "" {
		i := slices.IndexFunc(periodColumns, func(c periodColumn) bool { return c.Key == v.Who })
		if i < 0 {
			return errorf(kaoqin.EINVALID, "err_bad_field", v.Who)
		}
		who = periodColumns[i].Get
	}
	if utf8.RuneCountInString(v.Query) > maxSearch {
		return errorf(kaoqin.EINVALID, "err_search_too_long", maxSearch)
	}
	if v.Sort == "" {
		v.Sort = sortDept
	} else if !slices.Contains([]string{sortDept, sortName, sortJob}, v.Sort) &&
		!slices.ContainsFunc(periodColumns, func(c periodColumn) bool { return c.Key == v.Sort }) {
		return errorf(kaoqin.EINVALID, "err_bad_sort", v.Sort)
	}
	depts, err := s.scope(ctx, u, dept)
	if err != nil {
		return err
	}
	st, err := s.settings(ctx)
	if err != nil {
		return err
	}
	v.Cycle, v.Presets = st.PayrollDay, presets(s.today(), st.PayrollDay)
	if v.Choices, err = s.deptChoices(ctx, u); err != nil {
		return err
	}
	ps, err := s.period(ctx, from, to, depts)
	if err != nil {
		// The form stays usable: the page says what is missing instead of failing whole.
		var ns *notSyncedError
		if asNotSynced(err, &ns) {
			return s.render(w, r, http.StatusConflict, "period", "nav_period", v, withNotSynced(ns))
		}
		return err
	}
	// The report is computed as it is walked; the rows that pass the search and the switch
	// are kept (a row is a few hundred bytes: 100,000 people are about 30 MB) to be sorted.
	var rows []periodEmployeeRow
	var walked []report.PeriodEmployee
	needle := strings.ToLower(v.Query)
	p, err := ps.Walk(func(e *report.PeriodEmployee) error {
		if e.LeftOn != "" {
			v.Left++
			if !v.ShowLeft {
				return nil
			}
		}
		walked = append(walked, *e)
		return nil
	})
	if err != nil {
		return err
	}
	v.Report = p
	names := p.DepartmentLabels()
	for _, d := range periodTree(p.Departments) {
		if d.Headcount > 0 {
			v.Depts = append(v.Depts, d)
		}
	}
	rows = make([]periodEmployeeRow, 0, len(walked))
	for _, e := range walked {
		row := periodEmployeeRow{PeriodEmployee: e}
		for _, id := range e.DepartmentIDs {
			if n, ok := names[id]; ok {
				row.Depts = append(row.Depts, n)
			}
		}
		if needle != "" && !matches(needle, e.Name, e.JobNumber, e.UserID, strings.Join(row.Depts, " ")) {
			continue
		}
		if who != nil && who(e.PeriodCounts) == 0 {
			continue // the report is the department's: its lines count the days spent in it
		}
		rows = append(rows, row)
	}
	walked = nil
	sortPeriodRows(rows, v.Sort, v.Desc)
	v.Total = len(rows)
	lo, hi, pages := paginate(len(rows), page, employeesPerPage)
	v.Page, v.Pages = min(page, pages), pages
	v.Employees = rows[lo:hi]
	return s.render(w, r, http.StatusOK, "period", "nav_period", v)
}

// link returns the period page with the view's own parameters (never the request's others:
// a long hostile parameter would be copied into every link), changed by kv (key, value...;
// "" drops the key).
func (v *periodView) link(kv ...string) string {
	q := url.Values{"from": {v.From}, "to": {v.To}, "sort": {v.Sort}}
	if v.Dept != 0 {
		q.Set("dept", strconv.FormatInt(v.Dept, 10))
	}
	if v.Query != "" {
		q.Set("q", v.Query)
	}
	if v.ShowLeft {
		q.Set("left", "1")
	}
	if v.Desc {
		q.Set("desc", "1")
	}
	if v.Who != "" {
		q.Set("who", v.Who)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	return "/period?" + q.Encode()
}

// SortLink is the link of the header of key: sorted by it, descending if desc.
func (v *periodView) SortLink(key string, desc bool) string {
	d := ""
	if desc {
		d = "1"
	}
	return v.link("sort", key, "desc", d)
}

// WhoLink is the link of a department's count key: the people who add to it.
func (v *periodView) WhoLink(dept int64, key string) string {
	d := ""
	if dept != 0 {
		d = strconv.FormatInt(dept, 10)
	}
	return v.link("dept", d, "who", key, "page", "", "q", "")
}

// WhoLabel is the dictionary key of the count the table is narrowed to.
func (v *periodView) WhoLabel() string {
	for _, c := range periodColumns {
		if c.Key == v.Who {
			return c.Label
		}
	}
	return ""
}

// TraceLink is the link of an employee's count key: the days, checks and leaves behind it,
// in the report's department (its lines count the days spent there).
func (v *periodView) TraceLink(userid, key string) string {
	q := url.Values{"from": {v.From}, "to": {v.To}, "field": {key}}
	if v.Dept != 0 {
		q.Set("dept", strconv.FormatInt(v.Dept, 10))
	}
	return "/employees/" + url.PathEscape(userid) + "?" + q.Encode() + "#trace"
}

// RangeLink is the link of a preset range.
func (v *periodView) RangeLink(from, to string) string { return v.link("from", from, "to", to) }

// pageLink is the link of page n.
func (v *periodView) pageLink(n int) string { return v.link("page", strconv.Itoa(n)) }

// maxSearch bounds a search, in characters: a name, a job number or a department.
const maxSearch = 64

// NextDesc is whether the header of key sorts descending: the other way round if the table is
// sorted by key already; else counts biggest first and names from A.
func (v *periodView) NextDesc(key string) bool {
	if v.Sort == key {
		return !v.Desc
	}
	return slices.ContainsFunc(periodColumns, func(c periodColumn) bool { return c.Key == key })
}

// matches reports whether any of the fields holds needle (lower case).
func matches(needle string, fields ...string) bool {
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), needle) {
			return true
		}
	}
	return false
}

// sortPeriodRows sorts the employee rows by the column key, then by department, name and
// userid, so that the order is always the same.
func sortPeriodRows(rows []periodEmployeeRow, key string, desc bool) {
	var get func(report.PeriodCounts) int
	for _, c := range periodColumns {
		if c.Key == key {
			get = c.Get
		}
	}
	slices.SortStableFunc(rows, func(a, b periodEmployeeRow) int {
		var c int
		switch {
		case get != nil:
			c = cmp.Compare(get(a.PeriodCounts), get(b.PeriodCounts))
		case key == sortName:
			c = cmp.Compare(a.Name, b.Name)
		case key == sortJob:
			c = cmp.Compare(a.JobNumber, b.JobNumber)
		case key == sortDept:
			c = slices.Compare(a.Depts, b.Depts)
		}
		if desc {
			c = -c
		}
		return cmp.Or(c, slices.Compare(a.Depts, b.Depts), cmp.Compare(a.Name, b.Name), cmp.Compare(a.UserID, b.UserID))
	})
}

// periodTree returns the departments depth first, children by id, with their depth.
func periodTree(depts []report.PeriodDepartment) []periodDeptRow {
	children := map[int64][]int{}
	in := map[int64]bool{}
	for _, d := range depts {
		in[d.ID] = true
	}
	var roots []int
	for i, d := range depts {
		if in[d.ParentID] && d.ParentID != d.ID {
			children[d.ParentID] = append(children[d.ParentID], i)
		} else {
			roots = append(roots, i)
		}
	}
	out := make([]periodDeptRow, 0, len(depts))
	seen := make([]bool, len(depts))
	var walk func(i, depth int)
	walk = func(i, depth int) {
		if seen[i] {
			return
		}
		seen[i] = true
		out = append(out, periodDeptRow{PeriodDepartment: depts[i], Depth: depth})
		for _, c := range children[depts[i].ID] {
			walk(c, depth+1)
		}
	}
	for _, i := range roots {
		walk(i, 0)
	}
	return out
}

// deptChoices returns the departments u may pick, in tree order, with names indented by
// depth.
func (s *Server) deptChoices(ctx context.Context, u *kaoqin.User) ([]crumb, error) {
	all, err := s.store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	roots := managerRoots(u)
	var rows []report.PeriodDepartment
	for _, d := range all {
		if d.RemovedAt != 0 {
			continue
		}
		if !seesAll(u) && !inSubtrees(all, d.ID, roots) {
			continue
		}
		rows = append(rows, report.PeriodDepartment{ID: d.ID, Name: d.Name, ParentID: d.ParentID})
	}
	var out []crumb
	for _, row := range periodTree(rows) {
		out = append(out, crumb{ID: row.ID, Name: strings.Repeat("\u3000", row.Depth) + row.Name})
	}
	return out, nil
}

func (s *Server) apiPeriod(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	defFrom, defTo := s.defaultPeriod()
	from, to, err := rangeParams(r, defFrom, defTo)
	if err != nil {
		return err
	}
	depts, err := s.requestScope(r, u)
	if err != nil {
		return err
	}
	p, err := s.period(r.Context(), from, to, depts)
	if err != nil {
		return err
	}
	// Written as it is computed: a failure once the answer has begun cannot change its status,
	// so the connection is cut and the client gets truncated JSON rather than a short report.
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if err := report.WriteCompactJSON(w, p); err != nil {
		s.log.Warn("period report cut short", "from", from, "to", to, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// apiPeriodExport answers the period report as a CSV or XLSX file.
func (s *Server) apiPeriodExport(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	defFrom, defTo := s.defaultPeriod()
	from, to, err := rangeParams(r, defFrom, defTo)
	if err != nil {
		return err
	}
	return s.export(w, r, u, "period", from, to, func(depts []int64) (report.Report, error) {
		return s.period(r.Context(), from, to, depts)
	})
}

// apiDailyExport answers the daily report as a CSV or XLSX file; with list=not_checked_in,
// the list of the people not checked in (those of ?userid=, repeated, if any: a selection).
func (s *Server) apiDailyExport(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	day, err := dateParam(r, "date", s.today())
	if err != nil {
		return err
	}
	kind := "daily"
	var only []string
	switch list := r.URL.Query().Get("list"); list {
	case "":
	case "not_checked_in":
		kind = list
		only = r.URL.Query()["userid"]
		if len(only) > 10_000 {
			return errorf(kaoqin.EINVALID, "err_too_many_people", 10_000)
		}
	default:
		return errorf(kaoqin.EINVALID, "err_bad_list", list)
	}
	return s.export(w, r, u, kind, day, day, func(depts []int64) (report.Report, error) {
		// Computed afresh rather than from the board's cache: an export is what the store
		// holds when it is asked, as `kaoqin report daily` would write it.
		d, err := report.LoadDaily(r.Context(), s.store, day, s.options(depts))
		if err != nil {
			return nil, s.explain(r.Context(), err, day, day)
		}
		if kind == "daily" {
			return d, nil
		}
		return d.Absentees(0, only)
	})
}

// export writes a report as a file: the scope from the request, the report from load, the
// file from report.Write exactly as `kaoqin report` writes it. The export is audited before a
// byte is sent; a failed audit fails the export.
func (s *Server) export(w http.ResponseWriter, r *http.Request, u *kaoqin.User, kind, from, to string, load func(depts []int64) (report.Report, error)) error {
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	lang, err := langParam(r)
	if err != nil {
		return err
	}
	dept, err := deptParam(r)
	if err != nil {
		return err
	}
	depts, err := s.scope(r.Context(), u, dept)
	if err != nil {
		return err
	}
	rep, err := load(depts)
	if err != nil {
		return err
	}
	// The file is written whole before a byte is sent, so that a failure is an error page and
	// not half a file; to a temporary file, so that a large company's export does not sit in
	// memory (a month of 100,000 people is about 10 MB of XLSX).
	tmp, err := os.CreateTemp("", "kaoqin-export-*")
	if err != nil {
		return fmt.Errorf("export %s %s..%s: %w", kind, from, to, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bw := bufio.NewWriter(tmp)
	if err := report.Write(bw, rep, format, lang); err != nil {
		return fmt.Errorf("export %s %s..%s: %w", kind, from, to, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export %s %s..%s: %w", kind, from, to, err)
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("export %s %s..%s: %w", kind, from, to, err)
	}
	name := exportName(kind, from, to, dept, format)
	target := auditTarget{Kind: kind, From: from, To: to, Depts: depts, Format: string(format), Lang: string(lang)}
	if err := s.audit(r, u, actionExport, target.String()); err != nil {
		return err
	}
	ct := "text/csv; charset=utf-8"
	if format == report.FormatXLSX {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, tmp)
	return nil
}

// exportName is the file name of an export, e.g. kaoqin-period-2026-10-26-2026-11-25.xlsx.
func exportName(kind, from, to string, dept int64, f report.Format) string {
	name := "kaoqin-" + kind + "-" + from
	if to != from {
		name += "-" + to
	}
	if dept != 0 {
		name += "-dept" + strconv.FormatInt(dept, 10)
	}
	return name + "." + string(f)
}
