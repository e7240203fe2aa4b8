package notify

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// Statuses of a preview item besides the states of recorded messages (kaoqin.Reminder*) and
// the reasons to skip (Skip*).
const (
	StatusDue      = "due"      // its moment has come: the next tick sends it
	StatusUpcoming = "upcoming" // still to come: sent then, if the people are still not in
)

// Item is one line of a preview: a message recorded in the outbox, or one the rules would
// send as the day stands at the preview's moment.
type Item struct {
	At      time.Time `json:"at"`
	RuleID  int64     `json:"rule_id"`
	Rule    string    `json:"rule"` // the rule's name; "" for a reminder from the board
	Channel string    `json:"channel"`
	To      string    `json:"to"`      // a userid, or robot:...
	ToName  string    `json:"to_name"` // the person's name, or the robot rule's name
	About   int       `json:"about"`   // how many people it is about
	Title   string    `json:"title,omitempty"`
	Text    string    `json:"text"`
	// Status is a recorded message's state (planned, sending, sent, delivered, failed,
	// expired), or StatusDue, StatusUpcoming, SkipOptedOut or SkipQuiet.
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	By     string `json:"by,omitempty"`
}

// Preview is who gets which message when, on one day, as it stands at At.
type Preview struct {
	Day   string         `json:"day"`
	At    time.Time      `json:"at"`
	Items []Item         `json:"items"`
	Count map[string]int `json:"count"` // items by status
}

// Preview shows what the rules send on the day of `at`, as the stored data stands at that
// moment, together with what was sent that day: kaoqin remind --dry-run, and the reminders
// page. It calls nobody.
func (n *Notifier) Preview(ctx context.Context, at time.Time) (*Preview, error) {
	day := kaoqin.DateOf(at, n.loc)
	rules, err := n.st.ReminderRules(ctx)
	if err != nil {
		return nil, err
	}
	p := &Preview{Day: day, At: at, Items: []Item{}, Count: map[string]int{}}
	names := map[string]string{}
	var decisions []Decision
	daily, err := report.LoadDaily(ctx, n.st, day, report.Options{Location: n.loc, Now: at})
	switch {
	case kaoqin.ErrorCode(err) == kaoqin.ENOTSYNCED:
		// Nothing synced that day: nothing to judge, but what was sent still shows.
	case err != nil:
		return nil, err
	default:
		org, err := n.st.Departments(ctx)
		if err != nil {
			return nil, err
		}
		outs, err := n.st.ReminderOptOuts(ctx)
		if err != nil {
			return nil, err
		}
		decisions = decide(newDayInput(daily, org, outs, n.loc), rules)
		for _, e := range daily.Employees {
			names[e.UserID] = e.Name
		}
	}
	if len(names) == 0 {
		emps, err := n.st.Employees(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range emps {
			names[e.UserID] = e.Name
		}
	}
	ruleName := map[int64]string{}
	for _, r := range rules {
		ruleName[r.ID] = r.Name
		if r.Channel == kaoqin.ChannelRobot {
			names[robotKey(r.RobotURL)] = r.Name
		}
	}
	sent, err := n.st.Reminders(ctx, kaoqin.ReminderFilter{From: day, To: day})
	if err != nil {
		return nil, err
	}
	recorded := map[string]bool{}
	for _, m := range sent {
		recorded[m.Key] = true
		p.Items = append(p.Items, Item{At: time.UnixMilli(m.DueAt).In(n.loc), RuleID: m.RuleID, Rule: ruleName[m.RuleID],
			Channel: m.Channel, To: m.To, ToName: names[m.To], About: len(m.About), Title: m.Title, Text: m.Text,
			Status: m.State, Reason: m.Reason, By: m.By})
	}
	for _, d := range decisions {
		if recorded[d.Message.Key] {
			continue
		}
		status := d.Skip
		switch {
		case status != "":
		case d.Due(at):
			status = StatusDue
		default:
			status = StatusUpcoming
		}
		m := d.Message
		p.Items = append(p.Items, Item{At: d.At.In(n.loc), RuleID: m.RuleID, Rule: d.Rule.Name, Channel: m.Channel, To: m.To,
			ToName: names[m.To], About: len(m.About), Title: m.Title, Text: m.Text, Status: status})
	}
	slices.SortStableFunc(p.Items, func(a, b Item) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.RuleID, b.RuleID), cmp.Compare(a.To, b.To))
	})
	for _, it := range p.Items {
		p.Count[it.Status]++
	}
	return p, nil
}
