package dingtalksim

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// pullMonth fetches November 2026 for everyone the way a careful client would: 50 people
// and 7 days a call, every page.
func pullMonth(t *testing.T, s *sim) ([]Result, []Record) {
	t.Helper()
	ids := s.Truth().UserIDs()
	var results []Result
	var records []Record
	for i := 0; i < len(ids); i += 50 {
		chunk := ids[i:min(i+50, len(ids))]
		for d := 1; d <= 30; d += 7 {
			from, to := fmt.Sprintf("2026-11-%02d", d), fmt.Sprintf("2026-11-%02d", min(d+6, 30))
			results = append(results, s.results(chunk, from, to)...)
			records = append(records, s.records(chunk, from, to)...)
		}
	}
	return results, records
}

func TestAMonthOfAttendance(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{Seed: 2, Now: time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)})
	truth := s.Truth()
	results, records := pullMonth(t, s)
	ids := truth.UserIDs()
	byResultID := func(a, b Result) int { return int(a.ID - b.ID) }
	byRecordID := func(a, b Record) int { return int(a.ID - b.ID) }
	if want := truth.Results(ids, "2026-11-01", "2026-11-30"); !slices.Equal(slices.SortedFunc(slices.Values(results), byResultID), slices.SortedFunc(slices.Values(want), byResultID)) {
		t.Fatalf("attendance/list gave %d rows, the truth %d", len(results), len(want))
	}
	if want := truth.Records(ids, "2026-11-01", "2026-11-30"); !slices.Equal(slices.SortedFunc(slices.Values(records), byRecordID), slices.SortedFunc(slices.Values(want), byRecordID)) {
		t.Fatalf("listRecord gave %d rows, the truth %d", len(records), len(want))
	}

	recByID := map[int64]Record{}
	for _, r := range records {
		if _, dup := recByID[r.ID]; dup {
			t.Fatalf("record id %d twice", r.ID)
		}
		recByID[r.ID] = r
	}
	groups := map[int64]Group{}
	for _, g := range truth.Groups() {
		groups[g.ID] = g
	}
	seenIDs, seenPlans, matched := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	timeResults, locations := map[string]int{}, map[string]int{}
	for _, r := range results {
		if seenIDs[r.ID] || seenPlans[r.PlanID] {
			t.Fatalf("id or plan id twice: %+v", r)
		}
		seenIDs[r.ID], seenPlans[r.PlanID] = true, true
		timeResults[r.TimeResult]++
		locations[r.LocationResult]++
		if r.TimeResult == "NotSigned" {
			if r.RecordID != 0 || r.UserCheckTime != r.BaseCheckTime || r.SourceType != "SYSTEM" || r.LocationResult != "NotSigned" {
				t.Errorf("unsigned result %+v", r)
			}
			continue
		}
		rec, ok := recByID[r.RecordID]
		if !ok {
			t.Fatalf("signed result without its record: %+v", r)
		}
		matched[r.RecordID] = true
		if rec.UserID != r.UserID || rec.UserCheckTime != r.UserCheckTime || rec.TimeResult != r.TimeResult ||
			rec.LocationResult != r.LocationResult || rec.CheckType != r.CheckType || rec.PlanID != r.PlanID ||
			rec.BaseCheckTime != r.BaseCheckTime || rec.WorkDate != r.WorkDate || rec.SourceType != r.SourceType {
			t.Errorf("result and record disagree:\n%+v\n%+v", r, rec)
		}
		// Judged by the group's settings: permit 0, serious 30 min, absenteeism 60 min.
		g := groups[r.GroupID]
		late := time.Duration(r.UserCheckTime-r.BaseCheckTime) * time.Millisecond
		want := "Normal"
		switch {
		case r.CheckType == "OffDuty" && late < 0:
			want = "Early"
		case r.CheckType == "OffDuty":
		case late > time.Duration(g.AbsenteeismLateMinutes)*time.Minute:
			want = "Absenteeism"
		case late > time.Duration(g.SeriousLateMinutes)*time.Minute:
			want = "SeriousLate"
		case late > time.Duration(g.PermitLateMinutes)*time.Minute:
			want = "Late"
		}
		if r.TimeResult != want {
			t.Errorf("%s %s late by %v judged %s, want %s", r.UserID, r.CheckType, late, r.TimeResult, want)
		}
	}
	for _, k := range []string{"Normal", "Late", "SeriousLate", "Absenteeism", "Early", "NotSigned"} {
		if timeResults[k] == 0 {
			t.Errorf("no %s result in a month: %v", k, timeResults)
		}
	}
	if locations["Outside"] == 0 {
		t.Errorf("no Outside punch in a month: %v", locations)
	}
	unmatched, invalid := 0, 0
	for _, rec := range records {
		if rec.InvalidRecordType == "Security" {
			invalid++
			if rec.IsLegal != "N" || matched[rec.ID] {
				t.Errorf("invalid record %+v", rec)
			}
		} else if !matched[rec.ID] {
			unmatched++
		}
		if legal := rec.TimeResult == "Normal" && rec.LocationResult == "Normal" && rec.InvalidRecordType == ""; legal != (rec.IsLegal == "Y") {
			t.Errorf("isLegal %s for %+v", rec.IsLegal, rec)
		}
	}
	if unmatched == 0 || invalid == 0 {
		t.Errorf("%d extra punches, %d invalid punches in a month", unmatched, invalid)
	}

	// Every outcome occurs; leave-covered checks carry the approval of a leave that
	// getleavestatus lists.
	outcomes := map[Outcome]int{}
	leaves := truth.Leaves(ids, "2026-11-01", "2026-11-30")
	for _, id := range ids {
		for d := 1; d <= 30; d++ {
			day, _ := truth.Day(id, fmt.Sprintf("2026-11-%02d", d))
			outcomes[day.Outcome]++
			if day.Leave == nil {
				continue
			}
			if !slices.ContainsFunc(leaves, func(l Leave) bool { return l.ApproveID == day.Leave.ApproveID && l.UserID == id }) {
				t.Errorf("%s %s: leave %+v not in getleavestatus", id, day.Date, day.Leave)
			}
			covered := 0
			for _, r := range day.Results {
				if r.ApproveID != 0 {
					covered++
					if r.ApproveID != day.Leave.ApproveID || r.ProcInstID != day.Leave.ProcInstID || r.TimeResult != "NotSigned" || r.SourceType != "SYSTEM" {
						t.Errorf("covered check %+v", r)
					}
				} else if r.TimeResult == "NotSigned" {
					t.Errorf("%s %s: a check outside the leave is unsigned: %+v", id, day.Date, r)
				}
			}
			switch day.Outcome {
			case OutcomeLeaveWholeDay:
				if covered != len(day.Results) || day.Leave.DurationUnit != "percent_day" || day.Leave.DurationPercent%100 != 0 {
					t.Errorf("whole-day leave %+v covers %d of %d", day.Leave, covered, len(day.Results))
				}
			case OutcomeLeaveHalfDay:
				if covered*2 != len(day.Results) {
					t.Errorf("half-day leave %+v covers %d of %d", day.Leave, covered, len(day.Results))
				}
			}
		}
	}
	for _, o := range Outcomes {
		if outcomes[o] == 0 {
			t.Errorf("no %s day in a month: %v", o, outcomes)
		}
	}
	// Most days are normal.
	if outcomes[OutcomeNormal]*10 < (len(ids)*20)*7 {
		t.Errorf("too few normal days: %v", outcomes)
	}
}

