package reconcile

import (
	"fmt"
	"strings"

	"github.com/kaoqin/kaoqin/report"
)

// Words of a reconciliation, in Chinese (what HR reads) and English.

var checkTypeWords = map[string][2]string{"OnDuty": {"上班", "check-in"}, "OffDuty": {"下班", "check-out"}}

var resultWords = map[string][2]string{
	"Normal": {"正常", "Normal"}, "Late": {"迟到", "Late"}, "SeriousLate": {"严重迟到", "SeriousLate"},
	"Absenteeism": {"旷工迟到", "Absenteeism"}, "Early": {"早退", "Early"}, "NotSigned": {"未打卡", "NotSigned"},
}

func pick(lang report.Lang, w [2]string) string {
	if lang == report.English {
		return w[1]
	}
	return w[0]
}

func word(lang report.Lang, words map[string][2]string, code string) string {
	if w, ok := words[code]; ok {
		return pick(lang, w)
	}
	return code
}

// CauseLabel names a cause in a few words.
func CauseLabel(cause string, lang report.Lang) string {
	w, ok := map[string][2]string{
		CauseApproval:   {"拉取后审批", "approved after the pull"},
		CauseEdited:     {"拉取后修改", "edited after the pull"},
		CauseLeft:       {"已离职", "left"},
		CauseRule:       {"钉钉规则", "DingTalk's rule"},
		CauseUnverified: {"未核实", "not verified"},
		"mixed":         {"多种原因", "several causes"},
	}[cause]
	if !ok {
		return cause
	}
	return pick(lang, w)
}

// Explain says in a sentence why a day differs.
func Explain(d DayDifference, lang report.Lang) string {
	en := lang == report.English
	pulled := ""
	if d.PulledAt != "" {
		t := strings.Replace(d.PulledAt[:16], "T", " ", 1)
		pulled = pick(lang, [2]string{"（本系统于 " + t + " 拉取）", " (kaoqin pulled it at " + t + ")"})
	}
	switch d.Cause {
	case CauseApproval:
		if d.Was == "leave" && d.Now == "no leave" {
			return pick(lang, [2]string{"本系统拉取后请假被撤销", "a leave was revoked after kaoqin pulled the day"}) + pulled
		}
		return pick(lang, [2]string{"本系统拉取后才审批通过的请假", "a leave approved after kaoqin pulled the day"}) + pulled
	case CauseEdited:
		who := pick(lang, [2]string{"钉钉", "DingTalk"})
		switch d.Source {
		case "BOSS":
			who = pick(lang, [2]string{"管理员", "an administrator"})
		case "APPROVE":
			who = pick(lang, [2]string{"审批（补卡、出差或外出）", "an approval (make-up punch, trip or outing)"})
		}
		check := word(lang, checkTypeWords, d.CheckType)
		switch {
		case d.Was != "" && d.Now != "":
			if en {
				return fmt.Sprintf("%s changed the %s from %s to %s after kaoqin pulled the day%s", who, check,
					word(lang, resultWords, d.Was), word(lang, resultWords, d.Now), pulled)
			}
			return fmt.Sprintf("本系统拉取后%s把%s结果由%s改为%s%s", who, check, word(lang, resultWords, d.Was), word(lang, resultWords, d.Now), pulled)
		case d.Was != "":
			return pick(lang, [2]string{"本系统拉取后该" + check + "打卡点已不在（排班已改）", "the " + check + " is gone since kaoqin pulled the day (rescheduled)"}) + pulled
		}
		return pick(lang, [2]string{"本系统拉取后新增了" + check + "打卡点（排班已改）", "a " + check + " appeared since kaoqin pulled the day (rescheduled)"}) + pulled
	case CauseLeft:
		return pick(lang, [2]string{"已离职：钉钉报表接口不提供离职人员的数据（可在钉钉管理后台查看）",
			"left the company: DingTalk's report API serves nothing for people who left (its admin console does)"})
	case CauseRule:
		switch d.Rule {
		case RuleAbsenteeismLate:
			return pick(lang, [2]string{"钉钉把旷工迟到计为旷工（考勤组设置）；本系统的旷工天数只计全天未打卡的日子",
				"DingTalk counts a 旷工迟到 (late beyond the absenteeism threshold) as a day of 旷工 (an attendance-group setting); kaoqin's absent days count days with every check missed"})
		case RuleLeaveOnRestDay:
			return pick(lang, [2]string{"钉钉在没有排班的日子也计请假（按自然日计的假期）；本系统的请假天数只计有排班的日子",
				"DingTalk counts leave on a day without checks (a leave type counted in natural days); kaoqin's leave days count scheduled days"})
		}
		return pick(lang, [2]string{"钉钉的打卡结果与本系统一致，但其报表按本系统不采用的规则计算",
			"DingTalk's results are what kaoqin holds, but its report counts them by a rule kaoqin does not apply"})
	case CauseUnverified:
		return pick(lang, [2]string{"未核实：本月额度不足以向钉钉查询当天的结果", "not verified: the month's budget did not allow asking DingTalk about the day"})
	}
	return d.Cause
}

// NotComparedText says in lang why a field was not compared.
func NotComparedText(n NotCompared, lang report.Lang) string {
	field := report.FieldLabel(n.Field, lang)
	switch n.Reason {
	case ReasonNoColumn:
		return pick(lang, [2]string{field + "：钉钉报表没有对应的列", field + ": DingTalk's report has no such column"})
	case ReasonLeaveUnits:
		return pick(lang, [2]string{field + "：钉钉报表按各假期类型的单位计请假，按请假天数比对",
			field + ": DingTalk's report counts leave in each leave type's unit; leave is compared as days on leave"})
	case ReasonRecentOnly:
		if n.From != "" {
			return pick(lang, [2]string{field + "：钉钉只提供最近 15 天的应出勤天数，自 " + n.From + " 起比对",
				field + ": DingTalk gives 应出勤天数 for the last 15 days only; compared from " + n.From})
		}
		return pick(lang, [2]string{field + "：钉钉只提供最近 15 天的应出勤天数", field + ": DingTalk gives 应出勤天数 for the last 15 days only"})
	}
	return field + ": " + n.Why
}

// LeftText says in lang that a person left and DingTalk's report has nothing for them.
func LeftText(p Person, lang report.Lang) string {
	if p.LeftOn == "" {
		return pick(lang, [2]string{p.Name + " 已离职", p.Name + " has left"})
	}
	return pick(lang, [2]string{p.Name + " 于 " + p.LeftOn + " 离职", p.Name + " left on " + p.LeftOn})
}
