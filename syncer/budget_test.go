package syncer_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/syncer"
)

func hm(h, m int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute }

func TestPlanBudget(t *testing.T) {
	t.Parallel()
	// 1,000 people, 2 checks a workday: a day's pull is 20 calls of 50 people × 2 pages and
	// 10 calls of leave: 50. Polls: 10% of people an hour after the start (100: 4 calls), 15%
	// at half an hour (150: 6 calls), 8% half an hour before the end (80: 4 calls).
	const n = 1000
	for _, test := range []struct {
		name      string
		in        syncer.BudgetInput
		wantPolls []time.Duration
		wantDay   int64 // PerDay
		wantNote  string
	}{{
		name:      "no quota: every poll",
		in:        syncer.BudgetInput{Today: "2026-11-16", Employees: n},
		wantPolls: []time.Duration{hm(9, 10), hm(9, 30), hm(10, 0), hm(17, 30)},
	}, {
		name: "the month's start: every poll",
		// 30 days × (50 + 50) = 3,000 reserved, (5,000 - 3,000) / 30 = 66 a day for polls.
		in:        syncer.BudgetInput{Quota: 5000, Today: "2026-11-01", Employees: n},
		wantPolls: []time.Duration{hm(9, 10), hm(9, 30), hm(10, 0), hm(17, 30)},
		wantDay:   66,
	}, {
		name: "fewer polls as the budget runs down",
		// 5 days left: 500 reserved; 25 more calls are 5 a day: the 4-call poll at 10:00 fits,
		// the 6-call one at 9:30 does not.
		in:        syncer.BudgetInput{Quota: 5000, Used: 5000 - 525, Today: "2026-11-26", Employees: n},
		wantPolls: []time.Duration{hm(9, 10), hm(10, 0)},
		wantDay:   5,
		wantNote:  "affords 2 of 4 polls a day",
	}, {
		name: "reminders reserved before polls",
		// 10 calls a day of work notifications: 30 × (50 + 50 + 10) = 3,300 reserved,
		// (5,000 - 3,300) / 30 = 56 a day for polls.
		in:        syncer.BudgetInput{Quota: 5000, Today: "2026-11-01", Employees: n, Notifications: 10},
		wantPolls: []time.Duration{hm(9, 10), hm(9, 30), hm(10, 0), hm(17, 30)},
		wantDay:   56,
	}, {
		name:     "only the nightly reconciliation",
		in:       syncer.BudgetInput{Quota: 5000, Used: 5000 - 400, Today: "2026-11-26", Employees: n},
		wantNote: "not a live pull a day",
	}, {
		name:     "not even every night",
		in:       syncer.BudgetInput{Quota: 5000, Used: 5000 - 200, Today: "2026-11-26", Employees: n},
		wantNote: "do not cover the nightly reconciliation",
	}, {
		name: "two shifts, split checks",
		// 4 checks a workday: 50 people are 4 pages; the later shift's start is polled too.
		in: syncer.BudgetInput{Quota: 5000, Today: "2026-11-01", Employees: 200, ChecksPerWorkday: 4,
			Shifts: []syncer.Shift{{OnDuty: hm(13, 0), OffDuty: hm(22, 0)}, {OnDuty: hm(8, 30), OffDuty: hm(17, 30)}, {OnDuty: hm(8, 30), OffDuty: hm(17, 30)}}},
		wantPolls: []time.Duration{hm(8, 40), hm(9, 0), hm(9, 30), hm(13, 10), hm(13, 30), hm(14, 0), hm(17, 0), hm(21, 30)},
		wantDay:   (5000 - 30*2*(4*4+2)) / 30,
	}} {
		t.Run(test.name, func(t *testing.T) {
			test.in.Location = shanghai
			b := syncer.PlanBudget(test.in)
			if !slices.Equal(b.Polls, test.wantPolls) {
				t.Errorf("polls %v, want %v", b.Polls, test.wantPolls)
			}
			if b.PerDay != test.wantDay {
				t.Errorf("per day %d, want %d", b.PerDay, test.wantDay)
			}
			if !strings.Contains(b.Note, test.wantNote) || (test.wantNote == "") != (b.Note == "") {
				t.Errorf("note %q, want %q", b.Note, test.wantNote)
			}
			if b.Quota > 0 && b.Reserved+b.PollCosts*int64(b.DaysLeft) > max(b.Remaining, b.Reserved) {
				t.Errorf("the plan spends more than is left: %+v", b)
			}
		})
	}
}

