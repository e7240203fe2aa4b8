package orgpush

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// A person's fields besides name, mobile and departments: compared with DingTalk's one by
// one, each change shown old → new in the plan, personal values masked. An empty cell
// leaves DingTalk's value as it is, unless Options.Clear names the field; a person created
// again (a new mobile) keeps DingTalk's values of the fields the file leaves empty.

// textField is a text field of a person.
type textField struct {
	name  string // the column, as --clear names it
	label string // as the plan says it
	file  func(*Person) string
	org   func(*OrgUser) string
	set   func(*UserChange, *string)
	show  func(string) string    // how the plan shows a value
	same  func(a, b string) bool // whether DingTalk's value is the file's
}

func exact(a, b string) bool { return a == b }

func quoted(s string) string { return fmt.Sprintf("%q", s) }

// length shows a remark, which can say anything about a person, by its length only.
func length(s string) string { return fmt.Sprintf("(%d characters)", utf8.RuneCountInString(s)) }

var textFields = []textField{
	{"email", "email", func(p *Person) string { return p.Email }, func(u *OrgUser) string { return u.Email },
		func(c *UserChange, v *string) { c.Email = v }, MaskEmail, strings.EqualFold},
	{"job_number", "job number", func(p *Person) string { return p.JobNumber }, func(u *OrgUser) string { return u.JobNumber },
		func(c *UserChange, v *string) { c.JobNumber = v }, quoted, exact},
	{"title", "title", func(p *Person) string { return p.Title }, func(u *OrgUser) string { return u.Title },
		func(c *UserChange, v *string) { c.Title = v }, quoted, exact},
	{"telephone", "telephone", func(p *Person) string { return p.Telephone }, func(u *OrgUser) string { return u.Telephone },
		func(c *UserChange, v *string) { c.Telephone = v }, MaskPhone, exact},
	{"work_place", "work place", func(p *Person) string { return p.WorkPlace }, func(u *OrgUser) string { return u.WorkPlace },
		func(c *UserChange, v *string) { c.WorkPlace = v }, quoted, exact},
	{"remark", "remark", func(p *Person) string { return p.Remark }, func(u *OrgUser) string { return u.Remark },
		func(c *UserChange, v *string) { c.Remark = v }, length, exact},
	{"org_email", "org email", func(p *Person) string { return p.OrgEmail }, func(u *OrgUser) string { return u.OrgEmail },
		func(c *UserChange, v *string) { c.OrgEmail = v }, MaskEmail, strings.EqualFold},
}

