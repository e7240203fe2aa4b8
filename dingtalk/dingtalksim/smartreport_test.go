package dingtalksim

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// columnsByName asks getattcolumns and returns the column ids by name.
func (s *sim) columnsByName() map[string]int64 {
	s.t.Helper()
	var r struct {
		Result struct {
			Columns []struct {
				ID    *int64 `json:"id"`
				Name  string `json:"name"`
				Alias string `json:"alias"`
			} `json:"columns"`
		} `json:"result"`
	}
	s.ok("/topapi/attendance/getattcolumns", `{}`, &r)
	out := map[string]int64{}
	for _, c := range r.Result.Columns {
		if c.ID == nil {
			out[c.Name] = 0 // a leave column: no id
			continue
		}
		out[c.Name] = *c.ID
	}
	return out
}

// columnSums asks getcolumnval for one person and returns each column's sum and daily values.
func (s *sim) columnSums(userid string, ids []int64, from, to string) (map[int64]float64, map[int64]map[string]float64) {
	s.t.Helper()
	var list []string
	for _, id := range ids {
		list = append(list, strconv.FormatInt(id, 10))
	}
	var r struct {
		Result struct {
			ColumnVals []struct {
				ColumnVo struct {
					ID int64 `json:"id"`
				} `json:"column_vo"`
				ColumnVals []struct {
					Date  string `json:"date"`
					Value string `json:"value"`
				} `json:"column_vals"`
			} `json:"column_vals"`
		} `json:"result"`
	}
	s.ok("/topapi/attendance/getcolumnval", `{"userid":"`+userid+`","column_id_list":"`+strings.Join(list, ",")+
		`","from_date":"`+from+` 00:00:00","to_date":"`+to+` 00:00:00"}`, &r)
	sums, days := map[int64]float64{}, map[int64]map[string]float64{}
	for _, c := range r.Result.ColumnVals {
		days[c.ColumnVo.ID] = map[string]float64{}
		for _, v := range c.ColumnVals {
			f, err := strconv.ParseFloat(v.Value, 64)
			if err != nil {
				s.t.Fatalf("value %q: %v", v.Value, err)
			}
			sums[c.ColumnVo.ID] += f
			days[c.ColumnVo.ID][v.Date[:10]] = f
		}
	}
	return sums, days
}

// leaveTimes asks getleavetimebynames for one person: the daily values by leave name.
func (s *sim) leaveTimes(userid, names, from, to string) map[string]map[string]float64 {
	s.t.Helper()
	var r struct {
		Result struct {
			Columns []struct {
				Columnvo struct {
					Name string `json:"name"`
				} `json:"columnvo"`
				Columnvals []struct {
					Date  string `json:"date"`
					Value string `json:"value"`
				} `json:"columnvals"`
			} `json:"columns"`
		} `json:"result"`
	}
	s.ok("/topapi/attendance/getleavetimebynames", `{"userid":"`+userid+`","leave_names":"`+names+
		`","from_date":"`+from+` 00:00:00","to_date":"`+to+` 00:00:00"}`, &r)
	out := map[string]map[string]float64{}
	for _, c := range r.Result.Columns {
		out[c.Columnvo.Name] = map[string]float64{}
		for _, v := range c.Columnvals {
			f, _ := strconv.ParseFloat(v.Value, 64)
			if f != 0 {
				out[c.Columnvo.Name][v.Date[:10]] = f
			}
		}
	}
	return out
}

