package orgpush

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits DingTalk documents for contacts writes (reference 3.1, 3.2), in characters.
const (
	maxDeptName   = 64
	maxPersonName = 80
	maxJobNumber  = 50
	maxTitle      = 200
	maxEmail      = 50
	maxPersonDept = 100
	maxTelephone  = 50
	maxOrgEmail   = 100
	maxWorkPlace  = 100
	maxRemark     = 2000
	maxExtension  = 2000 // the attributes as the JSON object DingTalk takes
	// maxHRID bounds an HR id, which becomes the department's source_identifier. DingTalk
	// documents no length for it: 64 is a guess on the safe side (UNVERIFIED).
	maxHRID = 64
)

// userid: 1-64 characters; DingTalk documents no alphabet, the simulator takes these, and an
// HR system's ids fit in them.
var useridPattern = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)

// telephonePattern is an office telephone as companies write them ("010-86123456-2345",
// "+86 10 8612 3456 转 2345"): DingTalk documents only its length (UNVERIFIED: which
// characters it takes).
var telephonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()#*,转-]*$`)

// validate checks the whole file against DingTalk's rules and its own consistency, and
// normalises mobile numbers. It returns every problem it finds.
func validate(f *File) []Problem {
	var ps []Problem
	add := func(line int, format string, args ...any) {
		ps = append(ps, Problem{line, fmt.Sprintf(format, args...)})
	}

	depts := map[string]*Department{}
	for i := range f.Departments {
		d := &f.Departments[i]
		switch {
		case d.ID == "":
			add(d.Line, "department %q has no id", d.Name)
		case utf8.RuneCountInString(d.ID) > maxHRID:
			add(d.Line, "department id %q is longer than %d characters", d.ID, maxHRID)
		case strings.ContainsAny(d.ID, idSeparators):
			add(d.Line, "department id %q contains one of %s, which separate ids in dept_ids", d.ID, idSeparators)
		case depts[d.ID] != nil:
			add(d.Line, "department id %q is also on line %d", d.ID, depts[d.ID].Line)
		default:
			depts[d.ID] = d
		}
		switch n := utf8.RuneCountInString(d.Name); {
		case n == 0:
			add(d.Line, "department %q has no name", d.ID)
		case n > maxDeptName:
			add(d.Line, "department name %q is %d characters; DingTalk allows %d", d.Name, n, maxDeptName)
		case strings.ContainsAny(d.Name, "-,，"):
			add(d.Line, "department name %q contains \"-\" or a comma, which DingTalk refuses", d.Name)
		}
		if d.Order != nil && (*d.Order < 0 || *d.Order > math.MaxInt32) {
			add(d.Line, "order %d: want a whole number from 0 to %d", *d.Order, math.MaxInt32)
		}
	}
	for i := range f.Departments {
		d := &f.Departments[i]
		switch {
		case d.ParentID == "":
		case d.ParentID == d.ID:
			add(d.Line, "department %q is its own parent", d.ID)
		case depts[d.ParentID] == nil:
			add(d.Line, "parent_id %q of department %q is not a department of the file", d.ParentID, d.ID)
		}
	}
	ps = append(ps, cycles(f.Departments, depts)...)
	siblings := map[[2]string]*Department{}
	for i := range f.Departments {
		d := &f.Departments[i]
		if d.Name == "" || depts[d.ID] != d {
			continue
		}
		k := [2]string{d.ParentID, d.Name}
		if o := siblings[k]; o != nil {
			where := "under the root"
			if d.ParentID != "" {
				where = fmt.Sprintf("under %q", d.ParentID)
			}
			add(d.Line, "department %q has the same name %q as department %q on line %d, %s; DingTalk refuses two departments of one name in one parent", d.ID, d.Name, o.ID, o.Line, where)
			continue
		}
		siblings[k] = d
	}

	userids := map[string]int{}
	mobiles := map[string]*Person{}
	emails := map[string]*Person{}
	telephones := map[string]*Person{}
	for i := range f.People {
		p := &f.People[i]
		switch {
		case p.UserID == "":
			add(p.Line, "person %q has no userid", p.Name)
		case !useridPattern.MatchString(p.UserID):
			add(p.Line, "userid %q: want 1 to 64 letters, digits or _ . @ -", p.UserID)
		case userids[p.UserID] != 0:
			add(p.Line, "userid %q is also on line %d", p.UserID, userids[p.UserID])
		default:
			userids[p.UserID] = p.Line
		}
		switch n := utf8.RuneCountInString(p.Name); {
		case n == 0:
			add(p.Line, "person %q has no name", p.UserID)
		case n > maxPersonName:
			add(p.Line, "name of %q is %d characters; DingTalk allows %d", p.UserID, n, maxPersonName)
		}
		if p.Mobile == "" {
			add(p.Line, "person %q has no mobile number", p.UserID)
		} else if m, ok := normalizeMobile(p.Mobile); !ok {
			add(p.Line, "mobile %s of %q is malformed: want 11 digits (13800000000) or +CC-NUMBER for numbers outside mainland China", MaskMobile(p.Mobile), p.UserID)
		} else {
			p.Mobile = m
			if o := mobiles[m]; o != nil {
				add(p.Line, "mobile %s of %q is also %q's on line %d", MaskMobile(m), p.UserID, o.UserID, o.Line)
			} else {
				mobiles[m] = p
			}
		}
		if p.Email != "" {
			key := strings.ToLower(p.Email)
			switch {
			case len(p.Email) > maxEmail:
				add(p.Line, "email of %q is longer than %d characters", p.UserID, maxEmail)
			case !emailLike(p.Email):
				add(p.Line, "email %s of %q is malformed", MaskEmail(p.Email), p.UserID)
			case emails[key] != nil:
				add(p.Line, "email %s of %q is also %q's on line %d", MaskEmail(p.Email), p.UserID, emails[key].UserID, emails[key].Line)
			default:
				emails[key] = p
			}
		}
		if p.OrgEmail != "" {
			switch {
			case utf8.RuneCountInString(p.OrgEmail) > maxOrgEmail:
				add(p.Line, "org_email of %q is longer than %d characters", p.UserID, maxOrgEmail)
			case !emailLike(p.OrgEmail):
				add(p.Line, "org_email %s of %q is malformed", MaskEmail(p.OrgEmail), p.UserID)
			}
		}
		if p.Telephone != "" {
			switch n := utf8.RuneCountInString(p.Telephone); {
			case n > maxTelephone:
				add(p.Line, "telephone of %q is %d characters; DingTalk allows %d", p.UserID, n, maxTelephone)
			case !telephonePattern.MatchString(p.Telephone):
				add(p.Line, "telephone %s of %q is malformed: want digits, with + - ( ) # or 转 (010-86123456-2345)", MaskPhone(p.Telephone), p.UserID)
			case telephones[p.Telephone] != nil:
				add(p.Line, "telephone %s of %q is also %q's on line %d: DingTalk wants each office telephone unique", MaskPhone(p.Telephone), p.UserID,
					telephones[p.Telephone].UserID, telephones[p.Telephone].Line)
			default:
				telephones[p.Telephone] = p
			}
		}
		for _, f := range []struct {
			name, v string
			max     int
		}{{"work_place", p.WorkPlace, maxWorkPlace}, {"remark", p.Remark, maxRemark}} {
			if n := utf8.RuneCountInString(f.v); n > f.max {
				add(p.Line, "%s of %q is %d characters; DingTalk allows %d", f.name, p.UserID, n, f.max)
			}
		}
		keys := map[string]bool{}
		for _, a := range p.ExtAttrs {
			switch {
			case a.Key == "":
				add(p.Line, "extattr of %q has an attribute without a name", p.UserID)
			case keys[a.Key]:
				add(p.Line, "extattr of %q sets %q twice", p.UserID, a.Key)
			}
			keys[a.Key] = true
		}
		if n := utf8.RuneCountInString(extensionJSON(p.ExtAttrs)); n > maxExtension {
			add(p.Line, "extattr of %q is %d characters as DingTalk stores it; DingTalk allows %d", p.UserID, n, maxExtension)
		}
		if p.Manager != "" {
			switch {
			case !useridPattern.MatchString(p.Manager):
				add(p.Line, "manager %q of %q is not a userid", p.Manager, p.UserID)
			case p.Manager == p.UserID:
				add(p.Line, "%q is their own manager", p.UserID)
			}
		}
		for id, v := range p.Orders {
			switch {
			case v < 0:
				add(p.Line, "dept_order of %q: %d is negative", p.UserID, v)
			case id == "" && len(p.DeptIDs) > 0, id != "" && !slices.Contains(p.DeptIDs, id):
				add(p.Line, "dept_order of %q names %q, which is not one of their dept_ids", p.UserID, id)
			}
		}
		if n := utf8.RuneCountInString(p.JobNumber); n > maxJobNumber {
			add(p.Line, "job_number of %q is %d characters; DingTalk allows %d", p.UserID, n, maxJobNumber)
		}
		if n := utf8.RuneCountInString(p.Title); n > maxTitle {
			add(p.Line, "title of %q is %d characters; DingTalk allows %d", p.UserID, n, maxTitle)
		}
		if len(p.DeptIDs) > maxPersonDept {
			add(p.Line, "%q is in %d departments; DingTalk allows %d", p.UserID, len(p.DeptIDs), maxPersonDept)
		}
		seen := map[string]bool{}
		for _, id := range p.DeptIDs {
			switch {
			case seen[id]:
				add(p.Line, "dept_ids of %q lists %q twice", p.UserID, id)
			case depts[id] == nil:
				add(p.Line, "dept_ids of %q: %q is not a department of the file", p.UserID, id)
			}
			seen[id] = true
		}
	}
	return append(ps, managerCycles(f.People)...)
}

