package dingtalksim

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The events the company makes by living its day, and by changing its org chart:
//   - attendance_check_record for every punch listRecord serves (refused ones included:
//     UNVERIFIED whether DingTalk pushes them; kaoqin cannot tell them apart and shows them
//     as provisional until the next pull), at most one push per person per minute: a punch
//     within a minute of the person's last push waits for the minute to pass and goes in the
//     same push's dataList (DingTalk: "同一个人一分钟只能推送一次"). The event's groupId and
//     bizId are DingTalk's string ids, not the numeric ones of the API;
//   - attendance_approve_status_change "finish" for every leave, 30 minutes before it starts
//     (the simulator's choice: real approvals come whenever the approver acts); the leave's
//     processInstanceId can then be read with topapi/processinstance/get;
//   - contacts events for org writes (API or helpers), found by comparing the org with what it
//     was a moment before: user_add_org, user_modify_org (name, job number, title, email or
//     departments changed), user_leave_org, org_dept_create, org_dept_modify,
//     org_dept_remove, one event per person or department.
// attend_bossCheck_change and attend_user_daily_summary_refresh come only from EmitEvent.

// emitState is what the pump knows of what it has emitted; guarded by the hub's pumpMu,
// except from, which SkipEvents sets (guarded by the hub's mu).
type emitState struct {
	from    int64 // company ms: the day's events after this are still to make
	days    map[civil][]dayItem
	users   map[string]userSig
	userSeq [2]int64 // the org's modSeq and people when users was made
	depts   map[int64]deptSig
	orgSeen bool
	orgAt   time.Time
}

// dayItem is one event of a company day, or of an org change.
type dayItem struct {
	at       int64 // company ms
	typ      string
	data     []byte
	users    []string
	approval *announced
}

// announced is a leave approval announced by an event, for topapi/processinstance/get.
type announced struct {
	userID   string
	deptID   int64
	leave    Leave
	finished int64 // ms
}

// maxEventBacklog bounds how far back the day's events are made when the clock jumped or
// nothing pumped for a while: DingTalk would have pushed older punches long ago.
const maxEventBacklog = int64(24 * time.Hour / time.Millisecond)

// emitDue makes the events that came due on the company clock since the last pump.
func (s *Server) emitDue() {
	h := &s.events
	now := s.Now().UnixMilli()
	h.mu.Lock()
	from, noDay := h.emit.from, h.cfg.NoDay
	h.mu.Unlock()
	from = max(from, now-maxEventBacklog)
	var items []dayItem
	if !noDay && now > from {
		loc := s.cfg.Location
		first, last := civilOf(time.UnixMilli(from).In(loc)), civilOf(time.UnixMilli(now).In(loc))
		for d := first - 1; d <= last; d++ { // the day before too: night shifts punch after midnight
			for _, it := range s.dayItems(d) {
				if it.at > from && it.at <= now {
					items = append(items, it)
				}
			}
		}
		slices.SortStableFunc(items, func(a, b dayItem) int { return int(a.at - b.at) })
		for d := range h.emit.days {
			if d < first-2 {
				delete(h.emit.days, d)
			}
		}
	}
	items = append(items, s.orgChanges()...)

	h.mu.Lock()
	defer h.mu.Unlock()
	if h.emit.from < now {
		h.emit.from = now
	}
	for _, it := range items {
		ev := s.addEventLocked(it.typ, it.data, it.users, countsAgainstQuota(it.typ))
		ev.BornAt = time.UnixMilli(it.at).In(s.cfg.Location)
		if it.approval != nil {
			h.procs[it.approval.leave.ProcInstID] = *it.approval
		}
	}
}

