package dingtalksim

import (
	"slices"
	"strings"
	"testing"
)

func TestDepartmentReads(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{NegativeDept: true})
	truth := s.Truth()

	var subs []struct {
		DeptID   int64  `json:"dept_id"`
		Name     string `json:"name"`
		ParentID int64  `json:"parent_id"`
	}
	s.ok("/topapi/v2/department/listsub", `{"dept_id":1}`, &struct {
		Result *[]struct {
			DeptID   int64  `json:"dept_id"`
			Name     string `json:"name"`
			ParentID int64  `json:"parent_id"`
		} `json:"result"`
	}{&subs})
	if len(subs) < 4 || subs[0].DeptID != -1 || subs[0].Name != "家校通讯录" {
		t.Fatalf("root's listsub with NegativeDept: %+v", subs)
	}
	// Walk the tree with listsubid and compare with the truth.
	seen := []int64{1}
	for i := 0; i < len(seen); i++ {
		var r struct {
			Result struct {
				DeptIDList []int64 `json:"dept_id_list"`
			} `json:"result"`
		}
		s.ok("/topapi/v2/department/listsubid", `{"dept_id":`+itoa(int(seen[i]))+`}`, &r)
		for _, id := range r.Result.DeptIDList {
			if id > 0 {
				seen = append(seen, id)
			}
		}
	}
	slices.Sort(seen)
	var want []int64
	for _, d := range truth.Departments() {
		want = append(want, d.ID)
	}
	if !slices.Equal(seen, want) {
		t.Errorf("walked %v, truth %v", seen, want)
	}
	wantErr(t, s.post("/topapi/v2/department/get", `{"dept_id":-1}`), 60003, "部门不存在")
	wantErr(t, s.post("/topapi/v2/department/listsub", `{"dept_id":-1}`), 60003, "部门不存在")

	var root map[string]any
	s.ok("/topapi/v2/department/get", `{"dept_id":1}`, &struct {
		Result *map[string]any `json:"result"`
	}{&root})
	if _, has := root["parent_id"]; has || root["name"] != s.Config().CompanyName {
		t.Errorf("root: %v", root)
	}
	d := truth.Departments()[3]
	var got struct {
		Result struct {
			DeptID      int64    `json:"dept_id"`
			Name        string   `json:"name"`
			ParentID    int64    `json:"parent_id"`
			MemberCount int      `json:"member_count"`
			Managers    []string `json:"dept_manager_userid_list"`
		} `json:"result"`
	}
	s.ok("/topapi/v2/department/get", `{"dept_id":`+itoa(int(d.ID))+`}`, &got)
	if r := got.Result; r.DeptID != d.ID || r.Name != d.Name || r.ParentID != d.ParentID || r.MemberCount != len(d.Members) || !slices.Equal(r.Managers, d.Managers) {
		t.Errorf("get %d: %+v, truth %+v", d.ID, r, d)
	}
}

// listAll pages through a department's users the documented way.
func listAll(t *testing.T, s *sim, path string, dept int64, size int) []string {
	t.Helper()
	var ids []string
	cursor := 0
	for calls := 0; ; calls++ {
		if calls > 100 {
			t.Fatal("paging does not end")
		}
		var r struct {
			Result struct {
				HasMore    bool `json:"has_more"`
				NextCursor *int `json:"next_cursor"`
				List       []struct {
					UserID string `json:"userid"`
				} `json:"list"`
			} `json:"result"`
		}
		s.ok(path, `{"dept_id":`+itoa(int(dept))+`,"cursor":`+itoa(cursor)+`,"size":`+itoa(size)+`}`, &r)
		for _, u := range r.Result.List {
			ids = append(ids, u.UserID)
		}
		if !r.Result.HasMore {
			if r.Result.NextCursor != nil {
				t.Errorf("next_cursor without has_more")
			}
			return ids
		}
		if r.Result.NextCursor == nil || *r.Result.NextCursor <= cursor {
			t.Fatalf("has_more with next_cursor %v after %d", r.Result.NextCursor, cursor)
		}
		cursor = *r.Result.NextCursor
	}
}

