package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// The pages are Chinese by default; "?lang=en" (remembered in a cookie) switches to English
// on every page, and the API's error messages follow the same choice. The words are in
// words.go, one entry per key with both languages, so that a key missing in one language
// cannot happen; a key missing altogether fails the page's rendering (and the tests) instead
// of showing nothing. Durations, minutes and ranges are said here, in words people use
// ("10 分钟", "1 h 5 min"), never as Go writes them ("10m0s").
//
// Errors meant for the user are made with errorf (a code, a dictionary key and its
// arguments): the English words are the kaoqin.Error's message (logs, scripts), and the page
// or API says them in the reader's language. Errors from other packages are said by their
// code in Chinese (their English message is English only).

const langCookie = "kaoqin_lang"

// langOf returns the language of a request: ?lang=, else the cookie, else Chinese.
func langOf(r *http.Request) report.Lang {
	if l, err := report.ParseLang(r.URL.Query().Get("lang")); err == nil && r.URL.Query().Get("lang") != "" {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && c.Value == string(report.English) {
		return report.English
	}
	return report.Chinese
}

// rememberLang keeps a language chosen with ?lang= in a cookie.
func rememberLang(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query().Get("lang")
	if v != string(report.Chinese) && v != string(report.English) {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: v, Path: "/", MaxAge: int(365 * 24 * time.Hour / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// tr returns the words of key in lang.
func tr(lang report.Lang, key string) (string, error) {
	w, ok := dictionary[key]
	if !ok {
		return "", fmt.Errorf("no words for %q", key)
	}
	if lang == report.English {
		return w[1], nil
	}
	return w[0], nil
}

// tr0 is tr for keys known to exist.
func tr0(lang report.Lang, key string) string {
	s, err := tr(lang, key)
	if err != nil {
		return key
	}
	return s
}

// trOr returns the words of key, or fallback when there are none: for names made from values
// another package may add to (the kinds of sync runs).
func trOr(lang report.Lang, key, fallback string) string {
	if _, ok := dictionary[key]; !ok {
		return fallback
	}
	return tr0(lang, key)
}

// trf formats the words of key with args.
func trf(lang report.Lang, key string, args ...any) (string, error) {
	f, err := tr(lang, key)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(f, args...), nil
}

// userError is an error for the dashboard's reader, in both languages.
type userError struct {
	err  *kaoqin.Error // the code, and the English words
	key  string
	args []any
}

func (e *userError) Error() string { return e.err.Error() }
func (e *userError) Unwrap() error { return e.err }

// errorf returns an error with code whose message is the words of key with args: English in
// kaoqin.ErrorMessage, the reader's language on pages and in the API. An argument that is a
// word (see word) is said in each language.
func errorf(code, key string, args ...any) error {
	w, ok := dictionary[key]
	if !ok {
		panic("web: no words for error " + key)
	}
	return &userError{err: kaoqin.Errorf(code, w[1], sayArgs(report.English, args)...), key: key, args: args}
}

// word is a word in both languages, as an argument of errorf: {Chinese, English}.
type word [2]string

// sayArgs returns args with each word said in lang.
func sayArgs(lang report.Lang, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if w, ok := a.(word); ok {
			a = w[0]
			if lang == report.English {
				a = w[1]
			}
		}
		out[i] = a
	}
	return out
}

// errorMessage says err in lang: its own words if it is a userError, else its code's.
func errorMessage(lang report.Lang, err error) string {
	var ue *userError
	if errors.As(err, &ue) {
		// TestDictionary checks that every key has both languages.
		return fmt.Sprintf(tr0(lang, ue.key), sayArgs(lang, ue.args)...)
	}
	var lo *lockedOut
	if asLockedOut(err, &lo) {
		return fmt.Sprintf(tr0(lang, "login_throttled_wait"), lo.seconds())
	}
	var ns *notSyncedError
	if asNotSynced(err, &ns) && len(ns.missing) > 0 {
		return fmt.Sprintf(tr0(lang, "err_not_synced"), daySpans(lang, ns.missing), ns.missing[0], ns.missing[len(ns.missing)-1])
	}
	code := kaoqin.ErrorCode(err)
	if lang == report.English && code != kaoqin.EINTERNAL {
		return kaoqin.ErrorMessage(err)
	}
	if _, ok := dictionary["err_code_"+code]; ok {
		return tr0(lang, "err_code_"+code)
	}
	return tr0(lang, "err_code_internal")
}

// sayDuration says d the way people do: "不到 1 秒", "45 秒", "10 分钟", "1 小时 5 分钟"; in
// English "under 1 s", "45 s", "10 min", "1 h 5 min".
func sayDuration(lang report.Lang, d time.Duration) string {
	en := lang == report.English
	switch {
	case d < time.Second:
		if en {
			return "under 1 s"
		}
		return "不到 1 秒"
	case d < time.Minute:
		s := int(d.Round(time.Second) / time.Second)
		if en {
			return fmt.Sprintf("%d s", s)
		}
		return fmt.Sprintf("%d 秒", s)
	case d < 10*time.Minute && d%time.Minute >= time.Second:
		d = d.Round(time.Second)
		m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
		if en {
			return fmt.Sprintf("%d min %d s", m, s)
		}
		return fmt.Sprintf("%d 分 %d 秒", m, s)
	}
	return sayMinutes(lang, int(d.Round(time.Minute)/time.Minute))
}

// sayMinutes says a number of minutes: "12 分钟", "1 小时 5 分钟", "2 小时"; "12 min",
// "1 h 5 min", "2 h".
func sayMinutes(lang report.Lang, m int) string {
	en := lang == report.English
	h, m := m/60, m%60
	switch {
	case h == 0 && en:
		return fmt.Sprintf("%d min", m)
	case h == 0:
		return fmt.Sprintf("%d 分钟", m)
	case m == 0 && en:
		return fmt.Sprintf("%d h", h)
	case m == 0:
		return fmt.Sprintf("%d 小时", h)
	case en:
		return fmt.Sprintf("%d h %d min", h, m)
	}
	return fmt.Sprintf("%d 小时 %d 分钟", h, m)
}

// sayInterval says a duration written as Go writes it ("10m0s", "10m"), or returns it as it
// is if it is not one.
func sayInterval(lang report.Lang, s string) string {
	d, err := time.ParseDuration(s)
	if err != nil {
		return s
	}
	return sayDuration(lang, d)
}

// sayHours says a span of the day such as "08:00-19:00"; the whole day is "全天" / "all day".
func sayHours(lang report.Lang, hours string) string {
	if hours == "" || hours == "00:00-24:00" {
		return tr0(lang, "all_day")
	}
	from, to, ok := strings.Cut(hours, "-")
	if !ok {
		return hours
	}
	return span(lang, from, to)
}

// span says a range of dates or times: "2026-11-01 至 2026-11-30", "2026-11-01 – 2026-11-30";
// one day is itself.
func span(lang report.Lang, from, to string) string {
	if from == to {
		return from
	}
	if lang == report.English {
		return from + " – " + to
	}
	return from + " 至 " + to
}

// daySpans writes sorted days as ranges: "2026-11-03 至 2026-11-05、2026-11-09".
func daySpans(lang report.Lang, days []string) string {
	var parts []string
	for lo := 0; lo < len(days); {
		hi := lo
		for hi+1 < len(days) && days[hi+1] == kaoqin.AddDays(days[hi], 1) {
			hi++
		}
		parts = append(parts, span(lang, days[lo], days[hi]))
		lo = hi + 1
	}
	sep := "、"
	if lang == report.English {
		sep = ", "
	}
	return strings.Join(parts, sep)
}

// weekday returns the day of the week of a work date.
func weekday(lang report.Lang, day string) string {
	t, err := time.Parse(kaoqin.DateLayout, day)
	if err != nil {
		return ""
	}
	if lang == report.English {
		return t.Weekday().String()[:3]
	}
	return [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}[t.Weekday()]
}

// listSep joins names: "、" in Chinese, ", " in English.
func listSep(lang report.Lang) string {
	if lang == report.English {
		return ", "
	}
	return "、"
}

// reconcileWords are the reconciliation pages' (reconcile.go), merged into dictionary.
var reconcileWords = map[string][2]string{
	"rc_title":           {"与钉钉报表对账", "Reconcile with DingTalk's report"},
	"rc_intro":           {"逐人逐日比对本系统的周期报表与钉钉智能报表，并说明每处差异的原因。每人每月约 2 次计量调用；抽样人数为 0 时比对全部。", "Compares kaoqin's period report with DingTalk's smart report person by person and day by day, and explains every difference. About 2 metered calls a person a month; a sample of 0 compares everyone."},
	"rc_company":         {"全公司", "Company"},
	"rc_sample":          {"抽样人数", "Sample"},
	"rc_estimate":        {"估算", "Estimate"},
	"rc_run":             {"开始对账", "Reconcile now"},
	"rc_plan_title":      {"预计", "Estimate"},
	"rc_plan_people":     {"比对人数", "People compared"},
	"rc_plan_left":       {"已离职（不查询）", "left (not asked about)"},
	"rc_plan_calls":      {"计量调用", "metered calls"},
	"rc_plan_verify":     {"核实差异最多另需", "at most, to explain differences"},
	"rc_plan_budget":     {"本月剩余", "Left this month"},
	"rc_plan_reserved":   {"其中留给夜间同步", "of which kept for the nightly syncs"},
	"rc_list_title":      {"对账记录", "Reconciliations"},
	"rc_list_empty":      {"还没有对账记录。", "No reconciliation yet."},
	"rc_when":            {"时间", "When"},
	"rc_by":              {"发起人", "By"},
	"rc_range":           {"日期", "Days"},
	"rc_people":          {"人数", "People"},
	"rc_differences":     {"差异", "Differences"},
	"rc_metered":         {"计量调用", "Metered calls"},
	"rc_status_running":  {"进行中", "running"},
	"rc_status_ok":       {"完成", "done"},
	"rc_status_failed":   {"失败", "failed"},
	"rc_detail_title":    {"对账 #%d", "Reconciliation #%d"},
	"rc_back":            {"全部对账", "All reconciliations"},
	"rc_running":         {"对账进行中，本页会自动刷新。", "Running: this page refreshes itself."},
	"rc_summary":         {"比对 %d 人，%d 人一致，%d 处差异", "%d people compared, %d agree, %d differences"},
	"rc_calls_summary":   {"计量调用 %d 次（预计 %d 次，核实差异 %d 次）", "%d metered calls (%d planned, %d to explain the differences)"},
	"rc_none":            {"没有差异：本系统与钉钉报表一致。", "No difference: kaoqin and DingTalk's report agree."},
	"rc_field":           {"项目", "Field"},
	"rc_kaoqin":          {"本系统", "kaoqin"},
	"rc_dingtalk":        {"钉钉", "DingTalk"},
	"rc_days":            {"不同的日子与原因", "Days that differ, and why"},
	"rc_checks_link":     {"查看当天的打卡", "the day's checks"},
	"rc_notes":           {"说明", "Notes"},
	"rc_not_compared":    {"未比对", "Not compared"},
	"rc_err_refused":     {"本次对账约需 %d 次计量调用（每人 %d 次），本月还剩 %d 次，其中 %d 次要留给剩余日子的夜间同步：请减少比对人数（抽样 %d 人可行）、缩短日期，或等 %s 额度重置后再对账。", "This reconciliation needs about %d metered calls (%d a person); the month has %d left, %d of them kept for the nightly syncs of the days left: compare fewer people (a sample of %d fits), a shorter range, or wait for the quota to reset on %s."},
	"rc_err_ended":       {"对账的日期须已结束：结束日期最晚为 %s（进行中的日子，钉钉报表尚未定稿）。", "Reconcile days that have ended: the last day may be %s at the latest (DingTalk's report of a day in progress is not final)."},
	"rc_unverified_note": {"本月额度不足以向钉钉核实这些差异：请用 --refetch 重新同步这些日子，或在额度重置后再次对账。", "The month's budget did not allow asking DingTalk about these differences: sync the days again with --refetch, or reconcile again after the quota resets."},
	"rc_sync_link":       {"与钉钉报表对账：逐人逐日比对本系统与钉钉智能报表，说明每处差异的原因", "Reconcile with DingTalk's report: compare kaoqin with DingTalk's smart report person by person and day by day, and see why they differ"},
	"action_reconcile":   {"对账", "reconciled"},
}

func init() { maps.Copy(dictionary, reconcileWords) }

// describeSchedule says what the scheduled syncs do, in lang.
func describeSchedule(lang report.Lang, s Schedule) (string, error) {
	if !s.Enabled {
		return tr(lang, "schedule_off")
	}
	var parts []string
	add := func(part string, err error) error {
		parts = append(parts, part)
		return err
	}
	if s.Nightly != "" {
		if err := add(trf(lang, "schedule_nightly", s.Nightly, s.ReconcileDays)); err != nil {
			return "", err
		}
	}
	var err error
	switch {
	case s.LiveOff:
		err = add(tr(lang, "schedule_live_off"))
	case s.LiveEvery == "":
		err = add(tr(lang, "schedule_live_plan"))
	default:
		err = add(trf(lang, "schedule_live_every", sayHours(lang, s.Hours), sayInterval(lang, s.LiveEvery)))
	}
	sep := "；"
	if lang == report.English {
		sep = "; "
	}
	return strings.Join(parts, sep), err
}

// eventWords are the words of DingTalk's events on the pages: the live board's source and the
// push budget (the sync page's budget block, the board's source line).
var eventWords = map[string][2]string{
	"push_title":              {"本月事件推送", "Event pushes this month"},
	"pushes_counted":          {"次计入推送额度（考勤事件；通讯录事件不计）", "pushes counted (attendance events; contacts events are free)"},
	"push_duplicates":         {"重复投递", "duplicate deliveries"},
	"push_hint":               {"钉钉按月计算事件推送（免费版每月 3,000 次），打卡事件与群机器人消息共用此额度。", "DingTalk counts Webhook and Stream pushes per month (3,000 on the free tier); punch events and group robot messages share them."},
	"calls_run_out":           {"按本月目前的速度，计量调用将于 %s 用完：可减少实时拉取，或购买更高版本。", "At this month's pace the metered calls run out on %s: pull less often (KAOQIN_SYNC_LIVE) or buy a larger edition."},
	"pushes_run_out":          {"按本月目前的速度，推送额度将于 %s 用完，之后看板改用轮询：可在开发者后台取消订阅打卡事件、改用轮询，或购买更高版本。", "At this month's pace the pushes run out on %s and the board falls back to polls: unsubscribe the punch event in the developer console, poll instead (KAOQIN_EVENTS=off), or buy a larger edition."},
	"pushes_last":             {"按本月目前的速度，推送额度够用到月底。", "At this month's pace the pushes last the month."},
	"live_paused_events":      {"钉钉事件推送承载看板时暂停实时拉取；事件连接中断超过 3 分钟或本月推送额度用完时恢复。", "Live pulls pause while DingTalk's events carry the board; they resume when the event connection has been down for 3 minutes or the month's pushes are spent."},
	"source_events":           {"数据来源：钉钉事件推送，最近一条在 %s前", "Source: DingTalk's events, last %s ago"},
	"source_events_none":      {"数据来源：钉钉事件推送（暂无事件）", "Source: DingTalk's events (none yet)"},
	"source_events_board":     {"数据来源：钉钉事件推送，打卡即时显示", "Source: DingTalk's events, punches shown as they come"},
	"source_polls":            {"数据来源：每 %s拉取一次（%s）", "Source: polls every %s: %s"},
	"source_budget_polls":     {"数据来源：按配额预算拉取（%s）", "Source: budgeted polls: %s"},
	"source_no_polls":         {"数据来源：不实时拉取（%s）", "Source: no live polls: %s"},
	"source_why_pushes_spent": {"本月推送额度已用完", "push budget spent"},
	"source_why_link_down":    {"事件连接自 %s 起中断", "the event connection is down since %s"},
	"source_why_no_link":      {"没有实例连接钉钉事件", "no instance takes DingTalk's events"},
	"source_why_off":          {"未开启事件推送", "events are off"},
	"refreshes_fast":          {"每 2 秒自动刷新", "refreshes every 2 s"},
}

func init() {
	for k, w := range eventWords {
		if _, dup := dictionary[k]; dup {
			panic("web: the words of " + k + " are given twice")
		}
		dictionary[k] = w
	}
}
