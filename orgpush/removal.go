package orgpush

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// decideDeptRemovals returns the DingTalk departments that are not in the file and that the
// push removes, and notes the ones it keeps. A department goes only with --delete-missing,
// and only when nobody stays in it or below it: people not in the file are removed first,
// except DingTalk's administrators, who keep their departments.
func (p *planner) decideDeptRemovals() map[int64]bool {
	del := map[int64]bool{}
	// Once the plan is done, a department not in the file has below it only departments
	// not in the file: every department of the file hangs from the root or from one of the
	// file. So its subtree then is its subtree now, without the file's departments.
	kids := map[int64][]int64{}
	var unmatched []*OrgDept
	for _, d := range sortedDepts(p.org) {
		if p.claimed[d.ID] == nil {
			kids[d.ParentID] = append(kids[d.ParentID], d.ID)
			unmatched = append(unmatched, d)
		}
	}
	members := map[int64][]*OrgUser{} // people not in the file, by department
	for _, u := range p.missing {
		for _, id := range u.DeptIDs {
			members[id] = append(members[id], u)
		}
	}
	for _, d := range unmatched {
		name := fmt.Sprintf("department %s (DingTalk %d)", p.org.path(d.ID), d.ID)
		var admins []*OrgUser
		sub := []int64{d.ID}
		for i := 0; i < len(sub); i++ {
			sub = append(sub, kids[sub[i]]...)
			for _, u := range members[sub[i]] {
				if (u.Admin || u.Boss) && !slices.Contains(admins, u) {
					admins = append(admins, u)
				}
			}
		}
		switch {
		case len(admins) > 0:
			p.plan.Kept = append(p.plan.Kept, Note{Text: fmt.Sprintf("%s is not in the file but is kept: %s in it or below it %s DingTalk %s, whom org push never removes",
				name, userList(admins), isAre(len(admins)), plural(len(admins), "administrator", "administrators"))})
		case !p.opts.DeleteMissing:
			text := name + " is not in the file"
			if ms := members[d.ID]; len(ms) > 0 {
				text += fmt.Sprintf("; its %s not in the file would be removed with it: %s", plural(len(ms), "person", "people"), userList(ms))
			}
			p.plan.Kept = append(p.plan.Kept, Note{Text: text, Flag: "--delete-missing"})
		default:
			del[d.ID] = true
		}
	}
	for _, u := range p.missing {
		switch {
		case !u.Admin && !u.Boss && !p.opts.DeleteMissing:
			p.plan.Kept = append(p.plan.Kept, Note{Text: fmt.Sprintf("%s (in %s) is not in the file", userLabel(u), p.orgPaths(u.DeptIDs)), Flag: "--delete-missing"})
		case u.Admin || u.Boss:
			p.plan.Kept = append(p.plan.Kept, Note{Text: fmt.Sprintf("%s (in %s) is not in the file but is an administrator of the org in DingTalk, whom org push never removes; remove them by hand if they left",
				userLabel(u), p.orgPaths(u.DeptIDs))})
		}
	}
	return del
}

// removeDepts adds the removals of departments, leaf first, each after the steps that empty
// it: its people removed or moved, its sub-departments removed or moved out.
func (p *planner) removeDepts(del map[int64]bool, m *model, pd *peopleDecision) {
	kids := m.children()
	// A move out that was not applied leaves a department of the file below one to remove:
	// keep that one (DingTalk would take the department of the file with it).
	ok := map[int64]bool{}
	var check func(k int64) (bool, int64)
	check = func(k int64) (bool, int64) {
		for _, c := range kids[k] {
			if !del[c] {
				return false, c
			}
			if fine, who := check(c); !fine {
				return false, who
			}
		}
		return true, 0
	}
	var order []int64
	for k := range del {
		if fine, who := check(k); fine {
			ok[k] = true
			order = append(order, k)
		} else {
			p.plan.Kept = append(p.plan.Kept, Note{Text: fmt.Sprintf("department %s (DingTalk %d) is kept: %s is still below it",
				p.org.path(k), k, m.path(who))})
		}
	}
	slices.SortFunc(order, func(a, b int64) int { return cmp.Or(cmp.Compare(m.depth(b), m.depth(a)), cmp.Compare(a, b)) })
	removed := map[int64]*Step{}
	inDept := map[int64][]*OrgUser{}
	for _, u := range sortedUsers(p.org) {
		for _, id := range u.DeptIDs {
			inDept[id] = append(inDept[id], u)
		}
	}
	for _, k := range order {
		s := &Step{Op: OpDeleteDept, Dept: &DeptChange{ID: k}, wave: p.nextWave()}
		var gone []*OrgUser
		for _, u := range inDept[k] {
			s.after = append(s.after, p.userSteps[u.UserID]...)
			if pd.deleted[u.UserID] && p.claimU[u.UserID] == nil {
				gone = append(gone, u)
			}
		}
		for _, c := range kids[k] {
			s.after = append(s.after, removed[c])
		}
		for _, d := range p.org.Depts {
			if d.ParentID == k {
				s.after = append(s.after, p.deptSteps[d.ID]...)
			}
		}
		s.Text = fmt.Sprintf("remove department %s (DingTalk %d)", p.org.path(k), k)
		if len(gone) > 0 {
			s.Text += fmt.Sprintf(", once its %s not in the file %s removed: %s", plural(len(gone), "person", "people"), isAre(len(gone)), userList(gone))
		}
		removed[k] = p.add(s)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// userList names up to 10 people.
func userList(us []*OrgUser) string {
	var names []string
	for i, u := range us {
		if i == 10 {
			names = append(names, fmt.Sprintf("and %d more", len(us)-10))
			break
		}
		names = append(names, userLabel(u))
	}
	return strings.Join(names, ", ")
}
