package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/kaoqin/kaoqin"
)

// PunchSource is what the punch reports read (kaoqin punches, the review, the statistics by
// method): the org chart and the punches, a page at a time. Package store implements it.
type PunchSource interface {
	Departments(ctx context.Context) ([]kaoqin.Department, error)
	Employees(ctx context.Context) ([]kaoqin.Employee, error)
	Memberships(ctx context.Context, from, to string) ([]kaoqin.Membership, error)
	KindCoverage(ctx context.Context, kind, from, to string) ([]kaoqin.DayCoverage, error)
	QueryPunches(ctx context.Context, q kaoqin.PunchQuery) ([]kaoqin.Punch, error)
}

// PunchRequest is what kaoqin punches asks for (spec/punches.md): the punches whose work date
// lies in [From, To], of UserIDs if any, of one check type, of some methods, or only the
// invalid ones. Options.DeptIDs limits them to the employees who were members of those
// subtrees on each punch's day.
type PunchRequest struct {
	From, To    string
	UserIDs     []string
	CheckType   string
	Methods     []string
	InvalidOnly bool
}

// Punches is the report of kaoqin punches: every punch of a range, read from the store as it is
// written (a slice of the company at a time), so that a month of 10,000 people takes no more
// memory than a month of 500. It is a Report; Page serves it a page at a time to the web.
type Punches struct {
	Kind     string `json:"kind"` // "punches"
	From     string `json:"from"`
	To       string `json:"to"`
	Timezone string `json:"timezone"`

	ctx    context.Context
	src    PunchSource
	loc    *time.Location
	q      kaoqin.PunchQuery
	people map[string]*kaoqin.Employee
	// scoped, when not nil, are the memberships in scope by employee: a punch counts if one
	// held on its day. nil: every employee.
	scoped map[string][]kaoqin.Membership
	users  []string // the employees to read, sorted
}

// PunchRow is one punch as spec/punches.md writes it: null where DingTalk gave nothing.
type PunchRow struct {
	ID                int64    `json:"id"`
	UserID            string   `json:"userid"`
	Name              string   `json:"name"`
	WorkDate          string   `json:"work_date"`
	CheckType         *string  `json:"check_type"`
	UserCheckTime     Time     `json:"user_check_time"`
	BaseCheckTime     Time     `json:"base_check_time"`
	TimeResult        *string  `json:"time_result"`
	LocationResult    *string  `json:"location_result"`
	SourceType        *string  `json:"source_type"`
	LocationMethod    *string  `json:"location_method"`
	Method            *string  `json:"method"`
	Valid             bool     `json:"valid"`
	InvalidRecordType *string  `json:"invalid_record_type"`
	InvalidRecordMsg  *string  `json:"invalid_record_msg"`
	Address           *string  `json:"address"`
	Latitude          *float64 `json:"latitude"`
	Longitude         *float64 `json:"longitude"`
	Accuracy          *float64 `json:"accuracy"`
	DeviceID          *string  `json:"device_id"`
	DeviceSN          *string  `json:"device_sn"`
	SSID              *string  `json:"ssid"`
	MAC               *string  `json:"mac"`
	OutsideRemark     *string  `json:"outside_remark"`
	PlanID            *int64   `json:"plan_id"`
	GroupID           *int64   `json:"group_id"`
	ApproveID         *int64   `json:"approve_id"`
	ProcInstID        *string  `json:"proc_inst_id"`
	// Extra fields: the place the punch was judged against, and how far from it the punch was
	// (metres, great-circle; null unless both are known).
	BaseAddress *string  `json:"base_address"`
	Distance    *float64 `json:"distance_m"`
}