func TestUserPaging(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	var big Department
	for _, d := range s.Truth().Departments() {
		if len(d.Members) > len(big.Members) {
			big = d
		}
	}
	if len(big.Members) <= 100 {
		t.Fatalf("largest department has %d members", len(big.Members))
	}
	for _, path := range []string{"/topapi/v2/user/list", "/topapi/user/listsimple"} {
		if got := listAll(t, s, path, big.ID, 100); !slices.Equal(got, big.Members) {
			t.Errorf("%s: %d users, want %d in order", path, len(got), len(big.Members))
		}
		if got := listAll(t, s, path, big.ID, 7); !slices.Equal(got, big.Members) {
			t.Errorf("%s size 7: %d users", path, len(got))
		}
	}
	var r struct {
		Result struct {
			UseridList []string `json:"userid_list"`
		} `json:"result"`
	}
	s.ok("/topapi/user/listid", `{"dept_id":`+itoa(int(big.ID))+`}`, &r)
	if !slices.Equal(r.Result.UseridList, big.Members) {
		t.Errorf("listid: %d users", len(r.Result.UseridList))
	}
	wantErr(t, s.post("/topapi/v2/user/list", `{"dept_id":12345,"cursor":0,"size":10}`), 60003, "")

	// entry_desc reverses entry_asc.
	asc := s.ok("/topapi/user/listsimple", `{"dept_id":`+itoa(int(big.ID))+`,"cursor":0,"size":100,"order_field":"entry_asc"}`, nil)
	desc := s.ok("/topapi/user/listsimple", `{"dept_id":`+itoa(int(big.ID))+`,"cursor":0,"size":100,"order_field":"entry_desc"}`, nil)
	if asc == desc {
		t.Error("order_field has no effect")
	}
}

func TestUserReads(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	var two User
	for _, u := range s.Truth().Users() {
		if len(u.DeptIDs) == 2 {
			two = u
			break
		}
	}
	if two.UserID == "" {
		t.Fatal("nobody is in two departments")
	}
	for _, d := range two.DeptIDs {
		if !slices.Contains(listAll(t, s, "/topapi/user/listsimple", d, 100), two.UserID) {
			t.Errorf("%s missing from department %d", two.UserID, d)
		}
	}
	var got struct {
		Result struct {
			UserID     string  `json:"userid"`
			Name       string  `json:"name"`
			Mobile     string  `json:"mobile"`
			JobNumber  string  `json:"job_number"`
			Title      string  `json:"title"`
			HiredDate  int64   `json:"hired_date"`
			DeptIDList []int64 `json:"dept_id_list"`
		} `json:"result"`
	}
	s.ok("/topapi/v2/user/get", `{"userid":"`+two.UserID+`"}`, &got)
	if r := got.Result; r.UserID != two.UserID || r.Name != two.Name || r.Mobile != two.Mobile || r.JobNumber != two.JobNumber ||
		r.Title != two.Title || r.HiredDate != two.HiredDate || !slices.Equal(r.DeptIDList, two.DeptIDs) {
		t.Errorf("get: %+v, truth %+v", r, two)
	}
	wantErr(t, s.post("/topapi/v2/user/get", `{"userid":"nobody"}`), 33012, "")
	var m struct {
		Result struct {
			UserID string `json:"userid"`
		} `json:"result"`
	}
	s.ok("/topapi/v2/user/getbymobile", `{"mobile":"`+two.Mobile+`"}`, &m)
	if m.Result.UserID != two.UserID {
		t.Errorf("getbymobile: %+v", m)
	}
	wantErr(t, s.post("/topapi/v2/user/getbymobile", `{"mobile":"13000000000"}`), 60121, "")
}

