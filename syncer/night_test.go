package syncer_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/syncer"
)

// nightShifts returns, by the simulator's truth, who works a shift of day that ends the next
// morning (the 22:00-06:00 group and the rotation's 20:00-08:00), sorted.
func nightShifts(t *testing.T, sim *dingtalksim.Server, day string) []string {
	t.Helper()
	_, end := kaoqin.DayBounds(day, shanghai)
	var out []string
	for _, u := range sim.Truth().UserIDs() {
		d, _ := sim.Truth().Day(u, day)
		if n := len(d.Schedules); n > 0 && d.Schedules[n-1].PlanCheckTime >= end.UnixMilli() {
			out = append(out, u)
		}
	}
	if len(out) < 5 {
		t.Fatalf("%d night shifts on %s: too few to test", len(out), day)
	}
	return out
}

// signedBy reports whether userid's check of checkType on day was signed by at (unix ms), by
// the truth of the whole day.
func signedBy(sim *dingtalksim.Server, userid, day, checkType string, at int64) bool {
	d, _ := sim.Truth().Day(userid, day)
	for _, r := range d.FinalResults {
		if r.CheckType == checkType && r.TimeResult != kaoqin.TimeNotSigned && r.UserCheckTime <= at {
			return true
		}
	}
	return false
}

