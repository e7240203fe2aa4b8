package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// Plans and evidence (spec/punches.md): the punch records of any range, per employee or per
// department, a page at a time; an employee's day in full, for a day in dispute, with a
// button that fetches it from DingTalk; the statistics by method; and the review. Everything
// goes through the user's scope, and views of punches (places, devices) are audited.

// DayFetcher fetches one employee-day from DingTalk with getupdatedata: one metered call.
// cmd/kaoqin implements it over package syncer.
type DayFetcher interface {
	FetchDay(ctx context.Context, userid, day string) (*kaoqin.DayDetail, error)
}

// punchPage is how many punches a page of the punches page shows.
const punchPage = 50

type punchesView struct {
	From, To  string
	Dept      int64
	User      string
	CheckType string
	Methods   []string
	Invalid   bool
	Rows      []report.PunchRow
	Next      string // the query of the next page; "" on the last
	First     bool   // this is the first page
	Choices   []crumb
	Export    string // the query of the export links, without format
	// AllMethods are the methods to choose from.
	AllMethods []string
	Sub        string // the sub-navigation's current item
}

// punchRequest reads the punches filters of a request: from, to, user, check_type, method
// (repeatable), invalid.
func punchRequest(r *http.Request, defFrom, defTo string) (report.PunchRequest, error) {
	from, to, err := rangeParams(r, defFrom, defTo)
	if err != nil {
		return report.PunchRequest{}, err
	}
	q := r.URL.Query()
	req := report.PunchRequest{From: from, To: to, CheckType: q.Get("check_type"), InvalidOnly: q.Get("invalid") == "1"}
	if u := strings.TrimSpace(q.Get("user")); u != "" {
		if len(u) > 64 {
			return req, errorf(kaoqin.EINVALID, "err_bad_userid", u)
		}
		req.UserIDs = []string{u}
	}
	if req.CheckType != "" {
		if _, err := kaoqin.ParseCheckType(req.CheckType); err != nil {
			return req, errorf(kaoqin.EINVALID, "err_bad_check_type", req.CheckType)
		}
	}
	for _, m := range q["method"] {
		if m == "" {
			continue
		}
		if _, err := kaoqin.ParseMethod(m); err != nil {
			var zh []string
			for _, x := range kaoqin.Methods {
				zh = append(zh, report.MethodLabel(x, report.Chinese))
			}
			return req, errorf(kaoqin.EINVALID, "err_bad_method", m, word{strings.Join(zh, "、"), strings.Join(kaoqin.Methods, ", ")})
		}
		req.Methods = append(req.Methods, m)
	}
	switch v := q.Get("invalid"); v {
	case "", "0", "1":
	default:
		return req, errorf(kaoqin.EINVALID, "err_bad_invalid", v)
	}
	return req, nil
}

// cursorParam reads the after parameter: "userid~at~id" of the last punch of the page before.
func cursorParam(r *http.Request) (kaoqin.PunchCursor, error) {
	v := r.URL.Query().Get("after")
	if v == "" {
		return kaoqin.PunchCursor{}, nil
	}
	parts := strings.Split(v, "~")
	if len(parts) == 3 && parts[0] != "" && len(parts[0]) <= 64 {
		at, err1 := strconv.ParseInt(parts[1], 10, 64)
		id, err2 := strconv.ParseInt(parts[2], 10, 64)
		if err1 == nil && err2 == nil {
			return kaoqin.PunchCursor{UserID: parts[0], At: at, ID: id}, nil
		}
	}
	return kaoqin.PunchCursor{}, errorf(kaoqin.EINVALID, "err_bad_after", v)
}

func cursorText(c kaoqin.PunchCursor) string {
	return c.UserID + "~" + strconv.FormatInt(c.At, 10) + "~" + strconv.FormatInt(c.ID, 10)
}

// personID reads the person filter: a userid, or else the name of exactly one employee.
func (s *Server) personID(ctx context.Context, who string) (string, error) {
	emps, err := s.store.Employees(ctx)
	if err != nil {
		return "", err
	}
	var named []string
	for _, e := range emps {
		if e.UserID == who {
			return who, nil
		}
		if e.Name == who {
			named = append(named, e.UserID)
		}
	}
	if len(named) > 1 {
		return "", errorf(kaoqin.EINVALID, "err_name_ambiguous", who, len(named))
	}
	if len(named) == 1 {
		return named[0], nil
	}
	return who, nil // unknown: said as such by the report, in the scope's words
}