func TestDepartmentWriteRules(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	truth := s.Truth()
	var withMembers Department
	for _, d := range truth.Departments() {
		if d.ID != 1 && len(d.Members) > 0 && withMembers.ID == 0 {
			withMembers = d
		}
	}
	create := func(body string) (int64, string) {
		b := s.post("/topapi/v2/department/create", body)
		var r struct {
			Result struct {
				DeptID int64 `json:"dept_id"`
			} `json:"result"`
		}
		decode(t, b, &r)
		return r.Result.DeptID, b
	}

	wantErr(t, s.post("/topapi/v2/department/create", `{"name":"","parent_id":1}`), 40035, "name")
	wantErr(t, s.post("/topapi/v2/department/create", `{"name":"`+strings.Repeat("部", 65)+`","parent_id":1}`), 60001, "")
	for _, bad := range []string{"研发-二部", "研发,二部", "研发，二部"} {
		wantErr(t, s.post("/topapi/v2/department/create", `{"name":"`+bad+`","parent_id":1}`), 60009, "")
	}
	wantErr(t, s.post("/topapi/v2/department/create", `{"name":"新部门","parent_id":777}`), 60004, "")
	first := truth.Departments()[1]
	wantErr(t, s.post("/topapi/v2/department/create", `{"name":"`+first.Name+`","parent_id":`+itoa(int(first.ParentID))+`}`), 60021, "")

	id, b := create(`{"name":"创新实验室","parent_id":1,"source_identifier":"HR-0042","order":5}`)
	if id <= 1 {
		t.Fatalf("create: %s", b)
	}
	child, _ := create(`{"name":"一组","parent_id":` + itoa(int(id)) + `}`)
	var got struct {
		Result struct {
			SourceIdentifier string `json:"source_identifier"`
			ParentID         int64  `json:"parent_id"`
			Order            int64  `json:"order"`
		} `json:"result"`
	}
	s.ok("/topapi/v2/department/get", `{"dept_id":`+itoa(int(id))+`}`, &got)
	if got.Result.SourceIdentifier != "HR-0042" || got.Result.ParentID != 1 || got.Result.Order != 5 {
		t.Errorf("created department: %+v", got.Result)
	}

	wantErr(t, s.post("/topapi/v2/department/update", `{"dept_id":1,"name":"新名字"}`), 60018, "")
	wantErr(t, s.post("/topapi/v2/department/update", `{"dept_id":`+itoa(int(id))+`,"parent_id":`+itoa(int(child))+`}`), 60010, "")
	wantErr(t, s.post("/topapi/v2/department/update", `{"dept_id":`+itoa(int(id))+`,"parent_id":`+itoa(int(id))+`}`), 60010, "")
	wantErr(t, s.post("/topapi/v2/department/update", `{"dept_id":424242,"name":"x"}`), 60003, "")
	wantErr(t, s.post("/topapi/v2/department/update", `{"dept_id":`+itoa(int(id))+`,"parent_id":424242}`), 60004, "")
	s.ok("/topapi/v2/department/update", `{"dept_id":`+itoa(int(id))+`,"parent_id":`+itoa(int(withMembers.ID))+`,"name":"创新实验室二","source_identifier":"HR-0043"}`, nil)
	if d, _ := truth.Department(id); d.ParentID != withMembers.ID || d.Name != "创新实验室二" || d.SourceIdentifier != "HR-0043" {
		t.Errorf("after update: %+v", d)
	}
	wantErr(t, s.post("/topapi/v2/department/update", `{"dept_id":`+itoa(int(withMembers.ID))+`,"dept_manager_userid_list":"nobody"}`), 40031, "")

	wantErr(t, s.post("/topapi/v2/department/delete", `{"dept_id":1}`), 60007, "")
	wantErr(t, s.post("/topapi/v2/department/delete", `{"dept_id":`+itoa(int(withMembers.ID))+`}`), 60005, "")
	// A department whose subtree holds someone cannot go either.
	u, err := s.AddUser(NewUser{DeptIDs: []int64{child}})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.post("/topapi/v2/department/delete", `{"dept_id":`+itoa(int(id))+`}`), 60005, "")
	if err := s.RemoveUser(u.UserID); err != nil {
		t.Fatal(err)
	}
	s.ok("/topapi/v2/department/delete", `{"dept_id":`+itoa(int(id))+`}`, nil)
	if _, ok := truth.Department(child); ok {
		t.Error("the empty sub-department survived its parent")
	}
	wantErr(t, s.post("/topapi/v2/department/get", `{"dept_id":`+itoa(int(id))+`}`), 60003, "")
}