func TestTodayUnfolds(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{Seed: 4})
	truth := s.Truth()
	// Someone whose Wednesday is normal and who punches in between 08:30 and 08:59.
	var id string
	var punch, off Result
	for _, u := range truth.UserIDs() {
		day, _ := truth.Day(u, "2026-11-18")
		if day.Outcome != OutcomeNormal || day.ExtraPunch || day.InvalidPunch || len(day.FinalResults) != 2 {
			continue
		}
		on := day.FinalResults[0]
		if at := time.UnixMilli(on.UserCheckTime).In(shanghai); at.Hour() == 8 && at.Minute() >= 30 {
			id, punch, off = u, on, day.FinalResults[1]
			break
		}
	}
	if id == "" {
		t.Fatal("no one punches in between 08:30 and 09:00")
	}
	at := time.UnixMilli(punch.UserCheckTime)

	s.SetNow(at.Add(-2 * time.Minute))
	rs := s.results([]string{id}, "2026-11-18", "2026-11-18")
	if len(rs) != 2 || rs[0].TimeResult != "NotSigned" || rs[0].SourceType != "SYSTEM" || rs[0].RecordID != 0 || rs[0].UserCheckTime != rs[0].BaseCheckTime || rs[0].ID != punch.ID {
		t.Errorf("2 minutes before the punch: %+v", rs)
	}
	if recs := s.records([]string{id}, "2026-11-18", "2026-11-18"); len(recs) != 0 {
		t.Errorf("records before the punch: %+v", recs)
	}

	s.SetNow(at.Add(time.Minute))
	rs = s.results([]string{id}, "2026-11-18", "2026-11-18")
	if len(rs) != 2 || rs[0] != punch || rs[1].TimeResult != "NotSigned" || rs[1].ID != off.ID {
		t.Errorf("a minute after the punch: %+v, want %+v", rs, punch)
	}
	if recs := s.records([]string{id}, "2026-11-18", "2026-11-18"); len(recs) != 1 || recs[0].ID != punch.RecordID {
		t.Errorf("records after the punch: %+v", recs)
	}

	s.SetNow(s.At("2026-11-18 23:00"))
	if rs := s.results([]string{id}, "2026-11-18", "2026-11-18"); !slices.Equal(rs, []Result{punch, off}) {
		t.Errorf("end of the day: %+v", rs)
	}
	// Tomorrow has plans but no results or records yet.
	if rs := s.results([]string{id}, "2026-11-19", "2026-11-19"); len(rs) != 0 {
		t.Errorf("tomorrow's results: %+v", rs)
	}
	if sc := truth.Schedules([]string{id}, "2026-11-19", "2026-11-19"); len(sc) != 2 {
		t.Errorf("tomorrow's plans: %+v", sc)
	}
	// The company clock can run on its own.
	s.SetSpeed(60)
	s.clock.Add(time.Minute)
	if !s.Now().Equal(s.At("2026-11-19 00:00")) {
		t.Errorf("speed 60: %v", s.Now())
	}
}

