package orgpush

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kaoqin/kaoqin/tabfile"
)

// The CSV form (and an .xlsx sheet, which holds the same columns) is one sheet with one
// header row; the kind column says what each row is. Columns come in any order; the ones a
// file does not use may be left out. See the package documentation for each column.

var csvColumns = []string{"kind", "id", "name", "parent_id", "order", "create_dept_group", "hide_dept", "outer_dept",
	"userid", "mobile", "email", "job_number", "title", "dept_ids",
	"telephone", "work_place", "remark", "org_email", "hide_mobile", "senior_mode", "extattr", "hired_date", "manager", "dept_order"}

var (
	deptOnly   = []string{"id", "parent_id", "order", "create_dept_group", "hide_dept", "outer_dept"}
	personOnly = []string{"userid", "mobile", "email", "job_number", "title", "dept_ids",
		"telephone", "work_place", "remark", "org_email", "hide_mobile", "senior_mode", "extattr", "hired_date", "manager", "dept_order"}
)

// columnAliases are other names of the columns, written without "_", "-" or blanks and in
// lower case: DingTalk's older API names (isHide, extattr, orderInDepts, deptHiding...) and
// the spellings an HR export may use.
var columnAliases = map[string]string{
	"ishide": "hide_mobile", "issenior": "senior_mode", "senior": "senior_mode", "extension": "extattr", "extattrs": "extattr",
	"hiredate": "hired_date", "manageruserid": "manager", "orderindepts": "dept_order", "deptorders": "dept_order",
	"tel": "telephone", "jobnumber": "job_number", "position": "title", "depthiding": "hide_dept", "deptids": "dept_ids",
}

// columnName returns the column a header cell names, or "".
func columnName(header string) string {
	key := strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(header)))
	for _, c := range csvColumns {
		if key == strings.ReplaceAll(c, "_", "") {
			return c
		}
	}
	return columnAliases[key]
}

const (
	kindDepartment = "department"
	kindPerson     = "person"
)

// csvKinds are the spellings of the kind column that a clerk may use.
var csvKinds = map[string]string{
	"department": kindDepartment, "dept": kindDepartment, "部门": kindDepartment,
	"person": kindPerson, "people": kindPerson, "user": kindPerson, "人员": kindPerson, "员工": kindPerson,
}

