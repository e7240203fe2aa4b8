package orgpush

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The departments' creates, moves and renames are ordered so that every state in between is
// a tree DingTalk accepts: a parent exists before its children, a department never goes under
// its own sub-department (60010), and no two departments of one parent bear one name.
//
// The scheduler applies, pass after pass, every step that is valid in the model. Moves alone
// never get stuck: if a move X -> T is refused because T is below X, some department between
// T and X must move too (else T would still be below X in the file's tree, which has no
// cycles), and it lies strictly below X; if that one is refused too, the same holds below it,
// and so on until one can go. So no temporary move under the root is ever needed. Names can
// get stuck (two siblings swapping names, or a name held by a department the plan removes at
// the end): the scheduler then renames the holder temporarily, and says so in the plan.

type deptOp struct {
	ds         *deptState
	create     bool
	parent     int64 // target parent (model key)
	name       string
	order      *int64
	sid        *string
	hide       *bool
	outer      *bool
	group      *bool
	structural bool // changes the parent or the name
	done       bool
	dropped    bool
}

type blockKind int

const (
	valid blockKind = iota
	noParent
	cycle
	nameTaken
)

type block struct {
	kind   blockKind
	holder int64 // nameTaken: who bears the name; cycle: the parent below the department
}

// check tells whether op can run on the model now.
func (p *planner) check(m *model, o *deptOp) block {
	if !o.create && !o.structural {
		return block{}
	}
	if !m.exists(o.parent) {
		return block{kind: noParent}
	}
	self := int64(0)
	if !o.create {
		self = o.ds.key
		if m.under(o.parent, self) {
			return block{kind: cycle, holder: o.parent}
		}
	}
	if h := m.holder(o.parent, o.name, self); h != 0 {
		return block{kind: nameTaken, holder: h}
	}
	return block{}
}

// scheduleDepts adds the steps creating, moving, renaming and updating departments, and
// returns the model as they leave it. del holds the departments removed at the end.
func (p *planner) scheduleDepts(del map[int64]bool) *model {
	m := newModel(p.org)
	var ops []*deptOp
	pending := map[int64]*deptOp{} // structural updates not yet done, by key
	for _, ds := range p.byDepth() {
		parent := int64(1)
		if ds.ParentID != "" {
			parent = p.byHR[ds.ParentID].key
		}
		o := &deptOp{ds: ds, parent: parent, name: ds.Name}
		if ds.dt == nil {
			o.create, o.order, o.sid = true, ds.Order, ptr(ds.ID)
			o.hide, o.outer, o.group = ds.HideDept, ds.OuterDept, ds.CreateDeptGroup
		} else {
			o.structural = ds.dt.ParentID != parent || ds.dt.Name != ds.Name
			if ds.Order != nil && *ds.Order != ds.dt.Order {
				o.order = ds.Order
			}
			if ds.dt.SourceID != ds.ID {
				o.sid = ptr(ds.ID)
			}
			if ds.HideDept != nil && *ds.HideDept != ds.dt.HideDept {
				o.hide = ds.HideDept
			}
			if ds.OuterDept != nil && *ds.OuterDept != ds.dt.OuterDept {
				o.outer = ds.OuterDept
			}
			switch g := ds.CreateDeptGroup; {
			case g != nil && *g && !ds.dt.CreateDeptGroup:
				o.group = g
			case g != nil && !*g && ds.dt.CreateDeptGroup:
				// Whether DingTalk dissolves a group for create_dept_group false is not
				// documented (UNVERIFIED); a group's chat history is not kaoqin's to lose.
				p.plan.Notes = append(p.plan.Notes, Note{Text: fmt.Sprintf(
					"department %s [%s] has its group chat in DingTalk; the file says create_dept_group false, but org push does not dissolve department groups: dissolve it in DingTalk if it should go",
					ds.path, ds.ID)})
			}
			if !o.structural && o.order == nil && o.sid == nil && o.hide == nil && o.outer == nil && o.group == nil {
				continue
			}
			if o.structural {
				pending[ds.key] = o
			}
		}
		ops = append(ops, o)
	}
	// Creates first, parents first; then the rest, parents first.
	slices.SortStableFunc(ops, func(a, b *deptOp) int {
		if a.create != b.create {
			if a.create {
				return -1
			}
			return 1
		}
		return 0
	})
	for {
		progress, left := false, 0
		for _, o := range ops {
			if o.done || o.dropped {
				continue
			}
			if p.check(m, o).kind == valid {
				p.applyDeptOp(m, o)
				delete(pending, o.ds.key)
				progress = true
			} else {
				left++
			}
		}
		if left == 0 {
			break
		}
		if !progress && !p.unblock(m, ops, pending, del) {
			p.dropStuck(m, ops)
			break
		}
	}
	return m
}

