package dingtalksim

import (
	"cmp"
	"slices"
)

// Night shifts (Config.NightShift). Factories, hospitals, logistics and security firms run
// shifts across midnight, and DingTalk files both checks of such a shift under the work date
// on which it starts: the OffDuty check at 06:00 on the 8th belongs to work date the 7th. Two
// more attendance groups work them:
//
//   - 夜班考勤组 (FIXED): the class 夜班, 22:00 to 06:00 the next morning with a break from 02:00
//     to 03:00, on the workdays of the company calendar (the Friday night shift ends on
//     Saturday morning). It holds the teams (the …班 departments, four levels below the root).
//   - 两班倒考勤组 (TURN, 排班制): 白班 08:00-20:00 (break 12:00-13:00) and 夜班 20:00 to 08:00 the
//     next morning (break 00:00-01:00), in a cycle of four days, day, night, rest, rest (白夜休休),
//     whatever the calendar; a person's place in the cycle is their serial. It holds
//     热线服务部, the hotline, and every department below it.
//
// Times of a class are minutes after the midnight that starts the work date: 06:00 the next
// morning is 30*60. Everything else (outcomes, punches, leave, plans) is drawn as for a day
// shift, so night shifts have late arrivals, early leavers and missing check-outs at the same
// rates.

// hotline is the department whose people work the two-shift rotation.
const hotline = "热线服务部"

// nightGroups returns the two night-shift groups; id draws their ids.
func nightGroups(id func(uint64) int64) []*group {
	night := class{classID: id(31), className: "夜班", settingID: id(32),
		sections: []section{{22 * 60, 30 * 60}}, restBegin: 26 * 60, restEnd: 27 * 60}
	day := &class{classID: id(41), className: "白班", settingID: id(42),
		sections: []section{{8 * 60, 20 * 60}}, restBegin: 12 * 60, restEnd: 13 * 60}
	late := &class{classID: id(43), className: "夜班", settingID: id(44),
		sections: []section{{20 * 60, 32 * 60}}, restBegin: 24 * 60, restEnd: 25 * 60}
	return []*group{
		{
			id: id(30), name: "夜班考勤组", class: night,
			permitLate: 0, seriousLate: 30, absenteeismLate: 60, division: -1,
		},
		{
			id: id(40), name: "两班倒考勤组", class: *day, turn: []*class{day, late, nil, nil},
			permitLate: 0, seriousLate: 30, absenteeismLate: 60, division: -1,
		},
	}
}

// classOn returns the class person p works on day d, or nil: a rest day, or a day outside
// their time in the company.
func (g *group) classOn(p person, d civil) *class {
	if !p.activeOn(d) {
		return nil
	}
	return g.scheduled(p, d)
}

// scheduled returns the class of day d in p's schedule, whether or not p is in the company
// then: the calendar's workdays for a FIXED group, the cycle for a TURN group.
func (g *group) scheduled(p person, d civil) *class {
	if g.turn != nil {
		n := int64(len(g.turn))
		return g.turn[((int64(d)+p.seq)%n+n)%n]
	}
	if dayKind(d).working() {
		return &g.class
	}
	return nil
}

// workday reports whether day d is a workday of p's schedule (see scheduled).
func (p person) workday(d civil) bool { return p.group.scheduled(p, d) != nil }

// night reports whether g is one of the night-shift groups.
func (g *group) night() bool { return g.turn != nil || g.sections[len(g.sections)-1].off > 24*60 }

// groupOf picks the attendance group of a person whose primary department is deptID: with
// night shifts, the hotline's rotation or the teams' night group; else by the division above.
func (co *company) groupOf(o *org, deptID int64) *group {
	if len(co.groups) > 3 {
		for id := deptID; o.depts[id] != nil && id != 1; id = o.depts[id].parent {
			if d := o.depts[id]; d.name == hotline && d.level == 2 {
				return co.groups[3]
			}
		}
		if d := o.depts[deptID]; d != nil && d.level == 4 {
			return co.groups[2]
		}
	}
	return co.groupFor(o.division(deptID))
}

// crossesMidnight reports whether a class ends after the midnight that ends its work date.
func (c *class) crossesMidnight() bool { return c.sections[len(c.sections)-1].off > 24*60 }

// sortedDepts returns the departments by id. Caller holds s.mu.
func (o *org) sortedDepts() []*dept {
	out := make([]*dept, 0, len(o.depts))
	for _, d := range o.depts {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *dept) int { return cmp.Compare(a.id, b.id) })
	return out
}
