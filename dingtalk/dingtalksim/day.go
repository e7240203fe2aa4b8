package dingtalksim

import (
	"slices"
)

// Outcome is what a person's day was drawn to be.
type Outcome string

const (
	OutcomeNone            Outcome = ""                 // not in the company that day
	OutcomeRest            Outcome = "rest"             // a rest day: no checks
	OutcomeNormal          Outcome = "normal"           // every check punched in time
	OutcomeLate            Outcome = "late"             // first OnDuty Late (1-29 min)
	OutcomeSeriousLate     Outcome = "serious_late"     // first OnDuty SeriousLate (31-59 min)
	OutcomeAbsenteeismLate Outcome = "absenteeism_late" // first OnDuty Absenteeism (61-150 min, 旷工迟到)
	OutcomeEarly           Outcome = "early"            // last OffDuty Early
	OutcomeMissingOnDuty   Outcome = "missing_on_duty"  // first OnDuty never punched
	OutcomeMissingOffDuty  Outcome = "missing_off_duty" // last OffDuty never punched
	OutcomeAbsent          Outcome = "absent"           // no punch at all (旷工)
	OutcomeLeaveWholeDay   Outcome = "leave_whole_day"  // every check covered by a whole-day leave
	OutcomeLeaveHalfDay    Outcome = "leave_half_day"   // the morning's or the afternoon's checks covered by leave
)

// Outcomes lists the outcomes of a workday, for tests that want every kind.
var Outcomes = []Outcome{OutcomeNormal, OutcomeLate, OutcomeSeriousLate, OutcomeAbsenteeismLate, OutcomeEarly,
	OutcomeMissingOnDuty, OutcomeMissingOffDuty, OutcomeAbsent, OutcomeLeaveWholeDay, OutcomeLeaveHalfDay}

// Rates of the outcomes of a workday not covered by a whole-day leave (whole-day leaves
// start on about 1% of workdays and last 1 to 3 days).
var outcomeRates = []struct {
	o    Outcome
	rate float64
}{
	{OutcomeLate, 0.04}, {OutcomeSeriousLate, 0.015}, {OutcomeAbsenteeismLate, 0.01},
	{OutcomeEarly, 0.03}, {OutcomeMissingOnDuty, 0.02}, {OutcomeMissingOffDuty, 0.02},
	{OutcomeAbsent, 0.015}, {OutcomeLeaveHalfDay, 0.02},
}

const (
	outsideRate = 0.03  // one punch of the day outside the office (外勤)
	extraRate   = 0.05  // a second OnDuty punch a few minutes after the first
	invalidRate = 0.015 // a punch refused by DingTalk (a third of them "Other", the rest "Security")

	// Evidence that is not the person punching, drawn apart from the outcome (saltEvidence).
	tripRate     = 0.008 // a normal day on a business trip or an outing: every check made by the approval
	adminRate    = 0.2   // of the days missing a check, an administrator fills it in (BOSS)
	makeUpRate   = 0.25  // of the others, a make-up punch approval (补卡) fills it in (APPROVE)
	autoOffRate  = 0.01  // of normal days, the check-out is an automatic punch (AUTO_CHECK)
	farRate      = 0.008 // of days with phone punches, one far from the office yet judged in range (weak GPS)
	overtimeRate = 0.02  // of workdays, an approved overtime in the evening (getupdatedata only)
	sharedRate   = 0.3   // of the workdays of a device sharer, their phone punches are on a colleague's phone
)

// Habits of a few people, by serial: someone who punches in at the same minute every day, and
// someone who punches on the phone of the colleague with the next serial on some days.
func sameMinuteHabit(seq int64) bool { return seq%97 == 11 }
func sharesDevice(seq int64) bool    { return seq%53 == 7 }

func drawOutcome(u float64) Outcome {
	for _, r := range outcomeRates {
		if u < r.rate {
			return r.o
		}
		u -= r.rate
	}
	return OutcomeNormal
}

