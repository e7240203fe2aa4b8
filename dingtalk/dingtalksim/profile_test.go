package dingtalksim

import (
	"encoding/json"
	"maps"
	"testing"
)

// userDetail is what v2/user/get answers about the fields an org push sets.
type userDetail struct {
	UserID        string `json:"userid"`
	Telephone     string `json:"telephone"`
	OrgEmail      string `json:"org_email"`
	WorkPlace     string `json:"work_place"`
	Remark        string `json:"remark"`
	HideMobile    bool   `json:"hide_mobile"`
	Senior        bool   `json:"senior"`
	Extension     string `json:"extension"`
	HiredDate     int64  `json:"hired_date"`
	ManagerUserID string `json:"manager_userid"`
	DeptOrderList []struct {
		DeptID int64 `json:"dept_id"`
		Order  int64 `json:"order"`
	} `json:"dept_order_list"`
}

func (s *sim) userDetail(t *testing.T, userid string) userDetail {
	t.Helper()
	var r struct {
		Result userDetail `json:"result"`
	}
	s.ok("/topapi/v2/user/get", `{"userid":"`+userid+`"}`, &r)
	return r.Result
}

func (d userDetail) orders() map[int64]int64 {
	m := map[int64]int64{}
	for _, o := range d.DeptOrderList {
		m[o.DeptID] = o.Order
	}
	return m
}

func extAttrs(t *testing.T, ext string) map[string]string {
	t.Helper()
	if ext == "" {
		return map[string]string{}
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(ext), &m); err != nil {
		t.Fatalf("extension %q: %v", ext, err)
	}
	return m
}

// TestUserProfileFields: the fields beyond name, mobile and departments are stored by create
// and update, returned by v2/user/get and v2/user/list, and held to DingTalk's rules.
func TestUserProfileFields(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	depts := s.Truth().Departments()
	a, b := itoa(int(depts[2].ID)), itoa(int(depts[3].ID))
	s.ok("/topapi/v2/user/create", `{"userid":"boss-1","name":"甲","mobile":"13911110001","dept_id_list":"`+a+`"}`, nil)
	s.ok("/topapi/v2/user/create", `{"userid":"hr-1","name":"乙","mobile":"13911110002","dept_id_list":"`+a+`,`+b+`",
		"telephone":"010-86123456-2345","org_email":"yi@corp.example","work_place":"未来park","remark":"备注",
		"hide_mobile":true,"senior_mode":true,"extension":"{\"工位\":\"A-301\",\"爱好\":\"旅游\"}","hired_date":1597573616828,
		"manager_userid":"boss-1","dept_order_list":[{"dept_id":`+a+`,"order":7}]}`, nil)
	got := s.userDetail(t, "hr-1")
	if got.Telephone != "010-86123456-2345" || got.OrgEmail != "yi@corp.example" || got.WorkPlace != "未来park" || got.Remark != "备注" ||
		!got.HideMobile || !got.Senior || got.HiredDate != 1597573616828 || got.ManagerUserID != "boss-1" {
		t.Errorf("created: %+v", got)
	}
	if m := extAttrs(t, got.Extension); !maps.Equal(m, map[string]string{"工位": "A-301", "爱好": "旅游"}) {
		t.Errorf("extension %v", m)
	}
	if o := got.orders(); o[depts[2].ID] != 7 || o[depts[3].ID] == 0 {
		t.Errorf("orders %v: want 7 in %s and a default in the other", o, a)
	}
	var list struct {
		Result struct {
			List []struct {
				UserID     string `json:"userid"`
				HideMobile bool   `json:"hide_mobile"`
				Telephone  string `json:"telephone"`
				Extension  string `json:"extension"`
				DeptOrder  int64  `json:"dept_order"`
			} `json:"list"`
		} `json:"result"`
	}
	s.ok("/topapi/v2/user/list", `{"dept_id":`+a+`,"cursor":0,"size":100}`, &list)
	found := false
	for _, u := range list.Result.List {
		if u.UserID == "hr-1" {
			found = true
			if !u.HideMobile || u.Telephone != "010-86123456-2345" || u.DeptOrder != 7 || u.Extension != got.Extension {
				t.Errorf("listed: %+v", u)
			}
		}
	}
	if !found {
		t.Fatal("hr-1 is not listed")
	}

	// Update: each field both ways; an append keeps the attributes not named.
	s.ok("/topapi/v2/user/update", `{"userid":"hr-1","telephone":"","org_email":"","work_place":"","remark":"",
		"hide_mobile":false,"senior_mode":false,"extension":"{\"工位\":\"B-201\"}","ext_attrs_update_mode":1,
		"hired_date":1600000000000,"dept_order_list":[{"dept_id":`+b+`,"order":3}]}`, nil)
	got = s.userDetail(t, "hr-1")
	if got.Telephone != "" || got.OrgEmail != "" || got.WorkPlace != "" || got.Remark != "" || got.HideMobile || got.Senior ||
		got.HiredDate != 1600000000000 || got.ManagerUserID != "boss-1" {
		t.Errorf("updated: %+v", got)
	}
	if m := extAttrs(t, got.Extension); !maps.Equal(m, map[string]string{"工位": "B-201", "爱好": "旅游"}) {
		t.Errorf("extension after an append: %v", m)
	}
	if o := got.orders(); o[depts[2].ID] != 7 || o[depts[3].ID] != 3 {
		t.Errorf("orders after update %v", o)
	}
	s.ok("/topapi/v2/user/update", `{"userid":"hr-1","extension":"{\"工位\":\"C-1\"}"}`, nil)
	if m := extAttrs(t, s.userDetail(t, "hr-1").Extension); !maps.Equal(m, map[string]string{"工位": "C-1"}) {
		t.Errorf("extension after an overwrite: %v", m)
	}
	s.ok("/topapi/v2/user/update", `{"userid":"hr-1","extension":"{}"}`, nil)
	if ext := s.userDetail(t, "hr-1").Extension; ext != "" {
		t.Errorf("extension after {}: %q", ext)
	}
	// Leaving a department takes its order along.
	s.ok("/topapi/v2/user/update", `{"userid":"hr-1","dept_id_list":"`+b+`"}`, nil)
	if o := s.userDetail(t, "hr-1").orders(); len(o) != 1 || o[depts[3].ID] != 3 {
		t.Errorf("orders after leaving %s: %v", a, o)
	}

	// Managers: an empty manager_userid is ignored unless forced; then it clears.
	s.ok("/topapi/v2/user/update", `{"userid":"hr-1","manager_userid":""}`, nil)
	if m := s.userDetail(t, "hr-1").ManagerUserID; m != "boss-1" {
		t.Errorf("manager after an empty manager_userid: %q", m)
	}
	s.ok("/topapi/v2/user/update", `{"userid":"hr-1","manager_userid":"","force_update_fields":"manager_userid"}`, nil)
	if m := s.userDetail(t, "hr-1").ManagerUserID; m != "" {
		t.Errorf("manager after force_update_fields: %q", m)
	}
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-1","manager_userid":"nobody"}`), 60128, "")
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-1","manager_userid":"hr-1"}`), 60128, "")
	s.ok("/topapi/v2/user/update", `{"userid":"hr-1","manager_userid":"boss-1"}`, nil)
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"boss-1","manager_userid":"hr-1"}`), 60128, "")
	wantErr(t, s.post("/topapi/v2/user/create", `{"name":"丙","mobile":"13911110003","dept_id_list":"`+a+`","manager_userid":"nobody"}`), 60128, "")
	// A manager who leaves leaves nobody pointing at them.
	s.ok("/topapi/v2/user/delete", `{"userid":"boss-1"}`, nil)
	if m := s.userDetail(t, "hr-1").ManagerUserID; m != "" {
		t.Errorf("manager after the manager left: %q", m)
	}

	// The rest of the rules.
	s.ok("/topapi/v2/user/create", `{"userid":"hr-2","name":"丁","mobile":"13911110004","dept_id_list":"`+a+`","telephone":"8801"}`, nil)
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-1","telephone":"8801"}`), 400002, "分机号")
	wantErr(t, s.post("/topapi/v2/user/create", `{"name":"戊","mobile":"13911110005","dept_id_list":"`+a+`","telephone":"8801"}`), 400002, "分机号")
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-1","extension":"{\"工位\":"}`), 60122, "")
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-1","extension":"[1,2]"}`), 60122, "")
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-1","extension":"{\"x\":\"`+repeat("长", 2000)+`\"}"}`), 60122, "")
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-1","work_place":"`+repeat("地", 101)+`"}`), 400002, "work_place")
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-1","remark":"`+repeat("备", 2001)+`"}`), 400002, "remark")
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-1","org_email":"not-an-email"}`), 60105, "")
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-1","dept_order_list":[{"dept_id":`+a+`,"order":1}]}`), 40035, "dept_order_list")
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-1","dept_order_list":[{"dept_id":`+b+`,"order":-1}]}`), 40011, "")
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-1","hired_date":"2020-01-01"}`), 40035, "hired_date")
}

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for range n {
		out = append(out, s...)
	}
	return string(out)
}

