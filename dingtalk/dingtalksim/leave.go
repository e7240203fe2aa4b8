package dingtalksim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Leave is an approved leave as getleavestatus returns it, plus the approval behind it.
type Leave struct {
	UserID          string `json:"userid"`
	StartTime       int64  `json:"start_time"` // unix ms
	EndTime         int64  `json:"end_time"`   // unix ms
	DurationUnit    string `json:"duration_unit"`
	DurationPercent int64  `json:"duration_percent"`
	ApproveID       int64  `json:"-"` // carried by the checks it covers
	ProcInstID      string `json:"-"`
	Type            string `json:"-"` // 年假, 事假, ...
	Half            string `json:"-"` // "am" or "pm" for a half-day leave; "" for whole days
}

type leave struct {
	Leave
	from, to civil // days covered
}

const leaveStartRate = 0.01

// A whole-day leave starts on a workday whose hash says so, unless one of the three
// workdays before it also drew a start: starts are then at least four workdays apart and
// leaves never overlap. It lasts 1 to 3 consecutive workdays and stops at a rest day.

func (co *company) rawLeaveStart(p person, d civil) bool {
	return p.workday(d) && unit(hash(co.seed, saltLeave, p.key, uint64(d))) < leaveStartRate
}

func (co *company) leaveStartsAt(p person, d civil) bool {
	if !p.activeOn(d) || !co.rawLeaveStart(p, d) {
		return false
	}
	seen := 0
	for x := d - 1; seen < 3 && x > d-40; x-- {
		if p.workday(x) {
			seen++
			if co.rawLeaveStart(p, x) {
				return false
			}
		}
	}
	return true
}

func (co *company) wholeLeaveFrom(p person, start civil) *leave {
	h := hash(co.seed, saltLeaveLen, p.key, uint64(start))
	want := 1 + int(h%3)
	days := 1
	for days < want && p.workday(start+civil(days)) && p.activeOn(start+civil(days)) {
		days++
	}
	end := start + civil(days-1)
	first, last := p.group.scheduled(p, start), p.group.scheduled(p, end)
	id := approveID(p.seq, start, 0)
	return &leave{
		Leave: Leave{
			UserID:          p.userid,
			StartTime:       co.at(start, first.sections[0].on).UnixMilli(),
			EndTime:         co.at(end, last.sections[len(last.sections)-1].off).UnixMilli(),
			DurationUnit:    "percent_day",
			DurationPercent: int64(days) * 100,
			ApproveID:       id,
			ProcInstID:      procInstID(co.seed, id),
			Type:            leaveTypes[(h>>8)%uint64(len(leaveTypes))],
		},
		from: start, to: end,
	}
}

// wholeLeave returns the whole-day leave covering d, if any.
func (co *company) wholeLeave(p person, d civil) *leave {
	for k := range civil(3) {
		s := d - k
		if !p.workday(s) {
			return nil
		}
		if co.leaveStartsAt(p, s) {
			if lv := co.wholeLeaveFrom(p, s); lv.to >= d {
				return lv
			}
			return nil
		}
	}
	return nil
}

// halfLeave is the half-day leave of a day whose outcome is OutcomeLeaveHalfDay: the
// morning (first check to the midday break) or the afternoon (end of the break to the last
// check), in percent_day 50 or in hours. A night shift's halves are before and after its break.
func (co *company) halfLeave(p person, d civil) *leave {
	h := hash(co.seed, saltHalf, p.key, uint64(d))
	g := p.group.scheduled(p, d)
	half, from, to := "am", g.sections[0].on, g.restBegin
	if h&1 == 1 {
		half, from, to = "pm", g.restEnd, g.sections[len(g.sections)-1].off
	}
	unit, percent := "percent_day", int64(50)
	if h&2 != 0 {
		unit, percent = "percent_hour", int64(g.workMinutes(from, to)*100/60)
	}
	slot := 1
	if half == "pm" {
		slot = 2
	}
	id := approveID(p.seq, d, slot)
	return &leave{
		Leave: Leave{
			UserID: p.userid, StartTime: co.at(d, from).UnixMilli(), EndTime: co.at(d, to).UnixMilli(),
			DurationUnit: unit, DurationPercent: percent, ApproveID: id, ProcInstID: procInstID(co.seed, id),
			Type: leaveTypes[(h>>8)%uint64(len(leaveTypes))], Half: half,
		},
		from: d, to: d,
	}
}