// defaultPunchRange is the range the punches page opens with: the last seven days to
// yesterday.
func (s *Server) defaultPunchRange() (string, string) {
	to := kaoqin.AddDays(s.today(), -1)
	return kaoqin.AddDays(to, -6), to
}

// punches opens the punches report a request asks for, in u's scope, and audits the view.
func (s *Server) punches(r *http.Request, u *kaoqin.User, what string) (*report.Punches, report.PunchRequest, []int64, error) {
	defFrom, defTo := s.defaultPunchRange()
	req, err := punchRequest(r, defFrom, defTo)
	if err != nil {
		return nil, req, nil, err
	}
	depts, err := s.requestScope(r, u)
	if err != nil {
		return nil, req, nil, err
	}
	if len(req.UserIDs) == 1 {
		if req.UserIDs[0], err = s.personID(r.Context(), req.UserIDs[0]); err != nil {
			return nil, req, nil, err
		}
	}
	p, err := report.OpenPunches(r.Context(), s.store, req, s.options(depts))
	if kaoqin.ErrorCode(err) == kaoqin.ENOTFOUND && len(req.UserIDs) > 0 {
		// One message for someone unknown and someone outside the scope.
		err = errorf(kaoqin.ENOTFOUND, "err_no_employee", req.UserIDs[0], req.From, req.To)
	}
	if kaoqin.ErrorCode(err) == kaoqin.ENOTSYNCED {
		cov, cerr := s.store.KindCoverage(r.Context(), kaoqin.CoverPunches, req.From, req.To)
		if cerr == nil {
			err = &notSyncedError{err: err, missing: missingDays(cov, req.From, req.To)}
		}
	}
	if err != nil {
		return nil, req, depts, err
	}
	target := auditTarget{Kind: what, From: req.From, To: req.To, Depts: depts}
	if len(req.UserIDs) > 0 {
		target = auditTarget{Kind: "employee", UserID: req.UserIDs[0], From: req.From, To: req.To, Depts: depts}
	}
	return p, req, depts, s.audit(r, u, actionViewPunches, target.String())
}

func (s *Server) handlePunches(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	defFrom, defTo := s.defaultPunchRange()
	req, err := punchRequest(r, defFrom, defTo)
	if err != nil {
		return err
	}
	dept, err := deptParam(r)
	if err != nil {
		return err
	}
	after, err := cursorParam(r)
	if err != nil {
		return err
	}
	v := &punchesView{From: req.From, To: req.To, Dept: dept, CheckType: req.CheckType, Methods: req.Methods,
		Invalid: req.InvalidOnly, First: after.IsZero(), AllMethods: kaoqin.Methods, Sub: "punches"}
	if len(req.UserIDs) > 0 {
		v.User = req.UserIDs[0]
	}
	if v.Choices, err = s.deptChoices(r.Context(), u); err != nil {
		return err
	}
	q := r.URL.Query()
	q.Del("after")
	q.Del("lang")
	v.Export = q.Encode()
	p, _, _, err := s.punches(r, u, "punches")
	if err != nil {
		var ns *notSyncedError
		if asNotSynced(err, &ns) {
			return s.render(w, r, http.StatusConflict, "punches", "nav_punches", v, withNotSynced(ns))
		}
		return err
	}
	rows, next, err := p.Page(after, punchPage)
	if err != nil {
		return err
	}
	v.Rows = rows
	if next != nil {
		q.Set("after", cursorText(*next))
		v.Next = q.Encode()
	}
	return s.render(w, r, http.StatusOK, "punches", "nav_punches", v)
}

// punchesJSON is GET /api/v1/punches: a page of spec/punches.md's JSON and the next page's
// cursor.
type punchesJSON struct {
	Kind     string            `json:"kind"`
	From     string            `json:"from"`
	To       string            `json:"to"`
	Timezone string            `json:"timezone"`
	Punches  []report.PunchRow `json:"punches"`
	// Next is the after parameter of the next page; null on the last.
	Next *string `json:"next"`
}