func shown(f textField, v string) string {
	if v == "" {
		return "(none)"
	}
	return f.show(v)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// profile fills c with the person's fields besides name, mobile and departments, and returns
// what changes, in words, for an update. refs are the person's departments once pushed.
func (p *planner) profile(ps *personState, c *UserChange, refs []Ref) []string {
	var what []string
	change := func(format string, args ...any) { what = append(what, fmt.Sprintf(format, args...)) }
	u := ps.u
	create := ps.created()
	// carry: the value a person created again keeps from DingTalk where the file leaves
	// the field empty.
	carry := ps.recreate

	for _, f := range textFields {
		want := f.file(ps.Person)
		if ps.drop[f.name] {
			continue
		}
		if create {
			if want == "" && carry && !p.opts.clears(f.name) {
				want = f.org(u)
			}
			if want != "" {
				f.set(c, ptr(want))
			}
			continue
		}
		have := f.org(u)
		switch {
		case want != "" && !f.same(want, have):
			f.set(c, ptr(want))
			change("%s %s → %s", f.label, shown(f, have), shown(f, want))
		case want == "" && have != "" && p.opts.clears(f.name):
			f.set(c, ptr(""))
			c.Clears = append(c.Clears, f.name)
			change("%s %s → (cleared)", f.label, shown(f, have))
		}
	}

	// Yes-or-no fields.
	hide, senior := ps.HideMobile, ps.SeniorMode
	if create {
		if hide == nil && carry && u.HideMobile {
			hide = ptr(true)
		}
		if senior == nil && carry && u.Detailed && u.Senior {
			senior = ptr(true)
		}
		if hide != nil && *hide {
			c.HideMobile = hide
		}
		if senior != nil && *senior {
			c.Senior = senior
		}
	} else {
		if hide != nil && *hide != u.HideMobile {
			c.HideMobile = hide
			change("hidden mobile %s → %s", yesNo(u.HideMobile), yesNo(*hide))
		}
		if senior != nil && *senior != u.Senior {
			c.Senior = senior
			change("senior mode %s → %s", yesNo(u.Senior), yesNo(*senior))
		}
	}

	// Hire date: a day in the company's time zone, midnight of it as DingTalk's ms.
	loc := p.opts.location()
	if want := ps.HiredDate; want != "" || (create && carry && u.HiredDate != 0) {
		have := ""
		if u != nil && u.HiredDate != 0 {
			have = time.UnixMilli(u.HiredDate).In(loc).Format(time.DateOnly)
		}
		switch {
		case create && want == "":
			c.HiredDate = ptr(u.HiredDate)
		case create || want != have:
			d, _ := time.ParseInLocation(time.DateOnly, want, loc)
			c.HiredDate = ptr(d.UnixMilli())
			if !create {
				change("hire date %s → %s", cmpOr(have, "(none)"), want)
			}
		}
	}

	what = append(what, p.extension(ps, c)...)
	what = append(what, p.orders(ps, c, refs)...)
	return what
}

// extension works out the custom attributes: DingTalk's, with those the file sets set and
// those it empties removed (all of them with --clear extattr and an empty cell). DingTalk's
// update replaces the whole set, so the whole set is sent.
func (p *planner) extension(ps *personState, c *UserChange) []string {
	create := ps.created()
	if len(ps.ExtAttrs) == 0 && !p.opts.clears("extattr") && !ps.recreate {
		return nil
	}
	have := map[string]string{}
	if ps.u != nil && (!create || ps.recreate) {
		have = parseExtension(ps.u.Extension)
	}
	merged := maps.Clone(have)
	if len(ps.ExtAttrs) == 0 && p.opts.clears("extattr") {
		merged = map[string]string{}
	}
	for _, a := range ps.ExtAttrs {
		if a.Value == "" {
			delete(merged, a.Key)
		} else {
			merged[a.Key] = a.Value
		}
	}
	if maps.Equal(have, merged) && !(create && len(merged) > 0) {
		return nil
	}
	text := attrsJSON(merged)
	if n := utf8.RuneCountInString(text); n > maxExtension {
		p.notApplied("", "%s: custom attributes not set: with DingTalk's own they are %d characters, more than the %d DingTalk takes", ps.label(), n, maxExtension)
		return nil
	}
	if create {
		if len(merged) > 0 {
			c.Extension = ptr(text)
		}
		return nil
	}
	c.Extension = ptr(text)
	if len(merged) == 0 {
		c.Clears = append(c.Clears, "extattr")
	}
	var what []string
	for _, k := range slices.Sorted(maps.Keys(merged)) {
		if old, ok := have[k]; !ok || old != merged[k] {
			from := "(none)"
			if ok {
				from = quoted(old)
			}
			what = append(what, fmt.Sprintf("%s %s → %s", k, from, quoted(merged[k])))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, ok := merged[k]; !ok {
			what = append(what, fmt.Sprintf("%s %s → (removed)", k, quoted(have[k])))
		}
	}
	return []string{"custom attributes " + strings.Join(what, ", ")}
}

// parseExtension reads DingTalk's extension, a JSON object; anything else counts as none.
func parseExtension(s string) map[string]string {
	m := map[string]string{}
	if s == "" {
		return m
	}
	var raw map[string]any
	if json.Unmarshal([]byte(s), &raw) != nil {
		return m
	}
	for k, v := range raw {
		if str, ok := v.(string); ok {
			m[k] = str
		} else {
			b, _ := json.Marshal(v)
			m[k] = string(b)
		}
	}
	return m
}

// attrsJSON writes custom attributes as the JSON object DingTalk takes, keys sorted.
func attrsJSON(m map[string]string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(m)
	return strings.TrimSuffix(b.String(), "\n")
}

// extensionJSON is attrsJSON of the attributes a file row sets.
func extensionJSON(attrs []Attr) string {
	m := map[string]string{}
	for _, a := range attrs {
		if a.Value != "" {
			m[a.Key] = a.Value
		}
	}
	return attrsJSON(m)
}

// orders works out the person's order in each department (dept_order_list): the file's
// where it gives one; DingTalk's elsewhere, so that a department the file does not name
// keeps its order whatever DingTalk does with one left out. It sends them all when one
// changes.
func (p *planner) orders(ps *personState, c *UserChange, refs []Ref) []string {
	if len(ps.Orders) == 0 && !ps.recreate {
		return nil
	}
	hrIDs := ps.DeptIDs
	if len(hrIDs) == 0 {
		hrIDs = []string{""} // the root
	}
	create := ps.created()
	var entries []OrderRef
	var what []string
	for i, ref := range refs {
		hr := hrIDs[i]
		// DingTalk's order, where the person is in the department already (a person
		// created again keeps theirs).
		have, had := int64(0), false
		if ps.u != nil && ref.ID != 0 && slices.Contains(ps.u.DeptIDs, ref.ID) {
			have, had = ps.u.Orders[ref.ID]
		}
		want, named := ps.Orders[hr]
		switch {
		case named:
			entries = append(entries, OrderRef{ref, want})
			if !create && (!had || have != want) {
				from := "(none)"
				if had {
					from = fmt.Sprint(have)
				}
				where := "(root)"
				if hr != "" {
					where = p.byHR[hr].path
				}
				what = append(what, fmt.Sprintf("order in %s %s → %d", where, from, want))
			}
		case had:
			entries = append(entries, OrderRef{ref, have})
		}
	}
	if len(what) > 0 || (create && len(entries) > 0) {
		c.Orders = entries
	}
	return what
}
