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

func TestOrgLabels(t *testing.T) {
	d := func(id, parent int64, name string) kaoqin.Department {
		return kaoqin.Department{ID: id, ParentID: parent, Name: name}
	}
	o := newOrg([]kaoqin.Department{
		d(1, 0, "公司"), d(2, 1, "研发"), d(3, 1, "销售"), d(4, 2, "一组"), d(5, 3, "一组"),
		d(6, 2, "华东"), d(7, 3, "华东"), d(8, 6, "甲"), d(9, 7, "甲"), d(10, 1, "乙"),
	})
	want := map[int64]string{1: "公司", 2: "研发", 3: "销售", 4: "研发/一组", 5: "销售/一组",
		6: "研发/华东", 7: "销售/华东", 8: "研发/华东/甲", 9: "销售/华东/甲", 10: "乙"}
	for id, w := range want {
		if got := o.label(id); got != w {
			t.Errorf("label(%d) = %q, want %q", id, got, w)
		}
	}
	if got := o.names([]int64{4, 10}, Chinese); got != "研发/一组、乙" {
		t.Errorf("names = %q", got)
	}
}
