package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/store/storetest"
)

// TestPunches_MatchTheSimulator syncs ten days through faults and throttling, on SQLite and on
// PostgreSQL, and checks that kaoqin punches lists exactly the punches the simulator served,
// field for field, and that the daily report's plans are its plans.
func TestPunches_MatchTheSimulator(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "kaoqin.db")
			if engine == "postgres" {
				db = storetest.PostgresDSN(t, "kaoqin_cmd_test")
			}
			from, to := lastWeek()
			s := newSyncSim(t, dingtalksim.Config{})
			s.sim.SetFaultRate(0.05, dingtalksim.FaultBusy, dingtalksim.FaultBadGateway, dingtalksim.FaultThrottle)
			if status, _, errs := runSync(context.Background(), s.args(db, "--from", from, "--to", to)); status != 0 {
				t.Fatalf("sync: exit %d: %s", status, errs)
			}
			s.sim.SetFaultRate(0)
			status, out, errs := runSync(context.Background(), []string{"--db", db, "punches", "--from", from, "--to", to, "--format", "json"})
			if status != 0 {
				t.Fatalf("punches: exit %d: %s", status, errs)
			}
			var got struct {
				Kind    string
				Punches []map[string]any
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v\n%.500s", err, out)
			}
			want := truthPunchRows(s.sim, from, to)
			if len(want) < 100 {
				t.Fatalf("the simulator served %d punches: too few to prove anything", len(want))
			}
			if len(got.Punches) != len(want) {
				t.Fatalf("kaoqin punches listed %d punches, the simulator served %d", len(got.Punches), len(want))
			}
			for i := range want {
				for k, v := range want[i] {
					if g := got.Punches[i][k]; !sameJSON(g, v) {
						t.Fatalf("punch %d (%v) field %s = %v, the simulator said %v", i, want[i]["id"], k, g, v)
					}
				}
			}

			// The daily report's plans are the simulator's, rest days left out.
			day := kaoqin.AddDays(to, -1)
			status, out, errs = runSync(context.Background(), []string{"--db", db, "report", "daily", "--date", day, "--format", "json"})
			if status != 0 {
				t.Fatalf("report daily: exit %d: %s", status, errs)
			}
			var daily struct {
				Employees []struct {
					UserID string `json:"userid"`
					Plans  []struct {
						CheckType     string `json:"check_type"`
						PlanCheckTime string `json:"plan_check_time"`
						GroupID       int64  `json:"group_id"`
						ClassID       int64  `json:"class_id"`
					} `json:"plans"`
				}
			}
			if err := json.Unmarshal([]byte(out), &daily); err != nil {
				t.Fatal(err)
			}
			plans := 0
			for _, e := range daily.Employees {
				var want []string
				for _, p := range s.sim.Truth().Schedules([]string{e.UserID}, day, day) {
					if !p.IsRest {
						want = append(want, p.CheckType+" "+time.UnixMilli(p.PlanCheckTime).In(shanghaiZone()).Format(time.RFC3339))
					}
				}
				var got []string
				for _, p := range e.Plans {
					got = append(got, p.CheckType+" "+p.PlanCheckTime)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s's plans of %s: %v, the simulator's %v", e.UserID, day, got, want)
				}
				plans += len(got)
			}
			if plans == 0 && s.sim.Truth().DayKind(day) == dingtalksim.Workday {
				t.Errorf("no plans on %s", day)
			}
		})
	}
}

