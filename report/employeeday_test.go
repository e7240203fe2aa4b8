package report

import (
	"context"
	"testing"

	"github.com/kaoqin/kaoqin"
)

type daySource struct {
	punchSource
	detail *kaoqin.DayDetail
}

func (s *daySource) DayDetail(ctx context.Context, userid, day string) (*kaoqin.DayDetail, error) {
	if s.detail == nil || s.detail.UserID != userid || s.detail.WorkDate != day {
		return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "not fetched")
	}
	return s.detail, nil
}

func TestLoadDay(t *testing.T) {
	ctx := context.Background()
	src := &daySource{punchSource: *punchCompany()}
	src.in.Punches = src.punches
	sortInput(&src.in)
	src.in.Schedules = []kaoqin.Schedule{
		{PlanID: 1, UserID: "u02", WorkDate: "2026-11-17", CheckType: kaoqin.OnDuty, PlanCheckTime: ms("2026-11-17", "09:00"), GroupID: 88, ShiftID: 301},
		{PlanID: 2, UserID: "u02", WorkDate: "2026-11-17", CheckType: kaoqin.OffDuty, PlanCheckTime: ms("2026-11-17", "18:00"), GroupID: 88, ShiftID: 301},
	}
	src.in.Coverage = append(src.in.Coverage[:0:0], src.in.Coverage...)
	src.detail = &kaoqin.DayDetail{UserID: "u02", WorkDate: "2026-11-17", FetchedAt: ms("2026-11-30", "10:00"),
		Results:   []kaoqin.Check{{CheckType: kaoqin.OnDuty, TimeResult: kaoqin.TimeLate, BaseCheckTime: ms("2026-11-17", "09:00"), UserCheckTime: ms("2026-11-17", "09:07")}},
		Punches:   []kaoqin.Punch{{ID: 3, UserID: "u02", WorkDate: "2026-11-17", UserCheckTime: ms("2026-11-17", "09:07"), SourceType: "USER", LocationMethod: "WIFI"}},
		Matched:   []int64{3},
		Approvals: []kaoqin.Approval{{Tag: "外出", BizType: 2, Begin: ms("2026-11-17", "14:00"), End: ms("2026-11-17", "16:00"), ProcInstID: "p-out"}}}
	d, err := LoadDay(ctx, src, "u02", "2026-11-17", opts(afterRange))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Synced || !d.Final || !d.PunchesSynced || len(d.Plans) != 2 || len(d.Punches) != 2 || d.Punches[0].ID != 4 ||
		*d.Punches[1].Method != kaoqin.MethodPhoneWiFi || d.Detail == nil || len(d.Detail.Punches) != 1 ||
		len(d.Approvals) != 1 || d.Approvals[0].Tag != "外出" || d.Status == "" || d.Name != "李四" {
		t.Errorf("李四's 11-17: %+v", d)
	}
	// 周八 (u06) on 11-16: in 前端组 (4), his approval named by a punch.
	d, err = LoadDay(ctx, src, "u06", "2026-11-17", opts(afterRange, 5))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Approvals) != 1 || d.Approvals[0].ProcInstID != "p-9" || d.Approvals[0].From != "punch" {
		t.Errorf("周八's approvals: %+v", d.Approvals)
	}
	// Outside a manager's scope that day, and unknown: the same answer.
	for _, test := range []struct {
		user, day string
		dept      int64
	}{{"u06", "2026-11-16", 5}, {"u02", "2026-11-17", 4}, {"nobody", "2026-11-17", 0}} {
		o := opts(afterRange)
		if test.dept != 0 {
			o = opts(afterRange, test.dept)
		}
		if _, err := LoadDay(ctx, src, test.user, test.day, o); kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND {
			t.Errorf("%s on %s seen from %d: %v, want ENOTFOUND", test.user, test.day, test.dept, err)
		}
	}
	// A day not synced: no status, what the store and getupdatedata have.
	d, err = LoadDay(ctx, src, "u02", "2026-11-24", opts(when("2026-11-30", "10:00")))
	if err != nil {
		t.Fatal(err)
	}
	if d.Synced || d.Status != "" || len(d.Checks) != 0 {
		t.Errorf("a day not synced: %+v", d)
	}
}
