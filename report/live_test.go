package report

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kaoqin/kaoqin"
)

const liveDayDate = "2026-11-18"

// liveCompany is one department of people whose day 2026-11-18 was pulled at 08:00 (the
// first pull: every check NotSigned, still to come) and is looked at at 09:10.
func liveCompany() *builder {
	b := &builder{}
	b.in.Departments = []kaoqin.Department{{ID: 1, Name: "公司"}}
	b.in.Coverage = []kaoqin.DayCoverage{{Day: liveDayDate, SyncedAt: ms(liveDayDate, "08:00")}}
	return b
}

func (b *builder) person(user string) {
	b.in.Employees = append(b.in.Employees, kaoqin.Employee{UserID: user, Name: user, DeptIDs: []int64{1}})
	b.in.Memberships = append(b.in.Memberships, kaoqin.Membership{UserID: user, DeptID: 1})
}

// firstPull adds the 09:00 and 18:00 checks of user as the 08:00 pull saw them.
func (b *builder) firstPull(user string, pulledAt string) {
	b.person(user)
	at := func(c *kaoqin.Check) { c.SyncedAt = ms(liveDayDate, pulledAt); c.PlanID = b.nextID + 500 }
	b.check(user, liveDayDate, kaoqin.OnDuty, "09:00", "", kaoqin.TimeNotSigned, at)
	b.check(user, liveDayDate, kaoqin.OffDuty, "18:00", "", kaoqin.TimeNotSigned, at)
}

func (b *builder) plan(user, typ, clock string, rest bool) {
	b.nextID++
	b.in.Schedules = append(b.in.Schedules, kaoqin.Schedule{PlanID: 9000 + b.nextID, UserID: user, WorkDate: liveDayDate,
		CheckType: typ, PlanCheckTime: ms(liveDayDate, clock), GroupID: 88, ShiftID: 301, IsRest: rest})
}

func (b *builder) punch(user, clock string, opts ...func(*kaoqin.Punch)) {
	b.nextID++
	p := kaoqin.Punch{ID: 7000 + b.nextID, UserID: user, WorkDate: liveDayDate, UserCheckTime: ms(liveDayDate, clock),
		LocationResult: kaoqin.LocationNormal, SourceType: "USER"}
	for _, o := range opts {
		o(&p)
	}
	b.in.Punches = append(b.in.Punches, p)
}

func (b *builder) pulled(user, clock string) {
	b.in.PunchPulls = append(b.in.PunchPulls, kaoqin.PunchPull{UserID: user, WorkDate: liveDayDate, SyncedAt: ms(liveDayDate, clock)})
}

func sortInput(in *Input) {
	slices.SortFunc(in.Punches, func(a, b kaoqin.Punch) int {
		if a.UserID != b.UserID {
			if a.UserID < b.UserID {
				return -1
			}
			return 1
		}
		return int(a.UserCheckTime - b.UserCheckTime)
	})
	slices.SortStableFunc(in.Schedules, func(a, b kaoqin.Schedule) int {
		if a.UserID < b.UserID {
			return -1
		} else if a.UserID > b.UserID {
			return 1
		}
		return 0
	})
}

// livePeople is a day in progress person by person: plans, punches and punch pulls of each
// case TestComputeDaily_Live checks.
func livePeople() *builder {
	b := liveCompany()
	b.firstPull("a_early", "08:00")
	b.punch("a_early", "08:55") // seen after the pull: checked in, provisionally Normal
	b.firstPull("b_late", "08:00")
	b.punch("b_late", "09:05:30") // provisionally Late, 5 minutes
	b.firstPull("c_pulled", "08:00")
	b.pulled("c_pulled", "09:08") // punches known at 09:08, none: not checked in, 10 minutes overdue
	b.firstPull("d_unknown", "08:00")
	b.firstPull("e_invalid", "08:00")
	b.punch("e_invalid", "08:50", func(p *kaoqin.Punch) { p.InvalidRecordType = "Security" })
	b.pulled("e_invalid", "09:08")
	b.person("f_afternoon") // only plans, DingTalk lists no result yet
	b.plan("f_afternoon", kaoqin.OnDuty, "14:00", false)
	b.plan("f_afternoon", kaoqin.OffDuty, "22:00", false)
	b.person("g_rest")
	b.plan("g_rest", kaoqin.OnDuty, "00:00", true)
	b.person("h_plans_punch") // only plans, and a punch: the punch answers the plan's check
	b.plan("h_plans_punch", kaoqin.OnDuty, "09:00", false)
	b.plan("h_plans_punch", kaoqin.OffDuty, "18:00", false)
	b.punch("h_plans_punch", "08:59")
	b.person("i_judged")
	b.check("i_judged", liveDayDate, kaoqin.OnDuty, "09:00", "08:50", kaoqin.TimeNormal, func(c *kaoqin.Check) { c.SyncedAt = ms(liveDayDate, "09:05") })
	b.check("i_judged", liveDayDate, kaoqin.OffDuty, "18:00", "", kaoqin.TimeNotSigned, func(c *kaoqin.Check) { c.SyncedAt = ms(liveDayDate, "09:05") })
	b.punch("i_judged", "08:58") // a second punch near a signed check-in: an extra punch, it answers nothing
	b.firstPull("j_seen", "08:45")
	b.punch("j_seen", "08:40") // DingTalk judged after it and said NotSigned: the verdict stands
	b.pulled("j_seen", "09:08")
	b.firstPull("k_typed", "08:00")
	b.punch("k_typed", "08:30", func(p *kaoqin.Punch) { p.CheckType = kaoqin.OffDuty }) // a typed punch goes to its type
	b.firstPull("l_same_minute", "08:00")
	b.punch("l_same_minute", "09:00:40") // after the plan time, within its minute: Late, by 0 whole minutes (spec/reports.md)
	sortInput(&b.in)
	return b
}

