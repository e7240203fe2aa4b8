// Package webtest fills a store with a simulated company's org chart and attendance, straight
// from the DingTalk simulator's truth, for the web package's tests, its browser tests and
// bench/web. It stands in for a sync (no DingTalk calls, no quota) so that the dashboard's
// tests do not depend on the sync engine, and so that they can compare what the pages show
// with what the report package computes from the same rows.
package webtest

import (
	"context"
	"fmt"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/syncer"
)

// Store is what Fill writes to.
type Store interface {
	kaoqin.OrgStore
	kaoqin.AttendanceStore
}

// Fill saves the simulator's org chart as of from, and the checks and leave of every person
// over [from, to] as the simulator answers them at its company clock, and marks the days
// covered at syncedAt, with their latest check: closed if the day had closed by then (ended,
// and its last check's late window passed, as the sync engine judges it).
func Fill(ctx context.Context, st Store, sim *dingtalksim.Server, from, to string, syncedAt time.Time) error {
	truth := sim.Truth()
	loc := sim.Config().Location
	snap := kaoqin.OrgSnapshot{Day: from, At: syncedAt.UnixMilli()}
	for _, d := range truth.Departments() {
		snap.Departments = append(snap.Departments, kaoqin.Department{ID: d.ID, ParentID: d.ParentID, Name: d.Name,
			Order: d.Order, SourceIdentifier: d.SourceIdentifier, Managers: d.Managers})
	}
	var ids []string
	for _, u := range truth.Users() {
		ids = append(ids, u.UserID)
		snap.Employees = append(snap.Employees, kaoqin.Employee{UserID: u.UserID, Name: u.Name, JobNumber: u.JobNumber,
			Title: u.Title, HiredAt: u.HiredDate, DeptIDs: append([]int64(nil), u.DeptIDs...)})
	}
	if _, err := st.SaveOrg(ctx, snap); err != nil {
		return fmt.Errorf("fill org: %w", err)
	}
	// Week by week, as a sync would, so that a big company's batch stays a sensible size.
	days := kaoqin.Days(from, to)
	last := map[string]int64{}
	for i := 0; i < len(days); i += 7 {
		lo, hi := days[i], days[min(i+6, len(days)-1)]
		var checks []kaoqin.Check
		for _, r := range truth.Results(ids, lo, hi) {
			c := Check(r, loc)
			checks = append(checks, c)
			last[c.WorkDate] = max(last[c.WorkDate], c.BaseCheckTime)
		}
		if _, err := st.SaveChecks(ctx, kaoqin.CheckBatch{Scope: kaoqin.Scope{UserIDs: ids, From: lo, To: hi}, Checks: checks}); err != nil {
			return fmt.Errorf("fill checks %s..%s: %w", lo, hi, err)
		}
		var punches []kaoqin.Punch
		for _, r := range truth.Records(ids, lo, hi) {
			punches = append(punches, Punch(r, loc))
		}
		if _, err := st.SavePunches(ctx, kaoqin.PunchBatch{Scope: kaoqin.Scope{UserIDs: ids, From: lo, To: hi}, Punches: punches}); err != nil {
			return fmt.Errorf("fill punches %s..%s: %w", lo, hi, err)
		}
		var plans []kaoqin.Schedule
		for _, p := range truth.Schedules(ids, lo, hi) {
			plans = append(plans, kaoqin.Schedule{PlanID: p.PlanID, UserID: p.UserID, WorkDate: p.WorkDate, CheckType: p.CheckType,
				PlanCheckTime: p.PlanCheckTime, GroupID: p.GroupID, ShiftID: p.ClassID, IsRest: p.IsRest, ApproveID: p.ApproveID})
		}
		if _, err := st.SaveSchedules(ctx, kaoqin.ScheduleBatch{Scope: kaoqin.Scope{UserIDs: ids, From: lo, To: hi}, Schedules: plans}); err != nil {
			return fmt.Errorf("fill plans %s..%s: %w", lo, hi, err)
		}
	}
	start, _ := kaoqin.DayBounds(from, loc)
	_, end := kaoqin.DayBounds(to, loc)
	var leaves []kaoqin.Leave
	for _, l := range truth.Leaves(ids, from, to) {
		leaves = append(leaves, kaoqin.Leave{UserID: l.UserID, StartTime: l.StartTime, EndTime: l.EndTime,
			DurationUnit: l.DurationUnit, DurationPercent: l.DurationPercent})
	}
	if _, err := st.SaveLeaves(ctx, kaoqin.LeaveBatch{UserIDs: ids, Start: start.UnixMilli(), End: end.UnixMilli(), Leaves: leaves}); err != nil {
		return fmt.Errorf("fill leaves: %w", err)
	}
	var cov []kaoqin.DayCoverage
	for _, d := range kaoqin.Days(from, to) {
		_, dayEnd := kaoqin.DayBounds(d, loc)
		closes := max(dayEnd.UnixMilli(), last[d]+syncer.DefaultLateWindow.Milliseconds())
		closed := syncedAt.UnixMilli() >= closes
		cov = append(cov, kaoqin.DayCoverage{Day: d, SyncedAt: syncedAt.UnixMilli(), Closed: closed, Settled: closed,
			LastCheckAt: last[d], ClosesAt: closes, SettlesAt: closes})
	}
	if err := st.MarkCovered(ctx, cov); err != nil {
		return fmt.Errorf("fill coverage: %w", err)
	}
	for _, kind := range []string{kaoqin.CoverPunches, kaoqin.CoverPlans} {
		if err := st.MarkKindCovered(ctx, kind, cov); err != nil {
			return fmt.Errorf("fill coverage of %s: %w", kind, err)
		}
	}
	return nil
}

