package dingtalksim

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// nightPeople returns the userids of the night group (22:00-06:00) and of the two-shift
// rotation, by the truth's group ids.
func nightPeople(t *testing.T, s *Server) (night, turn []string) {
	t.Helper()
	gs := s.Truth().Groups()
	if len(gs) != 4 {
		t.Fatalf("%d attendance groups with night shifts, want 4", len(gs))
	}
	for _, u := range s.Truth().Users() {
		switch u.GroupID {
		case gs[2].ID:
			night = append(night, u.UserID)
		case gs[3].ID:
			turn = append(turn, u.UserID)
		}
	}
	if len(night) < 5 || len(turn) < 5 {
		t.Fatalf("%d people on the night shift and %d on the rotation: too few to test", len(night), len(turn))
	}
	return night, turn
}

// TestNightShift_Groups: the teams (…班) work the night group, the hotline and its
// departments the rotation, and the group APIs say the check-out is the next day.
func TestNightShift_Groups(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{Seed: 3, NightShift: true})
	night, turn := nightPeople(t, s.Server)
	tr := s.Truth()
	deptName := map[int64]string{}
	for _, d := range tr.Departments() {
		deptName[d.ID] = d.Name
	}
	for _, id := range night {
		u, _ := tr.User(id)
		if name := deptName[u.DeptIDs[0]]; !strings.HasSuffix(name, "班") {
			t.Errorf("%s works nights but belongs to %s, not a team", id, name)
		}
	}
	if without := New(Config{Seed: 3, Employees: 300, Now: wednesday}); len(without.Truth().Groups()) != 2 {
		t.Errorf("without NightShift the company has %d groups, want 2", len(without.Truth().Groups()))
	}

	var groups struct {
		Result struct {
			Groups []simpleGroup `json:"groups"`
		} `json:"result"`
	}
	s.ok("/topapi/attendance/getsimplegroups", `{"offset":0,"size":10}`, &groups)
	byName := map[string]simpleGroup{}
	for _, g := range groups.Result.Groups {
		byName[g.GroupName] = g
	}
	ng, tg := byName["夜班考勤组"], byName["两班倒考勤组"]
	if ng.Type != "FIXED" || len(ng.SelectedClass) != 1 || ng.MemberCount != len(night) {
		t.Fatalf("night group: %+v", ng)
	}
	off := ng.SelectedClass[0].Sections[0].Times[1]
	if off.CheckTime != "1970-01-01 06:00:00" || off.Across != 1 || off.CheckType != "OffDuty" {
		t.Errorf("night check-out %+v, want 06:00 across 1", off)
	}
	if tg.Type != "TURN" || len(tg.SelectedClass) != 2 || tg.MemberCount != len(turn) || !slices.Contains(tg.DeptNameList, hotline) {
		t.Fatalf("rotation group: %+v", tg)
	}
	if want := []string{"白班:08:00-20:00", "夜班:20:00-次日08:00"}; !slices.Equal(tg.ClassesList, want) {
		t.Errorf("rotation classes %q, want %q", tg.ClassesList, want)
	}

	var ug struct {
		Result struct {
			Type    string `json:"type"`
			Classes []struct {
				Sections []struct {
					Times []userGroupTime `json:"times"`
				} `json:"sections"`
			} `json:"classes"`
		} `json:"result"`
	}
	s.ok("/topapi/attendance/getusergroup", `{"userid":"`+turn[0]+`"}`, &ug)
	if ug.Result.Type != "TURN" || len(ug.Result.Classes) != 2 || ug.Result.Classes[1].Sections[0].Times[1].Across != 1 {
		t.Errorf("getusergroup of a rotation person: %+v", ug.Result)
	}
}

