package dingtalk_test

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// The days every pull covers: three 7-day windows (7, 7 and 3 days) with weekends, the
// holiday of Monday the 16th, and today, whose checks after 10:00 are still pending.
const pullFrom, pullTo = "2026-11-02", "2026-11-18"

// pull is what every iterator of the client returned for the whole company.
type pull struct {
	depts   []dingtalk.Department
	users   map[int64][]dingtalk.User // by department, in listing order; the root included
	simple  map[int64][]dingtalk.SimpleUser
	userIDs []string // as the walk found them: people in two departments twice
	results []dingtalk.Result
	records []dingtalk.Record
	leaves  []dingtalk.LeaveStatus
	scheds  []dingtalk.UserSchedule
}

// pullAll walks the org chart, lists every department's users both ways, and pulls the
// attendance, leave and schedules of everyone found, all through the iterators.
func (env *simEnv) pullAll(ctx context.Context) pull {
	env.t.Helper()
	c := env.c
	p := pull{users: map[int64][]dingtalk.User{}, simple: map[int64][]dingtalk.SimpleUser{}}
	var err error
	p.depts, err = collect(env, c.Departments.Walk(ctx, dingtalk.RootDepartmentID, ""))
	env.must(err)
	ids := []int64{dingtalk.RootDepartmentID}
	for _, d := range p.depts {
		ids = append(ids, int64(d.ID))
	}
	for _, id := range ids {
		us, err := collect(env, c.Users.All(ctx, id, nil))
		env.must(err)
		p.users[id] = us
		for _, u := range us {
			p.userIDs = append(p.userIDs, u.UserID)
		}
		// Pages of 30 here, so that more departments take several pages.
		p.simple[id], err = collect(env, c.Users.AllSimple(ctx, id, &dingtalk.ListUsersOptions{Size: 30}))
		env.must(err)
	}
	from, to := dingtalk.MustParseDate(pullFrom), dingtalk.MustParseDate(pullTo)
	p.results, err = collect(env, c.Attendance.Results(ctx, p.userIDs, from, to))
	env.must(err)
	p.records, err = collect(env, c.Attendance.Records(ctx, p.userIDs, from, to))
	env.must(err)
	p.leaves, err = collect(env, c.Attendance.LeaveStatuses(ctx, p.userIDs, from, to))
	env.must(err)
	p.scheds, err = collect(env, c.Attendance.Schedules(ctx, env.boss(), p.userIDs, from, to))
	env.must(err)
	return p
}

// boss is the userid of the company's boss, on whose behalf schedules are read.
func (env *simEnv) boss() string {
	for _, u := range env.sim.Truth().Users() {
		if u.Boss {
			return u.UserID
		}
	}
	env.t.Fatal("the simulated company has no boss")
	return ""
}

// checkTruth compares a pull with the simulator's truth, field by field: nothing missing,
// nothing duplicated, nothing different.
func checkTruth(t *testing.T, sim *dingtalksim.Server, p pull) {
	t.Helper()
	tr := sim.Truth()

	// The org chart: every department but the root, and never the home-school -1.
	var wantDepts, gotDepts []dingtalksim.Department
	for _, d := range tr.Departments() {
		if d.ID != dingtalk.RootDepartmentID {
			wantDepts = append(wantDepts, dingtalksim.Department{ID: d.ID, ParentID: d.ParentID, Name: d.Name})
		}
	}
	for _, d := range p.depts {
		gotDepts = append(gotDepts, dingtalksim.Department{ID: int64(d.ID), ParentID: int64(d.ParentID), Name: d.Name})
	}
	sortBy(wantDepts, func(d dingtalksim.Department) int64 { return d.ID })
	sortBy(gotDepts, func(d dingtalksim.Department) int64 { return d.ID })
	if diff := gocmp.Diff(wantDepts, gotDepts); diff != "" {
		t.Errorf("departments (-truth +walk):\n%s", diff)
	}

	// Every department's users, in DingTalk's order, with their details.
	seen := map[string]bool{}
	for _, d := range tr.Departments() {
		var got, gotSimple []string
		for _, u := range p.users[d.ID] {
			got = append(got, u.UserID)
			seen[u.UserID] = true
			want, ok := tr.User(u.UserID)
			if !ok {
				t.Errorf("department %d lists unknown user %s", d.ID, u.UserID)
				continue
			}
			if diff := gocmp.Diff(userView(want), simUser(u)); diff != "" {
				t.Errorf("user %s in department %d (-truth +client):\n%s", u.UserID, d.ID, diff)
			}
			if lead := slices.Contains(d.Managers, u.UserID); u.Leader != lead {
				t.Errorf("user %s in department %d: leader %v, truth %v", u.UserID, d.ID, u.Leader, lead)
			}
		}
		for _, u := range p.simple[d.ID] {
			gotSimple = append(gotSimple, u.UserID)
			if want, _ := tr.User(u.UserID); u.Name != want.Name {
				t.Errorf("listsimple of %d: user %s named %q, truth %q", d.ID, u.UserID, u.Name, want.Name)
			}
		}
		if !slices.Equal(d.Members, got) {
			t.Errorf("users of department %d: got %d %v, truth %d %v", d.ID, len(got), got, len(d.Members), d.Members)
		}
		if !slices.Equal(d.Members, gotSimple) {
			t.Errorf("simple users of department %d: got %d, truth %d", d.ID, len(gotSimple), len(d.Members))
		}
	}
	all := tr.UserIDs()
	if len(seen) != len(all) {
		t.Errorf("the walk found %d people, the company has %d", len(seen), len(all))
	}

	// Attendance of everyone the company has, exactly as the endpoints answer it now.
	compareRows(t, "results", sliceMap(tr.Results(all, pullFrom, pullTo), resultView), sliceMap(p.results, simResult),
		func(r dingtalksim.Result) int64 { return r.ID })
	compareRows(t, "records", tr.Records(all, pullFrom, pullTo), sliceMap(p.records, simRecord),
		func(r dingtalksim.Record) int64 { return r.ID })
	for _, r := range p.records {
		if r.BizID != "" || (r.ApproveID != 0) != (r.SourceType == "APPROVE") {
			t.Errorf("record %d has fields the simulator never sends: %+v", r.ID, r)
		}
	}
	compareRows(t, "schedules", sliceMap(tr.Schedules(all, pullFrom, pullTo), scheduleView), sliceMap(p.scheds, simSchedule),
		func(s dingtalksim.Schedule) int64 { return s.PlanID })
	compareLeaves(t, sliceMap(tr.Leaves(all, pullFrom, pullTo), leaveView), sliceMap(p.leaves, simLeave))
}

