package orgpush

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// edit returns orgA with some text replaced, for files that differ from it a little.
func edit(t *testing.T, pairs ...string) *File {
	t.Helper()
	return mustParse(t, "a.json", strings.NewReplacer(pairs...).Replace(orgA))
}

func noteTexts(notes []Note) string {
	var b strings.Builder
	for _, n := range notes {
		b.WriteString(n.Text + " [" + n.Flag + "]\n")
	}
	return b.String()
}

func TestPlan_MobileChangeNeedsAllowRecreate(t *testing.T) {
	s := newEmptySim(t)
	s.push(t, mustParse(t, "a.json", orgA), Options{})
	f := edit(t, `"name": "周八", "mobile": "13800000006"`, `"name": "周小八", "mobile": "13900000006"`)

	p, _ := s.push(t, f, Options{DeleteMissing: true})
	want := "u6 周小八: mobile changed from 138****0006 to 139****0006 (needs --allow-recreate, loses DingTalk history); their other changes are applied"
	if len(p.NotApplied) != 1 || p.NotApplied[0].Text != want || p.NotApplied[0].Flag != "--allow-recreate" {
		t.Errorf("not applied:\n%s", noteTexts(p.NotApplied))
	}
	if len(p.Steps) != 1 || p.Steps[0].Text != "update u6 周八: name 周八 → 周小八" {
		t.Errorf("plan:\n%s", planText(p))
	}
	if u, _ := s.Truth().User("u6"); u.Mobile != "13800000006" || u.Name != "周小八" {
		t.Errorf("u6 is %+v", u)
	}
	if strings.Contains(planText(p), "13900000006") {
		t.Errorf("the plan shows a whole number:\n%s", planText(p))
	}

	// With the option, the person is deleted and created again, and nothing is left over.
	p, res := s.push(t, f, Options{AllowRecreate: true})
	if res.Counts["person re-created"] != 1 || len(p.NotApplied) != 0 {
		t.Errorf("counts %v, not applied %v", res.Counts, p.NotApplied)
	}
	if u, _ := s.Truth().User("u6"); u.Mobile != "13900000006" || u.Name != "周小八" || !slices.Equal(u.DeptIDs, []int64{1}) {
		t.Errorf("u6 is %+v", u)
	}
}

func TestPlan_MobilesSwapped(t *testing.T) {
	s := newEmptySim(t)
	s.push(t, mustParse(t, "a.json", orgA), Options{})
	f := edit(t, `"13800000001"`, `"13800000002"`, `"13800000002"`, `"13800000001"`)
	p, res := s.push(t, f, Options{AllowRecreate: true})
	if res.Counts["person re-created"] != 2 {
		t.Errorf("counts %v\n%s", res.Counts, planText(p))
	}
	assertOrg(t, s, f)
}

func TestPlan_RecreateBlockedByAPersonWhoStays(t *testing.T) {
	s := newEmptySim(t)
	s.push(t, mustParse(t, "a.json", orgA), Options{})
	if _, err := s.AddUser(dingtalksimUser("x1", "路人", "13900000006", 1)); err != nil {
		t.Fatal(err)
	}
	f := edit(t, `"13800000006"`, `"13900000006"`)
	p := s.plan(t, f, Options{AllowRecreate: true})
	if len(p.Steps) != 0 || len(p.NotApplied) != 1 || p.NotApplied[0].Flag != "--delete-missing" ||
		!strings.Contains(p.NotApplied[0].Text, "not re-created: 139****0006 is still x1 路人's, who is not in the file") {
		t.Errorf("plan:\n%s", planText(p))
	}
	// Removing the holder frees the number: first x1 goes, then u6 is created again.
	p, _ = s.push(t, f, Options{AllowRecreate: true, DeleteMissing: true})
	assertOrg(t, s, f)
	if text := planText(p); strings.Index(text, "remove x1 路人") > strings.Index(text, "create again u6") {
		t.Errorf("the holder is not removed first:\n%s", text)
	}
}

func TestPlan_KeptWithoutDeleteMissing(t *testing.T) {
	s := newEmptySim(t)
	s.push(t, mustParse(t, "a.json", orgA), Options{})
	f := edit(t, `{"id": "D22", "name": "华南", "parent_id": "D2"},`, ``,
		`{"userid": "u5", "name": "孙七", "mobile": "+86 138 0000 0005", "job_number": "A005", "dept_ids": ["D22"]},`, ``)
	p, _ := s.push(t, f, Options{})
	kept := noteTexts(p.Kept)
	for _, want := range []string{
		"department 销售部/华南 (DingTalk ", ") is not in the file; its 1 person not in the file would be removed with it: u5 孙七 [--delete-missing]",
		"u5 孙七 (in 销售部/华南) is not in the file [--delete-missing]",
	} {
		if !strings.Contains(kept, want) {
			t.Errorf("kept does not say %q:\n%s", want, kept)
		}
	}
	if len(p.Steps) != 0 {
		t.Errorf("steps without --delete-missing:\n%s", planText(p))
	}
	if !strings.Contains(planText(p), "(use --delete-missing)") {
		t.Errorf("the plan does not name the option:\n%s", planText(p))
	}
	if _, ok := s.Truth().User("u5"); !ok {
		t.Error("u5 was removed without --delete-missing")
	}
	s.push(t, f, Options{DeleteMissing: true})
	assertOrg(t, s, f)
}