// dayItems returns the events of work date d, by time, building them once.
func (s *Server) dayItems(d civil) []dayItem {
	h := &s.events
	if items, ok := h.emit.days[d]; ok {
		return items
	}
	if h.emit.days == nil {
		h.emit.days = map[civil][]dayItem{}
	}
	s.mu.RLock()
	var people []person
	depts := map[string]int64{}
	for _, u := range s.org.allSorted() {
		p := u.person()
		if p.activeOn(d) {
			people = append(people, p)
			if len(u.depts) > 0 {
				depts[u.userid] = u.depts[0]
			}
		}
	}
	s.mu.RUnlock()

	var items []dayItem
	for _, p := range people {
		dp := s.co.plan(p, d)
		items = append(items, s.punchItems(s.co.records(dp, math.MaxInt64))...)
		for _, lv := range s.co.leaves(p, d, d) {
			if lv.from != d {
				continue
			}
			at := lv.StartTime - int64(30*time.Minute/time.Millisecond)
			a := &announced{userID: p.userid, deptID: depts[p.userid], leave: lv.Leave, finished: at}
			items = append(items, dayItem{at: at, typ: "attendance_approve_status_change", users: []string{p.userid}, approval: a,
				data: marshal(approveEvent{ApproveType: "LEAVE", ProcessInstanceID: lv.ProcInstID, MainProcessInstanceID: lv.ProcInstID,
					CorpID: s.cfg.CorpID, ProcessCode: "PROC-SIMLEAVE-0001", Status: "finish"})})
		}
	}
	slices.SortStableFunc(items, func(a, b dayItem) int { return int(a.at - b.at) })
	h.emit.days[d] = items
	return items
}

type approveEvent struct {
	ApproveType           string `json:"approveType"`
	ProcessInstanceID     string `json:"processInstanceId"`
	MainProcessInstanceID string `json:"mainProcessInstanceId"`
	CorpID                string `json:"corpId"`
	ProcessCode           string `json:"processCode"`
	Status                string `json:"status"`
}

// checkRecordJSON is one entry of attendance_check_record's dataList, in the order of
// DingTalk's sample.
type checkRecordJSON struct {
	Address        string  `json:"address"`
	CorpID         string  `json:"corpId"`
	CheckTime      int64   `json:"checkTime"`
	LocationResult string  `json:"locationResult"`
	GroupID        string  `json:"groupId"`
	Latitude       float64 `json:"latitude"`
	BizID          string  `json:"bizId"`
	LocationMethod string  `json:"locationMethod"`
	UserID         string  `json:"userId"`
	DeviceSN       string  `json:"deviceSN,omitempty"`
	CheckByUser    bool    `json:"checkByUser"`
	Longitude      float64 `json:"longitude"`
}

// punchItems turns one person's punches of a day into pushes: at most one a minute.
func (s *Server) punchItems(recs []Record) []dayItem {
	type push struct {
		at   int64
		recs []checkRecordJSON
	}
	var pushes []push
	last := int64(math.MinInt64 / 2)
	for _, r := range recs {
		e := checkRecordJSON{Address: r.UserAddress, CorpID: r.CorpID, CheckTime: r.UserCheckTime, LocationResult: r.LocationResult,
			GroupID: strings.ToUpper(hex16(hash(s.seed, saltOrg, uint64(r.GroupID)))[:8]), Latitude: r.UserLatitude,
			BizID: strings.ToUpper(hex16(hash(s.seed, saltDevice, uint64(r.ID), 9))[:12]), LocationMethod: r.LocationMethod,
			UserID: r.UserID, DeviceSN: r.DeviceSN, CheckByUser: true, Longitude: r.UserLongitude}
		t := r.UserCheckTime
		switch n := len(pushes); {
		case t >= last+60_000:
			pushes = append(pushes, push{at: t, recs: []checkRecordJSON{e}})
			last = t
		case n > 0 && pushes[n-1].at >= t: // a push waiting for its minute: join it
			pushes[n-1].recs = append(pushes[n-1].recs, e)
		default:
			last += 60_000
			pushes = append(pushes, push{at: last, recs: []checkRecordJSON{e}})
		}
	}
	items := make([]dayItem, len(pushes))
	for i, p := range pushes {
		items[i] = dayItem{at: p.at, typ: "attendance_check_record", users: []string{p.recs[0].UserID},
			data: marshal(map[string]any{"dataList": p.recs})}
	}
	return items
}

