package notify

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// Why a message a rule would send is not sent (Decision.Skip).
const (
	SkipOptedOut = "opted_out"   // the recipient opted out of reminders
	SkipQuiet    = "quiet_hours" // the moment falls in the rule's quiet hours
)

// Decision is one message a rule sends at one moment of the day, as the day stands now: due
// (At not after now) or still to come (then sent only if the people it concerns are still not
// in by then), or skipped for the reason Skip says.
type Decision struct {
	Rule    *kaoqin.ReminderRule
	Message kaoqin.ReminderMessage
	At      time.Time
	Skip    string // "" when it is to be sent
}

// Due reports whether the decision's moment has come by now.
func (d Decision) Due(now time.Time) bool { return !d.At.After(now) }

// dayInput is what the rules are evaluated on: today's daily report as it stands, the org's
// managers and the opt-outs.
type dayInput struct {
	daily    *report.Daily
	managers map[int64][]string // department -> its managers
	optOut   map[string]bool
	loc      *time.Location
	depts    map[int64]*report.DailyDepartment
}

func newDayInput(daily *report.Daily, org []kaoqin.Department, optOuts []kaoqin.ReminderOptOut, loc *time.Location) dayInput {
	in := dayInput{daily: daily, managers: map[int64][]string{}, optOut: map[string]bool{}, loc: loc,
		depts: make(map[int64]*report.DailyDepartment, len(daily.Departments))}
	for _, d := range org {
		if d.RemovedAt == 0 && len(d.Managers) > 0 {
			in.managers[d.ID] = d.Managers
		}
	}
	for _, o := range optOuts {
		in.optOut[o.UserID] = true
	}
	for i := range daily.Departments {
		in.depts[daily.Departments[i].ID] = &daily.Departments[i]
	}
	return in
}

// decide evaluates the enabled rules over the whole of the report's day: every message each
// sends, at every moment, to everyone it concerns as the day stands at daily's moment.
func decide(in dayInput, rules []kaoqin.ReminderRule) []Decision {
	var out []Decision
	for i := range rules {
		r := &rules[i]
		if !r.Enabled {
			continue
		}
		switch r.Channel {
		case kaoqin.ChannelPerson:
			out = append(out, in.personal(r)...)
		case kaoqin.ChannelDigest:
			out = append(out, in.digests(r)...)
		case kaoqin.ChannelRobot:
			out = append(out, in.robot(r)...)
		}
	}
	slices.SortStableFunc(out, func(a, b Decision) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Message.Key, b.Message.Key))
	})
	return out
}

// checkIn is one check-in of a person's day: its planned time, and whether it is answered (a
// signed check, DingTalk's or a punch read provisionally) or excused (an approval, such as a
// leave, trip or outing, is linked to it).
type checkIn struct {
	at       time.Time
	answered bool
}

// checkIns returns the check-ins of e's day by time: the OnDuty plans and checks (every plan
// and check, on a day with no OnDuty one: spec/reports.md). Excused ones are left out.
func checkIns(e *report.DailyEmployee) []checkIn {
	onDuty := slices.ContainsFunc(e.Plans, func(p report.Plan) bool { return p.CheckType == kaoqin.OnDuty }) ||
		slices.ContainsFunc(e.Checks, func(c report.Check) bool { return c.CheckType == kaoqin.OnDuty })
	var out []checkIn
	add := func(at time.Time) int {
		i := slices.IndexFunc(out, func(c checkIn) bool { return c.at.Equal(at) })
		if i < 0 {
			out = append(out, checkIn{at: at})
			i = len(out) - 1
		}
		return i
	}
	for _, p := range e.Plans {
		if !onDuty || p.CheckType == kaoqin.OnDuty {
			add(p.PlanCheckTime.Time)
		}
	}
	excused := map[int]bool{}
	for _, c := range e.Checks {
		if onDuty && c.CheckType != kaoqin.OnDuty {
			continue
		}
		i := add(c.BaseCheckTime.Time)
		if c.TimeResult != kaoqin.TimeNotSigned {
			out[i].answered = true
		}
		if c.ApproveID != nil {
			excused[i] = true
		}
	}
	kept := out[:0]
	for i, c := range out {
		if !excused[i] && !c.at.IsZero() {
			kept = append(kept, c)
		}
	}
	slices.SortFunc(kept, func(a, b checkIn) int { return a.at.Compare(b.at) })
	return kept
}

// concerned reports whether e is someone the rules speak of today: scheduled, not on leave.
func concerned(e *report.DailyEmployee) bool {
	return !e.OnLeave && e.Presence != report.PresenceRest && e.Presence != report.PresenceOnLeave
}