// OpenPunches prepares the punches report. It checks the request and that the range's punches
// have been pulled (ENOTSYNCED naming the days and the sync to run), reads the org chart, and
// reads the punches as the report is walked or written.
func OpenPunches(ctx context.Context, src PunchSource, req PunchRequest, opts Options) (*Punches, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	from, to, err := opts.checkRange(req.From, req.To)
	if err != nil {
		return nil, err
	}
	q := kaoqin.PunchQuery{Filter: kaoqin.Filter{From: from, To: to}, InvalidOnly: req.InvalidOnly}
	if req.CheckType != "" {
		if q.CheckType, err = kaoqin.ParseCheckType(req.CheckType); err != nil {
			return nil, err
		}
	}
	for _, m := range req.Methods {
		if _, err := kaoqin.ParseMethod(m); err != nil {
			return nil, err
		}
	}
	q.Methods = slices.Compact(slices.Sorted(slices.Values(req.Methods)))
	if err := punchCoverage(ctx, src, from, to); err != nil {
		return nil, err
	}
	p := &Punches{Kind: "punches", From: from, To: to, Timezone: opts.Location.String(),
		ctx: ctx, src: src, loc: opts.Location, q: q}
	emps, err := src.Employees(ctx)
	if err != nil {
		return nil, fmt.Errorf("load employees: %w", err)
	}
	p.people = make(map[string]*kaoqin.Employee, len(emps))
	for i := range emps {
		p.people[emps[i].UserID] = &emps[i]
	}
	if req.UserIDs != nil {
		p.users = slices.Compact(slices.Sorted(slices.Values(req.UserIDs)))
		for _, u := range p.users {
			if p.people[u] == nil {
				return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "employee %q is not known: run kaoqin sync --org-only, or check the userid", u)
			}
		}
	}
	if p.users == nil {
		p.users = make([]string, 0, len(p.people))
		for u := range p.people {
			p.users = append(p.users, u)
		}
		slices.Sort(p.users)
	}
	if len(opts.DeptIDs) > 0 {
		o, scope, byUser, err := loadPunchOrg(ctx, src, from, to, opts.DeptIDs)
		if err != nil {
			return nil, err
		}
		p.scoped = map[string][]kaoqin.Membership{}
		for u, ms := range byUser {
			for _, m := range ms {
				if i, ok := o.index[m.DeptID]; ok && scope[i] && m.Overlaps(from, to) {
					p.scoped[u] = append(p.scoped[u], m)
				}
			}
		}
		inScope := make([]string, 0, len(p.scoped))
		for u := range p.scoped {
			if _, ok := slices.BinarySearch(p.users, u); ok {
				inScope = append(inScope, u)
			}
		}
		slices.Sort(inScope)
		// Someone asked for by name who was never in the scope in the range: the same answer
		// as for someone unknown, so that a manager cannot learn who exists elsewhere.
		if req.UserIDs != nil {
			for _, u := range p.users {
				if _, ok := slices.BinarySearch(inScope, u); !ok {
					return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "employee %q is not known: run kaoqin sync --org-only, or check the userid", u)
				}
			}
		}
		p.users = inScope
	}
	return p, nil
}

