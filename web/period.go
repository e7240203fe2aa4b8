package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// The period report: any range, per department and per employee, with the CSV and XLSX that
// `kaoqin report period --format csv|xlsx` writes for the same range and scope. Exports go
// through the same scope as everything else and are written to the audit log.

type periodView struct {
	From, To  string
	Dept      int64
	Report    *report.Period // the report's own fields and totals; its employees are Employees
	Depts     []periodDeptRow
	Employees []periodEmployeeRow // the page's
	Total     int                 // employees in the report
	Page      int
	Pages     int
	Choices   []crumb // departments to choose from, in tree order
}

type periodDeptRow struct {
	report.PeriodDepartment
	Depth int
}

type periodEmployeeRow struct {
	report.PeriodEmployee
	Depts []string
}

// defaultPeriod is the range the period page opens with: the month of yesterday, up to
// yesterday (closed days only).
func (s *Server) defaultPeriod() (string, string) {
	to := kaoqin.AddDays(s.today(), -1)
	return to[:8] + "01", to
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
	depts, err := s.scope(ctx, u, dept)
	if err != nil {
		return err
	}
	v := &periodView{From: from, To: to, Dept: dept}
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
	// The report is computed as it is walked: keep the lines of the page asked for, or of the
	// last page when it asks past the end.
	var rows []report.PeriodEmployee
	p, err := ps.Walk(func(e *report.PeriodEmployee) error {
		if v.Total/employeesPerPage < page {
			if v.Total%employeesPerPage == 0 {
				rows = rows[:0]
			}
			rows = append(rows, *e)
		}
		v.Total++
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
	_, _, pages := paginate(v.Total, page, employeesPerPage)
	v.Page, v.Pages = min(page, pages), pages
	for _, e := range rows {
		row := periodEmployeeRow{PeriodEmployee: e}
		for _, id := range e.DepartmentIDs {
			if n, ok := names[id]; ok {
				row.Depts = append(row.Depts, n)
			}
		}
		v.Employees = append(v.Employees, row)
	}
	return s.render(w, r, http.StatusOK, "period", "nav_period", v)
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

// apiDailyExport answers the daily report as a CSV or XLSX file.
func (s *Server) apiDailyExport(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	day, err := dateParam(r, "date", s.today())
	if err != nil {
		return err
	}
	return s.export(w, r, u, "daily", day, day, func(depts []int64) (report.Report, error) {
		// Computed afresh rather than from the board's cache: an export is what the store
		// holds when it is asked, as `kaoqin report daily` would write it.
		d, err := report.LoadDaily(r.Context(), s.store, day, s.options(depts))
		if err != nil {
			return nil, s.explain(r.Context(), err, day, day)
		}
		return d, nil
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
	target := kind + " " + from + ".." + to + scopeText(depts) + " " + string(format) + " " + string(lang)
	if err := s.audit(r, u, actionExport, target); err != nil {
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

// scopeText writes a scope for the audit log.
func scopeText(depts []int64) string {
	if len(depts) == 0 {
		return " company"
	}
	var b strings.Builder
	b.WriteString(" dept")
	for i, id := range depts {
		if i > 0 {
			b.WriteByte(',')
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}
