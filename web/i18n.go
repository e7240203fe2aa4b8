package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin/report"
)

// The pages are Chinese by default; "?lang=en" (remembered in a cookie) switches to English
// on every page. The words are here, one entry per key with both languages, so that a key
// missing in one language cannot happen; a key missing altogether fails the page's rendering
// (and the tests) instead of showing nothing.

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

// trf formats the words of key with args.
func trf(lang report.Lang, key string, args ...any) (string, error) {
	f, err := tr(lang, key)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(f, args...), nil
}

// dictionary holds {Chinese, English} for every key.
var dictionary = map[string][2]string{
	"app_name":        {"考勤", "Attendance"},
	"skip_to_content": {"跳到正文", "Skip to content"},
	"nav_label":       {"主导航", "Main"},
	"nav_today":       {"今日", "Today"},
	"nav_period":      {"周期报表", "Period report"},
	"nav_sync":        {"同步", "Sync"},
	"nav_admin":       {"管理", "Admin"},
	"language":        {"语言", "Language"},
	"logout":          {"退出", "Log out"},
	"role":            {"角色", "Role"},
	"role_admin":      {"管理员", "admin"},
	"role_hr":         {"人事", "HR"},
	"role_manager":    {"部门主管", "manager"},

	"login_title":     {"登录", "Log in"},
	"login_name":      {"用户名", "Name"},
	"login_password":  {"密码", "Password"},
	"login_button":    {"登录", "Log in"},
	"login_wrong":     {"用户名或密码错误。", "Wrong name or password."},
	"login_throttled": {"登录失败次数过多，请稍后再试。", "Too many failed logins: wait before trying again."},
	"login_failed":    {"登录失败，请稍后再试。", "Login failed; try again later."},
	"retry_in":        {"%d 秒后可重试", "try again in %d s"},

	"today_title":         {"今日考勤", "Today's attendance"},
	"company_line":        {"全公司", "Company"},
	"departments":         {"部门", "Departments"},
	"department":          {"部门", "Department"},
	"date":                {"日期", "Date"},
	"from":                {"从", "From"},
	"to":                  {"到", "To"},
	"show":                {"查看", "Show"},
	"all":                 {"全部", "All"},
	"all_mine":            {"全部（我可查看的）", "All I may see"},
	"back_to_all":         {"返回全部", "Back to all"},
	"dept_details":        {"部门明细", "Department details"},
	"board_of_dept":       {"本部门看板", "This department's board"},
	"who_and_checks":      {"人员与打卡", "People and checks"},
	"synced_at":           {"同步于", "Synced at"},
	"last_pull":           {"最近拉取", "last pull"},
	"generated_at":        {"生成于", "Generated at"},
	"final":               {"已定稿", "final"},
	"refreshes":           {"每分钟自动刷新", "refreshes every minute"},
	"not_checked_in_list": {"未打卡人员", "Not checked in"},
	"everyone_in":         {"应到人员均已打卡。", "Everyone scheduled has checked in."},
	"dept_tree":           {"部门树", "Department tree"},
	"name":                {"姓名", "Name"},
	"employees":           {"员工", "Employees"},
	"status":              {"状态", "Status"},
	"checks":              {"打卡", "Checks"},
	"nobody":              {"没有人员。", "Nobody."},
	"on_leave":            {"请假", "on leave"},
	"outside":             {"外勤", "outside"},
	"approved":            {"有审批", "approved"},
	"pending":             {"待打卡", "not yet due"},
	"no_punch":            {"未打卡", "no punch"},
	"no_checks":           {"无排班", "no checks"},

	"c_headcount":        {"人数", "Headcount"},
	"c_scheduled":        {"应到", "Scheduled"},
	"c_checked_in":       {"已到", "Checked in"},
	"c_not_checked_in":   {"未到", "Not in"},
	"c_late":             {"迟到", "Late"},
	"c_serious_late":     {"严重迟到", "Seriously late"},
	"c_absenteeism_late": {"旷工迟到", "Absenteeism-late"},
	"c_early":            {"早退", "Left early"},
	"c_missing_on_duty":  {"上班缺卡", "Missing on-duty"},
	"c_absent":           {"旷工", "Absent"},
	"c_on_leave":         {"请假", "On leave"},
	"c_outside":          {"外勤", "Outside"},
	"checked_in_rate":    {"到岗率", "Checked-in rate"},

	"status_absent":  {"旷工", "absent"},
	"status_missing": {"缺卡", "missing check"},
	"status_late":    {"迟到", "late"},
	"status_early":   {"早退", "left early"},
	"status_leave":   {"请假", "on leave"},
	"status_pending": {"待打卡", "not yet due"},
	"status_normal":  {"正常", "normal"},
	"status_rest":    {"休息", "rest"},
	"status_none":    {"不在范围", "not in scope"},

	"check_OnDuty":       {"上班", "On"},
	"check_OffDuty":      {"下班", "Off"},
	"result_Normal":      {"正常", "normal"},
	"result_Early":       {"早退", "early"},
	"result_Late":        {"迟到", "late"},
	"result_SeriousLate": {"严重迟到", "seriously late"},
	"result_Absenteeism": {"旷工迟到", "absenteeism-late"},
	"result_NotSigned":   {"未打卡", "not signed"},

	"trend_title":   {"近 30 天", "Last 30 days"},
	"trend_missing": {"以下日期尚未同步，图表从其后开始：", "Not synced yet, so the chart starts after them:"},
	"trend_none":    {"这一天尚未同步，暂无图表。", "This day has not been synced: no chart yet."},
	"as_table":      {"以表格查看", "As a table"},

	"calendar_title":   {"考勤日历", "Attendance calendar"},
	"calendar_missing": {"以下日期尚未同步，未显示：", "Not synced yet, so not shown:"},
	"days_and_checks":  {"每日打卡", "Days and checks"},
	"no_days":          {"这段时间没有记录。", "Nothing in this range."},
	"summary":          {"汇总", "Summary"},

	"period_title":             {"周期报表", "Period report"},
	"period_final":             {"所有日期均已定稿", "Every day is final"},
	"period_not_final":         {"含未定稿日期（当天结束前同步）", "Some days are not final (synced before they ended)"},
	"download":                 {"下载", "Download"},
	"download_hint":            {"与 kaoqin report period 导出的文件一致", "the same file kaoqin report period writes"},
	"by_department":            {"按部门", "By department"},
	"by_employee":              {"按员工", "By employee"},
	"p_scheduled_days":         {"应出勤天数", "Scheduled days"},
	"p_attended_days":          {"出勤天数", "Attended days"},
	"p_late_count":             {"迟到次数", "Late"},
	"p_late_minutes":           {"迟到分钟", "Late min"},
	"p_serious_late_count":     {"严重迟到次数", "Seriously late"},
	"p_absenteeism_late_count": {"旷工迟到次数", "Absenteeism-late"},
	"p_early_count":            {"早退次数", "Early"},
	"p_missing_on_duty_count":  {"上班缺卡", "Missing on"},
	"p_missing_off_duty_count": {"下班缺卡", "Missing off"},
	"p_absent_days":            {"旷工天数", "Absent days"},
	"p_leave_days":             {"请假天数", "Leave days"},
	"p_outside_count":          {"外勤次数", "Outside"},
	"pages":                    {"分页", "Pages"},
	"prev":                     {"上一页", "Previous"},
	"next":                     {"下一页", "Next"},
	"page_of":                  {"第 %d / %d 页", "Page %d of %d"},

	"sync_title":           {"同步", "Sync"},
	"sync_now":             {"立即同步", "Sync now"},
	"sync_started":         {"同步已开始，完成后本页显示结果。", "The sync has started; its run shows here when done."},
	"quota_title":          {"本月计量调用", "Metered calls this month"},
	"metered_calls":        {"次计量调用", "metered calls"},
	"remaining":            {"剩余", "left"},
	"all_calls":            {"全部调用", "all calls"},
	"throttled":            {"限流", "Throttled"},
	"failed":               {"失败", "failed"},
	"quota_hint":           {"考勤接口按月计量；同一企业的其他应用也会消耗额度。", "Attendance calls are metered per month; other apps of the org spend the same quota."},
	"engine_title":         {"同步引擎", "Sync engine"},
	"engine_running":       {"正在同步", "Syncing now"},
	"engine_idle":          {"空闲", "Idle"},
	"engine_scheduler":     {"本实例负责定时同步", "this instance runs the schedule"},
	"schedule_off":         {"定时同步已关闭（--no-schedule）：仅在手动触发时同步", "schedule off (--no-schedule): syncs run only when asked"},
	"schedule_nightly":     {"每晚 %s 同步组织架构，并补齐最近 %d 天尚未定稿的考勤", "nightly at %s: the org chart and the days of the last %d not final yet"},
	"schedule_live_off":    {"不拉取今日实时数据", "no live pulls of today"},
	"schedule_live_plan":   {"今日实时拉取由本月配额预算安排（上班时间之后）", "today's live pulls when the month's quota budget allows them (after shift starts)"},
	"schedule_live_every":  {"%s 期间每 %s 拉取今日数据，不超出本月预算中今日的份额", "today's live pulls during %s every %s, within today's share of the month's budget"},
	"engine_not_scheduler": {"定时同步由其他实例负责", "another instance runs the schedule"},
	"next_run":             {"下次同步", "next sync"},
	"polls_left":           {"今日剩余轮询", "polls left today"},
	"runs_title":           {"最近的同步", "Latest runs"},
	"run_kind":             {"类型", "Kind"},
	"run_range":            {"日期", "Days"},
	"run_started":          {"开始", "Started"},
	"run_took":             {"耗时", "Took"},
	"run_rows":             {"写入行", "Rows"},
	"run_calls":            {"调用", "Calls"},
	"run_metered":          {"计量", "Metered"},
	"run_retried":          {"重试", "Retried"},
	"run_running":          {"进行中", "running"},
	"run_ok":               {"成功", "ok"},
	"run_failed":           {"失败", "failed"},
	"run_interrupted":      {"中断", "interrupted"},
	"no_runs":              {"还没有同步记录。", "No sync has run yet."},

	"audit_title":          {"审计日志", "Audit log"},
	"audit_at":             {"时间", "When"},
	"audit_user":           {"用户", "User"},
	"audit_action":         {"操作", "Action"},
	"audit_target":         {"对象", "What"},
	"audit_empty":          {"暂无记录。", "Nothing yet."},
	"action_export":        {"导出", "export"},
	"action_view_employee": {"查看员工", "viewed employee"},
	"users_title":          {"账号", "Accounts"},
	"users_hint":           {"在服务器上创建账号：", "Accounts are made on the server:"},
	"created":              {"创建于", "Created"},

	"not_synced_title": {"尚未同步", "Not synced yet"},
	"not_synced_body":  {"以下日期的考勤还没有从钉钉同步，报表不会用 0 代替：", "The attendance of these days has not been pulled from DingTalk, and reports do not show zeros for them:"},
	"go_sync":          {"去同步页", "Go to the sync page"},
	"back_home":        {"回到今日看板", "Back to today's board"},
	"error_400":        {"请求有误", "Bad request"},
	"error_401":        {"请先登录", "Log in first"},
	"error_403":        {"无权查看", "Not yours to see"},
	"error_404":        {"找不到", "Not found"},
	"error_409":        {"暂时无法完成", "Cannot do that now"},
	"error_429":        {"请稍后再试", "Try again later"},
	"error_500":        {"内部错误", "Internal error"},
	"error_503":        {"暂时不可用", "Unavailable"},

	// Hardening (issue 15): what a manager sees of the syncs.
	"fresh_title":      {"数据更新", "How fresh the data is"},
	"fresh_today":      {"今日考勤更新于", "Today's attendance pulled at"},
	"fresh_today_none": {"今日考勤尚未同步。", "Today's attendance has not been pulled yet."},
	"fresh_final":      {"已定稿至", "Final up to"},
	"fresh_final_hint": {"该日结束后拉取，数字不再变化", "pulled after the day ended: its numbers are final"},
	"fresh_final_none": {"最近两周没有已定稿的日期。", "No day of the last two weeks is final yet."},
	"fresh_books_hint": {"同步记录与配额用量仅管理员和人事可见。", "Admins and HR see the runs and the quota."},
	"quota_off":        {"未设上限（KAOQIN_DINGTALK_MONTHLY_QUOTA=off）", "no limit set (KAOQIN_DINGTALK_MONTHLY_QUOTA=off)"},
}

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
		err = add(trf(lang, "schedule_live_every", s.Hours, s.LiveEvery))
	}
	sep := "；"
	if lang == report.English {
		sep = "; "
	}
	return strings.Join(parts, sep), err
}
