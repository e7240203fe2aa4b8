package dingtalksim

import (
	"math"
	"testing"
	"time"
)

// TestEvidence: a month of a 300-person company has every kind of punch a review looks at,
// each consistent with the check results: machines and DingTalk devices, beacons, phones on GPS
// and Wi-Fi; results made by an administrator, by a trip or make-up approval and by an
// automatic punch; refused punches of both kinds; a shared phone; a far punch judged in range;
// someone who punches in at the same minute every day; and the approvals getupdatedata lists.
func TestEvidence(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{Seed: 2, Now: time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)})
	truth := s.Truth()
	results, records := pullMonth(t, s)
	recByID := map[int64]Record{}
	sources, invalid := map[string]int{}, map[string]int{}
	for _, r := range records {
		recByID[r.ID] = r
		sources[r.SourceType]++
		if r.InvalidRecordType != "" {
			invalid[r.InvalidRecordType]++
			if r.InvalidRecordMsg == "" {
				t.Errorf("refused punch without a message: %+v", r)
			}
		}
		switch r.SourceType {
		case "USER":
			if r.DeviceID == "" || r.DeviceSN != "" {
				t.Errorf("phone punch without its phone: %+v", r)
			}
		case "ATM", "DING_ATM":
			if r.DeviceSN == "" || r.DeviceID != "" {
				t.Errorf("machine punch without its machine: %+v", r)
			}
		}
	}
	for _, k := range []string{"USER", "ATM", "DING_ATM", "BEACON", "BOSS", "APPROVE", "AUTO_CHECK"} {
		if sources[k] == 0 {
			t.Errorf("no %s punch in a month: %v", k, sources)
		}
	}
	if invalid["Security"] == 0 || invalid["Other"] == 0 {
		t.Errorf("refused punches %v, want both kinds", invalid)
	}
	// Results made by someone else carry their record, and approvals their ids.
	for _, r := range results {
		switch r.SourceType {
		case "BOSS", "APPROVE", "AUTO_CHECK":
			rec, ok := recByID[r.RecordID]
			if !ok || rec.SourceType != r.SourceType || r.UserCheckTime != r.BaseCheckTime || r.TimeResult != "Normal" {
				t.Errorf("%s result %+v, record %+v", r.SourceType, r, rec)
			}
			if r.SourceType == "APPROVE" && (r.ApproveID == 0 || r.ProcInstID == "" || rec.ApproveID != r.ApproveID) {
				t.Errorf("approval result without its approval: %+v / %+v", r, rec)
			}
		}
	}
	// Days by kind of evidence, and what they look like.
	ids := truth.UserIDs()
	kinds := map[string]int{}
	phones := map[string]map[string]string{} // day -> device -> first user
	shared := 0
	for _, id := range ids {
		var minutes []int
		for d := 1; d <= 30; d++ {
			day, _ := truth.Day(id, time.Date(2026, 11, d, 0, 0, 0, 0, shanghai).Format("2006-01-02"))
			if day.Trip != "" {
				kinds["trip"]++
			}
			if day.Edited != "" {
				kinds[day.Edited]++
			}
			if day.AutoOff {
				kinds["auto"]++
			}
			if day.Overtime {
				kinds["overtime"]++
			}
			if day.SharedDevice {
				kinds["shared"]++
			}
			for _, rec := range day.Records {
				if rec.DeviceID == "" {
					continue
				}
				if phones[day.Date] == nil {
					phones[day.Date] = map[string]string{}
				}
				if other, ok := phones[day.Date][rec.DeviceID]; ok && other != id {
					shared++
				} else {
					phones[day.Date][rec.DeviceID] = id
				}
			}
			if day.FarPunch {
				kinds["far"]++
				far := false
				for _, rec := range day.Records {
					if d := distance(rec.UserLatitude, rec.UserLongitude, rec.BaseLatitude, rec.BaseLongitude); d > 2000 && rec.LocationResult == "Normal" && rec.UserAccuracy > 500 {
						far = true
					}
				}
				if !far {
					t.Errorf("%s %s: a far punch that is not: %+v", id, day.Date, day.Records)
				}
			}
			if day.SameMinute && day.Outcome == OutcomeNormal && day.Trip == "" && len(day.FinalResults) > 0 {
				minutes = append(minutes, time.UnixMilli(day.FinalResults[0].UserCheckTime).In(shanghai).Hour()*60+
					time.UnixMilli(day.FinalResults[0].UserCheckTime).In(shanghai).Minute())
			}
		}
		for _, m := range minutes {
			if m != minutes[0] {
				t.Errorf("%s punches in at minutes %v, want the same one every normal day", id, minutes)
				break
			}
		}
		if len(minutes) >= 8 {
			kinds["same_minute"]++
		}
	}
	for _, k := range []string{"trip", "admin", "make_up", "auto", "overtime", "shared", "far", "same_minute"} {
		if kinds[k] == 0 {
			t.Errorf("no %s in a month: %v", k, kinds)
		}
	}
	if shared == 0 {
		t.Error("no phone used by two people on one day")
	}

	// getupdatedata lists the approvals behind a trip day.
	for _, id := range ids {
		for d := 1; d <= 30; d++ {
			date := time.Date(2026, 11, d, 0, 0, 0, 0, shanghai).Format("2006-01-02")
			day, _ := truth.Day(id, date)
			if day.Trip == "" {
				continue
			}
			var r struct {
				Result struct {
					ApproveList []struct {
						TagName string `json:"tag_name"`
						BizType int    `json:"biz_type"`
					} `json:"approve_list"`
					CheckRecordList []struct {
						SourceType string `json:"source_type"`
						CheckType  string `json:"check_type"`
					} `json:"check_record_list"`
				} `json:"result"`
			}
			s.ok("/topapi/attendance/getupdatedata", `{"userid":"`+id+`","work_date":"`+date+` 00:00:00"}`, &r)
			if len(r.Result.ApproveList) == 0 || r.Result.ApproveList[0].TagName != day.Trip || r.Result.ApproveList[0].BizType != 2 {
				t.Errorf("getupdatedata of a %s day: %+v", day.Trip, r.Result.ApproveList)
			}
			if len(r.Result.CheckRecordList) == 0 || r.Result.CheckRecordList[0].SourceType != "APPROVE" || r.Result.CheckRecordList[0].CheckType != "OnDuty" {
				t.Errorf("getupdatedata's records of a %s day: %+v", day.Trip, r.Result.CheckRecordList)
			}
			return
		}
	}
	t.Error("no trip day to ask getupdatedata about")
}

// distance is the great-circle distance in metres.
func distance(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371000
	rad := math.Pi / 180
	dlat, dlng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlng/2)*math.Sin(dlng/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}