// readTable fills f from the rows of a CSV file or a sheet and returns the problems found;
// fatal says the file could not be read far enough for its rows to be checked against each
// other.
func readTable(t *tabfile.Table, f *File) (problems []Problem, fatal bool) {
	first := slices.IndexFunc(t.Rows, func(r []string) bool { return !blank(r) })
	if first < 0 {
		return []Problem{{0, "the file is empty"}}, true
	}
	header, headerLine := t.Rows[first], t.Lines[first]
	col := map[string]int{}
	for i, h := range header {
		name := columnName(h)
		switch {
		case strings.TrimSpace(h) == "":
			continue
		case name == "":
			problems = append(problems, Problem{headerLine, fmt.Sprintf("unknown column %q (the columns are %s)", h, strings.Join(csvColumns, ", "))})
		case col[name] != 0:
			problems = append(problems, Problem{headerLine, fmt.Sprintf("column %q appears twice", name)})
		default:
			col[name] = i + 1 // 0 means absent
		}
	}
	for _, need := range []string{"kind", "name"} {
		if col[need] == 0 {
			problems = append(problems, Problem{headerLine, fmt.Sprintf("no %s column (the columns are %s)", need, strings.Join(csvColumns, ", "))})
		}
	}
	if len(problems) > 0 {
		return problems, true
	}
	missingReported := map[string]bool{}
	for i := first + 1; i < len(t.Rows); i++ {
		rec, line := t.Rows[i], t.Lines[i]
		if blank(rec) {
			continue
		}
		if len(rec) > len(header) && !blank(rec[len(header):]) {
			problems = append(problems, Problem{line, fmt.Sprintf("%d cells, but the header has %d columns", len(rec), len(header))})
		}
		get := func(name string) string {
			if i := col[name]; i > 0 && i <= len(rec) {
				return strings.TrimSpace(rec[i-1])
			}
			return ""
		}
		bad := func(format string, args ...any) {
			problems = append(problems, Problem{line, fmt.Sprintf(format, args...)})
		}
		boolean := func(name string) *bool {
			s := get(name)
			if s == "" {
				return nil
			}
			v, ok := parseBool(s)
			if !ok {
				bad("%s %q: want true or false (also 是/否, yes/no, 1/0)", name, s)
				return nil
			}
			return &v
		}
		kindCell := get("kind")
		kind := csvKinds[strings.ToLower(kindCell)]
		if kind == "" {
			bad("kind %q: want department or person", kindCell)
			continue
		}
		need, other := []string{"id"}, personOnly
		if kind == kindPerson {
			need, other = []string{"userid", "mobile", "dept_ids"}, deptOnly
		}
		for _, c := range need {
			if col[c] == 0 && !missingReported[c] {
				missingReported[c] = true
				fatal = true
				problems = append(problems, Problem{headerLine, fmt.Sprintf("no %s column, which %s rows need", c, kind)})
			}
		}
		for _, c := range other {
			if get(c) != "" {
				bad("%s is for %s rows; leave it empty on a %s row", c, otherKind(kind), kind)
			}
		}
		switch kind {
		case kindDepartment:
			d := Department{Line: line, ID: get("id"), Name: get("name"), ParentID: get("parent_id"),
				CreateDeptGroup: boolean("create_dept_group"), HideDept: boolean("hide_dept"), OuterDept: boolean("outer_dept")}
			if s := get("order"); s != "" {
				v, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					bad("order %q is not a whole number", s)
				} else {
					d.Order = &v
				}
			}
			f.Departments = append(f.Departments, d)
		case kindPerson:
			p := Person{Line: line, UserID: get("userid"), Name: get("name"), Mobile: get("mobile"),
				Email: get("email"), JobNumber: get("job_number"), Title: get("title"), DeptIDs: splitIDs(get("dept_ids")),
				Telephone: get("telephone"), WorkPlace: get("work_place"), Remark: get("remark"), OrgEmail: get("org_email"),
				HideMobile: boolean("hide_mobile"), SeniorMode: boolean("senior_mode"), Manager: get("manager")}
			if s := get("extattr"); s != "" {
				attrs, msg := parseAttrs(s)
				if msg != "" {
					bad("extattr of %q: %s", p.UserID, msg)
				}
				p.ExtAttrs = attrs
			}
			if s := get("hired_date"); s != "" {
				if d, ok := t.ParseDate(s); ok {
					p.HiredDate = d
				} else {
					bad("hired_date %q of %q is not a date: write it as 2026-03-08", s, p.UserID)
				}
			}
			if s := get("dept_order"); s != "" {
				orders, msg := parseOrders(s, p.DeptIDs)
				if msg != "" {
					bad("dept_order of %q: %s", p.UserID, msg)
				}
				p.Orders = orders
			}
			f.People = append(f.People, p)
		}
	}
	return problems, fatal
}

func otherKind(kind string) string {
	if kind == kindPerson {
		return kindDepartment
	}
	return kindPerson
}

// idSeparators separate the department ids of one person in a CSV cell; HR ids cannot hold
// them (validate checks).
const idSeparators = ";；,，|"

func splitIDs(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(idSeparators, r) || r == '\n' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// parseBool reads a yes-or-no cell as people and spreadsheets write it.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "是", "对", "t":
		return true, true
	case "false", "no", "n", "0", "否", "f":
		return false, true
	}
	return false, false
}

// parseAttrs reads custom attributes written key=value;key=value ("；" also separates). A
// key with nothing after "=" removes that attribute.
func parseAttrs(s string) ([]Attr, string) {
	var out []Attr
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == '\n' }) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return out, fmt.Sprintf("%q: want key=value, several separated by \";\"", strings.TrimSpace(part))
		}
		out = append(out, Attr{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return out, ""
}

// parseOrders reads a person's order in their departments: one whole number for every one
// of them, or DEPT=N;DEPT=N for some.
func parseOrders(s string, deptIDs []string) (map[string]int64, string) {
	if v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
		out := map[string]int64{}
		if len(deptIDs) == 0 {
			out[""] = v
		}
		for _, id := range deptIDs {
			out[id] = v
		}
		return out, ""
	}
	out := map[string]int64{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == '\n' }) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		id, n, ok := strings.Cut(part, "=")
		v, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		if !ok || err != nil {
			return nil, fmt.Sprintf("%q: want a whole number, or DEPT_ID=NUMBER for each department, separated by \";\"", strings.TrimSpace(part))
		}
		id = strings.TrimSpace(id)
		if _, twice := out[id]; twice {
			return nil, fmt.Sprintf("department %q appears twice", id)
		}
		out[id] = v
	}
	return out, ""
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
