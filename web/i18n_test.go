package web

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/notify"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/syncer"
)

// TestDictionary checks the words: every key the templates and the code use exists, in both
// languages, with the same formatting verbs in each (a Chinese "%s" cannot meet an English
// "%d"); the keys made from values (roles, day statuses, presence, DingTalk's results, kinds
// of runs, audit actions, error statuses) exist for every value; and no key is left unused.
func TestDictionary(t *testing.T) {
	t.Parallel()
	used := map[string]bool{}
	// Keys written out: in the templates ("tr .Lang "key"") and in the code ("key" as a string
	// literal naming a key, e.g. errorf(code, "err_bad_date", ...)).
	tmplKey := regexp.MustCompile(`tr[f]? [$.\w]+ "([a-z_0-9+]+)"`)
	literal := regexp.MustCompile(`"([a-z][a-z_0-9+]*)"`)
	files, err := filepath.Glob("templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	goFiles, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(files, goFiles...) {
		if strings.HasSuffix(f, "_test.go") || f == "words.go" || f == "reminders_words.go" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		re := literal
		if strings.HasSuffix(f, ".html") {
			re = tmplKey
			for _, m := range literal.FindAllStringSubmatch(string(data), -1) {
				if _, ok := dictionary[m[1]]; ok {
					used[m[1]] = true // keys passed to partials, e.g. (dict "Label" "name")
				}
			}
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			if _, ok := dictionary[m[1]]; ok || strings.HasSuffix(f, ".html") {
				used[m[1]] = true
			}
		}
	}
	if len(used) < 200 {
		t.Fatalf("found only %d keys in use: are the patterns right?", len(used))
	}
	// Keys made from values.
	made := func(prefix string, values ...string) {
		for _, v := range values {
			used[prefix+v] = true
		}
	}
	made("role_", kaoqin.RoleAdmin, kaoqin.RoleHR, kaoqin.RoleManager)
	made("status_", append(statusOrder, report.StatusNone, "unsynced")...)
	made("presence_", presenceOrder...)
	made("day_state_", dayStateNames...)
	made("overnight_", overnightStates...)
	made("method_", append(kaoqin.Methods, "")...)
	made("flag_", report.FlagInvalidPunch, report.FlagSharedDevice, report.FlagNotByPerson, report.FlagFarFromBase, report.FlagSameMinute)
	made("result_", kaoqin.TimeNormal, kaoqin.TimeEarly, kaoqin.TimeLate, kaoqin.TimeSeriousLate, kaoqin.TimeAbsenteeism, kaoqin.TimeNotSigned)
	made("check_", kaoqin.OnDuty, kaoqin.OffDuty)
	made("run_", kaoqin.RunRunning, kaoqin.RunOK, kaoqin.RunFailed, kaoqin.RunInterrupted)
	made("run_kind_", syncer.KindFull, syncer.KindOrg, syncer.KindAttendance, syncer.KindLive, syncer.KindRefetch)
	made("action_", auditActions...)
	made("report_", "daily", "period", "not_checked_in", "punches", "review")
	made("lang_", string(report.Chinese), string(report.English))
	made("preset_", "this_month", "last_month", "this_cycle", "last_cycle")
	for code, st := range statusOf {
		made("error_", itoa(st))
		made("err_code_", code)
	}
	made("err_code_", kaoqin.EINTERNAL)
	for k := range notify.Words {
		used["notify_"+k] = true // package notify's refusals (notifyError)
	}
	for _, k := range reminderValueKeys {
		used[k] = true
	}
	for _, c := range periodColumns {
		used[c.Label] = true
	}
	for _, k := range []string{"user_done_create", "user_done_update", "user_done_password", "user_done_disable",
		"user_done_enable", "settings_saved", "login_wrong", "login_throttled", "login_failed", "login_disabled", "not_synced_title"} {
		used[k] = true
	}
	verb := regexp.MustCompile(`%(\[\d+\])?[a-z]`)
	verbs := func(s string) []string {
		vs := verb.FindAllString(s, -1)
		for i, v := range vs { // %[2]s and %s are the same verb, in another order
			vs[i] = v[len(v)-1:]
		}
		slices.Sort(vs)
		return vs
	}
	for k := range used {
		w, ok := dictionary[k]
		switch {
		case !ok:
			t.Errorf("no words for %q", k)
		case w[0] == "" || w[1] == "":
			t.Errorf("%q lacks a language: %q", k, w)
		case !slices.Equal(verbs(w[0]), verbs(w[1])):
			t.Errorf("%q: the Chinese %q and the English %q format different values", k, w[0], w[1])
		}
	}
	for k := range dictionary {
		if !used[k] {
			t.Errorf("%q is in the dictionary but nothing says it", k)
		}
	}
}

// TestSayDuration checks durations and minutes in the words people use, never Go's "10m0s".
func TestSayDuration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d      time.Duration
		zh, en string
	}{
		{300 * time.Millisecond, "不到 1 秒", "under 1 s"},
		{45 * time.Second, "45 秒", "45 s"},
		{65 * time.Second, "1 分 5 秒", "1 min 5 s"},
		{10 * time.Minute, "10 分钟", "10 min"},
		{65 * time.Minute, "1 小时 5 分钟", "1 h 5 min"},
		{2 * time.Hour, "2 小时", "2 h"},
	} {
		if got := sayDuration(report.Chinese, tc.d); got != tc.zh {
			t.Errorf("sayDuration(zh, %s) = %q, want %q", tc.d, got, tc.zh)
		}
		if got := sayDuration(report.English, tc.d); got != tc.en {
			t.Errorf("sayDuration(en, %s) = %q, want %q", tc.d, got, tc.en)
		}
	}
	if got := sayInterval(report.Chinese, "10m0s"); got != "10 分钟" {
		t.Errorf("sayInterval(10m0s) = %q", got)
	}
	if got := sayHours(report.Chinese, "00:00-24:00"); got != "全天" {
		t.Errorf("sayHours(00:00-24:00) = %q, want 全天", got)
	}
	if got := sayHours(report.English, "08:00-19:00"); got != "08:00 – 19:00" {
		t.Errorf("sayHours(08:00-19:00) = %q", got)
	}
}

// TestErrorMessage: an error made with errorf is said in the reader's language; one from
// another package by its code in Chinese, and as it is in English.
func TestErrorMessage(t *testing.T) {
	t.Parallel()
	err := errorf(kaoqin.EINVALID, "err_bad_page", "0")
	if got := errorMessage(report.Chinese, err); got != `页码 "0" 有误：应为从 1 开始的整数。` {
		t.Errorf("zh: %q", got)
	}
	if got := kaoqin.ErrorMessage(err); got != `bad page "0": want a whole number from 1` {
		t.Errorf("the English words are not the error's message: %q", got)
	}
	if kaoqin.ErrorCode(err) != kaoqin.EINVALID {
		t.Errorf("code %q", kaoqin.ErrorCode(err))
	}
	other := kaoqin.Errorf(kaoqin.ENOTFOUND, "department 5 not found")
	if got := errorMessage(report.Chinese, other); got != dictionary["err_code_not_found"][0] {
		t.Errorf("zh of a foreign error: %q", got)
	}
	if got := errorMessage(report.English, other); got != "department 5 not found" {
		t.Errorf("en of a foreign error: %q", got)
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
