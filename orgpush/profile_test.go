package orgpush

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }

// orgFull is a company whose file gives every field of a person and of a department.
const orgFull = `{
  "departments": [
    {"id": "D1", "name": "研发中心", "order": 10, "create_dept_group": true},
    {"id": "D11", "name": "平台组", "parent_id": "D1", "hide_dept": true, "outer_dept": true},
    {"id": "D2", "name": "销售部", "create_dept_group": false}
  ],
  "people": [
    {"userid": "u1", "name": "张三", "mobile": "13800000001", "dept_ids": ["D11"], "manager": "u2",
     "telephone": "010-86123456-2345", "work_place": "未来park A座", "remark": "试用期至六月", "org_email": "zhangsan@corp.example",
     "hide_mobile": true, "senior_mode": false, "extattr": {"工位": "A-301", "爱好": "旅游"}, "hired_date": "2021-03-08",
     "dept_order": 10},
    {"userid": "u2", "name": "李四", "mobile": "13800000002", "dept_ids": ["D1", "D2"], "manager": "u3",
     "telephone": "8802", "hide_mobile": false, "senior_mode": true, "hired_date": "2019-07-01",
     "dept_order": {"D1": 30}},
    {"userid": "u3", "name": "王总", "mobile": "13800000003", "dept_ids": [], "senior_mode": true, "hired_date": "2015-01-05"}
  ]
}`

