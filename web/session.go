package web

import (
	"context"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/kaoqin/kaoqin"
)

// sessionCookie is the name of the session cookie.
const sessionCookie = "kaoqin_session"

// sessionStore adapts kaoqin.UserStore's session methods to scs.CtxStore: sessions live in
// kaoqin's own database, so that every instance of a PostgreSQL deployment knows them and a
// restart logs nobody out.
type sessionStore struct{ users kaoqin.UserStore }

var _ scs.CtxStore = sessionStore{}

func (st sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	return st.users.FindSession(ctx, token)
}

func (st sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	return st.users.CommitSession(ctx, token, b, expiry)
}

func (st sessionStore) DeleteCtx(ctx context.Context, token string) error {
	return st.users.DeleteSession(ctx, token)
}

// The context-free methods are never called by scs when the Ctx ones exist; they complete
// the interface.
func (st sessionStore) Find(token string) ([]byte, bool, error) {
	return st.FindCtx(context.Background(), token)
}

func (st sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return st.CommitCtx(context.Background(), token, b, expiry)
}

func (st sessionStore) Delete(token string) error {
	return st.DeleteCtx(context.Background(), token)
}

func newSessionManager(users kaoqin.UserStore, lifetime time.Duration) *scs.SessionManager {
	sm := scs.New()
	sm.Store = sessionStore{users}
	sm.Lifetime = 12 * time.Hour
	if lifetime > 0 {
		sm.Lifetime = lifetime
	}
	// No sm.IdleTimeout: scs would then rewrite the session on every request, a database
	// write per page view. requireUser enforces the idle limit from a "seen" time that it
	// refreshes at most every few minutes instead.
	// The database holds a hash of each token: whoever reads it cannot ride the sessions.
	sm.HashTokenInStore = true
	sm.Cookie.Name = sessionCookie
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	// A session cookie: it goes when the browser closes, and the server ends it anyway after
	// Lifetime or IdleTimeout.
	sm.Cookie.Persist = false
	return sm
}

// withSession loads the request's session and saves it after the handler, like scs's
// LoadAndSave, except that the cookie is Secure when the request came over TLS (or through a
// trusted proxy that says so): scs's own middleware fixes Secure once for all requests, and
// kaoqin serves both plain loopback and TLS behind a proxy.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Cookie")
		var token string
		if c, err := r.Cookie(sessionCookie); err == nil {
			token = c.Value
		}
		ctx, err := s.sessions.Load(r.Context(), token)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		r = r.WithContext(ctx)
		sw := &sessionWriter{ResponseWriter: w, s: s, r: r}
		next.ServeHTTP(sw, r)
		sw.commit()
	})
}

// sessionWriter commits the session and writes its cookie before the first byte of the
// answer, when headers can still be set.
type sessionWriter struct {
	http.ResponseWriter
	s      *Server
	r      *http.Request
	done   bool
	failed bool // the session could not be saved: the answer is a 500, the handler's is dropped
}

func (sw *sessionWriter) commit() {
	if sw.done {
		return
	}
	sw.done = true
	sm, ctx := sw.s.sessions, sw.r.Context()
	switch sm.Status(ctx) {
	case scs.Modified:
		token, expiry, err := sm.Commit(ctx)
		if err != nil {
			// A login whose session was not saved must not look like it worked.
			sw.s.log.Error("commit session", "err", err)
			sw.failed = true
			http.Error(sw.ResponseWriter, "Internal error.", http.StatusInternalServerError)
			return
		}
		sw.writeCookie(token, expiry)
	case scs.Destroyed:
		sw.writeCookie("", time.Time{})
	}
}

func (sw *sessionWriter) writeCookie(token string, expiry time.Time) {
	c := &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   sw.s.overTLS(sw.r),
	}
	if expiry.IsZero() {
		c.Expires = time.Unix(1, 0)
		c.MaxAge = -1
	}
	sw.Header().Add("Set-Cookie", c.String())
	sw.Header().Add("Cache-Control", `no-cache="Set-Cookie"`)
}

func (sw *sessionWriter) WriteHeader(code int) {
	sw.commit()
	if !sw.failed {
		sw.ResponseWriter.WriteHeader(code)
	}
}

func (sw *sessionWriter) Write(b []byte) (int, error) {
	sw.commit()
	if sw.failed {
		return len(b), nil
	}
	return sw.ResponseWriter.Write(b)
}

func (sw *sessionWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

// Session keys.
const (
	keyUserID = "uid"   // the logged-in user's id
	keySeen   = "seen"  // when the session was last used, unix ms (refreshed every seenRefresh)
	keyLogin  = "login" // when the user logged in, unix ms: User.SessionsAfter ends older sessions
)