// TestNightShift_Day: a night shift's checks, plans and punches belong to the work date it
// began on; attendance/list and listRecord say what has happened by the company clock, and
// listRecord finds the morning's check-out among the next calendar day's punches.
func TestNightShift_Day(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{Seed: 3, NightShift: true})
	night, _ := nightPeople(t, s.Server)
	at := func(wall string) int64 { return s.At(wall).UnixMilli() }

	// Someone whose Wednesday night shift was punched in and out.
	var who string
	for _, id := range night {
		if day, _ := s.Truth().Day(id, "2026-11-18"); day.Outcome == OutcomeNormal && day.Trip == "" && !day.AutoOff {
			who = id
			break
		}
	}
	if who == "" {
		t.Fatal("no normal night shift on 2026-11-18")
	}
	day, _ := s.Truth().Day(who, "2026-11-18")
	if len(day.Schedules) != 2 || day.Schedules[0].PlanCheckTime != at("2026-11-18 22:00") ||
		day.Schedules[1].PlanCheckTime != at("2026-11-19 06:00") || day.Schedules[1].WorkDate != "2026-11-18" {
		t.Fatalf("plans of the night of the 18th: %+v", day.Schedules)
	}
	in, out := day.FinalResults[0], day.FinalResults[1]
	if in.UserCheckTime >= at("2026-11-18 22:00") || out.UserCheckTime < at("2026-11-19 06:00") || out.UserCheckTime > at("2026-11-19 08:00") {
		t.Fatalf("a normal night: in at %v, out at %v", time.UnixMilli(in.UserCheckTime), time.UnixMilli(out.UserCheckTime))
	}

	// 23:30: checked in, the check-out still to come.
	s.SetNow(s.At("2026-11-18 23:30"))
	rs := s.results([]string{who}, "2026-11-18", "2026-11-18")
	if len(rs) != 2 || rs[0].TimeResult != "Normal" || rs[1].TimeResult != "NotSigned" || rs[1].WorkDate != at("2026-11-18 00:00") {
		t.Fatalf("results at 23:30: %+v", rs)
	}
	// 02:30 the next morning: the same; the 19th's listRecord has no punch of this shift yet.
	s.SetNow(s.At("2026-11-19 02:30"))
	if rs := s.results([]string{who}, "2026-11-18", "2026-11-18"); rs[1].TimeResult != "NotSigned" {
		t.Errorf("check-out at 02:30: %+v", rs[1])
	}
	if recs := s.records([]string{who}, "2026-11-19", "2026-11-19"); len(recs) != 0 {
		t.Errorf("punches of the 19th at 02:30: %+v", recs)
	}
	// 09:00: the check-out is signed, and the 19th's listRecord has it, filed under the 18th.
	s.SetNow(s.At("2026-11-19 09:00"))
	if rs := s.results([]string{who}, "2026-11-18", "2026-11-18"); rs[1].TimeResult != "Normal" || rs[1].RecordID != out.RecordID {
		t.Errorf("check-out at 09:00: %+v", rs[1])
	}
	recs := s.records([]string{who}, "2026-11-19", "2026-11-19")
	if i := slices.IndexFunc(recs, func(r Record) bool { return r.ID == out.RecordID }); i < 0 || recs[i].WorkDate != at("2026-11-18 00:00") {
		t.Errorf("the 19th's punches lack the check-out of the 18th's night, filed under the 18th: %+v", recs)
	}
	// The 18th's own day of punches does not reach into the 19th.
	for _, r := range s.records([]string{who}, "2026-11-18", "2026-11-18") {
		if r.ID == out.RecordID {
			t.Errorf("the 18th's punches (by time) hold the check-out of the 19th's morning")
		}
	}

	// The Friday night ends on Saturday; Saturday is a rest day.
	fri, _ := s.Truth().Day(who, "2026-11-27")
	sat, _ := s.Truth().Day(who, "2026-11-28")
	if fri.Schedules[1].PlanCheckTime != at("2026-11-28 06:00") || sat.Outcome != OutcomeRest {
		t.Errorf("Friday night %+v, Saturday %s", fri.Schedules, sat.Outcome)
	}
}

// TestNightShift_Rotation: the hotline works day, night, rest, rest, whatever the calendar,
// the night class ending at 08:00 the next morning.
func TestNightShift_Rotation(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{Seed: 3, NightShift: true})
	_, turn := nightPeople(t, s.Server)
	for _, id := range turn[:3] {
		var pattern []string
		for d := civilFromDate(2026, 11, 14); d < civilFromDate(2026, 11, 22); d++ {
			day, _ := s.Truth().Day(id, d.String())
			switch {
			case day.Outcome == OutcomeRest:
				pattern = append(pattern, "rest")
			case len(day.Schedules) == 2 && day.Schedules[0].PlanCheckTime == s.At(d.String()+" 08:00").UnixMilli():
				pattern = append(pattern, "day")
			case len(day.Schedules) == 2 && day.Schedules[1].PlanCheckTime == s.At((d+1).String()+" 08:00").UnixMilli():
				pattern = append(pattern, "night")
			default:
				t.Fatalf("%s on %s: %+v", id, d, day.Schedules)
			}
		}
		// Eight days are two cycles, from wherever the person stands in theirs.
		joined := strings.Join(pattern, ",")
		if !strings.Contains(strings.Repeat("day,night,rest,rest,", 3), joined+",") {
			t.Errorf("%s works %s, want day, night, rest, rest in turn", id, joined)
		}
	}
}

// TestNightShift_Outcomes: night shifts have late arrivals, early leavers and missing
// check-outs; a whole-day leave of a night shift runs from 22:00 to 06:00.
func TestNightShift_Outcomes(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{Seed: 3, Employees: 1000, NightShift: true})
	night, turn := nightPeople(t, s.Server)
	seen := map[Outcome]int{}
	var leave *Leave
	for _, id := range append(night, turn...) {
		for d := civilFromDate(2026, 9, 1); d <= civilFromDate(2026, 11, 17); d++ {
			day, _ := s.Truth().Day(id, d.String())
			seen[day.Outcome]++
			if day.Outcome == OutcomeLeaveWholeDay && leave == nil && slices.Contains(night, id) {
				leave = day.Leave
			}
		}
	}
	for _, o := range []Outcome{OutcomeLate, OutcomeEarly, OutcomeMissingOffDuty, OutcomeMissingOnDuty, OutcomeAbsent, OutcomeLeaveHalfDay} {
		if seen[o] == 0 {
			t.Errorf("no night shift with outcome %s: %v", o, seen)
		}
	}
	if leave == nil {
		t.Fatal("no whole-day leave of a night shift")
	}
	start, end := time.UnixMilli(leave.StartTime).In(shanghai), time.UnixMilli(leave.EndTime).In(shanghai)
	if start.Hour() != 22 || end.Hour() != 6 || !end.After(start) {
		t.Errorf("a night's leave runs %v to %v, want 22:00 to 06:00 the next morning", start, end)
	}
}
