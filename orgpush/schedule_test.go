package orgpush

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomTree returns a file of departments: ids from ids, each under a random department that
// comes earlier in a random order (so there is no cycle), or under the root, with names from a
// small pool so that siblings often want the same names.
func randomTree(r *rand.Rand, ids []string) *File {
	order := append([]string(nil), ids...)
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	names := []string{"甲", "乙", "丙", "丁"}
	used := map[[2]string]bool{}
	f := &File{Name: "random.json"}
	for i, id := range order {
		parent := ""
		if i > 0 && r.IntN(4) > 0 {
			parent = order[r.IntN(i)]
		}
		name := names[r.IntN(len(names))]
		for n := 2; used[[2]string{parent, name}]; n++ {
			name = fmt.Sprintf("%s%d", names[r.IntN(len(names))], n)
		}
		used[[2]string{parent, name}] = true
		f.Departments = append(f.Departments, Department{Line: i + 1, ID: id, Name: name, ParentID: parent})
	}
	return f
}

func deptIDs(prefix string, n int) []string {
	var ids []string
	for i := range n {
		ids = append(ids, fmt.Sprintf("%s%d", prefix, i))
	}
	return ids
}

// TestPush_RandomReorganisations pushes random trees, then random reorganisations of them
// (moves across levels, swaps of parent and child, names passed between siblings, departments
// added and removed), against the simulator, which refuses every state DingTalk refuses. Each
// push must succeed step by step and leave exactly the file's tree.
func TestPush_RandomReorganisations(t *testing.T) {
	temporary, inversions := 0, 0
	for seed := range uint64(30) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			s := newEmptySim(t)
			before := randomTree(r, deptIDs("D", 12))
			s.push(t, before, Options{})
			assertOrg(t, s, before)
			// Keep most departments, drop some, add new ones.
			var ids []string
			for _, id := range deptIDs("D", 12) {
				if r.IntN(5) > 0 {
					ids = append(ids, id)
				}
			}
			ids = append(ids, deptIDs("N", r.IntN(5))...)
			after := randomTree(r, ids)
			p, _ := s.push(t, after, Options{DeleteMissing: true})
			assertOrg(t, s, after)
			if t.Failed() {
				t.Logf("before: %v\nafter: %v\nplan:\n%s", before.Departments, after.Departments, planText(p))
			}
			if again := s.plan(t, after, Options{DeleteMissing: true}); len(again.Steps) != 0 {
				t.Errorf("a second push plans something:\n%s", planText(again))
			}
			if strings.Contains(planText(p), "Not applied") {
				t.Errorf("something was not applied:\n%s", planText(p))
			}
			if strings.Contains(planText(p), "temporarily") {
				temporary++
			}
			inversions += countInversions(before, after)
		})
	}
	// The seeds must exercise what the scheduler is for.
	if temporary == 0 || inversions == 0 {
		t.Errorf("%d plans with a temporary rename, %d ancestors turned descendants: the seeds test too little", temporary, inversions)
	}
}

// countInversions counts the pairs of departments where one is above the other before and
// below it after: moves that DingTalk refuses in the wrong order (60010).
func countInversions(before, after *File) int {
	above := func(f *File) map[[2]string]bool {
		parent := map[string]string{}
		for _, d := range f.Departments {
			parent[d.ID] = d.ParentID
		}
		out := map[[2]string]bool{}
		for id := range parent {
			for p := parent[id]; p != ""; p = parent[p] {
				out[[2]string{p, id}] = true
			}
		}
		return out
	}
	b, a := above(before), above(after)
	n := 0
	for pair := range b {
		if a[[2]string{pair[1], pair[0]}] {
			n++
		}
	}
	return n
}
