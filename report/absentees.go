package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
)

// Absentees is the list HR acts on at 9:10: the people a daily report counts as not checked
// in, grouped by department, each with when their shift started, how many minutes they are
// overdue, and whom to call (the nearest manager DingTalk names above them). It is a Report:
// the dashboard exports it as CSV and XLSX with the writers of the other reports.
type Absentees struct {
	Date   string          `json:"date"`
	Groups []AbsenteeGroup `json:"groups"` // in the order of the org chart
	Total  int             `json:"total"`
	org    *org
}

// AbsenteeGroup is one department's people not checked in.
type AbsenteeGroup struct {
	DeptID int64  `json:"dept_id"`
	Dept   string `json:"dept"` // as much of its path as tells it apart
	// Managers are the managers of the department, or of the nearest department above it
	// that has some, among the people of the report.
	Managers []Person   `json:"managers"`
	People   []Absentee `json:"people"` // most overdue first
}

// Absentee is one person not checked in.
type Absentee struct {
	UserID    string `json:"userid"`
	Name      string `json:"name"`
	JobNumber string `json:"job_number,omitempty"`
	// OtherDepts are the other departments they belong to (they are listed under the first).
	OtherDepts []string `json:"other_departments,omitempty"`
	// ShiftStart is their first check-in's time; OverdueMinutes the whole minutes since their
	// first check-in due and not signed (DailyEmployee's fields).
	ShiftStart     Time `json:"shift_start"`
	OverdueMinutes int  `json:"overdue_minutes"`
}

// Absentees returns the people of department deptID's subtree (0: the whole report) that
// the report counts as not checked in. If only is not nil, it keeps those userids only (a
// selection to export). ENOTFOUND for a department not in the report.
func (d *Daily) Absentees(deptID int64, only []string) (*Absentees, error) {
	ids, err := d.Who(deptID, "not_checked_in")
	if err != nil {
		return nil, err
	}
	a := &Absentees{Date: d.Date, Groups: []AbsenteeGroup{}, org: d.org}
	groups := map[int32]*AbsenteeGroup{}
	var scope []bool
	if deptID != 0 {
		scope, _ = d.org.scope([]int64{deptID}) // the department is in the report: Who said so
	}
	for _, id := range ids {
		if only != nil && !slices.Contains(only, id) {
			continue
		}
		e, _ := d.Employee(id)
		// They are listed under their first department in the subtree asked for.
		held := d.org.visible(scope, e.DepartmentIDs)
		gi := int32(-1)
		var others []string
		for _, did := range held {
			i, ok := d.org.index[did]
			if !ok {
				continue
			}
			if gi < 0 {
				gi = i
			} else {
				others = append(others, d.org.unique[i])
			}
		}
		if gi < 0 {
			continue // no department of theirs is known: they show in the company's count only
		}
		g := groups[gi]
		if g == nil {
			g = &AbsenteeGroup{DeptID: d.org.depts[gi].ID, Dept: d.org.unique[gi], Managers: d.managers(gi), People: []Absentee{}}
			groups[gi] = g
		}
		g.People = append(g.People, Absentee{UserID: e.UserID, Name: e.Name, JobNumber: e.JobNumber, OtherDepts: others,
			ShiftStart: e.ShiftStart, OverdueMinutes: e.OverdueMinutes})
		a.Total++
	}
	for _, i := range d.org.treeOrder() {
		if g := groups[i]; g != nil {
			slices.SortFunc(g.People, func(x, y Absentee) int {
				return cmp.Or(cmp.Compare(y.OverdueMinutes, x.OverdueMinutes), cmp.Compare(x.Name, y.Name), cmp.Compare(x.UserID, y.UserID))
			})
			a.Groups = append(a.Groups, *g)
		}
	}
	return a, nil
}

// managers returns the managers of department i or of its nearest ancestor that has some,
// among the people of the report (a manager outside a scoped report is not named).
func (d *Daily) managers(i int32) []Person {
	for _, a := range d.org.anc[i] {
		ids := d.org.depts[a].Managers
		if len(ids) == 0 {
			continue
		}
		out := []Person{}
		for _, id := range ids {
			if e, ok := d.Employee(id); ok {
				out = append(out, Person{UserID: e.UserID, Name: e.Name})
			}
		}
		return out
	}
	return []Person{}
}

var absenteeColumns = []column{
	{key: "department", zh: "部门", en: "Department"},
	{key: "name", zh: "姓名", en: "Name"},
	{key: "job_number", zh: "工号", en: "Job number"},
	{key: "userid", zh: "UserId", en: "UserID", noTable: true},
	{key: "shift_start", zh: "上班时间", en: "Shift start", kind: kTime},
	{key: "overdue_minutes", zh: "已超时(分钟)", en: "Overdue (minutes)", kind: kInt},
	{key: "managers", zh: "负责人", en: "Managers"},
	{key: "other_departments", zh: "兼属部门", en: "Also in"},
}

func (a *Absentees) sheets() []sheet {
	return []sheet{{key: "not_checked_in", zh: "未打卡人员", en: "Not checked in", cols: absenteeColumns, rows: infallible(a.rows)}}
}

func (a *Absentees) rows(lang Lang) iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		for _, g := range a.Groups {
			names := make([]string, len(g.Managers))
			for i, m := range g.Managers {
				names[i] = m.Name
			}
			for _, p := range g.People {
				row := []any{g.Dept, p.Name, p.JobNumber, p.UserID, timeValue(p.ShiftStart), p.OverdueMinutes,
					strings.Join(names, lang.listSep()), strings.Join(p.OtherDepts, lang.listSep())}
				if !yield(row) {
					return
				}
			}
		}
	}
}

func (a *Absentees) writeTable(w io.Writer, lang Lang) error {
	fmt.Fprintf(w, "%s %s: %d\n\n", lang.pick("未打卡人员", "Not checked in"), a.Date, a.Total)
	return writeSheetTable(w, a.sheets()[0], lang)
}

func (a *Absentees) writeJSON(w io.Writer, indent string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", indent)
	enc.SetEscapeHTML(false)
	return enc.Encode(a)
}
