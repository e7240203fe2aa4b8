package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// The pages are html/template files embedded in the binary: layout.html and parts.html with
// one file per page. Every page gets a *page; its own data is in Data.

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the pages, one template file each.
var pageNames = []string{"login", "today", "department", "employee", "period", "sync", "audit", "users", "error",
	"reminders", "remindnow", "reconcile", "reconciliation", "punches", "day", "methods", "review"}

// page is what every template gets.
type page struct {
	Lang      report.Lang
	User      *kaoqin.User
	Nav       string   // the navigation item of the page
	URL       *url.URL // the request's, for links that keep the query
	NotSynced []string // days not synced, shown on top with a link to the sync page
	Data      any
}

type renderOption func(*page)

func withNotSynced(ns *notSyncedError) renderOption {
	return func(p *page) { p.NotSynced = ns.missing }
}

func parsePages(loc *time.Location) (map[string]*template.Template, error) {
	funcs := templateFuncs(loc)
	maps.Copy(funcs, reconcileFuncs())
	maps.Copy(funcs, punchFuncs(loc))
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/parts.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes the page name with status. The page is rendered into a buffer first, so that
// a template error is a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, nav string, data any, opts ...renderOption) error {
	return s.execute(w, r, status, name, "layout", nav, data, opts...)
}

// renderPart writes one template of a page alone: htmx's partial refresh.
func (s *Server) renderPart(w http.ResponseWriter, r *http.Request, name, part string, data any) error {
	return s.execute(w, r, http.StatusOK, name, part, "", data)
}

func (s *Server) execute(w http.ResponseWriter, r *http.Request, status int, name, tmpl, nav string, data any, opts ...renderOption) error {
	p := &page{Lang: langOf(r), User: userFrom(r.Context()), Nav: nav, URL: r.URL, Data: data}
	for _, o := range opts {
		o(p)
	}
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, tmpl, p); err != nil {
		return fmt.Errorf("render %s/%s: %w", name, tmpl, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept-Encoding")
	if buf.Len() >= gzipPagesFrom && acceptsGzip(r) {
		// A big company's board or table is hundreds of KB of markup, a tenth of it gzipped:
		// on a phone that is the difference.
		h.Set("Content-Encoding", "gzip")
		w.WriteHeader(status)
		_, _ = w.Write(gzipBytes(buf.Bytes()))
		return nil
	}
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
	return nil
}

// gzipPagesFrom is the size from which pages are sent gzipped to browsers that take it.
const gzipPagesFrom = 16 << 10

// errorView is the error page's data.
type errorView struct {
	Heading string // a dictionary key
	Message string
}

// renderError shows err as a page with its status. An ENOTSYNCED error lists the missing
// days and offers the sync page.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, u *kaoqin.User, err error) {
	s.logError(r, err)
	status := ErrorStatus(err)
	v := errorView{Heading: "error_" + strconv.Itoa(status), Message: errorMessage(langOf(r), err)}
	if _, ok := dictionary[v.Heading]; !ok {
		v.Heading = "error_500"
	}
	var opts []renderOption
	var ns *notSyncedError
	if asNotSynced(err, &ns) {
		v.Heading, v.Message = "not_synced_title", ""
		opts = append(opts, withNotSynced(ns))
	}
	if u != nil && userFrom(r.Context()) == nil {
		r = r.WithContext(withUser(r.Context(), u))
	}
	if rerr := s.render(w, r, status, "error", "", v, opts...); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		http.Error(w, kaoqin.ErrorMessage(err), status)
	}
}

