package syncer

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/kaoqin/kaoqin"
)

// When a day is final, and its last pull.
//
// DingTalk files both checks of a shift under the work date on which the shift begins: the
// check-out at 06:00 on the 8th of a 22:00-06:00 night shift belongs to the 7th. So a day is
// not over at midnight: it closes when its last check, planned or pulled, plus LateWindow (the
// time a punch may still answer it) has passed, or at its end if that is later. A pull after
// that is final (kaoqin.DayCoverage.Closed); until then every pull of the day is a pull of an
// open day, like today's. The nightly sync at 02:00 pulls yesterday whole and leaves it open
// while its night shift works; once the day has closed, a close-out pull fetches only the
// people whose shift was still open at that first pull (their checks were pulled before their
// own last check closed), and the day is final.
//
// DingTalk's result of a day changes after the day too: a make-up punch (补卡), a leave or an
// administrator's edit approved later. A final day is pulled once more when it is LastPullAge
// days old (kaoqin.DayCoverage.SettlesAt, Settled), and a day an event names is pulled again at
// once (RefetchMarked).

// Defaults of Config.LateWindow and Config.LastPullAge.
const (
	// DefaultLateWindow is how long after a day's last check a punch may still answer it: the
	// off-duty punch window of DingTalk's classes, which the simulator sets to 4 hours
	// (getusergroup's end_min 240; UNVERIFIED for real classes, which may allow more).
	DefaultLateWindow = 4 * time.Hour
	// DefaultLastPullAge is the age in days at which a final day gets its last pull.
	DefaultLastPullAge = 3
)

// finality says when days close and settle.
type finality struct {
	loc    *time.Location
	window time.Duration
	age    int // days; 0: no last pull
}

// closesAt is when a pull makes day final, its latest check being last (unix ms; 0: unknown).
func (f finality) closesAt(day string, last int64) int64 {
	_, end := kaoqin.DayBounds(day, f.loc)
	if last == 0 {
		return end.UnixMilli()
	}
	return max(end.UnixMilli(), last+f.window.Milliseconds())
}

// settlesAt is when day's last pull is due: LastPullAge days after it began, once closed.
func (f finality) settlesAt(day string, closes int64) int64 {
	if f.age <= 0 {
		return closes
	}
	start, _ := kaoqin.DayBounds(kaoqin.AddDays(day, f.age), f.loc)
	return max(closes, start.UnixMilli())
}

// mark is the coverage of day pulled whole at at, its latest check being last.
func (f finality) mark(day string, at, last int64) kaoqin.DayCoverage {
	closes := f.closesAt(day, last)
	settles := f.settlesAt(day, closes)
	return kaoqin.DayCoverage{Day: day, SyncedAt: at, Closed: at >= closes, LastCheckAt: last,
		ClosesAt: closes, SettlesAt: settles, Settled: at >= settles}
}

// need is what a sync must do of one day of one kind now.
type need int

const (
	needNothing  need = iota // final, and its last pull done or not due yet
	needWhole                // pull everyone: never pulled after its end, or still open
	needCloseOut             // pulled whole after its end, closed since: pull the people still open
	needLastPull             // final, its last pull due
)

// need classifies a day from its coverage (nil: not covered) and its latest check, at now.
func (f finality) need(day string, c *kaoqin.DayCoverage, last, now int64) need {
	if c == nil {
		return needWhole
	}
	closes := f.closesAt(day, max(last, c.LastCheckAt))
	_, end := kaoqin.DayBounds(day, f.loc)
	switch {
	case c.Closed && (c.Settled || now < f.settlesAt(day, closes)):
		return needNothing
	case c.Closed:
		return needLastPull
	case c.SyncedAt >= end.UnixMilli() && now >= closes:
		return needCloseOut
	}
	return needWhole
}

// dueAt is the moment after which a chunk over day, pulled for need n, is all the day needs:
// its checkpoint counts only if the chunk was done then or later.
func (f finality) dueAt(day string, n need, last int64) int64 {
	closes := f.closesAt(day, last)
	if n == needLastPull {
		return f.settlesAt(day, closes)
	}
	return closes
}

