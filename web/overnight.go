package web

import (
	"cmp"
	"slices"

	"github.com/kaoqin/kaoqin/report"
)

// The board of a morning: the night shift of the day before still at work (report.Overnight).
// They count on the day their shift began; the board lists them apart, with their shift.

// overnightRow is one person of last night's shift on the board.
type overnightRow struct {
	UserID     string
	Name       string
	Depts      []string
	ShiftStart report.Time
	ShiftEnd   report.Time
	CheckedIn  report.Time
	// State is "on_duty" (checked in, not out), "left" (checked out before the shift's end),
	// "on_leave" or "not_in": the key of its word, overnight_<state>.
	State string
}

// overnightRows returns the people of deptID's subtree (0: the whole report) still on a shift
// of the day before, on duty first, by name.
func overnightRows(d *report.Daily, deptID int64) ([]overnightRow, error) {
	var night []*report.DailyEmployee // most days, and most companies: none
	for i := range d.Employees {
		if d.Employees[i].Overnight != nil {
			night = append(night, &d.Employees[i])
		}
	}
	if len(night) == 0 {
		return nil, nil
	}
	members, err := d.Who(deptID, "headcount")
	if err != nil {
		return nil, err
	}
	labels := map[int64]string{}
	for _, dd := range d.Departments {
		labels[dd.ID] = dd.Name
	}
	var rows []overnightRow
	for _, e := range night {
		if _, ok := slices.BinarySearch(members, e.UserID); !ok {
			continue
		}
		o := e.Overnight
		r := overnightRow{UserID: e.UserID, Name: e.Name, ShiftStart: o.ShiftStart, ShiftEnd: o.ShiftEnd, CheckedIn: o.CheckedIn}
		switch {
		case o.OnDuty:
			r.State = "on_duty"
		case !o.CheckedIn.IsZero():
			r.State = "left"
		case o.Presence == report.PresenceOnLeave:
			r.State = "on_leave"
		default:
			r.State = "not_in"
		}
		for _, did := range e.DepartmentIDs {
			if l, ok := labels[did]; ok {
				r.Depts = append(r.Depts, l)
			}
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b overnightRow) int {
		return cmp.Or(cmp.Compare(overnightRank(a.State), overnightRank(b.State)), cmp.Compare(a.Name, b.Name), cmp.Compare(a.UserID, b.UserID))
	})
	return rows, nil
}

// overnightStates are the states of overnightRow, in the board's order.
var overnightStates = []string{"not_in", "on_duty", "left", "on_leave"}

func overnightRank(state string) int { return slices.Index(overnightStates, state) }
