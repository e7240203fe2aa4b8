package web

import (
	"slices"
	"strings"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/notify"
	"github.com/kaoqin/kaoqin/report"
)

// The words of the reminders' pages, {Chinese, English}, kept apart from i18n.go's dictionary
// and added to it when the package loads.
var reminderWords = map[string][2]string{
	"nav_reminders":             {"提醒", "Reminders"},
	"reminders_title":           {"考勤提醒", "Reminders"},
	"reminders_not_sending":     {"规则可以编辑和预览，但不会发送：请在钉钉开发者后台查到应用编号，设置环境变量", "Rules can be edited and previewed, but nothing is sent: find the app's agent id in DingTalk's developer console and set"},
	"reminders_hint":            {"规则按每个人自己的排班判断：休息日、节假日、请假、出差、外出的人不会收到；同一条消息只发一次，进程崩溃或切换实例也不会重发或漏发。", "Rules judge each person against their own shift: nobody is reminded on a rest day, a holiday, on leave, a trip or an outing; each message goes out once, also across a crash or a failover."},
	"rules_title":               {"规则", "Rules"},
	"rules_none":                {"还没有规则。", "No rules yet."},
	"rule_name":                 {"名称", "Name"},
	"rule_channel":              {"发送方式", "Channel"},
	"rule_when":                 {"时间", "When"},
	"rule_audience":             {"对象", "Audience"},
	"rule_quiet":                {"免打扰", "Quiet hours"},
	"rule_state":                {"状态", "State"},
	"rule_on":                   {"启用", "On"},
	"rule_off":                  {"停用", "Off"},
	"rule_switch_on":            {"启用", "Switch on"},
	"rule_switch_off":           {"停用", "Switch off"},
	"rule_edit":                 {"编辑", "Edit"},
	"rule_delete":               {"删除", "Delete"},
	"rule_delete_confirm":       {"删除这条规则？已发送的消息仍保留在审计日志中。", "Delete this rule? What it sent stays in the audit log."},
	"rule_new":                  {"新建规则", "New rule"},
	"rule_editing":              {"编辑规则", "Edit rule"},
	"rule_save":                 {"保存", "Save"},
	"rule_cancel":               {"取消", "Cancel"},
	"rule_not_saved":            {"没有保存：", "Not saved: "},
	"rule_everyone":             {"全公司", "Everyone"},
	"rule_after_start":          {"上班后 %d 分钟", "%d min after the shift start"},
	"rule_before_start":         {"上班前 %d 分钟", "%d min before the shift start"},
	"rule_at":                   {"每天 %s", "Daily at %s"},
	"rule_repeat":               {"之后每 %d 分钟一次，最多 %d 条", "then every %d min, %d at most"},
	"channel_person":            {"工作通知给本人", "Work notification to the person"},
	"channel_digest":            {"名单发给部门负责人", "List to department managers"},
	"channel_robot":             {"群机器人播报", "Group robot summary"},
	"channel_board":             {"看板提醒", "From the board"},
	"channel_person_hint":       {"每个到点未打卡的人收到一条工作通知。", "Each person due and not checked in gets a work notification."},
	"channel_digest_hint":       {"各部门负责人（钉钉部门主管）收到本部门未到人员名单。", "Each department's managers (DingTalk's department leaders) get the list of their people not in."},
	"channel_robot_hint":        {"群机器人在群里发布应到、已到、未到、请假人数（不含姓名）。", "A group robot posts the counts due, in, not in and on leave (no names)."},
	"form_timing":               {"什么时候", "When"},
	"form_after":                {"每人上班后", "After each person's shift start"},
	"form_at":                   {"每天固定时刻", "At a time of day"},
	"form_minutes":              {"分钟（负数为上班前）", "minutes (negative: before)"},
	"form_every":                {"重复间隔（分钟，0 为不重复）", "Repeat every (minutes, 0: once)"},
	"form_cap":                  {"每人每天最多（条）", "At most a day for one person"},
	"form_depts":                {"部门（含下级）", "Departments (with their subtrees)"},
	"form_depts_hint":           {"按住 Ctrl 或 ⌘ 多选；部门和人员都不选即全公司。", "Hold Ctrl or ⌘ to choose several; neither departments nor people: everyone."},
	"form_users":                {"人员（钉钉员工编号，逗号分隔）", "People (DingTalk userids, comma-separated)"},
	"form_quiet_from":           {"免打扰开始", "Quiet from"},
	"form_quiet_to":             {"免打扰结束", "Quiet until"},
	"form_robot_url":            {"机器人地址", "Robot webhook"},
	"form_robot_url_hint":       {"在钉钉群设置 → 机器人 → 自定义机器人中复制，形如", "Copy it from the group's robot settings, like"},
	"form_robot_secret":         {"加签密钥（如果机器人用“加签”）", "Signing secret (if the robot signs)"},
	"form_secret_saved":         {"已保存，留空则不变", "saved; leave empty to keep it"},
	"form_secret_clear":         {"清除已保存的密钥", "Clear the saved secret"},
	"form_note":                 {"附言（加在每条消息后）", "Note (added to every message)"},
	"form_enabled":              {"启用这条规则", "Rule switched on"},
	"day_messages":              {"已发送", "Sent"},
	"day_planned":               {"计划与预览", "Planned and preview"},
	"day_planned_hint":          {"“待定”的消息到点时对方仍未打卡才会发出。", "Upcoming messages go out at their time if the people are still not in."},
	"day_none":                  {"这一天没有提醒。", "No reminders that day."},
	"msg_time":                  {"时间", "Time"},
	"msg_rule":                  {"规则", "Rule"},
	"msg_to":                    {"发给", "To"},
	"msg_status":                {"状态", "Status"},
	"msg_text":                  {"内容", "Message"},
	"msg_about":                 {"涉及 %d 人", "about %d people"},
	"msg_people":                {"%d 人", "%d people"},
	"msg_by":                    {"由 %s 发起", "by %s"},
	"rstatus_planned":           {"待发送", "planned"},
	"rstatus_sending":           {"发送中", "sending"},
	"rstatus_sent":              {"已发出", "sent"},
	"rstatus_delivered":         {"已送达", "delivered"},
	"rstatus_failed":            {"未送达", "not delivered"},
	"rstatus_expired":           {"已过期", "expired"},
	"rstatus_due":               {"马上发送", "due now"},
	"rstatus_upcoming":          {"待定", "upcoming"},
	"rstatus_opted_out":         {"本人已退订", "opted out"},
	"rstatus_quiet_hours":       {"免打扰时段", "quiet hours"},
	"optouts_title":             {"不接收提醒的人", "People who opted out"},
	"optouts_none":              {"没有人退订。", "Nobody opted out."},
	"optout_add":                {"退订", "Opt out"},
	"optout_remove":             {"恢复提醒", "Remind again"},
	"optout_userid":             {"钉钉员工编号", "DingTalk userid"},
	"remind_selected":           {"提醒所选的人", "Remind the selected"},
	"remind_selected_hint":      {"给所选的人发一条钉钉工作通知；每人每天最多 2 条，间隔至少 10 分钟。", "Sends the selected people a DingTalk work notification; at most 2 a day each, 10 minutes apart."},
	"remindnow_title":           {"从看板提醒", "Remind from the board"},
	"remindnow_planned":         {"已安排提醒 %d 人，几秒钟内发出：", "%d people will be reminded within seconds:"},
	"remindnow_none":            {"没有人需要提醒。", "Nobody was reminded."},
	"remindnow_skipped":         {"未提醒 %d 人：", "%d people not reminded:"},
	"remindnow_back":            {"返回今日看板", "Back to the board"},
	"remindnow_log":             {"查看提醒记录", "See the reminders"},
	"skip_out_of_scope":         {"不在你管理的部门", "not in your departments"},
	"skip_not_due":              {"还没到上班时间", "not due yet"},
	"skip_checked_in":           {"已经打卡", "checked in already"},
	"skip_not_working":          {"今天休息或请假", "not working today"},
	"skip_opted_out":            {"本人已退订提醒", "opted out of reminders"},
	"skip_capped":               {"今天已从看板提醒过 2 次", "reminded from the board twice today"},
	"skip_just_reminded":        {"10 分钟内刚提醒过", "reminded less than 10 minutes ago"},
	"err_reminders_forbidden":   {"只有管理员和人事可以管理提醒。", "Only admins and HR manage reminders."},
	"err_reminders_form":        {"表单无法读取。", "The form could not be read."},
	"err_reminders_dept":        {"部门“%s”不是编号。", "Department \"%s\" is not an id."},
	"err_reminders_number":      {"%s“%s”不是整数。", "%s \"%s\" is not a whole number."},
	"err_reminders_no_rule":     {"没有编号为 %s 的提醒规则。", "There is no reminder rule %s."},
	"err_reminders_off":         {"本系统没有开启提醒发送：请管理员设置应用编号后重启。", "Reminders are not sent by this kaoqin: set KAOQIN_DINGTALK_AGENT_ID (the app's agent id) and restart it."},
	"err_reminders_json":        {"请求体应为 JSON，例如 {\"userids\": [\"…\"]}。", "Want a JSON body {\"userids\": [\"...\"]}."},
	"err_reminders_optout":      {"没有编号为“%s”的在职员工：请核对（员工页面的地址里有）。", "No one with userid \"%s\" works here: check the userid (the employee page's address shows it)."},
	"employee_reminders":        {"提醒", "Reminders"},
	"action_remind_now":         {"看板提醒", "remind from the board"},
	"action_remind_rule_add":    {"新建提醒规则", "reminder rule added"},
	"action_remind_rule_edit":   {"修改提醒规则", "reminder rule changed"},
	"action_remind_rule_delete": {"删除提醒规则", "reminder rule deleted"},
	"action_remind_rule_switch": {"启停提醒规则", "reminder rule switched"},
	"action_remind_opt_out":     {"退订提醒", "opted out of reminders"},
	"action_remind_opt_in":      {"恢复提醒", "opted in to reminders"},
}

