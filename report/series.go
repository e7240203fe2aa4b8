package report

import "slices"

// Series is the dashboard's trend: the daily counts of one scope for every day of a range,
// computed in one pass over the range rather than one daily report per day.
type Series struct {
	From     string      `json:"from"`
	To       string      `json:"to"`
	Timezone string      `json:"timezone"`
	Scope    []int64     `json:"scope,omitempty"` // Options.DeptIDs; absent: the company
	Days     []SeriesDay `json:"days"`
}

// SeriesDay is one day of a Series: the company line of that day's daily report (with the
// series' scope).
type SeriesDay struct {
	Date string `json:"date"`
	Counts
	// CheckedInRate is CheckedIn / Scheduled (0 when nobody is scheduled): the live board's
	// progress bar.
	CheckedInRate float64 `json:"checked_in_rate"`
	Final         bool    `json:"final"` // synced after the day had ended
}

// ComputeSeries computes the daily counts of every day of [from, to] for opts' scope: the
// union of the subtrees of opts.DeptIDs, or the company. Errors are those of ComputePeriod.
func ComputeSeries(in Input, from, to string, opts Options) (*Series, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	from, to, err := opts.checkRange(from, to)
	if err != nil {
		return nil, err
	}
	cov, err := coverage(in.Coverage, from, to)
	if err != nil {
		return nil, err
	}
	v, err := newView(in, from, to, opts)
	if err != nil {
		return nil, err
	}
	s := &Series{From: from, To: to, Timezone: v.loc.String(), Scope: slices.Clone(opts.DeptIDs),
		Days: make([]SeriesDay, len(v.days))}
	for i, d := range v.days {
		s.Days[i].Date, s.Days[i].Final = d, cov[i].Closed
	}
	for _, p := range v.people {
		for i := range v.days {
			if p.in[i] {
				s.Days[i].add(v.classify(p, i))
			}
		}
	}
	for i := range s.Days {
		if d := &s.Days[i]; d.Scheduled > 0 {
			d.CheckedInRate = round4(float64(d.CheckedIn) / float64(d.Scheduled))
		}
	}
	return s, nil
}

func round4(x float64) float64 { return float64(int64(x*10000+0.5)) / 10000 }
