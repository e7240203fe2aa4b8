package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kaoqin/kaoqin"
)

// The admin page: the accounts (create one, change its role or a manager's departments, set
// a new password, disable or enable it) and the dashboard's settings (the pay cycle). Only
// admins see it; every change is written to the audit log before it is made, and a changed
// password or a disabled account ends that account's sessions at once. An admin cannot
// disable themselves or take away their own admin role, so that the last admin cannot lock
// everyone out by a slip; `kaoqin user` on the server still does everything.

// usersView is the admin page's data.
type usersView struct {
	Users    []kaoqin.User
	Depts    []crumb          // departments to choose from, in tree order
	Names    map[int64]string // department names by id
	Me       int64
	Settings dashSettings
	Done     string // a dictionary key: what was just done
	Who      string // the account it was done to
	Error    string // what went wrong with the form, in the reader's language
	Form     userForm
}

// userForm is what the creation form was filled with, shown again when it failed.
type userForm struct {
	Name  string
	Role  string
	Depts []int64
}

func (s *Server) users(r *http.Request, u *kaoqin.User) ([]kaoqin.User, error) {
	if !mayAdminister(u) {
		return nil, errorf(kaoqin.EFORBIDDEN, "err_admins_only")
	}
	users, err := s.store.Users(r.Context())
	if err != nil {
		return nil, err
	}
	if users == nil {
		users = []kaoqin.User{}
	}
	return users, nil
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	done := s.sessions.PopString(r.Context(), keyFlash)
	who := s.sessions.PopString(r.Context(), keyFlashWho)
	return s.renderUsers(w, r, u, http.StatusOK, done, who, nil, userForm{Role: kaoqin.RoleHR})
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, u *kaoqin.User, status int, done, who string, ferr error, form userForm) error {
	users, err := s.users(r, u)
	if err != nil {
		return err
	}
	v := &usersView{Users: users, Me: u.ID, Done: done, Who: who, Form: form, Names: map[int64]string{}}
	if ferr != nil {
		s.logError(r, ferr)
		v.Error = errorMessage(langOf(r), ferr)
	}
	if v.Depts, err = s.deptChoices(r.Context(), u); err != nil {
		return err
	}
	all, err := s.store.Departments(r.Context())
	if err != nil {
		return err
	}
	for _, d := range all {
		v.Names[d.ID] = d.Name
	}
	if v.Settings, err = s.settings(r.Context()); err != nil {
		return err
	}
	return s.render(w, r, status, "users", "nav_admin", v)
}

// Flash keys of the session: what the last change was, shown once after the redirect.
const (
	keyFlash    = "flash"
	keyFlashWho = "flash_who"
)

// afterChange sends the browser back to the admin page, which says what was done.
func (s *Server) afterChange(w http.ResponseWriter, r *http.Request, done, who string) error {
	s.sessions.Put(r.Context(), keyFlash, done)
	s.sessions.Put(r.Context(), keyFlashWho, who)
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

// handleCreateUser creates an account from the admin page's form.
func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if !mayAdminister(u) {
		return errorf(kaoqin.EFORBIDDEN, "err_admins_only")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(kaoqin.EINVALID, "err_code_invalid")
	}
	form := userForm{Name: strings.TrimSpace(r.PostFormValue("name")), Role: r.PostFormValue("role")}
	fail := func(err error) error {
		if code := kaoqin.ErrorCode(err); code == kaoqin.EINTERNAL {
			return err
		}
		return s.renderUsers(w, r, u, ErrorStatus(err), "", "", err, form)
	}
	depts, err := formDepts(r)
	if err != nil {
		return fail(err)
	}
	form.Depts = depts
	nu := &kaoqin.User{Name: form.Name, Role: form.Role}
	if err := checkAccountName(nu.Name); err != nil {
		return fail(err)
	}
	if err := s.setRole(r, nu, form.Role, depts); err != nil {
		return fail(err)
	}
	if nu.PasswordHash, err = HashPassword(r.PostFormValue("password")); err != nil {
		return fail(err)
	}
	if _, err := s.store.UserByName(r.Context(), nu.Name); err == nil {
		return fail(errorf(kaoqin.ECONFLICT, "err_name_taken", nu.Name))
	} else if kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND {
		return err
	}
	if err := s.audit(r, u, actionUserCreate, userTarget(nu)); err != nil {
		return err
	}
	if err := s.store.CreateUser(r.Context(), nu); err != nil {
		if kaoqin.ErrorCode(err) == kaoqin.ECONFLICT {
			return fail(errorf(kaoqin.ECONFLICT, "err_name_taken", nu.Name))
		}
		return err
	}
	s.log.Info("account created from the dashboard", "by", u.Name, "account", nu.Name, "role", nu.Role)
	return s.afterChange(w, r, "user_done_create", nu.Name)
}