// dayPlan is a person's whole day as the company lives it, including punches that have not
// happened yet on the company clock; views cut it at "now".
type dayPlan struct {
	p       person
	date    civil
	kind    DayKind
	cls     *class // the shift worked; nil on a rest day
	start   int64  // midnight, unix ms
	outcome Outcome
	outside bool
	extra   bool
	invalid bool
	// Evidence not made by the person punching, and punches worth a look.
	trip     *approval // a business trip or an outing covering the day
	edited   string    // "admin" or "make_up": how a missing check was filled in
	autoOff  bool
	far      bool
	shared   bool      // phone punches on a colleague's phone (the next serial's)
	overtime *approval // approved overtime in the evening
	makeUp   *approval
	checks   []plannedCheck
	punches  []plannedPunch // by time
	leave    *leave
}

type plannedCheck struct {
	slot      int
	checkType string
	base      int64 // unix ms
	planID    int64
	punch     int // index of the matched punch, -1 if none
	leave     *leave
}

type plannedPunch struct {
	id             int64
	at             int64 // unix ms
	check          int   // the check it belongs to
	matched        bool  // the punch behind the check's result
	timeResult     string
	locationResult string
	sourceType     string
	locationMethod string
	invalid        bool
	invalidType    string // "Security" or "Other"
	spot           int    // -1: at the office; else an index in outsideSpots
	far            bool   // a phone punch far from the office, judged in range
	approval       *approval
}

// approval is an approval behind a day or a check, as getupdatedata lists it: a business trip
// or outing (biz_type 2), overtime (1), or a make-up punch (补卡, no biz_type: UNVERIFIED).
type approval struct {
	id         int64
	procInstID string
	tag        string // 出差, 外出, 加班, 补卡
	bizType    int
	begin, end int64 // unix ms
}

// Ids are stable and unique: a person's serial, the day and a slot, in separate ranges for
// results, records, plans and approvals. Serials stay below 1.5 million and days within
// 2000-2109, so the ranges never meet and every id is below 2^53.
const dayBase = civil(10957) // 2000-01-01

func idKey(seq int64, d civil, slot int) int64 {
	return (seq*40000+int64(d-dayBase))*16 + int64(slot)
}

func resultID(seq int64, d civil, slot int) int64  { return 1_000_000_000_000 + idKey(seq, d, slot) }
func recordID(seq int64, d civil, slot int) int64  { return 2_000_000_000_000 + idKey(seq, d, slot) }
func planID(seq int64, d civil, slot int) int64    { return 3_000_000_000_000 + idKey(seq, d, slot) }
func approveID(seq int64, d civil, slot int) int64 { return 4_000_000_000_000 + idKey(seq, d, slot) }

const restSlot = 15 // the plan of a rest day