// loginView is the login form's data.
type loginView struct {
	Message string // a dictionary key; "" for none
	Next    string
	Wait    int // seconds to wait before trying again
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, msg, next string) {
	v := loginView{Message: msg, Next: next}
	if msg == "login_throttled" {
		v.Wait = secondsUp(s.logins.wait(s.loginAttempt(r, strings.TrimSpace(r.PostFormValue("name")))))
	}
	if err := s.render(w, r, status, "login", "", v); err != nil {
		s.log.Error("render login", "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
	}
}

func templateFuncs(loc *time.Location) template.FuncMap {
	funcs := template.FuncMap{
		"tr":       tr,
		"trf":      trf,
		"trOr":     trOr,
		"schedule": describeSchedule,
		"asset":    asset,
		"listSep":  listSep,
		"span":     span,
		"days":     daySpans,
		"minutes":  sayMinutes,
		"people":   sayPeople,
		"month":    monthName,
		"weekdayNames": func(lang report.Lang) []string {
			return strings.Fields(tr0(lang, "weekdays"))
		},
		"initial": func(name string) string {
			for _, r := range name {
				return strings.ToUpper(string(r))
			}
			return "?"
		},
		"source": func(lang report.Lang, ev *EventsStatus, sched Schedule, now time.Time) (string, error) {
			return sourceLine(lang, ev, sched, now, loc)
		},
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"roles":       func() []string { return []string{kaoqin.RoleHR, kaoqin.RoleManager, kaoqin.RoleAdmin} },
		"has":         func(ids []int64, id int64) bool { return slices.Contains(ids, id) },
		"minPassword": func() int { return MinPasswordLen },
		"add":         func(a, b int) int { return a + b },
		"max1":        func(n int) int { return max(n, 1) },
		"pct": func(a, b int) int {
			if b <= 0 {
				return 0
			}
			return int(math.Round(float64(a) * 100 / float64(b)))
		},
		"rate": func(f float64) int { return int(math.Round(f * 100)) },
		"join": strings.Join,
		"ids": func(ids []int64) string {
			parts := make([]string, len(ids))
			for i, id := range ids {
				parts[i] = strconv.FormatInt(id, 10)
			}
			return strings.Join(parts, ", ")
		},
		"hm": func(t any) string {
			switch v := t.(type) {
			case report.Time:
				if !v.IsZero() {
					return v.In(loc).Format("15:04")
				}
			case *report.Time:
				if v != nil && !v.IsZero() {
					return v.In(loc).Format("15:04")
				}
			case time.Time:
				if !v.IsZero() {
					return v.In(loc).Format("15:04")
				}
			}
			return "—"
		},
		// hmOn is hm, "次日 06:00" ("06:00 next day") for a time after the day date: a night
		// shift's check-out, which DingTalk files under the day the shift began.
		"hmOn": func(lang report.Lang, date any, t any) string {
			day, _ := date.(string) // none in the template's data: ""
			var v time.Time
			switch x := t.(type) {
			case report.Time:
				v = x.Time
			case *report.Time:
				if x != nil {
					v = x.Time
				}
			}
			if v.IsZero() {
				return "—"
			}
			hm := v.In(loc).Format("15:04")
			if day == "" || kaoqin.DateOf(v, loc) <= day {
				return hm
			}
			return fmt.Sprintf(tr0(lang, "overnight_next_day"), hm)
		},
		"clock": func(ms int64) string {
			if ms == 0 {
				return "—"
			}
			return time.UnixMilli(ms).In(loc).Format("2006-01-02 15:04:05")
		},
		"clockTime": func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") },
		"took": func(lang report.Lang, start, end int64) string {
			if end == 0 || end < start {
				return "—"
			}
			return sayDuration(lang, time.Duration(end-start)*time.Millisecond)
		},
		"weekday":  weekday,
		"langURL":  langURL,
		"pageURL":  pageURL,
		"boardURL": boardURL,
		// dailyLabel names a daily count (a field of report.Counts) as the board does.
		"dailyLabel": func(lang report.Lang, field string) string {
			key := "c_" + field
			if field == "on_leave_not_checked_in" {
				key = "c_on_leave"
			}
			if t, err := tr(lang, key); err == nil {
				return t
			}
			return field
		},
		// whoURL is where a daily count of dept (0: all one may see) links, less the count's
		// name: the department page listing the people counted in it.
		"whoURL": func(dept int64, date string) string {
			id := allDepts
			if dept != 0 {
				id = strconv.FormatInt(dept, 10)
			}
			return "/departments/" + id + "?" + url.Values{"date": {date}}.Encode() + "&who="
		},
		"exportURL": func(kind, from, to string, dept int64, format string, lang report.Lang) string {
			q := url.Values{"from": {from}, "to": {to}, "format": {format}, "lang": {string(lang)}}
			if dept != 0 {
				q.Set("dept", strconv.FormatInt(dept, 10))
			}
			return "/api/v1/" + kind + "/export?" + q.Encode()
		},
		"trendJSON": trendJSON,
	}
	for k, f := range reminderFuncs {
		funcs[k] = f
	}
	return funcs
}

// langURL returns the current URL with lang set: the language switch.
func langURL(u *url.URL, lang string) string {
	q := u.Query()
	q.Set("lang", lang)
	return u.Path + "?" + q.Encode()
}

// pageURL returns the current URL showing page n.
func pageURL(u *url.URL, n int) string {
	q := u.Query()
	q.Set("page", strconv.Itoa(n))
	return u.Path + "?" + q.Encode()
}

// boardURL returns the URL of the board's refresh.
func boardURL(day string, dept int64) string {
	q := url.Values{"date": {day}}
	if dept != 0 {
		q.Set("dept", strconv.FormatInt(dept, 10))
	}
	return "/today/board?" + q.Encode()
}

// trendChart is the data of the department chart, for static/app.js.
type trendChart struct {
	Dates   []string   `json:"dates"`
	Rate    []*float64 `json:"rate"` // checked-in rate, percent; null when nobody was scheduled
	Late    []int      `json:"late"`
	Absent  []int      `json:"absent"`
	Labels  []string   `json:"labels"` // rate, late, absent
	Percent string     `json:"percent"`
}

func trendJSON(lang report.Lang, sr *report.Series) (string, error) {
	c := trendChart{Labels: []string{tr0(lang, "checked_in_rate"), tr0(lang, "c_late"), tr0(lang, "c_absent")}}
	for _, d := range sr.Days {
		c.Dates = append(c.Dates, d.Date)
		var rate *float64
		if d.Scheduled > 0 {
			r := math.Round(d.CheckedInRate*1000) / 10
			rate = &r
		}
		c.Rate = append(c.Rate, rate)
		c.Late = append(c.Late, d.Late+d.SeriousLate+d.AbsenteeismLate)
		c.Absent = append(c.Absent, d.Absent)
	}
	return chartJSON(c)
}

// chartJSON is v as JSON for a chart element's data-json attribute, which html/template
// escapes. Not a <script type="application/json"> element: the board refreshes itself with
// htmx, which is not allowed to run scripts (allowScriptTags false, layout.html) and so drops
// every <script> of what it swaps in, and the charts of a refreshed board had no data.
func chartJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
