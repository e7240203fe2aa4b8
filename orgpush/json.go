package orgpush

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kaoqin/kaoqin/tabfile"
)

// The JSON form: {"departments":[{...}, ...], "people":[{...}, ...]}. Each object is decoded
// on its own so that a problem is reported at the line of its "{".

type jsonDepartment struct {
	ID              jsonID    `json:"id"`
	Name            string    `json:"name"`
	ParentID        jsonID    `json:"parent_id"`
	Order           *jsonInt  `json:"order"`
	CreateDeptGroup *jsonBool `json:"create_dept_group"`
	HideDept        *jsonBool `json:"hide_dept"`
	OuterDept       *jsonBool `json:"outer_dept"`
}

type jsonPerson struct {
	UserID     jsonID             `json:"userid"`
	Name       string             `json:"name"`
	Mobile     jsonID             `json:"mobile"` // a number is accepted: spreadsheets turn mobiles into numbers
	Email      string             `json:"email"`
	JobNumber  jsonID             `json:"job_number"`
	Title      string             `json:"title"`
	DeptIDs    []jsonID           `json:"dept_ids"`
	Telephone  jsonID             `json:"telephone"`
	WorkPlace  string             `json:"work_place"`
	Remark     string             `json:"remark"`
	OrgEmail   string             `json:"org_email"`
	HideMobile *jsonBool          `json:"hide_mobile"`
	SeniorMode *jsonBool          `json:"senior_mode"`
	ExtAttr    map[string]*string `json:"extattr"` // null or "" removes an attribute
	HiredDate  string             `json:"hired_date"`
	Manager    jsonID             `json:"manager"`
	DeptOrder  *jsonOrders        `json:"dept_order"`
}

// jsonBool is true or false, also written as a string ("true", "是", "1"...); null and ""
// mean unset.
type jsonBool struct {
	set bool
	v   bool
}

func (b *jsonBool) UnmarshalJSON(data []byte) error {
	switch s := string(data); s {
	case "null":
		return nil
	case "true", "false":
		*b = jsonBool{true, s == "true"}
		return nil
	}
	var s string
	if json.Unmarshal(data, &s) == nil {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		if v, ok := parseBool(s); ok {
			*b = jsonBool{true, v}
			return nil
		}
	}
	return typeError(data, reflect.TypeFor[bool]())
}

func (b *jsonBool) ptr() *bool {
	if b == nil || !b.set {
		return nil
	}
	return &b.v
}

// jsonOrders is a person's order: one whole number for all their departments, or an object
// {"DEPT_ID": number}.
type jsonOrders struct {
	all    *jsonInt
	byDept map[string]jsonInt
}

func (o *jsonOrders) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '{' {
		return json.Unmarshal(data, &o.byDept)
	}
	o.all = &jsonInt{}
	return json.Unmarshal(data, o.all)
}

// jsonID is an id written as a string or as an integer (HR exports do both).
type jsonID string

func (id *jsonID) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*id = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = jsonID(strings.TrimSpace(s))
	default:
		if _, err := strconv.ParseInt(string(b), 10, 64); err != nil {
			return typeError(b, reflect.TypeFor[string]())
		}
		*id = jsonID(b)
	}
	return nil
}

// typeError lets encoding/json name the field whose value b is of the wrong kind.
func typeError(b []byte, want reflect.Type) error {
	what := "number " + string(b)
	switch {
	case len(b) == 0:
		what = "nothing"
	case b[0] == '"':
		what = "string " + string(b)
	case b[0] == '{':
		what = "object"
	case b[0] == '[':
		what = "array"
	case b[0] == 't' || b[0] == 'f':
		what = "boolean"
	}
	return &json.UnmarshalTypeError{Value: what, Type: want}
}

// jsonInt is a whole number, also written as a string of digits; null and "" mean unset.
type jsonInt struct {
	set bool
	v   int64
}

func (n *jsonInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s = strings.TrimSpace(s); s == "" {
			return nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return typeError(b, reflect.TypeFor[int64]())
	}
	*n = jsonInt{true, v}
	return nil
}

// lineIndex turns byte offsets into line numbers.
type lineIndex []int // offsets where lines start

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (idx lineIndex) line(off int64) int {
	return sort.Search(len(idx), func(i int) bool { return int64(idx[i]) > off })
}

