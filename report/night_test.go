package report

import (
	"context"
	"testing"

	"github.com/kaoqin/kaoqin"
)

// nightLeaveCompany: n1 works 22:00-06:00 on Tuesday 2026-12-01 and Thursday the 3rd and
// rests on the 2nd; their night of the 1st is a whole day's leave, 22:00 to 06:00 the next
// morning, which DingTalk files under the 1st. n2 works 20:00-08:00 on the 1st, rests on the
// 2nd, and takes the second half of the night off, 01:00 to 08:00 on the 2nd: DingTalk files
// that under the 1st too. d1 works 09:00-18:00 every day, and takes 10:00-12:00 off on the 2nd.
func nightLeaveCompany() Input {
	b := &builder{}
	b.in.Departments = []kaoqin.Department{{ID: 1, Name: "示例公司"}, {ID: 2, ParentID: 1, Name: "保安部"}}
	b.in.Employees = []kaoqin.Employee{
		{UserID: "d1", Name: "白班", DeptIDs: []int64{2}},
		{UserID: "n1", Name: "郑文", DeptIDs: []int64{2}},
		{UserID: "n2", Name: "吕云云", DeptIDs: []int64{2}},
	}
	b.in.Memberships = []kaoqin.Membership{{UserID: "d1", DeptID: 2}, {UserID: "n1", DeptID: 2}, {UserID: "n2", DeptID: 2}}
	shift := func(user, day, on, off, in, out, result string, opts ...func(*kaoqin.Check)) {
		next := kaoqin.AddDays(day, 1)
		b.check(user, day, kaoqin.OnDuty, on, in, result, opts...)
		b.check(user, day, kaoqin.OffDuty, off, out, result, append(opts, func(c *kaoqin.Check) {
			c.BaseCheckTime = ms(next, off)
			if c.Signed() {
				c.UserCheckTime = ms(next, out)
			} else {
				c.UserCheckTime = c.BaseCheckTime
			}
		})...)
	}
	shift("n1", "2026-12-01", "22:00", "06:00", "", "", kaoqin.TimeNotSigned, approved(7))
	shift("n1", "2026-12-03", "22:00", "06:00", "21:55", "06:02", kaoqin.TimeNormal)
	b.check("n2", "2026-12-01", kaoqin.OnDuty, "20:00", "19:50", kaoqin.TimeNormal)
	b.check("n2", "2026-12-01", kaoqin.OffDuty, "08:00", "", kaoqin.TimeNotSigned, approved(8), func(c *kaoqin.Check) {
		c.BaseCheckTime, c.UserCheckTime = ms("2026-12-02", "08:00"), ms("2026-12-02", "08:00")
	})
	for _, d := range []string{"2026-12-01", "2026-12-02", "2026-12-03"} {
		b.normal("d1", d)
	}
	b.leave("n1", "2026-12-01 22:00", "2026-12-02 06:00", kaoqin.LeavePercentDay, 100)
	b.leave("n2", "2026-12-02 01:00", "2026-12-02 08:00", kaoqin.LeavePercentDay, 50)
	b.leave("d1", "2026-12-02 10:00", "2026-12-02 12:00", kaoqin.LeavePercentHour, 200)
	b.cover("2026-12-01", "2026-12-03", true)
	sortInput(&b.in)
	return b.in
}

// TestLoad_nightLeave: the leave of a night shift counts on its work date, where DingTalk
// files it, and not also on the calendar day its morning falls on, whether it began before
// midnight or after: the daily report of the 2nd, a period or a calendar that starts on the
// 2nd read the night of the 1st to know where the 2nd begins for n1 and n2, whatever the
// moment of the report (the board of the small hours reads it anyway).
func TestLoad_nightLeave(t *testing.T) {
	ctx := context.Background()
	in := nightLeaveCompany()
	now := when("2026-12-05", "10:00")
	src := &fakeSource{in: in}

	d, err := LoadDaily(ctx, src, "2026-12-02", opts(now))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"n1", "n2"} {
		if e, _ := d.Employee(u); e == nil || e.OnLeave || e.Status != StatusRest {
			t.Errorf("%s on the 2nd, the morning after a night on leave: %+v; want rest, not on leave", u, e)
		}
	}
	if e, _ := d.Employee("d1"); e == nil || !e.OnLeave || d.Company.OnLeave != 1 {
		t.Errorf("the 2nd counts %d on leave, want d1's two hours alone: %+v", d.Company.OnLeave, e)
	}
	if jsonOf(t, d) != jsonOf(t, mustDaily(t, in, "2026-12-02", opts(now))) {
		t.Error("LoadDaily of the 2nd differs from ComputeDaily on the same data")
	}
	d, err = LoadDaily(ctx, src, "2026-12-01", opts(now))
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := d.Employee("n1"); e == nil || !e.OnLeave || e.Status != StatusLeave || d.Company.OnLeave != 2 {
		t.Errorf("n1 on the 1st, a night on leave: %+v, %d on leave; want on leave, with n2", e, d.Company.OnLeave)
	}
	if e, _ := d.Employee("n2"); e == nil || !e.OnLeave {
		t.Errorf("n2 on the 1st, half the night on leave: %+v; want on leave", e)
	}

	for _, r := range [][2]string{{"2026-12-02", "2026-12-03"}, {"2026-12-01", "2026-12-03"}} {
		want := 0
		if r[0] == "2026-12-01" {
			want = 1
		}
		p, err := LoadPeriod(ctx, &fakeSource{in: in}, r[0], r[1], opts(now))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Employees {
			if e.UserID == "n1" && (e.LeaveDays != want || e.LeaveDurationDays != float64(want)) {
				t.Errorf("%s..%s: n1's leave %d days (%.2f by DingTalk), want %d", r[0], r[1], e.LeaveDays, e.LeaveDurationDays, want)
			}
			if e.UserID == "n2" && (e.LeaveDays != want || e.LeaveDurationDays != float64(want)/2) {
				t.Errorf("%s..%s: n2's leave %d days (%.2f by DingTalk), want %d (half a day)", r[0], r[1], e.LeaveDays, e.LeaveDurationDays, want)
			}
		}
		if jsonOf(t, p) != jsonOf(t, mustPeriod(t, in, r[0], r[1], opts(now))) {
			t.Errorf("%s..%s: LoadPeriod differs from ComputePeriod on the same data", r[0], r[1])
		}
		for _, size := range []int{1, 1000} {
			s, err := OpenPeriod(ctx, &fakeSource{in: in}, r[0], r[1], opts(now))
			if err != nil {
				t.Fatal(err)
			}
			s.size = size
			got := writeAll(t, s)
			if w := writeAll(t, p); string(got["json zh"]) != string(w["json zh"]) {
				t.Errorf("%s..%s in slices of %d differs from the period read whole:\n%s\nwant\n%s", r[0], r[1], size, got["json zh"], w["json zh"])
			}
		}
	}

	for _, u := range []string{"n1", "n2"} {
		c, err := LoadCalendar(ctx, &fakeSource{in: in}, u, "2026-12-02", "2026-12-03", opts(now))
		if err != nil {
			t.Fatal(err)
		}
		if c.Days[0].OnLeave || c.Days[0].Status != StatusRest || c.Days[1].OnLeave {
			t.Errorf("%s's calendar from the 2nd: %+v", u, c.Days)
		}
	}
}
