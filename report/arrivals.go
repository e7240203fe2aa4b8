package report

import (
	"maps"
	"slices"
	"time"

	"github.com/kaoqin/kaoqin"
)

// Arrivals is a morning as a curve: minute by minute, how many people of a subtree had checked
// in, and how many were due by then; the shift starts mark the curve. A person counts once,
// at their first check-in of the day (its punch, DingTalk's or a live one).
type Arrivals struct {
	Date string `json:"date"`
	// Minutes are the minutes of the curve, from before the first shift start to the report's
	// moment (or an hour past the last shift start, for a day that has ended).
	Minutes []Time `json:"minutes"`
	In      []int  `json:"in"`  // checked in by the end of each minute
	Due     []int  `json:"due"` // due by then: their first check-in's time had come (leave aside)
	// Starts are the shift starts of the day's first check-ins, with how many people each.
	Starts []ShiftStart `json:"starts"`
}

// ShiftStart is a first check-in time and the people it applies to.
type ShiftStart struct {
	At     Time `json:"at"`
	People int  `json:"people"`
}

// maxArrivalMinutes bounds the curve: six hours of minutes.
const maxArrivalMinutes = 6 * 60

// Arrivals returns the arrivals curve of department deptID's subtree (0: the whole report).
func (d *Daily) Arrivals(deptID int64) (*Arrivals, error) {
	ids, err := d.Who(deptID, "scheduled")
	if err != nil {
		return nil, err
	}
	var ins, dues []int64
	starts := map[int64]int{}
	for _, id := range ids {
		e, _ := d.Employee(id)
		c, ok := firstCheckIn(e.Checks)
		if !ok {
			continue
		}
		base := c.BaseCheckTime.UnixMilli()
		starts[base]++
		if c.UserCheckTime != nil {
			ins = append(ins, c.UserCheckTime.UnixMilli())
		}
		if !e.OnLeave {
			dues = append(dues, base)
		}
	}
	a := &Arrivals{Date: d.Date, Minutes: []Time{}, In: []int{}, Due: []int{}, Starts: []ShiftStart{}}
	if len(starts) == 0 {
		return a, nil
	}
	for _, at := range slices.Sorted(maps.Keys(starts)) {
		a.Starts = append(a.Starts, ShiftStart{At: at64(at, d.loc), People: starts[at]})
	}
	slices.Sort(ins)
	slices.Sort(dues)
	// From half an hour before the first shift start (or the first arrival, if earlier, but
	// no more than two hours before it), to now, or an hour after the last start.
	first := a.Starts[0].At.UnixMilli()
	from := first - 30*60_000
	if len(ins) > 0 && ins[0] < from {
		from = max(ins[0], first-120*60_000)
	}
	from = from / 60_000 * 60_000
	last := a.Starts[len(a.Starts)-1].At.UnixMilli()
	to := min(d.GeneratedAt.UnixMilli(), last+60*60_000)
	if _, end := kaoqin.DayBounds(d.Date, d.loc); end.UnixMilli() < to {
		to = end.UnixMilli()
	}
	to = min(to, from+maxArrivalMinutes*60_000)
	for m, i, j := from, 0, 0; m <= to; m += 60_000 {
		for i < len(ins) && ins[i] < m+60_000 {
			i++
		}
		for j < len(dues) && dues[j] < m+60_000 {
			j++
		}
		a.Minutes = append(a.Minutes, at64(m, d.loc))
		a.In = append(a.In, i)
		a.Due = append(a.Due, j)
	}
	return a, nil
}

// firstCheckIn returns a day's first OnDuty check.
func firstCheckIn(cs []Check) (Check, bool) {
	for _, c := range cs {
		if c.CheckType == kaoqin.OnDuty {
			return c, true
		}
	}
	return Check{}, false
}

func at64(ms int64, loc *time.Location) Time { return Time{time.UnixMilli(ms).In(loc)} }

// Lateness is how late the late people of a subtree were: counts of people by minutes late,
// for each kind of late (迟到, 严重迟到, 旷工迟到), by their first late check-in.
type Lateness struct {
	// Bounds are the buckets' upper bounds in minutes (inclusive); the last bucket has none.
	Bounds []int `json:"bounds"`
	// Late, Serious and Absenteeism count people per bucket: len(Bounds)+1 each.
	Late        []int `json:"late"`
	Serious     []int `json:"serious_late"`
	Absenteeism []int `json:"absenteeism_late"`
	Total       int   `json:"total"`
}

// latenessBounds are the buckets people think in: 5, 15, 30 and 60 minutes.
var latenessBounds = []int{5, 15, 30, 60}

// Lateness returns how late the late people of department deptID's subtree (0: the whole
// report) were.
func (d *Daily) Lateness(deptID int64) (*Lateness, error) {
	ids, err := d.Who(deptID, "scheduled")
	if err != nil {
		return nil, err
	}
	n := len(latenessBounds) + 1
	l := &Lateness{Bounds: latenessBounds, Late: make([]int, n), Serious: make([]int, n), Absenteeism: make([]int, n)}
	for _, id := range ids {
		e, _ := d.Employee(id)
		for _, c := range e.Checks {
			if c.CheckType != kaoqin.OnDuty || c.UserCheckTime == nil {
				continue
			}
			var row []int
			switch c.TimeResult {
			case kaoqin.TimeLate:
				row = l.Late
			case kaoqin.TimeSeriousLate:
				row = l.Serious
			case kaoqin.TimeAbsenteeism:
				row = l.Absenteeism
			default:
				continue
			}
			m := wholeMinutes(c.UserCheckTime.UnixMilli() - c.BaseCheckTime.UnixMilli())
			b := len(latenessBounds)
			for i, up := range latenessBounds {
				if m <= up {
					b = i
					break
				}
			}
			row[b]++
			l.Total++
			break
		}
	}
	return l, nil
}
