package syncer_test

import (
	"context"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/syncer"
)

// TestFetchDay: one employee-day with getupdatedata, one metered call, kept in the store:
// results, punches and the approval behind a trip; refused without a call left.
func TestFetchDay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{quota: 5000})
	ctx := context.Background()
	tr := e.sim.Truth()
	var userid, day string
	for _, u := range tr.UserIDs() {
		for _, d := range []string{"2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12", "2026-11-13", "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"} {
			if td, _ := tr.Day(u, d); td.Trip != "" && userid == "" {
				userid, day = u, d
			}
		}
	}
	if userid == "" {
		t.Fatal("no trip in the simulated company: the test proves nothing")
	}
	before := e.sim.Counters().Total().Metered
	d, err := e.s.FetchDay(ctx, userid, day)
	must(t, err)
	if n := e.sim.Counters().Total().Metered - before; n != 1 {
		t.Errorf("%d metered calls, want 1", n)
	}
	td, _ := tr.Day(userid, day)
	if len(d.Results) != len(td.FinalResults) || len(d.Punches) != len(td.FinalRecords) || len(d.Matched) != len(td.FinalResults) ||
		len(d.Approvals) == 0 || d.Approvals[0].Tag != td.Trip || d.Approvals[0].BizType != 2 {
		t.Errorf("fetched %+v\nthe simulator has %d results, %d records, trip %s", d, len(td.FinalResults), len(td.FinalRecords), td.Trip)
	}
	for i, r := range d.Results {
		if r.SourceType != "APPROVE" || r.TimeResult != td.FinalResults[i].TimeResult || r.BaseCheckTime != td.FinalResults[i].BaseCheckTime {
			t.Errorf("result %d: %+v, the simulator's %+v", i, r, td.FinalResults[i])
		}
	}
	stored, err := e.db.DayDetail(ctx, userid, day)
	must(t, err)
	if stored.FetchedAt == 0 || len(stored.Punches) != len(d.Punches) {
		t.Errorf("stored %+v", stored)
	}
	if _, err := e.s.FetchDay(ctx, userid, "2026-12-25"); kaoqin.ErrorCode(err) != kaoqin.EINVALID {
		t.Errorf("a day to come: %v, want EINVALID", err)
	}

	spent := newEnv(t, envOptions{quota: 1})
	e.sync(syncer.Request{OrgOnly: true})
	spent.sync(syncer.Request{OrgOnly: true})
	must(t, spent.db.RecordCall(ctx, kaoqin.Call{Month: "2026-11", Path: syncer.PathUpdateData, Metered: true}))
	if _, err := spent.s.FetchDay(ctx, userid, day); kaoqin.ErrorCode(err) != kaoqin.EQUOTA {
		t.Errorf("over the quota: %v, want EQUOTA", err)
	}
	if n := spent.sim.Counters().Total().Metered; n != 0 {
		t.Errorf("over the quota: %d metered calls", n)
	}
}