func TestBudget_NextPolls(t *testing.T) {
	t.Parallel()
	b := syncer.PlanBudget(syncer.BudgetInput{Today: "2026-11-16", Employees: 100, Location: shanghai})
	got := b.NextPolls(time.Date(2026, 11, 16, 9, 20, 0, 0, shanghai))
	want := []time.Time{
		time.Date(2026, 11, 16, 9, 30, 0, 0, shanghai),
		time.Date(2026, 11, 16, 10, 0, 0, 0, shanghai),
		time.Date(2026, 11, 16, 17, 30, 0, 0, shanghai),
	}
	if !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("next polls %v, want %v", got, want)
	}
	if left := b.NextPolls(time.Date(2026, 11, 16, 18, 0, 0, 0, shanghai)); len(left) != 0 {
		t.Errorf("polls after the day's last: %v", left)
	}

	// On the day clocks go forward, 9:10 is still 9:10 on the wall.
	ny := mustZone("America/New_York")
	dst := syncer.PlanBudget(syncer.BudgetInput{Today: "2026-03-08", Employees: 100, Location: ny})
	if got := dst.NextPolls(time.Date(2026, 3, 8, 0, 0, 0, 0, ny)); len(got) == 0 || !got[0].Equal(time.Date(2026, 3, 8, 9, 10, 0, 0, ny)) {
		t.Errorf("first poll on a DST day: %v", got)
	}
}

// TestPlanBudget_lastPullsAndNightShifts: the last pull of every day, the night shift's
// close-out and the refetches events ask for are reserved before any poll.
func TestPlanBudget_lastPullsAndNightShifts(t *testing.T) {
	t.Parallel()
	// 1,000 people: a day's pull is 50 calls (see TestPlanBudget). Its last pull is 50 more;
	// 100 people on night shifts are pulled again once their day closes: 2 calls of 50 × 2
	// pages and a leave call, 5; events' refetches cost 3 a day.
	in := syncer.BudgetInput{Quota: 5000, Today: "2026-11-01", Employees: 1000}
	plain := syncer.PlanBudget(in)
	in.LastPull, in.Overnight, in.Refetch = true, 100, 3
	b := syncer.PlanBudget(in)
	if b.LastPull != 50 || b.CloseOut != 5 || b.Refetch != 3 {
		t.Errorf("last pull %d, close-out %d, refetch %d; want 50, 5, 3", b.LastPull, b.CloseOut, b.Refetch)
	}
	if want := plain.Reserved + 30*(50+5+3); b.Reserved != want {
		t.Errorf("reserved %d, want %d", b.Reserved, want)
	}
	// (5,000 - 30 × 158) / 30 = 8 a day for polls: the 4-call one at 10:00 fits, the 6-call
	// one at 9:30 does not (where the month's start alone affords every poll).
	if b.PerDay != 8 || !slices.Equal(b.Polls, []time.Duration{hm(9, 10), hm(10, 0)}) || len(plain.Polls) != 4 {
		t.Errorf("per day %d, polls %v", b.PerDay, b.Polls)
	}
	// Late in the month the nights alone are more than what is left: no live pull.
	in.Today, in.Used = "2026-11-28", 5000-300
	if b := syncer.PlanBudget(in); len(b.Polls) != 0 || !strings.Contains(b.Note, "nightly reconciliation") {
		t.Errorf("3 days of 108 a night with 300 left: polls %v, note %q", b.Polls, b.Note)
	}
}
