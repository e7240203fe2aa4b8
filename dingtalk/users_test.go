package dingtalk

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUsersService_ListSimple(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/user/listsimple", func(w http.ResponseWriter, r *http.Request) {
		// cursor 0 and size are required: sent even when zero.
		testJSONBody(t, r, `{"dept_id":1,"cursor":0,"size":100}`)
		// The reference's sample answer.
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","request_id":"...","result":{"has_more":true,"next_cursor":100,"list":[{"userid":"u1","name":"张三"}]}}`)
	})
	got, resp, err := env.client.Users.ListSimple(context.Background(), 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]SimpleUser{{UserID: "u1", Name: "张三"}}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !resp.HasMore || resp.NextCursor != 100 {
		t.Errorf("paging %+v, want has_more and next cursor 100", resp)
	}
}

func TestUsersService_List(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/user/list", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"dept_id":37,"cursor":100,"size":50,"order_field":"entry_asc","contain_access_limit":true,"language":"zh_CN"}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","request_id":"r","result":{"has_more":false,"next_cursor":0,"list":[
			{"userid":"zhangsan","unionid":"z21HjQliSzpw0YWCNxmii6u2Os62cZ62iSZ","name":"张三","avatar":"xxx","state_code":"86",
			 "mobile":"18513027676","hide_mobile":false,"telephone":"010-86123456-2345","job_number":"4","title":"技术总监",
			 "email":"test@xxx.com","org_email":"test@xxx.com","work_place":"未来park","remark":"备注备注",
			 "dept_id_list":[2,3,4],"dept_order":1,"extension":"{\"爱好\":\"旅游\",\"年龄\":\"24\"}","hired_date":1597573616828,
			 "active":true,"admin":true,"boss":false,"leader":true,"exclusive_account":false}]}}`)
	})
	got, resp, err := env.client.Users.List(context.Background(), 37, &ListUsersOptions{
		Cursor: 100, Size: 50, OrderField: "entry_asc", ContainAccessLimit: true, Language: LanguageChinese,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []User{{
		UserID: "zhangsan", UnionID: "z21HjQliSzpw0YWCNxmii6u2Os62cZ62iSZ", Name: "张三", Avatar: "xxx", StateCode: "86",
		Mobile: "18513027676", Telephone: "010-86123456-2345", JobNumber: "4", Title: "技术总监",
		Email: "test@xxx.com", OrgEmail: "test@xxx.com", WorkPlace: "未来park", Remark: "备注备注",
		DeptIDList: []FlexInt{2, 3, 4}, DeptOrder: 1, Extension: `{"爱好":"旅游","年龄":"24"}`, HiredDate: 1597573616828,
		Active: true, Admin: true, Leader: true,
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if resp.HasMore {
		t.Error("has_more")
	}
}

func TestUsersService_List_BadOptions(t *testing.T) {
	t.Parallel()
	env := setup(t)
	for _, o := range []*ListUsersOptions{{Size: 101}, {Size: -1}, {Cursor: -5}} {
		if _, _, err := env.client.Users.List(context.Background(), 1, o); !IsInvalidParam(err) {
			t.Errorf("%+v: error %v, want invalid", o, err)
		}
	}
}

func TestUsersService_ListIDs(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/user/listid", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"dept_id":37}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":{"userid_list":["u1","u2"]},"request_id":"r"}`)
	})
	got, _, err := env.client.Users.ListIDs(context.Background(), 37)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"u1", "u2"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestUsersService_Get(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/user/get", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"userid":"zhangsan","language":"zh_CN"}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","request_id":"4e7exhl6pm0t","result":{
			"userid":"zhangsan","unionid":"z21","name":"张三","manager_userid":"manager240","real_authed":true,"senior":true,
			"dept_id_list":[2],"dept_order_list":[{"dept_id":2,"order":1}],"leader_in_dept":[{"dept_id":2,"leader":true}],
			"role_list":[{"id":100,"name":"总监","group_name":"职务"}],"active":true,
			"union_emp_ext":{"userid":"500","corp_id":"dingxxx"}}}`)
	})
	got, _, err := env.client.Users.Get(context.Background(), "zhangsan", LanguageChinese)
	if err != nil {
		t.Fatal(err)
	}
	want := &User{
		UserID: "zhangsan", UnionID: "z21", Name: "张三", ManagerUserID: "manager240", RealAuthed: true, Senior: true,
		DeptIDList: []FlexInt{2}, DeptOrderList: []DeptOrder{{DeptID: 2, Order: 1}}, LeaderInDept: []LeaderInDept{{DeptID: 2, Leader: true}},
		RoleList: []Role{{ID: 100, Name: "总监", GroupName: "职务"}}, Active: true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestUsersService_GetByMobile(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/user/getbymobile", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"mobile":"18513027676"}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":{"userid":"zhangsan"},"request_id":"r"}`)
	})
	got, _, err := env.client.Users.GetByMobile(context.Background(), "18513027676")
	if err != nil || got != "zhangsan" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestUsersService_GetByMobile_NotFound(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/user/getbymobile", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":60121,"errmsg":"找不到该用户","request_id":"r"}`)
	})
	_, _, err := env.client.Users.GetByMobile(context.Background(), "1")
	if err == nil || !strings.Contains(err.Error(), "errcode 60121") {
		t.Fatalf("error %v", err)
	}
}

func TestUsersService_Create(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/user/create", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"name":"李四","mobile":"+852-12345678","dept_id_list":"2,3","userid":"lisi","title":"工程师",
			"dept_order_list":[{"dept_id":2,"order":5}],"hired_date":1597573616828,"manager_userid":"zhangsan"}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":{"userid":"lisi","unionId":"u-lisi"},"request_id":"r"}`)
	})
	got, _, err := env.client.Users.Create(context.Background(), &NewUser{
		UserID: "lisi", Name: "李四", Mobile: "+852-12345678", DeptIDs: []int64{2, 3}, Title: "工程师",
		DeptOrders: []DeptOrderEntry{{DeptID: 2, Order: 5}}, HiredDate: 1597573616828, ManagerUserID: "zhangsan",
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&CreatedUser{UserID: "lisi", UnionID: "u-lisi"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, _, err := env.client.Users.Create(context.Background(), &NewUser{Name: "x"}); !IsInvalidParam(err) {
		t.Errorf("no mobile: error %v, want invalid", err)
	}
}

func TestUsersService_Update(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/user/update", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"userid":"lisi","title":"","dept_id_list":"4","manager_userid":"","force_update_fields":"manager_userid"}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","request_id":"r"}`)
	})
	title, manager, depts := "", "", []int64{4}
	if _, err := env.client.Users.Update(context.Background(), &UserUpdate{UserID: "lisi", Title: &title, ManagerUserID: &manager, DeptIDs: &depts}); err != nil {
		t.Fatal(err)
	}
}

func TestUsersService_Delete(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/v2/user/delete", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"userid":"lisi"}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","request_id":"r"}`)
	})
	if _, err := env.client.Users.Delete(context.Background(), "lisi"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.client.Users.Delete(context.Background(), ""); !IsInvalidParam(err) {
		t.Errorf("error %v, want invalid", err)
	}
}

