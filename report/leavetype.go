package report

import (
	"context"
	"fmt"
	"slices"

	"github.com/kaoqin/kaoqin"
)

// Leave by type. A period report has a column of its own for each leave type with leave on a
// day of the range (anyone's, so that every scope of a range has the same columns), in the
// order of DingTalk's report; each line gives, per type, the leave of the days that belong
// to it, in the type's unit (days or hours), from DingTalk's report (kaoqin sync
// --leave-types). A report whose range has no leave by type has no such columns.

// LeaveTypeColumn is one leave type of a period report.
type LeaveTypeColumn struct {
	Name string `json:"name"`
	// Unit is kaoqin.LeaveUnitDay or LeaveUnitHour; "" when kaoqin does not know it (the
	// leave types' units need KAOQIN_DINGTALK_OP_USERID).
	Unit string `json:"unit,omitempty"`
}

// LeaveTimeSource is a Source that also reads leave by type. Package store implements it; a
// Source without it gives reports without leave-type columns.
type LeaveTimeSource interface {
	LeaveTypes(ctx context.Context) ([]kaoqin.LeaveType, error)
	LeaveTimeNames(ctx context.Context, from, to string) ([]string, error)
	LeaveTimes(ctx context.Context, f kaoqin.Filter) ([]kaoqin.LeaveTime, error)
}

// loadLeaveTypes reads the columns of [from, to]: the names with leave in the range, ordered
// and given units by the company's leave types.
func loadLeaveTypes(ctx context.Context, src Source, from, to string) ([]LeaveTypeColumn, error) {
	lts, ok := src.(LeaveTimeSource)
	if !ok {
		return nil, nil
	}
	names, err := lts.LeaveTimeNames(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("load the leave types of %s..%s: %w", from, to, err)
	}
	if len(names) == 0 {
		return nil, nil
	}
	types, err := lts.LeaveTypes(ctx)
	if err != nil {
		return nil, fmt.Errorf("load the leave types: %w", err)
	}
	return leaveColumns(types, names), nil
}

// leaveColumns orders names as types lists them (names it lacks last, by name), with units.
func leaveColumns(types []kaoqin.LeaveType, names []string) []LeaveTypeColumn {
	pos := func(n string) int {
		if i := slices.IndexFunc(types, func(t kaoqin.LeaveType) bool { return t.Name == n }); i >= 0 {
			return i
		}
		return len(types)
	}
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	slices.SortStableFunc(names, func(a, b string) int { return pos(a) - pos(b) })
	out := make([]LeaveTypeColumn, len(names))
	for i, n := range names {
		out[i].Name = n
		if p := pos(n); p < len(types) {
			out[i].Unit = types[p].Unit
		}
	}
	return out
}

// loadLeaveTimes reads the leave by type of f's employees, if src has it and the report has
// leave-type columns.
func loadLeaveTimes(ctx context.Context, src Source, cols []LeaveTypeColumn, f kaoqin.Filter) ([]kaoqin.LeaveTime, error) {
	if len(cols) == 0 {
		return nil, nil
	}
	return loadAllLeaveTimes(ctx, src, f)
}

// loadAllLeaveTimes reads the leave by type of f's employees, if src has it.
func loadAllLeaveTimes(ctx context.Context, src Source, f kaoqin.Filter) ([]kaoqin.LeaveTime, error) {
	lts, ok := src.(LeaveTimeSource)
	if !ok {
		return nil, nil
	}
	times, err := lts.LeaveTimes(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("load leave by type %s..%s: %w", f.From, f.To, err)
	}
	return times, nil
}

// leaveOfDay sets lv to p's leave by type on day i (lv[k] for column k), reading p.times from
// *k, which moves on: days are asked in order.
func (v *view) leaveOfDay(p *person, i int, lv []float64, k *int) {
	clear(lv)
	day := v.days[i]
	for *k < len(p.times) && p.times[*k].WorkDate < day {
		*k++
	}
	for ; *k < len(p.times) && p.times[*k].WorkDate == day; *k++ {
		if c, ok := v.leaveCol[p.times[*k].Name]; ok {
			lv[c] += p.times[*k].Value
		}
	}
}

// leaveMap names the values of lv by column, rounded to hundredths; nil without columns.
func leaveMap(cols []LeaveTypeColumn, lv []float64) map[string]float64 {
	if len(cols) == 0 {
		return nil
	}
	m := make(map[string]float64, len(cols))
	for i, c := range cols {
		var x float64
		if i < len(lv) {
			x = lv[i]
		}
		m[c.Name] = round2(x)
	}
	return m
}

func addLeave(dst, src []float64) {
	for i := range src {
		dst[i] += src[i]
	}
}
