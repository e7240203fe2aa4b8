package syncer

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/kaoqin/kaoqin"
)

// The live board's budget. A month's metered calls pay first for the nightly reconciliation
// of yesterday (closed data, fetched once), then for today's first pull (everyone's checks
// and leave: how kaoqin learns who is scheduled), then for polls of the people who have not
// checked in yet, at the moments that matter: shortly after each shift starts, and before it
// ends. As the month's budget runs down there are fewer polls, then none, then no live pull at
// all; the nightly reconciliation is the last thing to go.

// Shift is one shift's day, as times since midnight: the first OnDuty and the last OffDuty.
type Shift struct {
	OnDuty  time.Duration `json:"on_duty"`
	OffDuty time.Duration `json:"off_duty"`
}

// DefaultShift is assumed when nothing stored tells the shifts: 09:00 to 18:00.
var DefaultShift = Shift{OnDuty: 9 * time.Hour, OffDuty: 18 * time.Hour}

// Poll moments, in the order they are given up as the budget shrinks: 10 minutes after a
// shift starts (HR's "who is not in yet" at 9:10) is kept longest.
var pollSlots = []struct {
	name     string
	at       func(Shift) time.Duration
	notInYet float64 // share of the scheduled people still to poll then (an estimate)
}{
	{"start+10m", func(s Shift) time.Duration { return s.OnDuty + 10*time.Minute }, 1}, // the first pull: everyone
	{"start+60m", func(s Shift) time.Duration { return s.OnDuty + time.Hour }, 0.10},
	{"start+30m", func(s Shift) time.Duration { return s.OnDuty + 30*time.Minute }, 0.15},
	{"end-30m", func(s Shift) time.Duration { return s.OffDuty - 30*time.Minute }, 0.08},
}

// BudgetInput is what the budget is worked out from.
type BudgetInput struct {
	Quota     int64  // metered calls a month; 0 or less: no limit
	Used      int64  // metered calls of the month so far (the ledger)
	Today     string // the work date
	Location  *time.Location
	Employees int // people in the org now
	// ChecksPerWorkday is the checks one scheduled person has on a workday (2 for a plain
	// shift, 4 for a split one); 0 means 2.
	ChecksPerWorkday float64
	Shifts           []Shift // today's shifts; none means DefaultShift
	// Punches: the nightly reconciliation also pulls the day's punch records (a listRecord call
	// per 50 people), and polls use listRecord (see PollCost). Plans: the first pull and the
	// nightly one also pull the day's plans, PlansPerDay a person (0 means 2).
	Punches, Plans bool
	PlansPerDay    float64
	// LastPull: every final day is pulled once more at an age (Config.LastPullAge), so each day
	// left pays for the last pull of the day that reaches that age then.
	LastPull bool
	// Overnight is how many people work a shift that ends after its work date (a night
	// shift): the nightly pull takes their day while they work, and a close-out pulls them
	// again once it has closed.
	Overnight int
	// Refetch is the metered calls a day of pulling again the days events name costs, as
	// the last two weeks went.
	Refetch int64
	// Notifications are the metered calls work notifications (reminders: sends and their
	// send results) are expected to spend a day; they are reserved for every day left, like
	// the nightly reconciliation and the first pull, before polls get anything.
	Notifications int64
}

// Budget is how the live board may spend the rest of the month: what the fixed work costs a
// day, and how many polls are left for each day, when.
type Budget struct {
	Today     string `json:"today"`
	Quota     int64  `json:"quota"` // 0: no limit
	Used      int64  `json:"used"`
	Remaining int64  `json:"remaining"`
	DaysLeft  int    `json:"days_left"` // days of the month from today on, today included
	// Costs in metered calls, estimated.
	Nightly   int64 `json:"nightly"`    // reconciling one closed day for everyone
	FirstPull int64 `json:"first_pull"` // today's first pull: everyone's checks and leave
	LastPull  int64 `json:"last_pull"`  // the last pull of a final day, at its age
	CloseOut  int64 `json:"close_out"`  // the night shift's people again, once their day has closed
	Refetch   int64 `json:"refetch"`    // a day's worth of days events named, pulled again
	// Notifications are the reminders' metered calls a day, expected (BudgetInput).
	Notifications int64 `json:"notifications"`
	// Reserved is, for every day left, the nightly reconciliation (with the last pull, the
	// close-out and the refetches), the first pull and the reminders; only what remains beyond
	// it pays for polls.
	Reserved  int64 `json:"reserved"`
	PerDay    int64 `json:"per_day"`    // what each day may spend on polls after the first pull
	PollCosts int64 `json:"poll_costs"` // what the chosen polls are expected to cost a day
	// Polls are the moments of today's live pulls, as times since midnight, sorted; the first
	// is the first pull. Empty: no live pull today.
	Polls []time.Duration `json:"polls"`
	Note  string          `json:"note,omitempty"` // why there are fewer polls than there could be
	loc   *time.Location
}

