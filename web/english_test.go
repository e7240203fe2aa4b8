package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestPages_NoEnglish reads every page in Chinese as a reader would, its text and the words of
// its attributes (title, aria-label, placeholder, alt), and fails on any English word left:
// a Chinese page says everything in Chinese. What is quoted from elsewhere is marked lang="en"
// (the switch to English, a sync run's error from DingTalk) and commands are in <code>; names
// of file formats and the accounts' own names are allowed.
func TestPages_NoEnglish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("admin")
	emp := e.userInside(e.mgrDept)
	// Something in the audit log and a run on the sync page, so that those pages say something.
	c.get("/api/v1/period/export?from=2026-11-01&to=2026-11-17&format=xlsx")
	c.get("/employees/" + emp)
	c.postForm("/admin/users", url.Values{"name": {"王经理"}, "role": {"manager"}, "password": {"a long enough password"}, "dept": {sprint(e.mgrDept)}})
	pages := map[string]int{
		"/today":                            200,
		"/today?date=2026-11-17":            200,
		"/today?dept=" + sprint(e.mgrDept):  200,
		"/departments/" + sprint(e.mgrDept): 200,
		"/departments/" + sprint(e.subDept) + "?date=2026-11-17": 200,
		"/employees/" + emp:                                                        200,
		"/employees/" + emp + "?month=2026-10":                                     200,
		"/employees/" + emp + "?from=2026-11-01&to=2026-11-17":                     200,
		"/employees/" + emp + "?from=2026-11-01&to=2026-11-17&field=attended_days": 200,
		"/departments/all?date=2026-11-17&who=late":                                200,
		"/period?from=2026-11-01&to=2026-11-17&who=late_count":                     200,
		"/period": 200,
		"/period?from=2026-10-26&to=2026-11-17&sort=late_minutes": 200,
		"/period?from=2026-10-15&to=2026-10-25":                   409,
		"/sync":                                                   200,
		"/admin/users":                                            200,
		"/reconcile":                                              200,
		"/reconcile?estimate=1&from=2026-11-09&to=2026-11-13": 200,
		"/reconcile/1":                          404,
		"/admin/audit":                          200,
		"/reminders":                            200,
		"/reminders/rules/1":                    404,
		"/no/such/page":                         404,
		"/today?date=2026-02-30":                400,
		"/period?from=2026-11-17&to=2026-11-01": 400,
		"/today?date=2026-11-19":                409,
		"/departments/" + sprint(e.mgrDept) + "?status=asleep": 400,
		"/punches?from=2026-11-16&to=2026-11-17":               200,
		"/punches?method=pigeon":                               400,
		"/employees/" + emp + "/days/2026-11-17":               200,
		"/methods?from=2026-11-09&to=2026-11-17":               200,
		"/review?from=2026-11-09&to=2026-11-17":                200,
	}
	// Every page route is read here: a new page must say what to read of it.
	for _, route := range e.srv.Routes() {
		method, pattern, _ := strings.Cut(route, " ")
		if method != "GET" || strings.HasPrefix(pattern, "/api/") || slices.Contains([]string{"/healthz", "/static/", "/metrics",
			"/login", "/{$}", "/today/board"}, pattern) {
			continue
		}
		prefix, _, _ := strings.Cut(pattern, "{")
		covered := false
		for path := range pages {
			p, _, _ := strings.Cut(path, "?")
			covered = covered || p == pattern || (strings.Contains(pattern, "{") && strings.HasPrefix(p, prefix))
		}
		if !covered {
			t.Errorf("the page %s is not read by this test: add it to pages", route)
		}
	}
	for path, status := range pages {
		resp := c.get(path)
		if resp.StatusCode != status {
			t.Errorf("%s: status %d, want %d", path, resp.StatusCode, status)
			continue
		}
		// The accounts' names, the bad value of a request echoed back, a key cap.
		for _, w := range englishWords(resp.text(), "admin", "hr", "boss", "asleep", "Ctrl", "pigeon") {
			t.Errorf("%s in Chinese says %q", path, w)
		}
	}
	// The login form, and its answers.
	anon := e.anon()
	for _, w := range englishWords(anon.get("/login").text()) {
		t.Errorf("/login in Chinese says %q", w)
	}
	resp := anon.postForm("/login", url.Values{"name": {"admin"}, "password": {"wrong password"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong password: %d", resp.StatusCode)
	}
	for _, w := range englishWords(resp.text()) {
		t.Errorf("the login form's answer in Chinese says %q", w)
	}
	// The API's errors too.
	for _, path := range []string{"/api/v1/daily?date=2026-02-30", "/api/v1/nothing", "/api/v1/daily?date=2026-11-19", "/api/v1/users?limit=x"} {
		b := errorBody(t, c.get(path))
		for _, w := range englishWords(html.EscapeString(b.Message), "kaoqin", "sync", "from", "to", "api", "v1", "openapi", "json") {
			t.Errorf("%s: the error says %q in a Chinese message %q", path, w, b.Message)
		}
	}
}

// englishWords returns the English words of a page's text and attribute words, apart from
// <script>, <style> and <code>, elements marked lang="en", and the allowed words.
func englishWords(page string, allowed ...string) []string {
	allowed = append(allowed, "XLSX", "CSV", "IP", "UserId", "Wi-Fi") // Wi-Fi is what Chinese says too
	page = regexp.MustCompile(`(?is)<(script|style|code)\b[^>]*>.*?</(script|style|code)>|<![^>]*>`).ReplaceAllString(page, " ")
	tag := regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)
	attr := regexp.MustCompile(`\b(title|aria-label|placeholder|alt)="([^"]*)"`)
	void := map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
		"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}
	var texts []string
	skip := 0 // depth inside an element marked lang="en"
	last := 0
	for _, m := range tag.FindAllStringSubmatchIndex(page, -1) {
		if skip == 0 {
			texts = append(texts, page[last:m[0]])
		}
		last = m[1]
		closing, name, attrs := page[m[2]:m[3]] == "/", strings.ToLower(page[m[4]:m[5]]), page[m[6]:m[7]]
		switch {
		case skip > 0 && closing:
			skip--
		case skip > 0 && !void[name]:
			skip++
		case skip > 0:
		case strings.Contains(attrs, `lang="en"`) && name != "html":
			if !void[name] {
				skip = 1
			}
		default:
			for _, a := range attr.FindAllStringSubmatch(attrs, -1) {
				texts = append(texts, a[2])
			}
		}
	}
	texts = append(texts, page[last:])
	var out []string
	word := regexp.MustCompile(`[A-Za-z][A-Za-z'-]+`)
	for _, t := range texts {
		for _, w := range word.FindAllString(html.UnescapeString(t), -1) {
			if !slices.Contains(allowed, w) && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}
