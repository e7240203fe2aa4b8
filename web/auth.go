package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
)

// Every route but /healthz, /login and the static files needs a session. A session holds
// the user's id only: the user is read from the store on every request, so that a changed
// role or scope, or a deleted account, counts at once.

type ctxKey int

const (
	userKey ctxKey = iota + 1
	todayKey
)

func withUser(ctx context.Context, u *kaoqin.User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// userFrom returns the logged-in user of a request that went through requireUser.
func userFrom(ctx context.Context) *kaoqin.User {
	u, _ := ctx.Value(userKey).(*kaoqin.User)
	return u
}

// seenRefresh is how often a session's "seen" time is written back: often enough to keep an
// active session alive under the idle limit, rarely enough not to write on every request.
const seenRefresh = 5 * time.Minute

var errNoSession = errorf(kaoqin.EUNAUTHORIZED, "err_login_first")

// sessionUser returns the user of the request's session, or errNoSession.
func (s *Server) sessionUser(r *http.Request) (*kaoqin.User, error) {
	ctx := r.Context()
	id := s.sessions.GetInt64(ctx, keyUserID)
	if id == 0 {
		return nil, errNoSession
	}
	now := s.clock()
	seen := time.UnixMilli(s.sessions.GetInt64(ctx, keySeen))
	if now.Sub(seen) >= s.idle {
		_ = s.sessions.Destroy(ctx)
		return nil, errNoSession
	}
	u, err := s.store.UserByID(ctx, id)
	if kaoqin.ErrorCode(err) == kaoqin.ENOTFOUND { // the account was removed
		_ = s.sessions.Destroy(ctx)
		return nil, errNoSession
	} else if err != nil {
		return nil, err
	}
	if u.Disabled || u.SessionsAfter > 0 && s.sessions.GetInt64(ctx, keyLogin) < u.SessionsAfter { // disabled, or the password changed since
		_ = s.sessions.Destroy(ctx)
		return nil, errNoSession
	}
	if now.Sub(seen) >= seenRefresh || now.Before(seen) {
		s.sessions.Put(ctx, keySeen, now.UnixMilli())
	}
	return u, nil
}

// handleLoginPage shows the login form.
func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	if _, err := s.sessionUser(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, "", r.URL.Query().Get("next"))
}

// loginRequest is the JSON body of a login by a script.
type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// handleLogin checks a name and password and starts a session. It answers the form with a
// redirect (or the form again with one message for every failure, so that nobody learns which
// names exist), and a JSON body with the user or an ErrorBody.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isJSON := ct == "application/json"
	var req loginRequest
	next := ""
	if isJSON {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
			s.writeError(w, r, errorf(kaoqin.EINVALID, "err_login_json"))
			return
		}
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, 8192)
		req.Name, req.Password, next = r.PostFormValue("name"), r.PostFormValue("password"), r.PostFormValue("next")
	}
	name := strings.TrimSpace(req.Name)
	u, err := s.login(r, name, req.Password)
	if err != nil {
		if isJSON {
			s.writeError(w, r, err)
			return
		}
		s.logError(r, err)
		var lo *lockedOut
		if asLockedOut(err, &lo) {
			w.Header().Set("Retry-After", itoa(lo.seconds()))
		}
		s.renderLogin(w, r, ErrorStatus(err), loginMessage(err), next)
		return
	}
	s.rememberDevice(w, r, name)
	if isJSON {
		writeJSON(w, http.StatusOK, u)
		return
	}
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// login checks name and password under the throttle and, if they match, renews the session
// (a new token, so that a token planted before login is worth nothing) and puts the user in
// it.
func (s *Server) login(r *http.Request, name, password string) (*kaoqin.User, error) {
	a := s.loginAttempt(r, name)
	// The attempt is counted before the password is checked: guesses sent in parallel see
	// each other.
	tk, wait := s.logins.reserve(a)
	if tk == nil {
		s.log.Warn("login throttled", "name", name, "ip", a.ip, "wait", wait)
		s.metrics.logins.WithLabelValues("throttled").Inc()
		return nil, newLockedOut(wait)
	}
	ctx := r.Context()
	u, err := s.store.UserByName(ctx, name)
	if err != nil && kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND {
		return nil, err
	}
	ok := false
	if u != nil {
		if ok, err = VerifyPassword(u.PasswordHash, password); err != nil {
			return nil, err
		}
	} else {
		// Take as long as a real check, so that the time does not tell which names exist.
		_, _ = VerifyPassword(dummyHash(), password)
	}
	if !ok || name == "" {
		s.log.Info("login failed", "name", name, "ip", a.ip)
		s.metrics.logins.WithLabelValues("failed").Inc()
		return nil, errBadLogin
	}
	s.logins.succeed(tk)
	if u.Disabled {
		s.log.Info("login refused: the account is disabled", "name", name, "ip", a.ip)
		s.metrics.logins.WithLabelValues("disabled").Inc()
		return nil, errDisabled
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		return nil, err
	}
	s.sessions.Put(ctx, keyUserID, u.ID)
	s.sessions.Put(ctx, keySeen, s.clock().UnixMilli())
	s.sessions.Put(ctx, keyLogin, s.clock().UnixMilli())
	s.log.Info("login", "name", name, "ip", a.ip)
	s.metrics.logins.WithLabelValues("ok").Inc()
	return u, nil
}

