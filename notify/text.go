package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/report"
)

// The messages are in Chinese: they are read in DingTalk by the company's people. Every text
// names its date, the moment it speaks of and, for a person, their check-in and the count of
// the reminder, so that two reminders never have the same content: DingTalk delivers the
// same content to a person only once a day, and drops the second silently (143106).

// maxBody keeps a work notification's msg under DingTalk's 2,048 bytes, with room to spare.
const maxBody = 2000

func dateZH(day string) string {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	return fmt.Sprintf("%d月%d日", t.Month(), t.Day())
}

func withNote(text, note string) string {
	if note == "" {
		return text
	}
	return text + "\n" + note
}

// personText is a person's reminder of their check-in at shift, sent at `at`, the n-th of
// the rule that day.
func personText(name, note, day string, shift, at time.Time, n int) (title, text string) {
	text = fmt.Sprintf("【%s】%s %s：还没有看到您 %s 的上班打卡，请尽快在钉钉打卡；已请假、出差或外出请忽略。",
		name, dateZH(day), at.Format("15:04"), shift.Format("15:04"))
	if n > 1 {
		text += fmt.Sprintf("（第%d次提醒）", n)
	}
	return "考勤提醒", withNote(text, note)
}

// boardText is a reminder sent from the board by `by` at `at`.
func boardText(by, day string, shift, at time.Time) (title, text string) {
	text = fmt.Sprintf("【考勤提醒】%s %s：还没有看到您 %s 的上班打卡，请尽快在钉钉打卡。（%s 从考勤看板提醒您）",
		dateZH(day), at.Format("15:04"), shift.Format("15:04"), by)
	return "考勤提醒", text
}

type digestSection struct {
	dept   string
	people []digestPerson
}

type digestPerson struct {
	name     string
	shift    time.Time
	presence string
}

// digestText is a manager's list of their people not in at `at`: a Markdown message that
// fits DingTalk's 2,048 bytes (the people past that are counted, not named).
func digestText(name, note, day string, at time.Time, n int, sections []digestSection) (title, text string) {
	total := 0
	for _, s := range sections {
		total += len(s.people)
	}
	title = fmt.Sprintf("未打卡名单 %s %s", dateZH(day), at.Format("15:04"))
	head := fmt.Sprintf("#### 【%s】%s %s 未到 %d 人\n", name, dateZH(day), at.Format("15:04"), total)
	if n > 1 {
		head = fmt.Sprintf("#### 【%s】%s %s 未到 %d 人（第%d次）\n", name, dateZH(day), at.Format("15:04"), total, n)
	}
	tail := "\n> 打了卡的人会在下一次同步后离开名单。"
	if note != "" {
		tail += "\n\n" + note
	}
	var b strings.Builder
	b.WriteString(head)
	shown := 0
	for _, s := range sections {
		section := fmt.Sprintf("\n**%s**（%d 人）\n\n", s.dept, len(s.people))
		if len(markdownBody(title, b.String()+section+tail)) > maxBody {
			break
		}
		b.WriteString(section)
		for _, p := range s.people {
			line := fmt.Sprintf("- %s（%s 上班）\n", p.name, p.shift.Format("15:04"))
			if p.shift.IsZero() {
				line = fmt.Sprintf("- %s\n", p.name)
			}
			more := fmt.Sprintf("\n……另有 %d 人未列出，见考勤看板。\n", total-shown)
			if len(markdownBody(title, b.String()+line+more+tail)) > maxBody {
				b.WriteString(more)
				return title, b.String() + tail
			}
			b.WriteString(line)
			shown++
		}
	}
	if shown < total {
		b.WriteString(fmt.Sprintf("\n……另有 %d 人未列出，见考勤看板。\n", total-shown))
	}
	return title, b.String() + tail
}

// robotText is a group's summary of a department (the company, when dept is "") at `at`.
func robotText(name, note, day string, at time.Time, dept string, c report.Counts) (title, text string) {
	if dept == "" {
		dept = "全公司"
	}
	title = fmt.Sprintf("考勤播报 %s %s", dateZH(day), at.Format("15:04"))
	late := c.Late + c.SeriousLate + c.AbsenteeismLate
	text = fmt.Sprintf("#### 【%s】%s %s %s\n\n- 应到 %d 人，已到 %d 人（迟到 %d 人）\n- 未到 %d 人\n- 请假 %d 人\n",
		name, dept, dateZH(day), at.Format("15:04"), c.DueNow, c.CheckedIn, late, c.NotCheckedIn+c.Awaiting, c.OnLeave)
	return title, withNote(text, note)
}

// textBody is the msg of a plain-text work notification.
func textBody(text string) string {
	b, _ := json.Marshal(dingtalk.TextMessage(text))
	return string(b)
}

// markdownBody is the msg of a Markdown work notification.
func markdownBody(title, text string) string {
	b, _ := json.Marshal(dingtalk.MarkdownMessage(title, text))
	return string(b)
}

// robotBody is a robot's Markdown message. Its msgUuid comes from the message's key, so that
// the message sent again after a crash is the same message to DingTalk, posted once.
func robotBody(title, text, key string) string {
	sum := sha256.Sum256([]byte(key))
	b, _ := json.Marshal(dingtalk.RobotMessage{MsgType: "markdown", Markdown: &dingtalk.Markdown{Title: title, Text: text},
		MsgUUID: hex.EncodeToString(sum[:16])})
	return string(b)
}
