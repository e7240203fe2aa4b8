package orgpush

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kaoqin/kaoqin/dingtalk"
)

// personState is a person of the file and what becomes of them.
type personState struct {
	*Person
	u   *OrgUser // matched DingTalk person; nil: to be created
	how string   // "userid" or "mobile"

	mobileChanged bool
	recreate      bool            // delete and create again (AllowRecreate, and the new mobile is free)
	blocked       bool            // a create that cannot happen: the mobile stays someone else's
	drop          map[string]bool // unique fields (email, telephone) that stay someone else's: not set
	wait          bool            // takes an email or telephone another person's update releases: update after them
}

// created reports whether the push creates the person (anew or again).
func (ps *personState) created() bool { return (ps.u == nil && !ps.blocked) || ps.recreate }

// dingtalkID is the userid the person has in DingTalk once the push is done.
func (ps *personState) dingtalkID() string {
	if ps.u != nil {
		return ps.u.UserID
	}
	return ps.UserID
}

func (ps *personState) label() string { return ps.UserID + " " + ps.Name }

func userLabel(u *OrgUser) string { return u.UserID + " " + u.Name }

// matchPeople matches each file person to a DingTalk one: by userid, then by mobile.
func (p *planner) matchPeople() {
	p.claimU = map[string]*personState{}
	p.byUser = map[string]*personState{}
	for i := range p.f.People {
		ps := &personState{Person: &p.f.People[i]}
		p.people = append(p.people, ps)
		p.byUser[ps.UserID] = ps
		if u := p.org.Users[ps.UserID]; u != nil {
			ps.u, ps.how = u, "userid"
			p.claimU[u.UserID] = ps
		}
	}
	hidden := p.org.mobilesHidden()
	if hidden {
		p.plan.Notes = append(p.plan.Notes, Note{Text: "DingTalk returned no mobile numbers (the app lacks the contacts permission to read them): people are matched by userid only, and changed mobiles cannot be seen"})
	}
	byMobile := p.byMobile()
	for _, ps := range p.people {
		if ps.u != nil || hidden {
			continue
		}
		u := byMobile[ps.Mobile]
		if u == nil || p.claimU[u.UserID] != nil {
			continue
		}
		// A mobile number alone is not enough: carriers give numbers of closed lines to new
		// subscribers, so a new hire can bring the number of someone who left. The name
		// must agree too.
		if u.Name != ps.Name {
			p.plan.Notes = append(p.plan.Notes, Note{Text: fmt.Sprintf(
				"%s (line %d) has the mobile %s of DingTalk user %s, whose name differs: taken as a different person (a number given anew), not matched",
				ps.label(), ps.Line, MaskMobile(ps.Mobile), userLabel(u))})
			continue
		}
		ps.u, ps.how = u, "mobile"
		p.claimU[u.UserID] = ps
		p.plan.Notes = append(p.plan.Notes, Note{Text: fmt.Sprintf(
			"%s (line %d) is DingTalk user %s, matched by mobile %s and name: a userid cannot change, so %s is kept and updated; put %s in the file as their userid to keep them matched if their mobile changes",
			ps.label(), ps.Line, u.UserID, MaskMobile(ps.Mobile), u.UserID, u.UserID)})
	}
	for _, u := range sortedUsers(p.org) {
		if p.claimU[u.UserID] == nil {
			p.missing = append(p.missing, u)
		}
	}
}

func (p *planner) byMobile() map[string]*OrgUser {
	m := map[string]*OrgUser{}
	for _, u := range sortedUsers(p.org) {
		if n, _ := normalizeMobile(u.Mobile); n != "" && m[n] == nil {
			m[n] = u
		}
	}
	return m
}

// peopleDecision is who leaves DingTalk.
type peopleDecision struct {
	deleted map[string]bool // DingTalk userids the plan deletes (removals and re-creations)
	remove  []*OrgUser      // not in the file, removed
	stay    map[string]bool // not in the file, kept
}

func (p *planner) removable(u *OrgUser) bool {
	return p.opts.DeleteMissing && !u.Admin && !u.Boss
}

// whyStays says whose a mobile or email stays ("x1 路人's, who is not in the file and is
// kept without --delete-missing"), and which option, if any, would change that.
func (p *planner) whyStays(u *OrgUser) (string, string) {
	if q := p.claimU[u.UserID]; q != nil {
		if !p.opts.AllowRecreate {
			return fmt.Sprintf("%s's, whose own new mobile needs --allow-recreate", q.label()), "--allow-recreate"
		}
		return fmt.Sprintf("%s's, who cannot be re-created either", q.label()), ""
	}
	if u.Admin || u.Boss {
		return fmt.Sprintf("%s's, an administrator of the org in DingTalk, whom org push never removes", userLabel(u)), ""
	}
	return fmt.Sprintf("%s's, who is not in the file and is kept without --delete-missing", userLabel(u)), "--delete-missing"
}