func init() {
	for k, v := range reminderWords {
		dictionary[k] = v
	}
	// Package notify's refusals (bad rules, a bad "remind now"), said in the reader's language.
	for k, v := range notify.Words {
		dictionary["notify_"+k] = v
	}
	auditActions = append(auditActions, actionRemindNow, actionRuleAdd, actionRuleEdit, actionRuleDelete,
		actionRuleSwitch, actionOptOut, actionOptIn)
}

// reminderValueKeys are the keys the reminders' pages make from values (channels, the states
// of messages and the statuses of a preview, why a reminder from the board was not sent), for
// the dictionary's test.
var reminderValueKeys = func() []string {
	var keys []string
	for _, c := range []string{kaoqin.ChannelPerson, kaoqin.ChannelDigest, kaoqin.ChannelRobot, kaoqin.ChannelBoard} {
		keys = append(keys, "channel_"+c)
	}
	for _, c := range []string{kaoqin.ChannelPerson, kaoqin.ChannelDigest, kaoqin.ChannelRobot} {
		keys = append(keys, "channel_"+c+"_hint")
	}
	for _, st := range []string{kaoqin.ReminderPlanned, kaoqin.ReminderSending, kaoqin.ReminderSent, kaoqin.ReminderDelivered,
		kaoqin.ReminderFailed, kaoqin.ReminderExpired, notify.StatusDue, notify.StatusUpcoming, notify.SkipOptedOut, notify.SkipQuiet} {
		keys = append(keys, "rstatus_"+st)
	}
	for _, why := range []string{notify.BoardOutOfScope, notify.BoardNotDue, notify.BoardIn, notify.BoardNotWorking,
		notify.BoardOptedOut, notify.BoardCapped, notify.BoardJustRemined} {
		keys = append(keys, "skip_"+why)
	}
	return keys
}()

// reminderFuncs are the template functions of the reminders' pages.
var reminderFuncs = map[string]any{
	"neg":     func(n int) int { return -n },
	"seesAll": seesAll,
	"isRobot": func(to string) bool { return strings.HasPrefix(to, "robot:") },
	"hasID":   func(ids []int64, id int64) bool { return slices.Contains(ids, id) },
	"indent":  func(depth int) string { return strings.Repeat("\u3000", depth) },
	"listSep": func(lang report.Lang) string {
		if lang == report.English {
			return ", "
		}
		return "、"
	},
}