// lastChecker is the store's latest check of each day (package store implements it).
type lastChecker interface {
	LastChecks(ctx context.Context, from, to string) (map[string]int64, error)
}

// lastChecks returns the latest check of each day of days that cov does not tell: from the
// store's checks and plans.
func (s *Syncer) lastChecks(ctx context.Context, days []string, cov map[string]*kaoqin.DayCoverage) (map[string]int64, error) {
	var ask []string
	for _, d := range days {
		if c := cov[d]; c == nil || (!c.Closed && c.LastCheckAt == 0) {
			ask = append(ask, d)
		}
	}
	out := map[string]int64{}
	for _, d := range days {
		if c := cov[d]; c != nil {
			out[d] = c.LastCheckAt
		}
	}
	lc, ok := s.store.(lastChecker)
	if len(ask) == 0 || !ok {
		return out, nil
	}
	got, err := lc.LastChecks(ctx, ask[0], ask[len(ask)-1])
	if err != nil {
		return nil, fmt.Errorf("read the latest checks of %s..%s: %w", ask[0], ask[len(ask)-1], err)
	}
	for d, at := range got {
		out[d] = max(out[d], at)
	}
	return out, nil
}

// openPeople returns, sorted, the employees of users whose day was still open when their
// checks were last pulled: a check or plan of theirs, plus the late window, came after that
// pull. People with no check and no plan that day closed with it.
func (s *Syncer) openPeople(ctx context.Context, day string, users []string) ([]string, error) {
	f := kaoqin.Filter{From: day, To: day}
	checks, err := s.store.Checks(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read the checks of %s: %w", day, err)
	}
	plans, err := s.store.Schedules(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read the plans of %s: %w", day, err)
	}
	type person struct{ last, synced int64 }
	people := map[string]*person{}
	get := func(u string) *person {
		p := people[u]
		if p == nil {
			p = &person{synced: -1}
			people[u] = p
		}
		return p
	}
	for _, c := range checks {
		p := get(c.UserID)
		p.last = max(p.last, c.BaseCheckTime)
		if p.synced < 0 || c.SyncedAt < p.synced {
			p.synced = c.SyncedAt
		}
	}
	for _, pl := range plans {
		if !pl.IsRest {
			p := get(pl.UserID)
			p.last = max(p.last, pl.PlanCheckTime)
		}
	}
	var out []string
	for _, u := range users {
		p := people[u]
		if p == nil {
			continue
		}
		// A plan without a check: DingTalk had no result for it when the day was pulled.
		if p.synced < s.final.closesAt(day, p.last) {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out, nil
}

// planDays works out, for each kind of coverage, which days of p's range to fetch whole
// (p.days), which to close out (p.closing, the people in p.open) and which need nothing now,
// and after when a chunk of each day needs no fetching again (p.due). users are the employees
// of the range.
func (s *Syncer) planDays(ctx context.Context, p *Plan, users []string, refetch bool) error {
	all := kaoqin.Days(p.From, p.To)
	p.days, p.closing, p.due, p.open = map[string][]string{}, map[string]map[string]int64{}, map[string]map[string]int64{}, map[string][]string{}
	if p.partial {
		// A live poll of some people: every day whole, nothing marked, no checkpoint read.
		for _, cover := range covers {
			p.days[cover] = all
		}
		return nil
	}
	res, err := s.store.Coverage(ctx, p.From, p.To)
	if err != nil {
		return fmt.Errorf("read the coverage of %s..%s: %w", p.From, p.To, err)
	}
	if p.last, err = s.lastChecks(ctx, all, byDay(res)); err != nil {
		return err
	}
	now := s.now().UnixMilli()
	for _, cover := range covers {
		cov := res
		if cover != "" {
			if cov, err = s.store.KindCoverage(ctx, cover, p.From, p.To); err != nil {
				return fmt.Errorf("read the %s coverage of %s..%s: %w", cover, p.From, p.To, err)
			}
		}
		days := byDay(cov)
		p.due[cover] = map[string]int64{}
		for _, d := range all {
			c := days[d]
			last := p.last[d]
			if c != nil {
				last = max(last, c.LastCheckAt)
			}
			n := needWhole
			if !refetch {
				n = s.final.need(d, c, last, now)
			}
			switch n {
			case needNothing:
				if cover == "" {
					p.DaysFinal++
				}
				continue
			case needLastPull:
				if cover == "" {
					p.DaysLastPull++
				}
			case needCloseOut:
				open, ok := p.open[d]
				if !ok {
					if open, err = s.openPeople(ctx, d, users); err != nil {
						return err
					}
					p.open[d] = open
				}
				if p.closing[cover] == nil {
					p.closing[cover] = map[string]int64{}
				}
				p.closing[cover][d] = c.SyncedAt
				p.due[cover][d] = s.final.dueAt(d, n, last)
				if cover == "" {
					p.DaysClosing++
					p.PeopleClosing += len(open)
				}
				continue
			}
			p.days[cover] = append(p.days[cover], d)
			p.due[cover][d] = s.final.dueAt(d, n, last)
		}
	}
	return nil
}

// covers are the kinds of coverage: "" the results (checks and leave), then the others.
var covers = []string{"", kaoqin.CoverPunches, kaoqin.CoverPlans}

// byDay indexes coverage by day.
func byDay(cov []kaoqin.DayCoverage) map[string]*kaoqin.DayCoverage {
	out := make(map[string]*kaoqin.DayCoverage, len(cov))
	for i := range cov {
		out[cov[i].Day] = &cov[i]
	}
	return out
}

// dueAt is when a chunk of cover over [from, to] needs no fetching again: the latest of its
// days' (never, for a day the plan has no word of).
func (p *Plan) dueAt(cover, from, to string) int64 {
	var at int64
	for _, d := range kaoqin.Days(from, to) {
		due, ok := p.due[cover][d]
		if !ok {
			return math.MaxInt64
		}
		at = max(at, due)
	}
	return at
}

// Due is what the days of a range need now, by their results' coverage.
type Due struct {
	Whole    []string `json:"whole"`     // to pull whole: never pulled after they ended, or still open
	Closing  []string `json:"closing"`   // closed since their last pull: the people still open then, again
	LastPull []string `json:"last_pull"` // final, their last pull due
}

// First returns the first day that needs anything, or "".
func (d Due) First() string {
	first := ""
	for _, days := range [][]string{d.Whole, d.Closing, d.LastPull} {
		if len(days) > 0 && (first == "" || days[0] < first) {
			first = days[0]
		}
	}
	return first
}

// Due says what each day of [from, to] that was synced needs now, from the store alone: the
// scheduler's nightly sync pulls from the first of them, and a close-out runs as soon as a
// day closes. Days never synced are left to kaoqin sync.
func (s *Syncer) Due(ctx context.Context, from, to string) (Due, error) {
	var due Due
	cov, err := s.store.Coverage(ctx, from, to)
	if err != nil {
		return due, fmt.Errorf("read the coverage of %s..%s: %w", from, to, err)
	}
	days := kaoqin.Days(from, to)
	byDay := byDay(cov)
	last, err := s.lastChecks(ctx, days, byDay)
	if err != nil {
		return due, err
	}
	now := s.now().UnixMilli()
	for _, d := range days {
		if byDay[d] == nil {
			continue
		}
		switch s.final.need(d, byDay[d], last[d], now) {
		case needWhole:
			due.Whole = append(due.Whole, d)
		case needCloseOut:
			due.Closing = append(due.Closing, d)
		case needLastPull:
			due.LastPull = append(due.LastPull, d)
		}
	}
	return due, nil
}

// LastPullAge is the age in days at which a final day gets its last pull; 0: never.
func (s *Syncer) LastPullAge() int { return s.final.age }
