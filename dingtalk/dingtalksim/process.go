package dingtalksim

import (
	"strconv"
	"time"
)

// processInstance is topapi/processinstance/get: one approval, as the workflow API answers
// it. The simulator knows the leave approvals it announced with
// attendance_approve_status_change; any other id is 400002 (UNVERIFIED: DingTalk's code for an
// unknown instance). Workflow calls are not metered (UNVERIFIED: the billing page names
// attendance and work notifications).
func (s *Server) processInstance(c *call) (any, *apiError) {
	id := c.p.str("process_instance_id", true)
	if c.p.err != nil {
		return nil, c.p.err
	}
	s.events.mu.Lock()
	a, ok := s.events.procs[id]
	s.events.mu.Unlock()
	if !ok {
		return nil, errParam("process_instance_id %s: no such approval", id)
	}
	s.mu.RLock()
	name := ""
	if u := s.org.users[a.userID]; u != nil {
		name = u.name
	}
	s.mu.RUnlock()
	loc := s.cfg.Location
	at := func(ms int64) string { return time.UnixMilli(ms).In(loc).Format("2006-01-02 15:04:05") }
	type formValue struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	type instance struct {
		Title               string      `json:"title"`
		CreateTime          string      `json:"create_time"`
		FinishTime          string      `json:"finish_time"`
		OriginatorUserID    string      `json:"originator_userid"`
		OriginatorDeptID    string      `json:"originator_dept_id"`
		Status              string      `json:"status"`
		Result              string      `json:"result"`
		BusinessID          string      `json:"business_id"`
		BizAction           string      `json:"biz_action"`
		FormComponentValues []formValue `json:"form_component_values"`
	}
	return struct {
		ProcessInstance instance `json:"process_instance"`
	}{instance{
		Title: name + "提交的请假", CreateTime: at(a.finished - int64(20*time.Hour/time.Millisecond)), FinishTime: at(a.finished),
		OriginatorUserID: a.userID, OriginatorDeptID: deptIDText(a.deptID), Status: "COMPLETED", Result: "agree",
		BusinessID: id[:8], BizAction: "NONE",
		FormComponentValues: []formValue{
			{"请假类型", a.leave.Type}, {"开始时间", at(a.leave.StartTime)}, {"结束时间", at(a.leave.EndTime)},
		},
	}}, nil
}

func deptIDText(n int64) string {
	if n == 0 {
		return "-1"
	}
	return strconv.FormatInt(n, 10)
}
