package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// Why a person asked for on the board gets no reminder (BoardResult.Skipped).
const (
	BoardOutOfScope  = "out_of_scope"  // not in the asker's departments (or not known)
	BoardNotDue      = "not_due"       // scheduled, but no check-in has come yet
	BoardIn          = "checked_in"    // checked in already
	BoardNotWorking  = "not_working"   // on leave, or nothing scheduled today
	BoardOptedOut    = "opted_out"     // opted out of reminders
	BoardCapped      = "capped"        // had BoardCap reminders from the board today
	BoardJustRemined = "just_reminded" // reminded from the board less than BoardGap ago
)

// MaxBoardPeople is how many people one "remind now" may name.
const MaxBoardPeople = 500

// BoardResult says what "remind now" did for each person asked.
type BoardResult struct {
	Planned []string          `json:"planned"` // userids whose reminder is recorded: the sender sends it within seconds
	Skipped map[string]string `json:"skipped"` // userid -> why not (Board* constants)
}

// RemindNow records a reminder, now, to each of userids who is due and not in, on behalf of u
// (the board's "remind now"): only people of u's departments (a manager's subtrees), each at
// most BoardCap times a day and BoardGap apart, never to people who opted out. The scheduler
// lock's holder sends them with its next tick, with the same checks of DingTalk's limits as
// every reminder. The request goes to the audit log.
func (n *Notifier) RemindNow(ctx context.Context, u *kaoqin.User, userids []string, ip string) (*BoardResult, error) {
	if len(userids) == 0 {
		return nil, errorf(kaoqin.EINVALID, "board_none")
	}
	if len(userids) > MaxBoardPeople {
		return nil, errorf(kaoqin.EINVALID, "board_too_many", len(userids), MaxBoardPeople)
	}
	now := n.now()
	day := kaoqin.DateOf(now, n.loc)
	opts := report.Options{Location: n.loc, Now: now}
	if u.Role == kaoqin.RoleManager {
		if len(u.DeptIDs) == 0 {
			return nil, errorf(kaoqin.EFORBIDDEN, "board_no_depts")
		}
		opts.DeptIDs = u.DeptIDs
	}
	daily, err := report.LoadDaily(ctx, n.st, day, opts)
	if err != nil {
		return nil, err
	}
	outs, err := n.st.ReminderOptOuts(ctx)
	if err != nil {
		return nil, err
	}
	optOut := map[string]bool{}
	for _, o := range outs {
		optOut[o.UserID] = true
	}
	res := &BoardResult{Planned: []string{}, Skipped: map[string]string{}}
	var msgs []kaoqin.ReminderMessage
	slices.Sort(userids)
	for _, id := range slices.Compact(userids) {
		e, ok := daily.Employee(id)
		if !ok || (u.Role == kaoqin.RoleManager && len(e.DepartmentIDs) == 0) {
			res.Skipped[id] = BoardOutOfScope
			continue
		}
		if !concerned(e) {
			res.Skipped[id] = BoardNotWorking
			continue
		}
		ins := checkIns(e)
		j := slices.IndexFunc(ins, func(c checkIn) bool { return !c.answered && !c.at.After(now) })
		if j < 0 {
			res.Skipped[id] = BoardIn
			if slices.ContainsFunc(ins, func(c checkIn) bool { return !c.answered }) {
				res.Skipped[id] = BoardNotDue
			}
			continue
		}
		if optOut[id] {
			res.Skipped[id] = BoardOptedOut
			continue
		}
		before, err := n.st.Reminders(ctx, kaoqin.ReminderFilter{From: day, To: day, Recipient: id})
		if err != nil {
			return nil, err
		}
		before = slices.DeleteFunc(before, func(m kaoqin.ReminderMessage) bool { return m.Channel != kaoqin.ChannelBoard })
		if len(before) >= BoardCap {
			res.Skipped[id] = BoardCapped
			continue
		}
		if len(before) > 0 && now.Sub(time.UnixMilli(before[len(before)-1].DueAt)) < BoardGap {
			res.Skipped[id] = BoardJustRemined
			continue
		}
		title, text := boardText(u.Name, day, ins[j].at.In(n.loc), now.In(n.loc))
		msgs = append(msgs, kaoqin.ReminderMessage{
			Key: fmt.Sprintf("board|%s|%s|%d", day, id, len(before)+1), Channel: kaoqin.ChannelBoard, WorkDate: day,
			To: id, About: []string{id}, DueAt: now.UnixMilli(), Title: title, Text: text, Body: textBody(text), By: u.Name,
		})
	}
	added, err := n.st.PlanReminders(ctx, msgs)
	if err != nil {
		return nil, err
	}
	for _, m := range added {
		res.Planned = append(res.Planned, m.To)
	}
	for _, m := range msgs {
		if !slices.Contains(res.Planned, m.To) {
			res.Skipped[m.To] = BoardJustRemined // someone else reminded them at the same moment
		}
	}
	target := fmt.Sprintf("%d planned: %s", len(res.Planned), strings.Join(res.Planned, ","))
	if len(res.Skipped) > 0 {
		target += fmt.Sprintf("; %d skipped", len(res.Skipped))
	}
	if err := n.st.AddAudit(ctx, &kaoqin.AuditEntry{User: u.Name, Action: "remind_now", Target: shorten(target, 500), IP: ip}); err != nil {
		return nil, err
	}
	n.count(func(s *Stats) { s.Planned += len(added) })
	return res, nil
}