// Check converts one of the simulator's attendance/list rows to a kaoqin.Check, the way the
// sync engine does: the work date in the company's zone.
func Check(r dingtalksim.Result, loc *time.Location) kaoqin.Check {
	return kaoqin.Check{
		ID: r.ID, RecordID: r.RecordID, UserID: r.UserID, WorkDate: kaoqin.DateOfMs(r.WorkDate, loc),
		CheckType: r.CheckType, TimeResult: r.TimeResult, LocationResult: r.LocationResult,
		BaseCheckTime: r.BaseCheckTime, UserCheckTime: r.UserCheckTime, SourceType: r.SourceType,
		PlanID: r.PlanID, GroupID: r.GroupID, ApproveID: r.ApproveID, ProcInstID: r.ProcInstID,
	}
}

// Punch converts one of the simulator's listRecord rows to a kaoqin.Punch, as the sync engine
// does.
func Punch(r dingtalksim.Record, loc *time.Location) kaoqin.Punch {
	return kaoqin.Punch{
		ID: r.ID, UserID: r.UserID, WorkDate: kaoqin.DateOfMs(r.WorkDate, loc), CheckType: r.CheckType,
		TimeResult: r.TimeResult, LocationResult: r.LocationResult, SourceType: r.SourceType,
		UserCheckTime: r.UserCheckTime, BaseCheckTime: r.BaseCheckTime, PlanCheckTime: r.PlanCheckTime,
		PlanID: r.PlanID, GroupID: r.GroupID, ClassID: r.ClassID, IsLegal: r.IsLegal == "Y",
		InvalidRecordType: r.InvalidRecordType, InvalidRecordMsg: r.InvalidRecordMsg, LocationMethod: r.LocationMethod,
		UserAddress: r.UserAddress, Latitude: r.UserLatitude, Longitude: r.UserLongitude, Accuracy: r.UserAccuracy,
		OutsideRemark: r.OutsideRemark, DeviceID: r.DeviceID, DeviceSN: r.DeviceSN, SSID: r.UserSsid, MAC: r.UserMacAddr,
		BaseAddress: r.BaseAddress, BaseLatitude: r.BaseLatitude, BaseLongitude: r.BaseLongitude,
		BaseAccuracy: r.BaseAccuracy, BaseSSID: r.BaseSsid, BaseMAC: r.BaseMacAddr,
		ApproveID: r.ApproveID, ProcInstID: r.ProcInstID,
	}
}