// TestReportAgreesWithResults sums DingTalk's report over two weeks and checks every column
// kaoqin compares against the check results and leave the same simulator answers, counted
// here by DingTalk's documented rules, and 旷工天数 with the rule the simulator adds.
func TestReportAgreesWithResults(t *testing.T) {
	s := newSim(t, Config{Seed: 7, Employees: 60})
	s.SetNow(time.Date(2026, 11, 20, 10, 0, 0, 0, shanghai))
	from, to := "2026-11-06", "2026-11-19" // within 15 days of today: 应出勤天数 has values
	cols := s.columnsByName()
	names := []string{"应出勤天数", "出勤天数", "迟到次数", "迟到时长", "严重迟到次数", "严重迟到时长", "旷工迟到天数",
		"早退次数", "早退时长", "上班缺卡次数", "下班缺卡次数", "旷工天数"}
	var ids []int64
	for _, n := range names {
		id, ok := cols[n]
		if !ok || id == 0 {
			t.Fatalf("column %s: no id in %v", n, cols)
		}
		ids = append(ids, id)
	}
	for _, lt := range []string{"年假", "事假", "病假"} {
		if id, ok := cols[lt]; !ok || id != 0 {
			t.Errorf("leave column %s: present %v with id %d, want present without id", lt, ok, id)
		}
	}
	seen := map[string]float64{}
	for _, u := range s.Truth().UserIDs()[:40] {
		sums, _ := s.columnSums(u, ids, from, to)
		want := map[string]float64{}
		leaves := s.Truth().Leaves([]string{u}, from, to)
		byDay := map[string][]Result{}
		var rows []Result
		for d := mustDate(from); d <= mustDate(to); d += 7 {
			rows = append(rows, s.results([]string{u}, d.String(), min(d+6, mustDate(to)).String())...)
		}
		for _, r := range rows {
			day := time.UnixMilli(r.WorkDate).In(shanghai).Format(time.DateOnly)
			byDay[day] = append(byDay[day], r)
		}
		for day, rows := range byDay {
			want["应出勤天数"]++
			start := s.At(day + " 00:00").UnixMilli()
			onLeave := false
			for _, l := range leaves {
				if l.StartTime < start+86_400_000 && l.EndTime > start {
					onLeave = true
				}
			}
			signed, absLate := 0, false
			for _, r := range rows {
				if r.TimeResult != "NotSigned" {
					signed++
				}
				if r.ApproveID != 0 {
					onLeave = true
				}
				late := float64((r.UserCheckTime - r.BaseCheckTime) / 60_000)
				switch r.CheckType + " " + r.TimeResult {
				case "OnDuty Late":
					want["迟到次数"]++
					want["迟到时长"] += late
				case "OnDuty SeriousLate":
					want["严重迟到次数"]++
					want["严重迟到时长"] += late
				case "OnDuty Absenteeism":
					want["旷工迟到天数"]++
					absLate = true
				case "OffDuty Early":
					want["早退次数"]++
					want["早退时长"] += float64((r.BaseCheckTime - r.UserCheckTime) / 60_000)
				}
			}
			if signed > 0 {
				want["出勤天数"]++
			}
			if (signed == 0 && !onLeave) || absLate {
				want["旷工天数"]++
			}
			if signed > 0 && !onLeave {
				for _, r := range rows {
					if r.TimeResult == "NotSigned" {
						want[map[string]string{"OnDuty": "上班缺卡次数", "OffDuty": "下班缺卡次数"}[r.CheckType]]++
					}
				}
			}
		}
		for i, n := range names {
			if sums[ids[i]] != want[n] {
				t.Errorf("%s %s: report says %v, the results %v", u, n, sums[ids[i]], want[n])
			}
			seen[n] += want[n]
		}
	}
	for _, n := range []string{"迟到次数", "旷工天数", "早退次数", "出勤天数", "应出勤天数"} {
		if seen[n] == 0 {
			t.Errorf("no %s in 40 people over two weeks: the test proves nothing about it", n)
		}
	}
}

