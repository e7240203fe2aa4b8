package orgpush

import (
	"cmp"
	"slices"

	"github.com/kaoqin/kaoqin/dingtalk"
)

// model is DingTalk's department tree as the plan has left it so far: the scheduler checks
// each step against it, as DingTalk would, and then applies it. Keys are DingTalk ids, and
// negative numbers for departments the plan creates.
type model struct {
	parent map[int64]int64
	name   map[int64]string
	slots  map[slot][]int64 // who bears each name in each parent
}

// slot is a name in a parent: DingTalk allows one department per slot.
type slot struct {
	parent int64
	name   string
}

func newModel(org *Org) *model {
	m := &model{parent: map[int64]int64{dingtalk.RootDepartmentID: 0}, name: map[int64]string{}, slots: map[slot][]int64{}}
	for _, d := range sortedDepts(org) {
		m.place(d.ID, d.ParentID, d.Name)
	}
	return m
}

func (m *model) exists(k int64) bool {
	_, ok := m.parent[k]
	return ok
}

// place puts department k under parent with a name, taking it from where it was.
func (m *model) place(k, parent int64, name string) {
	if old, ok := m.parent[k]; ok && k != dingtalk.RootDepartmentID {
		s := slot{old, m.name[k]}
		m.slots[s] = slices.DeleteFunc(m.slots[s], func(x int64) bool { return x == k })
	}
	m.parent[k], m.name[k] = parent, name
	s := slot{parent, name}
	m.slots[s] = append(m.slots[s], k)
}

// holder returns a department other than self that bears name in parent, or 0.
func (m *model) holder(parent int64, name string, self int64) int64 {
	for _, k := range m.slots[slot{parent, name}] {
		if k != self {
			return k
		}
	}
	return 0
}

// under reports whether x is anc or below it.
func (m *model) under(x, anc int64) bool {
	for range len(m.parent) + 1 {
		if x == anc {
			return true
		}
		p, ok := m.parent[x]
		if !ok || x == dingtalk.RootDepartmentID {
			return false
		}
		x = p
	}
	return false
}

// path returns the names from below the root down to k.
func (m *model) path(k int64) string {
	var names []string
	for range len(m.parent) + 1 {
		if k == dingtalk.RootDepartmentID || !m.exists(k) {
			break
		}
		names = append(names, m.name[k])
		k = m.parent[k]
	}
	if len(names) == 0 {
		return "(root)"
	}
	slices.Reverse(names)
	return joinPath(names)
}

// pathIn returns what the path of a department named name under parent is.
func (m *model) pathIn(parent int64, name string) string {
	if parent == dingtalk.RootDepartmentID {
		return name
	}
	return m.path(parent) + "/" + name
}

func (m *model) depth(k int64) int {
	d := 0
	for range len(m.parent) + 1 {
		if k == dingtalk.RootDepartmentID || !m.exists(k) {
			break
		}
		d++
		k = m.parent[k]
	}
	return d
}

// children returns the direct sub-departments of every department, by key.
func (m *model) children() map[int64][]int64 {
	kids := map[int64][]int64{}
	for k, p := range m.parent {
		if k != dingtalk.RootDepartmentID {
			kids[p] = append(kids[p], k)
		}
	}
	for _, ks := range kids {
		slices.SortFunc(ks, cmp.Compare)
	}
	return kids
}
