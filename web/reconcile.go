package web

import (
	"context"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/reconcile"
	"github.com/kaoqin/kaoqin/report"
)

// Reconciliations with DingTalk's own report (智能报表): the list of those run, one's
// differences with their causes, an estimate of what another would cost, and a button that
// starts one (admins and HR: it spends the org's metered calls; managers see none of this,
// since a reconciliation spans people outside their subtree).

// Reconciler runs reconciliations for the dashboard. Package reconcile's Reconciler
// implements it.
type Reconciler interface {
	// Plan says what a reconciliation would compare and cost, from the store alone.
	Plan(ctx context.Context, req reconcile.Request) (*reconcile.Plan, error)
	// Start records a reconciliation and runs it in the background; it refuses at once what
	// the run would refuse before its first call (bad input, the budget, one running).
	Start(ctx context.Context, req reconcile.Request) (*kaoqin.Reconciliation, error)
}

// actionReconcile is the audit log's action of a reconciliation started.
const actionReconcile = "reconcile"

// reconciliationsShown is how many reconciliations the page lists.
const reconciliationsShown = 30

type reconcileView struct {
	From, To  string
	Dept      int64
	Sample    int
	Choices   []crumb
	CanRun    bool
	Plan      *reconcile.Plan
	PlanError string
	Message   string
	Started   int64
	List      []kaoqin.Reconciliation
}

type reconciliationView struct {
	Rec     *kaoqin.Reconciliation
	Result  *reconcile.Result
	People  []reconcilePerson
	Scope   string
	Refresh bool // still running: the page reloads itself
}

// reconcilePerson is one person's differences on the page.
type reconcilePerson struct {
	UserID, Name string
	Differences  []reconcile.Difference
}

func mayReconcile(u *kaoqin.User) bool { return seesAll(u) }

func forbidReconcile() error {
	return kaoqin.Errorf(kaoqin.EFORBIDDEN, "Only admins and HR may see and run reconciliations with DingTalk's report: they span the whole company and spend its metered calls.")
}

// reconcileRequest reads a reconciliation's form or query: from, to, dept, sample.
func (s *Server) reconcileRequest(r *http.Request, u *kaoqin.User, get func(string) string) (reconcile.Request, int64, error) {
	defFrom, defTo := s.defaultPeriod()
	q := r.URL.Query()
	for _, k := range []string{"from", "to", "dept"} {
		if v := get(k); v != "" {
			q.Set(k, v)
		}
	}
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = q.Encode()
	from, to, err := rangeParams(r2, defFrom, defTo)
	if err != nil {
		return reconcile.Request{}, 0, err
	}
	dept, err := deptParam(r2)
	if err != nil {
		return reconcile.Request{}, 0, err
	}
	req := reconcile.Request{From: from, To: to, By: u.Name}
	if dept != 0 {
		req.DeptIDs = []int64{dept}
	}
	if v := get("sample"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1_000_000 {
			return req, dept, kaoqin.Errorf(kaoqin.EINVALID, "bad sample %q: want a number of people, or 0 for everyone", v)
		}
		req.Sample = n
	}
	return req, dept, nil
}

func (s *Server) handleReconcile(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if !mayReconcile(u) {
		return forbidReconcile()
	}
	req, dept, err := s.reconcileRequest(r, u, r.URL.Query().Get)
	if err != nil {
		return err
	}
	v := &reconcileView{From: req.From, To: req.To, Dept: dept, Sample: req.Sample, CanRun: s.reconciler != nil}
	if id, err := strconv.ParseInt(r.URL.Query().Get("started"), 10, 64); err == nil {
		v.Started = id
	}
	return s.renderReconcile(w, r, u, v, r.URL.Query().Get("estimate") == "1", http.StatusOK)
}

