package orgpush

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Managers (直属主管). DingTalk refuses a manager who does not exist yet, and (the simulator,
// on the safe reading) a manager change that would close a loop. So:
//
//   - a person created with a manager who exists before the push gets the manager in their
//     create (nobody reports to a new person, so no loop can form);
//   - every other manager change is a step of its own, after the creates, once the manager
//     exists;
//   - those steps run in waves by the person's depth in the final chart of managers (1 for
//     someone whose manager has none, 2 below them...): when a person's manager is set,
//     everyone above that manager already has their final manager, so the manager's chain
//     is the final one, which does not hold the person. No order of steps within a wave
//     matters, and no step is refused because of order.
//
// Only v2/user/get tells a person's manager; ReadFor reads it for the people whose manager
// the file sets or clears, and up their chains, to find the loops the file would close with
// DingTalk's managers.

// mnode is a person of the chart of managers: one of the file, or one only DingTalk has.
type mnode struct {
	ps *personState
	u  *OrgUser
}

func (n mnode) ok() bool { return n.ps != nil || n.u != nil }

func (n mnode) key() string {
	if n.ps != nil {
		return "file:" + n.ps.UserID
	}
	return "dingtalk:" + n.u.UserID
}

// org is the node's DingTalk person before the push; nil for someone the push creates anew.
func (n mnode) org() *OrgUser {
	if n.ps != nil {
		return n.ps.u
	}
	return n.u
}

func (n mnode) label() string {
	if n.ps != nil {
		return n.ps.label()
	}
	return userLabel(n.u)
}

// dingtalkID is the node's userid once the push is done.
func (n mnode) dingtalkID() string {
	if n.ps != nil {
		return n.ps.dingtalkID()
	}
	return n.u.UserID
}

// resolveFile finds the manager a file's manager cell names: a person of the file by their
// userid, else a DingTalk person by theirs.
func (p *planner) resolveFile(userid string) mnode {
	if ps := p.byUser[userid]; ps != nil {
		return mnode{ps: ps}
	}
	return p.resolveDingTalk(userid)
}

// resolveDingTalk finds the person a DingTalk userid is: the file person matched to them, or
// them.
func (p *planner) resolveDingTalk(userid string) mnode {
	if ps := p.claimU[userid]; ps != nil {
		return mnode{ps: ps}
	}
	if u := p.org.Users[userid]; u != nil {
		return mnode{u: u}
	}
	return mnode{}
}

// finalManager returns a person's manager once the push is done, and whether it is known
// (DingTalk's is known only once read; unknown counts as none).
func (p *planner) finalManager(n mnode) (mnode, bool) {
	if ps := n.ps; ps != nil {
		switch {
		case ps.Manager != "":
			return p.resolveFile(ps.Manager), true
		case p.opts.clears("manager"):
			return mnode{}, true
		}
	}
	u := n.org()
	switch {
	case u == nil || (n.ps == nil && p.pd != nil && p.pd.deleted[u.UserID]):
		return mnode{}, true // created anew without one, or removed
	case !u.Detailed:
		return mnode{}, false
	case u.Manager == "":
		return mnode{}, true
	}
	return p.resolveDingTalk(u.Manager), true
}

// detailsNeeded returns the DingTalk people whose v2/user/get the plan needs and org lacks:
// those whose manager or senior mode the file sets or clears, those it may create again, and
// the managers up the chains from the file's managers, as far as they are known.
func detailsNeeded(f *File, org *Org, opts Options) []string {
	p := newPlanner(f, org, opts)
	p.matchPeople()
	return p.detailsNeeded()
}

// detailsNeeded is the function's work on a planner whose people are matched.
func (p *planner) detailsNeeded() []string {
	opts := p.opts
	need := map[string]bool{}
	want := func(u *OrgUser) bool {
		if u != nil && !u.Detailed {
			need[u.UserID] = true
			return true
		}
		return false
	}
	for _, ps := range p.people {
		if u := ps.u; u != nil && (ps.SeniorMode != nil || ps.Manager != "" || opts.clears("manager") ||
			(opts.AllowRecreate && u.Mobile != "" && !sameMobile(u.Mobile, ps.Mobile))) {
			want(u)
		}
		if ps.Manager == "" {
			continue
		}
		seen := map[string]bool{ps.UserID: true}
		for n := p.resolveFile(ps.Manager); n.ok() && !seen[n.key()]; {
			seen[n.key()] = true
			if n.ps == nil || n.ps.Manager == "" {
				if want(n.org()) {
					break
				}
			}
			n, _ = p.finalManager(n)
		}
	}
	out := make([]string, 0, len(need))
	for id := range need {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// checkManagers returns the problems of the file's managers that only DingTalk's org shows:
// a manager who is neither in the file nor in DingTalk, or whom the push removes, and loops
// closed through DingTalk's managers.
func (p *planner) checkManagers() []Problem {
	var problems []Problem
	reported := map[string]bool{}
	safe := map[string]bool{} // people whose chain up is known to end without a loop
	for _, ps := range p.people {
		if ps.Manager == "" {
			continue
		}
		m := p.resolveFile(ps.Manager)
		switch {
		case !m.ok():
			problems = append(problems, Problem{ps.Line, fmt.Sprintf("manager %q of %q is neither a userid of the file nor one DingTalk has", ps.Manager, ps.UserID)})
			continue
		case m.ps == nil && p.pd.deleted[m.u.UserID]:
			problems = append(problems, Problem{ps.Line, fmt.Sprintf("manager %q of %q is not in the file, and --delete-missing removes them from DingTalk: add them to the file or name another manager", ps.Manager, ps.UserID)})
			continue
		}
		// Follow the chain up; coming back to ps is a loop.
		path := []mnode{{ps: ps}}
		seen := map[string]bool{path[0].key(): true}
		ended := false
		for n := m; ; n, _ = p.finalManager(n) {
			if !n.ok() || safe[n.key()] {
				ended = true
				break
			}
			if n.key() == path[0].key() {
				var ids []string
				line := ps.Line
				keys := []string{}
				for _, q := range path {
					ids = append(ids, fmt.Sprintf("%q", q.dingtalkID()))
					keys = append(keys, q.key())
					if q.ps != nil {
						line = min(line, q.ps.Line)
					}
				}
				slices.Sort(keys)
				if k := strings.Join(keys, " "); !reported[k] {
					reported[k] = true
					ids = append(ids, fmt.Sprintf("%q", ps.dingtalkID()))
					problems = append(problems, Problem{line, "managers form a loop once DingTalk's are counted: " + strings.Join(ids, " → ")})
				}
				break
			}
			if seen[n.key()] {
				break // a loop above ps, reported from one of its own people
			}
			seen[n.key()] = true
			path = append(path, n)
		}
		if ended {
			for _, q := range path {
				safe[q.key()] = true
			}
		}
	}
	slices.SortStableFunc(problems, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	return problems
}

// depth returns how far below the top of the final chart of managers a person is.
func (p *planner) depth(n mnode, memo map[string]int) int {
	if d, ok := memo[n.key()]; ok {
		return d
	}
	memo[n.key()] = 0 // a loop (checkManagers refuses them) ends here
	d := 0
	if m, _ := p.finalManager(n); m.ok() {
		d = 1 + p.depth(m, memo)
	}
	memo[n.key()] = d
	return d
}

// managerSteps gives each person of the file the manager the file wants: in their create
// when the manager exists already, else in a step of its own, in waves by depth.
func (p *planner) managerSteps() {
	memo := map[string]int{}
	waves := map[int][]*Step{}
	for _, ps := range p.people {
		if ps.blocked || (ps.Manager == "" && !p.opts.clears("manager") && !ps.recreate) {
			continue
		}
		n := mnode{ps: ps}
		target, _ := p.finalManager(n)
		want := ""
		if target.ok() {
			want = target.dingtalkID()
		}
		if tps := target.ps; tps != nil && tps.blocked {
			p.notApplied("", "%s: manager %s is not set: they are not created", ps.label(), tps.label())
			continue
		}
		// The manager exists now and stays: not created anew, not deleted and created again.
		existing := target.ok() && target.org() != nil && !p.pd.deleted[target.org().UserID]
		var after []*Step
		if target.ps != nil && p.createdU[target.ps] != nil {
			after = append(after, p.createdU[target.ps])
		}
		create := p.createdU[ps]
		if create != nil {
			if want == "" {
				continue
			}
			if existing {
				create.User.Manager = ptr(want)
				continue
			}
			after = append(after, create)
		} else {
			have := ""
			if ps.u.Detailed {
				have = ps.u.Manager
			}
			// A manager deleted and created again loses their reports in DingTalk: set
			// them again even where DingTalk showed them.
			if want == have && (existing || want == "") {
				continue
			}
		}
		from := "(none)"
		if create == nil && ps.u.Manager != "" {
			from = p.resolveDingTalk(ps.u.Manager).labelOr(ps.u.Manager)
		}
		to := "(none)"
		c := &UserChange{UserID: ps.dingtalkID(), Manager: ptr(want)}
		if target.ok() {
			to = target.label()
		} else {
			c.Clears = []string{"manager"}
		}
		label := ps.label()
		if ps.u != nil && ps.u.UserID != ps.UserID {
			label = userLabel(ps.u) + fmt.Sprintf(" (%s in the file)", ps.UserID)
		}
		d := p.depth(n, memo)
		waves[d] = append(waves[d], &Step{Op: OpUpdateUser, User: c, Manager: true, after: after,
			Text: fmt.Sprintf("set the manager of %s: %s → %s", label, from, to)})
	}
	for _, d := range slices.Sorted(maps.Keys(waves)) {
		w := p.nextWave()
		for _, s := range waves[d] {
			s.wave = w
			p.add(s)
			p.userSteps[s.User.UserID] = append(p.userSteps[s.User.UserID], s)
		}
	}
}

func (n mnode) labelOr(userid string) string {
	if n.ok() {
		return n.label()
	}
	return userid
}