func (s *Server) apiPunches(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	after, err := cursorParam(r)
	if err != nil {
		return err
	}
	limit := punchPage
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5000 {
			return errorf(kaoqin.EINVALID, "err_bad_limit", v, 5000)
		}
		limit = n
	}
	p, _, _, err := s.punches(r, u, "punches")
	if err != nil {
		return err
	}
	rows, next, err := p.Page(after, limit)
	if err != nil {
		return err
	}
	out := punchesJSON{Kind: p.Kind, From: p.From, To: p.To, Timezone: p.Timezone, Punches: nonNilRows(rows)}
	if next != nil {
		t := cursorText(*next)
		out.Next = &t
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func nonNilRows(rows []report.PunchRow) []report.PunchRow {
	if rows == nil {
		return []report.PunchRow{}
	}
	return rows
}

// apiPunchesExport answers every punch of the request as CSV or XLSX, as kaoqin punches writes
// them.
func (s *Server) apiPunchesExport(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	defFrom, defTo := s.defaultPunchRange()
	req, err := punchRequest(r, defFrom, defTo)
	if err != nil {
		return err
	}
	return s.export(w, r, u, "punches", req.From, req.To, func(depts []int64) (report.Report, error) {
		return report.OpenPunches(r.Context(), s.store, req, s.options(depts))
	})
}

// dayView is an employee's day as the page shows it.
type dayView struct {
	Day      *report.DisputedDay
	Depts    []string
	Prev     string
	Next     string
	CanFetch bool   // the user may spend a metered call, and this server can make it
	Fetcher  bool   // this server can call DingTalk at all
	Used     int64  // metered calls of the month so far
	Quota    int    // 0: no limit
	Fetched  bool   // the page follows a fetch
	Problem  string // why the fetch failed, if it did
}

// employeeDay loads the day a request asks for, in u's scope, and audits the view.
func (s *Server) employeeDay(r *http.Request, u *kaoqin.User) (*report.DisputedDay, error) {
	userid := r.PathValue("userid")
	if userid == "" || len(userid) > 64 {
		return nil, errorf(kaoqin.EINVALID, "err_bad_userid", userid)
	}
	day := r.PathValue("date")
	if _, err := kaoqin.ParseDate(day); err != nil {
		return nil, errorf(kaoqin.EINVALID, "err_bad_date", "date", day)
	}
	if _, err := kaoqin.CheckDate(day, todayOf(r)); err != nil {
		return nil, errorf(kaoqin.EINVALID, "err_date_out_of_range", "date", day, kaoqin.EarliestDate, kaoqin.LatestDate(todayOf(r)))
	}
	depts, err := s.scope(r.Context(), u, 0)
	if err != nil {
		return nil, err
	}
	d, err := report.LoadDay(r.Context(), s.store, userid, day, s.options(depts))
	if kaoqin.ErrorCode(err) == kaoqin.ENOTFOUND {
		return nil, errorf(kaoqin.ENOTFOUND, "err_no_employee", userid, day, day)
	} else if err != nil {
		return nil, err
	}
	return d, s.audit(r, u, actionViewPunches, auditTarget{Kind: "employee", UserID: userid, From: day, To: day, Depts: depts}.String())
}

func (s *Server) handleDay(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	d, err := s.employeeDay(r, u)
	if err != nil {
		return err
	}
	return s.renderDay(w, r, u, d, http.StatusOK, "")
}

func (s *Server) renderDay(w http.ResponseWriter, r *http.Request, u *kaoqin.User, d *report.DisputedDay, status int, problem string) error {
	v := &dayView{Day: d, Prev: kaoqin.AddDays(d.Date, -1), Quota: s.quota, Fetcher: s.fetcher != nil,
		Fetched: r.URL.Query().Get("fetched") == "1", Problem: problem}
	if d.Date < s.today() {
		v.Next = kaoqin.AddDays(d.Date, 1)
	}
	v.CanFetch = v.Fetcher && maySync(u)
	l, err := s.store.Ledger(r.Context(), kaoqin.MonthOf(s.now(), s.loc))
	if err != nil {
		return err
	}
	v.Used = l.Metered
	if v.Depts, err = s.deptNames(r.Context(), d.DepartmentIDs); err != nil {
		return err
	}
	return s.render(w, r, status, "day", "nav_punches", v)
}

func (s *Server) apiDay(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	d, err := s.employeeDay(r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// fetchDay spends one metered call on getupdatedata for the day of the request: HR and
// admins only, as a sync, and only within the user's scope.
func (s *Server) fetchDay(r *http.Request, u *kaoqin.User) (*report.DisputedDay, error) {
	d, err := s.employeeDay(r, u) // a good request, in scope, and audited as a view
	if err != nil {
		return nil, err
	}
	if !maySync(u) {
		return nil, errorf(kaoqin.EFORBIDDEN, "err_fetch_forbidden")
	}
	if s.fetcher == nil {
		return nil, errorf(kaoqin.EUNAVAILABLE, "err_fetch_unavailable")
	}
	if _, err := s.fetcher.FetchDay(r.Context(), d.UserID, d.Date); err != nil {
		return nil, err
	}
	s.log.Info("fetched a day with getupdatedata", "by", u.Name, "userid", d.UserID, "day", d.Date)
	if err := s.audit(r, u, actionFetchDay, auditTarget{Kind: "employee", UserID: d.UserID, From: d.Date, To: d.Date}.String()); err != nil {
		return nil, err
	}
	return report.LoadDay(r.Context(), s.store, d.UserID, d.Date, s.options(nil))
}

func (s *Server) handleFetchDay(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	_, err := s.fetchDay(r, u)
	if err != nil {
		switch kaoqin.ErrorCode(err) {
		case kaoqin.EQUOTA, kaoqin.EUNAVAILABLE, kaoqin.EFORBIDDEN:
			// Stay on the day, saying why.
			d, derr := s.employeeDay(r, u)
			if derr != nil {
				return err
			}
			return s.renderDay(w, r, u, d, ErrorStatus(err), kaoqin.ErrorMessage(err))
		}
		return err
	}
	http.Redirect(w, r, "/employees/"+url.PathEscape(r.PathValue("userid"))+"/days/"+r.PathValue("date")+"?fetched=1", http.StatusSeeOther)
	return nil
}

func (s *Server) apiFetchDay(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	d, err := s.fetchDay(r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// methodsView is the statistics by method.
type methodsView struct {
	From, To string
	Dept     int64
	Stats    *report.MethodStats
	Depts    []methodDeptRow
	Methods  []string
	Choices  []crumb
	Sub      string
}

type methodDeptRow struct {
	report.DepartmentMethod
	Depth int
}

func (s *Server) methodStats(r *http.Request, u *kaoqin.User) (*report.MethodStats, string, string, []int64, error) {
	defFrom, defTo := s.defaultPunchRange()
	from, to, err := rangeParams(r, defFrom, defTo)
	if err != nil {
		return nil, from, to, nil, err
	}
	depts, err := s.requestScope(r, u)
	if err != nil {
		return nil, from, to, nil, err
	}
	st, err := report.LoadMethodStats(r.Context(), s.store, from, to, s.options(depts))
	if kaoqin.ErrorCode(err) == kaoqin.ENOTSYNCED {
		if cov, cerr := s.store.KindCoverage(r.Context(), kaoqin.CoverPunches, from, to); cerr == nil {
			err = &notSyncedError{err: err, missing: missingDays(cov, from, to)}
		}
	}
	return st, from, to, depts, err
}

func (s *Server) handleMethods(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	dept, err := deptParam(r)
	if err != nil {
		return err
	}
	st, from, to, _, err := s.methodStats(r, u)
	v := &methodsView{From: from, To: to, Dept: dept, Methods: kaoqin.Methods, Sub: "methods"}
	var cerr error
	if v.Choices, cerr = s.deptChoices(r.Context(), u); cerr != nil {
		return cerr
	}
	if err != nil {
		var ns *notSyncedError
		if asNotSynced(err, &ns) {
			return s.render(w, r, http.StatusConflict, "methods", "nav_punches", v, withNotSynced(ns))
		}
		return err
	}
	v.Stats = st
	order, depth, err := s.treeOrder(r.Context(), st.Departments)
	if err != nil {
		return err
	}
	for k, i := range order {
		v.Depts = append(v.Depts, methodDeptRow{st.Departments[i], depth[k]})
	}
	return s.render(w, r, http.StatusOK, "methods", "nav_punches", v)
}

func (s *Server) apiMethods(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	st, _, _, _, err := s.methodStats(r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// treeOrder returns the indexes of lines (departments by id) in tree order, with their depth
// below the shallowest.
func (s *Server) treeOrder(ctx context.Context, lines []report.DepartmentMethod) ([]int, []int, error) {
	all, err := s.store.Departments(ctx)
	if err != nil {
		return nil, nil, err
	}
	parent := map[int64]int64{}
	for _, d := range all {
		parent[d.ID] = d.ParentID
	}
	depthOf := func(id int64) int {
		n := 0
		for p := parent[id]; p != 0 && n < 64; p = parent[p] {
			n++
		}
		return n
	}
	index := map[int64]int{}
	children := map[int64][]int{}
	for i, l := range lines {
		index[l.ID] = i
	}
	var roots []int
	for i, l := range lines {
		if _, ok := index[l.ParentID]; ok {
			children[l.ParentID] = append(children[l.ParentID], i)
		} else {
			roots = append(roots, i)
		}
	}
	var order, depth []int
	top := -1
	var walk func(i int)
	walk = func(i int) {
		d := depthOf(lines[i].ID)
		if top < 0 || d < top {
			top = d
		}
		order, depth = append(order, i), append(depth, d)
		for _, c := range children[lines[i].ID] {
			walk(c)
		}
	}
	for _, i := range roots {
		walk(i)
	}
	for k := range depth {
		depth[k] -= top
	}
	return order, depth, nil
}

// reviewView is the review page's data.
type reviewView struct {
	From, To string
	Dept     int64
	Kind     string
	Review   *report.Review
	Groups   []reviewGroup
	Counts   map[string]int
	Kinds    []string
	Choices  []crumb
	Total    int
	Sub      string
}

// reviewGroup is a department's flags: each flag under every department of its people.
type reviewGroup struct {
	ID    int64
	Name  string
	Flags []report.Flag
}

var flagKinds = []string{report.FlagInvalidPunch, report.FlagSharedDevice, report.FlagNotByPerson, report.FlagFarFromBase, report.FlagSameMinute}

func (s *Server) review(r *http.Request, u *kaoqin.User) (*report.Review, string, string, error) {
	defFrom, defTo := s.defaultPunchRange()
	from, to, err := rangeParams(r, defFrom, defTo)
	if err != nil {
		return nil, from, to, err
	}
	depts, err := s.requestScope(r, u)
	if err != nil {
		return nil, from, to, err
	}
	rv, err := report.LoadReview(r.Context(), s.store, from, to, s.options(depts), s.review0)
	if kaoqin.ErrorCode(err) == kaoqin.ENOTSYNCED {
		if cov, cerr := s.store.KindCoverage(r.Context(), kaoqin.CoverPunches, from, to); cerr == nil {
			err = &notSyncedError{err: err, missing: missingDays(cov, from, to)}
		}
	}
	if err != nil {
		return nil, from, to, err
	}
	return rv, from, to, s.audit(r, u, actionViewPunches, auditTarget{Kind: "review", From: from, To: to, Depts: depts}.String())
}

func (s *Server) handleReview(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	dept, err := deptParam(r)
	if err != nil {
		return err
	}
	kind := r.URL.Query().Get("kind")
	if kind != "" && !slices.Contains(flagKinds, kind) {
		return errorf(kaoqin.EINVALID, "err_bad_flag_kind", kind, strings.Join(flagKinds, ", "))
	}
	rv, from, to, err := s.review(r, u)
	v := &reviewView{From: from, To: to, Dept: dept, Kind: kind, Kinds: flagKinds, Counts: map[string]int{}, Sub: "review"}
	var cerr error
	if v.Choices, cerr = s.deptChoices(r.Context(), u); cerr != nil {
		return cerr
	}
	if err != nil {
		var ns *notSyncedError
		if asNotSynced(err, &ns) {
			return s.render(w, r, http.StatusConflict, "review", "nav_punches", v, withNotSynced(ns))
		}
		return err
	}
	v.Review = rv
	all, err := s.store.Departments(r.Context())
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, d := range all {
		names[d.ID] = d.Name
	}
	groups := map[int64]*reviewGroup{}
	var order []int64
	for _, f := range rv.Flags {
		v.Counts[f.Kind]++
		if kind != "" && f.Kind != kind {
			continue
		}
		v.Total++
		ids := f.DepartmentIDs
		if len(ids) == 0 {
			ids = []int64{0}
		}
		for _, id := range ids {
			g := groups[id]
			if g == nil {
				g = &reviewGroup{ID: id, Name: names[id]}
				groups[id] = g
				order = append(order, id)
			}
			g.Flags = append(g.Flags, f)
		}
	}
	slices.Sort(order)
	for _, id := range order {
		v.Groups = append(v.Groups, *groups[id])
	}
	return s.render(w, r, http.StatusOK, "review", "nav_punches", v)
}

func (s *Server) apiReview(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	rv, _, _, err := s.review(r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rv)
	return nil
}

// apiReviewExport answers the review as CSV or XLSX, as kaoqin report review writes it.
func (s *Server) apiReviewExport(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	defFrom, defTo := s.defaultPunchRange()
	from, to, err := rangeParams(r, defFrom, defTo)
	if err != nil {
		return err
	}
	return s.export(w, r, u, "review", from, to, func(depts []int64) (report.Report, error) {
		return report.LoadReview(r.Context(), s.store, from, to, s.options(depts), s.review0)
	})
}