// plan draws person p's day d. It is a pure function of the seed, the person and the date.
func (co *company) plan(p person, d civil) *dayPlan {
	dp := &dayPlan{p: p, date: d, kind: dayKind(d), start: co.dayStart(d)}
	g := p.group
	dp.cls = g.classOn(p, d)
	switch {
	case !p.activeOn(d):
		return dp
	case dp.cls == nil:
		dp.outcome = OutcomeRest
		return dp
	}
	dp.checks = make([]plannedCheck, 0, 2*len(dp.cls.sections))
	dp.punches = make([]plannedPunch, 0, 2*len(dp.cls.sections)+2)
	for i, sec := range dp.cls.sections {
		dp.checks = append(dp.checks,
			plannedCheck{slot: 2 * i, checkType: "OnDuty", base: dp.start + int64(sec.on)*60000, punch: -1},
			plannedCheck{slot: 2*i + 1, checkType: "OffDuty", base: dp.start + int64(sec.off)*60000, punch: -1})
	}
	for i := range dp.checks {
		dp.checks[i].planID = planID(p.seq, d, dp.checks[i].slot)
	}
	if lv := co.wholeLeave(p, d); lv != nil {
		dp.outcome, dp.leave = OutcomeLeaveWholeDay, lv
		for i := range dp.checks {
			dp.checks[i].leave = lv
		}
		return dp
	}
	r := newRNG(hash(co.seed, saltDay, p.key, uint64(d)))
	dp.outcome = drawOutcome(r.float())
	if dp.outcome == OutcomeLeaveHalfDay {
		dp.leave = co.halfLeave(p, d)
		for i := range dp.checks {
			if c := &dp.checks[i]; c.base >= dp.leave.StartTime && c.base <= dp.leave.EndTime {
				c.leave = dp.leave
			}
		}
	}
	overlay := [3]float64{r.float(), r.float(), r.float()}
	ev := newRNG(hash(co.seed, saltEvidence, p.key, uint64(d)))
	evidence := [6]float64{ev.float(), ev.float(), ev.float(), ev.float(), ev.float(), ev.float()}
	first, last := 0, len(dp.checks)-1
	if evidence[5] < overtimeRate {
		end := dp.checks[last].base
		dp.overtime = co.approval(p, d, 5, "加班", 1, end+30*60_000, end+150*60_000)
	}
	if dp.outcome == OutcomeNormal && evidence[0] < tripRate {
		tag := "出差"
		if ev.intn(2) == 0 {
			tag = "外出"
		}
		dp.trip = co.approval(p, d, 3, tag, 2, dp.checks[first].base, dp.checks[last].base)
		for i := range dp.checks {
			pu := plannedPunch{at: dp.checks[i].base, check: i, matched: true, timeResult: "Normal",
				locationResult: "Normal", sourceType: "APPROVE", spot: -1, approval: dp.trip}
			dp.punches = append(dp.punches, pu)
		}
		dp.number()
		return dp
	}

	sec := func(n int) int64 { return int64(n) * 1000 }
	for i := range dp.checks {
		c := &dp.checks[i]
		if c.leave != nil {
			continue
		}
		var at int64
		switch {
		case dp.outcome == OutcomeAbsent,
			i == first && dp.outcome == OutcomeMissingOnDuty,
			i == last && dp.outcome == OutcomeMissingOffDuty:
			continue
		case i == first && dp.outcome == OutcomeLate:
			at = c.base + sec(r.between(60, 28*60+59))
		case i == first && dp.outcome == OutcomeSeriousLate:
			at = c.base + sec(r.between(31*60, 58*60+59))
		case i == first && dp.outcome == OutcomeAbsenteeismLate:
			at = c.base + sec(r.between(61*60, 150*60))
		case i == last && dp.outcome == OutcomeEarly:
			at = c.base - sec(r.between(2*60, 59*60))
		case c.checkType == "OnDuty" && i == first:
			at = c.base - sec(r.between(60, 45*60))
			if sameMinuteHabit(p.seq) {
				at = c.base - sec(120-ev.intn(60)) // 08:58 and some seconds, day after day
			}
		case c.checkType == "OnDuty":
			at = c.base - sec(r.between(60, 25*60))
		case i == last:
			at = c.base + sec(r.between(0, 90*60))
		default:
			at = c.base + sec(r.between(0, 15*60))
		}
		dp.punches = append(dp.punches, co.punch(r, g, c, i, at, true))
	}

	// A missing check filled in after the fact: by an administrator, or by a make-up approval.
	missing := map[Outcome]int{OutcomeMissingOnDuty: first, OutcomeMissingOffDuty: last}
	if i, ok := missing[dp.outcome]; ok && evidence[1] < adminRate+(1-adminRate)*makeUpRate {
		pu := plannedPunch{at: dp.checks[i].base, check: i, matched: true, timeResult: "Normal",
			locationResult: "Normal", sourceType: "BOSS", spot: -1}
		dp.edited = "admin"
		if evidence[1] >= adminRate {
			dp.makeUp = co.approval(p, d, 4, "补卡", 0, dp.checks[i].base, dp.checks[i].base)
			pu.sourceType, pu.approval, dp.edited = "APPROVE", dp.makeUp, "make_up"
		}
		dp.punches = append(dp.punches, pu)
	}
	if dp.outcome == OutcomeNormal && evidence[2] < autoOffRate && dp.checks[last].checkType == "OffDuty" {
		for k := range dp.punches {
			if pu := &dp.punches[k]; pu.check == last && pu.matched {
				pu.at, pu.sourceType, pu.locationMethod, pu.timeResult, pu.locationResult = dp.checks[last].base, "AUTO_CHECK", "", "Normal", "Normal"
				dp.autoOff = true
			}
		}
	}

	if len(dp.punches) > 0 && dp.outcome != OutcomeLeaveHalfDay {
		dp.outside = overlay[0] < outsideRate
		dp.extra = overlay[1] < extraRate && dp.checks[first].checkType == "OnDuty" && hasPunchFor(dp.punches, first)
		dp.invalid = overlay[2] < invalidRate
		if dp.outside {
			pu := &dp.punches[r.intn(len(dp.punches))]
			pu.locationResult, pu.sourceType, pu.locationMethod = "Outside", "USER", "MAP"
			pu.spot = r.intn(len(outsideSpots))
		}
		if dp.extra {
			firstAt := dp.punches[0].at
			extra := co.punch(r, g, &dp.checks[first], first, firstAt+sec(r.between(30, 5*60)), false)
			dp.punches = append(dp.punches, extra)
		}
		if dp.invalid {
			c := &dp.checks[first]
			bad := co.punch(r, g, c, first, c.base-sec(r.between(2*60, 10*60)), false)
			bad.invalid, bad.sourceType, bad.locationMethod, bad.invalidType = true, "USER", "MAP", "Security"
			if ev.intn(3) == 0 {
				bad.invalidType = "Other"
			}
			dp.punches = append(dp.punches, bad)
		}
		if !dp.outside && evidence[3] < farRate {
			for k := range dp.punches {
				if pu := &dp.punches[k]; pu.sourceType == "USER" && pu.locationMethod == "MAP" && !pu.invalid {
					pu.far, dp.far = true, true
					break
				}
			}
		}
	}
	dp.shared = sharesDevice(p.seq) && evidence[4] < sharedRate && slices.ContainsFunc(dp.punches,
		func(pu plannedPunch) bool { return pu.sourceType == "USER" })
	dp.number()
	return dp
}