// handleChangeUser applies one change to an account: action=update (role and departments),
// password, disable or enable.
func (s *Server) handleChangeUser(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if !mayAdminister(u) {
		return errorf(kaoqin.EFORBIDDEN, "err_admins_only")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errorf(kaoqin.ENOTFOUND, "err_no_account", 0)
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(kaoqin.EINVALID, "err_code_invalid")
	}
	target, err := s.store.UserByID(r.Context(), id)
	if kaoqin.ErrorCode(err) == kaoqin.ENOTFOUND {
		return errorf(kaoqin.ENOTFOUND, "err_no_account", id)
	} else if err != nil {
		return err
	}
	fail := func(err error) error {
		if kaoqin.ErrorCode(err) == kaoqin.EINTERNAL {
			return err
		}
		return s.renderUsers(w, r, u, ErrorStatus(err), "", "", err, userForm{Role: kaoqin.RoleHR})
	}
	now := s.clock().UnixMilli()
	var action, done string
	switch a := r.PostFormValue("action"); a {
	case "update":
		depts, err := formDepts(r)
		if err != nil {
			return fail(err)
		}
		role := r.PostFormValue("role")
		if target.ID == u.ID && role != kaoqin.RoleAdmin {
			return fail(errorf(kaoqin.EINVALID, "err_not_yourself"))
		}
		if err := s.setRole(r, target, role, depts); err != nil {
			return fail(err)
		}
		action, done = actionUserUpdate, "user_done_update"
	case "password":
		hash, err := HashPassword(r.PostFormValue("password"))
		if err != nil {
			return fail(err)
		}
		target.PasswordHash, target.SessionsAfter = hash, now
		action, done = actionUserPassword, "user_done_password"
	case "disable":
		if target.ID == u.ID {
			return fail(errorf(kaoqin.EINVALID, "err_not_yourself"))
		}
		target.Disabled, target.SessionsAfter = true, now
		action, done = actionUserDisable, "user_done_disable"
	case "enable":
		target.Disabled = false
		action, done = actionUserEnable, "user_done_enable"
	default:
		return fail(errorf(kaoqin.EINVALID, "err_bad_account_action", a))
	}
	what := auditTarget{Kind: "user", Account: target.Name}.String()
	if action == actionUserUpdate {
		what = userTarget(target)
	}
	if err := s.audit(r, u, action, what); err != nil {
		return err
	}
	if err := s.store.UpdateUser(r.Context(), target); err != nil {
		return err
	}
	s.log.Info("account changed from the dashboard", "by", u.Name, "account", target.Name, "action", action)
	return s.afterChange(w, r, done, target.Name)
}

// setRole gives nu role and, for a manager, the departments depts (which must exist).
func (s *Server) setRole(r *http.Request, nu *kaoqin.User, role string, depts []int64) error {
	switch role {
	case kaoqin.RoleAdmin, kaoqin.RoleHR:
		nu.Role, nu.DeptIDs = role, nil
		return nil
	case kaoqin.RoleManager:
	default:
		return errorf(kaoqin.EINVALID, "err_bad_role", role)
	}
	if len(depts) == 0 {
		return errorf(kaoqin.EINVALID, "err_manager_needs_depts")
	}
	all, err := s.store.Departments(r.Context())
	if err != nil {
		return err
	}
	for _, id := range depts {
		i := slices.IndexFunc(all, func(d kaoqin.Department) bool { return d.ID == id })
		if i < 0 || all[i].RemovedAt != 0 {
			return errorf(kaoqin.EINVALID, "err_no_dept", id)
		}
	}
	nu.Role, nu.DeptIDs = role, depts
	return nil
}

// formDepts returns the form's departments (dept, repeated), sorted, each once.
func formDepts(r *http.Request) ([]int64, error) {
	var ids []int64
	for _, v := range r.PostForm["dept"] {
		if v == "" {
			continue
		}
		id, err := parseDeptID(v)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// checkAccountName accepts 1 to 64 characters that are letters (Chinese included), digits or
// . _ - @: a name people type to log in, that reads the same in the audit log.
func checkAccountName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > 64 || strings.ContainsFunc(name, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-@", r)
	}) {
		return errorf(kaoqin.EINVALID, "err_bad_name", name)
	}
	return nil
}

// userTarget is an account as the audit log names it: its name, role and departments.
func userTarget(u *kaoqin.User) string {
	t := auditTarget{Kind: "user", Account: u.Name, Fields: map[string]string{"role": u.Role}}
	if len(u.DeptIDs) > 0 {
		parts := make([]string, len(u.DeptIDs))
		for i, id := range u.DeptIDs {
			parts[i] = strconv.FormatInt(id, 10)
		}
		t.Fields["dept"] = strings.Join(parts, ",")
	}
	return t.String()
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	users, err := s.users(r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
	return nil
}

// apiMe answers the logged-in user (never the password hash: its JSON tag is "-").
func (s *Server) apiMe(w http.ResponseWriter, _ *http.Request, u *kaoqin.User) error {
	writeJSON(w, http.StatusOK, u)
	return nil
}
