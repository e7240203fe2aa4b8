package web

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kaoqin/kaoqin"
)

// Metrics are kaoqin's Prometheus metrics: HTTP requests by route, sync runs, and DingTalk
// calls by path and errcode. They live in a registry of their own (no package globals), served
// at /metrics to an admin session or a scraper holding the metrics token.
type Metrics struct {
	reg     *prometheus.Registry
	handler http.Handler

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	logins       *prometheus.CounterVec
	audits       *prometheus.CounterVec

	syncRuns     *prometheus.CounterVec
	syncDuration *prometheus.HistogramVec
	syncRows     *prometheus.CounterVec
	syncCalls    *prometheus.CounterVec
	syncMetered  *prometheus.CounterVec

	calls        *prometheus.CounterVec
	callsMetered *prometheus.CounterVec
	callDuration *prometheus.HistogramVec
}

// NewMetrics returns the metrics in a new registry, with the Go runtime's and the process's.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaoqin_http_requests_total", Help: "HTTP requests answered, by route pattern, method and status code.",
	}, []string{"route", "method", "code"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kaoqin_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	m.logins = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaoqin_logins_total", Help: "Login attempts, by result (ok, failed, throttled).",
	}, []string{"result"})
	m.audits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaoqin_audit_entries_total", Help: "Audit log entries written, by action.",
	}, []string{"action"})
	m.syncRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaoqin_sync_runs_total", Help: "Sync runs finished, by kind and status.",
	}, []string{"kind", "status"})
	m.syncDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kaoqin_sync_run_duration_seconds", Help: "Wall time of finished sync runs, by kind.",
		Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600},
	}, []string{"kind"})
	m.syncRows = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaoqin_sync_rows_total", Help: "Rows written by finished sync runs, by kind.",
	}, []string{"kind"})
	m.syncCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaoqin_sync_calls_total", Help: "DingTalk calls made by finished sync runs, by kind.",
	}, []string{"kind"})
	m.syncMetered = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaoqin_sync_metered_calls_total", Help: "Metered DingTalk calls made by finished sync runs, by kind.",
	}, []string{"kind"})
	m.calls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaoqin_dingtalk_calls_total", Help: `DingTalk call attempts, by API path and errcode ("0" success, "none" no answer).`,
	}, []string{"path", "errcode"})
	m.callsMetered = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaoqin_dingtalk_metered_calls_total", Help: "DingTalk call attempts counted against the monthly quota, by API path.",
	}, []string{"path"})
	m.callDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kaoqin_dingtalk_call_duration_seconds", Help: "Time of DingTalk call attempts, by API path.",
		Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"path"})
	m.reg.MustRegister(m.httpRequests, m.httpDuration, m.logins, m.audits,
		m.syncRuns, m.syncDuration, m.syncRows, m.syncCalls, m.syncMetered,
		m.calls, m.callsMetered, m.callDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

// Registry returns the registry, for other packages' collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveCall counts one DingTalk call attempt: errcode is DingTalk's answer (0 on success)
// and answered false when no answer came (network error, gateway page, timeout). cmd/kaoqin
// calls it from the DingTalk client's call hook.
func (m *Metrics) ObserveCall(path string, errcode int, answered, metered bool, d time.Duration) {
	code := "none"
	if answered {
		code = strconv.Itoa(errcode)
	}
	m.calls.WithLabelValues(path, code).Inc()
	if metered {
		m.callsMetered.WithLabelValues(path).Inc()
	}
	m.callDuration.WithLabelValues(path).Observe(d.Seconds())
}

// ObserveSyncRun counts a finished sync run with its figures.
func (m *Metrics) ObserveSyncRun(run kaoqin.SyncRun) {
	kind := run.Kind
	if kind == "" {
		kind = "unknown"
	}
	m.syncRuns.WithLabelValues(kind, run.Status).Inc()
	if run.FinishedAt > run.StartedAt && run.StartedAt > 0 {
		m.syncDuration.WithLabelValues(kind).Observe(float64(run.FinishedAt-run.StartedAt) / 1000)
	}
	m.syncRows.WithLabelValues(kind).Add(float64(run.Rows))
	m.syncCalls.WithLabelValues(kind).Add(float64(run.Calls))
	m.syncMetered.WithLabelValues(kind).Add(float64(run.Metered))
}

// instrument counts the requests of one route, labelled by its pattern (bounded, unlike paths).
func (m *Metrics) instrument(pattern string, next http.Handler) http.Handler {
	route := pattern
	if _, p, ok := strings.Cut(pattern, " "); ok {
		route = p
	}
	dur := m.httpDuration.WithLabelValues(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		dur.Observe(time.Since(start).Seconds())
		m.httpRequests.WithLabelValues(route, r.Method, strconv.Itoa(sw.code)).Inc()
	})
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code    int
	written bool
}

func (sw *statusWriter) WriteHeader(code int) {
	if !sw.written {
		sw.code, sw.written = code, true
	}
	sw.ResponseWriter.WriteHeader(code)
}

func (sw *statusWriter) Write(b []byte) (int, error) {
	sw.written = true
	return sw.ResponseWriter.Write(b)
}

func (sw *statusWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

// handleMetrics serves the metrics to a scraper with the token or to an admin session.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || s.token == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kaoqin metrics"`)
			s.writeError(w, r, errorf(kaoqin.EUNAUTHORIZED, "err_metrics_token"))
			return
		}
	} else {
		u, err := s.sessionUser(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !mayAdminister(u) {
			s.writeError(w, r, errorf(kaoqin.EFORBIDDEN, "err_metrics_forbidden"))
			return
		}
	}
	s.metrics.handler.ServeHTTP(w, r)
}
