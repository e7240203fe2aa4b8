package web

import (
	"net/http"

	"github.com/kaoqin/kaoqin"
)

// The accounts: admins see the list here; accounts are made with `kaoqin user add`, on the
// server, so that no web form can mint an admin.

func (s *Server) users(r *http.Request, u *kaoqin.User) ([]kaoqin.User, error) {
	if !mayAdminister(u) {
		return nil, kaoqin.Errorf(kaoqin.EFORBIDDEN, "Only admins may list the accounts.")
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
	users, err := s.users(r, u)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "users", "nav_admin", users)
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
