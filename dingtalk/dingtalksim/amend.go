package dingtalksim

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Changes made after the fact. A company's day is drawn once and for all (day.go), but in a
// real company the results of a day can still change once it is over: an administrator edits
// a result, an approval lands days later. A client that pulled the day before the change
// holds the old answer; DingTalk's own report (smartreport.go) and every endpoint asked after
// the change give the new one. Tests plant such changes to see that a reconciliation finds
// them; each takes effect at its instant on the company clock.

// ResultEdit is an administrator's edit of one check result (sourceType BOSS): from At on,
// the person's first check of CheckType on Date answers TimeResult (the punch time stays).
type ResultEdit struct {
	UserID     string
	Date       string // YYYY-MM-DD
	CheckType  string // "OnDuty" or "OffDuty"
	TimeResult string // what the administrator made it, usually "Normal"
	At         time.Time
}

// LateLeave is a whole-day leave approved after the day: from At on, the person's day Date is
// covered by a leave of type Type (年假, 事假, 病假, 调休, 婚假): getleavestatus lists it, every
// check of the day answers NotSigned with the leave's approveId, and the report counts it.
type LateLeave struct {
	UserID string
	Date   string // YYYY-MM-DD
	Type   string // a leave type of the company (VacationTypes)
	At     time.Time
}

// amendments are the changes planted so far.
type amendments struct {
	mu     sync.RWMutex
	edits  []ResultEdit
	leaves []LateLeave
}

const lateLeaveSlot = 9 // the approval id slot of a late leave

// EditResult plants an administrator's edit of a result. It fails for an unknown person, a
// malformed date or check type.
func (s *Server) EditResult(e ResultEdit) error {
	if _, err := parseDate(e.Date); err != nil {
		return err
	}
	if e.CheckType != "OnDuty" && e.CheckType != "OffDuty" {
		return fmt.Errorf("dingtalksim: check type %q: want OnDuty or OffDuty", e.CheckType)
	}
	if len(s.people([]string{e.UserID})) == 0 {
		return fmt.Errorf("dingtalksim: no person %q", e.UserID)
	}
	s.amend.mu.Lock()
	defer s.amend.mu.Unlock()
	s.amend.edits = append(s.amend.edits, e)
	return nil
}

// ApproveLeave plants a leave approved after the fact. It fails for an unknown person, a
// malformed date, a rest day or a type the company does not have.
func (s *Server) ApproveLeave(l LateLeave) error {
	d, err := parseDate(l.Date)
	if err != nil {
		return err
	}
	if !dayKind(d).working() {
		return fmt.Errorf("dingtalksim: %s is a rest day", l.Date)
	}
	if !slices.Contains(leaveTypes, l.Type) {
		return fmt.Errorf("dingtalksim: leave type %q: want one of %v", l.Type, leaveTypes)
	}
	if len(s.people([]string{l.UserID})) == 0 {
		return fmt.Errorf("dingtalksim: no person %q", l.UserID)
	}
	s.amend.mu.Lock()
	defer s.amend.mu.Unlock()
	s.amend.leaves = append(s.amend.leaves, l)
	return nil
}

// Amendments returns the changes planted so far, in the order they were planted.
func (t Truth) Amendments() ([]ResultEdit, []LateLeave) {
	a := &t.s.amend
	a.mu.RLock()
	defer a.mu.RUnlock()
	return slices.Clone(a.edits), slices.Clone(a.leaves)
}

// lateLeave returns the late leave of p on day d in effect at now (unix ms), if any.
func (s *Server) lateLeave(p person, d civil, now int64) *leave {
	a := &s.amend
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, l := range a.leaves {
		if l.UserID == p.userid && l.Date == d.String() && l.At.UnixMilli() <= now {
			return s.co.lateLeaveOf(p, d, l.Type)
		}
	}
	return nil
}

// lateLeaveOf is the leave a late approval of type typ puts on p's day d.
func (co *company) lateLeaveOf(p person, d civil, typ string) *leave {
	g := p.group
	id := approveID(p.seq, d, lateLeaveSlot)
	return &leave{
		Leave: Leave{
			UserID: p.userid, StartTime: co.at(d, g.sections[0].on).UnixMilli(),
			EndTime: co.at(d, g.sections[len(g.sections)-1].off).UnixMilli(), DurationUnit: "percent_day",
			DurationPercent: 100, ApproveID: id, ProcInstID: procInstID(co.seed, id), Type: typ,
		},
		from: d, to: d,
	}
}

// lateLeaves returns the late leaves of people in effect at now that overlap [lo, hi] (unix ms).
func (s *Server) lateLeaves(people []person, lo, hi, now int64) []Leave {
	a := &s.amend
	a.mu.RLock()
	planted := slices.Clone(a.leaves)
	a.mu.RUnlock()
	var out []Leave
	for _, p := range people {
		for _, l := range planted {
			if l.UserID != p.userid || l.At.UnixMilli() > now {
				continue
			}
			d := mustDate(l.Date)
			if !p.activeOn(d) {
				continue
			}
			if lv := s.co.lateLeaveOf(p, d, l.Type); lv.StartTime <= hi && lv.EndTime >= lo {
				out = append(out, lv.Leave)
			}
		}
	}
	return out
}

// amendResults applies the changes in effect at now (unix ms) to rows of attendance/list. It
// returns rows itself when nothing applies (rows may be shared with the page cache), else a
// changed copy.
func (s *Server) amendResults(rows []Result, now int64) []Result {
	a := &s.amend
	a.mu.RLock()
	edits, leaves := slices.Clone(a.edits), slices.Clone(a.leaves)
	a.mu.RUnlock()
	if len(edits) == 0 && len(leaves) == 0 {
		return rows
	}
	copied := false
	own := func() {
		if !copied {
			rows, copied = slices.Clone(rows), true
		}
	}
	for _, l := range leaves {
		if l.At.UnixMilli() > now {
			continue
		}
		d := mustDate(l.Date)
		start := s.co.dayStart(d)
		for i := range rows {
			if r := &rows[i]; r.UserID == l.UserID && r.WorkDate == start {
				ps := s.people([]string{l.UserID})
				if len(ps) == 0 {
					continue
				}
				lv := s.co.lateLeaveOf(ps[0], d, l.Type)
				own()
				r = &rows[i]
				r.RecordID, r.TimeResult, r.LocationResult = 0, "NotSigned", "NotSigned"
				r.UserCheckTime, r.SourceType = r.BaseCheckTime, "SYSTEM"
				r.ApproveID, r.ProcInstID = lv.ApproveID, lv.ProcInstID
			}
		}
	}
	for _, e := range edits {
		if e.At.UnixMilli() > now {
			continue
		}
		start := s.co.dayStart(mustDate(e.Date))
		first := -1
		for i, r := range rows {
			if r.UserID == e.UserID && r.WorkDate == start && r.CheckType == e.CheckType &&
				(first < 0 || r.BaseCheckTime < rows[first].BaseCheckTime) {
				first = i
			}
		}
		if first >= 0 {
			own()
			rows[first].TimeResult, rows[first].SourceType = e.TimeResult, "BOSS"
		}
	}
	return rows
}
