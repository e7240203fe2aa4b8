package dingtalk_test

import (
	"context"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// fixture picks the people and departments the endpoint tests ask about.
type fixture struct {
	big      dingtalksim.Department // over 100 members
	twice    dingtalksim.User       // in two departments
	standard dingtalksim.User       // 09:00-18:00 with a lunch break
	split    dingtalksim.User       // the split shift: 09:00-12:00, 13:30-18:00
	leave    dingtalksim.Leave      // a leave within the pull's days
}

func newFixture(t *testing.T, sim *dingtalksim.Server) fixture {
	t.Helper()
	tr := sim.Truth()
	var f fixture
	for _, d := range tr.Departments() {
		if len(d.Members) > 100 {
			f.big = d
		}
	}
	groups := tr.Groups()
	for _, u := range tr.Users() {
		switch {
		case len(u.DeptIDs) > 1 && f.twice.UserID == "":
			f.twice = u
		case u.GroupID == groups[0].ID && !u.Boss && f.standard.UserID == "":
			f.standard = u
		case u.GroupID == groups[1].ID && f.split.UserID == "":
			f.split = u
		}
	}
	for _, l := range tr.Leaves(tr.UserIDs(), pullFrom, pullTo) {
		if l.Half == "" {
			f.leave = l
			break
		}
	}
	if f.big.ID == 0 || f.twice.UserID == "" || f.standard.UserID == "" || f.split.UserID == "" || f.leave.UserID == "" {
		t.Fatalf("the company lacks a premise: %+v", f)
	}
	return f
}

func TestSim_Endpoints_Departments(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, simCompany())
	ctx := context.Background()
	f := newFixture(t, env.sim)
	tr := env.sim.Truth()

	// The root's children, in DingTalk's order, with the home-school -1 first.
	want := []int64{-1}
	var kids []dingtalksim.Department
	for _, d := range tr.Departments() {
		if d.ParentID == dingtalk.RootDepartmentID && d.ID != dingtalk.RootDepartmentID {
			kids = append(kids, d)
		}
	}
	slices.SortStableFunc(kids, func(a, b dingtalksim.Department) int { return int(a.Order - b.Order) })
	for _, d := range kids {
		want = append(want, d.ID)
	}
	subs, _, err := env.c.Departments.ListSub(ctx, dingtalk.RootDepartmentID, dingtalk.LanguageChinese)
	env.must(err)
	var got []int64
	for _, d := range subs {
		got = append(got, int64(d.ID))
		if d.ID > 0 && int64(d.ParentID) != dingtalk.RootDepartmentID {
			t.Errorf("listsub: %d has parent %d", d.ID, d.ParentID)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("listsub(1) = %v, want %v", got, want)
	}
	ids, _, err := env.c.Departments.ListSubIDs(ctx, dingtalk.RootDepartmentID)
	env.must(err)
	if !slices.Equal(ids, want) {
		t.Errorf("listsubid(1) = %v, want %v", ids, want)
	}

	d, resp, err := env.c.Departments.Get(ctx, f.big.ID, "")
	env.must(err)
	if resp.RequestID == "" {
		t.Error("topapi answers carry a request_id; the response has none")
	}
	gotDept := dingtalksim.Department{ID: int64(d.ID), ParentID: int64(d.ParentID), Name: d.Name,
		SourceIdentifier: d.SourceIdentifier, Order: int64(d.Order), Managers: []string(d.ManagerUserIDs),
		HideDept: d.HideDept, CreateDeptGroup: d.CreateDeptGroup, OuterDept: d.OuterDept}
	wantDept := f.big
	wantDept.Members = nil
	if diff := gocmp.Diff(wantDept, gotDept); diff != "" {
		t.Errorf("department get (-truth +client):\n%s", diff)
	}
	if int(d.MemberCount) != len(f.big.Members) {
		t.Errorf("member_count %d, truth %d", d.MemberCount, len(f.big.Members))
	}

	// Anything about -1 is "no such department", which Walk never asks.
	_, _, err = env.c.Departments.Get(ctx, -1, "")
	env.noteErr(err)
	if apiCode(err) != 60003 {
		t.Errorf("get(-1): err = %v, want 60003", err)
	}
}

func TestSim_Endpoints_Users(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, simCompany())
	ctx := context.Background()
	f := newFixture(t, env.sim)
	tr := env.sim.Truth()

	// One department, page by page, in both shapes.
	page1, resp, err := env.c.Users.ListSimple(ctx, f.big.ID, nil)
	env.must(err)
	if len(page1) != dingtalk.MaxUserPage || !resp.HasMore || resp.NextCursor != dingtalk.MaxUserPage {
		t.Errorf("listsimple page 1: %d rows, has_more %v, next_cursor %d", len(page1), resp.HasMore, resp.NextCursor)
	}
	page2, resp, err := env.c.Users.List(ctx, f.big.ID, &dingtalk.ListUsersOptions{Cursor: resp.NextCursor})
	env.must(err)
	if resp.HasMore || len(page1)+len(page2) != len(f.big.Members) {
		t.Errorf("v2/user/list page 2: %d rows, has_more %v; the department has %d", len(page2), resp.HasMore, len(f.big.Members))
	}
	for i, u := range page2 {
		if want := f.big.Members[len(page1)+i]; u.UserID != want {
			t.Errorf("v2/user/list page 2 row %d: %s, truth %s", i, u.UserID, want)
		}
	}
	ids, _, err := env.c.Users.ListIDs(ctx, f.big.ID)
	env.must(err)
	if !slices.Equal(ids, f.big.Members) {
		t.Errorf("listid: %d ids, truth %d", len(ids), len(f.big.Members))
	}

	// A person in two departments, with details.
	u, _, err := env.c.Users.Get(ctx, f.twice.UserID, "")
	env.must(err)
	if diff := gocmp.Diff(userView(f.twice), simUser(*u)); diff != "" {
		t.Errorf("user get (-truth +client):\n%s", diff)
	}
	if len(u.DeptOrderList) != len(f.twice.DeptIDs) || len(u.LeaderInDept) != len(f.twice.DeptIDs) {
		t.Errorf("user get: %d dept orders and %d leader flags for %d departments", len(u.DeptOrderList), len(u.LeaderInDept), len(f.twice.DeptIDs))
	}
	for _, l := range u.LeaderInDept {
		d, _ := tr.Department(int64(l.DeptID))
		if lead := slices.Contains(d.Managers, u.UserID); l.Leader != lead {
			t.Errorf("user get: leader of %d is %v, truth %v", l.DeptID, l.Leader, lead)
		}
	}

	id, _, err := env.c.Users.GetByMobile(ctx, f.twice.Mobile)
	env.must(err)
	if id != f.twice.UserID {
		t.Errorf("getbymobile = %s, want %s", id, f.twice.UserID)
	}
	_, _, err = env.c.Users.GetByMobile(ctx, "19999999999")
	env.noteErr(err)
	if apiCode(err) != 60121 {
		t.Errorf("getbymobile(unknown): err = %v, want 60121", err)
	}
	_, _, err = env.c.Users.Get(ctx, "no-such-user", "")
	env.noteErr(err)
	if apiCode(err) != 33012 {
		t.Errorf("get(unknown): err = %v, want 33012", err)
	}

	// The raw way in, with the token the client holds.
	tok, err := env.c.AccessToken(ctx)
	env.must(err)
	env.mu.Lock()
	issued := env.secrets[tok] != ""
	env.mu.Unlock()
	if !issued {
		t.Error("AccessToken returned a token the simulator never issued")
	}
	req, err := env.c.NewRequest("POST", "/topapi/user/listid", map[string]int64{"dept_id": f.big.ID})
	env.must(err)
	var raw struct {
		Result struct {
			UserIDList []string `json:"userid_list"`
		} `json:"result"`
	}
	_, err = env.c.Do(ctx, req, &raw)
	env.must(err)
	if !slices.Equal(raw.Result.UserIDList, f.big.Members) {
		t.Errorf("Do(listid): %d ids, truth %d", len(raw.Result.UserIDList), len(f.big.Members))
	}
}

