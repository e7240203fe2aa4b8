package report

import (
	"github.com/kaoqin/kaoqin"
)

// Lang is the language of headers and labels in the table, CSV and XLSX formats. JSON keeps
// the contract's English names and DingTalk's codes whatever the language.
type Lang string

const (
	Chinese Lang = "zh" // the default: what HR reads
	English Lang = "en"
)

// ParseLang reads --lang: "zh" (or "") or "en".
func ParseLang(s string) (Lang, error) {
	switch s {
	case "", "zh":
		return Chinese, nil
	case "en":
		return English, nil
	}
	return "", kaoqin.Errorf(kaoqin.EINVALID, "unknown language %q: want zh or en", s)
}

func (l Lang) pick(zh, en string) string {
	if l == English {
		return en
	}
	return zh
}

// label is a value shown in words: a DingTalk result, a status.
type label struct{ zh, en string }

var timeResultLabels = map[string]label{
	kaoqin.TimeNormal:      {"正常", "Normal"},
	kaoqin.TimeEarly:       {"早退", "Early"},
	kaoqin.TimeLate:        {"迟到", "Late"},
	kaoqin.TimeSeriousLate: {"严重迟到", "SeriousLate"},
	kaoqin.TimeAbsenteeism: {"旷工迟到", "Absenteeism"},
	kaoqin.TimeNotSigned:   {"未打卡", "NotSigned"},
}

var locationResultLabels = map[string]label{
	kaoqin.LocationNormal:    {"正常", "Normal"},
	kaoqin.LocationOutside:   {"外勤", "Outside"},
	kaoqin.LocationNotSigned: {"未打卡", "NotSigned"},
}

var checkTypeLabels = map[string]label{
	kaoqin.OnDuty:  {"上班", "OnDuty"},
	kaoqin.OffDuty: {"下班", "OffDuty"},
}

var statusLabels = map[string]label{
	StatusAbsent:  {"旷工", "absent"},
	StatusMissing: {"缺卡", "missing"},
	StatusLate:    {"迟到", "late"},
	StatusEarly:   {"早退", "early"},
	StatusLeave:   {"请假", "leave"},
	StatusPending: {"未结束", "in progress"},
	StatusNormal:  {"正常", "normal"},
	StatusRest:    {"休息", "rest"},
	StatusNone:    {"", ""},
}

var pendingLabel = label{"待打卡", "Pending"}

// provisionalLabel follows kaoqin's reading of a punch DingTalk has not judged yet.
// methodLabels name the punch methods of spec/punches.md.
var methodLabels = map[string]label{
	kaoqin.MethodMachine:        {"考勤机(指纹/人脸)", "attendance machine"},
	kaoqin.MethodDingTalkDevice: {"钉钉考勤机", "DingTalk device"},
	kaoqin.MethodBeacon:         {"蓝牙信标", "beacon"},
	kaoqin.MethodPhoneGPS:       {"手机定位", "phone GPS"},
	kaoqin.MethodPhoneWiFi:      {"手机Wi-Fi", "phone Wi-Fi"},
	kaoqin.MethodPhone:          {"手机", "phone"},
	kaoqin.MethodAdmin:          {"管理员修改", "changed by an administrator"},
	kaoqin.MethodApproval:       {"审批", "approval"},
	kaoqin.MethodSystem:         {"系统", "system"},
	kaoqin.MethodAuto:           {"自动打卡", "automatic punch"},
}

// MethodLabel names a punch method in lang.
func MethodLabel(method string, lang Lang) string { return lang.say(methodLabels, method) }

var provisionalLabel = label{"(待钉钉确认)", " (provisional)"}

var presenceLabels = map[string]label{
	PresenceIn:       {"已到", "in"},
	PresenceLate:     {"迟到", "late"},
	PresenceOverdue:  {"超时未到", "overdue"},
	PresenceAwaiting: {"待确认", "awaiting"},
	PresenceNotDue:   {"未到上班时间", "not due yet"},
	PresenceOnLeave:  {"请假", "on leave"},
	PresenceAbsent:   {"旷工", "absent"},
	PresenceRest:     {"休息", "rest"},
}

// say shows code in l: its label if it has one, else DingTalk's code as is.
func (l Lang) say(labels map[string]label, code string) string {
	if lb, ok := labels[code]; ok {
		return l.pick(lb.zh, lb.en)
	}
	return code
}

func (l Lang) yesNo(b bool) string {
	if b {
		return l.pick("是", "yes")
	}
	return l.pick("否", "no")
}

// listSep joins names in a cell.
func (l Lang) listSep() string { return l.pick("、", ", ") }

// FieldLabel is the header of a period field (a JSON name of PeriodCounts) in lang, as the
// period report's CSV and XLSX write it; the name itself for an unknown field.
func FieldLabel(field string, lang Lang) string {
	for _, c := range periodCountColumns {
		if c.key == field {
			return lang.pick(c.zh, c.en)
		}
	}
	return field
}
