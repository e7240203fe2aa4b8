package report

import (
	"context"

	"github.com/kaoqin/kaoqin"
)

// Trace is what stands behind one number of an employee's period line: the days that add to
// it, each with its status and the checks behind the number (the Late checks of late_count,
// every check of an absent day...), and the person's leaves (approvals) over the range. It is
// what a payroll clerk opens when kaoqin says 3 and someone else says 4.
type Trace struct {
	UserID    string         `json:"userid"`
	Name      string         `json:"name"`
	JobNumber string         `json:"job_number,omitempty"`
	From      string         `json:"from"`
	To        string         `json:"to"`
	Timezone  string         `json:"timezone"`
	Field     string         `json:"field"` // a JSON name of PeriodCounts
	Value     float64        `json:"value"` // the number, as the period report has it
	Days      []TraceDay     `json:"days"`
	Leaves    []kaoqin.Leave `json:"leaves"`
}

// TraceDay is one day behind a number.
type TraceDay struct {
	Date    string  `json:"date"`
	Status  string  `json:"status"`
	OnLeave bool    `json:"on_leave"`
	Checks  []Check `json:"checks"` // the checks behind the number that day (approvals by approve_id / proc_inst_id)
}

// LoadTrace reads one employee's rows of [from, to] from src and traces field (a JSON name of
// PeriodCounts, e.g. "late_count") of their period line to its days and checks. With a scope,
// only the days the employee spent in it count, as in the scoped period report. It fails with
// EINVALID for an unknown field, ENOTFOUND for an employee the report does not hold, and as
// LoadPeriod does otherwise.
func LoadTrace(ctx context.Context, src Source, userid, from, to, field string, opts Options) (*Trace, error) {
	fd, err := lookupPeriodField(field)
	if err != nil {
		return nil, err
	}
	in, err := load(ctx, src, from, to, opts, []string{userid}, false)
	if err != nil {
		return nil, err
	}
	from, to, _ = kaoqin.ParseRange(from, to)
	r, err := ComputePeriod(in, from, to, opts)
	if err != nil {
		return nil, err
	}
	p, err := r.person(userid)
	if err != nil {
		return nil, err
	}
	v := r.view
	t := &Trace{UserID: userid, Name: p.name(), JobNumber: p.jobNumber(), From: from, To: to,
		Timezone: v.loc.String(), Field: field, Days: []TraceDay{}, Leaves: []kaoqin.Leave{}}
	if e, ok := r.Employee(userid); ok {
		t.Value = fd.value(&e.PeriodCounts)
	}
	v.trace(p, fd, func(i int, cs []kaoqin.Check) {
		f := v.classify(p, i)
		t.Days = append(t.Days, TraceDay{Date: v.days[i], Status: f.status(), OnLeave: f.has(fOnLeave),
			Checks: newChecks(cs, v.loc, v.now)})
	})
	t.Leaves = append(t.Leaves, p.leaves...)
	return t, nil
}