func TestSim_Endpoints_Attendance(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, simCompany())
	ctx := context.Background()
	f := newFixture(t, env.sim)
	tr := env.sim.Truth()
	loc := env.c.Location()
	ids := tr.UserIDs()[:50]
	ch := dingtalk.Chunk{UserIDs: ids, DateRange: dingtalk.DateRange{From: dingtalk.MustParseDate("2026-11-12"), To: dingtalk.MustParseDate("2026-11-18")}}
	from, to := ch.From.String(), ch.To.String()

	// One page, then the rest of the chunk.
	rows, resp, err := env.c.Attendance.List(ctx, &dingtalk.ResultOptions{UserIDs: ids, From: ch.From, To: ch.To, Offset: 50, Limit: 20})
	env.must(err)
	truth := tr.Results(ids, from, to)
	if !resp.HasMore || len(rows) != 20 {
		t.Errorf("list at offset 50: %d rows, hasMore %v", len(rows), resp.HasMore)
	}
	all, err := env.c.Attendance.ListAll(ctx, ch.ResultOptions())
	env.must(err)
	compareRows(t, "ListAll", truth, sliceMap(all, simResult), func(r dingtalksim.Result) int64 { return r.ID })
	for _, r := range rows {
		if !slices.ContainsFunc(all, func(a dingtalk.Result) bool { return a.ID == r.ID }) {
			t.Errorf("row %d of the page at offset 50 is not in the chunk", r.ID)
		}
	}

	recs, _, err := env.c.Attendance.ListRecord(ctx, ch.RecordOptions(loc))
	env.must(err)
	compareRows(t, "ListRecord", tr.Records(ids, from, to), sliceMap(recs, simRecord), func(r dingtalksim.Record) int64 { return r.ID })

	// Leave: a page of 5, then everything.
	lo := (dingtalk.Chunk{UserIDs: tr.UserIDs()[:100], DateRange: dingtalk.DateRange{From: dingtalk.MustParseDate(pullFrom), To: dingtalk.MustParseDate(pullTo)}}).LeaveStatusOptions(loc)
	lo.Size = 5
	page, resp, err := env.c.Attendance.LeaveStatus(ctx, lo)
	env.must(err)
	leaves, err := env.c.Attendance.LeaveStatusAll(ctx, lo)
	env.must(err)
	wantLeaves := sliceMap(tr.Leaves(lo.UserIDs, pullFrom, pullTo), leaveView)
	if len(page) != 5 || resp.HasMore != (len(wantLeaves) > 5) {
		t.Errorf("leave page of 5: %d rows, has_more %v; %d in all", len(page), resp.HasMore, len(wantLeaves))
	}
	compareLeaves(t, wantLeaves, sliceMap(leaves, simLeave))

	// Leave duration by the schedule: lunch breaks are not work.
	day := dingtalk.MustParseDate("2026-11-17")
	at := func(hhmm string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", day.String()+" "+hhmm, loc)
		return t
	}
	for _, tc := range []struct {
		who  dingtalksim.User
		want int64
	}{{f.standard, 8 * 60}, {f.split, 3*60 + 4*60 + 30}} {
		n, _, err := env.c.Attendance.LeaveDuration(ctx, tc.who.UserID, at("09:00"), at("18:00"))
		env.must(err)
		if n != tc.want {
			t.Errorf("leave duration of %s for a whole day: %d minutes, want %d", tc.who.UserID, n, tc.want)
		}
	}

	// Schedules: a whole-org day page by page (a workday and the holiday), and some users.
	for _, date := range []string{"2026-11-18", "2026-11-16"} {
		var got []dingtalksim.Schedule
		for offset := 0; ; offset += dingtalk.MaxSchedulePage {
			rows, resp, err := env.c.Attendance.ListSchedule(ctx, dingtalk.MustParseDate(date), offset, 0)
			env.must(err)
			for _, r := range rows {
				got = append(got, dingtalksim.Schedule{PlanID: int64(r.PlanID), UserID: r.UserID, WorkDate: date,
					CheckType: r.CheckType, PlanCheckTime: r.PlanCheckTime.Millis, GroupID: int64(r.GroupID),
					ClassID: int64(r.ClassID), ClassSettingID: int64(r.ClassSettingID), IsRest: r.ClassID == 0,
					ApproveID: int64(r.ApproveID)})
			}
			if !resp.HasMore {
				break
			}
		}
		compareRows(t, "listschedule "+date, tr.Schedules(tr.UserIDs(), date, date), got, func(s dingtalksim.Schedule) int64 { return s.PlanID })
	}
	so := ch.ScheduleOptions(env.boss(), loc)
	scheds, _, err := env.c.Attendance.ListByUsers(ctx, so)
	env.must(err)
	compareRows(t, "listbyusers", sliceMap(tr.Schedules(ids, from, to), scheduleView), sliceMap(scheds, simSchedule),
		func(s dingtalksim.Schedule) int64 { return s.PlanID })

	// Attendance groups.
	groups, resp, err := env.c.Attendance.SimpleGroups(ctx, 0, 0)
	env.must(err)
	if resp.HasMore {
		t.Error("getsimplegroups: has_more with two groups")
	}
	members := map[int64]int{}
	for _, u := range tr.Users() {
		members[u.GroupID]++
	}
	var gotGroups []dingtalksim.Group
	for _, g := range groups {
		if len(g.SelectedClass) != 1 {
			t.Fatalf("group %d has %d classes, want 1", g.GroupID, len(g.SelectedClass))
		}
		if int(g.MemberCount) != members[int64(g.GroupID)] {
			t.Errorf("group %d: member_count %d, truth %d", g.GroupID, g.MemberCount, members[int64(g.GroupID)])
		}
		gotGroups = append(gotGroups, simGroup(g.GroupID, g.GroupName, g.SelectedClass[0]))
	}
	if diff := gocmp.Diff(tr.Groups(), gotGroups); diff != "" {
		t.Errorf("getsimplegroups (-truth +client):\n%s", diff)
	}
	ug, _, err := env.c.Attendance.UserGroup(ctx, f.split.UserID)
	env.must(err)
	var wantSplit dingtalksim.Group
	for _, g := range tr.Groups() {
		if g.ID == f.split.GroupID {
			wantSplit = g
		}
	}
	if len(ug.Classes) != 1 {
		t.Fatalf("getusergroup: %d classes, want 1", len(ug.Classes))
	}
	got := simGroup(ug.GroupID, ug.Name, ug.Classes[0])
	got.ClassName, got.PermitLateMinutes, got.SeriousLateMinutes, got.AbsenteeismLateMinutes = ug.Classes[0].Name, wantSplit.PermitLateMinutes, wantSplit.SeriousLateMinutes, wantSplit.AbsenteeismLateMinutes
	if diff := gocmp.Diff(wantSplit, got); diff != "" {
		t.Errorf("getusergroup (-truth +client):\n%s", diff)
	}

	// One person's day in one answer: a day of leave, and a day with punches.
	for _, tc := range []struct{ user, date string }{
		{f.leave.UserID, env.sim.Date(time.UnixMilli(f.leave.StartTime))},
		{f.standard.UserID, "2026-11-17"},
	} {
		ud, _, err := env.c.Attendance.UpdateData(ctx, tc.user, dingtalk.MustParseDate(tc.date))
		env.must(err)
		checkUpdateData(t, env.sim, tc.user, tc.date, ud)
	}
}