// compareRows compares two sets of rows by key: the same rows, each once, field by field.
func compareRows[T any](t *testing.T, what string, want, got []T, key func(T) int64) {
	t.Helper()
	if len(want) == 0 {
		t.Errorf("%s: the truth is empty; the test would prove nothing", what)
	}
	sortBy(want, key)
	sortBy(got, key)
	for i := 1; i < len(got); i++ {
		if key(got[i]) == key(got[i-1]) {
			t.Errorf("%s: row %d came twice", what, key(got[i]))
		}
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("%s: %d rows in the truth, %d pulled (-truth +client):\n%s", what, len(want), len(got), diff)
	}
}

func compareLeaves(t *testing.T, want, got []dingtalksim.Leave) {
	t.Helper()
	if len(want) == 0 {
		t.Error("leaves: the truth is empty; the test would prove nothing")
	}
	order := func(a, b dingtalksim.Leave) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.StartTime, b.StartTime))
	}
	slices.SortFunc(want, order)
	slices.SortFunc(got, order)
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("leaves: %d in the truth, %d pulled (-truth +client):\n%s", len(want), len(got), diff)
	}
}

func sortBy[T any](s []T, key func(T) int64) {
	slices.SortStableFunc(s, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
}

func sliceMap[T, U any](s []T, f func(T) U) []U {
	out := make([]U, 0, len(s))
	for _, v := range s {
		out = append(out, f(v))
	}
	return out
}

// The client's rows in the simulator's types. Every field of the simulator's type is set
// from the client's field of the same meaning, so a field one side names differently shows
// up as a difference. The ...View functions clear what an endpoint does not carry.

func simResult(r dingtalk.Result) dingtalksim.Result {
	return dingtalksim.Result{
		ID: int64(r.ID), RecordID: int64(r.RecordID), UserID: r.UserID, CorpID: r.CorpID, GroupID: int64(r.GroupID),
		PlanID: int64(r.PlanID), WorkDate: int64(r.WorkDate), CheckType: r.CheckType, TimeResult: r.TimeResult,
		LocationResult: r.LocationResult, BaseCheckTime: int64(r.BaseCheckTime), UserCheckTime: int64(r.UserCheckTime),
		SourceType: r.SourceType, ApproveID: int64(r.ApproveID), ProcInstID: r.ProcInstID,
	}
}

func resultView(r dingtalksim.Result) dingtalksim.Result { return r }

func simRecord(r dingtalk.Record) dingtalksim.Record {
	return dingtalksim.Record{
		ID: int64(r.ID), UserID: r.UserID, CorpID: r.CorpID, GroupID: int64(r.GroupID), PlanID: int64(r.PlanID),
		ClassID: int64(r.ClassID), WorkDate: int64(r.WorkDate), CheckType: r.CheckType, TimeResult: r.TimeResult,
		LocationResult: r.LocationResult, SourceType: r.SourceType, BaseCheckTime: int64(r.BaseCheckTime),
		PlanCheckTime: int64(r.PlanCheckTime), UserCheckTime: int64(r.UserCheckTime), IsLegal: r.IsLegal,
		InvalidRecordType: r.InvalidRecordType, InvalidRecordMsg: r.InvalidRecordMsg, LocationMethod: r.LocationMethod,
		UserAddress: r.UserAddress, UserLatitude: float(r.UserLatitude), UserLongitude: float(r.UserLongitude),
		UserAccuracy: float(r.UserAccuracy), UserSsid: r.UserSsid, UserMacAddr: r.UserMacAddr, DeviceID: r.DeviceID,
		DeviceSN: r.DeviceSN, BaseAddress: r.BaseAddress, BaseLatitude: float(r.BaseLatitude),
		BaseLongitude: float(r.BaseLongitude), BaseAccuracy: float(r.BaseAccuracy), BaseSsid: r.BaseSsid,
		BaseMacAddr: r.BaseMacAddr, OutsideRemark: r.OutsideRemark, ApproveID: int64(r.ApproveID), ProcInstID: r.ProcInstID,
		GmtCreate: int64(r.GmtCreate), GmtModified: int64(r.GmtModified),
	}
}

// float reads a coordinate as sent; a value no coordinate has when it is not a number.
func float(s dingtalk.FlexString) float64 {
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil {
		return -1e300
	}
	return f
}

func simLeave(l dingtalk.LeaveStatus) dingtalksim.Leave {
	return dingtalksim.Leave{UserID: l.UserID, StartTime: int64(l.StartTime), EndTime: int64(l.EndTime),
		DurationUnit: l.DurationUnit, DurationPercent: int64(l.DurationPercent)}
}

// leaveView keeps what getleavestatus carries: not the approval behind the leave.
func leaveView(l dingtalksim.Leave) dingtalksim.Leave {
	return dingtalksim.Leave{UserID: l.UserID, StartTime: l.StartTime, EndTime: l.EndTime,
		DurationUnit: l.DurationUnit, DurationPercent: l.DurationPercent}
}

func simSchedule(s dingtalk.UserSchedule) dingtalksim.Schedule {
	wd := s.WorkDate.Time(shanghai)
	date := wd.Format(dingtalk.DateLayout)
	if !wd.Equal(dingtalk.MustParseDate(date).Start(shanghai)) {
		date += " (not midnight: " + wd.String() + ")"
	}
	rest := s.IsRest == "Y"
	if s.IsRest != "Y" && s.IsRest != "N" {
		date += " (is_rest " + strconv.Quote(s.IsRest) + ")"
	}
	return dingtalksim.Schedule{PlanID: int64(s.ID), UserID: s.UserID, WorkDate: date, CheckType: s.CheckType,
		PlanCheckTime: s.PlanCheckTime.Millis, GroupID: int64(s.GroupID), ClassID: int64(s.ShiftID), IsRest: rest,
		ApproveID: int64(s.ApproveID)}
}

// scheduleView keeps what listbyusers carries: not the class setting.
func scheduleView(s dingtalksim.Schedule) dingtalksim.Schedule {
	s.ClassSettingID = 0
	return s
}

func simUser(u dingtalk.User) dingtalksim.User {
	depts := make([]int64, len(u.DeptIDList))
	for i, id := range u.DeptIDList {
		depts[i] = int64(id)
	}
	return dingtalksim.User{UserID: u.UserID, UnionID: u.UnionID, Name: u.Name, Mobile: u.Mobile,
		JobNumber: u.JobNumber, Title: u.Title, Email: u.Email, WorkPlace: u.WorkPlace, DeptIDs: depts,
		HiredDate: int64(u.HiredDate), Admin: u.Admin, Boss: u.Boss, Telephone: u.Telephone, OrgEmail: u.OrgEmail,
		Remark: u.Remark, Extension: u.Extension, HideMobile: u.HideMobile}
}

// userView keeps what the user lists carry: not the attendance group or the simulator's
// bookkeeping of who joined and left when, nor what only v2/user/get tells (manager, senior
// mode, the orders in every department).
func userView(u dingtalksim.User) dingtalksim.User {
	u.GroupID, u.Removed, u.Since, u.Until = 0, false, "", ""
	u.Manager, u.Senior, u.Orders = "", false, nil
	return u
}

// checkPremises fails when the company lacks what the pull tests are meant to exercise.
func checkPremises(t *testing.T, sim *dingtalksim.Server) {
	t.Helper()
	tr := sim.Truth()
	big, twice := false, 0
	for _, d := range tr.Departments() {
		big = big || len(d.Members) > 100
	}
	for _, u := range tr.Users() {
		if len(u.DeptIDs) > 1 {
			twice++
		}
	}
	split := 0
	approved := 0
	for _, r := range tr.Results(tr.UserIDs(), pullFrom, pullTo) {
		if r.BaseCheckTime-r.WorkDate == int64(13*time.Hour+30*time.Minute)/1e6 {
			split++
		}
		if r.ApproveID != 0 {
			approved++
		}
	}
	if !big || twice == 0 || split == 0 || approved == 0 {
		t.Fatalf("the company lacks a premise: department over 100 %v, people in two departments %d, split-shift checks %d, checks covered by leave %d",
			big, twice, split, approved)
	}
}
