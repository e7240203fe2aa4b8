package report

import (
	"slices"
	"strings"

	"github.com/kaoqin/kaoqin"
)

// org is the department tree of a report: every department kaoqin has seen, removed ones
// included (history keeps their names), indexed so that the subtrees an employee belongs to
// are found without walking the tree for every employee.
type org struct {
	depts []kaoqin.Department // sorted by ID
	index map[int64]int32
	// anc[i] is department i and its ancestors, nearest first: the subtrees that count a
	// member of i.
	anc      [][]int32
	children [][]int32 // sorted by ID
	roots    []int32   // the root, then departments whose parent is unknown, by ID
	depth    []int
	sorted   [][]int32 // anc[i] sorted
	// What a report shows, limited to its scope (see limit): the path of names from the top of
	// the scope joined with "/", the name or as much of that path as it takes to tell the
	// department apart, and the parent's id (0 at the top of the scope).
	path     []string
	unique   []string
	parent   []int64
	scopeIDs []int64 // the scope they were made for; nil: the company
}

func newOrg(depts []kaoqin.Department) *org {
	o := &org{depts: slices.Clone(depts), index: make(map[int64]int32, len(depts))}
	slices.SortFunc(o.depts, func(a, b kaoqin.Department) int { return cmpInt64(a.ID, b.ID) })
	o.depts = slices.CompactFunc(o.depts, func(a, b kaoqin.Department) bool { return a.ID == b.ID })
	for i, d := range o.depts {
		o.index[d.ID] = int32(i)
	}
	n := len(o.depts)
	o.anc = make([][]int32, n)
	o.children = make([][]int32, n)
	o.depth = make([]int, n)
	o.sorted = make([][]int32, n)
	// A department whose parent is unknown, or whose chain of parents loops, is a root of its
	// own: its members still count in it, and in the company line.
	parent := make([]int32, n)
	for i, d := range o.depts {
		parent[i] = -1
		if p, ok := o.index[d.ParentID]; ok && d.ParentID != d.ID {
			parent[i] = p
		}
	}
	for i := range o.depts {
		chain := []int32{int32(i)}
		for p := parent[i]; p >= 0; p = parent[p] {
			if slices.Contains(chain, p) { // a loop: cut it where it closes
				parent[chain[len(chain)-1]] = -1
				break
			}
			chain = append(chain, p)
		}
		o.anc[i] = chain
		o.sorted[i] = slices.Sorted(slices.Values(chain))
		o.depth[i] = len(chain) - 1
	}
	for i := range o.depts {
		if p := o.anc[i]; len(p) > 1 {
			o.children[p[1]] = append(o.children[p[1]], int32(i))
		} else {
			o.roots = append(o.roots, int32(i))
		}
	}
	o.limit(nil, nil)
	// The company's root first, whatever its id.
	slices.SortStableFunc(o.roots, func(a, b int32) int {
		ra, rb := o.depts[a].ID == kaoqin.RootDeptID, o.depts[b].ID == kaoqin.RootDeptID
		switch {
		case ra && !rb:
			return -1
		case rb && !ra:
			return 1
		}
		return 0
	})
	return o
}

// treeOrder returns the department indexes depth first, children by ID, roots first: the
// order people read an org chart in.
func (o *org) treeOrder() []int32 {
	order := make([]int32, 0, len(o.depts))
	var walk func(i int32)
	walk = func(i int32) {
		order = append(order, i)
		for _, c := range o.children[i] {
			walk(c)
		}
	}
	for _, r := range o.roots {
		walk(r)
	}
	return order
}

// scope returns, for each department, whether it lies in one of the subtrees of ids; nil
// when ids is empty (the whole company). An unknown id is an error naming it.
//
// The tree's paths, labels and parents become those of a report limited to the scope.
func (o *org) scope(ids []int64) ([]bool, error) {
	if len(ids) == 0 {
		if o.scopeIDs != nil {
			o.limit(nil, nil)
		}
		return nil, nil
	}
	roots := make([]bool, len(o.depts))
	for _, id := range ids {
		i, ok := o.index[id]
		if !ok {
			return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "department %d not found: no department with that id has been synced from DingTalk", id)
		}
		roots[i] = true
	}
	in := make([]bool, len(o.depts))
	for i, chain := range o.anc {
		for _, a := range chain {
			if roots[a] {
				in[i] = true
				break
			}
		}
	}
	if !slices.Equal(o.scopeIDs, ids) {
		o.limit(ids, in)
	}
	return in, nil
}