// profileLines describes, one sorted line each, what DingTalk holds of the departments' and
// people's fields besides their place: "D11 hide=true outer=true group=false" and
// "u1 tel=... wp=... remark=... org=... hide=true senior=false ext={...} hired=2021-03-08
// mgr=u2 orders=[D11:10]".
func profileLines(s *testSim) []string {
	tr := s.Truth()
	sid := map[int64]string{1: "ROOT"}
	var out []string
	for _, d := range tr.Departments() {
		if d.ID == 1 {
			continue
		}
		sid[d.ID] = d.SourceIdentifier
		out = append(out, fmt.Sprintf("%s hide=%t outer=%t group=%t", d.SourceIdentifier, d.HideDept, d.OuterDept, d.CreateDeptGroup))
	}
	for _, u := range tr.Users() {
		hired := ""
		if u.HiredDate != 0 {
			hired = time.UnixMilli(u.HiredDate).In(shanghai).Format(time.DateOnly)
		}
		var orders []string
		for id, o := range u.Orders {
			orders = append(orders, fmt.Sprintf("%s:%d", sid[id], o))
		}
		slices.Sort(orders)
		ext := ""
		if u.Extension != "" {
			var m map[string]string
			json.Unmarshal([]byte(u.Extension), &m)
			ext = attrsJSON(m)
		}
		out = append(out, fmt.Sprintf("%s tel=%s wp=%s remark=%s org=%s hide=%t senior=%t ext=%s hired=%s mgr=%s orders=%v",
			u.UserID, u.Telephone, u.WorkPlace, u.Remark, u.OrgEmail, u.HideMobile, u.Senior, ext, hired, u.Manager, orders))
	}
	slices.Sort(out)
	return out
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func assertProfiles(t *testing.T, s *testSim, want []string) {
	t.Helper()
	if got := profileLines(s); !slices.Equal(got, want) {
		t.Errorf("DingTalk holds:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// assertNothingPlanned pushes the file again: it must plan nothing (idempotence).
func assertNothingPlanned(t *testing.T, s *testSim, f *File, opts Options) {
	t.Helper()
	if p := s.plan(t, f, opts); len(p.Steps) != 0 || len(p.NotApplied) != 0 {
		t.Errorf("a second push plans something:\n%s", planText(p))
	}
}

// TestPush_WholeProfile pushes every field of people and departments into an empty org, then
// changes each one the other way, then leaves them to empty cells, then clears them: DingTalk
// must hold what the file says at each turn, and a second push plan nothing.
func TestPush_WholeProfile(t *testing.T) {
	s := newEmptySim(t)
	f := mustParse(t, "full.json", orgFull)
	p, res := s.push(t, f, Options{})
	assertOrg(t, s, f)
	assertProfiles(t, s, []string{
		"D1 hide=false outer=false group=true",
		"D11 hide=true outer=true group=false",
		"D2 hide=false outer=false group=false",
		`u1 tel=010-86123456-2345 wp=未来park A座 remark=试用期至六月 org=zhangsan@corp.example hide=true senior=false ext={"工位":"A-301","爱好":"旅游"} hired=2021-03-08 mgr=u2 orders=[D11:10]`,
		"u2 tel=8802 wp= remark= org= hide=false senior=true ext= hired=2019-07-01 mgr=u3 orders=[D1:30]",
		"u3 tel= wp= remark= org= hide=false senior=true ext= hired=2015-01-05 mgr= orders=[]",
	})
	// Everyone is new, so the managers are set once the people exist, top of the chart
	// first: u2 (under u3) before u1 (under u2).
	if res.Counts["manager set"] != 2 {
		t.Errorf("counts %v\n%s", res.Counts, planText(p))
	}
	text := planText(p)
	if i, j := strings.Index(text, "set the manager of u2 李四: (none) → u3 王总"), strings.Index(text, "set the manager of u1 张三: (none) → u2 李四"); i < 0 || j < i {
		t.Errorf("the managers are not set top first:\n%s", text)
	}
	assertNothingPlanned(t, s, f, Options{})

	// Every field the other way.
	g := mustParse(t, "full2.json", strings.NewReplacer(
		`{"id": "D1", "name": "研发中心", "order": 10, "create_dept_group": true}`,
		`{"id": "D1", "name": "研发中心", "order": 10, "create_dept_group": false, "hide_dept": true, "outer_dept": true}`,
		`"create_dept_group": false`, `"create_dept_group": true`,
		`"hide_dept": true, "outer_dept": true`, `"hide_dept": false, "outer_dept": false`,
		`"manager": "u2"`, `"manager": "u3"`,
		`"010-86123456-2345"`, `"010-86123456-9999"`,
		`"未来park A座"`, `"未来park B座"`,
		`"试用期至六月"`, `"已转正"`,
		`"zhangsan@corp.example"`, `"san.zhang@corp.example"`,
		`"hide_mobile": true, "senior_mode": false`, `"hide_mobile": false, "senior_mode": true`,
		`"hide_mobile": false, "senior_mode": true`, `"hide_mobile": true, "senior_mode": false`,
		`{"工位": "A-301", "爱好": "旅游"}`, `{"工位": "B-201", "爱好": null, "岗位级别": "P6"}`,
		`"2021-03-08"`, `"2021-03-09"`,
		`"dept_order": 10`, `"dept_order": 20`,
		`"dept_order": {"D1": 30}`, `"dept_order": {"D1": 40, "D2": 5}`,
		`"manager": "u3"`, `"manager": "u1"`,
	).Replace(orgFull))
	p, _ = s.push(t, g, Options{})
	assertProfiles(t, s, []string{
		"D1 hide=true outer=true group=true", // a group chat is never dissolved
		"D11 hide=false outer=false group=false",
		"D2 hide=false outer=false group=true",
		`u1 tel=010-86123456-9999 wp=未来park B座 remark=已转正 org=san.zhang@corp.example hide=false senior=true ext={"岗位级别":"P6","工位":"B-201"} hired=2021-03-09 mgr=u3 orders=[D11:20]`,
		"u2 tel=8802 wp= remark= org= hide=true senior=false ext= hired=2019-07-01 mgr=u1 orders=[D1:40 D2:5]",
		"u3 tel= wp= remark= org= hide=false senior=true ext= hired=2015-01-05 mgr= orders=[]",
	})
	text = planText(p)
	for _, want := range []string{
		"update 研发中心 [D1]: hidden no → yes; members see only part of the contacts no → yes",
		"department 研发中心 [D1] has its group chat in DingTalk; the file says create_dept_group false, but org push does not dissolve department groups",
		"update 研发中心/平台组 [D11]: hidden yes → no; members see only part of the contacts yes → no",
		"update 销售部 [D2]: create its group chat",
		`update u1 张三: telephone 010****2345 → 010****9999; work place "未来park A座" → "未来park B座"; remark (6 characters) → (3 characters); ` +
			`org email z***@corp.example → s***@corp.example; hidden mobile yes → no; senior mode no → yes; hire date 2021-03-08 → 2021-03-09; ` +
			`custom attributes 岗位级别 (none) → "P6", 工位 "A-301" → "B-201", 爱好 "旅游" → (removed); order in 研发中心/平台组 10 → 20`,
		"update u2 李四: hidden mobile no → yes; senior mode yes → no; order in 研发中心 30 → 40; order in 销售部",
		// u1 now reports to u3 and u2 to u1: u1's manager first, or u2 → u1 → u2 would loop.
		"set the manager of u1 张三: u2 李四 → u3 王总",
		"set the manager of u2 李四: u3 王总 → u1 张三",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the plan does not say %q:\n%s", want, text)
		}
	}
	if i, j := strings.Index(text, "set the manager of u1"), strings.Index(text, "set the manager of u2"); j < i {
		t.Errorf("u2's manager is set before u1's:\n%s", text)
	}
	for _, secret := range []string{"86123456", "zhangsan@", "san.zhang@", "试用期", "已转正"} {
		if strings.Contains(text, secret) {
			t.Errorf("the plan shows %q:\n%s", secret, text)
		}
	}
	assertNothingPlanned(t, s, g, Options{})

	// Empty cells leave DingTalk's values as they are.
	bare := mustParse(t, "bare.json", `{"departments": [
    {"id": "D1", "name": "研发中心"}, {"id": "D11", "name": "平台组", "parent_id": "D1"}, {"id": "D2", "name": "销售部"}],
  "people": [
    {"userid": "u1", "name": "张三", "mobile": "13800000001", "dept_ids": ["D11"], "telephone": "", "extattr": {}},
    {"userid": "u2", "name": "李四", "mobile": "13800000002", "dept_ids": ["D1", "D2"]},
    {"userid": "u3", "name": "王总", "mobile": "13800000003", "dept_ids": []}]}`)
	assertNothingPlanned(t, s, bare, Options{})

	// --clear empties them; and then there is nothing more to clear.
	clear := Options{Clear: Clearable}
	p, res = s.push(t, bare, clear)
	assertProfiles(t, s, []string{
		"D1 hide=true outer=true group=true",
		"D11 hide=false outer=false group=false",
		"D2 hide=false outer=false group=true",
		"u1 tel= wp= remark= org= hide=false senior=true ext= hired=2021-03-09 mgr= orders=[D11:20]",
		"u2 tel= wp= remark= org= hide=true senior=false ext= hired=2019-07-01 mgr= orders=[D1:40 D2:5]",
		"u3 tel= wp= remark= org= hide=false senior=true ext= hired=2015-01-05 mgr= orders=[]",
	})
	text = planText(p)
	for _, want := range []string{
		"--clear: an empty email, extattr, job_number, manager, org_email, remark, telephone, title, work_place cell clears DingTalk's value",
		`update u1 张三: telephone 010****9999 → (cleared); work place "未来park B座" → (cleared); remark (3 characters) → (cleared); ` +
			`org email s***@corp.example → (cleared); custom attributes 岗位级别 "P6" → (removed), 工位 "B-201" → (removed)`,
		"set the manager of u1 张三: u3 王总 → (none)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the plan does not say %q:\n%s", want, text)
		}
	}
	if res.Counts["person updated"] != 2 || res.Counts["manager set"] != 2 {
		t.Errorf("counts %v", res.Counts)
	}
	assertNothingPlanned(t, s, bare, clear)
}

// TestPush_ProfileFromCSV: the CSV form of the fields (yes/no words, key=value custom
// attributes, dates as Excel writes them, orders per department) pushes as the JSON does.
func TestPush_ProfileFromCSV(t *testing.T) {
	const csv = "kind,id,name,parent_id,order,create_dept_group,deptHiding,outerDept,userid,mobile,dept_ids,tel,workPlace,remark,orgEmail,isHide,isSenior,extattr,hiredDate,manager,orderInDepts\n" +
		"部门,D1,研发中心,,10,是,,,,,,,,,,,,,,,\n" +
		"部门,D11,平台组,D1,,,TRUE,1,,,,,,,,,,,,,\n" +
		"部门,D2,销售部,,,否,,,,,,,,,,,,,,,\n" +
		"人员,,张三,,,,,,u1,13800000001,D11,010-86123456-2345,未来park A座,试用期至六月,zhangsan@corp.example,是,否,工位=A-301；爱好=旅游,2021/3/8,u2,10\n" +
		"人员,,李四,,,,,,u2,13800000002,D1;D2,8802,,,,no,yes,,2019年7月1日,u3,D1=30\n" +
		"人员,,王总,,,,,,u3,13800000003,,,,,,,Y,,20150105,,\n"
	c := mustParse(t, "full.csv", csv)
	j := mustParse(t, "full.json", orgFull)
	s := newEmptySim(t)
	s.push(t, c, Options{})
	fromCSV := profileLines(s)
	assertNothingPlanned(t, s, j, Options{})
	s2 := newEmptySim(t)
	s2.push(t, j, Options{})
	if fromJSON := profileLines(s2); !slices.Equal(fromCSV, fromJSON) {
		t.Errorf("CSV and JSON differ:\n  %s\n  %s", strings.Join(fromCSV, "\n  "), strings.Join(fromJSON, "\n  "))
	}
}

// TestPlan_ManagerChecks: a manager must exist (in the file or in DingTalk) and stay, and no
// loop may form, counting DingTalk's managers; nothing is planned otherwise.
func TestPlan_ManagerChecks(t *testing.T) {
	s := newEmptySim(t)
	s.push(t, mustParse(t, "a.json", orgA), Options{})
	// x1, whom only DingTalk has, reports to u1.
	if _, err := s.AddUser(dingtalksimUser("x1", "路人", "13700000001", 1)); err != nil {
		t.Fatal(err)
	}
	manager := "x1"
	if _, err := s.client.Users.Update(context.Background(), &dingtalk.UserUpdate{UserID: "x1", ManagerUserID: ptr("u1")}); err != nil {
		t.Fatal(err)
	}
	for _, test := range []struct {
		name    string
		pairs   []string
		opts    Options
		problem string
	}{
		{"Unknown", []string{`"userid": "u2",`, `"userid": "u2", "manager": "nobody",`}, Options{},
			`line 13: manager "nobody" of "u2" is neither a userid of the file nor one DingTalk has`},
		{"Removed", []string{`"userid": "u2",`, `"userid": "u2", "manager": "x1",`}, Options{DeleteMissing: true},
			`line 13: manager "x1" of "u2" is not in the file, and --delete-missing removes them`},
		{"LoopThroughDingTalk", []string{`"userid": "u1",`, `"userid": "u1", "manager": "` + manager + `",`}, Options{},
			`line 12: managers form a loop once DingTalk's are counted: "u1" → "x1" → "u1"`},
	} {
		t.Run(test.name, func(t *testing.T) {
			f := edit(t, test.pairs...)
			org, err := ReadFor(context.Background(), s.client, f, test.opts)
			if err != nil {
				t.Fatal(err)
			}
			_, err = NewPlan(f, org, test.opts)
			e, ok := IsInvalidFile(err)
			if !ok || len(e.Problems) != 1 || !strings.HasPrefix(e.Describe(e.Problems[0]), test.problem) {
				t.Errorf("NewPlan: %v, want the problem %q", err, test.problem)
			}
		})
	}
	// A manager only DingTalk has is fine while they stay.
	f := edit(t, `"userid": "u2",`, `"userid": "u2", "manager": "x1",`)
	s.push(t, f, Options{})
	if u, _ := s.Truth().User("u2"); u.Manager != "x1" {
		t.Errorf("u2's manager is %q", u.Manager)
	}
	// Plain Read does not read managers: NewPlan says so rather than plan blind.
	org, err := Read(context.Background(), s.client)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewPlan(f, org, Options{}); err == nil || !strings.Contains(err.Error(), "ReadFor") {
		t.Errorf("NewPlan after Read: %v", err)
	}
}

// TestParse_ManagerLoop: a loop within the file is found without DingTalk.
func TestParse_ManagerLoop(t *testing.T) {
	f := strings.NewReplacer(`"userid": "u1",`, `"userid": "u1", "manager": "u3",`, `"userid": "u2",`, `"userid": "u2", "manager": "u1",`,
		`"userid": "u3",`, `"userid": "u3", "manager": "u2",`, `"userid": "u4",`, `"userid": "u4", "manager": "u4",`).Replace(orgA)
	_, err := Parse("a.json", []byte(f))
	e, ok := IsInvalidFile(err)
	if !ok {
		t.Fatalf("Parse: %v", err)
	}
	var got []string
	for _, p := range e.Problems {
		got = append(got, p.String())
	}
	want := []string{`line 12: managers form a loop: "u1" → "u3" → "u2" → "u1"`, `line 15: "u4" is their own manager`}
	if !slices.Equal(got, want) {
		t.Errorf("problems %q, want %q", got, want)
	}
}

// TestPush_ManagersReorganised pushes random charts of managers over the same people, one
// after the other: the simulator refuses a manager who does not exist yet and any loop, so
// each push must order its steps so that none is refused, and end with the file's chart.
func TestPush_ManagersReorganised(t *testing.T) {
	const people = 12
	for seed := range uint64(12) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			s := newEmptySim(t)
			r := newRand(seed)
			for round := range 4 {
				// A random forest: each person's manager comes later in a random order.
				order := r.Perm(people)
				managers := map[int]int{}
				for i, who := range order[:people-1] {
					if r.IntN(4) > 0 {
						managers[who] = order[i+1+r.IntN(people-1-i)]
					}
				}
				var b strings.Builder
				b.WriteString(`{"departments": [], "people": [`)
				// New people come in each round, so that some managers are created by
				// the same push.
				n := people - 3 + round
				for i := range min(n, people) {
					if i > 0 {
						b.WriteString(",")
					}
					m := ""
					if k, ok := managers[i]; ok && k < n {
						m = fmt.Sprintf(`, "manager": "p%d"`, k)
					}
					fmt.Fprintf(&b, `{"userid": "p%d", "name": "员工%d", "mobile": "139%08d"%s}`, i, i, i, m)
				}
				b.WriteString("]}")
				f := mustParse(t, "m.json", b.String())
				s.push(t, f, Options{Clear: []string{"manager"}, DeleteMissing: true})
				got := map[string]string{}
				for _, u := range s.Truth().Users() {
					got[u.UserID] = u.Manager
				}
				want := map[string]string{}
				for _, p := range f.People {
					want[p.UserID] = p.Manager
				}
				if !maps.Equal(got, want) {
					t.Fatalf("round %d: managers %v, want %v", round, got, want)
				}
				assertNothingPlanned(t, s, f, Options{Clear: []string{"manager"}, DeleteMissing: true})
			}
		})
	}
}

