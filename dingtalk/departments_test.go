package dingtalk

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDepartmentsService_ListSub(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/department/listsub", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"dept_id":1,"language":"en_US"}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":[
			{"auto_add_user":true,"create_dept_group":true,"dept_id":37,"name":"Sales","parent_id":1},
			{"auto_add_user":false,"create_dept_group":false,"dept_id":"38","name":"R&D","parent_id":"1"}],
			"request_id":"5um7ykyaalsj"}`)
	})
	got, resp, err := env.client.Departments.ListSub(context.Background(), 1, LanguageEnglish)
	if err != nil {
		t.Fatal(err)
	}
	want := []Department{
		{ID: 37, Name: "Sales", ParentID: 1, CreateDeptGroup: true, AutoAddUser: true},
		{ID: 38, Name: "R&D", ParentID: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if resp.RequestID != "5um7ykyaalsj" {
		t.Errorf("request id %q", resp.RequestID)
	}
}

func TestDepartmentsService_ListSub_NoResult(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/department/listsub", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","request_id":"x"}`)
	})
	_, _, err := env.client.Departments.ListSub(context.Background(), 1, "")
	if err == nil || !strings.Contains(err.Error(), `it has no "result"`) {
		t.Fatalf("error %v, want a missing-result error", err)
	}
}

func TestDepartmentsService_ListSubIDs(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/department/listsubid", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"dept_id":1}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":{"dept_id_list":[37,"38",-1]},"request_id":"r"}`)
	})
	got, _, err := env.client.Departments.ListSubIDs(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{37, 38, -1}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDepartmentsService_Get(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/department/get", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"dept_id":37}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","request_id":"r","result":{
			"dept_id":37,"name":"Sales","parent_id":1,"source_identifier":"HR-37","order":10,"code":"S01",
			"dept_manager_userid_list":["manager1","manager2"],"member_count":12,"hide_dept":true,
			"dept_permits":[3,4],"user_permits":["u9"],"outer_dept":false,"outer_permit_depts":[],"outer_permit_users":[],
			"org_dept_owner":"manager1","dept_group_chat_id":"chat1","group_contain_sub_dept":true,
			"auto_add_user":true,"create_dept_group":true,"auto_approve_apply":false,"brief":"unknown fields are ignored"}}`)
	})
	got, _, err := env.client.Departments.Get(context.Background(), 37, "")
	if err != nil {
		t.Fatal(err)
	}
	want := &Department{
		ID: 37, Name: "Sales", ParentID: 1, SourceIdentifier: "HR-37", Order: 10, Code: "S01",
		ManagerUserIDs: FlexStrings{"manager1", "manager2"}, MemberCount: 12, HideDept: true,
		DeptPermits: []FlexInt{3, 4}, UserPermits: FlexStrings{"u9"}, OuterPermitDepts: []FlexInt{}, OuterPermitUsers: FlexStrings{},
		OrgDeptOwner: "manager1", DeptGroupChatID: "chat1", GroupContainSub: true, AutoAddUser: true, CreateDeptGroup: true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDepartmentsService_Create(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/department/create", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"name":"考勤组","parent_id":1,"order":3,"source_identifier":"HR-9","hide_dept":true,
			"dept_permits":"3,4","user_permits":"u1,u2","create_dept_group":true}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":{"dept_id":4519},"request_id":"r"}`)
	})
	id, _, err := env.client.Departments.Create(context.Background(), &NewDepartment{
		Name: "考勤组", ParentID: 1, Order: 3, SourceIdentifier: "HR-9", HideDept: true,
		DeptPermits: []int64{3, 4}, UserPermits: []string{"u1", "u2"}, CreateDeptGroup: true,
	})
	if err != nil || id != 4519 {
		t.Fatalf("got %d, %v", id, err)
	}
	if _, _, err := env.client.Departments.Create(context.Background(), &NewDepartment{Name: "x"}); !IsInvalidParam(err) {
		t.Errorf("no parent: error %v, want invalid", err)
	}
}