func (s *Server) renderReconcile(w http.ResponseWriter, r *http.Request, u *kaoqin.User, v *reconcileView, estimate bool, status int) error {
	ctx := r.Context()
	var err error
	if v.Choices, err = s.deptChoices(ctx, u); err != nil {
		return err
	}
	if v.List, err = s.store.Reconciliations(ctx, reconciliationsShown); err != nil {
		return err
	}
	if estimate && s.reconciler != nil {
		req := reconcile.Request{From: v.From, To: v.To, Sample: v.Sample}
		if v.Dept != 0 {
			req.DeptIDs = []int64{v.Dept}
		}
		p, err := s.reconciler.Plan(ctx, req)
		switch {
		case err == nil:
			v.Plan = p
			if aerr := p.Affordable(); aerr != nil {
				v.PlanError = errorMessage(langOf(r), refusal(p))
			}
		case kaoqin.ErrorCode(err) == kaoqin.EINTERNAL || kaoqin.ErrorCode(err) == "":
			return err
		default:
			v.PlanError = errorMessage(langOf(r), err)
		}
	}
	return s.render(w, r, status, "reconcile", "nav_sync", v)
}

// handleReconcileStart starts a reconciliation from the page's form.
func (s *Server) handleReconcileStart(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if !mayReconcile(u) {
		return forbidReconcile()
	}
	if err := r.ParseForm(); err != nil {
		return kaoqin.Errorf(kaoqin.EINVALID, "bad form: %v", err)
	}
	req, dept, err := s.reconcileRequest(r, u, r.PostForm.Get)
	if err != nil {
		return err
	}
	rec, err := s.startReconcile(r, u, req)
	if err != nil {
		switch kaoqin.ErrorCode(err) {
		case kaoqin.EINVALID, kaoqin.ENOTSYNCED, kaoqin.ENOTFOUND, kaoqin.EQUOTA, kaoqin.ECONFLICT, kaoqin.EUNAVAILABLE:
			s.logError(r, err)
			v := &reconcileView{From: req.From, To: req.To, Dept: dept, Sample: req.Sample, CanRun: s.reconciler != nil,
				Message: errorMessage(langOf(r), err)}
			return s.renderReconcile(w, r, u, v, false, ErrorStatus(err))
		}
		return err
	}
	http.Redirect(w, r, "/reconcile/"+strconv.FormatInt(rec.ID, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) startReconcile(r *http.Request, u *kaoqin.User, req reconcile.Request) (*kaoqin.Reconciliation, error) {
	if s.reconciler == nil {
		return nil, kaoqin.Errorf(kaoqin.EUNAVAILABLE, "This server cannot reach DingTalk: run kaoqin reconcile instead.")
	}
	if yesterday := kaoqin.AddDays(todayOf(r), -1); req.To > yesterday {
		return nil, errorf(kaoqin.EINVALID, "rc_err_ended", yesterday)
	}
	rec, err := s.reconciler.Start(r.Context(), req)
	if kaoqin.ErrorCode(err) == kaoqin.EQUOTA {
		// Said in the reader's language, with how many people fit, when the plan says so.
		if p, perr := s.reconciler.Plan(r.Context(), req); perr == nil && p.Affordable() != nil {
			return nil, refusal(p)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := s.audit(r, u, actionReconcile, req.From+".."+req.To+scopeText(req.DeptIDs)); err != nil {
		s.logError(r, err)
	}
	s.log.Info("reconciliation started from the dashboard", "user", u.Name, "id", rec.ID)
	return rec, nil
}

// refusal is a plan's refusal by the month's budget, in both languages.
func refusal(p *reconcile.Plan) error {
	return errorf(kaoqin.EQUOTA, "rc_err_refused", p.Calls, p.PerPerson, max(0, p.Remaining), p.Reserved, p.Fit(), p.Resets())
}

// reconciliationParam reads the {id} of a reconciliation's path.
func reconciliationParam(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, kaoqin.Errorf(kaoqin.EINVALID, "bad reconciliation id %q: want a positive whole number", v)
	}
	return id, nil
}

func (s *Server) loadReconciliation(r *http.Request, u *kaoqin.User) (*kaoqin.Reconciliation, *reconcile.Result, error) {
	if !mayReconcile(u) {
		return nil, nil, forbidReconcile()
	}
	id, err := reconciliationParam(r)
	if err != nil {
		return nil, nil, err
	}
	rec, err := s.store.Reconciliation(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	var res *reconcile.Result
	if len(rec.Result) > 0 {
		res = &reconcile.Result{}
		if err := json.Unmarshal(rec.Result, res); err != nil {
			return nil, nil, err
		}
	}
	return rec, res, nil
}

func (s *Server) handleReconciliation(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	rec, res, err := s.loadReconciliation(r, u)
	if err != nil {
		return err
	}
	v := &reconciliationView{Rec: rec, Result: res, Refresh: rec.Status == kaoqin.ReconcileRunning}
	if len(rec.DeptIDs) > 0 {
		v.Scope = strings.TrimPrefix(scopeText(rec.DeptIDs), " dept ")
	}
	if res != nil {
		for _, d := range res.Differences {
			if n := len(v.People); n == 0 || v.People[n-1].UserID != d.UserID {
				v.People = append(v.People, reconcilePerson{UserID: d.UserID, Name: d.Name})
			}
			p := &v.People[len(v.People)-1]
			p.Differences = append(p.Differences, d)
		}
	}
	return s.render(w, r, http.StatusOK, "reconciliation", "nav_sync", v)
}

func (s *Server) apiReconciliations(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if !mayReconcile(u) {
		return forbidReconcile()
	}
	n, err := limitParam(r, reconciliationsShown, 1000)
	if err != nil {
		return err
	}
	list, err := s.store.Reconciliations(r.Context(), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"reconciliations": list})
	return nil
}

func (s *Server) apiReconciliation(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	rec, _, err := s.loadReconciliation(r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

// apiReconcilePlan answers what a reconciliation would compare and cost.
func (s *Server) apiReconcilePlan(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if !mayReconcile(u) {
		return forbidReconcile()
	}
	if s.reconciler == nil {
		return kaoqin.Errorf(kaoqin.EUNAVAILABLE, "This server cannot reach DingTalk: run kaoqin reconcile --dry-run instead.")
	}
	req, _, err := s.reconcileRequest(r, u, r.URL.Query().Get)
	if err != nil {
		return err
	}
	p, err := s.reconciler.Plan(r.Context(), req)
	if err != nil {
		return err
	}
	out := struct {
		*reconcile.Plan
		Affordable bool   `json:"affordable"`
		Refusal    string `json:"refusal,omitempty"`
	}{Plan: p, Affordable: true}
	if err := p.Affordable(); err != nil {
		out.Affordable, out.Refusal = false, kaoqin.ErrorMessage(err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// reconcileBody is the body of POST /api/v1/reconciliations.
type reconcileBody struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	DeptIDs []int64 `json:"department_ids"`
	Sample  int     `json:"sample"`
}

// apiReconcileStart starts a reconciliation; 202 with its record.
func (s *Server) apiReconcileStart(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if !mayReconcile(u) {
		return forbidReconcile()
	}
	var b reconcileBody
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return kaoqin.Errorf(kaoqin.EINVALID, "bad body: want JSON {\"from\":\"YYYY-MM-DD\",\"to\":\"YYYY-MM-DD\",\"department_ids\":[5],\"sample\":0}")
	}
	if len(b.DeptIDs) > 100 || b.Sample < 0 {
		return kaoqin.Errorf(kaoqin.EINVALID, "bad body: at most 100 department_ids, and a sample of 0 or more people")
	}
	for _, id := range b.DeptIDs {
		if id <= 0 {
			return kaoqin.Errorf(kaoqin.EINVALID, "bad department id %d: want a positive whole number", id)
		}
	}
	from, to, err := kaoqin.CheckRange(b.From, b.To, todayOf(r), kaoqin.MaxRangeDays)
	if err != nil {
		return err
	}
	rec, err := s.startReconcile(r, u, reconcile.Request{From: from, To: to, DeptIDs: b.DeptIDs, Sample: b.Sample, By: u.Name})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, rec)
	return nil
}

// reconcileFuncs are the reconciliation pages' template functions.
func reconcileFuncs() template.FuncMap {
	return template.FuncMap{
		"fieldLabel":  func(lang report.Lang, field string) string { return report.FieldLabel(field, lang) },
		"causeLabel":  func(lang report.Lang, cause string) string { return reconcile.CauseLabel(cause, lang) },
		"explain":     func(lang report.Lang, d reconcile.DayDifference) string { return reconcile.Explain(d, lang) },
		"dayCause":    func(cause string) reconcile.DayDifference { return reconcile.DayDifference{Cause: cause} },
		"num":         func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) },
		"notCompared": func(lang report.Lang, n reconcile.NotCompared) string { return reconcile.NotComparedText(n, lang) },
		"leftText":    func(lang report.Lang, p reconcile.Person) string { return reconcile.LeftText(p, lang) },
	}
}