// TestDepartmentFlags: hide_dept, outer_dept and create_dept_group are stored by create and
// update and returned by department get (the permit lists only with their flag), and a
// department's group chat is not dissolved by create_dept_group false.
func TestDepartmentFlags(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	var created struct {
		Result struct {
			DeptID int64 `json:"dept_id"`
		} `json:"result"`
	}
	s.ok("/topapi/v2/department/create", `{"name":"保密项目","parent_id":1,"hide_dept":true,"outer_dept":true,"create_dept_group":false}`, &created)
	id := itoa(int(created.Result.DeptID))
	get := func() map[string]any {
		var r struct {
			Result map[string]any `json:"result"`
		}
		s.ok("/topapi/v2/department/get", `{"dept_id":`+id+`}`, &r)
		return r.Result
	}
	d := get()
	if d["hide_dept"] != true || d["outer_dept"] != true || d["create_dept_group"] != false || d["dept_group_chat_id"] != nil {
		t.Errorf("created: %v", d)
	}
	for _, k := range []string{"dept_permits", "user_permits", "outer_permit_depts", "outer_permit_users"} {
		if _, ok := d[k]; !ok {
			t.Errorf("%s missing while its flag is set: %v", k, d)
		}
	}
	s.ok("/topapi/v2/department/update", `{"dept_id":`+id+`,"hide_dept":false,"outer_dept":false,"create_dept_group":true}`, nil)
	d = get()
	if d["hide_dept"] != false || d["outer_dept"] != false || d["create_dept_group"] != true || d["dept_group_chat_id"] == nil {
		t.Errorf("updated: %v", d)
	}
	for _, k := range []string{"dept_permits", "user_permits", "outer_permit_depts", "outer_permit_users"} {
		if _, ok := d[k]; ok {
			t.Errorf("%s returned while its flag is off: %v", k, d)
		}
	}
	s.ok("/topapi/v2/department/update", `{"dept_id":`+id+`,"create_dept_group":false}`, nil)
	if d := get(); d["create_dept_group"] != true {
		t.Errorf("create_dept_group false dissolved the group: %v", d)
	}
	if d, _ := s.Truth().Department(created.Result.DeptID); !d.CreateDeptGroup || d.HideDept || d.OuterDept {
		t.Errorf("truth: %+v", d)
	}
}
