package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/kaoqin/kaoqin"
)

// userHandler is a handler for a logged-in user: it writes the answer, or returns an error
// that its wrapper (page or api) shows as a page or as JSON.
type userHandler func(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error

// routes registers every route; this is the whole site on one screen.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	// Open to everyone: health, static files, the login form.
	s.route(mux, "GET /healthz", http.HandlerFunc(s.handleHealth))
	s.route(mux, "GET /static/", s.staticHandler())
	s.route(mux, "GET /login", s.withSession(http.HandlerFunc(s.handleLoginPage)))
	s.route(mux, "POST /login", s.withSession(http.HandlerFunc(s.handleLogin)))
	s.route(mux, "POST /logout", s.withSession(http.HandlerFunc(s.handleLogout)))
	// An admin session, or the metrics token for scrapers.
	s.route(mux, "GET /metrics", s.withSession(http.HandlerFunc(s.handleMetrics)))
	// DingTalk's HTTP push, signed with the app's push token and key.
	if s.events != nil {
		s.route(mux, "POST /dingtalk/events", s.events)
	}

	// Pages: a session; errors shown as pages.
	s.page(mux, "GET /{$}", s.handleHome)
	s.page(mux, "GET /today", s.handleToday)
	s.page(mux, "GET /today/board", s.handleBoard)
	s.page(mux, "GET /departments/{id}", s.handleDepartment)
	s.page(mux, "GET /employees/{userid}", s.handleEmployee)
	s.page(mux, "GET /period", s.handlePeriod)
	s.page(mux, "GET /punches", s.handlePunches)
	s.page(mux, "GET /employees/{userid}/days/{date}", s.handleDay)
	s.page(mux, "POST /employees/{userid}/days/{date}/fetch", s.handleFetchDay)
	s.page(mux, "GET /methods", s.handleMethods)
	s.page(mux, "GET /review", s.handleReview)
	s.page(mux, "GET /sync", s.handleSync)
	s.page(mux, "POST /sync", s.handleSyncNow)
	s.page(mux, "GET /reconcile", s.handleReconcile)
	s.page(mux, "POST /reconcile", s.handleReconcileStart)
	s.page(mux, "GET /reconcile/{id}", s.handleReconciliation)
	s.page(mux, "GET /admin/audit", s.handleAudit)
	s.page(mux, "GET /admin/users", s.handleUsers)
	s.page(mux, "POST /admin/users", s.handleCreateUser)
	s.page(mux, "POST /admin/users/{id}", s.handleChangeUser)
	s.page(mux, "POST /admin/settings", s.handleSettings)
	s.page(mux, "GET /reminders", s.handleReminders)
	s.page(mux, "POST /reminders/rules", s.handleRuleCreate)
	s.page(mux, "GET /reminders/rules/{id}", s.handleRuleEdit)
	s.page(mux, "POST /reminders/rules/{id}", s.handleRuleEdit)
	s.page(mux, "POST /reminders/rules/{id}/delete", s.handleRuleDelete)
	s.page(mux, "POST /reminders/rules/{id}/switch", s.handleRuleSwitch)
	s.page(mux, "POST /reminders/optouts", s.handleOptOut)
	s.page(mux, "POST /reminders/now", s.handleRemindNow)
	s.page(mux, "/", s.notFound)

	// JSON API: a session; errors as ErrorBody. Each route is described in openapi.json.
	s.api(mux, "GET /api/v1/me", s.apiMe)
	s.api(mux, "GET /api/v1/departments", s.apiDepartments)
	s.api(mux, "GET /api/v1/daily", s.apiDaily)
	s.api(mux, "GET /api/v1/daily/export", s.apiDailyExport)
	s.api(mux, "GET /api/v1/daily/who", s.apiDailyWho)
	s.api(mux, "GET /api/v1/series", s.apiSeries)
	s.api(mux, "GET /api/v1/period", s.apiPeriod)
	s.api(mux, "GET /api/v1/period/export", s.apiPeriodExport)
	s.api(mux, "GET /api/v1/period/who", s.apiPeriodWho)
	s.api(mux, "GET /api/v1/employees/{userid}", s.apiEmployee)
	s.api(mux, "GET /api/v1/employees/{userid}/days/{date}", s.apiDay)
	s.api(mux, "POST /api/v1/employees/{userid}/days/{date}/fetch", s.apiFetchDay)
	s.api(mux, "GET /api/v1/punches", s.apiPunches)
	s.api(mux, "GET /api/v1/punches/export", s.apiPunchesExport)
	s.api(mux, "GET /api/v1/methods", s.apiMethods)
	s.api(mux, "GET /api/v1/review", s.apiReview)
	s.api(mux, "GET /api/v1/review/export", s.apiReviewExport)
	s.api(mux, "GET /api/v1/sync", s.apiSync)
	s.api(mux, "POST /api/v1/sync", s.apiSyncNow)
	s.api(mux, "GET /api/v1/reconciliations", s.apiReconciliations)
	s.api(mux, "POST /api/v1/reconciliations", s.apiReconcileStart)
	s.api(mux, "GET /api/v1/reconciliations/plan", s.apiReconcilePlan)
	s.api(mux, "GET /api/v1/reconciliations/{id}", s.apiReconciliation)
	s.api(mux, "GET /api/v1/audit", s.apiAudit)
	s.api(mux, "GET /api/v1/users", s.apiUsers)
	s.api(mux, "GET /api/v1/reminders", s.apiReminders)
	s.api(mux, "POST /api/v1/reminders/now", s.apiRemindNow)
	s.api(mux, "GET /api/v1/openapi.json", s.apiOpenAPI)
	s.route(mux, "/api/", s.withSession(s.apiHandler(func(http.ResponseWriter, *http.Request, *kaoqin.User) error {
		return errorf(kaoqin.ENOTFOUND, "err_no_route")
	})))

	// Cross-origin writes are refused before anything else sees them (Sec-Fetch-Site, else
	// Origin against Host): a page elsewhere cannot make a logged-in browser post here.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errorf(kaoqin.EFORBIDDEN, "err_cross_origin"))
	}))
	return s.recoverer(s.securityHeaders(cop.Handler(s.withToday(mux))))
}