func emailLike(s string) bool {
	return strings.Count(s, "@") == 1 && !strings.ContainsAny(s, " \t,;") && !strings.HasPrefix(s, "@") && !strings.HasSuffix(s, "@")
}

// managerCycles reports each loop of managers within the file once, at the line of its first
// person in file order (loops through people only DingTalk has are found when planning).
func managerCycles(people []Person) []Problem {
	byID := map[string]*Person{}
	for i := range people {
		if byID[people[i].UserID] == nil {
			byID[people[i].UserID] = &people[i]
		}
	}
	var ps []Problem
	state := map[*Person]int{}
	for i := range people {
		var path []*Person
		for p := &people[i]; p != nil && state[p] == 0; p = byID[p.Manager] {
			state[p] = 1
			path = append(path, p)
			if p.Manager == p.UserID {
				break // reported as their own manager
			}
			if q := byID[p.Manager]; q != nil && state[q] == 1 {
				first := slices.Index(path, q)
				var ids []string
				line := q.Line
				for _, r := range path[first:] {
					ids = append(ids, fmt.Sprintf("%q", r.UserID))
					line = min(line, r.Line)
				}
				ids = append(ids, fmt.Sprintf("%q", q.UserID))
				ps = append(ps, Problem{line, "managers form a loop: " + strings.Join(ids, " → ")})
				break
			}
		}
		for _, p := range path {
			state[p] = 2
		}
	}
	return ps
}

// cycles reports each cycle of parent links once, at the line of its first department in
// file order.
func cycles(list []Department, byID map[string]*Department) []Problem {
	var ps []Problem
	state := map[string]int{} // 0 unvisited, 1 on the current path, 2 done
	for i := range list {
		start := &list[i]
		if byID[start.ID] != start || state[start.ID] != 0 {
			continue
		}
		var path []*Department
		for d := start; d != nil && state[d.ID] == 0; d = byID[d.ParentID] {
			state[d.ID] = 1
			path = append(path, d)
			if d.ParentID == d.ID {
				break // reported as its own parent
			}
			if p := byID[d.ParentID]; p != nil && state[p.ID] == 1 {
				var ids []string
				first := 0
				for j, q := range path {
					if q.ID == p.ID {
						first = j
					}
				}
				line := path[first].Line
				for _, q := range path[first:] {
					ids = append(ids, fmt.Sprintf("%q", q.ID))
					line = min(line, q.Line)
				}
				ids = append(ids, fmt.Sprintf("%q", p.ID))
				ps = append(ps, Problem{line, "parent_id links form a cycle: " + strings.Join(ids, " → ")})
				break
			}
		}
		for _, d := range path {
			state[d.ID] = 2
		}
	}
	return ps
}
