package web

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// Every export, every view of an employee's page (page or API) and every change to the
// accounts and settings is written to the audit log before the data goes out or the change is
// made: who, what, the range, the scope, the format, and from where. Admins read it on
// /admin/audit and GET /api/v1/audit; nobody else may.

// Audit actions.
const (
	actionExport       = "export"
	actionViewEmployee = "view_employee"
	// Plans and evidence: punch records viewed (places, devices), and a day fetched from
	// DingTalk (a metered call spent).
	actionViewPunches  = "view_punches"
	actionFetchDay     = "fetch_day"
	actionUserCreate   = "user_create"
	actionUserUpdate   = "user_update"   // role or departments
	actionUserPassword = "user_password" // a password set by an admin
	actionUserDisable  = "user_disable"
	actionUserEnable   = "user_enable"
	actionSettings     = "settings"
	actionRemind       = "remind" // written by package notify: a reminder sent
)

// auditActions are every action, for the dictionary's test.
var auditActions = []string{actionExport, actionViewEmployee, actionUserCreate, actionUserUpdate,
	actionUserPassword, actionUserDisable, actionUserEnable, actionSettings, actionRemind, actionViewPunches, actionFetchDay}

// auditShown is how many entries the audit page and API return by default.
const auditShown = 200

// auditTarget is what an entry is about. It is stored as text that scripts can read
// ("employee 0123 2026-11-01..2026-11-30 dept 5", "period 2026-10-26..2026-11-25 company xlsx
// zh", "user bob role=manager dept=5,6") and shown on the audit page in words.
type auditTarget struct {
	Kind     string // "employee", a report ("daily", "period", "not_checked_in"), "user", "settings"
	UserID   string // the employee viewed
	From, To string
	Depts    []int64 // the scope; nil for the company
	Format   string
	Lang     string
	Account  string            // the account changed
	Fields   map[string]string // what changed: role, dept, payroll_start_day...
}

func (t auditTarget) String() string {
	var b strings.Builder
	b.WriteString(t.Kind)
	switch t.Kind {
	case "user", "settings":
		if t.Account != "" {
			b.WriteString(" " + t.Account)
		}
		for _, k := range slices.Sorted(maps.Keys(t.Fields)) {
			b.WriteString(" " + k + "=" + t.Fields[k])
		}
		return b.String()
	case "employee":
		b.WriteString(" " + t.UserID)
	}
	b.WriteString(" " + t.From + ".." + t.To + scopeText(t.Depts))
	if t.Format != "" {
		b.WriteString(" " + t.Format + " " + t.Lang)
	}
	return b.String()
}

// parseAuditTarget reads what String wrote; ok is false for text it did not write.
func parseAuditTarget(s string) (t auditTarget, ok bool) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return t, false
	}
	t.Kind, f = f[0], f[1:]
	switch t.Kind {
	case "user", "settings":
		t.Fields = map[string]string{}
		for _, x := range f {
			if k, v, isKV := strings.Cut(x, "="); isKV {
				t.Fields[k] = v
			} else if t.Account == "" {
				t.Account = x
			} else {
				return t, false
			}
		}
		return t, true
	case "employee":
		if len(f) == 0 {
			return t, false
		}
		t.UserID, f = f[0], f[1:]
	}
	if len(f) < 2 {
		return t, false
	}
	var found bool
	if t.From, t.To, found = strings.Cut(f[0], ".."); !found {
		return t, false
	}
	switch f[1] {
	case "company":
		f = f[2:]
	case "dept":
		if len(f) < 3 {
			return t, false
		}
		for _, x := range strings.Split(f[2], ",") {
			id, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return t, false
			}
			t.Depts = append(t.Depts, id)
		}
		f = f[3:]
	default:
		return t, false
	}
	if len(f) == 2 {
		t.Format, t.Lang = f[0], f[1]
	} else if len(f) != 0 {
		return t, false
	}
	return t, true
}