// TestComputeDaily_Live: plans, punches and punch pulls of a day in progress, person by person.
func TestComputeDaily_Live(t *testing.T) {
	b := livePeople()
	sortInput(&b.in)
	now := when(liveDayDate, "09:10")
	d := mustDaily(t, b.in, liveDayDate, opts(now))

	type want struct {
		presence     string
		late, overdu int
		start, next  string
		results      string
	}
	wants := map[string]want{
		"a_early":       {PresenceIn, 0, 0, "09:00", "18:00", "Normal*,NotSigned"},
		"b_late":        {PresenceLate, 5, 0, "09:00", "18:00", "Late*,NotSigned"},
		"c_pulled":      {PresenceOverdue, 0, 10, "09:00", "18:00", "NotSigned,NotSigned"},
		"d_unknown":     {PresenceAwaiting, 0, 10, "09:00", "18:00", "NotSigned,NotSigned"},
		"e_invalid":     {PresenceOverdue, 0, 10, "09:00", "18:00", "NotSigned,NotSigned"},
		"f_afternoon":   {PresenceNotDue, 0, 0, "14:00", "22:00", ""},
		"g_rest":        {PresenceRest, 0, 0, "", "", ""},
		"h_plans_punch": {PresenceIn, 0, 0, "09:00", "18:00", "Normal*"},
		"i_judged":      {PresenceIn, 0, 0, "09:00", "18:00", "Normal,NotSigned"},
		"j_seen":        {PresenceOverdue, 0, 10, "09:00", "18:00", "NotSigned,NotSigned"},
		"k_typed":       {PresenceAwaiting, 0, 10, "09:00", "", "NotSigned,Early*"},
		"l_same_minute": {PresenceLate, 0, 0, "09:00", "18:00", "Late*,NotSigned"},
	}
	clock := func(t Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("15:04")
	}
	for user, w := range wants {
		e, ok := d.Employee(user)
		if !ok {
			t.Errorf("%s is not in the report", user)
			continue
		}
		var results []string
		for _, c := range e.Checks {
			r := c.TimeResult
			if c.Provisional {
				r += "*"
			}
			results = append(results, r)
		}
		got := want{e.Presence, e.LateMinutes, e.OverdueMinutes, clock(e.ShiftStart), clock(e.NextOffDuty), fmt.Sprint(joinComma(results))}
		if got != w {
			t.Errorf("%s: %+v, want %+v", user, got, w)
		}
	}
	for _, test := range []struct {
		field string
		who   []string
	}{
		{"scheduled", []string{"a_early", "b_late", "c_pulled", "d_unknown", "e_invalid", "f_afternoon", "h_plans_punch", "i_judged", "j_seen", "k_typed", "l_same_minute"}},
		{"checked_in", []string{"a_early", "b_late", "h_plans_punch", "i_judged", "l_same_minute"}},
		{"late", []string{"b_late", "l_same_minute"}},
		{"not_checked_in", []string{"c_pulled", "e_invalid", "j_seen"}},
		{"missing_on_duty", []string{"c_pulled", "e_invalid", "j_seen"}},
		{"awaiting", []string{"d_unknown", "k_typed"}},
		{"not_due_yet", []string{"f_afternoon"}},
		{"due_now", []string{"a_early", "b_late", "c_pulled", "d_unknown", "e_invalid", "h_plans_punch", "i_judged", "j_seen", "k_typed", "l_same_minute"}},
		{"early", []string{"k_typed"}},
	} {
		got, err := d.Who(0, test.field)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(test.who, got); diff != "" {
			t.Errorf("Who(0, %s) (-want +got):\n%s", test.field, diff)
		}
	}
	h, _ := d.Employee("h_plans_punch")
	wantPlans := []Plan{
		{CheckType: kaoqin.OnDuty, PlanCheckTime: at(ms(liveDayDate, "09:00"), shanghai), GroupID: 88, ClassID: 301},
		{CheckType: kaoqin.OffDuty, PlanCheckTime: at(ms(liveDayDate, "18:00"), shanghai), GroupID: 88, ClassID: 301},
	}
	if diff := cmp.Diff(wantPlans, h.Plans); diff != "" {
		t.Errorf("plans (-want +got):\n%s", diff)
	}
	if g, _ := d.Employee("g_rest"); g.Plans == nil || len(g.Plans) != 0 {
		t.Errorf("a rest day's plans: %#v, want []", g.Plans)
	}
	a, _ := d.Employee("a_early")
	if c := a.Checks[0]; c.UserCheckTime == nil || !c.UserCheckTime.Equal(when(liveDayDate, "08:55")) || c.Pending {
		t.Errorf("a_early's provisional check-in: %+v", c)
	}
	var js map[string]any
	raw, _ := json.Marshal(d)
	if err := json.Unmarshal(raw, &js); err != nil {
		t.Fatal(err)
	}
	emp := js["employees"].([]any)[0].(map[string]any)
	for _, k := range []string{"plans", "presence", "shift_start", "late_minutes", "overdue_minutes", "next_off_duty"} {
		if _, ok := emp[k]; !ok {
			t.Errorf("employee JSON lacks %q: %v", k, emp)
		}
	}
	if c := emp["checks"].([]any)[0].(map[string]any); c["provisional"] != true {
		t.Errorf("a_early's check-in in JSON: %v, want provisional true", c)
	}
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

// TestComputeDaily_FinalIgnoresPunches: on a final day DingTalk's results are the truth; the
// plans are shown, punches change nothing.
func TestComputeDaily_FinalIgnoresPunches(t *testing.T) {
	b := liveCompany()
	b.in.Coverage[0] = kaoqin.DayCoverage{Day: liveDayDate, SyncedAt: ms("2026-11-19", "02:00"), Closed: true}
	b.person("u1")
	b.check("u1", liveDayDate, kaoqin.OnDuty, "09:00", "", kaoqin.TimeNotSigned, func(c *kaoqin.Check) { c.SyncedAt = ms("2026-11-19", "02:00") })
	b.plan("u1", kaoqin.OnDuty, "09:00", false)
	b.plan("u1", kaoqin.OffDuty, "18:00", false) // no result for it: not a check on a final day
	b.punch("u1", "08:55")
	sortInput(&b.in)
	d := mustDaily(t, b.in, liveDayDate, opts(when("2026-11-19", "08:00")))
	e, _ := d.Employee("u1")
	if e.Presence != PresenceAbsent || len(e.Checks) != 1 || e.Checks[0].Provisional || len(e.Plans) != 2 {
		t.Errorf("final day: presence %s, checks %+v, plans %d; want absent, one NotSigned check, 2 plans", e.Presence, e.Checks, len(e.Plans))
	}
}

// TestDaily_BoardAddsUp: on every line of every report, scheduled = checked_in +
// not_checked_in + awaiting + not_due_yet + on_leave_not_checked_in, due_now = checked_in +
// not_checked_in + awaiting, and each employee's presence agrees with the counts: the fixture
// reports, and random days in progress.
func TestDaily_BoardAddsUp(t *testing.T) {
	var reports []*Daily
	for _, tc := range goldenCases {
		r, err := tc.compute()
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := r.(*Daily); ok {
			reports = append(reports, d)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		reports = append(reports, mustDaily(t, randomLiveDay(r), liveDayDate, opts(when(liveDayDate, fmt.Sprintf("%02d:%02d", 7+r.IntN(12), r.IntN(60))))))
	}
	for _, d := range reports {
		lines := []Counts{d.Company}
		for _, x := range d.Departments {
			lines = append(lines, x.Counts)
		}
		for _, c := range lines {
			if sum := c.CheckedIn + c.NotCheckedIn + c.Awaiting + c.NotDueYet + c.OnLeaveNotCheckedIn; sum != c.Scheduled {
				t.Fatalf("%s at %s: scheduled %d, but the parts sum to %d: %+v", d.Date, d.GeneratedAt, c.Scheduled, sum, c)
			}
			if c.DueNow != c.CheckedIn+c.NotCheckedIn+c.Awaiting {
				t.Fatalf("due_now %d is not checked_in + not_checked_in + awaiting: %+v", c.DueNow, c)
			}
			if c.OnLeaveCheckedIn+c.OnLeaveNotCheckedIn > c.OnLeave {
				t.Fatalf("more on leave checked in or not than on leave: %+v", c)
			}
		}
		byPresence := map[string]int{}
		for _, e := range d.Employees {
			byPresence[e.Presence]++
		}
		c := d.Company
		if byPresence[PresenceIn]+byPresence[PresenceLate] != c.CheckedIn ||
			byPresence[PresenceOverdue]+byPresence[PresenceAbsent] != c.NotCheckedIn ||
			byPresence[PresenceAwaiting] != c.Awaiting || byPresence[PresenceNotDue] != c.NotDueYet {
			t.Fatalf("presences %v do not match the company line %+v", byPresence, c)
		}
	}
}

// randomLiveDay is a department of 30 people with random plans, checks, punches and leave.
func randomLiveDay(r *rand.Rand) Input {
	b := liveCompany()
	b.in.Coverage[0].SyncedAt = ms(liveDayDate, fmt.Sprintf("%02d:%02d", 6+r.IntN(10), r.IntN(60)))
	clock := func() string { return fmt.Sprintf("%02d:%02d", 6+r.IntN(14), r.IntN(60)) }
	for i := range 30 {
		u := fmt.Sprintf("u%02d", i)
		b.person(u)
		switch r.IntN(4) {
		case 0:
			b.firstPull(u, clock())
		case 1:
			b.plan(u, kaoqin.OnDuty, clock(), false)
			b.plan(u, kaoqin.OffDuty, "23:00", false)
		case 2:
			b.check(u, liveDayDate, kaoqin.OnDuty, "09:00", "08:50", []string{kaoqin.TimeNormal, kaoqin.TimeLate}[r.IntN(2)])
			b.check(u, liveDayDate, kaoqin.OffDuty, "18:00", "", kaoqin.TimeNotSigned)
		}
		for range r.IntN(3) {
			b.punch(u, clock(), func(p *kaoqin.Punch) {
				if r.IntN(5) == 0 {
					p.InvalidRecordType = "Other"
				}
			})
		}
		if r.IntN(3) == 0 {
			b.pulled(u, clock())
		}
		if r.IntN(6) == 0 {
			b.leave(u, liveDayDate+" 09:00", liveDayDate+" 12:00", kaoqin.LeavePercentDay, 50)
		}
	}
	sortInput(&b.in)
	return b.in
}

// TestReadLive_ReusedBuf: one liveBuf for a day's people one after the other, as the daily
// report does, reads each exactly as fresh slices would.
func TestReadLive_ReusedBuf(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	buf := new(liveBuf)
	for range 20 {
		in := randomLiveDay(r)
		for _, e := range in.Employees {
			of := func(user string) bool { return user == e.UserID }
			var checks []kaoqin.Check
			var plans []kaoqin.Schedule
			var punches []kaoqin.Punch
			for _, c := range in.Checks {
				if of(c.UserID) {
					checks = append(checks, c)
				}
			}
			for _, p := range in.Schedules {
				if of(p.UserID) {
					plans = append(plans, p)
				}
			}
			for _, p := range in.Punches {
				if of(p.UserID) {
					punches = append(punches, p)
				}
			}
			pulledAt := int64(r.IntN(2)) * when(liveDayDate, "09:00").UnixMilli()
			want := readLive(nil, checks, plans, punches, pulledAt, 1)
			wantShown, wantProv := want.shown()
			got := readLive(buf, checks, plans, punches, pulledAt, 1)
			gotShown, gotProv := got.shown()
			if !slices.Equal(want.checks, got.checks) || !slices.Equal(want.provisional, got.provisional) ||
				!slices.Equal(want.placeholder, got.placeholder) || !slices.Equal(wantShown, gotShown) || !slices.Equal(wantProv, gotProv) {
				t.Fatalf("%s: read with a reused buffer\n%+v\nwant\n%+v", e.UserID, got, want)
			}
		}
	}
}

// TestComputeCalendar_Live: on a day in progress an employee's calendar day reads their plans,
// punches and punch pulls as the daily report does: the same status and the same checks,
// provisional readings included.
func TestComputeCalendar_Live(t *testing.T) {
	b := livePeople()
	now := when(liveDayDate, "09:10")
	d := mustDaily(t, b.in, liveDayDate, opts(now))
	provisional := 0
	for _, e := range d.Employees {
		cal, err := ComputeCalendar(b.in, e.UserID, liveDayDate, liveDayDate, opts(now))
		if err != nil {
			t.Fatal(err)
		}
		day := cal.Days[0]
		if day.Status != e.Status {
			t.Errorf("%s: calendar says %s, the daily report %s", e.UserID, day.Status, e.Status)
		}
		if diff := cmp.Diff(e.Checks, day.Checks); diff != "" {
			t.Errorf("%s: calendar's checks (-daily +calendar):\n%s", e.UserID, diff)
		}
		for _, c := range day.Checks {
			if c.Provisional {
				provisional++
			}
		}
	}
	if provisional == 0 {
		t.Error("no provisional check on the calendar: the test reads no punch")
	}
}
