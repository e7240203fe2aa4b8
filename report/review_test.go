package report

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
)

// reviewCompany has, in 2026-11-09..23, one of each thing worth a look.
func reviewCompany() *punchSource {
	src := &punchSource{fakeSource: fakeSource{in: company()}}
	id := int64(0)
	add := func(user, day, clock string, o func(*kaoqin.Punch)) {
		id++
		p := kaoqin.Punch{ID: id, UserID: user, WorkDate: day, CheckType: kaoqin.OnDuty, TimeResult: kaoqin.TimeNormal,
			LocationResult: kaoqin.LocationNormal, SourceType: "USER", LocationMethod: "MAP", UserCheckTime: ms(day, clock),
			BaseCheckTime: ms(day, "09:00"), Latitude: 31.2033, Longitude: 121.5908, Accuracy: 30,
			BaseLatitude: 31.2033, BaseLongitude: 121.5908, BaseAccuracy: 100, DeviceID: "phone-" + user}
		if o != nil {
			o(&p)
		}
		src.punches = append(src.punches, p)
	}
	// u01 checks in at 08:58 and some seconds on 8 workdays in a row.
	for i, d := range workdays[:8] {
		add("u01", d, fmt.Sprintf("08:58:%02d", 10+i), nil)
	}
	// u02 on 9 days, but at 08:57 on the fifth: no run of 8.
	for i, d := range workdays[:9] {
		clock := "08:58:00"
		if i == 4 {
			clock = "08:57:30"
		}
		add("u02", d, clock, nil)
	}
	add("u03", "2026-11-16", "08:40", func(p *kaoqin.Punch) { p.InvalidRecordType, p.InvalidRecordMsg = "Security", "虚拟定位" })
	// u04 punches on u07's phone on 11-17.
	add("u04", "2026-11-17", "08:50", func(p *kaoqin.Punch) { p.DeviceID = "phone-u07" })
	add("u07", "2026-11-17", "08:52", nil)
	// u09: 3 km away with 1,200 m accuracy; 600 m away with 30 m (allowed 630): fine.
	add("u09", "2026-11-18", "08:55", func(p *kaoqin.Punch) { p.Latitude, p.Longitude, p.Accuracy = 31.2243, 121.6098, 1200 })
	add("u09", "2026-11-19", "08:55", func(p *kaoqin.Punch) { p.Latitude = 31.2033 + 0.0054 })
	// u11: an administrator fixed the check-in, an approval the check-out.
	add("u11", "2026-11-18", "09:00", func(p *kaoqin.Punch) { p.SourceType, p.LocationMethod = "BOSS", "" })
	add("u11", "2026-11-18", "18:00", func(p *kaoqin.Punch) {
		p.SourceType, p.LocationMethod, p.CheckType = "APPROVE", "", kaoqin.OffDuty
	})
	return src
}

func TestReview(t *testing.T) {
	ctx := context.Background()
	r, err := LoadReview(ctx, reviewCompany(), "2026-11-09", "2026-11-23", opts(afterRange), ReviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Flags {
		got = append(got, fmt.Sprintf("%s %s %v %v", f.Kind, f.WorkDate, f.UserIDs, f.PunchIDs))
	}
	want := []string{
		"far_from_base 2026-11-18 [u09] [21]",
		"invalid_punch 2026-11-16 [u03] [18]",
		"not_by_person 2026-11-18 [u11] [23 24]",
		"same_minute 2026-11-09 [u01] [1 2 3 4 5 6 7 8]",
		"shared_device 2026-11-17 [u04 u07] [19 20]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("flags:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range r.Flags {
		if f.Detail == "" || f.Say(Chinese) == "" || len(f.Names) != len(f.UserIDs) {
			t.Errorf("flag %+v: no words or names", f)
		}
		for _, word := range []string{"fraud", "cheat", "作弊", "造假"} {
			if strings.Contains(strings.ToLower(f.Detail+f.Say(Chinese)), word) {
				t.Errorf("flag %s accuses: %s / %s", f.Kind, f.Detail, f.Say(Chinese))
			}
		}
	}
	if d := r.Flags[0].Say(English); !strings.Contains(d, "m from its base") {
		t.Errorf("far from base says %q", d)
	}

	// Thresholds: 4 km allowed, a run of 9 days.
	r, err = LoadReview(ctx, reviewCompany(), "2026-11-09", "2026-11-23", opts(afterRange), ReviewOptions{FarFromBase: 4000, SameMinuteDays: 9})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Flags {
		if f.Kind == FlagFarFromBase || f.Kind == FlagSameMinute {
			t.Errorf("with higher thresholds: %+v", f)
		}
	}
	// A manager of 销售部 sees its people only: u04 and u07's shared phone, not u09's walk.
	r, err = LoadReview(ctx, reviewCompany(), "2026-11-09", "2026-11-23", opts(afterRange, 5), ReviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Flags) != 1 || r.Flags[0].Kind != FlagSharedDevice {
		t.Errorf("销售部's review: %+v", r.Flags)
	}
}

func TestMethodStats(t *testing.T) {
	ctx := context.Background()
	s, err := LoadMethodStats(ctx, punchCompany(), "2026-11-16", "2026-11-18", opts(afterRange))
	if err != nil {
		t.Fatal(err)
	}
	c := s.Company
	if c.Punches != 7 || c.ByMethod[kaoqin.MethodPhoneGPS] != 3 || c.ByMethod[kaoqin.MethodMachine] != 1 ||
		c.ByMethod[kaoqin.MethodPhoneWiFi] != 1 || c.ByMethod[kaoqin.MethodAdmin] != 1 || c.ByMethod[kaoqin.MethodApproval] != 1 ||
		c.Invalid != 1 || c.Outside != 0 {
		t.Errorf("company %+v", c)
	}
	// 周八 (u06) counts in 前端组 on 11-16 and in 销售部 on 11-17; 李四 (u02) in both his departments.
	for _, test := range []struct {
		dept    int64
		punches int
	}{{3, 4}, {4, 1}, {5, 3}, {2, 5}, {1, 6}} {
		d, ok := s.Department(test.dept)
		if !ok || d.Counts.Punches != test.punches {
			t.Errorf("department %d: %+v, want %d punches", test.dept, d, test.punches)
		}
	}
	if len(s.Days) != 3 || s.Days[1].Counts.Punches != 4 || s.Days[1].Counts.Invalid != 1 {
		t.Errorf("days %+v", s.Days)
	}
	if sum := s.Days[0].Counts.Punches + s.Days[1].Counts.Punches + s.Days[2].Counts.Punches; sum != c.Punches {
		t.Errorf("days sum to %d, the company %d", sum, c.Punches)
	}
}
