package report

import (
	"encoding/csv"
	"slices"
	"strings"
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

// TestOrgScoped is issue 15's item 5 and issue 12's names: inside a manager's scope, paths
// start at the scope's top and its parent is none of theirs (0), and the names that tell
// departments apart are made from what the scope holds.
func TestOrgScoped(t *testing.T) {
	d := func(id, parent int64, name string) kaoqin.Department {
		return kaoqin.Department{ID: id, ParentID: parent, Name: name}
	}
	o := newOrg([]kaoqin.Department{
		d(1, 0, "公司"), d(2, 1, "销售中心"), d(3, 2, "华东销售部"), d(4, 2, "华南销售部"),
		d(5, 3, "一组"), d(6, 4, "一组"), d(7, 5, "甲班"), d(8, 6, "甲班"), d(9, 1, "研发"), d(10, 9, "一组"),
	})
	// The company: the full path, and as much of it as tells two 一组 and two 甲班 apart.
	for id, want := range map[int64][2]string{
		1: {"公司", "公司"}, 3: {"公司/销售中心/华东销售部", "华东销售部"},
		5: {"公司/销售中心/华东销售部/一组", "华东销售部/一组"}, 7: {"公司/销售中心/华东销售部/一组/甲班", "华东销售部/一组/甲班"},
		10: {"公司/研发/一组", "研发/一组"},
	} {
		i := o.index[id]
		if o.path[i] != want[0] || o.unique[i] != want[1] || o.parentOf(i) != o.depts[i].ParentID {
			t.Errorf("company: %d has path %q, label %q, parent %d; want %q, %q, %d", id, o.path[i], o.unique[i], o.parentOf(i), want[0], want[1], o.depts[i].ParentID)
		}
	}
	// A manager of 华东销售部 and 华南销售部: nothing above them shows.
	if _, err := o.scope([]int64{3, 4}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64][2]string{
		3: {"华东销售部", "华东销售部"}, 4: {"华南销售部", "华南销售部"},
		5: {"华东销售部/一组", "华东销售部/一组"}, 7: {"华东销售部/一组/甲班", "华东销售部/一组/甲班"},
		8: {"华南销售部/一组/甲班", "华南销售部/一组/甲班"},
	} {
		i := o.index[id]
		if o.path[i] != want[0] || o.unique[i] != want[1] {
			t.Errorf("scoped: %d has path %q, label %q; want %q, %q", id, o.path[i], o.unique[i], want[0], want[1])
		}
	}
	if p := o.parentOf(o.index[3]); p != 0 {
		t.Errorf("scoped: the parent of 华东销售部 is %d, want 0 (outside the scope)", p)
	}
	if p := o.parentOf(o.index[5]); p != 3 {
		t.Errorf("scoped: the parent of 一组 is %d, want 3", p)
	}
	// 丙班 in one of the three 一组 and in 研发: "一组/丙班" would be unique, but a reader could
	// not tell which 一组, so the label goes up to 华东销售部.
	o2 := newOrg(append(slices.Clone(o.depts), d(11, 5, "丙班"), d(12, 9, "丙班")))
	if l := o2.label(11); l != "华东销售部/一组/丙班" {
		t.Errorf("丙班 in one of two 一组: %q", l)
	}
	if l := o2.label(12); l != "研发/丙班" {
		t.Errorf("丙班 in 研发: %q", l)
	}
	// A manager of one 一组: its 甲班 needs no more than its own name.
	if _, err := o.scope([]int64{5}); err != nil {
		t.Fatal(err)
	}
	if i := o.index[7]; o.path[i] != "一组/甲班" || o.unique[i] != "甲班" {
		t.Errorf("scoped to 一组: 甲班 has path %q, label %q", o.path[i], o.unique[i])
	}
	// The whole company again.
	if _, err := o.scope(nil); err != nil {
		t.Fatal(err)
	}
	if i := o.index[7]; o.path[i] != "公司/销售中心/华东销售部/一组/甲班" || o.parentOf(o.index[3]) != 2 {
		t.Errorf("unscoped again: path %q, parent of 3 %d", o.path[i], o.parentOf(o.index[3]))
	}
}

// TestScopedExports is issue 15's item 5 on the files: a manager's daily and period exports
// named the departments above the manager's in the path column and gave their ids as parents.
func TestScopedExports(t *testing.T) {
	in := company()
	now := when("2026-11-24", "10:00")
	daily, err := ComputeDaily(in, "2026-11-18", opts(now, 2))
	if err != nil {
		t.Fatal(err)
	}
	period, err := ComputePeriod(in, "2026-11-09", "2026-11-20", opts(now, 2))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Report{daily, period} {
		var b strings.Builder
		if err := WriteCSVSheet(&b, r, "departments", Chinese); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "示例公司") {
			t.Errorf("%T: a manager of 研发部 reads the company's name:\n%s", r, b.String())
		}
		rows, _ := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), bom))).ReadAll()
		for _, row := range rows[2:] { // the header, the total
			id, path, parent := row[0], row[2], row[3]
			switch id {
			case "2":
				if path != "研发部" || parent != "" {
					t.Errorf("%T: 研发部 has path %q, parent %q; want 研发部 and none", r, path, parent)
				}
			case "3":
				if path != "研发部/后端组" || parent != "2" {
					t.Errorf("%T: 后端组 has path %q, parent %q", r, path, parent)
				}
			}
		}
	}
	if d, _ := daily.department(2); d.ParentID != 0 {
		t.Errorf("daily JSON: 研发部's parent_id is %d, want 0", d.ParentID)
	}
	for _, d := range period.Departments {
		if d.ID == 2 && d.ParentID != 0 {
			t.Errorf("period JSON: 研发部's parent_id is %d, want 0", d.ParentID)
		}
	}
}