// TestPush_RecreateKeepsWhatTheFileLeavesEmpty: a person created again for a new mobile keeps
// DingTalk's telephone, custom attributes, hire date and manager where the file says nothing,
// and whoever the file puts under them gets them back as manager.
func TestPush_RecreateKeepsWhatTheFileLeavesEmpty(t *testing.T) {
	s := newEmptySim(t)
	f := mustParse(t, "full.json", orgFull)
	s.push(t, f, Options{})
	// u2 gets a new mobile; the file keeps only their place (and u1 still reports to u2).
	g := mustParse(t, "g.json", strings.NewReplacer(
		`"mobile": "13800000002", "dept_ids": ["D1", "D2"], "manager": "u3",
     "telephone": "8802", "hide_mobile": false, "senior_mode": true, "hired_date": "2019-07-01",
     "dept_order": {"D1": 30}}`, `"mobile": "13900000002", "dept_ids": ["D1", "D2"]}`).Replace(orgFull))
	if g.People[1].Telephone != "" || g.People[1].Mobile != "13900000002" {
		t.Fatalf("the edit did not apply: %+v", g.People[1])
	}
	p, res := s.push(t, g, Options{AllowRecreate: true})
	if res.Counts["person re-created"] != 1 {
		t.Errorf("counts %v\n%s", res.Counts, planText(p))
	}
	assertProfiles(t, s, []string{
		"D1 hide=false outer=false group=true",
		"D11 hide=true outer=true group=false",
		"D2 hide=false outer=false group=false",
		`u1 tel=010-86123456-2345 wp=未来park A座 remark=试用期至六月 org=zhangsan@corp.example hide=true senior=false ext={"工位":"A-301","爱好":"旅游"} hired=2021-03-08 mgr=u2 orders=[D11:10]`,
		"u2 tel=8802 wp= remark= org= hide=false senior=true ext= hired=2019-07-01 mgr=u3 orders=[D1:30 D2:1000]", // D2's place kept
		"u3 tel= wp= remark= org= hide=false senior=true ext= hired=2015-01-05 mgr= orders=[]",
	})
	assertNothingPlanned(t, s, g, Options{AllowRecreate: true})
}

