package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/kaoqin/kaoqin"
)

// Who may see what, decided here and nowhere else. Admins and HR see the whole company. A
// manager sees the subtrees of the departments named for them, on every page, API call and
// export: every handler turns the user and the department asked for into the report's
// Options.DeptIDs through scope, and the report package limits everything it reads and
// computes to those subtrees. Asking for a department outside them is EFORBIDDEN; an
// employee outside them is ENOTFOUND (the calendar of a scoped report does not hold them),
// so that a manager cannot learn who exists elsewhere.

// seesAll reports whether u sees every department.
func seesAll(u *kaoqin.User) bool {
	return u.Role == kaoqin.RoleAdmin || u.Role == kaoqin.RoleHR
}

// mayAdminister reports whether u may read the audit log and the accounts.
func mayAdminister(u *kaoqin.User) bool { return u.Role == kaoqin.RoleAdmin }

// maySync reports whether u may start a sync, which spends the org's metered calls.
func maySync(u *kaoqin.User) bool { return seesAll(u) }

// requestScope is the departments a request may read: its ?dept= (all of them when absent)
// within what u may see. Every handler that reads attendance takes its scope from here.
func (s *Server) requestScope(r *http.Request, u *kaoqin.User) ([]int64, error) {
	dept, err := deptParam(r)
	if err != nil {
		return nil, err
	}
	return s.scope(r.Context(), u, dept)
}

// scope returns the report scope of a request by u for the subtree of dept (0: everything u
// may see): nil for the whole company, else department ids whose subtrees the report covers.
func (s *Server) scope(ctx context.Context, u *kaoqin.User, dept int64) ([]int64, error) {
	if seesAll(u) {
		if dept == 0 {
			return nil, nil
		}
		return []int64{dept}, nil
	}
	roots := managerRoots(u)
	if len(roots) == 0 {
		// Never nil: an empty scope would be the whole company to the report package.
		return nil, errorf(kaoqin.EFORBIDDEN, "err_no_depts")
	}
	if dept == 0 {
		return roots, nil
	}
	depts, err := s.store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	if !inSubtrees(depts, dept, roots) {
		return nil, errorf(kaoqin.EFORBIDDEN, "err_dept_out_of_scope", dept)
	}
	return []int64{dept}, nil
}

// managerRoots returns a manager's departments, sorted, each once.
func managerRoots(u *kaoqin.User) []int64 {
	if u.Role != kaoqin.RoleManager {
		return nil
	}
	roots := slices.Clone(u.DeptIDs)
	slices.Sort(roots)
	return slices.Compact(roots)
}

// inSubtrees reports whether dept is one of roots or lies below one of them in depts.
func inSubtrees(depts []kaoqin.Department, dept int64, roots []int64) bool {
	parent := make(map[int64]int64, len(depts))
	for _, d := range depts {
		parent[d.ID] = d.ParentID
	}
	if _, ok := parent[dept]; !ok {
		return false // unknown: nobody's subtree, and no hint that it does not exist
	}
	seen := map[int64]bool{}
	for id := dept; id != 0 && !seen[id]; id = parent[id] {
		if slices.Contains(roots, id) {
			return true
		}
		seen[id] = true
	}
	return false
}