// truthPunchRows is what spec/punches.md says kaoqin punches lists for the simulator's records.
func truthPunchRows(sim *dingtalksim.Server, from, to string) []map[string]any {
	tr := sim.Truth()
	names := map[string]string{}
	for _, u := range tr.Users() {
		names[u.UserID] = u.Name
	}
	recs := tr.Records(tr.UserIDs(), from, to)
	slices.SortFunc(recs, func(a, b dingtalksim.Record) int {
		if a.UserID != b.UserID {
			return strings.Compare(a.UserID, b.UserID)
		}
		if a.UserCheckTime != b.UserCheckTime {
			return int(a.UserCheckTime - b.UserCheckTime)
		}
		return int(a.ID - b.ID)
	})
	loc := shanghaiZone()
	tm := func(ms int64) any { return time.UnixMilli(ms).In(loc).Format(time.RFC3339) }
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	num := func(f float64) any {
		if f == 0 {
			return nil
		}
		return f
	}
	var out []map[string]any
	for _, r := range recs {
		method := kaoqin.PunchMethod(r.SourceType, r.LocationMethod)
		out = append(out, map[string]any{
			"id": float64(r.ID), "userid": r.UserID, "name": names[r.UserID],
			"work_date": time.UnixMilli(r.WorkDate).In(loc).Format(kaoqin.DateLayout), "check_type": r.CheckType,
			"user_check_time": tm(r.UserCheckTime), "base_check_time": tm(r.BaseCheckTime), "time_result": r.TimeResult,
			"location_result": r.LocationResult, "source_type": r.SourceType, "location_method": str(r.LocationMethod),
			"method": method, "valid": r.InvalidRecordType == "", "invalid_record_type": str(r.InvalidRecordType),
			"invalid_record_msg": str(r.InvalidRecordMsg), "address": str(r.UserAddress), "latitude": num(r.UserLatitude),
			"longitude": num(r.UserLongitude), "accuracy": num(r.UserAccuracy), "device_id": str(r.DeviceID),
			"device_sn": str(r.DeviceSN), "ssid": str(r.UserSsid), "mac": str(r.UserMacAddr),
			"outside_remark": str(r.OutsideRemark), "plan_id": float64(r.PlanID), "group_id": float64(r.GroupID),
			"approve_id": num(float64(r.ApproveID)), "proc_inst_id": str(r.ProcInstID),
		})
	}
	return out
}

// sameJSON compares a decoded JSON value with the one expected; numbers to the millionth the
// store keeps of coordinates.
func sameJSON(got, want any) bool {
	g, gok := got.(float64)
	w, wok := want.(float64)
	if gok && wok {
		d := g - w
		return d < 1e-6 && d > -1e-6
	}
	return got == want
}

// TestPunches_FormatsAndBadInput: CSV and XLSX carry every punch with the same columns; a bad
// method or check type, a range not synced and a department unknown give one line and exit 1,
// and write no file.
func TestPunches_FormatsAndBadInput(t *testing.T) {
	t.Parallel()
	from, to := lastWeek()
	s := newSyncSim(t, dingtalksim.Config{Employees: 30})
	db := filepath.Join(t.TempDir(), "kaoqin.db")
	if status, _, errs := runSync(context.Background(), s.args(db, "--from", from, "--to", to)); status != 0 {
		t.Fatalf("sync: exit %d: %s", status, errs)
	}
	n := len(truthPunchRows(s.sim, from, to))
	dir := t.TempDir()
	csvFile, xlsxFile := filepath.Join(dir, "p.csv"), filepath.Join(dir, "p.xlsx")
	for _, f := range []string{csvFile, xlsxFile} {
		format := strings.TrimPrefix(filepath.Ext(f), ".")
		if status, _, errs := runSync(context.Background(), []string{"--db", db, "punches", "--from", from, "--to", to,
			"--format", format, "--output", f, "--lang", "en"}); status != 0 {
			t.Fatalf("%s: exit %d: %s", format, status, errs)
		}
	}
	b, err := os.ReadFile(csvFile)
	must(t, err)
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	must(t, err)
	x, err := excelize.OpenFile(xlsxFile)
	must(t, err)
	defer x.Close()
	rows, err := x.GetRows("Punches")
	must(t, err)
	if len(recs) != n+1 || len(rows) != n+1 || recs[0][1] != "UserID" || !slices.Equal(recs[0], rows[0][:len(recs[0])]) {
		t.Errorf("csv %d rows, xlsx %d rows, want %d with a header; headers %v / %v", len(recs), len(rows), n+1, recs[0], rows[0])
	}

	out := filepath.Join(dir, "bad.json")
	for _, test := range []struct {
		args []string
		says string
	}{
		{[]string{"--method", "pigeon"}, "unknown punch method"},
		{[]string{"--check-type", "Lunch"}, "OnDuty or OffDuty"},
		{[]string{"--dept", "404"}, "404"},
		{[]string{"--user", "nobody"}, "nobody"},
	} {
		args := append([]string{"--db", db, "punches", "--from", from, "--to", to, "--format", "json", "--output", out}, test.args...)
		status, _, errs := runSync(context.Background(), args)
		if status != 1 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, test.says) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and one line saying %q", test.args, status, errs, test.says)
		}
	}
	status, _, errs := runSync(context.Background(), []string{"--db", db, "punches", "--from", kaoqin.AddDays(from, -5), "--to", to, "--format", "json", "--output", out})
	if status != 1 || !strings.Contains(errs, "have not been synced: run kaoqin sync --from "+kaoqin.AddDays(from, -5)) {
		t.Errorf("a range not synced: exit %d, %q", status, errs)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("a failed kaoqin punches left a file")
	}
}