// PlanBudget works out the budget. It is pure: the same input, the same budget.
func PlanBudget(in BudgetInput) Budget {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	b := Budget{Today: in.Today, Quota: max(in.Quota, 0), Used: in.Used, Notifications: max(in.Notifications, 0), loc: loc}
	b.DaysLeft = daysLeftInMonth(in.Today)
	perCheck := in.ChecksPerWorkday
	if perCheck <= 0 {
		perCheck = 2
	}
	n := int64(max(in.Employees, 0))
	b.Nightly = dayPull(n, perCheck)
	b.FirstPull = b.Nightly
	if in.Plans {
		plans := planCost(n, in.PlansPerDay)
		b.Nightly += plans
		b.FirstPull += plans
	}
	if in.Punches {
		b.Nightly += ceilDiv(n, resultsBatch)
	}
	if in.LastPull {
		b.LastPull = b.Nightly
	}
	if night := int64(min(max(in.Overnight, 0), int(n))); night > 0 {
		b.CloseOut = dayPull(night, perCheck)
		if in.Punches {
			b.CloseOut += ceilDiv(night, resultsBatch)
		}
		if in.Plans {
			b.CloseOut += ceilDiv(night, resultsBatch)
		}
	}
	b.Refetch = max(in.Refetch, 0)
	nightly := b.Nightly + b.LastPull + b.CloseOut + b.Refetch // what each night owes
	shifts := slices.Clone(in.Shifts)
	if len(shifts) == 0 {
		shifts = []Shift{DefaultShift}
	}
	slices.SortFunc(shifts, func(a, c Shift) int {
		return cmp.Or(cmp.Compare(a.OnDuty, c.OnDuty), cmp.Compare(a.OffDuty, c.OffDuty))
	})
	shifts = slices.Compact(shifts)

	// The candidates, most valuable first: the first pull at the first shift's start+10m, then
	// each slot of each shift in the order of pollSlots. With plans, the first pull comes half
	// an hour before the first shift, so that the board knows who is due before anyone
	// punches, and start+10m is a poll of everyone not seen in yet.
	type poll struct {
		at   time.Duration
		cost int64
	}
	var extra []poll
	first := pollSlots[0].at(shifts[0])
	if in.Plans {
		first = max(0, shifts[0].OnDuty-30*time.Minute)
		extra = append(extra, poll{pollSlots[0].at(shifts[0]), PollCost(n, perCheck, in.Punches)})
	}
	for i, slot := range pollSlots {
		for j, s := range shifts {
			if i == 0 && j == 0 {
				continue // the first pull, or the poll above
			}
			share := slot.notInYet
			if i == 0 {
				share = pollSlots[2].notInYet // a later shift's start: its people not in yet
			}
			extra = append(extra, poll{slot.at(s), PollCost(int64(math.Ceil(float64(n)*share)), perCheck, in.Punches)})
		}
	}

	if b.Quota == 0 {
		b.Remaining = -1
		b.Polls = []time.Duration{first}
		for _, p := range extra {
			b.Polls = append(b.Polls, p.at)
			b.PollCosts += p.cost
		}
		b.sortPolls()
		return b
	}
	b.Remaining = b.Quota - b.Used
	days := int64(b.DaysLeft)
	b.Reserved = days * (nightly + b.FirstPull + b.Notifications)
	switch {
	case b.Remaining < days*nightly:
		b.Note = fmt.Sprintf("%d metered calls left do not cover the nightly reconciliation of the %d days left (%d each): no live pulls, and some nights will fail",
			max(b.Remaining, 0), b.DaysLeft, nightly)
		return b
	case b.Remaining < b.Reserved:
		b.Note = fmt.Sprintf("%d metered calls left cover the nightly reconciliation of the %d days left but not a live pull a day (%d each, and %d for reminders): no live pulls",
			b.Remaining, b.DaysLeft, b.FirstPull, b.Notifications)
		return b
	}
	b.PerDay = (b.Remaining - b.Reserved) / days
	b.Polls = []time.Duration{first}
	left := b.PerDay
	for _, p := range extra {
		if p.cost > left {
			b.Note = fmt.Sprintf("the month's budget affords %d of %d polls a day (%d calls a day beyond the reserve)", len(b.Polls), len(extra)+1, b.PerDay)
			break
		}
		left -= p.cost
		b.PollCosts += p.cost
		b.Polls = append(b.Polls, p.at)
	}
	b.sortPolls()
	return b
}

