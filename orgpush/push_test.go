package orgpush

import (
	"slices"
	"strings"
	"testing"
)

// orgA is the HR file of a small company.
const orgA = `{
  "departments": [
    {"id": "D1", "name": "研发中心", "order": 10},
    {"id": "D11", "name": "平台组", "parent_id": "D1"},
    {"id": "D12", "name": "测试组", "parent_id": "D1"},
    {"id": "D2", "name": "销售部", "order": 20},
    {"id": "D21", "name": "华东", "parent_id": "D2"},
    {"id": "D22", "name": "华南", "parent_id": "D2"},
    {"id": "D3", "name": "行政部"}
  ],
  "people": [
    {"userid": "u1", "name": "张三", "mobile": "13800000001", "job_number": "A001", "dept_ids": ["D11"]},
    {"userid": "u2", "name": "李四", "mobile": "13800000002", "job_number": "A002", "dept_ids": ["D12", "D21"], "email": "lisi@example.com"},
    {"userid": "u3", "name": "王五", "mobile": "13800000003", "job_number": "A003", "dept_ids": ["D2"]},
    {"userid": "u4", "name": "赵六", "mobile": "13800000004", "job_number": "A004", "dept_ids": ["D3"], "title": "行政"},
    {"userid": "u5", "name": "孙七", "mobile": "+86 138 0000 0005", "job_number": "A005", "dept_ids": ["D22"]},
    {"userid": "u6", "name": "周八", "mobile": "13800000006", "job_number": "A006", "dept_ids": []}
  ]
}`

// orgB is orgA a year later: it differs in every way.
const orgB = `{
  "departments": [
    {"id": "D11", "name": "平台组"},
    {"id": "D1", "name": "研发中心", "parent_id": "D11", "order": 5},
    {"id": "D12", "name": "质量组", "parent_id": "D1"},
    {"id": "D2", "name": "行政部"},
    {"id": "D3", "name": "销售部"},
    {"id": "D21", "name": "华东销售", "parent_id": "D3"},
    {"id": "D4", "name": "市场部"},
    {"id": "D41", "name": "品牌组", "parent_id": "D4"},
    {"id": "D42", "name": "设计", "parent_id": "D41"}
  ],
  "people": [
    {"userid": "u1", "name": "张三", "mobile": "13800000001", "job_number": "A001", "dept_ids": ["D41"], "email": "zhangsan@example.com"},
    {"userid": "u2", "name": "李四", "mobile": "13800000002", "job_number": "A002", "dept_ids": ["D12"], "email": "lisi@example.com"},
    {"userid": "u4", "name": "赵六六", "mobile": "13800000004", "job_number": "A004", "dept_ids": ["D3", "D2"], "title": "主管"},
    {"userid": "u5", "name": "孙七", "mobile": "13800000005", "job_number": "A005", "dept_ids": ["D4"]},
    {"userid": "u6", "name": "周八", "mobile": "13900000006", "job_number": "A006", "dept_ids": ["D1"]},
    {"userid": "u7", "name": "吴九", "mobile": "13800000007", "job_number": "A007", "dept_ids": ["D42"]},
    {"userid": "u8", "name": "郑十", "mobile": "13800000003", "job_number": "A008", "dept_ids": ["D21"]}
  ]
}`

func TestPush_FromEmptyOrg(t *testing.T) {
	s := newEmptySim(t)
	f := mustParse(t, "a.json", orgA)
	p, res := s.push(t, f, Options{})
	assertOrg(t, s, f)
	if got := orgLines(s, true); !slices.Contains(got, "D1 研发中心 order=10") || !slices.Contains(got, "D2 销售部 order=20") {
		t.Errorf("orders not set: %v", got)
	}
	if res.Counts["department created"] != 7 || res.Counts["person created"] != 6 || len(res.Outcomes) != len(p.Steps) || len(p.Steps) != 13 {
		t.Errorf("counts %v, %d outcomes of %d steps", res.Counts, len(res.Outcomes), len(p.Steps))
	}
	again := s.plan(t, f, Options{DeleteMissing: true, AllowRecreate: true})
	if len(again.Steps) != 0 || len(again.NotApplied) != 0 || len(again.Kept) != 0 {
		t.Errorf("a second push plans something:\n%s", planText(again))
	}
}

func TestPush_OrgThatDiffersInEveryWay(t *testing.T) {
	s := newEmptySim(t)
	s.push(t, mustParse(t, "a.json", orgA), Options{})
	// Changes made in DingTalk by hand: a department not in the file with a person in it,
	// and the 市场部 of the new file already there, without an HR id.
	hand, err := s.AddDepartment(1, "临时项目")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(dingtalksimUser("x9", "路人", "13700000009", hand)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDepartment(1, "市场部"); err != nil {
		t.Fatal(err)
	}
	// 吴九 joined DingTalk on their own, under a userid DingTalk made up.
	if _, err := s.AddUser(dingtalksimUser("0123456789", "吴九", "13800000007", hand)); err != nil {
		t.Fatal(err)
	}

	f := mustParse(t, "b.json", orgB)
	p, _ := s.push(t, f, Options{DeleteMissing: true, AllowRecreate: true})
	text := planText(p)
	for _, want := range []string{
		"rename 平台组/研发中心/测试组 [D12] to 质量组",
		"temporarily",
		"matched by its path",
		"delete u6 周八 to create them again with their new mobile 139****0006 (was 138****0006",
		"remove u3 王五",
		"remove x9 路人",
		"remove department 临时项目",
		"remove department 销售部/华南",
		"u7 吴九 (line 19) is DingTalk user 0123456789, matched by mobile 138****0007 and name",
		"u8 郑十 (line 20) has the mobile 138****0003 of DingTalk user u3 王五, whose name differs",
		"create u8 郑十 (138****0003) in 销售部/华东销售",
		"move 0123456789 吴九 (u7 in the file): departments 临时项目 → 市场部/品牌组/设计",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the plan does not say %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "13900000006") || strings.Contains(text, "13800000003") {
		t.Errorf("the plan shows a whole mobile number:\n%s", text)
	}
	want := f
	want.People[5].UserID = "0123456789" // 吴九 keeps DingTalk's userid
	assertOrg(t, s, want)
	again := s.plan(t, f, Options{DeleteMissing: true, AllowRecreate: true})
	if len(again.Steps) != 0 {
		t.Errorf("a second push plans something:\n%s", planText(again))
	}
}