// decidePeople decides who is re-created, who cannot be created, and who is removed: a new
// mobile or email can only be taken once the person holding it leaves.
func (p *planner) decidePeople() *peopleDecision {
	pd := &peopleDecision{deleted: map[string]bool{}, stay: map[string]bool{}}
	for _, u := range p.missing {
		if p.removable(u) {
			pd.remove = append(pd.remove, u)
			pd.deleted[u.UserID] = true
		} else {
			pd.stay[u.UserID] = true
		}
	}
	hidden := p.org.mobilesHidden()
	for _, ps := range p.people {
		if ps.u != nil && !hidden && ps.u.Mobile != "" && !sameMobile(ps.u.Mobile, ps.Mobile) {
			ps.mobileChanged = true
			ps.recreate = p.opts.AllowRecreate
			if ps.recreate {
				pd.deleted[ps.u.UserID] = true
			}
		}
	}
	byMobile := p.byMobile()
	// A re-creation given up frees nobody's number, which may block another: repeat until
	// nothing changes.
	for changed := true; changed; {
		changed = false
		for _, ps := range p.people {
			if !(ps.u == nil && !ps.blocked) && !ps.recreate {
				continue
			}
			h := byMobile[ps.Mobile]
			if h == nil || h == ps.u || pd.deleted[h.UserID] {
				continue
			}
			why, flag := p.whyStays(h)
			if ps.recreate {
				ps.recreate = false
				delete(pd.deleted, ps.u.UserID)
				p.notApplied(flag, "%s: mobile changed from %s to %s, but they are not re-created: %s is still %s", ps.label(),
					MaskMobile(ps.u.Mobile), MaskMobile(ps.Mobile), MaskMobile(ps.Mobile), why)
			} else {
				ps.blocked = true
				p.notApplied(flag, "%s (line %d) is not created: mobile %s is still %s", ps.label(), ps.Line, MaskMobile(ps.Mobile), why)
			}
			changed = true
		}
	}
	for _, ps := range p.people {
		if ps.mobileChanged && !p.opts.AllowRecreate {
			p.notApplied("--allow-recreate", "%s: mobile changed from %s to %s (needs --allow-recreate, loses DingTalk history); their other changes are applied",
				ps.label(), MaskMobile(ps.u.Mobile), MaskMobile(ps.Mobile))
		}
	}
	p.decideUnique(pd)
	return pd
}

// uniqueField is a field DingTalk wants unique in the org: a value can be set only once the
// person holding it gives it up.
type uniqueField struct {
	name string
	file func(*personState) string
	org  func(*OrgUser) string
	key  func(string) string // what makes two values the same
	mask func(string) string
}

var uniqueFields = []uniqueField{
	{"email", func(ps *personState) string { return ps.Email }, func(u *OrgUser) string { return u.Email }, strings.ToLower, MaskEmail},
	{"telephone", func(ps *personState) string { return ps.Telephone }, func(u *OrgUser) string { return u.Telephone },
		func(s string) string { return s }, MaskPhone},
}

// decideUnique drops the emails and telephones that stay someone else's and orders the
// updates that take one another update releases.
func (p *planner) decideUnique(pd *peopleDecision) {
	for _, f := range uniqueFields {
		holders := map[string]*OrgUser{}
		for _, u := range sortedUsers(p.org) {
			if k := f.key(f.org(u)); k != "" && holders[k] == nil {
				holders[k] = u
			}
		}
		// gives reports whether the person matched to q lets their value go: the file
		// sets another, or clears it.
		gives := func(q *personState, v string) bool {
			if q.recreate {
				return true
			}
			want := f.file(q)
			return (want != "" && f.key(want) != f.key(v)) || (want == "" && p.opts.clears(f.name))
		}
		for _, ps := range p.people {
			v := f.file(ps)
			if v == "" || ps.blocked {
				continue
			}
			if ps.u != nil && !ps.recreate && f.key(f.org(ps.u)) == f.key(v) {
				continue // no change
			}
			h := holders[f.key(v)]
			if h == nil || h == ps.u || pd.deleted[h.UserID] {
				continue
			}
			q := p.claimU[h.UserID]
			if q != nil && gives(q, v) {
				ps.wait = true // q's update gives it up first
				continue
			}
			why, flag := p.whyStays(h)
			if q != nil {
				why, flag = fmt.Sprintf("%s's, whose %s the file leaves as it is", q.label(), f.name), ""
			}
			if ps.drop == nil {
				ps.drop = map[string]bool{}
			}
			ps.drop[f.name] = true
			p.notApplied(flag, "%s: %s %s is not set: it is still %s", ps.label(), f.name, f.mask(v), why)
		}
	}
}

func (p *planner) notApplied(flag, format string, args ...any) {
	p.plan.NotApplied = append(p.plan.NotApplied, Note{Text: fmt.Sprintf(format, args...), Flag: flag})
}

