package orgpush

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// The CSV form is one sheet with one header row; the kind column says what each row is.
// Departments fill id, name, parent_id and order; people fill userid, name, mobile, email,
// job_number, title and dept_ids (several ids separated by ";"). Columns come in any order;
// the ones a file does not use may be left out.

var csvColumns = []string{"kind", "id", "name", "parent_id", "order", "userid", "mobile", "email", "job_number", "title", "dept_ids"}

var (
	deptOnly   = []string{"id", "parent_id", "order"}
	personOnly = []string{"userid", "mobile", "email", "job_number", "title", "dept_ids"}
)

const (
	kindDepartment = "department"
	kindPerson     = "person"
)

// csvKinds are the spellings of the kind column that a clerk may use.
var csvKinds = map[string]string{
	"department": kindDepartment, "dept": kindDepartment, "部门": kindDepartment,
	"person": kindPerson, "people": kindPerson, "user": kindPerson, "人员": kindPerson, "员工": kindPerson,
}

// readCSV fills f from data and returns the problems found; fatal says the file could not be
// read far enough for its rows to be checked against each other.
func readCSV(data []byte, f *File) (problems []Problem, fatal bool) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return []Problem{{0, "the file is empty"}}, true
	}
	if err != nil {
		return []Problem{csvProblem(err)}, true
	}
	headerLine, _ := r.FieldPos(0)
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case name == "":
			continue
		case !slices.Contains(csvColumns, name):
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
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return append(problems, csvProblem(err)), true
		}
		line, _ := r.FieldPos(0)
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
		kindCell := get("kind")
		kind := csvKinds[strings.ToLower(kindCell)]
		if kind == "" {
			problems = append(problems, Problem{line, fmt.Sprintf("kind %q: want department or person", kindCell)})
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
				problems = append(problems, Problem{line, fmt.Sprintf("%s is for %s rows; leave it empty on a %s row", c, otherKind(kind), kind)})
			}
		}
		switch kind {
		case kindDepartment:
			d := Department{Line: line, ID: get("id"), Name: get("name"), ParentID: get("parent_id")}
			if s := get("order"); s != "" {
				v, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					problems = append(problems, Problem{line, fmt.Sprintf("order %q is not a whole number", s)})
				} else {
					d.Order = &v
				}
			}
			f.Departments = append(f.Departments, d)
		case kindPerson:
			f.People = append(f.People, Person{Line: line, UserID: get("userid"), Name: get("name"), Mobile: get("mobile"),
				Email: get("email"), JobNumber: get("job_number"), Title: get("title"), DeptIDs: splitIDs(get("dept_ids"))})
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

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func csvProblem(err error) Problem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Problem{pe.Line, fmt.Sprintf("not valid CSV: %v", pe.Err)}
	}
	return Problem{0, fmt.Sprintf("not valid CSV: %v", err)}
}
