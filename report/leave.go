package report

import (
	"math"

	"github.com/kaoqin/kaoqin"
)

// leaveShares spreads p's leaves over the days of v as DingTalk measures them: it returns,
// per day, the share of percent_day leaves (in days) and of percent_hour leaves (in hours).
// Both are nil when p has no such leave.
//
// DingTalk gives a leave's duration, not its days. A leave is spread over the scheduled days
// (days with checks) it overlaps, in proportion to how much of each day's scheduled span
// (first to last scheduled check time) it covers. A leave that lies wholly inside the range
// counts its whole duration; one that sticks out of it counts what it covers inside, capped
// at its duration: a day, or the span's hours, per scheduled day fully covered. (The checks
// of the days outside the range are not at hand, so the part outside cannot be measured.)
func (v *view) leaveShares(p *person) (days, hours []float64) {
	n := len(v.days)
	start, _ := v.span(p, 0)
	_, end := v.span(p, n-1)
	w := make([]float64, n)
	for _, l := range p.leaves {
		var out *[]float64
		switch l.DurationUnit {
		case kaoqin.LeavePercentDay:
			out = &days
		case kaoqin.LeavePercentHour:
			out = &hours
		default:
			continue
		}
		dur := float64(l.DurationPercent) / 100
		if dur <= 0 {
			continue
		}
		var total float64
		for i := range n {
			w[i] = 0
			cs := p.checks[i]
			dayLo, dayHi := v.span(p, i)
			if len(cs) == 0 || !l.Overlaps(dayLo, dayHi) {
				continue
			}
			lo, hi := cs[0].BaseCheckTime, cs[len(cs)-1].BaseCheckTime
			if hi <= lo { // one check time: no span to measure; the day is what the leave covers
				if out == &days {
					w[i] = 1
				} else {
					w[i] = float64(min(dayHi, l.EndTime)-max(dayLo, l.StartTime)) / 3_600_000
				}
			} else if covered := min(hi, l.EndTime) - max(lo, l.StartTime); covered > 0 {
				if out == &days {
					w[i] = float64(covered) / float64(hi-lo)
				} else {
					w[i] = float64(covered) / float64(3_600_000)
				}
			}
			total += w[i]
		}
		if total == 0 {
			continue
		}
		amount := dur
		if l.StartTime < start || l.EndTime > end {
			amount = min(dur, total)
		}
		if *out == nil {
			*out = make([]float64, n)
		}
		for i := range n {
			(*out)[i] += amount * w[i] / total
		}
	}
	return days, hours
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
