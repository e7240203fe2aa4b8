package report

import (
	"strconv"
	"time"

	"github.com/kaoqin/kaoqin"
)

// Time is an instant shown in the report's time zone. In JSON it is RFC 3339 with the zone's
// offset, to the second ("2026-11-18T09:03:00+08:00"), and null when zero.
type Time struct{ time.Time }

func at(ms int64, loc *time.Location) Time {
	if ms == 0 {
		return Time{}
	}
	return Time{time.UnixMilli(ms).In(loc)}
}

// MarshalJSON writes t as RFC 3339, or null when t is zero.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return strconv.AppendQuote(nil, t.Format(time.RFC3339)), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = Time{}
		return nil
	}
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return err
	}
	t.Time, err = time.Parse(time.RFC3339, s)
	return err
}

// Check is one of DingTalk's check results as reports show it: times in the report's zone,
// no punch time for a NotSigned check (DingTalk fills in the scheduled time there), and no
// approval id when there is none.
type Check struct {
	ID             int64  `json:"id"`
	CheckType      string `json:"check_type"`
	TimeResult     string `json:"time_result"`
	LocationResult string `json:"location_result"`
	BaseCheckTime  Time   `json:"base_check_time"`
	UserCheckTime  *Time  `json:"user_check_time"` // null when NotSigned
	ApproveID      *int64 `json:"approve_id"`      // null when none
	ProcInstID     string `json:"proc_inst_id,omitempty"`
	// Pending is true for a NotSigned check whose scheduled time has not come yet: it is not
	// missing, DingTalk just has not judged it.
	Pending bool `json:"pending,omitempty"`
	// Provisional is true for kaoqin's reading of a punch seen before DingTalk's result for the
	// check was pulled: Normal at or before the check's time, Late (a check-out: Early) otherwise.
	Provisional bool `json:"provisional,omitempty"`
}

// checkAlloc makes the Checks of many employees out of a few large blocks.
type checkAlloc struct {
	checks []Check
	times  []Time
	ids    []int64
}

func newCheckAlloc(n int) *checkAlloc {
	return &checkAlloc{checks: make([]Check, 0, n), times: make([]Time, 0, n), ids: make([]int64, 0, n)}
}

// make returns cs as Checks.
func (a *checkAlloc) make(cs []kaoqin.Check, loc *time.Location, now int64) []Check {
	// Appending past the capacity moves the blocks; the pointers taken so far keep pointing
	// at the old ones, which stay valid.
	lo := len(a.checks)
	for _, c := range cs {
		out := newCheck(c, loc, now)
		if c.Signed() && c.UserCheckTime != 0 {
			a.times = append(a.times, at(c.UserCheckTime, loc))
			out.UserCheckTime = &a.times[len(a.times)-1]
		}
		if c.ApproveID != 0 {
			a.ids = append(a.ids, c.ApproveID)
			out.ApproveID = &a.ids[len(a.ids)-1]
		}
		a.checks = append(a.checks, out)
	}
	return a.checks[lo:len(a.checks):len(a.checks)]
}

// newCheck returns c as a Check, but for the punch time and the approval id: pointers, which
// the caller sets.
func newCheck(c kaoqin.Check, loc *time.Location, now int64) Check {
	out := Check{
		ID:             c.ID,
		CheckType:      c.CheckType,
		TimeResult:     c.TimeResult,
		LocationResult: c.LocationResult,
		BaseCheckTime:  at(c.BaseCheckTime, loc),
		ProcInstID:     c.ProcInstID,
		Pending:        !c.Signed() && !due(c, now),
	}
	return out
}

func newChecks(cs []kaoqin.Check, loc *time.Location, now int64) []Check {
	return newCheckAlloc(len(cs)).make(cs, loc, now)
}
