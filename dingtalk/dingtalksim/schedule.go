package dingtalksim

import (
	"time"
)

// Schedule is one planned check (排班) of a person, or the single plan of a rest day.
type Schedule struct {
	PlanID         int64
	UserID         string
	WorkDate       string // YYYY-MM-DD
	CheckType      string
	PlanCheckTime  int64 // unix ms; midnight on a rest day
	GroupID        int64
	ClassID        int64 // 0 on a rest day
	ClassSettingID int64 // 0 on a rest day
	IsRest         bool
	ApproveID      int64 // the leave covering the check, if any
}

// schedules lists the day's plans: every check of a workday, one rest plan on a rest day,
// nothing when the person is not in the company. Future days have plans too.
func (co *company) schedules(dp *dayPlan) []Schedule {
	g := dp.p.group
	switch dp.outcome {
	case OutcomeNone:
		return nil
	case OutcomeRest:
		return []Schedule{{
			PlanID: planID(dp.p.seq, dp.date, restSlot), UserID: dp.p.userid, WorkDate: dp.date.String(),
			CheckType: "OnDuty", PlanCheckTime: dp.start, GroupID: g.id, IsRest: true,
		}}
	}
	out := make([]Schedule, 0, len(dp.checks))
	for _, c := range dp.checks {
		sc := Schedule{
			PlanID: c.planID, UserID: dp.p.userid, WorkDate: dp.date.String(), CheckType: c.checkType,
			PlanCheckTime: c.base, GroupID: g.id, ClassID: dp.cls.classID, ClassSettingID: dp.cls.settingID,
		}
		if c.leave != nil {
			sc.ApproveID = c.leave.ApproveID
		}
		out = append(out, sc)
	}
	return out
}

// planCount is how many plans the day has, without drawing it.
func planCount(p person, d civil) int {
	if !p.activeOn(d) {
		return 0
	}
	if cls := p.group.classOn(p, d); cls != nil {
		return 2 * len(cls.sections)
	}
	return 1
}

func (s *Server) fmtMillis(ms int64) string {
	return time.UnixMilli(ms).In(s.cfg.Location).Format(wireTime)
}

type listScheduleRow struct {
	PlanID         int64  `json:"plan_id"`
	CheckType      string `json:"check_type"`
	ApproveID      int64  `json:"approve_id,omitempty"`
	UserID         string `json:"userid"`
	ClassID        int64  `json:"class_id,omitempty"`
	ClassSettingID int64  `json:"class_setting_id,omitempty"`
	PlanCheckTime  string `json:"plan_check_time"`
	GroupID        int64  `json:"group_id"`
}

// listSchedule is topapi/attendance/listschedule: the plans of the whole company for one
// day, by userid, up to 200 a page.
func (s *Server) listSchedule(c *call) (any, *apiError) {
	p := c.p
	day, _ := p.timeStr("workDate", true, s.cfg.Location)
	offset, ok := p.int("offset", false)
	if !ok {
		offset = 0
	}
	size, ok := p.int("size", false)
	if !ok {
		size = 200
	}
	if p.err != nil {
		return nil, p.err
	}
	if offset < 0 {
		return nil, errParam("offset 不能小于0")
	}
	if size < 1 || size > 200 {
		return nil, errParam("size 取值范围为1-200")
	}
	d := civilOf(day)
	people := s.snapshot()
	rows := []listScheduleRow{}
	skip, more := offset, false
	for _, pp := range people {
		n := int64(planCount(pp, d))
		if n == 0 {
			continue
		}
		if skip >= n {
			skip -= n
			continue
		}
		if int64(len(rows)) >= size {
			more = true
			break
		}
		for _, sc := range s.co.schedules(s.co.plan(pp, d))[skip:] {
			if int64(len(rows)) == size {
				more = true
				break
			}
			rows = append(rows, listScheduleRow{
				PlanID: sc.PlanID, CheckType: sc.CheckType, ApproveID: sc.ApproveID, UserID: sc.UserID,
				ClassID: sc.ClassID, ClassSettingID: sc.ClassSettingID, PlanCheckTime: s.fmtMillis(sc.PlanCheckTime), GroupID: sc.GroupID,
			})
		}
		skip = 0
	}
	return struct {
		Schedules []listScheduleRow `json:"schedules"`
		HasMore   bool              `json:"has_more"`
	}{rows, more}, nil
}

type byUsersRow struct {
	ID            int64  `json:"id"`
	UserID        string `json:"userid"`
	WorkDate      string `json:"work_date"`
	CheckType     string `json:"check_type"`
	PlanCheckTime string `json:"plan_check_time"`
	GroupID       int64  `json:"group_id"`
	ShiftID       int64  `json:"shift_id"`
	ShiftVersion  int64  `json:"shift_version"`
	IsRest        string `json:"is_rest"`
	ApproveID     int64  `json:"approve_id,omitempty"`
}

// scheduleListByUsers is topapi/attendance/schedule/listbyusers: plans of up to 50 people
// over at most 7 days, within 180 days of today.
func (s *Server) scheduleListByUsers(c *call) (any, *apiError) {
	p := c.p
	op := p.str("op_user_id", true)
	ids := p.commaList("userids", true)
	from, _ := p.millis("from_date_time", true, s.cfg.Location)
	to, _ := p.millis("to_date_time", true, s.cfg.Location)
	if p.err != nil {
		return nil, p.err
	}
	switch {
	case len(ids) > 50:
		return nil, errParam("userids 最多50个")
	case to.Before(from):
		return nil, errParam("from_date_time 晚于 to_date_time")
	case to.Sub(from) > 7*24*time.Hour:
		return nil, errParam("查询时间跨度不能超过7天")
	case civilOf(from) < c.today-180 || civilOf(to) > c.today+180:
		return nil, errParam("只能查询180天以内的排班")
	}
	if s.currentUser(op) == nil {
		return nil, errf(60121, "找不到该用户: op_user_id")
	}
	rows := []byUsersRow{}
	for _, pp := range s.people(dedupe(ids)) {
		for d := civilOf(from); d <= civilOf(to); d++ {
			for _, sc := range s.co.schedules(s.co.plan(pp, d)) {
				row := byUsersRow{
					ID: sc.PlanID, UserID: sc.UserID, WorkDate: sc.WorkDate + " 00:00:00", CheckType: sc.CheckType,
					PlanCheckTime: s.fmtMillis(sc.PlanCheckTime), GroupID: sc.GroupID, ShiftID: sc.ClassID,
					ShiftVersion: 1, IsRest: "N", ApproveID: sc.ApproveID,
				}
				if sc.IsRest {
					row.IsRest, row.ShiftVersion = "Y", 0
				}
				rows = append(rows, row)
			}
		}
	}
	return rows, nil
}

// currentUser returns a copy of the person if they are in the org now.
func (s *Server) currentUser(userid string) *person {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if u := s.org.current(userid); u != nil {
		p := u.person()
		return &p
	}
	return nil
}

// snapshot returns every person, current and removed, by userid. The slice is shared and
// never modified: org changes build a new one.
func (s *Server) snapshot() []person {
	s.mu.RLock()
	snap := s.org.snap
	s.mu.RUnlock()
	if snap != nil {
		return snap
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.org.snap == nil {
		all := s.org.allSorted()
		snap := make([]person, len(all))
		for i, u := range all {
			snap[i] = u.person()
		}
		s.org.snap = snap
	}
	return s.org.snap
}