// audience returns who a rule speaks of: nil for everyone, else the set of its people and of
// its departments' members that day.
func (in dayInput) audience(r *kaoqin.ReminderRule) map[string]bool {
	if len(r.UserIDs) == 0 && len(r.DeptIDs) == 0 {
		return nil
	}
	set := map[string]bool{}
	for _, u := range r.UserIDs {
		set[u] = true
	}
	for _, d := range r.DeptIDs {
		ids, err := in.daily.Who(d, "headcount")
		if err != nil {
			continue // a department gone from the org since the rule was saved
		}
		for _, u := range ids {
			set[u] = true
		}
	}
	return set
}

// moments returns the moments of a rule from first on: first, then every Every minutes, Cap
// of them in all.
func moments(r *kaoqin.ReminderRule, first time.Time) []time.Time {
	out := make([]time.Time, r.Cap)
	for k := range out {
		out[k] = first.Add(time.Duration(k*r.Every) * time.Minute)
	}
	return out
}

// atTime is the rule's time of day on the report's day.
func (in dayInput) atTime(hhmm string) time.Time {
	d, _ := clock(hhmm)
	start, _ := kaoqin.DayBounds(in.daily.Date, in.loc)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	return time.Date(start.Year(), start.Month(), start.Day(), h, m, 0, 0, in.loc)
}

// quiet reports whether t falls in the rule's quiet hours.
func quiet(r *kaoqin.ReminderRule, t time.Time, loc *time.Location) bool {
	if r.QuietFrom == "" {
		return false
	}
	from, _ := clock(r.QuietFrom)
	to, _ := clock(r.QuietTo)
	lt := t.In(loc)
	tod := time.Duration(lt.Hour())*time.Hour + time.Duration(lt.Minute())*time.Minute
	if from < to {
		return tod >= from && tod < to
	}
	return tod >= from || tod < to // over midnight
}

// personal is a person rule's messages: each person concerned, for each check-in not
// answered, at the rule's moments (from the check-in, or at its time of day once the
// check-in has come).
func (in dayInput) personal(r *kaoqin.ReminderRule) []Decision {
	who := in.audience(r)
	var out []Decision
	for i := range in.daily.Employees {
		e := &in.daily.Employees[i]
		if who != nil && !who[e.UserID] || !concerned(e) {
			continue
		}
		ins := checkIns(e)
		if r.At != "" {
			// A time of day: one message a moment, about the first check-in not answered by
			// then.
			for k, m := range moments(r, in.atTime(r.At)) {
				j := slices.IndexFunc(ins, func(c checkIn) bool { return !c.answered && !c.at.After(m) })
				if j < 0 {
					continue
				}
				key := fmt.Sprintf("r%d|%s|%s|%d", r.ID, in.daily.Date, e.UserID, k+1)
				out = append(out, in.personDecision(r, e, key, ins[j].at, m, k+1))
			}
			continue
		}
		for _, c := range ins {
			if c.answered {
				continue
			}
			for k, m := range moments(r, c.at.Add(time.Duration(r.After)*time.Minute)) {
				key := fmt.Sprintf("r%d|%s|%s|%s|%d", r.ID, in.daily.Date, e.UserID, c.at.In(in.loc).Format("1504"), k+1)
				out = append(out, in.personDecision(r, e, key, c.at, m, k+1))
			}
		}
	}
	return out
}

func (in dayInput) personDecision(r *kaoqin.ReminderRule, e *report.DailyEmployee, key string, shift, at time.Time, n int) Decision {
	title, text := personText(r.Name, r.Note, in.daily.Date, shift.In(in.loc), at.In(in.loc), n)
	d := Decision{Rule: r, At: at, Message: kaoqin.ReminderMessage{
		Key: key, RuleID: r.ID, Channel: kaoqin.ChannelPerson, WorkDate: in.daily.Date, To: e.UserID,
		About: []string{e.UserID}, DueAt: at.UnixMilli(), Title: title, Text: text, Body: textBody(text),
	}}
	d.Skip = in.skip(r, e.UserID, at)
	return d
}

func (in dayInput) skip(r *kaoqin.ReminderRule, to string, at time.Time) string {
	switch {
	case in.optOut[to]:
		return SkipOptedOut
	case quiet(r, at, in.loc):
		return SkipQuiet
	}
	return ""
}