// applyDeptOp adds the step of op and applies it to the model.
func (p *planner) applyDeptOp(m *model, o *deptOp) {
	ds := o.ds
	o.done = true
	s := &Step{wave: p.nextWave()}
	if o.parent < 0 {
		s.after = append(s.after, p.created[p.depts[-o.parent-2].ID])
	}
	if o.create {
		s.Op = OpCreateDept
		s.Dept = &DeptChange{HRID: ds.ID, Parent: ptr(p.ref(o.parent)), Name: ptr(o.name), Order: o.order, SourceID: o.sid,
			HideDept: o.hide, OuterDept: o.outer, CreateDeptGroup: o.group}
		s.Text = fmt.Sprintf("create %s [%s]", m.pathIn(o.parent, o.name), ds.ID)
		for _, f := range []struct {
			v    *bool
			text string
		}{{o.hide, "hidden"}, {o.outer, "its members see only part of the contacts"}, {o.group, "with its group chat"}} {
			if f.v != nil && *f.v {
				s.Text += ", " + f.text
			}
		}
		p.created[ds.ID] = s
		p.add(s)
		m.place(ds.key, o.parent, o.name)
		return
	}
	s.Op = OpUpdateDept
	c := &DeptChange{ID: ds.dt.ID, HRID: ds.ID, Order: o.order, SourceID: o.sid, HideDept: o.hide, OuterDept: o.outer, CreateDeptGroup: o.group}
	s.Dept = c
	from := m.path(ds.key)
	var what []string
	if m.parent[ds.key] != o.parent {
		c.Parent, s.Moved = ptr(p.ref(o.parent)), true
	}
	if m.name[ds.key] != o.name {
		c.Name, s.Renamed = ptr(o.name), true
	}
	switch to := m.pathIn(o.parent, o.name); {
	case s.Moved:
		what = append(what, fmt.Sprintf("move %s [%s] to %s", from, ds.ID, to))
	case s.Renamed:
		what = append(what, fmt.Sprintf("rename %s [%s] to %s", from, ds.ID, o.name))
	default:
		what = append(what, fmt.Sprintf("update %s [%s]:", from, ds.ID))
	}
	if o.order != nil {
		what = append(what, fmt.Sprintf("order %d → %d", ds.dt.Order, *o.order))
	}
	if o.sid != nil {
		what = append(what, fmt.Sprintf("source_identifier %q → %q", ds.dt.SourceID, *o.sid))
	}
	if o.hide != nil {
		what = append(what, fmt.Sprintf("hidden %s → %s", yesNo(ds.dt.HideDept), yesNo(*o.hide)))
	}
	if o.outer != nil {
		what = append(what, fmt.Sprintf("members see only part of the contacts %s → %s", yesNo(ds.dt.OuterDept), yesNo(*o.outer)))
	}
	if o.group != nil {
		what = append(what, "create its group chat")
	}
	s.Text = strings.Replace(strings.Join(what, "; "), ":; ", ": ", 1)
	p.add(s)
	p.deptSteps[ds.dt.ID] = append(p.deptSteps[ds.dt.ID], s)
	m.place(ds.key, o.parent, o.name)
}

// unblock frees a name that keeps a step from running, by renaming its holder temporarily,
// or gives the step up when its holder stays. It reports whether it changed anything.
func (p *planner) unblock(m *model, ops []*deptOp, pending map[int64]*deptOp, del map[int64]bool) bool {
	for _, o := range ops {
		if o.done || o.dropped {
			continue
		}
		b := p.check(m, o)
		if b.kind != nameTaken {
			continue
		}
		h := b.holder
		if del[h] || pending[h] != nil {
			tmp := tempName(m, h)
			why := "it is removed at the end"
			hr := ""
			if c := p.claimed[h]; c != nil {
				why, hr = "it gets its own new name or place later", c.ID
			}
			s := p.add(&Step{Op: OpUpdateDept, Dept: &DeptChange{ID: h, HRID: hr, Name: ptr(tmp)}, Temporary: true, Renamed: true,
				wave: p.nextWave(),
				Text: fmt.Sprintf("rename %s (DingTalk %d) temporarily to %s, to free its name for %s [%s]; %s",
					m.path(h), h, tmp, m.pathIn(o.parent, o.name), o.ds.ID, why)})
			p.deptSteps[h] = append(p.deptSteps[h], s)
			m.place(h, m.parent[h], tmp)
			return true
		}
		o.dropped = true
		flag := ""
		why := "it is kept"
		if !p.opts.DeleteMissing {
			flag, why = "--delete-missing", "it is kept without --delete-missing"
		}
		if h < 0 || p.claimed[h] != nil {
			why = "it keeps that name" // cannot happen with a valid file; said rather than hidden
		}
		p.notApplied(flag, "department %s [%s] is not moved or renamed to %s: DingTalk department %s (id %d), which is not in the file, bears that name there and %s",
			m.path(o.ds.key), o.ds.ID, m.pathIn(o.parent, o.name), m.path(h), h, why)
		return true
	}
	return false
}

// dropStuck gives up the steps that can no longer run because one they wait for was given
// up, saying why.
func (p *planner) dropStuck(m *model, ops []*deptOp) {
	for _, o := range ops {
		if o.done || o.dropped {
			continue
		}
		o.dropped = true
		var why string
		switch b := p.check(m, o); b.kind {
		case noParent:
			why = "its parent is not created"
		case cycle:
			why = fmt.Sprintf("it would go under its own sub-department %s, whose move is not applied", m.path(b.holder))
		default:
			why = "a step it waits for is not applied"
		}
		what := "moved or renamed"
		if o.create {
			what = "created"
		}
		p.notApplied("", "department %s [%s] is not %s: %s", m.pathIn(o.parent, o.name), o.ds.ID, what, why)
	}
}

// tempName returns a name for department k that no sibling bears: its own name with
// "（kaoqin ID）" appended, cut to DingTalk's 64 characters.
func tempName(m *model, k int64) string {
	for i := 0; ; i++ {
		suffix := fmt.Sprintf("（kaoqin %d）", k)
		if i > 0 {
			suffix = fmt.Sprintf("（kaoqin %d %d）", k, i)
		}
		name := []rune(m.name[k])
		if keep := maxDeptName - utf8.RuneCountInString(suffix); len(name) > keep {
			name = name[:keep]
		}
		tmp := string(name) + suffix
		if m.holder(m.parent[k], tmp, k) == 0 {
			return tmp
		}
	}
}