type userSig struct {
	name, jobNumber, title, email, workPlace string
	depts                                    string
}

type deptSig struct {
	name   string
	parent int64
	order  int64
}

// orgScanEvery is how often the pump compares the org with what it was.
const orgScanEvery = 200 * time.Millisecond

// orgChanges compares the org with its last scan and returns the contacts events of the
// difference.
func (s *Server) orgChanges() []dayItem {
	h := &s.events
	now := s.cfg.Clock()
	if h.emit.orgSeen && now.Sub(h.emit.orgAt) < orgScanEvery && !now.Before(h.emit.orgAt) {
		return nil
	}
	h.emit.orgAt = now
	depts := map[int64]deptSig{}
	s.mu.RLock()
	// Every write to a person bumps the org's modSeq: the people are compared again only when
	// it moved (a big company's people cost far more than its departments to compare).
	userSeq := [2]int64{s.org.modSeq, int64(len(s.org.users))}
	users := h.emit.users
	peopleMoved := !h.emit.orgSeen || userSeq != h.emit.userSeq
	if peopleMoved {
		users = s.userSigsLocked()
	}
	for id, d := range s.org.depts {
		depts[id] = deptSig{name: d.name, parent: d.parent, order: d.order}
	}
	s.mu.RUnlock()
	h.emit.userSeq = userSeq
	if !h.emit.orgSeen {
		h.emit.users, h.emit.depts, h.emit.orgSeen = users, depts, true
		return nil
	}
	at := s.Now().UnixMilli()
	ts := strconv.FormatInt(at, 10)
	var out []dayItem
	userEvent := func(typ, id string, extra map[string]any) {
		data := map[string]any{"timeStamp": ts, "userId": []string{id}}
		for k, v := range extra {
			data[k] = v
		}
		out = append(out, dayItem{at: at, typ: typ, users: []string{id}, data: marshal(data)})
	}
	deptEvent := func(typ string, id int64) {
		out = append(out, dayItem{at: at, typ: typ, data: marshal(map[string]any{"timeStamp": ts, "deptId": []int64{id}})})
	}
	if peopleMoved {
		for _, id := range sortedKeys(users) {
			now, before := users[id], h.emit.users[id]
			_, existed := h.emit.users[id]
			switch {
			case !existed:
				userEvent("user_add_org", id, nil)
			case now != before:
				side := func(u userSig) map[string]string {
					return map[string]string{"name": u.name, "jobNumber": u.jobNumber, "email": u.email, "workPlace": u.workPlace}
				}
				userEvent("user_modify_org", id, map[string]any{"diffInfo": map[string]any{"prev": side(before), "curr": side(now), "userid": id}})
			}
		}
		for _, id := range sortedKeys(h.emit.users) {
			if _, ok := users[id]; !ok {
				userEvent("user_leave_org", id, nil)
			}
		}
	}
	for _, id := range sortedKeys(depts) {
		before, existed := h.emit.depts[id]
		switch {
		case !existed:
			deptEvent("org_dept_create", id)
		case depts[id] != before:
			deptEvent("org_dept_modify", id)
		}
	}
	for _, id := range sortedKeys(h.emit.depts) {
		if _, ok := depts[id]; !ok {
			deptEvent("org_dept_remove", id)
		}
	}
	h.emit.users, h.emit.depts = users, depts
	return out
}

// userSigsLocked returns what contacts events compare of every person in the org; called with
// s.mu held.
func (s *Server) userSigsLocked() map[string]userSig {
	users := make(map[string]userSig, len(s.org.users))
	for id, u := range s.org.users {
		if u.removed {
			continue
		}
		ds := slices.Clone(u.depts)
		slices.Sort(ds)
		var b strings.Builder
		for _, d := range ds {
			b.WriteString(strconv.FormatInt(d, 10))
			b.WriteByte(',')
		}
		users[id] = userSig{name: u.name, jobNumber: u.jobNumber, title: u.title, email: u.email, workPlace: u.workPlace, depts: b.String()}
	}
	return users
}

func sortedKeys[K int64 | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