// notIn returns the people of department subtree d (0: the company) who are due and not in:
// not checked in with a check-in due, or awaiting news of one (the board's not_checked_in and
// awaiting), sorted.
func (in dayInput) notIn(d int64) []string {
	a, err := in.daily.Who(d, "not_checked_in")
	if err != nil {
		return nil
	}
	b, _ := in.daily.Who(d, "awaiting")
	out := append(a, b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// digests is a digest rule's messages: at each moment, each manager of a department of the
// audience (every department, without one) gets the list of its subtree's people not in,
// one message for all the departments they lead.
func (in dayInput) digests(r *kaoqin.ReminderRule) []Decision {
	scope := map[int64]bool{}
	for _, id := range r.DeptIDs {
		for _, d := range in.daily.Departments {
			if d.ID == id || in.below(d.ID, id) {
				scope[d.ID] = true
			}
		}
	}
	who := in.audience(r)
	// Each manager's departments, without the ones below another of theirs.
	led := map[string][]int64{}
	for _, d := range in.daily.Departments {
		if len(r.DeptIDs) > 0 && !scope[d.ID] {
			continue
		}
		for _, m := range in.managers[d.ID] {
			led[m] = append(led[m], d.ID)
		}
	}
	var out []Decision
	managers := make([]string, 0, len(led))
	for m := range led {
		managers = append(managers, m)
	}
	slices.Sort(managers)
	for _, m := range managers {
		depts := led[m]
		depts = slices.DeleteFunc(depts, func(d int64) bool {
			return slices.ContainsFunc(led[m], func(p int64) bool { return p != d && in.below(d, p) })
		})
		for k, at := range moments(r, in.atTime(r.At)) {
			var sections []digestSection
			var about []string
			for _, d := range depts {
				people := in.notIn(d)
				if who != nil {
					people = slices.DeleteFunc(people, func(u string) bool { return !who[u] })
				}
				if len(people) == 0 {
					continue
				}
				sec := digestSection{dept: in.depts[d].Name}
				for _, u := range people {
					if e, ok := in.daily.Employee(u); ok {
						sec.people = append(sec.people, digestPerson{name: e.Name, shift: e.ShiftStart.Time.In(in.loc), presence: e.Presence})
					}
				}
				sections = append(sections, sec)
				about = append(about, people...)
			}
			if len(sections) == 0 {
				continue // everyone is in, or nobody was due (a rest day or a holiday)
			}
			title, text := digestText(r.Name, r.Note, in.daily.Date, at.In(in.loc), k+1, sections)
			key := fmt.Sprintf("r%d|%s|%s|%d", r.ID, in.daily.Date, m, k+1)
			d := Decision{Rule: r, At: at, Message: kaoqin.ReminderMessage{
				Key: key, RuleID: r.ID, Channel: kaoqin.ChannelDigest, WorkDate: in.daily.Date, To: m,
				About: about, DueAt: at.UnixMilli(), Title: title, Text: text, Body: markdownBody(title, text),
			}}
			d.Skip = in.skip(r, m, at)
			out = append(out, d)
		}
	}
	return out
}

// below reports whether department d is strictly below department p.
func (in dayInput) below(d, p int64) bool {
	for seen := 0; seen < 64; seen++ {
		dd, ok := in.depts[d]
		if !ok || dd.ParentID == 0 {
			return false
		}
		if dd.ParentID == p {
			return true
		}
		d = dd.ParentID
	}
	return false
}

// robot is a robot rule's messages: at each moment, a summary of each of its departments (of
// the company, without any), on a day when someone in it is scheduled.
func (in dayInput) robot(r *kaoqin.ReminderRule) []Decision {
	depts := r.DeptIDs
	if len(depts) == 0 {
		depts = []int64{0}
	}
	to := robotKey(r.RobotURL)
	var out []Decision
	for _, id := range depts {
		c, name := in.daily.Company, "" // the company line
		if id != 0 {
			d, ok := in.depts[id]
			if !ok {
				continue
			}
			c, name = d.Counts, d.Name
		}
		if c.Scheduled == 0 {
			continue // a rest day or a holiday for all of them
		}
		for k, at := range moments(r, in.atTime(r.At)) {
			title, text := robotText(r.Name, r.Note, in.daily.Date, at.In(in.loc), name, c)
			key := fmt.Sprintf("r%d|%s|%s|%d|%d", r.ID, in.daily.Date, to, id, k+1)
			d := Decision{Rule: r, At: at, Message: kaoqin.ReminderMessage{
				Key: key, RuleID: r.ID, Channel: kaoqin.ChannelRobot, WorkDate: in.daily.Date, To: to,
				DueAt: at.UnixMilli(), Title: title, Text: text, Body: robotBody(title, text, key),
			}}
			if quiet(r, at, in.loc) {
				d.Skip = SkipQuiet
			}
			out = append(out, d)
		}
	}
	return out
}
