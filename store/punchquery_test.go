package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

// TestQueryPunches: every filter, each method selecting exactly the punches kaoqin.PunchMethod
// names so, and a walk page by page that gives every punch once, in order.
func TestQueryPunches(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kinds := []struct{ source, location string }{
			{"ATM", "ATM"}, {"DING_ATM", ""}, {"BEACON", ""}, {"USER", "MAP"}, {"USER", "WIFI"}, {"USER", ""},
			{"BOSS", ""}, {"APPROVE", ""}, {"SYSTEM", ""}, {"AUTO_CHECK", ""}, {"", "MAP"}, {"", "ATM"}, {"", "WIFI"},
		}
		var all []kaoqin.Punch
		id := int64(0)
		for _, u := range []string{"u1", "u2", "u3"} {
			for _, day := range []string{"2026-11-16", "2026-11-17", "2026-11-18"} {
				for k, kind := range kinds {
					id++
					p := punch(id, u, day, int64(k%4)*1000+id%3) // some punches share a time
					p.SourceType, p.LocationMethod = kind.source, kind.location
					p.CheckType = []string{kaoqin.OnDuty, kaoqin.OffDuty}[k%2]
					if k%5 == 0 {
						p.InvalidRecordType = "Security"
					}
					all = append(all, p)
				}
			}
		}
		_, err := db.SavePunches(ctx, kaoqin.PunchBatch{Punches: all})
		must(t, err)
		want := func(keep func(kaoqin.Punch) bool) []kaoqin.Punch {
			var out []kaoqin.Punch
			for _, p := range all {
				if keep(p) {
					out = append(out, p)
				}
			}
			slices.SortFunc(out, func(a, b kaoqin.Punch) int {
				return cmpCursor(kaoqin.CursorOf(a), kaoqin.CursorOf(b))
			})
			return out
		}
		for _, m := range kaoqin.Methods {
			got, err := db.QueryPunches(ctx, kaoqin.PunchQuery{Methods: []string{m}})
			must(t, err)
			if diff := cmp.Diff(want(func(p kaoqin.Punch) bool { return p.Method() == m }), got); diff != "" || len(got) == 0 {
				t.Errorf("method %s (-want +got):\n%s", m, diff)
			}
		}
		got, err := db.QueryPunches(ctx, kaoqin.PunchQuery{
			Filter:    kaoqin.Filter{From: "2026-11-17", To: "2026-11-18", UserIDs: []string{"u1", "u3"}},
			CheckType: kaoqin.OnDuty, Methods: []string{kaoqin.MethodPhoneGPS, kaoqin.MethodMachine}, InvalidOnly: true,
		})
		must(t, err)
		if diff := cmp.Diff(want(func(p kaoqin.Punch) bool {
			return p.WorkDate >= "2026-11-17" && p.UserID != "u2" && p.CheckType == kaoqin.OnDuty && !p.Valid() &&
				(p.Method() == kaoqin.MethodPhoneGPS || p.Method() == kaoqin.MethodMachine)
		}), got); diff != "" || len(got) == 0 {
			t.Errorf("every filter at once (-want +got):\n%s", diff)
		}

		// Page by page: 7 at a time, each page after the last one's cursor.
		var walked []kaoqin.Punch
		q := kaoqin.PunchQuery{Limit: 7}
		for {
			page, err := db.QueryPunches(ctx, q)
			must(t, err)
			walked = append(walked, page...)
			if len(page) < q.Limit {
				break
			}
			q.After = kaoqin.CursorOf(page[len(page)-1])
		}
		if diff := cmp.Diff(want(func(kaoqin.Punch) bool { return true }), walked); diff != "" {
			t.Errorf("a walk in pages of 7 (-want +got):\n%s", diff)
		}

		_, err = db.QueryPunches(ctx, kaoqin.PunchQuery{Methods: []string{"carrier_pigeon"}})
		wantCode(t, err, kaoqin.EINVALID)
		_, err = db.QueryPunches(ctx, kaoqin.PunchQuery{CheckType: "Lunch"})
		wantCode(t, err, kaoqin.EINVALID)
	})
}

func cmpCursor(a, b kaoqin.PunchCursor) int {
	switch {
	case a.UserID != b.UserID:
		if a.UserID < b.UserID {
			return -1
		}
		return 1
	case a.At != b.At:
		if a.At < b.At {
			return -1
		}
		return 1
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

func TestDayDetail(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, err := db.DayDetail(ctx, "u1", "2026-11-18")
		wantCode(t, err, kaoqin.ENOTFOUND)
		d := kaoqin.DayDetail{UserID: "u1", WorkDate: "2026-11-18", FetchedAt: 5,
			Results:   []kaoqin.Check{{UserID: "u1", WorkDate: "2026-11-18", CheckType: kaoqin.OnDuty, TimeResult: kaoqin.TimeLate}},
			Punches:   []kaoqin.Punch{punch(1, "u1", "2026-11-18", 100)},
			Matched:   []int64{1},
			Approvals: []kaoqin.Approval{{Tag: "请假", SubType: "年假", BizType: 3, Begin: 1, End: 2, ProcInstID: "p"}}}
		must(t, db.SaveDayDetail(ctx, d))
		d.FetchedAt, d.Matched = 9, nil // fetched again: replaced
		must(t, db.SaveDayDetail(ctx, d))
		got, err := db.DayDetail(ctx, "u1", "2026-11-18")
		must(t, err)
		if diff := cmp.Diff(&d, got); diff != "" {
			t.Errorf("day detail (-want +got):\n%s", diff)
		}
		wantCode(t, db.SaveDayDetail(ctx, kaoqin.DayDetail{UserID: "u1", WorkDate: "18/11"}), kaoqin.EINVALID)
	})
}