// TestPlan_TelephoneTakenOver: office telephones are unique in DingTalk like emails: one
// given up by an update is taken by another after it; one someone else keeps is not set.
func TestPlan_TelephoneTakenOver(t *testing.T) {
	s := newEmptySim(t)
	s.push(t, mustParse(t, "a.json", strings.Replace(orgA, `"userid": "u2",`, `"userid": "u2", "telephone": "8801",`, 1)), Options{})
	f := edit(t, `"userid": "u1",`, `"userid": "u1", "telephone": "8801",`, `"userid": "u2",`, `"userid": "u2", "telephone": "8802",`)
	p, _ := s.push(t, f, Options{})
	text := planText(p)
	if strings.Index(text, "update u2 李四") > strings.Index(text, "update u1 张三") {
		t.Errorf("the telephone is taken before it is given up:\n%s", text)
	}
	if u, _ := s.Truth().User("u1"); u.Telephone != "8801" {
		t.Errorf("u1: %+v", u)
	}
	// Kept by someone the file does not have: not set, and said.
	g := edit(t, `"userid": "u1",`, `"userid": "u1", "telephone": "8801",`, `"userid": "u2",`, `"userid": "u2", "telephone": "8802",`,
		`"userid": "u3",`, `"userid": "u3", "telephone": "8809",`)
	if _, err := s.AddUser(dingtalksimUser("x1", "路人", "13700000001", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Users.Update(context.Background(), &dingtalk.UserUpdate{UserID: "x1", Telephone: ptr("8809")}); err != nil {
		t.Fatal(err)
	}
	p = s.plan(t, g, Options{})
	if len(p.NotApplied) != 1 || !strings.Contains(p.NotApplied[0].Text, "u3 王五: telephone **** is not set: it is still x1 路人's") {
		t.Errorf("not applied:\n%s", noteTexts(p.NotApplied))
	}
}

// TestApply_ClearThatDingTalkIgnores: DingTalk's update is not documented to clear a field
// sent empty; when it keeps it, the step fails and says so, rather than pass for done.
func TestApply_ClearThatDingTalkIgnores(t *testing.T) {
	s := newEmptySim(t)
	s.push(t, mustParse(t, "full.json", orgFull), Options{})
	// A DingTalk that ignores "telephone": "".
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/topapi/v2/user/update" {
			body, _ := io.ReadAll(r.Body)
			body = bytes.ReplaceAll(body, []byte(`"telephone":"",`), nil)
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		s.Server.ServeHTTP(w, r)
	}))
	defer srv.Close()
	client := newClient(t, srv.URL)
	f := mustParse(t, "bare.json", `{"people": [{"userid": "u2", "name": "李四", "mobile": "13800000002", "dept_ids": []}]}`)
	org, err := ReadFor(context.Background(), client, f, Options{Clear: []string{"telephone"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(f, org, Options{Clear: []string{"telephone"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&Runner{Client: client}).Apply(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	failed := res.Failed()
	if len(failed) != 1 || failed[0].Message != "DingTalk accepted the update but kept telephone: clear it in DingTalk's admin console" {
		t.Errorf("failures %v\n%s", failed, planText(p))
	}
}
