package web

import (
	"net/http"

	"github.com/kaoqin/kaoqin"
)

// Every export and every view of an employee's page (page or API) is written to the audit
// log before the data goes out: who, what, the range, the scope, the format, and from where.
// Admins read it on /admin/audit and GET /api/v1/audit; nobody else may.

// Audit actions.
const (
	actionExport       = "export"
	actionViewEmployee = "view_employee"
)

// auditShown is how many entries the audit page and API return by default.
const auditShown = 200

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
		return nil, kaoqin.Errorf(kaoqin.EFORBIDDEN, "Only admins may read the audit log.")
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

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	entries, err := s.auditEntries(r, u)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "audit", "nav_admin", entries)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	entries, err := s.auditEntries(r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
	return nil
}