// punchCoverage fails with ENOTSYNCED unless every day of [from, to] has its punches pulled.
func punchCoverage(ctx context.Context, src PunchSource, from, to string) error {
	cov, err := src.KindCoverage(ctx, kaoqin.CoverPunches, from, to)
	if err != nil {
		return fmt.Errorf("load the punches' coverage %s..%s: %w", from, to, err)
	}
	pulled := map[string]bool{}
	for _, c := range cov {
		pulled[c.Day] = true
	}
	var missing []string
	for _, d := range kaoqin.Days(from, to) {
		if !pulled[d] {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		return kaoqin.Errorf(kaoqin.ENOTSYNCED,
			"punch records of %s have not been synced: run kaoqin sync --from %s --to %s (with punches on: KAOQIN_SYNC_PUNCHES)",
			compactDays(missing), missing[0], missing[len(missing)-1])
	}
	return nil
}

// punchRowsPerRead bounds the punches read from the store at once: employees are read in
// windows of punchRowsPerRead / (4 x days) of them (4 punches a day is more than most people
// make), at least 1 and at most 1,000, so that the memory of a report stays flat whatever its
// range and its company. A window is a list of userids, which every engine serves from the
// (user_id, work_date) index, sorted one person at a time.
const punchRowsPerRead = 4096

// window returns how many employees' punches are read at once.
func (p *Punches) window() int {
	return min(max(punchRowsPerRead/(4*len(kaoqin.Days(p.From, p.To))), 1), 1000)
}

// Walk passes every punch of the report to fn in order (userid, time, id), reading the store a
// window of employees at a time. fn must not keep the row's pointers past the call.
//
// The report covers the employees kaoqin knows: the syncer pulls punches only for them, and
// employees are never deleted.
func (p *Punches) Walk(fn func(kaoqin.Punch) error) error {
	n := p.window()
	for lo := 0; lo < len(p.users); lo += n {
		q := p.q
		q.UserIDs = p.users[lo:min(lo+n, len(p.users))]
		punches, err := p.src.QueryPunches(p.ctx, q)
		if err != nil {
			return err
		}
		for _, x := range punches {
			if p.in(x) {
				if err := fn(x); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Page returns up to limit punches after the cursor, and the cursor of the next page (nil
// after the last). It reads a window of employees at a time from the cursor's, so a page
// costs the same at the start of a month of 10,000 people as at its end.
func (p *Punches) Page(after kaoqin.PunchCursor, limit int) ([]PunchRow, *kaoqin.PunchCursor, error) {
	if limit < 1 {
		limit = 50
	}
	n := p.window()
	i, _ := slices.BinarySearch(p.users, after.UserID)
	q := p.q
	q.After, q.Limit = after, limit+1
	var rows []PunchRow
	for i < len(p.users) {
		q.UserIDs = p.users[i:min(i+n, len(p.users))]
		punches, err := p.src.QueryPunches(p.ctx, q)
		if err != nil {
			return nil, nil, err
		}
		for _, x := range punches {
			if !p.in(x) {
				continue
			}
			if len(rows) == limit {
				next := kaoqin.CursorOf(punchOf(rows[len(rows)-1]))
				return rows, &next, nil
			}
			rows = append(rows, p.row(x))
		}
		if len(punches) < q.Limit {
			i += n // this window is done; the cursor stays before the next one
			continue
		}
		q.After = kaoqin.CursorOf(punches[len(punches)-1])
	}
	return rows, nil, nil
}

// in reports whether punch x belongs to the report's scope on its day.
func (p *Punches) in(x kaoqin.Punch) bool {
	if p.scoped == nil {
		return true
	}
	return slices.ContainsFunc(p.scoped[x.UserID], func(m kaoqin.Membership) bool { return m.Holds(x.WorkDate) })
}

// row is punch x as the report shows it.
func (p *Punches) row(x kaoqin.Punch) PunchRow { return newPunchRow(x, p.name(x.UserID), p.loc) }

func (p *Punches) name(userid string) string {
	if e := p.people[userid]; e != nil {
		return e.Name
	}
	return ""
}

// newPunchRow is x as spec/punches.md writes it.
func newPunchRow(x kaoqin.Punch, name string, loc *time.Location) PunchRow {
	r := PunchRow{
		ID: x.ID, UserID: x.UserID, Name: name, WorkDate: x.WorkDate,
		CheckType: text(x.CheckType), UserCheckTime: at(x.UserCheckTime, loc), BaseCheckTime: at(x.BaseCheckTime, loc),
		TimeResult: text(x.TimeResult), LocationResult: text(x.LocationResult), SourceType: text(x.SourceType),
		LocationMethod: text(x.LocationMethod), Method: text(x.Method()), Valid: x.Valid(),
		InvalidRecordType: text(x.InvalidRecordType), InvalidRecordMsg: text(x.InvalidRecordMsg),
		Address: text(x.UserAddress), Latitude: number(x.Latitude), Longitude: number(x.Longitude),
		Accuracy: number(x.Accuracy), DeviceID: text(x.DeviceID), DeviceSN: text(x.DeviceSN), SSID: text(x.SSID),
		MAC: text(x.MAC), OutsideRemark: text(x.OutsideRemark), PlanID: id(x.PlanID), GroupID: id(x.GroupID),
		ApproveID: id(x.ApproveID), ProcInstID: text(x.ProcInstID), BaseAddress: text(x.BaseAddress),
	}
	if d, ok := distance(x); ok {
		r.Distance = &d
	}
	return r
}

// punchOf is the part of a row a cursor needs.
func punchOf(r PunchRow) kaoqin.Punch {
	return kaoqin.Punch{ID: r.ID, UserID: r.UserID, UserCheckTime: r.UserCheckTime.UnixMilli()}
}

func text(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func number(f float64) *float64 {
	if f == 0 {
		return nil
	}
	return &f
}

func id(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

// distance is how far punch x was from its base, in whole metres on the great circle; ok is
// false when either place is unknown.
func distance(x kaoqin.Punch) (float64, bool) {
	if x.Latitude == 0 || x.Longitude == 0 || x.BaseLatitude == 0 || x.BaseLongitude == 0 {
		return 0, false
	}
	const earth = 6371008.8 // mean radius, metres
	rad := math.Pi / 180
	dLat, dLng := (x.BaseLatitude-x.Latitude)*rad, (x.BaseLongitude-x.Longitude)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(x.Latitude*rad)*math.Cos(x.BaseLatitude*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return math.Round(2 * earth * math.Asin(math.Sqrt(a))), true
}

// writeJSON writes the report as spec/punches.md, a punch per line, as it walks the store.
func (p *Punches) writeJSON(w io.Writer, indent string) error {
	head, err := marshal(struct {
		Kind     string `json:"kind"`
		From     string `json:"from"`
		To       string `json:"to"`
		Timezone string `json:"timezone"`
	}{p.Kind, p.From, p.To, p.Timezone})
	if err != nil {
		return err
	}
	nl, in := "", ""
	if indent != "" {
		nl, in = "\n", indent
	}
	if _, err := fmt.Fprintf(w, "%s,%s%s\"punches\": [", head[:len(head)-1], nl, in); err != nil {
		return err
	}
	n := 0
	err = p.Walk(func(x kaoqin.Punch) error {
		b, err := marshal(p.row(x))
		if err != nil {
			return err
		}
		sep := ","
		if n == 0 {
			sep = ""
		}
		n++
		_, err = fmt.Fprintf(w, "%s%s%s%s%s", sep, nl, in, in, b)
		return err
	})
	if err != nil {
		return err
	}
	if n > 0 {
		_, err = fmt.Fprintf(w, "%s%s]%s}\n", nl, in, nl)
	} else {
		_, err = fmt.Fprintf(w, "]%s}\n", nl)
	}
	return err
}

// marshal is json.Marshal without escaping <, > and &: names and addresses as they are.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// loadPunchOrg reads what places a punch in its departments on its day: the org, the scope of
// deptIDs in it (nil: the whole company) and each employee's memberships overlapping [from, to].
func loadPunchOrg(ctx context.Context, src PunchSource, from, to string, deptIDs []int64) (*org, []bool, map[string][]kaoqin.Membership, error) {
	depts, err := src.Departments(ctx)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load departments: %w", err)
	}
	o := newOrg(depts)
	scope, err := o.scope(deptIDs)
	if err != nil {
		return nil, nil, nil, err
	}
	ms, err := src.Memberships(ctx, from, to)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load memberships %s..%s: %w", from, to, err)
	}
	byUser := map[string][]kaoqin.Membership{}
	for _, m := range ms {
		byUser[m.UserID] = append(byUser[m.UserID], m)
	}
	return o, scope, byUser, nil
}