// TestPlan_AdministratorsAreNeverRemoved pushes a file that knows nobody of a generated
// company: everyone goes but the boss and the administrator, whose department stays too.
func TestPlan_AdministratorsAreNeverRemoved(t *testing.T) {
	s := newSim(t, 40)
	var admins []string
	for _, u := range s.Truth().Users() {
		if u.Admin || u.Boss {
			admins = append(admins, u.UserID)
		}
	}
	if len(admins) != 2 {
		t.Fatalf("the generated company has %d administrators", len(admins))
	}
	// The second one works in a department of their own.
	hq, err := s.AddDepartment(1, "总经办")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Transfer(admins[1], hq); err != nil {
		t.Fatal(err)
	}
	f := mustParse(t, "a.json", orgA)
	p, _ := s.push(t, f, Options{DeleteMissing: true})
	kept := noteTexts(p.Kept)
	if !strings.Contains(kept, "department 总经办 (DingTalk ") || !strings.Contains(kept, "is not in the file but is kept: "+admins[1]) {
		t.Errorf("kept:\n%s", kept)
	}
	if n := strings.Count(kept, "is an administrator of the org in DingTalk, whom org push never removes"); n != 2 {
		t.Errorf("%d administrators kept:\n%s", n, kept)
	}
	if got := s.Truth().UserIDs(); len(got) != len(f.People)+2 {
		t.Errorf("DingTalk has %d people, want the file's %d and 2 administrators", len(got), len(f.People))
	}
	if _, ok := s.Truth().Department(hq); !ok {
		t.Error("the administrator's department was removed")
	}
	if again := s.plan(t, f, Options{DeleteMissing: true}); len(again.Steps) != 0 {
		t.Errorf("a second push plans something:\n%s", planText(again))
	}
}

func TestPlan_RefusesToEmptyTheOrg(t *testing.T) {
	s := newSim(t, 20)
	org, err := Read(context.Background(), s.client)
	if err != nil {
		t.Fatal(err)
	}
	f := mustParse(t, "depts.json", `{"departments":[{"id":"D1","name":"研发中心"}]}`)
	if _, err := NewPlan(f, org, Options{DeleteMissing: true}); err == nil || !strings.Contains(err.Error(), "would remove all 20 people") {
		t.Errorf("NewPlan: %v", err)
	}
	if _, err := NewPlan(f, org, Options{}); err != nil {
		t.Errorf("without --delete-missing: %v", err)
	}
}

func TestPlan_EmailTakenOver(t *testing.T) {
	s := newEmptySim(t)
	s.push(t, mustParse(t, "a.json", orgA), Options{})
	// lisi@ moves from 李四 to 张三, and 李四 gets a new one: 李四's update goes first.
	swap := []string{`"email": "lisi@example.com"`, `"email": "si.li@example.com"`,
		`"job_number": "A001",`, `"job_number": "A001", "email": "lisi@example.com",`}
	f := edit(t, swap...)
	p, _ := s.push(t, f, Options{})
	assertOrg(t, s, f)
	text := planText(p)
	if strings.Index(text, "update u2 李四") > strings.Index(text, "update u1 张三") {
		t.Errorf("the email is taken before it is given up:\n%s", text)
	}
	// An email kept by someone the file leaves alone is not set.
	if _, err := s.AddUser(dingtalksimUserEmail("x1", "路人", "13700000001", "new@example.com")); err != nil {
		t.Fatal(err)
	}
	g := edit(t, append(swap, `"job_number": "A003",`, `"job_number": "A003", "email": "new@example.com",`)...)
	p = s.plan(t, g, Options{})
	if len(p.NotApplied) != 1 || !strings.Contains(p.NotApplied[0].Text, "u3 王五: email n***@example.com is not set: it is still x1 路人's, who is not in the file") {
		t.Errorf("not applied:\n%s", noteTexts(p.NotApplied))
	}
}

func TestPlan_MobilesHidden(t *testing.T) {
	org := &Org{Depts: map[int64]*OrgDept{}, Users: map[string]*OrgUser{
		"u1": {UserID: "u1", Name: "张三", DeptIDs: []int64{1}},
		"x9": {UserID: "x9", Name: "李四", DeptIDs: []int64{1}},
	}}
	f := mustParse(t, "a.json", `{"people":[{"userid":"u1","name":"张三","mobile":"13800000001"},{"userid":"u2","name":"李四","mobile":"13800000002"}]}`)
	p, err := NewPlan(f, org, Options{AllowRecreate: true})
	if err != nil {
		t.Fatal(err)
	}
	// u1 is not taken for a mobile change, and u2 is not matched to x9 by an unknown mobile.
	if len(p.Steps) != 1 || p.Steps[0].Op != OpCreateUser || !strings.Contains(noteTexts(p.Notes), "DingTalk returned no mobile numbers") {
		t.Errorf("plan:\n%s", planText(p))
	}
}

func TestPlanWrite_CapsKept(t *testing.T) {
	p := &Plan{File: "hr.csv", KeptShown: 3}
	for i := range 5 {
		p.Kept = append(p.Kept, Note{Text: fmt.Sprintf("person %d is not in the file", i), Flag: "--delete-missing"})
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "Kept (5):") || !strings.Contains(out, "person 2 ") || strings.Contains(out, "person 3 ") ||
		!strings.Contains(out, "and 2 more (--list-kept") {
		t.Errorf("want the count, the first 3 and a line for the rest:\n%s", out)
	}
	p.KeptShown = 0
	buf.Reset()
	p.Write(&buf)
	if !strings.Contains(buf.String(), "person 4 ") {
		t.Errorf("KeptShown 0 should list all:\n%s", buf.String())
	}
}