// route registers h under pattern, counted in the metrics by its pattern.
func (s *Server) route(mux *http.ServeMux, pattern string, h http.Handler) {
	s.allRoutes = append(s.allRoutes, pattern)
	mux.Handle(pattern, s.metrics.instrument(pattern, h))
}

// page registers a page for logged-in users.
func (s *Server) page(mux *http.ServeMux, pattern string, h userHandler) {
	s.route(mux, pattern, s.withSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.sessionUser(r)
		if err == errNoSession {
			s.toLogin(w, r)
			return
		} else if err != nil {
			s.renderError(w, r, nil, err)
			return
		}
		r = r.WithContext(withUser(r.Context(), u))
		rememberLang(w, r)
		if err := h(w, r, u); err != nil {
			s.renderError(w, r, u, err)
		}
	})))
}

// api registers an API route for logged-in users.
func (s *Server) api(mux *http.ServeMux, pattern string, h userHandler) {
	s.apiRoutes = append(s.apiRoutes, pattern)
	s.route(mux, pattern, s.withSession(s.apiHandler(h)))
}

func (s *Server) apiHandler(h userHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.sessionUser(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		r = r.WithContext(withUser(r.Context(), u))
		if err := h(w, r, u); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// APIRoutes returns the patterns of the JSON API, e.g. "GET /api/v1/daily".
func (s *Server) APIRoutes() []string { return append([]string(nil), s.apiRoutes...) }

// Routes returns the pattern of every route, pages and API, e.g. "GET /today".
func (s *Server) Routes() []string { return append([]string(nil), s.allRoutes...) }

func (s *Server) notFound(http.ResponseWriter, *http.Request, *kaoqin.User) error {
	return errorf(kaoqin.ENOTFOUND, "err_no_page")
}

// toLogin sends a visitor without a session to the login form, and back here afterwards.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	next := "/today"
	if r.Method == http.MethodGet && !isHTMX(r) {
		next = r.URL.RequestURI()
	}
	target := "/login?next=" + url.QueryEscape(next)
	if isHTMX(r) {
		// htmx follows HX-Redirect; a 303 would swap the login page into the board.
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// fail shows err the way the route answers: JSON under /api/ and /metrics, a page elsewhere.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/metrics" || r.URL.Path == "/healthz" {
		s.writeError(w, r, err)
		return
	}
	s.renderError(w, r, userFrom(r.Context()), err)
}

// recoverer turns a panic into a logged internal error instead of a dropped connection.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				http.Error(w, "Internal error.", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows the site's own scripts and styles only. ECharts sets styles
// from script (tooltips), which 'unsafe-inline' for styles allows; no inline script runs.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// hsts tells a browser that reached the site over HTTPS to use nothing else for a year. Sent
// over HTTPS only (served here, or by a trusted proxy that says so); the subdomains are the
// operator's to decide, at their proxy.
const hsts = "max-age=31536000"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if s.overTLS(r) {
			h.Set("Strict-Transport-Security", hsts)
		}
		next.ServeHTTP(w, r)
	})
}
