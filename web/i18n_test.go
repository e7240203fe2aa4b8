package web

import (
	"os"
	"regexp"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// TestDictionary checks that every key the templates and the code build exists, in both
// languages: the keys written out in templates, and the ones made from values (roles, day
// statuses, DingTalk's results, run statuses, audit actions, error statuses).
func TestDictionary(t *testing.T) {
	t.Parallel()
	keys := map[string]bool{}
	re := regexp.MustCompile(`trf? [$.\w]+ "([a-z_0-9]+)"`)
	for _, name := range append(pageNames, "layout", "parts") {
		data, err := os.ReadFile("templates/" + name + ".html")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			keys[m[1]] = true
		}
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys in the templates: is the pattern right?", len(keys))
	}
	for _, r := range []string{kaoqin.RoleAdmin, kaoqin.RoleHR, kaoqin.RoleManager} {
		keys["role_"+r] = true
	}
	for _, s := range append(statusOrder, report.StatusNone) {
		keys["status_"+s] = true
	}
	for _, r := range []string{kaoqin.TimeNormal, kaoqin.TimeEarly, kaoqin.TimeLate, kaoqin.TimeSeriousLate, kaoqin.TimeAbsenteeism, kaoqin.TimeNotSigned} {
		keys["result_"+r] = true
	}
	for _, c := range []string{kaoqin.OnDuty, kaoqin.OffDuty} {
		keys["check_"+c] = true
	}
	for _, s := range []string{kaoqin.RunRunning, kaoqin.RunOK, kaoqin.RunFailed, kaoqin.RunInterrupted} {
		keys["run_"+s] = true
	}
	for _, a := range []string{actionExport, actionViewEmployee} {
		keys["action_"+a] = true
	}
	for _, st := range statusOf {
		keys["error_"+itoa(st)] = true
	}
	for _, k := range []string{"login_wrong", "login_throttled", "login_failed", "not_synced_title"} {
		keys[k] = true
	}
	for k := range keys {
		w, ok := dictionary[k]
		if !ok {
			t.Errorf("no words for %q", k)
		} else if w[0] == "" || w[1] == "" {
			t.Errorf("%q lacks a language: %q", k, w)
		}
	}
}

func TestSafeNext(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                     "/today",
		"/period?from=x":       "/period?from=x",
		"//evil.example":       "/today",
		"/\\evil.example":      "/today",
		"https://evil.example": "/today",
		"today":                "/today",
		"/a\r\nSet-Cookie:x":   "/today",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