func TestDepartmentsService_Create_Conflict(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/department/create", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":60004,"errmsg":"父部门不存在","request_id":"r"}`)
	})
	_, _, err := env.client.Departments.Create(context.Background(), &NewDepartment{Name: "x", ParentID: 999})
	if err == nil || !strings.Contains(err.Error(), "errcode 60004: 父部门不存在") {
		t.Fatalf("error %v", err)
	}
}

func TestDepartmentsService_Update(t *testing.T) {
	t.Parallel()
	env := setup(t)
	var bodies []string
	env.handle("/topapi/v2/department/update", func(w http.ResponseWriter, r *http.Request) {
		if len(bodies) == 0 {
			testJSONBody(t, r, `{"dept_id":37,"name":"Sales East","hide_dept":false,"outer_dept":true,"order":0,"dept_manager_userid_list":"m1,m2"}`)
		} else {
			testJSONBody(t, r, `{"dept_id":37,"dept_manager_userid_list":"","force_update_fields":"dept_manager_userid_list"}`)
		}
		bodies = append(bodies, "x")
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","request_id":"r"}`)
	})
	name, hide, outer, order := "Sales East", false, true, int64(0)
	managers := []string{"m1", "m2"}
	if _, err := env.client.Departments.Update(context.Background(), &DepartmentUpdate{
		ID: 37, Name: &name, HideDept: &hide, OuterDept: &outer, Order: &order, ManagerUserIDs: &managers,
	}); err != nil {
		t.Fatal(err)
	}
	none := []string{}
	if _, err := env.client.Departments.Update(context.Background(), &DepartmentUpdate{ID: 37, ManagerUserIDs: &none}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.client.Departments.Update(context.Background(), &DepartmentUpdate{}); !IsInvalidParam(err) {
		t.Errorf("no id: error %v, want invalid", err)
	}
}

func TestDepartmentsService_Delete(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/department/delete", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"dept_id":37}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","request_id":"r"}`)
	})
	if _, err := env.client.Departments.Delete(context.Background(), 37); err != nil {
		t.Fatal(err)
	}
}

func TestDepartmentsService_Walk(t *testing.T) {
	t.Parallel()
	env := setup(t)
	// 1 -> 2, 3, -1 (a home-school node); 2 -> 4; 3 -> 1 and 2 again (a cycle); 4 -> nothing.
	children := map[string]string{
		"1": `[{"dept_id":2,"name":"A","parent_id":1},{"dept_id":3,"name":"B","parent_id":1},{"dept_id":-1,"name":"家校","parent_id":1}]`,
		"2": `[{"dept_id":4,"name":"A1","parent_id":2}]`,
		"3": `[{"dept_id":1,"name":"root again","parent_id":3},{"dept_id":2,"name":"A","parent_id":3}]`,
		"4": `[]`,
	}
	var asked []string
	env.handle("/topapi/v2/department/listsub", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			DeptID int64 `json:"dept_id"`
		}
		if err := jsonDecode(r, &body); err != nil {
			t.Error(err)
		}
		id := fmt.Sprint(body.DeptID)
		asked = append(asked, id)
		if len(asked) > 10 {
			t.Error("listsub called more than 10 times: the walk loops")
			fmt.Fprint(w, `{"errcode":60003,"errmsg":"stop"}`)
			return
		}
		list, ok := children[id]
		if !ok {
			t.Errorf("listsub asked for department %s", id)
			fmt.Fprint(w, `{"errcode":60003,"errmsg":"部门不存在"}`)
			return
		}
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","result":%s}`, list)
	})
	var names []string
	for d, err := range env.client.Departments.Walk(context.Background(), 1, "") {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, fmt.Sprintf("%d:%s", d.ID, d.Name))
	}
	if diff := cmp.Diff([]string{"2:A", "3:B", "4:A1"}, names); diff != "" {
		t.Errorf("departments (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1", "2", "3", "4"}, asked); diff != "" {
		t.Errorf("listsub calls (-want +got):\n%s", diff)
	}
}

func TestDepartmentsService_Walk_StopsAtError(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/department/listsub", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":50004,"errmsg":"部门不在授权范围内","request_id":"r"}`)
	})
	var n int
	var last error
	for _, err := range env.client.Departments.Walk(context.Background(), 1, "") {
		n++
		last = err
	}
	if n != 1 || last == nil || !strings.Contains(last.Error(), "outside the app's contact scope") {
		t.Fatalf("%d yields, last error %v", n, last)
	}
}