func TestUsersService_All_Pages(t *testing.T) {
	t.Parallel()
	env := setup(t)
	var cursors []int64
	env.handle("/topapi/v2/user/list", func(w http.ResponseWriter, r *http.Request) {
		var body listUsersBody
		if err := jsonDecode(r, &body); err != nil {
			t.Error(err)
		}
		cursors = append(cursors, body.Cursor)
		switch body.Cursor {
		case 0:
			fmt.Fprint(w, `{"errcode":0,"result":{"has_more":true,"next_cursor":100,"list":[{"userid":"a"},{"userid":"b"}]}}`)
		case 100:
			fmt.Fprint(w, `{"errcode":0,"result":{"has_more":true,"next_cursor":"200","list":[{"userid":"c"}]}}`)
		case 200:
			fmt.Fprint(w, `{"errcode":0,"result":{"has_more":false,"list":[{"userid":"d"}]}}`)
		}
	})
	opts := &ListUsersOptions{Size: 100}
	var ids []string
	for u, err := range env.client.Users.All(context.Background(), 5, opts) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.UserID)
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d"}, ids); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{0, 100, 200}, cursors); diff != "" {
		t.Errorf("cursors (-want +got):\n%s", diff)
	}
	if opts.Cursor != 0 {
		t.Error("All changed the caller's options")
	}
}

func TestUsersService_All_RepeatedCursorIsAnError(t *testing.T) {
	t.Parallel()
	env := setup(t)
	var calls int
	env.handle("/topapi/user/listsimple", func(w http.ResponseWriter, r *http.Request) {
		calls++
		// The classic bug: a server (or a client) that hands out the first cursor again.
		fmt.Fprint(w, `{"errcode":0,"result":{"has_more":true,"next_cursor":100,"list":[{"userid":"a","name":"A"}]}}`)
	})
	var n int
	var last error
	for _, err := range env.client.Users.AllSimple(context.Background(), 5, nil) {
		n++
		if err != nil {
			last = err
		}
		if n > 10 {
			t.Fatal("looping")
		}
	}
	if last == nil || !strings.Contains(last.Error(), "next_cursor 100 a second time") {
		t.Fatalf("last error %v, want a repeated-cursor error", last)
	}
	if calls != 2 {
		t.Errorf("%d calls, want 2", calls)
	}
}

func TestUsersService_All_StopsWhenCallerStops(t *testing.T) {
	t.Parallel()
	env := setup(t)
	var calls int
	env.handle("/topapi/user/listsimple", func(w http.ResponseWriter, r *http.Request) {
		calls++
		fmt.Fprintf(w, `{"errcode":0,"result":{"has_more":true,"next_cursor":%d,"list":[{"userid":"a"},{"userid":"b"}]}}`, calls*100)
	})
	for range env.client.Users.AllSimple(context.Background(), 5, nil) {
		break
	}
	if calls != 1 {
		t.Errorf("%d calls after the caller stopped at the first user, want 1", calls)
	}
}