// simGroup is a group and its class in the simulator's terms.
func simGroup(id dingtalk.FlexInt, name string, c dingtalk.Class) dingtalksim.Group {
	g := dingtalksim.Group{ID: int64(id), Name: name, ClassID: int64(c.ClassID), ClassName: c.ClassName}
	for _, s := range c.Sections {
		for _, ct := range s.Times {
			hm := ct.CheckTime
			if len(hm) >= 16 {
				hm = hm[11:16] // "1970-01-01 09:00:00"
			}
			g.Checks = append(g.Checks, hm+" "+ct.CheckType)
		}
	}
	if s := c.Setting; s != nil {
		g.PermitLateMinutes, g.SeriousLateMinutes, g.AbsenteeismLateMinutes = int(s.PermitLateMinutes), int(s.SeriousLateMinutes), int(s.AbsenteeismLateMinutes)
	}
	return g
}

// checkUpdateData compares getupdatedata with the person's day in the truth.
func checkUpdateData(t *testing.T, sim *dingtalksim.Server, user, date string, ud *dingtalk.UpdateData) {
	t.Helper()
	day, _ := sim.Truth().Day(user, date)
	if ud.UserID != user || ud.WorkDate.Time(shanghai).Format(dingtalk.DateLayout) != date {
		t.Errorf("updatedata of %s on %s: answered for %s on %v", user, date, ud.UserID, ud.WorkDate.Time(shanghai))
	}
	var got, want []dingtalksim.Result
	for _, r := range day.Results {
		want = append(want, dingtalksim.Result{RecordID: r.RecordID, PlanID: r.PlanID, CheckType: r.CheckType,
			TimeResult: r.TimeResult, LocationResult: r.LocationResult, BaseCheckTime: r.BaseCheckTime,
			UserCheckTime: r.UserCheckTime, SourceType: r.SourceType, GroupID: r.GroupID, ProcInstID: r.ProcInstID})
	}
	for _, r := range ud.AttendanceResults {
		got = append(got, dingtalksim.Result{RecordID: int64(r.RecordID), PlanID: int64(r.PlanID), CheckType: r.CheckType,
			TimeResult: r.TimeResult, LocationResult: r.LocationResult, BaseCheckTime: r.PlanCheckTime.Millis,
			UserCheckTime: r.UserCheckTime.Millis, SourceType: r.SourceType, GroupID: int64(r.GroupID), ProcInstID: r.ProcInstID})
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("updatedata results of %s on %s (-truth +client):\n%s", user, date, diff)
	}
	var gotRec, wantRec []int64
	for _, r := range day.Records {
		wantRec = append(wantRec, r.ID, r.UserCheckTime)
	}
	for _, r := range ud.CheckRecords {
		gotRec = append(gotRec, int64(r.RecordID), r.UserCheckTime.Millis)
		matched := slices.ContainsFunc(day.Results, func(x dingtalksim.Result) bool { return x.RecordID == int64(r.RecordID) })
		if r.ValidMatched != matched {
			t.Errorf("updatedata record %d: valid_matched %v, truth %v", r.RecordID, r.ValidMatched, matched)
		}
	}
	if !slices.Equal(wantRec, gotRec) {
		t.Errorf("updatedata records of %s on %s: %v, truth %v", user, date, gotRec, wantRec)
	}
	switch {
	case day.Leave == nil && len(ud.Approvals) != 0:
		t.Errorf("updatedata of %s on %s: approvals %+v without a leave", user, date, ud.Approvals)
	case day.Leave != nil && len(ud.Approvals) != 1:
		t.Errorf("updatedata of %s on %s: %d approvals for one leave", user, date, len(ud.Approvals))
	case day.Leave != nil:
		a := ud.Approvals[0]
		if a.BizType != 3 || a.SubType != day.Leave.Type || a.ProcInstID != day.Leave.ProcInstID ||
			a.BeginTime.Millis != day.Leave.StartTime || a.EndTime.Millis != day.Leave.EndTime {
			t.Errorf("updatedata approval %+v, truth leave %+v", a, *day.Leave)
		}
	}
}
