package dingtalk_test

import (
	"context"
	"slices"
	"testing"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

func ptr[T any](v T) *T { return &v }

// Department and user writes against the simulator, and DingTalk's refusals: a duplicate
// mobile, deleting a department that still has members, updating or deleting the root.
func TestSim_Writes(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, simCompany())
	ctx := context.Background()
	f := newFixture(t, env.sim)
	tr := env.sim.Truth()
	refused := func(what string, err error, code int) {
		t.Helper()
		env.noteErr(err)
		if apiCode(err) != code {
			t.Errorf("%s: err = %v, want errcode %d", what, err, code)
		}
	}

	// A department under the root, and one under it.
	id, _, err := env.c.Departments.Create(ctx, &dingtalk.NewDepartment{Name: "数据平台部", ParentID: dingtalk.RootDepartmentID,
		Order: 50, SourceIdentifier: "hr-4711", CreateDeptGroup: true})
	env.must(err)
	sub, _, err := env.c.Departments.Create(ctx, &dingtalk.NewDepartment{Name: "数仓组", ParentID: id})
	env.must(err)
	d, ok := tr.Department(id)
	if !ok || d.Name != "数据平台部" || d.ParentID != dingtalk.RootDepartmentID || d.Order != 50 || d.SourceIdentifier != "hr-4711" {
		t.Errorf("created department: %+v (found %v)", d, ok)
	}
	if s, _ := tr.Department(sub); s.ParentID != id {
		t.Errorf("created sub-department: %+v", s)
	}
	_, _, err = env.c.Departments.Create(ctx, &dingtalk.NewDepartment{Name: "数据平台部", ParentID: dingtalk.RootDepartmentID})
	refused("a second 数据平台部 under the root", err, 60021)
	_, _, err = env.c.Departments.Create(ctx, &dingtalk.NewDepartment{Name: "孤儿部", ParentID: 424242})
	refused("a department under a missing parent", err, 60004)

	// A person in the new department, then a second one with the same mobile.
	nu := &dingtalk.NewUser{UserID: "kq-test-001", Name: "测试员", Mobile: "13912345678", DeptIDs: []int64{sub},
		JobNumber: "T0001", Title: "数据工程师", Email: "kq001@example.com", WorkPlace: "上海", HiredDate: 1767225600000}
	cu, _, err := env.c.Users.Create(ctx, nu)
	env.must(err)
	u, ok := tr.User("kq-test-001")
	if cu.UserID != "kq-test-001" || cu.UnionID == "" || !ok || cu.UnionID != u.UnionID {
		t.Errorf("created user: answer %+v, truth %+v", cu, u)
	}
	if u.Name != nu.Name || u.Mobile != nu.Mobile || !slices.Equal(u.DeptIDs, nu.DeptIDs) || u.JobNumber != nu.JobNumber ||
		u.Title != nu.Title || u.Email != nu.Email || u.WorkPlace != nu.WorkPlace || u.HiredDate != nu.HiredDate {
		t.Errorf("created user: truth %+v, sent %+v", u, nu)
	}
	_, _, err = env.c.Users.Create(ctx, &dingtalk.NewUser{Name: "重复", Mobile: "13912345678", DeptIDs: []int64{id}})
	refused("a second user with the same mobile", err, 60104)
	_, _, err = env.c.Users.Create(ctx, &dingtalk.NewUser{Name: "重复号", Mobile: f.standard.Mobile, DeptIDs: []int64{id}})
	refused("a user with a generated person's mobile", err, 60104)

	// Updates: the person moves to both departments and gets a new title; the department gets a
	// new name and its new member as manager; then the managers are cleared again.
	_, err = env.c.Users.Update(ctx, &dingtalk.UserUpdate{UserID: "kq-test-001", Title: ptr("高级数据工程师"), DeptIDs: &[]int64{id, sub}})
	env.must(err)
	if u, _ := tr.User("kq-test-001"); u.Title != "高级数据工程师" || !slices.Equal(u.DeptIDs, []int64{id, sub}) {
		t.Errorf("updated user: %+v", u)
	}
	_, err = env.c.Departments.Update(ctx, &dingtalk.DepartmentUpdate{ID: id, Name: ptr("数据中台部"), ManagerUserIDs: &[]string{"kq-test-001"}})
	env.must(err)
	if d, _ := tr.Department(id); d.Name != "数据中台部" || !slices.Equal(d.Managers, []string{"kq-test-001"}) {
		t.Errorf("updated department: %+v", d)
	}
	_, err = env.c.Departments.Update(ctx, &dingtalk.DepartmentUpdate{ID: id, ManagerUserIDs: &[]string{}})
	env.must(err)
	if d, _ := tr.Department(id); len(d.Managers) != 0 || d.Name != "数据中台部" {
		t.Errorf("department after clearing its managers: %+v", d)
	}
	_, err = env.c.Departments.Update(ctx, &dingtalk.DepartmentUpdate{ID: dingtalk.RootDepartmentID, Name: ptr("新公司名")})
	refused("updating the root", err, 60018)
	_, err = env.c.Departments.Update(ctx, &dingtalk.DepartmentUpdate{ID: id, ParentID: ptr(sub)})
	refused("moving a department under its own child", err, 60010)

	// Deletes: not while someone is in the subtree, never the root.
	_, err = env.c.Departments.Delete(ctx, id)
	refused("deleting a department with members", err, 60005)
	_, err = env.c.Departments.Delete(ctx, dingtalk.RootDepartmentID)
	refused("deleting the root", err, 60007)
	_, err = env.c.Users.Delete(ctx, "kq-test-001")
	env.must(err)
	if u, _ := tr.User("kq-test-001"); !u.Removed || len(u.DeptIDs) != 0 {
		t.Errorf("deleted user: %+v", u)
	}
	_, err = env.c.Users.Delete(ctx, "kq-test-001")
	refused("deleting a deleted user", err, 60121)
	_, err = env.c.Departments.Delete(ctx, id)
	env.must(err)
	for _, gone := range []int64{id, sub} {
		if _, ok := tr.Department(gone); ok {
			t.Errorf("department %d is still there after deleting %d", gone, id)
		}
	}
	// The mobile is free again.
	_, _, err = env.c.Users.Create(ctx, &dingtalk.NewUser{Name: "新人", Mobile: "13912345678", DeptIDs: []int64{f.big.ID}})
	env.must(err)

	// Contacts are free: not one write was metered.
	if n := env.sim.Counters().Total().Metered; n != 0 {
		t.Errorf("%d contacts calls were metered", n)
	}
}