// loginAttempt is a login by name from r, as the throttle sees it.
func (s *Server) loginAttempt(r *http.Request, name string) attempt {
	return attempt{name: name, ip: s.clientIP(r), device: s.deviceOf(r, name)}
}

// deviceCookie marks a browser in which an account logged in: its later logins to that
// account are counted apart from everyone else's (see throttle.go). It holds a random id and
// an HMAC of the account's name and the id, under a key of this instance.
const deviceCookie = "kaoqin_device"

// deviceOf returns the id of r's device cookie if it was set by a login to name here; "".
func (s *Server) deviceOf(r *http.Request, name string) string {
	c, err := r.Cookie(deviceCookie)
	if err != nil || name == "" {
		return ""
	}
	id, sig, ok := strings.Cut(c.Value, ".")
	if !ok || len(id) != 22 {
		return ""
	}
	if !hmac.Equal([]byte(sig), []byte(s.deviceSig(name, id))) {
		return ""
	}
	return id
}

func (s *Server) deviceSig(name, id string) string {
	m := hmac.New(sha256.New, s.deviceKey)
	m.Write([]byte(name + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// rememberDevice sets the device cookie after a login to name (keeping the browser's id).
func (s *Server) rememberDevice(w http.ResponseWriter, r *http.Request, name string) {
	id := s.deviceOf(r, name)
	if id == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		id = base64.RawURLEncoding.EncodeToString(b)
	}
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: id + "." + s.deviceSig(name, id), Path: "/login",
		MaxAge: int(rememberPlaces / time.Second), HttpOnly: true, Secure: s.overTLS(r), SameSite: http.SameSiteLaxMode})
}

var (
	errBadLogin = errorf(kaoqin.EUNAUTHORIZED, "login_wrong")
	errDisabled = errorf(kaoqin.EFORBIDDEN, "login_disabled")
)

// loginMessage is the key of the login form's message for err.
func loginMessage(err error) string {
	var lo *lockedOut
	switch {
	case asLockedOut(err, &lo):
		return "login_throttled"
	case err == errBadLogin:
		return "login_wrong"
	case err == errDisabled:
		return "login_disabled"
	}
	return "login_failed"
}

// dummyHash is a hash no password matches, checked for names that do not exist.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("no account has this password")
	if err != nil {
		panic(err)
	}
	return h
})

// handleLogout ends the session.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext returns next if it is a path of this site, else the home page: a login link must
// not send people elsewhere.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/today"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/today"
	}
	return next
}

// trusted reports whether the request came straight from a trusted proxy.
func (s *Server) trusted(r *http.Request) bool {
	if len(s.proxies) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	return s.isProxy(ap.Addr())
}

func (s *Server) isProxy(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP returns the address of the client: the peer, or, behind trusted proxies, the
// nearest address in X-Forwarded-For that is not one of them.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !s.trusted(r) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !s.isProxy(a) {
			return a.Unmap().String()
		}
	}
	return host
}

// overTLS reports whether the client reached us over TLS: directly, or through a trusted
// proxy that says so.
func (s *Server) overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return s.trusted(r) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}