func TestUserWriteRules(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	truth := s.Truth()
	someone := truth.Users()[5]
	dept := truth.Departments()[2].ID
	d := itoa(int(dept))

	wantErr(t, s.post("/topapi/v2/user/create", `{"name":"新人","mobile":"`+someone.Mobile+`","dept_id_list":"`+d+`"}`), 60104, "")
	wantErr(t, s.post("/topapi/v2/user/create", `{"name":"新人","mobile":"12345","dept_id_list":"`+d+`"}`), 60103, "")
	wantErr(t, s.post("/topapi/v2/user/create", `{"name":"新人","mobile":"13911112222","dept_id_list":"`+d+`","userid":"`+someone.UserID+`"}`), 60102, "")
	wantErr(t, s.post("/topapi/v2/user/create", `{"name":"新人","mobile":"13911112222","dept_id_list":"999"}`), 60003, "")
	wantErr(t, s.post("/topapi/v2/user/create", `{"name":"新人","mobile":"13911112222"}`), 40035, "dept_id_list")
	wantErr(t, s.post("/topapi/v2/user/create", `{"name":"新人","mobile":"13911112222","dept_id_list":[`+d+`]}`), 40035, "dept_id_list")

	var created struct {
		Result struct {
			UserID  string `json:"userid"`
			UnionID string `json:"unionId"`
		} `json:"result"`
	}
	s.ok("/topapi/v2/user/create", `{"name":"新人","mobile":"13911112222","dept_id_list":"`+d+`","userid":"hr-0001","job_number":"A1","title":"实习生"}`, &created)
	if created.Result.UserID != "hr-0001" || created.Result.UnionID == "" {
		t.Fatalf("create: %+v", created)
	}
	if u, _ := truth.User("hr-0001"); u.Name != "新人" || u.Title != "实习生" || !slices.Equal(u.DeptIDs, []int64{dept}) || u.Since != "2026-11-19" {
		t.Errorf("created user: %+v", u)
	}
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-0001","mobile":"13911113333"}`), 41054, "")
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"nobody","name":"x"}`), 60121, "")
	s.ok("/topapi/v2/user/update", `{"userid":"hr-0001","mobile":"13911112222","title":"工程师","dept_id_list":"1,`+d+`"}`, nil)
	if u, _ := truth.User("hr-0001"); u.Title != "工程师" || !slices.Equal(u.DeptIDs, []int64{1, dept}) {
		t.Errorf("updated user: %+v", u)
	}
	if !slices.Contains(listAll(t, s, "/topapi/user/listsimple", 1, 100), "hr-0001") {
		t.Error("not listed in the department added by update")
	}
	s.ok("/topapi/v2/user/delete", `{"userid":"hr-0001"}`, nil)
	wantErr(t, s.post("/topapi/v2/user/delete", `{"userid":"hr-0001"}`), 60121, "")
	wantErr(t, s.post("/topapi/v2/user/get", `{"userid":"hr-0001"}`), 33012, "")
	if slices.Contains(listAll(t, s, "/topapi/user/listsimple", dept, 100), "hr-0001") {
		t.Error("a deleted user is still listed")
	}
	// The mobile is free again once its owner is gone.
	s.ok("/topapi/v2/user/create", `{"name":"又一位","mobile":"13911112222","dept_id_list":"`+d+`"}`, nil)
}
