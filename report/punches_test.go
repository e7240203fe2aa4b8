package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kaoqin/kaoqin"
)

// punchSource is a PunchSource over rows in memory that answers as the store does.
type punchSource struct {
	fakeSource
	punches []kaoqin.Punch
	queries int
}

func (s *punchSource) KindCoverage(ctx context.Context, kind, from, to string) ([]kaoqin.DayCoverage, error) {
	var out []kaoqin.DayCoverage
	for _, c := range s.in.Coverage {
		if c.Day >= from && c.Day <= to {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *punchSource) QueryPunches(ctx context.Context, q kaoqin.PunchQuery) ([]kaoqin.Punch, error) {
	s.queries++
	all := slices.Clone(s.punches)
	slices.SortFunc(all, func(a, b kaoqin.Punch) int { return cmpCursor(kaoqin.CursorOf(a), kaoqin.CursorOf(b)) })
	var out []kaoqin.Punch
	for _, p := range all {
		switch {
		case q.From != "" && p.WorkDate < q.From, q.To != "" && p.WorkDate > q.To,
			q.UserIDs != nil && !slices.Contains(q.UserIDs, p.UserID),
			q.Filter.After != "" && p.UserID <= q.Filter.After, q.Through != "" && p.UserID > q.Through,
			q.CheckType != "" && p.CheckType != q.CheckType,
			len(q.Methods) > 0 && !slices.Contains(q.Methods, p.Method()),
			q.InvalidOnly && p.Valid(),
			!q.After.IsZero() && cmpCursor(kaoqin.CursorOf(p), q.After) <= 0:
			continue
		}
		out = append(out, p)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

func cmpCursor(a, b kaoqin.PunchCursor) int {
	if c := strings.Compare(a.UserID, b.UserID); c != 0 {
		return c
	}
	if a.At != b.At {
		if a.At < b.At {
			return -1
		}
		return 1
	}
	if a.ID != b.ID {
		if a.ID < b.ID {
			return -1
		}
		return 1
	}
	return 0
}

// punchCompany is the fixture company with a few punches of 2026-11-16..18.
func punchCompany() *punchSource {
	in := company()
	mk := func(id int64, user, day, clock, source, method string, opts ...func(*kaoqin.Punch)) kaoqin.Punch {
		p := kaoqin.Punch{ID: id, UserID: user, WorkDate: day, CheckType: kaoqin.OnDuty, TimeResult: kaoqin.TimeNormal,
			LocationResult: kaoqin.LocationNormal, SourceType: source, LocationMethod: method,
			UserCheckTime: ms(day, clock), BaseCheckTime: ms(day, "09:00"), PlanID: id + 100, GroupID: 88}
		for _, o := range opts {
			o(&p)
		}
		return p
	}
	gps := func(p *kaoqin.Punch) {
		p.UserAddress, p.Latitude, p.Longitude, p.Accuracy = "上海市浦东新区", 31.2033, 121.5908, 30
		p.BaseLatitude, p.BaseLongitude, p.BaseAddress = 31.2033, 121.5908, "博云路2号"
		p.DeviceID = "phone-1"
	}
	return &punchSource{fakeSource: fakeSource{in: in}, punches: []kaoqin.Punch{
		mk(1, "u01", "2026-11-16", "08:55", "ATM", "ATM", func(p *kaoqin.Punch) { p.DeviceSN = "AX1" }),
		mk(2, "u01", "2026-11-17", "08:50", "USER", "MAP", gps),
		mk(3, "u02", "2026-11-17", "09:07", "USER", "WIFI", func(p *kaoqin.Punch) { p.SSID, p.MAC, p.TimeResult = "office", "aa:bb", kaoqin.TimeLate }),
		mk(4, "u02", "2026-11-17", "08:40", "USER", "MAP", func(p *kaoqin.Punch) { p.InvalidRecordType, p.InvalidRecordMsg = "Security", "虚拟定位" }),
		mk(5, "u06", "2026-11-16", "08:58", "BOSS", "", func(p *kaoqin.Punch) { p.CheckType = kaoqin.OffDuty }),
		mk(6, "u06", "2026-11-17", "08:59", "APPROVE", "", func(p *kaoqin.Punch) { p.ApproveID, p.ProcInstID = 9, "p-9" }),
		mk(7, "u08", "2026-11-18", "09:01", "USER", "MAP"),
		mk(8, "u04", "2026-11-20", "08:00", "ATM", "ATM"), // outside the range
	}}
}

func punchIDs(t *testing.T, p *Punches) []int64 {
	t.Helper()
	var ids []int64
	if err := p.Walk(func(x kaoqin.Punch) error { ids = append(ids, x.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestPunches_Filters(t *testing.T) {
	ctx := context.Background()
	o := opts(afterRange)
	for _, test := range []struct {
		name string
		req  PunchRequest
		dept []int64
		want []int64
	}{
		{"everyone, by userid then time", PunchRequest{}, nil, []int64{1, 2, 4, 3, 5, 6, 7}},
		{"one person", PunchRequest{UserIDs: []string{"u02"}}, nil, []int64{4, 3}},
		{"check-outs", PunchRequest{CheckType: kaoqin.OffDuty}, nil, []int64{5}},
		{"phones on GPS and Wi-Fi", PunchRequest{Methods: []string{kaoqin.MethodPhoneWiFi, kaoqin.MethodPhoneGPS}}, nil, []int64{2, 4, 3, 7}},
		{"invalid only", PunchRequest{InvalidOnly: true}, nil, []int64{4}},
		// 周八 (u06) moved from 前端组 to 销售部 on 11-17: each punch counts where he was that day.
		{"销售部", PunchRequest{}, []int64{5}, []int64{4, 3, 6}},
		{"前端组", PunchRequest{}, []int64{4}, []int64{5}},
		{"销售部 and two of its people", PunchRequest{UserIDs: []string{"u02", "u06"}}, []int64{5}, []int64{4, 3, 6}},
	} {
		t.Run(test.name, func(t *testing.T) {
			test.req.From, test.req.To = "2026-11-16", "2026-11-18"
			o.DeptIDs = test.dept
			p, err := OpenPunches(ctx, punchCompany(), test.req, o)
			if err != nil {
				t.Fatal(err)
			}
			if got := punchIDs(t, p); !slices.Equal(got, test.want) {
				t.Errorf("punches %v, want %v", got, test.want)
			}
		})
	}
}

func TestPunches_BadInput(t *testing.T) {
	ctx := context.Background()
	for _, test := range []struct {
		req  PunchRequest
		dept []int64
		code string
		says string
	}{
		{PunchRequest{From: "2026-11-16", To: "2026-11-18", Methods: []string{"pigeon"}}, nil, kaoqin.EINVALID, "phone_gps"},
		{PunchRequest{From: "2026-11-16", To: "2026-11-18", CheckType: "Lunch"}, nil, kaoqin.EINVALID, "OnDuty or OffDuty"},
		{PunchRequest{From: "2026-11-16", To: "2026-11-30"}, nil, kaoqin.ENOTSYNCED, "kaoqin sync --from 2026-11-24 --to 2026-11-30"},
		{PunchRequest{From: "2026-11-18", To: "2026-11-16"}, nil, kaoqin.EINVALID, "2026-11-16"},
		{PunchRequest{From: "2026-11-16", To: "2026-11-18", UserIDs: []string{"nobody"}}, nil, kaoqin.ENOTFOUND, "nobody"},
		{PunchRequest{From: "2026-11-16", To: "2026-11-18"}, []int64{404}, kaoqin.ENOTFOUND, "404"},
		// Someone who exists, outside the scope: the same answer as someone unknown.
		{PunchRequest{From: "2026-11-16", To: "2026-11-18", UserIDs: []string{"u01"}}, []int64{5}, kaoqin.ENOTFOUND, "u01"},
	} {
		o := opts(when("2026-11-30", "20:00"), test.dept...)
		_, err := OpenPunches(ctx, punchCompany(), test.req, o)
		if kaoqin.ErrorCode(err) != test.code || !strings.Contains(kaoqin.ErrorMessage(err), test.says) {
			t.Errorf("%+v: %v, want %s saying %q", test.req, err, test.code, test.says)
		}
	}
}

func TestPunches_JSONAndPages(t *testing.T) {
	ctx := context.Background()
	src := punchCompany()
	p, err := OpenPunches(ctx, src, PunchRequest{From: "2026-11-16", To: "2026-11-18"}, opts(afterRange))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, p); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Kind, From, To, Timezone string
		Punches                  []map[string]any
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if doc.Kind != "punches" || doc.Timezone != "Asia/Shanghai" || len(doc.Punches) != 7 {
		t.Fatalf("document %+v", doc)
	}
	gps := doc.Punches[1]
	want := map[string]any{"id": 2.0, "userid": "u01", "name": "张三", "work_date": "2026-11-17", "check_type": "OnDuty",
		"user_check_time": "2026-11-17T08:50:00+08:00", "base_check_time": "2026-11-17T09:00:00+08:00",
		"time_result": "Normal", "location_result": "Normal", "source_type": "USER", "location_method": "MAP",
		"method": "phone_gps", "valid": true, "invalid_record_type": nil, "invalid_record_msg": nil,
		"address": "上海市浦东新区", "latitude": 31.2033, "longitude": 121.5908, "accuracy": 30.0,
		"device_id": "phone-1", "device_sn": nil, "ssid": nil, "mac": nil, "outside_remark": nil,
		"plan_id": 102.0, "group_id": 88.0, "approve_id": nil, "proc_inst_id": nil,
		"base_address": "博云路2号", "distance_m": 0.0}
	if diff := cmp.Diff(want, gps); diff != "" {
		t.Errorf("a phone GPS punch (-want +got):\n%s", diff)
	}
	if bad := doc.Punches[2]; bad["valid"] != false || bad["invalid_record_type"] != "Security" || bad["invalid_record_msg"] != "虚拟定位" {
		t.Errorf("an invalid punch: %v", bad)
	}

	// A page at a time: 3, 3, 1, each after the last one's cursor.
	var ids []int64
	var after kaoqin.PunchCursor
	pages := 0
	for {
		rows, next, err := p.Page(after, 3)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if next == nil {
			break
		}
		after = *next
	}
	if !slices.Equal(ids, []int64{1, 2, 4, 3, 5, 6, 7}) || pages != 3 {
		t.Errorf("pages of 3: %v in %d pages", ids, pages)
	}

	// CSV: the same columns, headed in the language, enumerations in words.
	b.Reset()
	if err := WriteCSV(&b, p, Chinese); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 8 || len(recs[0]) != len(punchColumns) || recs[0][2] != "姓名" || recs[2][11] != "手机定位" {
		t.Errorf("csv: %d rows, header %v, row 2 %v", len(recs), recs[0], recs[2])
	}
}

// TestPunches_Windows: a month of 200 people is read a window of employees at a time, each
// read bounded, and a page starts at the cursor's window; walking and paging give the same
// punches in the same order.
func TestPunches_Windows(t *testing.T) {
	ctx := context.Background()
	src := punchCompany()
	src.punches = nil
	from, to := "2026-10-19", "2026-11-18"
	days := kaoqin.Days(from, to)
	src.in.Coverage = nil
	for _, d := range days {
		src.in.Coverage = append(src.in.Coverage, kaoqin.DayCoverage{Day: d, SyncedAt: afterRange.UnixMilli(), Closed: true})
	}
	var id int64
	for i := range 200 {
		u := fmt.Sprintf("w%03d", i)
		src.in.Employees = append(src.in.Employees, kaoqin.Employee{UserID: u, Name: u})
		for _, d := range days {
			for _, clock := range []string{"08:50", "18:05"} {
				id++
				src.punches = append(src.punches, kaoqin.Punch{ID: id, UserID: u, WorkDate: d, CheckType: kaoqin.OnDuty,
					SourceType: "ATM", UserCheckTime: ms(d, clock)})
			}
		}
	}
	p, err := OpenPunches(ctx, src, PunchRequest{From: from, To: to}, opts(afterRange))
	if err != nil {
		t.Fatal(err)
	}
	n := p.window()
	if n != punchRowsPerRead/(4*31) {
		t.Fatalf("window of a month: %d employees", n)
	}
	var reads [][]string
	counting := &windowSource{punchSource: src, reads: &reads}
	p.src = counting
	walked := punchIDs(t, p)
	if len(walked) != len(src.punches) || !slices.IsSorted(walked) {
		t.Fatalf("walked %d punches (want %d), sorted %v", len(walked), len(src.punches), slices.IsSorted(walked))
	}
	for _, r := range reads {
		if len(r) > n {
			t.Fatalf("a read of %d employees, window %d", len(r), n)
		}
	}

	var paged []int64
	var after kaoqin.PunchCursor
	for {
		reads = nil
		rows, next, err := p.Page(after, 500)
		if err != nil {
			t.Fatal(err)
		}
		if !after.IsZero() && len(reads) > 0 && reads[0][0] != after.UserID {
			t.Fatalf("a page after %s read from %s first", after.UserID, reads[0][0])
		}
		for _, r := range rows {
			paged = append(paged, r.ID)
		}
		if next == nil {
			break
		}
		after = *next
	}
	if !slices.Equal(paged, walked) {
		t.Errorf("pages gave %d punches, the walk %d", len(paged), len(walked))
	}
}

// windowSource records the employees of every read.
type windowSource struct {
	*punchSource
	reads *[][]string
}

func (s *windowSource) QueryPunches(ctx context.Context, q kaoqin.PunchQuery) ([]kaoqin.Punch, error) {
	*s.reads = append(*s.reads, q.UserIDs)
	return s.punchSource.QueryPunches(ctx, q)
}