// A work notification and its send result, and a group robot message signed with the robot's
// secret.
func TestSim_Messages(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, simCompany())
	ctx := context.Background()
	f := newFixture(t, env.sim)
	cfg := env.sim.Config()

	to := []string{f.standard.UserID, f.split.UserID, "no-such-user"}
	msg := dingtalk.MarkdownMessage("考勤提醒", "### 今日缺卡\n请补卡")
	task, _, err := env.c.Messages.Send(ctx, &dingtalk.WorkNotification{AgentID: cfg.AgentID, UserIDs: to, Msg: msg})
	env.must(err)
	notes := env.sim.Notifications()
	if len(notes) != 1 || notes[0].TaskID != task || notes[0].MsgType != "markdown" || !slices.Equal(notes[0].UserIDs, to) {
		t.Fatalf("the simulator got %+v, task %d", notes, task)
	}
	res, _, err := env.c.Messages.SendResult(ctx, cfg.AgentID, task)
	env.must(err)
	if !slices.Equal(res.InvalidUserIDs, []string{"no-such-user"}) || !slices.Equal(res.UnreadUserIDs, notes[0].Delivered) || len(res.ForbiddenUserIDs) != 0 {
		t.Errorf("send result %+v, the simulator delivered to %v", res, notes[0].Delivered)
	}
	// The same content to the same person on the same day is accepted and not delivered.
	again, _, err := env.c.Messages.Send(ctx, &dingtalk.WorkNotification{AgentID: cfg.AgentID, UserIDs: to[:1], Msg: msg})
	env.must(err)
	res, _, err = env.c.Messages.SendResult(ctx, cfg.AgentID, again)
	env.must(err)
	if !slices.Equal(res.ForbiddenUserIDs, to[:1]) || len(res.ForbiddenList) != 1 || res.ForbiddenList[0].UserID != to[0] {
		t.Errorf("a repeated message: send result %+v, want %s forbidden", res, to[0])
	}
	if n := env.sim.Counters().Total().Metered; n != 4 {
		t.Errorf("%d metered calls for two sends and two results, want 4", n)
	}
	_, _, err = env.c.Messages.Send(ctx, &dingtalk.WorkNotification{AgentID: cfg.AgentID + 1, UserIDs: to, Msg: msg})
	env.noteErr(err)
	if !dingtalk.IsInvalidParam(err) {
		t.Errorf("another app's agent_id: err = %v, want an invalid parameter", err)
	}

	// The robot signs with its own secret, and never uses the app's token.
	hook := env.url + "/robot/send?access_token=" + dingtalksim.DefaultRobotToken
	robot, err := dingtalk.NewRobot(hook, cfg.Robots[dingtalksim.DefaultRobotToken],
		dingtalk.WithClock(env.clock.Now), dingtalk.WithSleep(env.clock.Sleep), dingtalk.WithCallHook(env.record))
	env.must(err)
	err = robot.Send(ctx, &dingtalk.RobotMessage{MsgType: "markdown", Markdown: &dingtalk.Markdown{Title: "迟到提醒", Text: "@13800000000 今天迟到了"},
		At: &dingtalk.At{AtMobiles: []string{"13800000000"}}})
	env.must(err)
	got := env.sim.RobotMessages()
	if len(got) != 1 || got[0].Title != "迟到提醒" || got[0].Text != "@13800000000 今天迟到了" || !slices.Equal(got[0].AtMobiles, []string{"13800000000"}) {
		t.Errorf("the robot's group got %+v", got)
	}
	bad, err := dingtalk.NewRobot(hook, "SECwrong", dingtalk.WithClock(env.clock.Now), dingtalk.WithSleep(env.clock.Sleep), dingtalk.WithCallHook(env.record))
	env.must(err)
	err = bad.Send(ctx, &dingtalk.RobotMessage{MsgType: "text", Text: &dingtalk.Text{Content: "x"}})
	env.noteErr(err)
	if apiCode(err) != 310000 {
		t.Errorf("a wrong signing secret: err = %v, want 310000", err)
	}
}
