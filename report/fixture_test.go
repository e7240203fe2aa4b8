package report

import (
	"time"

	"github.com/kaoqin/kaoqin"
)

// The fixtures are a small company written by hand, in the configured zone, over
// 2026-11-09 (Monday) .. 2026-11-23 (Monday):
//
//	1 示例公司
//	├── 2 研发部            u10 钱十一 (afternoon shift, 14:00-22:00)
//	│   ├── 3 后端组        u01 张三, u02 李四 (also in 5), u09 Bob Smith
//	│   └── 4 前端组        u03 王五 (split shift), u06 周八 (until 11-16), u11 冯十二
//	├── 5 销售部            u02 李四, u04 赵六, u06 周八 (from 11-17), u07 吴九
//	└── 6 旧项目组          u05 孙七 (left after 11-11); removed 2026-11-12
//	u08 郑十 has checks on 11-18 but no department.
//
// Saturday 2026-11-14 is a make-up workday; 11-15, 11-21 and 11-22 are rest days.

var shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at returns day at hh:mm[:ss] in Shanghai as unix ms.
func ms(day, clock string) int64 {
	layout := "2006-01-02 15:04"
	if len(clock) == 8 {
		layout = "2006-01-02 15:04:05"
	}
	t, err := time.ParseInLocation(layout, day+" "+clock, shanghai)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

func when(day, clock string) time.Time { return time.UnixMilli(ms(day, clock)).In(shanghai) }

type builder struct {
	in     Input
	nextID int64
}

// check adds one check; punch "" means NotSigned. Extra options tweak the row.
func (b *builder) check(user, day, typ, base, punch, result string, opts ...func(*kaoqin.Check)) {
	b.nextID++
	c := kaoqin.Check{ID: b.nextID, UserID: user, WorkDate: day, CheckType: typ, TimeResult: result,
		LocationResult: kaoqin.LocationNormal, BaseCheckTime: ms(day, base)}
	if punch == "" {
		c.LocationResult = kaoqin.LocationNotSigned
		c.UserCheckTime = c.BaseCheckTime // as DingTalk does: the base time in the punch field
	} else {
		c.UserCheckTime = ms(day, punch)
		c.RecordID = 1000 + b.nextID
	}
	for _, o := range opts {
		o(&c)
	}
	b.in.Checks = append(b.in.Checks, c)
}

func outside(c *kaoqin.Check)               { c.LocationResult = kaoqin.LocationOutside }
func approved(id int64) func(*kaoqin.Check) { return func(c *kaoqin.Check) { c.ApproveID = id } }

// normal adds an ordinary 09:00-18:00 day.
func (b *builder) normal(user, day string) {
	b.check(user, day, kaoqin.OnDuty, "09:00", "08:55", kaoqin.TimeNormal)
	b.check(user, day, kaoqin.OffDuty, "18:00", "18:05", kaoqin.TimeNormal)
}

func (b *builder) leave(user, start, end string, unit string, percent int64) {
	b.in.Leaves = append(b.in.Leaves, kaoqin.Leave{UserID: user, StartTime: ms(start[:10], start[11:]),
		EndTime: ms(end[:10], end[11:]), DurationUnit: unit, DurationPercent: percent})
}

func (b *builder) cover(from, to string, closed bool) {
	for _, d := range kaoqin.Days(from, to) {
		_, end := kaoqin.DayBounds(d, shanghai)
		b.in.Coverage = append(b.in.Coverage, kaoqin.DayCoverage{Day: d, SyncedAt: end.Add(2 * time.Hour).UnixMilli(), Closed: closed})
	}
}

var workdays = []string{
	"2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12", "2026-11-13", "2026-11-14",
	"2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-23",
}

// company is the fixture company with its attendance, every day of the range synced and final.
func company() Input {
	b := &builder{}
	b.in.Departments = []kaoqin.Department{
		{ID: 1, ParentID: 0, Name: "示例公司"},
		{ID: 2, ParentID: 1, Name: "研发部"},
		{ID: 3, ParentID: 2, Name: "后端组"},
		{ID: 4, ParentID: 2, Name: "前端组"},
		{ID: 5, ParentID: 1, Name: "销售部"},
		{ID: 6, ParentID: 1, Name: "旧项目组", RemovedAt: ms("2026-11-12", "10:00")},
	}
	b.in.Employees = []kaoqin.Employee{
		{UserID: "u01", Name: "张三", JobNumber: "E001", DeptIDs: []int64{3}, HiredAt: ms("2024-03-01", "00:00")},
		{UserID: "u02", Name: "李四", JobNumber: "E002", DeptIDs: []int64{3, 5}},
		{UserID: "u03", Name: "王五", JobNumber: "E003", DeptIDs: []int64{4}},
		{UserID: "u04", Name: "赵六", JobNumber: "E004", DeptIDs: []int64{5}},
		{UserID: "u05", Name: "孙七", JobNumber: "E005", LeftAt: ms("2026-11-12", "02:00")},
		{UserID: "u06", Name: "周八", JobNumber: "E006", DeptIDs: []int64{5}},
		{UserID: "u07", Name: "吴九", JobNumber: "E007", DeptIDs: []int64{5}},
		{UserID: "u08", Name: "郑十", JobNumber: "E008"},
		{UserID: "u09", Name: "Bob Smith", JobNumber: "E009", DeptIDs: []int64{3}},
		{UserID: "u10", Name: "钱十一", JobNumber: "E010", DeptIDs: []int64{2}},
		{UserID: "u11", Name: "冯十二", JobNumber: "E011", DeptIDs: []int64{4}},
	}
	b.in.Memberships = []kaoqin.Membership{
		{UserID: "u01", DeptID: 3},
		{UserID: "u02", DeptID: 3},
		{UserID: "u02", DeptID: 5},
		{UserID: "u03", DeptID: 4},
		{UserID: "u04", DeptID: 5},
		{UserID: "u05", DeptID: 6, To: "2026-11-11"},
		{UserID: "u06", DeptID: 4, To: "2026-11-16"},
		{UserID: "u06", DeptID: 5, From: "2026-11-17"},
		{UserID: "u07", DeptID: 5},
		{UserID: "u09", DeptID: 3},
		{UserID: "u10", DeptID: 2},
		{UserID: "u11", DeptID: 4},
	}
	for _, d := range workdays {
		// u01 张三: normal, but 3 minutes late on the make-up Saturday.
		if d == "2026-11-14" {
			b.check("u01", d, kaoqin.OnDuty, "09:00", "09:03:30", kaoqin.TimeLate)
			b.check("u01", d, kaoqin.OffDuty, "18:00", "18:01", kaoqin.TimeNormal)
		} else {
			b.normal("u01", d)
		}
		// u02 李四 (two departments): late on 11-10 and 11-18.
		switch d {
		case "2026-11-10":
			b.check("u02", d, kaoqin.OnDuty, "09:00", "09:15:59", kaoqin.TimeLate)
			b.check("u02", d, kaoqin.OffDuty, "18:00", "18:00", kaoqin.TimeNormal)
		case "2026-11-18":
			b.check("u02", d, kaoqin.OnDuty, "09:00", "09:07:12", kaoqin.TimeLate)
			b.check("u02", d, kaoqin.OffDuty, "18:00", "18:30", kaoqin.TimeNormal)
		default:
			b.normal("u02", d)
		}
		// u03 王五: split shift 09:00-12:00, 14:00-18:00.
		on1, on2 := [2]string{"08:58", kaoqin.TimeNormal}, [2]string{"13:59", kaoqin.TimeNormal}
		switch d {
		case "2026-11-12":
			on1 = [2]string{"10:30", kaoqin.TimeAbsenteeism}
		case "2026-11-18":
			on2 = [2]string{"14:40:05", kaoqin.TimeSeriousLate}
		}
		b.check("u03", d, kaoqin.OnDuty, "09:00", on1[0], on1[1])
		b.check("u03", d, kaoqin.OffDuty, "12:00", "12:01", kaoqin.TimeNormal)
		b.check("u03", d, kaoqin.OnDuty, "14:00", on2[0], on2[1])
		b.check("u03", d, kaoqin.OffDuty, "18:00", "18:02", kaoqin.TimeNormal)
		// u04 赵六: half a day of leave on the morning of 11-18.
		if d == "2026-11-18" {
			b.check("u04", d, kaoqin.OnDuty, "09:00", "", kaoqin.TimeNotSigned, approved(7001))
			b.check("u04", d, kaoqin.OffDuty, "18:00", "18:01", kaoqin.TimeNormal)
		} else {
			b.normal("u04", d)
		}
		// u05 孙七: left after 11-11; absent on 11-10.
		switch {
		case d == "2026-11-10":
			b.check("u05", d, kaoqin.OnDuty, "09:00", "", kaoqin.TimeNotSigned)
			b.check("u05", d, kaoqin.OffDuty, "18:00", "", kaoqin.TimeNotSigned)
		case d <= "2026-11-11":
			b.normal("u05", d)
		}
		// u06 周八: moved from 前端组 to 销售部 on 11-17; left early on 11-13 and 11-18.
		switch d {
		case "2026-11-13":
			b.check("u06", d, kaoqin.OnDuty, "09:00", "08:50", kaoqin.TimeNormal)
			b.check("u06", d, kaoqin.OffDuty, "18:00", "17:45", kaoqin.TimeEarly)
		case "2026-11-18":
			b.check("u06", d, kaoqin.OnDuty, "09:00", "08:40", kaoqin.TimeNormal, outside)
			b.check("u06", d, kaoqin.OffDuty, "18:00", "17:30:40", kaoqin.TimeEarly, outside)
		default:
			b.normal("u06", d)
		}
		// u07 吴九: absent on 11-18, forgot to check in on 11-19.
		switch d {
		case "2026-11-18":
			b.check("u07", d, kaoqin.OnDuty, "09:00", "", kaoqin.TimeNotSigned)
			b.check("u07", d, kaoqin.OffDuty, "18:00", "", kaoqin.TimeNotSigned)
		case "2026-11-19":
			b.check("u07", d, kaoqin.OnDuty, "09:00", "", kaoqin.TimeNotSigned)
			b.check("u07", d, kaoqin.OffDuty, "18:00", "18:10", kaoqin.TimeNormal)
		default:
			b.normal("u07", d)
		}
		// u08 郑十: checks on 11-18 only, no department.
		if d == "2026-11-18" {
			b.normal("u08", d)
		}
		// u09 Bob Smith: checked in outside on 11-18 and forgot to check out.
		if d == "2026-11-18" {
			b.check("u09", d, kaoqin.OnDuty, "09:00", "08:59", kaoqin.TimeNormal, outside)
			b.check("u09", d, kaoqin.OffDuty, "18:00", "", kaoqin.TimeNotSigned)
		} else {
			b.normal("u09", d)
		}
		// u10 钱十一: afternoon shift.
		b.check("u10", d, kaoqin.OnDuty, "14:00", "13:50", kaoqin.TimeNormal)
		b.check("u10", d, kaoqin.OffDuty, "22:00", "22:05", kaoqin.TimeNormal)
		// u11 冯十二: on leave Friday 11-20 to Monday 11-23, 2 days as DingTalk counts.
		if d == "2026-11-20" || d == "2026-11-23" {
			b.check("u11", d, kaoqin.OnDuty, "09:00", "", kaoqin.TimeNotSigned, approved(7002))
			b.check("u11", d, kaoqin.OffDuty, "18:00", "", kaoqin.TimeNotSigned, approved(7002))
		} else {
			b.normal("u11", d)
		}
	}
	b.leave("u04", "2026-11-18 09:00", "2026-11-18 13:00", kaoqin.LeavePercentDay, 50)
	b.leave("u11", "2026-11-20 09:00", "2026-11-23 18:00", kaoqin.LeavePercentDay, 200)
	b.leave("u01", "2026-11-16 16:00", "2026-11-16 18:00", kaoqin.LeavePercentHour, 200)
	b.cover("2026-11-09", "2026-11-23", true)
	return b.in
}

// asOf returns in as DingTalk shows it at now: punches after now have not happened, so
// their checks are NotSigned, and the coverage of now's day is not closed.
func asOf(in Input, now time.Time) Input {
	n := now.UnixMilli()
	out := in
	out.Checks = nil
	for _, c := range in.Checks {
		if c.Signed() && c.UserCheckTime > n {
			c.TimeResult, c.LocationResult, c.UserCheckTime, c.RecordID = kaoqin.TimeNotSigned, kaoqin.LocationNotSigned, c.BaseCheckTime, 0
		}
		out.Checks = append(out.Checks, c)
	}
	out.Coverage = nil
	for _, c := range in.Coverage {
		if c.Day == kaoqin.DateOf(now, shanghai) {
			c.SyncedAt, c.Closed = n-2*60_000, false
		}
		out.Coverage = append(out.Coverage, c)
	}
	return out
}

func opts(now time.Time, depts ...int64) Options {
	return Options{Location: shanghai, Now: now, DeptIDs: depts}
}
