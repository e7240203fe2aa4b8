package dingtalksim

import (
	"slices"
	"testing"
	"time"
	"unicode"
)

func TestCompanyShape(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{Seed: 11})
	truth := s.Truth()
	depts := truth.Departments()
	byID := map[int64]Department{}
	for _, d := range depts {
		byID[d.ID] = d
	}
	depth := func(d Department) int {
		n := 0
		for d.ID != 1 {
			d = byID[d.ParentID]
			n++
		}
		return n
	}
	maxDepth, maxMembers := 0, 0
	for _, d := range depts {
		maxDepth, maxMembers = max(maxDepth, depth(d)), max(maxMembers, len(d.Members))
		if d.ID != 1 && d.ID < 100_000_000 {
			t.Errorf("department id %d is not DingTalk-like", d.ID)
		}
		if !isChinese(d.Name) {
			t.Errorf("department name %q", d.Name)
		}
	}
	if len(depts) < 12 || maxDepth < 3 || maxDepth > 4 || maxMembers <= 100 {
		t.Errorf("%d departments, depth %d, largest %d members", len(depts), maxDepth, maxMembers)
	}

	users := truth.Users()
	if len(users) != 300 {
		t.Fatalf("%d users", len(users))
	}
	mobiles, jobs := map[string]bool{}, map[string]bool{}
	inTwo, groups := 0, map[int64]int{}
	for _, u := range users {
		if mobiles[u.Mobile] || jobs[u.JobNumber] {
			t.Errorf("duplicate mobile or job number: %+v", u)
		}
		mobiles[u.Mobile], jobs[u.JobNumber] = true, true
		if !mobilePattern.MatchString(u.Mobile) || !isChinese(u.Name) || u.Title == "" || u.HiredDate >= wednesday.UnixMilli() {
			t.Errorf("user %+v", u)
		}
		if len(u.DeptIDs) == 2 {
			inTwo++
		}
		groups[u.GroupID]++
	}
	if inTwo == 0 || len(groups) < 2 {
		t.Errorf("%d people in two departments, %d groups in use", inTwo, len(groups))
	}
	gs := truth.Groups()
	if !slices.Equal(gs[0].Checks, []string{"09:00 OnDuty", "18:00 OffDuty"}) ||
		!slices.Equal(gs[1].Checks, []string{"09:00 OnDuty", "12:00 OffDuty", "13:30 OnDuty", "18:00 OffDuty"}) ||
		gs[0].SeriousLateMinutes != 30 || gs[0].AbsenteeismLateMinutes != 60 || gs[0].PermitLateMinutes != 0 {
		t.Errorf("groups %+v", gs)
	}

	// Bigger companies: a 100,000-person org in 2,000 departments is built without attendance.
	if testing.Short() {
		return
	}
	big := New(Config{Seed: 3, Employees: 100_000, Now: wednesday})
	if n := len(big.Truth().Departments()); n != 2000 {
		t.Errorf("100,000 people: %d departments", n)
	}
}

func isChinese(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

func TestCalendar(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{Now: time.Date(2026, 11, 25, 20, 0, 0, 0, shanghai)})
	truth := s.Truth()
	for date, want := range map[string]DayKind{
		"2026-11-13": Workday, "2026-11-14": Weekend, "2026-11-15": Weekend, "2026-11-16": Holiday,
		"2026-11-21": MakeUp, "2026-11-22": Weekend, "2026-12-14": Holiday, "2026-12-19": MakeUp, "2027-01-11": Holiday,
	} {
		if got := truth.DayKind(date); got != want {
			t.Errorf("%s is %s, want %s", date, got, want)
		}
	}
	var std, split string
	for _, u := range truth.Users() {
		if u.GroupID == truth.Groups()[0].ID && std == "" {
			std = u.UserID
		}
		if u.GroupID == truth.Groups()[1].ID && split == "" {
			split = u.UserID
		}
	}
	count := func(id, date string) (checks int, kinds []string) {
		for _, r := range s.results([]string{id}, date, date) {
			kinds = append(kinds, r.CheckType)
		}
		return len(kinds), kinds
	}
	if n, kinds := count(split, "2026-11-18"); n != 4 || !slices.Equal(kinds, []string{"OnDuty", "OffDuty", "OnDuty", "OffDuty"}) {
		t.Errorf("split shift on a workday: %v", kinds)
	}
	if n, _ := count(std, "2026-11-18"); n != 2 {
		t.Errorf("standard shift on a workday: %d checks", n)
	}
	for _, rest := range []string{"2026-11-14", "2026-11-15", "2026-11-16"} {
		if n, _ := count(std, rest); n != 0 {
			t.Errorf("%s (rest) has %d checks", rest, n)
		}
		if sc := truth.Schedules([]string{std}, rest, rest); len(sc) != 1 || !sc[0].IsRest || sc[0].ClassID != 0 {
			t.Errorf("%s plans: %+v", rest, sc)
		}
	}
	if n, _ := count(split, "2026-11-21"); n != 4 {
		t.Errorf("the make-up Saturday has %d checks", n)
	}
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	conversation := func(seed int64) []string {
		s := newSim(t, Config{Seed: seed})
		ids := s.Truth().UserIDs()
		var out []string
		for _, c := range []struct{ path, body string }{
			{"/topapi/v2/department/listsub", `{"dept_id":1}`},
			{"/topapi/v2/user/list", `{"dept_id":1,"cursor":0,"size":100}`},
			{"/attendance/list", `{"workDateFrom":"2026-11-12 00:00:00","workDateTo":"2026-11-18 00:00:00","userIdList":` + quote(ids[:50]) + `,"offset":50,"limit":50}`},
			{"/attendance/listRecord", `{"checkDateFrom":"2026-11-11 10:00:00","checkDateTo":"2026-11-18 10:00:00","userIds":` + quote(ids[100:150]) + `}`},
			{"/topapi/attendance/getleavestatus", `{"userid_list":"` + ids[7] + `","start_time":1760000000000,"end_time":1763400000000,"offset":0,"size":20}`},
			{"/topapi/attendance/getsimplegroups", `{}`},
		} {
			out = append(out, s.post(c.path, c.body))
		}
		_, body, _ := s.do("GET", "/gettoken?appkey="+DefaultAppKey+"&appsecret=x", "", "")
		return append(out, body, s.tok())
	}
	a, b, c := conversation(5), conversation(5), conversation(6)
	if !slices.Equal(a, b) {
		for i := range a {
			if a[i] != b[i] {
				t.Errorf("answer %d differs between two runs of seed 5:\n%s\n%s", i, a[i], b[i])
			}
		}
	}
	if a[2] == c[2] || a[3] == c[3] {
		t.Error("seeds 5 and 6 gave the same attendance")
	}
}
