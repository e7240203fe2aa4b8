// Package web is kaoqin's dashboard and JSON API: the pages HR reads at 9:10 (today's board,
// a department's day and trend, an employee's calendar, the period report with its CSV and
// XLSX, the sync page, the audit log) and /api/v1/ for everything they show, described in
// openapi.json. Pages are html/template files embedded in the binary, made lively by htmx and
// ECharts (vendored from npm into static/vendor by scripts/vendor-web.sh); they read fine
// without JavaScript.
//
// Every route but /healthz (and the login form and static files) needs a session: local
// accounts with argon2id passwords, sessions in kaoqin's own database (scs), cookies HttpOnly,
// SameSite=Lax and Secure over TLS, cross-origin writes refused, failed logins slowed down.
// Admins and HR see the whole company; a manager sees the subtrees of their departments on
// every page, API call and export, enforced in scope.go. Every export and every view of an
// employee is written to the audit log.
//
// Numbers come from package report, never from here: handlers turn the request and the user
// into report.Options (the zone, the injected clock, the scope) and show what the report says.
// Days not synced are named, never shown as zeros.
//
//	srv, err := web.New(web.Config{
//		Store:        db,                 // *store.DB
//		Location:     loc,                // KAOQIN_TIMEZONE
//		Syncer:       engine,             // "sync now" and the scheduler's state; may be nil
//		MonthlyQuota: 5000,
//		MetricsToken: os.Getenv("KAOQIN_METRICS_TOKEN"),
//	})
//	if err != nil {
//		return err
//	}
//	hook := func(c dingtalk.CallInfo) { // the DingTalk client's call hook
//		srv.Metrics().ObserveCall(c.Path, c.Errcode, c.Err == nil || c.Errcode != 0, c.Metered && !c.Throttled, c.Duration)
//	}
//	http.ListenAndServe(addr, srv.Handler())
//
// The board, the daily report and its JSON are computed once per scope, day and version of
// the data (the coverage of the day and the latest sync run) and reused for a few seconds:
// see cache.go, and bench/web for what that buys.
package web