// peopleSteps adds the people's steps: removals (re-creations' deletes among them), then
// updates, then creates, so that a number or an email is free before someone takes it.
func (p *planner) peopleSteps(pd *peopleDecision) {
	removals := p.nextWave()
	for _, u := range pd.remove {
		p.userSteps[u.UserID] = append(p.userSteps[u.UserID], &Step{Op: OpDeleteUser, User: &UserChange{UserID: u.UserID}, wave: removals,
			Text: fmt.Sprintf("remove %s (not in the file; in %s)", userLabel(u), p.orgPaths(u.DeptIDs))})
		p.add(p.userSteps[u.UserID][0])
	}
	recreated := map[*personState]*Step{}
	for _, ps := range p.people {
		if ps.recreate {
			recreated[ps] = p.add(&Step{Op: OpDeleteUser, User: &UserChange{UserID: ps.u.UserID}, Recreate: true, wave: removals,
				Text: fmt.Sprintf("delete %s to create them again with their new mobile %s (was %s; loses their DingTalk history)",
					ps.label(), MaskMobile(ps.Mobile), MaskMobile(ps.u.Mobile))})
			p.userSteps[ps.u.UserID] = append(p.userSteps[ps.u.UserID], recreated[ps])
		}
	}
	// Updates that take an email or a telephone another update gives up run in a second
	// wave.
	var first, second []*Step
	for _, ps := range p.people {
		if ps.u == nil || ps.recreate {
			continue
		}
		if s := p.updateStep(ps); s != nil {
			if ps.wait {
				second = append(second, s)
			} else {
				first = append(first, s)
			}
			p.userSteps[ps.u.UserID] = append(p.userSteps[ps.u.UserID], s)
		}
	}
	for _, wave := range [][]*Step{first, second} {
		n := p.nextWave()
		for _, s := range wave {
			s.wave = n
			p.add(s)
		}
	}
	creates := p.nextWave()
	byMobile := p.byMobile()
	for _, ps := range p.people {
		if !ps.created() {
			continue
		}
		refs, after := p.personDepts(ps)
		c := &UserChange{UserID: ps.UserID, Name: ptr(ps.Name), Mobile: ps.Mobile, Depts: &refs}
		p.profile(ps, c, refs) // a create sets every field the file gives; the plan does not list them
		if h := byMobile[ps.Mobile]; h != nil && h != ps.u {
			after = append(after, p.userSteps[h.UserID]...) // the removal that frees the number
		}
		verb := "create"
		if ps.recreate {
			verb = "create again"
			after = append(after, recreated[ps])
		}
		p.createdU[ps] = p.add(&Step{Op: OpCreateUser, User: c, Recreate: ps.recreate, wave: creates, after: after,
			Text: fmt.Sprintf("%s %s (%s) in %s", verb, ps.label(), MaskMobile(ps.Mobile), p.filePaths(ps.DeptIDs))})
	}
}

// updateStep returns the update that brings a matched person in line with the file, or nil.
func (p *planner) updateStep(ps *personState) *Step {
	u := ps.u
	c := &UserChange{UserID: u.UserID}
	var what []string
	if ps.Name != u.Name {
		c.Name = ptr(ps.Name)
		what = append(what, fmt.Sprintf("name %s → %s", u.Name, ps.Name))
	}
	refs, after := p.personDepts(ps)
	moved := !sameDepts(refs, u.DeptIDs)
	if moved {
		c.Depts = &refs
		what = append([]string{fmt.Sprintf("departments %s → %s", p.orgPaths(u.DeptIDs), p.filePaths(ps.DeptIDs))}, what...)
	}
	what = append(what, p.profile(ps, c, refs)...)
	if len(what) == 0 {
		return nil
	}
	verb := "update"
	if moved {
		verb = "move"
	}
	label := userLabel(u)
	if u.UserID != ps.UserID {
		label += fmt.Sprintf(" (%s in the file)", ps.UserID)
	}
	return &Step{Op: OpUpdateUser, User: c, Moved: moved, after: after,
		Text: fmt.Sprintf("%s %s: %s", verb, label, strings.Join(what, "; "))}
}

// personDepts returns the departments of a person as refs, and the steps creating those that
// do not exist yet.
func (p *planner) personDepts(ps *personState) ([]Ref, []*Step) {
	if len(ps.DeptIDs) == 0 {
		return []Ref{{ID: dingtalk.RootDepartmentID}}, nil
	}
	var refs []Ref
	var after []*Step
	for _, id := range ps.DeptIDs {
		ds := p.byHR[id]
		refs = append(refs, p.ref(ds.key))
		if s := p.created[id]; s != nil {
			after = append(after, s)
		}
	}
	return refs, after
}

// sameDepts reports whether refs (all of existing departments, or not the same) name exactly
// the departments ids.
func sameDepts(refs []Ref, ids []int64) bool {
	var want []int64
	for _, r := range refs {
		if r.ID == 0 {
			return false
		}
		want = append(want, r.ID)
	}
	slices.Sort(want)
	have := slices.Clone(ids)
	slices.Sort(have)
	return slices.Equal(want, have)
}

func (p *planner) orgPaths(ids []int64) string {
	var out []string
	for _, id := range ids {
		out = append(out, p.org.path(id))
	}
	if len(out) == 0 {
		return "no department"
	}
	return strings.Join(out, ", ")
}

func (p *planner) filePaths(ids []string) string {
	if len(ids) == 0 {
		return "(root)"
	}
	var out []string
	for _, id := range ids {
		out = append(out, p.byHR[id].path)
	}
	return strings.Join(out, ", ")
}