// readJSON fills f from data and returns the problems found; fatal says the JSON could not be
// read to its end, so that its objects cannot be checked against each other.
func readJSON(data []byte, f *File) (problems []Problem, fatal bool) {
	lines := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(off int64, format string, args ...any) []Problem {
		return append(problems, Problem{lines.line(off), fmt.Sprintf(format, args...)})
	}
	syntax := func(err error) ([]Problem, bool) {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fail(se.Offset, "not valid JSON: %v", se), true
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fail(int64(len(data)), "the JSON ends too early"), true
		}
		return fail(dec.InputOffset(), "not valid JSON: %v", err), true
	}
	if tok, err := dec.Token(); err != nil {
		return syntax(err)
	} else if tok != json.Delim('{') {
		return fail(0, `want a JSON object {"departments":[...],"people":[...]}`), true
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntax(err)
		}
		key, _ := tok.(string)
		keyOff := dec.InputOffset()
		if seen[key] {
			problems = fail(keyOff, "%q appears twice", key)
		}
		seen[key] = true
		switch key {
		case "departments":
			err = readArray(dec, data, lines, key, func(line int, raw json.RawMessage) {
				var d jsonDepartment
				if msg := decodeStrict(raw, &d); msg != "" {
					problems = append(problems, Problem{line, "department: " + msg})
					return
				}
				dep := Department{Line: line, ID: string(d.ID), Name: strings.TrimSpace(d.Name), ParentID: string(d.ParentID),
					CreateDeptGroup: d.CreateDeptGroup.ptr(), HideDept: d.HideDept.ptr(), OuterDept: d.OuterDept.ptr()}
				if d.Order != nil && d.Order.set {
					dep.Order = &d.Order.v
				}
				f.Departments = append(f.Departments, dep)
			})
		case "people":
			err = readArray(dec, data, lines, key, func(line int, raw json.RawMessage) {
				var p jsonPerson
				if msg := decodeStrict(raw, &p); msg != "" {
					problems = append(problems, Problem{line, "person: " + msg})
					return
				}
				per := Person{Line: line, UserID: string(p.UserID), Name: strings.TrimSpace(p.Name), Mobile: string(p.Mobile),
					Email: strings.TrimSpace(p.Email), JobNumber: string(p.JobNumber), Title: strings.TrimSpace(p.Title),
					Telephone: string(p.Telephone), WorkPlace: strings.TrimSpace(p.WorkPlace), Remark: strings.TrimSpace(p.Remark),
					OrgEmail: strings.TrimSpace(p.OrgEmail), HideMobile: p.HideMobile.ptr(), SeniorMode: p.SeniorMode.ptr(),
					Manager: string(p.Manager)}
				for _, id := range p.DeptIDs {
					per.DeptIDs = append(per.DeptIDs, string(id))
				}
				for _, k := range slices.Sorted(maps.Keys(p.ExtAttr)) {
					v := ""
					if p.ExtAttr[k] != nil {
						v = strings.TrimSpace(*p.ExtAttr[k])
					}
					per.ExtAttrs = append(per.ExtAttrs, Attr{strings.TrimSpace(k), v})
				}
				if s := strings.TrimSpace(p.HiredDate); s != "" {
					if d, ok := tabfile.ParseDate(s); ok {
						per.HiredDate = d
					} else {
						problems = append(problems, Problem{line, fmt.Sprintf("hired_date %q of %q is not a date: write it as 2026-03-08", s, per.UserID)})
					}
				}
				if o := p.DeptOrder; o != nil {
					per.Orders = map[string]int64{}
					switch {
					case o.all != nil && o.all.set && len(per.DeptIDs) == 0:
						per.Orders[""] = o.all.v
					case o.all != nil && o.all.set:
						for _, id := range per.DeptIDs {
							per.Orders[id] = o.all.v
						}
					default:
						for id, v := range o.byDept {
							if v.set {
								per.Orders[id] = v.v
							}
						}
					}
				}
				f.People = append(f.People, per)
			})
		default:
			problems = fail(keyOff, `unknown key %q: the file holds "departments" and "people"`, key)
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			var pe arrayProblem
			if errors.As(err, &pe) {
				return append(problems, Problem(pe)), true
			}
			return syntax(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntax(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(dec.InputOffset(), "unexpected data after the JSON object"), true
	}
	return problems, false
}

// arrayProblem is a structural problem that stops the reading of the file.
type arrayProblem Problem

func (p arrayProblem) Error() string { return Problem(p).String() }

// readArray decodes the array that follows key, calling each with every element and the line
// where it starts.
func readArray(dec *json.Decoder, data []byte, lines lineIndex, key string, each func(int, json.RawMessage)) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('[') {
		return arrayProblem{lines.line(dec.InputOffset()), fmt.Sprintf("%q must be a list [...]", key)}
	}
	for dec.More() {
		// The decoder stands after the previous token; the element starts after blanks and
		// the comma that separates it from the previous one.
		off := dec.InputOffset()
		for off < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
			off++
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		line := lines.line(off)
		if len(raw) == 0 || raw[0] != '{' {
			each(line, nil)
			continue
		}
		each(line, raw)
	}
	_, err = dec.Token() // ]
	return err
}

// decodeStrict decodes one object, refusing unknown fields, and returns what was wrong in
// words a clerk can act on ("" when nothing was).
func decodeStrict(raw json.RawMessage, v any) string {
	if raw == nil {
		return "want an object {...}"
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return ""
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s must be %s, not %s", te.Field, kindOf(te.Type.Kind().String()), valueWords(te.Value))
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Sprintf("unknown field %s (%s)", field, knownFields(v))
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonFields lists the keys of an object of the file.
func jsonFields[T any]() []string {
	var out []string
	t := reflect.TypeFor[T]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}

func valueWords(v string) string {
	if rest, ok := strings.CutPrefix(v, "number "); ok {
		return rest
	}
	if rest, ok := strings.CutPrefix(v, "string "); ok {
		return rest
	}
	switch v {
	case "array", "object":
		return "an " + v
	}
	return "a " + v
}

func kindOf(k string) string {
	switch k {
	case "string":
		return "text"
	case "slice":
		return "a list"
	case "int64", "int":
		return "a whole number"
	case "bool":
		return "true or false"
	case "map":
		return "an object"
	}
	return k
}

func knownFields(v any) string {
	switch v.(type) {
	case *jsonDepartment:
		return "a department has " + strings.Join(jsonFields[jsonDepartment](), ", ")
	case *jsonPerson:
		return "a person has " + strings.Join(jsonFields[jsonPerson](), ", ")
	}
	return ""
}
