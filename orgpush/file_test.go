package orgpush

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const goodCSV = "\xef\xbb\xbfkind,id,name,parent_id,order,userid,mobile,email,job_number,title,dept_ids\n" +
	"department,D1,研发中心,,10,,,,,,\n" +
	"dept,D11,平台组,D1,,,,,,,\n" +
	",,,,,,,,,,\n" +
	"部门,D2,销售部,,,,,,,,\n" +
	"person,,张三,,,u1,138 0000 0001,zs@example.com,A001,工程师,D11\n" +
	"人员,,\"李,四\",,,u2,+86-13800000002,,,,\"D11;D2\"\n" +
	"person,,王五,,,u3,13800000003,,,,\n"

func TestParse_CSV(t *testing.T) {
	f := mustParse(t, "org.csv", goodCSV)
	if len(f.Departments) != 3 || len(f.People) != 3 {
		t.Fatalf("%d departments, %d people", len(f.Departments), len(f.People))
	}
	d := f.Departments[0]
	if d.ID != "D1" || d.Name != "研发中心" || d.ParentID != "" || d.Order == nil || *d.Order != 10 || d.Line != 2 {
		t.Errorf("first department %+v", d)
	}
	if d := f.Departments[1]; d.ParentID != "D1" || d.Order != nil || d.Line != 3 {
		t.Errorf("second department %+v", d)
	}
	if f.Departments[2].Line != 5 {
		t.Errorf("a blank row moved the lines: %d", f.Departments[2].Line)
	}
	p := f.People[0]
	if p.UserID != "u1" || p.Name != "张三" || p.Mobile != "13800000001" || p.Email != "zs@example.com" || p.JobNumber != "A001" ||
		p.Title != "工程师" || !slices.Equal(p.DeptIDs, []string{"D11"}) || p.Line != 6 {
		t.Errorf("first person %+v", p)
	}
	if p := f.People[1]; p.Name != "李,四" || p.Mobile != "13800000002" || !slices.Equal(p.DeptIDs, []string{"D11", "D2"}) {
		t.Errorf("second person %+v", p)
	}
	if p := f.People[2]; len(p.DeptIDs) != 0 {
		t.Errorf("a person without departments: %+v", p)
	}
}

func TestParse_CSVWithFewerColumns(t *testing.T) {
	f := mustParse(t, "org.csv", "Name,Kind,ID,Parent_ID,UserID,Mobile,Dept_IDs\n研发中心,department,D1,,,,\n张三,person,,,u1,13800000001,D1\n")
	if len(f.Departments) != 1 || len(f.People) != 1 || f.People[0].Email != "" {
		t.Fatalf("%+v", f)
	}
}

const goodJSON = `{
  "departments": [
    {"id": "D1", "name": " 研发中心 ", "order": 10},
    {"id": 11, "name": "平台组", "parent_id": "D1", "order": "3"},
    {"id": "D2", "name": "销售部", "parent_id": null}
  ],
  "people": [
    {"userid": "u1", "name": "张三", "mobile": 13800000001, "dept_ids": ["D1", 11]},
    {"userid": "u2", "name": "李四", "mobile": "13800000002", "dept_ids": []}
  ]
}`