// TestNightShift follows a company with night shifts through Wednesday 2026-11-25 and the
// morning after, on its clock: the board at 23:30 sees the night shift check in, the nightly
// sync at 02:00 pulls the 25th and leaves it open (its check-outs are still to come, and not
// missing), the board of the 26th at 02:30 and 06:30 shows who of the night shift is still on
// duty, and once the day has closed a close-out pulls the night shift's people alone and the
// day is final, each night shift counted once, on its work date.
func TestNightShift(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{sim: dingtalksim.Config{NightShift: true}, quota: 5000})
	ctx := context.Background()
	at := func(wall string) time.Time { return e.sim.At(wall) }
	p := &polled{}
	e.handler.onAttendance(p.hook)
	daily := func(day string, now time.Time) *report.Daily {
		t.Helper()
		d, err := report.LoadDaily(ctx, e.db, day, report.Options{Location: shanghai, Now: now})
		must(t, err)
		return d
	}

	// Tuesday night is synced the next morning, before it closed; Wednesday's first pull.
	e.setNow(at("2026-11-25 08:30"))
	e.sync(syncer.Request{OrgOnly: true})
	e.sync(syncer.Request{From: "2026-11-24", To: "2026-11-24", NoOrg: true})
	_, err := e.s.SyncToday(ctx)
	must(t, err)
	night := nightShifts(t, e.sim, "2026-11-25")

	// 23:30: a poll finds the night shift's check-ins.
	e.setNow(at("2026-11-25 23:30"))
	p.reset(syncer.PathRecords)
	_, err = e.s.SyncToday(ctx)
	must(t, err)
	d := daily("2026-11-25", at("2026-11-25 23:30"))
	for _, u := range night {
		emp, _ := d.Employee(u)
		in := emp.Presence == report.PresenceIn || emp.Presence == report.PresenceLate
		if want := signedBy(e.sim, u, "2026-11-25", kaoqin.OnDuty, at("2026-11-25 23:30").UnixMilli()); in != want && emp.Presence != report.PresenceOnLeave {
			t.Errorf("23:30: %s checked in %v, the board says %s", u, want, emp.Presence)
		}
		if emp.Status == report.StatusMissing && signedBy(e.sim, u, "2026-11-25", kaoqin.OnDuty, at("2026-11-25 23:30").UnixMilli()) {
			t.Errorf("23:30: %s checked in and reads missing, the check-out still to come", u)
		}
	}

	// 02:00: the nightly sync pulls the 25th (and the 26th's first pull with it, as the
	// scheduler does when a night shift is at work) and leaves the 25th open.
	e.setNow(at("2026-11-26 02:00"))
	due, err := e.s.Due(ctx, "2026-11-18", "2026-11-25")
	must(t, err)
	if !slices.Equal(due.Whole, []string{"2026-11-25"}) || !slices.Equal(due.Closing, []string{"2026-11-24"}) {
		t.Fatalf("at 02:00: due %+v, want the 25th whole and the 24th's close-out", due)
	}
	sum := e.sync(syncer.Request{From: "2026-11-24", To: "2026-11-26", NoOrg: true})
	cov, err := e.db.Coverage(ctx, "2026-11-24", "2026-11-26")
	must(t, err)
	closes := at("2026-11-26 08:00").Add(syncer.DefaultLateWindow).UnixMilli()
	if len(cov) != 3 || !cov[0].Closed || cov[1].Closed || cov[2].Closed || cov[1].SyncedAt != at("2026-11-26 02:00").UnixMilli() ||
		cov[1].LastCheckAt != at("2026-11-26 08:00").UnixMilli() || cov[1].ClosesAt != closes {
		t.Fatalf("coverage after the nightly sync at 02:00: %+v; want the 24th final, the 25th open until %v", cov, time.UnixMilli(closes))
	}
	if sum.DaysCovered != 3 {
		t.Errorf("the nightly sync covered %d days, want 3", sum.DaysCovered)
	}
	// Its check-outs are still to come: pending, not missing.
	d = daily("2026-11-25", at("2026-11-26 02:00"))
	if d.Final {
		t.Error("the daily report of the 25th says final at 02:00")
	}
	for _, u := range night {
		emp, _ := d.Employee(u)
		if emp.Status == report.StatusMissing && signedBy(e.sim, u, "2026-11-25", kaoqin.OnDuty, at("2026-11-26 02:00").UnixMilli()) {
			t.Errorf("02:00: %s checked in and reads missing, the check-out still to come: %+v", u, emp.Checks)
		}
	}

	// 02:30: the board of the 26th shows the night shift still at work, apart from its counts.
	board := func(now time.Time) (onDuty []string, listed int) {
		d := daily("2026-11-26", now)
		for _, emp := range d.Employees {
			if o := emp.Overnight; o != nil {
				listed++
				if o.WorkDate != "2026-11-25" || !o.ShiftEnd.After(now) {
					t.Errorf("%s: %s listed overnight with %+v", now.Format("15:04"), emp.UserID, o)
				}
				if o.OnDuty {
					onDuty = append(onDuty, emp.UserID)
				}
			}
		}
		if d.Company.OvernightOnDuty != len(onDuty) {
			t.Errorf("%s: overnight_on_duty %d, %d employees on duty", now.Format("15:04"), d.Company.OvernightOnDuty, len(onDuty))
		}
		if who, _ := d.Who(0, "overnight_on_duty"); !slices.Equal(who, onDuty) {
			t.Errorf("%s: Who(overnight_on_duty) = %v, want %v", now.Format("15:04"), who, onDuty)
		}
		return onDuty, listed
	}
	// Who is on duty by what DingTalk said at 02:00: checked in, not checked out.
	wantOnDuty := func(pulled, now time.Time, shiftEnds func(string) bool) []string {
		var out []string
		for _, u := range night {
			if shiftEnds(u) && signedBy(e.sim, u, "2026-11-25", kaoqin.OnDuty, pulled.UnixMilli()) &&
				!signedBy(e.sim, u, "2026-11-25", kaoqin.OffDuty, pulled.UnixMilli()) {
				out = append(out, u)
			}
		}
		return out
	}
	ends := func(after time.Time) func(string) bool {
		return func(u string) bool {
			day, _ := e.sim.Truth().Day(u, "2026-11-25")
			return day.Schedules[len(day.Schedules)-1].PlanCheckTime > after.UnixMilli()
		}
	}
	onDuty, listed := board(at("2026-11-26 02:30"))
	t.Logf("02:30: %d night shifts, %d listed, %d on duty", len(night), listed, len(onDuty))
	if want := wantOnDuty(at("2026-11-26 02:00"), at("2026-11-26 02:30"), ends(at("2026-11-26 02:30"))); !slices.Equal(onDuty, want) || len(want) == 0 {
		t.Errorf("02:30: on duty overnight %v, want %v", onDuty, want)
	}
	if listed != len(night) {
		t.Errorf("02:30: %d of the %d night shifts listed", listed, len(night))
	}
	d26 := daily("2026-11-26", at("2026-11-26 02:30"))
	for _, u := range onDuty {
		if emp, _ := d26.Employee(u); emp.Presence == report.PresenceIn || emp.Presence == report.PresenceLate {
			t.Errorf("02:30: %s on duty overnight counts as checked in on the 26th too", u)
		}
	}

	// 06:30: the 22:00-06:00 shift is over, the 20:00-08:00 one is not.
	onDuty, _ = board(at("2026-11-26 06:30"))
	t.Logf("06:30: %d on duty", len(onDuty))
	if want := wantOnDuty(at("2026-11-26 02:00"), at("2026-11-26 06:30"), ends(at("2026-11-26 06:30"))); !slices.Equal(onDuty, want) || len(want) == 0 {
		t.Errorf("06:30: on duty overnight %v, want %v", onDuty, want)
	}
	for _, u := range onDuty {
		day, _ := e.sim.Truth().Day(u, "2026-11-25")
		if end := day.Schedules[len(day.Schedules)-1].PlanCheckTime; end != at("2026-11-26 08:00").UnixMilli() {
			t.Errorf("06:30: %s on duty overnight, shift ending %v", u, time.UnixMilli(end))
		}
	}

	// 12:00: the 25th has closed. The close-out pulls the night shift's people only.
	e.setNow(at("2026-11-26 12:00"))
	due, err = e.s.Due(ctx, "2026-11-18", "2026-11-25")
	must(t, err)
	if !slices.Equal(due.Closing, []string{"2026-11-25"}) || len(due.Whole) != 0 {
		t.Fatalf("at 12:00: due %+v, want the 25th's close-out", due)
	}
	plan, err := e.s.Plan(ctx, syncer.Request{From: "2026-11-25", To: "2026-11-25", NoOrg: true})
	must(t, err)
	if plan.DaysClosing != 1 || plan.PeopleClosing != len(night) || plan.ExpectedMetered == 0 {
		t.Errorf("close-out plan: %d days, %d people, %d calls; want 1 day, %d people", plan.DaysClosing, plan.PeopleClosing, plan.ExpectedMetered, len(night))
	}
	whole, err := e.s.Plan(ctx, syncer.Request{From: "2026-11-25", To: "2026-11-25", NoOrg: true, Refetch: true})
	must(t, err)
	p.reset(syncer.PathResults)
	closeOut := e.sync(syncer.Request{From: "2026-11-25", To: "2026-11-25", NoOrg: true})
	if got := p.sorted(); !slices.Equal(got, night) {
		t.Errorf("the close-out asked attendance/list about %d people, want the %d of the night shift", len(got), len(night))
	}
	t.Logf("close-out of %d night shifts of %d people: %d metered calls, where the whole day takes %d", len(night), whole.Employees,
		closeOut.Run.Metered, whole.ExpectedMetered)
	if closeOut.Run.Metered*2 > whole.ExpectedMetered {
		t.Errorf("the close-out took %d metered calls, more than half the whole day's %d", closeOut.Run.Metered, whole.ExpectedMetered)
	}
	assertMirrors(t, e.sim, e.db, "2026-11-25", "2026-11-25", true)
	cov, err = e.db.Coverage(ctx, "2026-11-25", "2026-11-25")
	must(t, err)
	if !cov[0].Closed || cov[0].SyncedAt != at("2026-11-26 02:00").UnixMilli() || cov[0].Settled {
		t.Errorf("the 25th after its close-out: %+v, want final, pulled whole at 02:00, its last pull due", cov[0])
	}
	if p, err := e.s.Plan(ctx, syncer.Request{From: "2026-11-24", To: "2026-11-25", NoOrg: true}); err != nil || p.ExpectedMetered != 0 || p.DaysFinal != 2 {
		t.Errorf("after the close-out, a plan of the 24th and 25th: %+v, %v; want nothing to fetch", p, err)
	}

	// Each night shift counts once, on its work date: the final reports agree with the truth.
	d = daily("2026-11-25", at("2026-11-26 12:00"))
	if !d.Final {
		t.Error("the 25th is not final after its close-out")
	}
	for _, u := range night {
		day, _ := e.sim.Truth().Day(u, "2026-11-25")
		emp, _ := d.Employee(u)
		want := map[dingtalksim.Outcome]string{dingtalksim.OutcomeNormal: report.StatusNormal, dingtalksim.OutcomeLate: report.StatusLate,
			dingtalksim.OutcomeEarly: report.StatusEarly, dingtalksim.OutcomeMissingOffDuty: report.StatusMissing,
			dingtalksim.OutcomeAbsent: report.StatusAbsent, dingtalksim.OutcomeLeaveWholeDay: report.StatusLeave}[day.Outcome]
		if want != "" && day.Edited == "" && emp.Status != want {
			t.Errorf("%s on the 25th: %s, reads %s", u, day.Outcome, emp.Status)
		}
	}
	period, err := report.LoadPeriod(ctx, e.db, "2026-11-24", "2026-11-25", report.Options{Location: shanghai, Now: at("2026-11-26 12:00")})
	must(t, err)
	for _, pe := range period.Employees {
		if !slices.Contains(night, pe.UserID) {
			continue
		}
		want := 0
		for _, day := range []string{"2026-11-24", "2026-11-25"} {
			if d, _ := e.sim.Truth().Day(pe.UserID, day); len(d.FinalResults) > 0 {
				want++
			}
		}
		if pe.ScheduledDays != want {
			t.Errorf("%s: %d scheduled days in the period, want %d", pe.UserID, pe.ScheduledDays, want)
		}
	}
}
