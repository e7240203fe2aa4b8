package dingtalksim

import (
	"sync"
	"time"
)

// company is what does not change while the simulator runs: the seed, the time zone and the
// attendance groups with their shifts and judging rules.
type company struct {
	seed   uint64
	loc    *time.Location
	corpID string
	name   string
	groups []*group // [0] the standard 09:00-18:00 group (default), [1] the split-shift group; with Config.NightShift [2] the night group, [3] the two-shift rotation (night.go)
	starts sync.Map // civil -> midnight in unix ms
}

// section is one OnDuty/OffDuty pair of a shift, in minutes after the midnight that starts
// the work date: a shift that ends the next morning ends at 24:00 or later (06:00 is 30*60).
type section struct{ on, off int }

// class is a shift (班次): its check times and its break.
type class struct {
	classID   int64
	className string
	settingID int64
	sections  []section
	// restBegin and restEnd bound the break (midday, or the small hours of a night shift); they
	// also split a day into the first and second halves of a half-day leave.
	restBegin, restEnd int
}

// group is an attendance group (考勤组) with its class (班次) and its judging settings. A FIXED
// group works its one class on the company calendar's workdays; a TURN group (排班制) works the
// classes of its cycle in turn, whatever the calendar (night.go).
type group struct {
	id              int64
	name            string
	isDefault       bool
	class                    // the class of a FIXED group; the first of a TURN group's cycle
	turn            []*class // a TURN group's cycle of days, nil for a rest day; nil for a FIXED group
	permitLate      int      // minutes late still Normal
	seriousLate     int      // minutes late beyond which a punch is SeriousLate
	absenteeismLate int      // minutes late beyond which a punch is Absenteeism (旷工迟到)
	division        int      // index in divisions of the first-level department it holds; -1 for the rest
}

func newCompany(cfg Config) *company {
	seed := uint64(cfg.Seed)
	id := func(n uint64) int64 { return 100_000_000 + int64(hash(seed, saltOrg, n)%900_000_000) }
	co := &company{
		seed:   seed,
		loc:    cfg.Location,
		corpID: cfg.CorpID,
		name:   cfg.CompanyName,
		groups: []*group{
			{
				id: id(10), name: "标准工时考勤组", isDefault: true,
				class: class{classID: id(11), className: "标准班", settingID: id(12),
					sections:  []section{{9 * 60, 18 * 60}},
					restBegin: 12 * 60, restEnd: 13 * 60},
				permitLate: 0, seriousLate: 30, absenteeismLate: 60,
				division: -1,
			},
			{
				id: id(20), name: "客服两段班考勤组",
				class: class{classID: id(21), className: "两段班", settingID: id(22),
					sections:  []section{{9 * 60, 12 * 60}, {13*60 + 30, 18 * 60}},
					restBegin: 12 * 60, restEnd: 13*60 + 30},
				permitLate: 0, seriousLate: 30, absenteeismLate: 60,
				division: splitDivision,
			},
		},
	}
	if cfg.NightShift {
		co.groups = append(co.groups, nightGroups(id)...)
	}
	return co
}

// groupFor picks the attendance group of a person whose primary department lies under the
// given first-level division.
func (co *company) groupFor(division int) *group {
	for _, g := range co.groups {
		if g.division == division && division >= 0 {
			return g
		}
	}
	return co.groups[0]
}

func (co *company) groupByID(id int64) *group {
	for _, g := range co.groups {
		if g.id == id {
			return g
		}
	}
	return nil
}

// workMinutes is the scheduled work time between two minute-of-day marks, breaks excluded.
func (g *class) workMinutes(from, to int) int {
	overlap := func(a, b, c, d int) int { return max(0, min(b, d)-max(a, c)) }
	total := 0
	for _, sec := range g.sections {
		total += overlap(from, to, sec.on, sec.off)
		// a break inside a section (the standard class's lunch) is not work
		total -= overlap(from, to, max(sec.on, g.restBegin), min(sec.off, g.restEnd))
	}
	return total
}

// dayMinutes is a whole workday's scheduled work time.
func (g *class) dayMinutes() int { return g.workMinutes(0, 48*60) }

// judgeOn returns DingTalk's timeResult for an OnDuty punch lateSec seconds after the base time.
func (g *group) judgeOn(lateSec int64) string {
	switch {
	case lateSec <= int64(g.permitLate)*60:
		return "Normal"
	case lateSec > int64(g.absenteeismLate)*60:
		return "Absenteeism"
	case lateSec > int64(g.seriousLate)*60:
		return "SeriousLate"
	}
	return "Late"
}

// judgeOff returns the timeResult for an OffDuty punch earlySec seconds before the base time.
func (g *group) judgeOff(earlySec int64) string {
	if earlySec > 0 {
		return "Early"
	}
	return "Normal"
}