// limit makes the paths, labels and parents of the departments those that a report limited
// to the subtrees in (nil: the company) shows: a manager's report starts at the manager's
// departments, names nothing above them, and gives them no parent (0, as the company's root
// has none). Labels are made from the departments in scope only: "甲班" when the scope holds
// one, "华东销售部/一组/甲班" when it holds two.
func (o *org) limit(ids []int64, in []bool) {
	n := len(o.depts)
	o.path, o.unique, o.parent = make([]string, n), make([]string, n), make([]int64, n)
	o.scopeIDs = slices.Clone(ids)
	chains := make([][]int32, n)
	for i, chain := range o.anc {
		if in != nil && in[i] {
			k := 0
			for k < len(chain) && in[chain[k]] {
				k++
			}
			chain = chain[:k]
		}
		chains[i] = chain
		o.path[i] = o.tail(chain, len(chain))
		switch {
		case len(chain) > 1:
			o.parent[i] = o.depts[chain[1]].ID
		case in != nil && in[i]:
			o.parent[i] = 0 // the top of the scope: its parent is not the report's
		default:
			o.parent[i] = o.depts[i].ParentID
		}
	}
	o.unique = labels(o, chains, in)
}

// tail returns the last k names of a chain of ancestors (nearest first), joined with "/".
func (o *org) tail(chain []int32, k int) string {
	chain = chain[:min(k, len(chain))]
	names := make([]string, len(chain))
	for j, a := range chain {
		names[len(chain)-1-j] = o.depts[a].Name
	}
	return strings.Join(names, "/")
}

// parentOf returns the id of department i's parent as the report shows it (see limit).
func (o *org) parentOf(i int32) int64 { return o.parent[i] }

// subtrees returns the indexes of the departments whose subtree holds a member of every
// department of held, each once, sorted. Unknown ids are skipped. The result may be shared:
// do not modify it.
func (o *org) subtrees(held []int64) []int32 {
	switch len(held) {
	case 0:
		return nil
	case 1:
		if i, ok := o.index[held[0]]; ok {
			return o.sortedAnc(i)
		}
		return nil
	}
	var out []int32
	for _, id := range held {
		if i, ok := o.index[id]; ok {
			out = append(out, o.anc[i]...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// sortedAnc is anc[i] sorted.
func (o *org) sortedAnc(i int32) []int32 { return o.sorted[i] }

// visible returns the departments of ids that lie in scope (nil scope: all of them): a
// manager's report names the employee's departments in the manager's subtrees, not the others.
func (o *org) visible(scope []bool, ids []int64) []int64 {
	if scope == nil {
		return ids
	}
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if i, ok := o.index[id]; ok && scope[i] {
			out = append(out, id)
		}
	}
	return out
}

// inScope reports whether any department of held lies in scope (nil scope: everything).
func (o *org) inScope(scope []bool, held []int64) bool {
	if scope == nil {
		return len(held) > 0
	}
	for _, id := range held {
		if i, ok := o.index[id]; ok && scope[i] {
			return true
		}
	}
	return false
}

// labels names each department by the shortest tail of its chain (see limit) that no other
// department in scope (in; nil: all of them) shares and that starts at a name no other
// department in scope has: "一组" when there is one 一组, "华东销售部/一组" when 研发 has a 一组
// too, and "华东销售部/一组/丙班" rather than "一组/丙班" when 二组 has a 丙班 and there are
// two 一组 (a reader could not tell which 一组 it is). A list of names in a report must say
// which department it means.
func labels(o *org, chains [][]int32, in []bool) []string {
	label := make([]string, len(o.depts))
	names := map[string]int{}
	var pending []int
	for i, d := range o.depts {
		if in == nil || in[i] {
			pending = append(pending, i)
			names[d.Name]++
		} else {
			label[i] = o.tail(chains[i], len(chains[i]))
		}
	}
	for k := 1; len(pending) > 0; k++ {
		seen := map[string]int{}
		for _, i := range pending {
			seen[o.tail(chains[i], k)]++
		}
		var still []int
		for _, i := range pending {
			t := o.tail(chains[i], k)
			if k >= len(chains[i]) || seen[t] == 1 && names[o.depts[chains[i][k-1]].Name] == 1 {
				label[i] = t
			} else {
				still = append(still, i)
			}
		}
		pending = still
	}
	return label
}

// labelsOf returns the labels of the departments ids (see labels).
func (o *org) labelsOf(ids []int64) map[int64]string {
	out := make(map[int64]string, len(ids))
	for _, id := range ids {
		if l := o.label(id); l != "" {
			out[id] = l
		}
	}
	return out
}

// label is the department's unambiguous name (see labels); "" if unknown.
func (o *org) label(id int64) string {
	if i, ok := o.index[id]; ok {
		return o.unique[i]
	}
	return ""
}

func (o *org) name(id int64) string {
	if i, ok := o.index[id]; ok {
		return o.depts[i].Name
	}
	return ""
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