// leaves returns p's leaves touching days from..to, by start.
func (co *company) leaves(p person, from, to civil) []*leave {
	var out []*leave
	for d := from - 3; d <= to; d++ {
		if !p.activeOn(d) || !p.workday(d) {
			continue
		}
		if co.leaveStartsAt(p, d) {
			if lv := co.wholeLeaveFrom(p, d); lv.to >= from {
				out = append(out, lv)
			}
			continue
		}
		if d < from || co.wholeLeave(p, d) != nil {
			continue
		}
		r := newRNG(hash(co.seed, saltDay, p.key, uint64(d)))
		if drawOutcome(r.float()) == OutcomeLeaveHalfDay {
			out = append(out, co.halfLeave(p, d))
		}
	}
	return out
}

func procInstID(seed uint64, approveID int64) string {
	a, b := hex16(hash(seed, saltProc, uint64(approveID))), hex16(hash(seed, saltProc, uint64(approveID), 1))
	return fmt.Sprintf("%s-%s-%s-%s-%s", a[:8], a[8:12], a[12:16], b[:4], b[4:16])
}

// leaveStatus is topapi/attendance/getleavestatus: approved leaves of up to 100 people
// overlapping a window of up to 180 days, 20 a page.
func (s *Server) leaveStatus(c *call) (any, *apiError) {
	p := c.p
	ids := p.commaList("userid_list", true)
	start, _ := p.millis("start_time", true, s.cfg.Location)
	end, _ := p.millis("end_time", true, s.cfg.Location)
	offset, _ := p.int("offset", true)
	size, _ := p.int("size", true)
	if p.err != nil {
		return nil, p.err
	}
	switch {
	case len(ids) > 100:
		return nil, errParam("userid_list 最多100个用户")
	case end.Before(start):
		return nil, errParam("start_time 晚于 end_time")
	case end.Sub(start) > 180*24*time.Hour:
		return nil, errParam("查询时间跨度不能超过180天")
	case offset < 0:
		return nil, errParam("offset 不能小于0")
	case size < 1 || size > 20:
		return nil, errParam("size 取值范围为1-20")
	}
	people := s.people(dedupe(ids))
	from, to := civilOf(start), civilOf(end)
	type row = Leave
	var rows []row
	for _, pp := range people {
		for _, lv := range s.co.leaves(pp, from, to) {
			if lv.StartTime <= end.UnixMilli() && lv.EndTime >= start.UnixMilli() {
				rows = append(rows, lv.Leave)
			}
		}
	}
	rows = append(rows, s.lateLeaves(people, start.UnixMilli(), end.UnixMilli(), c.now.UnixMilli())...)
	page, more := pageOf(rows, offset, size)
	return struct {
		HasMore     bool    `json:"has_more"`
		LeaveStatus []Leave `json:"leave_status"`
	}{more, nonNil(page)}, nil
}

// leaveApproveDuration is topapi/attendance/getleaveapproveduration: the scheduled work
// minutes of the person between two instants, as a leave over them would count.
func (s *Server) leaveApproveDuration(c *call) (any, *apiError) {
	p := c.p
	userid := p.str("userid", true)
	from, _ := p.timeStr("from_date", true, s.cfg.Location)
	to, _ := p.timeStr("to_date", true, s.cfg.Location)
	if p.err != nil {
		return nil, p.err
	}
	if to.Before(from) {
		return nil, errParam("from_date 晚于 to_date")
	}
	if to.Sub(from) > 180*24*time.Hour {
		return nil, errParam("查询时间跨度不能超过180天")
	}
	people := s.people([]string{userid})
	minutes := 0
	if len(people) == 1 {
		pp := people[0]
		// From the work date before: a night shift's morning belongs to the day it started.
		for d := civilOf(from) - 1; d <= civilOf(to); d++ {
			cls := pp.group.classOn(pp, d)
			if cls == nil {
				continue
			}
			start := d.start(s.cfg.Location)
			lo := max(0, int(from.Sub(start)/time.Minute))
			hi := min(48*60, int(to.Sub(start)/time.Minute))
			if hi > lo {
				minutes += cls.workMinutes(lo, hi)
			}
		}
	}
	return struct {
		DurationInMinutes int `json:"duration_in_minutes"`
	}{minutes}, nil
}

func dedupe(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// pageOf cuts rows[offset:offset+size] and says whether more rows follow.
func pageOf[T any](rows []T, offset, size int64) ([]T, bool) {
	if offset >= int64(len(rows)) {
		return nil, false
	}
	end := min(offset+size, int64(len(rows)))
	return rows[offset:end], end < int64(len(rows))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return slices.Clip(s)
}