func TestOrgChangesKeepThePast(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	truth := s.Truth()
	id := truth.UserIDs()[10]
	before := s.post("/attendance/list", `{"workDateFrom":"2026-11-12 00:00:00","workDateTo":"2026-11-18 00:00:00","userIdList":["`+id+`"],"offset":0,"limit":50}`)

	other := truth.Departments()[5].ID
	if err := s.Transfer(id, other); err != nil {
		t.Fatal(err)
	}
	if u, _ := truth.User(id); !slices.Equal(u.DeptIDs, []int64{other}) {
		t.Errorf("after Transfer: %+v", u)
	}
	if err := s.Transfer(id, 4242); err == nil || !strings.Contains(err.Error(), "60003") {
		t.Errorf("transfer to a missing department: %v", err)
	}
	if err := s.RemoveUser(id); err != nil {
		t.Fatal(err)
	}
	after := s.post("/attendance/list", `{"workDateFrom":"2026-11-12 00:00:00","workDateTo":"2026-11-18 00:00:00","userIdList":["`+id+`"],"offset":0,"limit":50}`)
	if before != after {
		t.Errorf("the past changed with the org:\n%s\n%s", before, after)
	}
	s.Advance(48 * time.Hour) // Friday 2026-11-20
	if rs := s.results([]string{id}, "2026-11-19", "2026-11-20"); len(rs) != 0 {
		t.Errorf("results after removal: %+v", rs)
	}
	if err := s.RemoveUser(id); err == nil {
		t.Error("removing twice succeeded")
	}

	nu, err := s.AddUser(NewUser{Name: "新同事", DeptIDs: []int64{other}})
	if err != nil {
		t.Fatal(err)
	}
	if nu.Since != "2026-11-21" || nu.Mobile == "" || nu.UserID == "" {
		t.Errorf("added %+v", nu)
	}
	if rs := s.results([]string{nu.UserID}, "2026-11-16", "2026-11-20"); len(rs) != 0 {
		t.Errorf("attendance before joining: %+v", rs)
	}
	s.Advance(24 * time.Hour) // Saturday 2026-11-21 is the make-up workday
	if rs := s.results([]string{nu.UserID}, "2026-11-21", "2026-11-21"); len(rs) == 0 {
		t.Error("no attendance on the first day")
	}
}

func TestOldDataIsNotServed(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	ids := s.Truth().UserIDs()[:5]
	if rs := s.results(ids, "2026-05-18", "2026-05-20"); len(rs) != 0 { // 182-184 days ago
		t.Errorf("results older than 180 days: %d", len(rs))
	}
	if rs := s.results(ids, "2026-05-25", "2026-05-27"); len(rs) == 0 { // 175-177 days ago
		t.Error("no results within 180 days")
	}
	if rs := s.records(ids, "2026-05-18", "2026-05-20"); len(rs) != 0 {
		t.Errorf("records older than 180 days: %d", len(rs))
	}
}

func TestEncodersMatchEncodingJSON(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{Seed: 9, Now: time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)})
	ids := s.Truth().UserIDs()
	results := s.Truth().Results(ids, "2026-11-01", "2026-11-30")
	records := s.Truth().Records(ids, "2026-11-01", "2026-11-30")
	results = append(results, Result{UserID: "a\"b\\c\x01\u2028é", ApproveID: 7, ProcInstID: "p"})
	records = append(records, Record{UserAddress: "\t<&>\b\f\x01\n\r", InvalidRecordType: "Other", InvalidRecordMsg: "m", DeviceSN: "x", OutsideRemark: "r"})
	want := marshal(struct {
		HasMore      bool     `json:"hasMore"`
		RecordResult []Result `json:"recordresult"`
	}{true, results})
	if got := encodeResults(true, results); string(got) != string(want) {
		t.Errorf("results encode differently:\n%.300s\n%.300s", got, want)
	}
	want = marshal(struct {
		RecordResult []Record `json:"recordresult"`
	}{records})
	if got := encodeRecords(records); string(got) != string(want) {
		t.Errorf("records encode differently:\n%.300s\n%.300s", got, want)
	}
}