func TestParse_JSON(t *testing.T) {
	f := mustParse(t, "org.json", goodJSON)
	if len(f.Departments) != 3 || len(f.People) != 2 {
		t.Fatalf("%d departments, %d people", len(f.Departments), len(f.People))
	}
	want := []Department{
		{Line: 3, ID: "D1", Name: "研发中心", Order: ptr[int64](10)},
		{Line: 4, ID: "11", Name: "平台组", ParentID: "D1", Order: ptr[int64](3)},
		{Line: 5, ID: "D2", Name: "销售部"},
	}
	for i, d := range f.Departments {
		w := want[i]
		if d.Line != w.Line || d.ID != w.ID || d.Name != w.Name || d.ParentID != w.ParentID || (d.Order == nil) != (w.Order == nil) ||
			(d.Order != nil && *d.Order != *w.Order) {
			t.Errorf("department %d: %+v, want %+v", i, d, w)
		}
	}
	if p := f.People[0]; p.Line != 8 || p.Mobile != "13800000001" || !slices.Equal(p.DeptIDs, []string{"D1", "11"}) {
		t.Errorf("first person %+v", p)
	}
	if p := f.People[1]; p.Line != 9 || len(p.DeptIDs) != 0 {
		t.Errorf("second person %+v", p)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "org.txt") // no extension: told apart by the first character
	if err := os.WriteFile(path, []byte(goodJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err := Load(path); err != nil || len(f.People) != 2 {
		t.Fatalf("Load JSON without extension: %v", err)
	}
	if err := os.WriteFile(path, []byte(goodCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err := Load(path); err != nil || len(f.People) != 3 {
		t.Fatalf("Load CSV without extension: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.csv")); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("Load of a missing file: %v", err)
	}
}

// TestParse_Problems checks each problem the file can have, with its line: nothing is sent
// for a file that has any.
func TestParse_Problems(t *testing.T) {
	const dh = "kind,id,name,parent_id,order,userid,mobile,email,job_number,title,dept_ids\n"
	const d1 = "department,D1,研发中心,,,,,,,,\n"
	// ph is a header and a department for the rows of people with a telephone and an order.
	const ph = "kind,id,name,userid,mobile,dept_ids,telephone,dept_order\ndepartment,D1,研发中心,,,,,\n"
	for _, test := range []struct {
		name, file, text string
		want             []string // "line: text" of every problem, in order
	}{
		{"DuplicateDeptID", "x.csv", dh + d1 + "department,D1,销售部,,,,,,,,\n", []string{`3: department id "D1" is also on line 2`}},
		{"NoDeptID", "x.csv", dh + "department,,研发中心,,,,,,,,\n", []string{`2: department "研发中心" has no id`}},
		{"NoDeptName", "x.csv", dh + "department,D1,,,,,,,,,\n", []string{`2: department "D1" has no name`}},
		{"UnknownParent", "x.csv", dh + d1 + "department,D2,销售部,D9,,,,,,,\n", []string{`3: parent_id "D9" of department "D2" is not a department of the file`}},
		{"OwnParent", "x.csv", dh + "department,D1,研发中心,D1,,,,,,,\n", []string{`2: department "D1" is its own parent`}},
		{"Cycle", "x.csv", dh + "department,D1,甲,D3,,,,,,,\ndepartment,D2,乙,D1,,,,,,,\ndepartment,D3,丙,D2,,,,,,,\n",
			[]string{`2: parent_id links form a cycle: "D1" → "D3" → "D2" → "D1"`}},
		{"NameTooLong", "x.csv", dh + "department,D1," + strings.Repeat("长", 65) + ",,,,,,,,\n", []string{"2: department name"}},
		{"NameWithDash", "x.csv", dh + "department,D1,研发-中心,,,,,,,,\n", []string{`2: department name "研发-中心" contains "-" or a comma, which DingTalk refuses`}},
		{"NameWithComma", "x.csv", dh + "department,D1,\"研发,中心\",,,,,,,,\n", []string{`2: department name "研发,中心" contains`}},
		{"NameWithFullWidthComma", "x.csv", dh + "department,D1,研发，中心,,,,,,,,\n", []string{`2: department name "研发，中心" contains`}},
		{"SameNameInParent", "x.csv", dh + d1 + "department,D2,研发中心,,,,,,,,\n", []string{`3: department "D2" has the same name "研发中心" as department "D1" on line 2, under the root`}},
		{"BadOrder", "x.csv", dh + "department,D1,研发中心,,first,,,,,,\n", []string{`2: order "first" is not a whole number`}},
		{"NegativeOrder", "x.csv", dh + "department,D1,研发中心,,-1,,,,,,\n", []string{"2: order -1: want a whole number from 0 to 2147483647"}},
		{"SeparatorInID", "x.json", `{"departments":[{"id":"D;1","name":"研发中心"}]}`, []string{`1: department id "D;1" contains one of`}},
		{"NoUserID", "x.csv", dh + d1 + "person,,张三,,,,13800000001,,,,D1\n", []string{`3: person "张三" has no userid`}},
		{"BadUserID", "x.csv", dh + d1 + "person,,张三,,,张三,13800000001,,,,D1\n", []string{`3: userid "张三": want 1 to 64 letters, digits or _ . @ -`}},
		{"DuplicateUserID", "x.csv", dh + d1 + "person,,张三,,,u1,13800000001,,,,D1\nperson,,李四,,,u1,13800000002,,,,D1\n", []string{`4: userid "u1" is also on line 3`}},
		{"NoPersonName", "x.csv", dh + d1 + "person,,,,,u1,13800000001,,,,D1\n", []string{`3: person "u1" has no name`}},
		{"PersonNameTooLong", "x.csv", dh + d1 + "person,," + strings.Repeat("名", 81) + ",,,u1,13800000001,,,,D1\n", []string{`3: name of "u1" is 81 characters; DingTalk allows 80`}},
		{"NoMobile", "x.csv", dh + d1 + "person,,张三,,,u1,,,,,D1\n", []string{`3: person "u1" has no mobile number`}},
		{"MalformedMobile", "x.csv", dh + d1 + "person,,张三,,,u1,1380000001,,,,D1\n", []string{`3: mobile 138****01 of "u1" is malformed`}},
		{"MalformedMobileLetters", "x.csv", dh + d1 + "person,,张三,,,u1,138abcd0001,,,,D1\n", []string{`3: mobile 138****0001 of "u1" is malformed`}},
		{"DuplicateMobile", "x.csv", dh + d1 + "person,,张三,,,u1,13800000001,,,,D1\nperson,,李四,,,u2,+86-13800000001,,,,D1\n", []string{`4: mobile 138****0001 of "u2" is also "u1"'s on line 3`}},
		{"MalformedEmail", "x.csv", dh + d1 + "person,,张三,,,u1,13800000001,zs.example.com,,,D1\n", []string{`3: email zs*** of "u1" is malformed`}},
		{"DuplicateEmail", "x.csv", dh + d1 + "person,,张三,,,u1,13800000001,a@x.cn,,,D1\nperson,,李四,,,u2,13800000002,A@X.cn,,,D1\n", []string{`4: email ***@X.cn of "u2" is also "u1"'s on line 3`}},
		{"JobNumberTooLong", "x.csv", dh + d1 + "person,,张三,,,u1,13800000001,," + strings.Repeat("9", 51) + ",,D1\n", []string{`3: job_number of "u1" is 51 characters; DingTalk allows 50`}},
		{"TitleTooLong", "x.csv", dh + d1 + "person,,张三,,,u1,13800000001,,," + strings.Repeat("职", 201) + ",D1\n", []string{`3: title of "u1" is 201 characters; DingTalk allows 200`}},
		{"TooManyDepts", "x.json", manyDepts(101), []string{`1: "u1" is in 101 departments; DingTalk allows 100`}},
		{"UnknownDept", "x.csv", dh + d1 + "person,,张三,,,u1,13800000001,,,,D1;D9\n", []string{`3: dept_ids of "u1": "D9" is not a department of the file`}},
		{"DeptTwice", "x.csv", dh + d1 + "person,,张三,,,u1,13800000001,,,,D1;D1\n", []string{`3: dept_ids of "u1" lists "D1" twice`}},
		{"BadTelephone", "x.csv", ph + "person,,张三,u1,13800000001,D1,010-8612abc\n", []string{`3: telephone 010****2abc of "u1" is malformed`}},
		{"LongTelephone", "x.csv", ph + "person,,张三,u1,13800000001,D1," + strings.Repeat("8", 51) + "\n", []string{`3: telephone of "u1" is 51 characters; DingTalk allows 50`}},
		{"DuplicateTelephone", "x.csv", ph + "person,,张三,u1,13800000001,D1,8801\nperson,,李四,u2,13800000002,D1,8801\n",
			[]string{`4: telephone **** of "u2" is also "u1"'s on line 3: DingTalk wants each office telephone unique`}},
		{"LongWorkPlace", "x.json", `{"people":[{"userid":"u1","name":"张三","mobile":"13800000001","work_place":"` + strings.Repeat("地", 101) + `"}]}`,
			[]string{`1: work_place of "u1" is 101 characters; DingTalk allows 100`}},
		{"LongRemark", "x.json", `{"people":[{"userid":"u1","name":"张三","mobile":"13800000001","remark":"` + strings.Repeat("备", 2001) + `"}]}`,
			[]string{`1: remark of "u1" is 2001 characters; DingTalk allows 2000`}},
		{"BadOrgEmail", "x.json", `{"people":[{"userid":"u1","name":"张三","mobile":"13800000001","org_email":"zhangsan"}]}`,
			[]string{`1: org_email zh*** of "u1" is malformed`}},
		{"BadBool", "x.csv", "kind,id,name,hide_dept\ndepartment,D1,研发中心,maybe\n", []string{`2: hide_dept "maybe": want true or false`}},
		{"JSONBadBool", "x.json", `{"people":[{"userid":"u1","name":"张三","mobile":"13800000001","senior_mode":"maybe"}]}`,
			[]string{"1: person: senior_mode must be true or false, not \"maybe\""}},
		{"ExtAttrWithoutEquals", "x.csv", "kind,name,userid,mobile,dept_ids,extattr\nperson,张三,u1,13800000001,,工位A-301\n",
			[]string{`2: extattr of "u1": "工位A-301": want key=value, several separated by ";"`}},
		{"ExtAttrTwice", "x.csv", "kind,name,userid,mobile,dept_ids,extattr\nperson,张三,u1,13800000001,,工位=A;工位=B\n", []string{`2: extattr of "u1" sets "工位" twice`}},
		{"ExtAttrNoName", "x.csv", "kind,name,userid,mobile,dept_ids,extattr\nperson,张三,u1,13800000001,,=A\n", []string{`2: extattr of "u1" has an attribute without a name`}},
		{"ExtAttrTooLong", "x.json", `{"people":[{"userid":"u1","name":"张三","mobile":"13800000001","extattr":{"简介":"` + strings.Repeat("长", 2000) + `"}}]}`,
			[]string{`1: extattr of "u1" is 2009 characters as DingTalk stores it; DingTalk allows 2000`}},
		{"JSONExtAttrNotObject", "x.json", `{"people":[{"userid":"u1","name":"张三","mobile":"13800000001","extattr":"工位=A"}]}`,
			[]string{"1: person: extattr must be an object"}},
		{"BadHiredDate", "x.csv", "kind,name,userid,mobile,dept_ids,hired_date\nperson,张三,u1,13800000001,,2021-02-30\n",
			[]string{`2: hired_date "2021-02-30" of "u1" is not a date: write it as 2026-03-08`}},
		{"JSONBadHiredDate", "x.json", `{"people":[{"userid":"u1","name":"张三","mobile":"13800000001","hired_date":"下周一"}]}`,
			[]string{`1: hired_date "下周一" of "u1" is not a date`}},
		{"ManagerNotUserID", "x.csv", "kind,name,userid,mobile,dept_ids,manager\nperson,张三,u1,13800000001,,王 总\n", []string{`2: manager "王 总" of "u1" is not a userid`}},
		{"OwnManager", "x.csv", "kind,name,userid,mobile,dept_ids,manager\nperson,张三,u1,13800000001,,u1\n", []string{`2: "u1" is their own manager`}},
		{"BadDeptOrder", "x.csv", ph + "person,,张三,u1,13800000001,D1,,first\n", []string{`3: dept_order of "u1": "first": want a whole number, or DEPT_ID=NUMBER`}},
		{"DeptOrderNotTheirs", "x.csv", ph + "person,,张三,u1,13800000001,D1,,D2=5\n", []string{`3: dept_order of "u1" names "D2", which is not one of their dept_ids`}},
		{"NegativeDeptOrder", "x.csv", ph + "person,,张三,u1,13800000001,D1,,-5\n", []string{`3: dept_order of "u1": -5 is negative`}},
		{"DeptOrderTwice", "x.csv", ph + "person,,张三,u1,13800000001,D1,,D1=5;D1=6\n", []string{`3: dept_order of "u1": department "D1" appears twice`}},
		{"DeptColumnOnPerson", "x.csv", "kind,id,name,hide_dept,userid,mobile,dept_ids\nperson,,张三,是,u1,13800000001,\n", []string{"2: hide_dept is for department rows"}},
		{"UnknownColumn", "x.csv", "kind,id,name,parent\n", []string{`1: unknown column "parent"`}},
		{"NoKindColumn", "x.csv", "id,name\nD1,研发中心\n", []string{"1: no kind column"}},
		{"UnknownKind", "x.csv", dh + "team,D1,研发中心,,,,,,,,\n", []string{`2: kind "team": want department or person`}},
		{"PersonFieldOnDept", "x.csv", dh + "department,D1,研发中心,,,u1,,,,,\n", []string{"2: userid is for person rows; leave it empty on a department row"}},
		{"DeptFieldOnPerson", "x.csv", dh + d1 + "person,,张三,D1,,u1,13800000001,,,,D1\n", []string{"3: parent_id is for department rows; leave it empty on a person row"}},
		{"MissingPersonColumns", "x.csv", "kind,id,name\ndepartment,D1,研发中心\nperson,,张三\n", []string{"1: no userid column, which person rows need", "1: no mobile column", "1: no dept_ids column"}},
		{"TooManyCells", "x.csv", "kind,id,name\ndepartment,D1,研发中心,extra\n", []string{"2: 4 cells, but the header has 3 columns"}},
		{"BadQuote", "x.csv", dh + "department,D1,\"研发中心,,,,,,,,\n", []string{"2: not valid CSV"}},
		{"EmptyCSV", "x.csv", "", []string{"the file is empty"}},
		{"NeitherUTF8NorGB18030", "x.csv", dh + "department,D1,\xd1\xd0\xb7\xff,,,,,,,,\n", []string{`2: the file is neither UTF-8 nor GB18030 (GBK) text; save it as "CSV UTF-8"`}},
		{"JSONSyntax", "x.json", "{\n  \"departments\": [\n    {\"id\": \"D1\", \"name\": \"研发中心\",}\n  ]\n}", []string{"3: not valid JSON"}},
		{"JSONTruncated", "x.json", "{\n  \"departments\": [\n", []string{"3: the JSON ends too early"}},
		{"JSONNotObject", "x.json", `[{"id":"D1"}]`, []string{`1: want a JSON object {"departments":[...],"people":[...]}`}},
		{"JSONUnknownKey", "x.json", "{\n\"teams\": []\n}", []string{`2: unknown key "teams": the file holds "departments" and "people"`}},
		{"JSONUnknownField", "x.json", "{\"departments\": [\n{\"id\": \"D1\", \"name\": \"研发中心\", \"parent\": \"\"}\n]}", []string{`2: department: unknown field "parent" (a department has id, name, parent_id, order, create_dept_group, hide_dept, outer_dept)`}},
		{"JSONWrongType", "x.json", "{\"people\": [\n\n{\"userid\": \"u1\", \"name\": 7, \"mobile\": \"13800000001\"}]}", []string{"3: person: name must be text, not a number"}},
		{"JSONWrongIDType", "x.json", "{\"departments\": [{\"id\": true, \"name\": \"研发中心\"}]}", []string{"1: department: id must be text, not a boolean"}},
		{"JSONDeptIDsNotList", "x.json", "{\"departments\": [{\"id\": \"D1\", \"name\": \"研发中心\"}], \"people\": [\n{\"userid\": \"u1\", \"name\": \"张三\", \"mobile\": \"13800000001\", \"dept_ids\": \"D1\"}]}", []string{"2: person: dept_ids must be a list, not"}},
		{"JSONBadOrder", "x.json", "{\"departments\": [{\"id\": \"D1\", \"name\": \"研发中心\", \"order\": 1.5}]}", []string{"1: department: order must be a whole number, not 1.5"}},
		{"JSONNotAList", "x.json", "{\"departments\": {\"id\": \"D1\"}}", []string{`1: "departments" must be a list [...]`}},
		{"JSONElementNotObject", "x.json", "{\"departments\": [\"D1\"]}", []string{"1: department: want an object {...}"}},
		{"JSONTwice", "x.json", "{\"departments\": [],\n\"departments\": []}", []string{`2: "departments" appears twice`}},
		{"RowAndFileProblems", "x.csv", dh + "team,D1,研发中心,,,,,,,,\ndepartment,D2,销售-部,,x,,,,,,\n",
			[]string{`2: kind "team"`, `3: order "x" is not a whole number`, `3: department name "销售-部"`}},
		{"JSONObjectAndFileProblems", "x.json", "{\"departments\": [\n{\"id\": \"D1\", \"nam\": \"x\"},\n{\"id\": \"D2\", \"name\": \"a,b\"}]}",
			[]string{`2: department: unknown field "nam"`, `3: department name "a,b"`}},
		{"SeveralProblems", "x.csv", dh + "department,D1,研发-中心,,,,,,,,\nperson,,张三,,,u1,123,,,,D9\n",
			[]string{`2: department name "研发-中心"`, `3: mobile **** of "u1" is malformed`, `3: dept_ids of "u1": "D9"`}},
	} {
		t.Run(test.name, func(t *testing.T) {
			_, err := Parse(test.file, []byte(test.text))
			e, ok := IsInvalidFile(err)
			if !ok {
				t.Fatalf("Parse: %v, want problems %q", err, test.want)
			}
			var got []string
			for _, p := range e.Problems {
				got = append(got, p.String())
			}
			if len(got) != len(test.want) {
				t.Fatalf("problems %q, want %q", got, test.want)
			}
			for i, w := range test.want {
				if strings.HasPrefix(w, "the file") {
					if got[i] != w && !strings.HasPrefix(got[i], w) {
						t.Errorf("problem %d: %q, want %q", i, got[i], w)
					}
					continue
				}
				if !strings.HasPrefix(got[i], "line "+w) {
					t.Errorf("problem %d: %q, want it to start with %q", i, got[i], "line "+w)
				}
			}
			if !strings.Contains(err.Error(), "nothing was sent to DingTalk") {
				t.Errorf("error %q does not say that nothing was sent", err)
			}
			if strings.Contains(err.Error(), "13800000001") {
				t.Errorf("error %q shows a whole mobile number", err)
			}
		})
	}
}

// manyDepts returns a JSON file with n departments and one person in all of them.
func manyDepts(n int) string {
	var ds, ids []string
	for i := range n {
		ds = append(ds, fmt.Sprintf(`{"id":"D%d","name":"部门%d"}`, i, i))
		ids = append(ids, fmt.Sprintf(`"D%d"`, i))
	}
	return `{"departments":[` + strings.Join(ds, ",") + `],"people":[{"userid":"u1","name":"张三","mobile":"13800000001","dept_ids":[` + strings.Join(ids, ",") + `]}]}`
}

// TestParse_DocExamples parses the two examples of the package documentation (the README's),
// which must say the same thing.
func TestParse_DocExamples(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var csvText, jsonText strings.Builder
	var in *strings.Builder
	for _, line := range strings.Split(string(doc), "\n") {
		code, ok := strings.CutPrefix(line, "//\t")
		switch {
		case !ok:
			in = nil
		case strings.HasPrefix(code, "kind,"):
			in = &csvText
		case code == "{":
			in = &jsonText
		}
		if in != nil {
			in.WriteString(code + "\n")
		}
	}
	c := mustParse(t, "doc.csv", csvText.String())
	j := mustParse(t, "doc.json", jsonText.String())
	if len(c.Departments) != 3 || len(c.People) != 3 {
		t.Fatalf("the CSV example has %d departments and %d people", len(c.Departments), len(c.People))
	}
	// Every field, the lines aside.
	norm := func(f *File) *File {
		for i := range f.Departments {
			f.Departments[i].Line = 0
		}
		for i := range f.People {
			f.People[i].Line = 0
			slices.SortFunc(f.People[i].ExtAttrs, func(a, b Attr) int { return strings.Compare(a.Key, b.Key) })
		}
		f.Name = ""
		return f
	}
	if cn, jn := norm(c), norm(j); !reflect.DeepEqual(cn.Departments, jn.Departments) || !reflect.DeepEqual(cn.People, jn.People) {
		t.Errorf("the examples differ:\nCSV:  %+v\nJSON: %+v", cn, jn)
	}
	if p := c.People[0]; p.Manager != "wangzong" || p.HiredDate != "2021-03-08" || len(p.ExtAttrs) != 2 || p.Orders["D11"] != 10 {
		t.Errorf("the example's first person: %+v", p)
	}
}