// number sorts the day's punches by time and gives them their ids.
func (dp *dayPlan) number() {
	slices.SortStableFunc(dp.punches, func(a, b plannedPunch) int { return int(a.at - b.at) })
	for i := range dp.punches {
		pu := &dp.punches[i]
		pu.id = recordID(dp.p.seq, dp.date, i)
		if pu.matched {
			dp.checks[pu.check].punch = i
		}
	}
}

// approval makes the approval of person p on day d in the given id slot.
func (co *company) approval(p person, d civil, slot int, tag string, bizType int, begin, end int64) *approval {
	id := approveID(p.seq, d, slot)
	return &approval{id: id, procInstID: procInstID(co.seed, id), tag: tag, bizType: bizType, begin: begin, end: end}
}

func hasPunchFor(ps []plannedPunch, check int) bool {
	return slices.ContainsFunc(ps, func(p plannedPunch) bool { return p.check == check && p.matched })
}

// punch makes one punch at time at for check c, judged by the group's rules.
func (co *company) punch(r *rng, g *group, c *plannedCheck, check int, at int64, matched bool) plannedPunch {
	pu := plannedPunch{at: at, check: check, matched: matched, locationResult: "Normal", spot: -1}
	if c.checkType == "OnDuty" {
		pu.timeResult = g.judgeOn((at - c.base) / 1000)
	} else {
		pu.timeResult = g.judgeOff((c.base - at) / 1000)
	}
	switch u := r.float(); {
	case u < 0.45:
		pu.sourceType, pu.locationMethod = "USER", "MAP"
	case u < 0.65:
		pu.sourceType, pu.locationMethod = "USER", "WIFI"
	case u < 0.80:
		pu.sourceType, pu.locationMethod = "ATM", "ATM"
	case u < 0.90:
		pu.sourceType, pu.locationMethod = "DING_ATM", "" // UNVERIFIED: what locationMethod DingTalk gives these
	default:
		pu.sourceType, pu.locationMethod = "BEACON", ""
	}
	return pu
}
