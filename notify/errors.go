package notify

import (
	"fmt"

	"github.com/kaoqin/kaoqin"
)

// Error is a rule or a request package notify refuses, in words for people: Key names the
// problem and Args are its values. Its message (kaoqin.ErrorMessage) is English, for the
// command line and the logs; Say gives the Chinese for the dashboard.
type Error struct {
	Key  string
	Args []any
	err  *kaoqin.Error
}

func (e *Error) Error() string { return e.err.Error() }
func (e *Error) Unwrap() error { return e.err }

// Say returns the message in Chinese (zh) or English.
func (e *Error) Say(zh bool) string {
	w := Words[e.Key]
	if zh {
		return fmt.Sprintf(w[0], e.Args...)
	}
	return fmt.Sprintf(w[1], e.Args...)
}

func errorf(code, key string, args ...any) *Error {
	w, ok := Words[key]
	if !ok {
		panic("notify: no words for " + key)
	}
	return &Error{Key: key, Args: args, err: kaoqin.Errorf(code, w[1], args...)}
}

// Words are the messages of Error, {Chinese, English}: one line each, saying what to fix.
var Words = map[string][2]string{
	"rule_no_name":         {"请给规则起个名字（它会写在每条消息开头，大家才知道是哪条规则）。", "Give the rule a name (it starts every message, so that people know which rule spoke)."},
	"rule_name_long":       {"规则名称“%s”太长：最多 40 个字。", "The rule's name \"%s\" is too long: at most 40 characters."},
	"rule_note_long":       {"附言太长：最多 %d 个字。", "The note is too long: at most %d characters."},
	"rule_name_taken":      {"已有一条规则叫“%s”：请换个名字（它会写在每条消息开头）。", "Another rule is called \"%s\": give this one a name of its own (it starts every message)."},
	"rule_channel":         {"不认识的发送方式“%s”：请从工作通知、部门负责人名单、群机器人中选一个。", "Unknown channel \"%s\": want person (a work notification to each person), digest (to each department's managers) or robot (a group robot)."},
	"rule_time":            {"时间“%s”无法识别：应为“时:分”，例如 09:30。", "The time \"%s\" does not parse: want HH:MM such as 09:30."},
	"rule_time_and_offset": {"固定时刻和上班后的分钟数只能选一个。", "Give a time (HH:MM) or an offset from the shift start, not both."},
	"rule_needs_time":      {"名单和群机器人规则需要一个固定时刻（例如 09:30）：它们在同一时刻说全体的情况，而不是按每个人的班次。", "A digest or robot rule needs a time (HH:MM such as 09:30): it speaks of everyone at one moment, not of each person's shift."},
	"rule_offset":          {"%d 分钟超过了一天：应在上班前后 %d 到 %d 分钟之间。", "The offset of %d minutes is over a day: want %d to %d minutes from the shift start."},
	"rule_cap":             {"每人每天 %d 条超出范围：应为 1 到 %d。", "The cap of %d messages a day is out of range: want 1 to %d."},
	"rule_every":           {"重复间隔 %d 分钟超出范围：应为 0（不重复）或 %d 到 %d。", "Repeat every %d minutes is out of range: want 0 (no repeat) or %d to %d."},
	"rule_cap_needs_every": {"每人每天 %d 条需要一个重复间隔（每隔几分钟）。", "A cap of %d messages a day needs a repeat interval (every N minutes)."},
	"rule_every_needs_cap": {"每 %d 分钟重复一次，需要每人每天上限大于 1。", "A repeat every %d minutes needs a cap above 1 (how many messages at most)."},
	"rule_repeats_too_far": {"最后一次重复（第一次之后 %d × %d 分钟）超出了一天：减少次数，或缩短间隔。", "The last repeat (%d x %d minutes after the first) falls more than a day out: fewer repeats, or a shorter interval."},
	"rule_quiet_ends":      {"免打扰时段需要开始和结束两个时间（例如 12:00 和 13:30），或者都不填。", "Quiet hours need both ends (from and to, HH:MM), or neither."},
	"rule_quiet_time":      {"免打扰时间“%s”无法识别：应为“时:分”，例如 22:00。", "The quiet hour \"%s\" does not parse: want HH:MM such as 22:00."},
	"rule_quiet_empty":     {"免打扰时段 %s 到 %s 是空的：请填两个不同的时间。", "Quiet hours from %s to %s are empty: give two different times."},
	"rule_robot_only":      {"只有群机器人规则才有机器人地址和加签密钥。", "Only robot rules have a robot webhook and secret."},
	"rule_robot_url":       {"群机器人规则需要机器人的地址：在钉钉群设置的机器人里复制。", "A robot rule needs the robot's webhook URL (https://oapi.dingtalk.com/robot/send?access_token=..., from the group's robot settings)."},
	"rule_robot_form":      {"这不是钉钉群机器人的地址：请从钉钉群设置的机器人里复制完整的地址。", "The robot URL is not DingTalk's webhook: want https://oapi.dingtalk.com/robot/send?access_token=..., copied from the group robot's settings."},
	"rule_robot_secret":    {"加签密钥不对：应是机器人安全设置中“加签”给出的那串字符；用关键词或 IP 保护的机器人请留空。", "The robot's signing secret starts with SEC (加签 in the robot's security settings); leave it empty for a robot secured by keywords or IP."},
	"rule_dept":            {"部门 %d 不在组织架构中：请核对编号（部门页面的地址里有）；新建的部门请先在同步页同步组织架构。", "Department %d is not in the org chart: check the id (the department page's address shows it), or run kaoqin sync --org-only if it is new."},
	"rule_user":            {"没有编号为“%s”的在职员工：请核对（员工页面的地址里有）；新员工请先在同步页同步组织架构。", "No one with userid \"%s\" works here: check the userid (the employee page's address shows it), or run kaoqin sync --org-only if they are new."},
	"rule_robot_people":    {"群机器人播报的是部门（或全公司）的人数，不针对个人：请选择部门，或都不选。", "A robot rule posts a summary of departments (or the company), not of single people: give departments, or none."},
	"board_none":           {"请在未打卡名单里勾选要提醒的人。", "Choose the people to remind on the list of who is not in."},
	"board_too_many":       {"一次 %d 人太多：最多 %d 人。", "%d people at once is too many: at most %d."},
	"board_no_depts":       {"你的账号没有部门：请联系管理员。", "Your account has no departments: ask an admin."},
}
