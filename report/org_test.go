package report

import (
	"slices"
	"testing"

	"github.com/kaoqin/kaoqin"
)

func TestOrg(t *testing.T) {
	o := newOrg([]kaoqin.Department{
		{ID: 5, ParentID: 1, Name: "e"},
		{ID: 1, ParentID: 0, Name: "root"},
		{ID: 3, ParentID: 2, Name: "c"},
		{ID: 2, ParentID: 1, Name: "b"},
		{ID: 9, ParentID: 77, Name: "orphan"}, // parent unknown: a root of its own
		{ID: 10, ParentID: 11, Name: "loop a"},
		{ID: 11, ParentID: 10, Name: "loop b"},
	})
	var order []int64
	for _, i := range o.treeOrder() {
		order = append(order, o.depts[i].ID)
	}
	if want := []int64{1, 2, 3, 5, 9, 11, 10}; !slices.Equal(order, want) {
		t.Errorf("tree order %v, want %v", order, want)
	}
	if p := o.path[o.index[3]]; p != "root/b/c" {
		t.Errorf("path of 3: %q", p)
	}
	ids := func(is []int32) []int64 {
		var out []int64
		for _, i := range is {
			out = append(out, o.depts[i].ID)
		}
		return out
	}
	if got := ids(o.subtrees([]int64{3, 5})); !slices.Equal(got, []int64{1, 2, 3, 5}) {
		t.Errorf("subtrees of 3 and 5: %v, want each ancestor once", got)
	}
	if got := ids(o.subtrees([]int64{3, 404})); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Errorf("subtrees with an unknown department: %v", got)
	}
	// The loop is cut where it closes: 11 becomes a root, 10 its child.
	if got := ids(o.subtrees([]int64{10})); !slices.Equal(got, []int64{10, 11}) {
		t.Errorf("a loop must end: subtrees of 10 = %v", got)
	}
	scope, err := o.scope([]int64{2})
	if err != nil {
		t.Fatal(err)
	}
	if !o.inScope(scope, []int64{3}) || o.inScope(scope, []int64{5}) || o.inScope(scope, nil) {
		t.Error("scope of 2 should hold 3, not 5, not nobody")
	}
	if _, err := o.scope([]int64{2, 404}); kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND {
		t.Errorf("unknown scope: %v", err)
	}
}