// TestReportLeaveByName gives each leave in the leave type's unit on the days it covers.
func TestReportLeaveByName(t *testing.T) {
	s := newSim(t, Config{Seed: 3, Employees: 200})
	s.SetNow(time.Date(2026, 11, 30, 20, 0, 0, 0, shanghai))
	from, to := "2026-11-01", "2026-11-30"
	units := map[string]string{}
	for _, vt := range s.Truth().VacationTypes() {
		units[vt.LeaveName] = vt.LeaveViewUnit
	}
	checked := 0
	for _, u := range s.Truth().UserIDs()[:80] {
		leaves := s.Truth().Leaves([]string{u}, from, to)
		if len(leaves) == 0 {
			continue
		}
		got := s.leaveTimes(u, "年假,事假,病假,调休,婚假,产假", from, to)
		if _, ok := got["产假"]; ok {
			t.Errorf("%s: a leave type the company does not have came back", u)
		}
		want := map[string]map[string]float64{}
		for _, l := range leaves {
			for d := s.At(s.Date(time.UnixMilli(l.StartTime)) + " 00:00"); d.UnixMilli() < l.EndTime; d = d.AddDate(0, 0, 1) {
				day := d.Format(time.DateOnly)
				if day < from || day > to || !s.Truth().DayKind(day).working() {
					continue
				}
				if want[l.Type] == nil {
					want[l.Type] = map[string]float64{}
				}
				switch {
				case units[l.Type] == "hour" && l.Half != "":
					want[l.Type][day] += float64(l.EndTime-l.StartTime) / 3_600_000 // no break inside a half
				case units[l.Type] == "hour":
					want[l.Type][day] += 8 // the standard class, lunch out
					if len(mustDay(t, s, u, day).FinalResults) == 4 {
						want[l.Type][day] -= 0.5 // the split class: 7.5 hours
					}
				case l.Half != "":
					want[l.Type][day] += 0.5
				default:
					want[l.Type][day]++
				}
				checked++
			}
		}
		for typ, days := range want {
			for day, v := range days {
				if got[typ][day] != v {
					t.Errorf("%s %s %s: report %v, want %v (unit %s)", u, typ, day, got[typ][day], v, units[typ])
				}
			}
			for day := range got[typ] {
				if _, ok := days[day]; !ok {
					t.Errorf("%s %s %s: report %v, but no leave that day", u, typ, day, got[typ][day])
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d leave days checked", checked)
	}
}

func mustDay(t *testing.T, s *sim, userid, day string) Day {
	t.Helper()
	d, ok := s.Truth().Day(userid, day)
	if !ok {
		t.Fatalf("no day %s of %s", day, userid)
	}
	return d
}

// TestReportLimits keeps DingTalk's limits: 20 columns, 31 days, 225 days back for leave,
// known columns, the report turned on, and nothing for a person who has left.
func TestReportLimits(t *testing.T) {
	s := newSim(t, Config{Seed: 1, Employees: 60})
	cols := s.columnsByName()
	u := s.Truth().UserIDs()[0]
	late := strconv.FormatInt(cols["迟到次数"], 10)
	var many []string
	for range 21 {
		many = append(many, late)
	}
	for _, c := range []struct{ path, body string }{
		{"/topapi/attendance/getcolumnval", `{"userid":"` + u + `","column_id_list":"` + strings.Join(many, ",") + `","from_date":"2026-11-01 00:00:00","to_date":"2026-11-02 00:00:00"}`},
		{"/topapi/attendance/getcolumnval", `{"userid":"` + u + `","column_id_list":"` + late + `","from_date":"2026-10-01 00:00:00","to_date":"2026-11-02 00:00:00"}`},
		{"/topapi/attendance/getcolumnval", `{"userid":"` + u + `","column_id_list":"12345","from_date":"2026-11-01 00:00:00","to_date":"2026-11-02 00:00:00"}`},
		{"/topapi/attendance/getcolumnval", `{"userid":"` + u + `","column_id_list":"` + late + `","from_date":"2026-11-03 00:00:00","to_date":"2026-11-02 00:00:00"}`},
		{"/topapi/attendance/getleavetimebynames", `{"userid":"` + u + `","leave_names":"年假","from_date":"2026-03-01 00:00:00","to_date":"2026-03-20 00:00:00"}`},
		{"/topapi/attendance/getleavetimebynames", `{"userid":"` + u + `","leave_names":"` + strings.Repeat("年假,", 21) + `","from_date":"2026-11-01 00:00:00","to_date":"2026-11-02 00:00:00"}`},
		{"/topapi/attendance/vacation/type/list", `{"op_userid":"` + u + `x"}`},
	} {
		wantErr(t, s.post(c.path, c.body), 400002, "")
	}
	wantErr(t, s.post("/topapi/attendance/getcolumnval", `{"userid":"`+u+`","from_date":"2026-11-01 00:00:00","to_date":"2026-11-02 00:00:00"}`), 40035, "column_id_list")
	// Exactly 31 days apart is allowed.
	if sums, _ := s.columnSums(u, []int64{cols["出勤天数"]}, "2026-10-01", "2026-11-01"); sums[cols["出勤天数"]] == 0 {
		t.Errorf("31 days apart: no attended day")
	}

	var admin string
	for _, x := range s.Truth().Users() {
		if x.Admin {
			admin = x.UserID
		}
	}
	var vt struct {
		Result []VacationType `json:"result"`
	}
	s.ok("/topapi/attendance/vacation/type/list", `{"op_userid":"`+admin+`","vacation_source":"all"}`, &vt)
	if len(vt.Result) != len(leaveTypes) || vt.Result[0].LeaveName != "年假" || vt.Result[1].LeaveViewUnit != "hour" {
		t.Errorf("vacation types: %+v", vt.Result)
	}

	if err := s.RemoveUser(u); err != nil {
		t.Fatal(err)
	}
	b := s.ok("/topapi/attendance/getcolumnval", `{"userid":"`+u+`","column_id_list":"`+late+`","from_date":"2026-11-01 00:00:00","to_date":"2026-11-02 00:00:00"}`, nil)
	if !strings.Contains(b, `"result":{"column_vals":[]}`) {
		t.Errorf("a person who left: %s, want no values", b)
	}

	s.SetSmartReport(false)
	var open struct {
		Result struct {
			SmartReport bool `json:"smart_report"`
		} `json:"result"`
	}
	s.ok("/topapi/attendance/isopensmartreport", `{}`, &open)
	if open.Result.SmartReport {
		t.Error("smart report off: isopensmartreport says true")
	}
	wantErr(t, s.post("/topapi/attendance/getattcolumns", `{}`), 400002, "智能统计")
	if s.Counters()["/topapi/attendance/getcolumnval"].Metered == 0 {
		t.Error("getcolumnval is not metered")
	}
}

// TestAmendments changes a day after the fact: before the change every endpoint and the
// report answer as before, after it they all answer the change.
func TestAmendments(t *testing.T) {
	s := newSim(t, Config{Seed: 5, Employees: 120})
	s.SetNow(time.Date(2026, 11, 20, 10, 0, 0, 0, shanghai))
	from, to := "2026-11-09", "2026-11-19"
	var lateUser, lateDay, absentUser, absentDay string
	for _, u := range s.Truth().UserIDs() {
		for d := mustDate(from); d <= mustDate(to); d++ {
			day := mustDay(t, s, u, d.String())
			if day.Outcome == OutcomeLate && lateUser == "" {
				lateUser, lateDay = u, d.String()
			}
			if day.Outcome == OutcomeAbsent && absentUser == "" && u != lateUser {
				absentUser, absentDay = u, d.String()
			}
		}
	}
	if lateUser == "" || absentUser == "" {
		t.Fatal("no late or absent day to amend")
	}
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, shanghai)
	if err := s.EditResult(ResultEdit{UserID: lateUser, Date: lateDay, CheckType: "OnDuty", TimeResult: "Normal", At: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.ApproveLeave(LateLeave{UserID: absentUser, Date: absentDay, Type: "病假", At: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.ApproveLeave(LateLeave{UserID: absentUser, Date: absentDay, Type: "产假", At: at}); err == nil {
		t.Error("a leave type the company does not have was accepted")
	}
	cols := s.columnsByName()
	ids := []int64{cols["迟到次数"], cols["旷工天数"]}
	look := func() (lateResult string, lateSum, absentSum float64, leaveRows int, sick float64) {
		for _, r := range s.results([]string{lateUser}, lateDay, lateDay) {
			if r.CheckType == "OnDuty" && lateResult == "" {
				lateResult = r.TimeResult + "/" + r.SourceType
			}
		}
		_, days := s.columnSums(lateUser, ids, lateDay, lateDay)
		lateSum = days[ids[0]][lateDay]
		_, days = s.columnSums(absentUser, ids, absentDay, absentDay)
		absentSum = days[ids[1]][absentDay]
		var ls struct {
			Result struct {
				LeaveStatus []Leave `json:"leave_status"`
			} `json:"result"`
		}
		start := s.At(absentDay + " 00:00").UnixMilli()
		s.ok("/topapi/attendance/getleavestatus", `{"userid_list":"`+absentUser+`","start_time":`+strconv.FormatInt(start, 10)+
			`,"end_time":`+strconv.FormatInt(start+86_399_000, 10)+`,"offset":0,"size":20}`, &ls)
		leaveRows = len(ls.Result.LeaveStatus)
		sick = s.leaveTimes(absentUser, "病假", absentDay, absentDay)["病假"][absentDay]
		return
	}
	r, lateSum, absentSum, leaveRows, sick := look()
	if r != "Late/USER" && r != "Late/ATM" || lateSum != 1 || absentSum != 1 || leaveRows != 0 || sick != 0 {
		t.Errorf("before the changes: %s late %v absent %v leaves %d sick %v", r, lateSum, absentSum, leaveRows, sick)
	}
	s.SetNow(at)
	r, lateSum, absentSum, leaveRows, sick = look()
	if r != "Normal/BOSS" || lateSum != 0 || absentSum != 0 || leaveRows != 1 || sick != 1 {
		t.Errorf("after the changes: %s late %v absent %v leaves %d sick %v", r, lateSum, absentSum, leaveRows, sick)
	}
	for _, res := range s.results([]string{absentUser}, absentDay, absentDay) {
		if res.ApproveID == 0 || res.TimeResult != "NotSigned" {
			t.Errorf("a check of the day the late leave covers: %+v", res)
		}
	}
	if day := mustDay(t, s, lateUser, lateDay); day.Results[0].SourceType != "BOSS" {
		t.Errorf("Truth does not see the edit: %+v", day.Results[0])
	}
	if ls := s.Truth().Leaves([]string{absentUser}, absentDay, absentDay); len(ls) != 1 || ls[0].Type != "病假" {
		t.Errorf("Truth does not see the late leave: %+v", ls)
	}
	edits, leaves := s.Truth().Amendments()
	if len(edits) != 1 || len(leaves) != 1 {
		t.Errorf("amendments: %v %v", edits, leaves)
	}
}
