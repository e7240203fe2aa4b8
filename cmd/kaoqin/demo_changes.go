package main

import (
	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// demoChanges makes the simulated company change two of the days the demo's first sync
// pulled, as companies do once a day is over: an administrator turns a late check-in into a
// normal one, and a leave is approved for a day someone was absent. The dashboard's
// reconciliation with DingTalk's report (/reconcile) finds both, with their causes. It returns
// how many changes it made.
func demoChanges(sim *dingtalksim.Server, from, to string) int {
	tr := sim.Truth()
	at := sim.Now()
	edited, approved := false, false
	for _, u := range tr.UserIDs() {
		for _, d := range kaoqin.Days(from, kaoqin.AddDays(to, -1)) {
			day, _ := tr.Day(u, d)
			switch {
			case !edited && day.Outcome == dingtalksim.OutcomeLate:
				edited = sim.EditResult(dingtalksim.ResultEdit{UserID: u, Date: d, CheckType: "OnDuty", TimeResult: "Normal", At: at}) == nil
			case !approved && day.Outcome == dingtalksim.OutcomeAbsent:
				approved = sim.ApproveLeave(dingtalksim.LateLeave{UserID: u, Date: d, Type: "病假", At: at}) == nil
			}
			if edited && approved {
				return 2
			}
		}
	}
	n := 0
	for _, ok := range []bool{edited, approved} {
		if ok {
			n++
		}
	}
	return n
}