// scopeText writes a scope for the audit log.
func scopeText(depts []int64) string {
	if len(depts) == 0 {
		return " company"
	}
	parts := make([]string, len(depts))
	for i, id := range depts {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return " dept " + strings.Join(parts, ",")
}

// audit writes one entry for u's request.
func (s *Server) audit(r *http.Request, u *kaoqin.User, action, target string) error {
	e := &kaoqin.AuditEntry{At: s.clock().UnixMilli(), User: u.Name, Action: action, Target: target, IP: s.clientIP(r)}
	if err := s.store.AddAudit(r.Context(), e); err != nil {
		return err
	}
	s.metrics.audits.WithLabelValues(action).Inc()
	return nil
}

func (s *Server) auditEntries(r *http.Request, u *kaoqin.User) ([]kaoqin.AuditEntry, error) {
	if !mayAdminister(u) {
		return nil, errorf(kaoqin.EFORBIDDEN, "err_admins_only")
	}
	limit, err := limitParam(r, auditShown, 10_000)
	if err != nil {
		return nil, err
	}
	entries, err := s.store.Audit(r.Context(), limit)
	if err != nil {
		return nil, err
	}
	if entries == nil {
		entries = []kaoqin.AuditEntry{}
	}
	return entries, nil
}

// auditRow is an entry as the audit page shows it: the action and its object in words.
type auditRow struct {
	kaoqin.AuditEntry
	What string
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	entries, err := s.auditEntries(r, u)
	if err != nil {
		return err
	}
	n, err := s.namer(r.Context())
	if err != nil {
		return err
	}
	lang := langOf(r)
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{AuditEntry: e, What: n.sayAudit(lang, e)}
	}
	return s.render(w, r, http.StatusOK, "audit", "nav_admin", rows)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	entries, err := s.auditEntries(r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
	return nil
}

// namer names employees and departments by their ids, for pages that hold only the ids.
type namer struct {
	people map[string]kaoqin.Employee
	depts  map[int64]string
}

func (s *Server) namer(ctx context.Context) (*namer, error) {
	emps, err := s.store.Employees(ctx)
	if err != nil {
		return nil, err
	}
	depts, err := s.store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	n := &namer{people: make(map[string]kaoqin.Employee, len(emps)), depts: make(map[int64]string, len(depts))}
	for _, e := range emps {
		n.people[e.UserID] = e
	}
	for _, d := range depts {
		n.depts[d.ID] = d.Name
	}
	return n, nil
}

func (n *namer) person(userid string) string {
	e, ok := n.people[userid]
	if !ok {
		return userid
	}
	if e.JobNumber != "" {
		return e.Name + " (" + e.JobNumber + ")"
	}
	return e.Name
}

func (n *namer) deptList(lang report.Lang, ids []int64) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = n.depts[id]
		if names[i] == "" {
			names[i] = strconv.FormatInt(id, 10)
		}
	}
	return strings.Join(names, listSep(lang))
}

// sayAudit says what an entry is about.
func (n *namer) sayAudit(lang report.Lang, e kaoqin.AuditEntry) string {
	t, ok := parseAuditTarget(e.Target)
	if !ok {
		return e.Target
	}
	scope := tr0(lang, "audit_scope_company")
	if len(t.Depts) > 0 {
		scope = n.deptList(lang, t.Depts)
	}
	switch t.Kind {
	case "employee":
		return fmtWords(lang, "audit_view_employee", n.person(t.UserID), span(lang, t.From, t.To), scope)
	case "user":
		parts := []string{t.Account}
		if role := t.Fields["role"]; role != "" {
			parts = append(parts, trOr(lang, "role_"+role, role))
		}
		if ids := t.Fields["dept"]; ids != "" {
			var depts []int64
			for _, x := range strings.Split(ids, ",") {
				if id, err := strconv.ParseInt(x, 10, 64); err == nil {
					depts = append(depts, id)
				}
			}
			parts = append(parts, n.deptList(lang, depts))
		}
		return strings.Join(parts, " · ")
	case "settings":
		if d := t.Fields["payroll_start_day"]; d != "" {
			return fmtWords(lang, "audit_payroll_day", d)
		}
		return e.Target
	}
	what := trOr(lang, "report_"+t.Kind, t.Kind)
	out := fmtWords(lang, "audit_export", what, span(lang, t.From, t.To), scope)
	if t.Format != "" {
		out += " · " + strings.ToUpper(t.Format) + " · " + trOr(lang, "lang_"+t.Lang, t.Lang)
	}
	return out
}

// fmtWords formats the words of a key known to exist.
func fmtWords(lang report.Lang, key string, args ...any) string {
	s, err := trf(lang, key, args...)
	if err != nil {
		return key
	}
	return s
}