func (b *Budget) sortPolls() {
	slices.Sort(b.Polls)
	b.Polls = slices.Compact(b.Polls)
}

// NextPolls returns the moments of today's live pulls still to come after now.
func (b Budget) NextPolls(now time.Time) []time.Time {
	loc := b.loc
	if loc == nil {
		loc = time.UTC
	}
	start, _ := kaoqin.DayBounds(b.Today, loc)
	var out []time.Time
	for _, p := range b.Polls {
		// A wall time, not start + duration: days are not always 24 hours long.
		h, m := int(p/time.Hour), int(p%time.Hour/time.Minute)
		at := time.Date(start.Year(), start.Month(), start.Day(), h, m, 0, 0, loc)
		if at.After(now) {
			out = append(out, at)
		}
	}
	return out
}

// dayPull is the metered calls of one day's pull for n people: their checks, 50 people a
// call, paged 50 rows at a time, and their leave, 100 people a call.
func dayPull(n int64, perCheck float64) int64 {
	if n == 0 {
		return 0
	}
	full, rest := n/resultsBatch, n%resultsBatch
	calls := full * pages(resultsBatch, perCheck)
	if rest > 0 {
		calls += pages(rest, perCheck)
	}
	return calls + ceilDiv(n, leaveBatch)
}

// planCost is the metered calls of one day's plans of n people: listbyusers, a call per 50,
// or listschedule, a call per 200 plans, whichever is less.
func planCost(n int64, perDay float64) int64 {
	if n == 0 {
		return 0
	}
	if perDay <= 0 {
		perDay = 2
	}
	return min(ceilDiv(n, resultsBatch), max(1, int64(math.Ceil(float64(n)*perDay/schedulePage))))
}

// pages is the pages of results of users people over one day.
func pages(users int64, perCheck float64) int64 {
	return max(1, int64(math.Ceil(float64(users)*perCheck/resultsPage)))
}

const (
	resultsBatch = 50  // users per attendance/list call
	leaveBatch   = 100 // users per getleavestatus call
)

// daysLeftInMonth counts the days from day to the end of its month, day included.
func daysLeftInMonth(day string) int {
	t, err := time.Parse(kaoqin.DateLayout, day)
	if err != nil {
		return 1
	}
	last := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	return last.Day() - t.Day() + 1
}

// AllowNotifications says whether calls more metered calls may go to work notifications
// (reminders) now: not when they would eat into the nightly reconciliation of the days left
// in the month, the last thing the budget gives up. It fails with EQUOTA then.
func (s *Syncer) AllowNotifications(ctx context.Context, calls int) error {
	b, err := s.Budget(ctx)
	if err != nil {
		return err
	}
	if b.Quota <= 0 {
		return nil
	}
	if keep := int64(b.DaysLeft) * (b.Nightly + b.LastPull + b.CloseOut + b.Refetch); b.Remaining-keep < int64(calls) {
		return kaoqin.Errorf(kaoqin.EQUOTA, "the month's %d metered calls left keep %d for the nightly reconciliation of the %d days left: no work notifications until next month (raise KAOQIN_DINGTALK_MONTHLY_QUOTA if the org bought more)",
			max(b.Remaining, 0), keep, b.DaysLeft)
	}
	return nil
}
