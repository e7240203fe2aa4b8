package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/notify"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
)

// remindCmd is the reminders: rules kept in the database (the same as the admin page's), a
// preview of who gets which message when, and one pass of sending for a deployment without
// kaoqin serve. kaoqin serve sends them by itself, in the instance holding the scheduler lock.
type remindCmd struct {
	Send   remindSendCmd   `cmd:"" default:"withargs" help:"Send the reminders due now (kaoqin serve does this by itself), or with --dry-run show who would get which message when."`
	Add    remindAddCmd    `cmd:"" help:"Add a reminder rule."`
	Edit   remindEditCmd   `cmd:"" help:"Change a reminder rule: the flags given replace those fields."`
	List   remindListCmd   `cmd:"" help:"List the reminder rules and the people who opted out."`
	Rm     remindRmCmd     `cmd:"" help:"Delete a reminder rule (what it sent stays in the audit log)."`
	On     remindOnCmd     `cmd:"" help:"Switch a rule on."`
	Off    remindOffCmd    `cmd:"" help:"Switch a rule off."`
	OptOut remindOptOutCmd `cmd:"" name:"opt-out" help:"Stop reminders to these people (DingTalk userids)."`
	OptIn  remindOptInCmd  `cmd:"" name:"opt-in" help:"Send these people reminders again."`
}

// Help is the detailed help of kaoqin remind --help.
func (c *remindCmd) Help() string {
	return "A rule sends, at a time of day (--at 09:30) or minutes after each person's shift start (--after 15), " +
		"a work notification to each person not checked in (--channel person), the list of who is not in to each " +
		"department's managers (digest), or a summary to a DingTalk group robot (robot); nothing on people's rest days, " +
		"holidays or leave, in quiet hours, or to people who opted out. Examples:\n\n" +
		"  kaoqin remind add --name 上班提醒 --after 15\n" +
		"  kaoqin remind add --name 催卡 --after 15 --every 30 --cap 3 --dept 12345 --quiet 12:00-13:30\n" +
		"  kaoqin remind add --name 部门未到 --channel digest --at 09:30\n" +
		"  kaoqin remind add --name 考勤播报 --channel robot --at 10:00 --robot-url 'https://oapi.dingtalk.com/robot/send?access_token=...' --robot-secret SEC...\n" +
		"  kaoqin remind --dry-run --at 09:30\n\n" +
		"Work notifications need KAOQIN_DINGTALK_AGENT_ID (the app's agent id in DingTalk's developer console)."
}

// remindRuleFlags are the fields of a rule, as flags; pointers tell a flag given from one left
// out (kaoqin remind edit).
type remindRuleFlags struct {
	Name        *string  `help:"The rule's name: it starts every message, so people know which rule spoke (unique)."`
	Channel     *string  `enum:"person,digest,robot" help:"person: a work notification to each person concerned; digest: each department's managers get the list; robot: a summary to a group robot (${enum})."`
	At          *string  `placeholder:"HH:MM" help:"A time of day."`
	After       *int     `placeholder:"MIN" help:"Minutes after each person's shift start (each check-in of their plan); negative: before it."`
	Every       *int     `placeholder:"MIN" help:"Repeat every MIN minutes while the person is still not in (with --cap)."`
	Cap         *int     `help:"Messages of the rule to one person a day, at most (default 1)."`
	User        []string `placeholder:"USERID" sep:"," help:"Only these people (DingTalk userids; repeatable or comma-separated). With --dept, these and the departments'."`
	Dept        []int64  `placeholder:"ID" sep:"," help:"Only these departments' subtrees (repeatable or comma-separated). Neither --user nor --dept: everyone."`
	Everyone    bool     `help:"Clear --user and --dept (kaoqin remind edit): the whole company."`
	Quiet       *string  `placeholder:"HH:MM-HH:MM" help:"Quiet hours: nothing is sent from the first time to the second (may run past midnight); none to clear."`
	RobotURL    *string  `name:"robot-url" placeholder:"URL" help:"A robot rule's webhook: https://oapi.dingtalk.com/robot/send?access_token=... from the group robot's settings."`
	RobotSecret *string  `name:"robot-secret" placeholder:"SEC..." help:"The robot's signing secret (加签), if it signs. It is stored, never printed; the admin page takes it without showing it in ps."`
	Note        *string  `help:"A line added to every message."`
}

// apply sets the flags given on r.
func (f remindRuleFlags) apply(r *kaoqin.ReminderRule) error {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&r.Name, f.Name)
	set(&r.Channel, f.Channel)
	set(&r.Note, f.Note)
	set(&r.RobotURL, f.RobotURL)
	set(&r.RobotSecret, f.RobotSecret)
	if f.At != nil {
		r.At = *f.At
		if f.After == nil {
			r.After = 0
		}
	}
	if f.After != nil {
		r.After = *f.After
		if f.At == nil {
			r.At = ""
		}
	}
	if f.Every != nil {
		r.Every = *f.Every
	}
	if f.Cap != nil {
		r.Cap = *f.Cap
	}
	if f.Everyone {
		if len(f.User) > 0 || len(f.Dept) > 0 {
			return usageError{fmt.Errorf("--everyone clears --user and --dept: give one or the other")}
		}
		r.UserIDs, r.DeptIDs = nil, nil
	}
	if f.User != nil {
		r.UserIDs = f.User
	}
	if f.Dept != nil {
		r.DeptIDs = f.Dept
	}
	if f.Quiet != nil {
		r.QuietFrom, r.QuietTo = "", ""
		if q := strings.TrimSpace(*f.Quiet); q != "" && q != "none" {
			from, to, ok := strings.Cut(q, "-")
			if !ok {
				return kaoqin.Errorf(kaoqin.EINVALID, "bad --quiet %q: want HH:MM-HH:MM such as 22:00-07:00, or none", q)
			}
			r.QuietFrom, r.QuietTo = from, to
		}
	}
	return nil
}

type remindAddCmd struct {
	remindRuleFlags `embed:""`
	Off             bool `help:"Add the rule switched off."`
}

type remindEditCmd struct {
	ID              int64 `arg:"" help:"The rule's id (kaoqin remind list)."`
	remindRuleFlags `embed:""`
}

type remindListCmd struct {
	JSON bool `name:"json" help:"Print JSON (robot webhooks masked, secrets left out)."`
}

type remindRmCmd struct {
	ID int64 `arg:"" help:"The rule's id (kaoqin remind list)."`
}

type remindOnCmd struct {
	ID int64 `arg:"" help:"The rule's id (kaoqin remind list)."`
}

type remindOffCmd remindOnCmd

type remindOptOutCmd struct {
	UserIDs []string `arg:"" name:"userid" help:"DingTalk userids."`
}

type remindOptInCmd remindOptOutCmd

func (c *remindOnCmd) Run(ctx context.Context, g *Globals) error {
	return switchRule(ctx, g, c.ID, true)
}
func (c *remindOffCmd) Run(ctx context.Context, g *Globals) error {
	return switchRule(ctx, g, c.ID, false)
}
func (c *remindOptOutCmd) Run(ctx context.Context, g *Globals) error {
	return optOut(ctx, g, c.UserIDs, true)
}
func (c *remindOptInCmd) Run(ctx context.Context, g *Globals) error {
	return optOut(ctx, g, c.UserIDs, false)
}

type remindSendCmd struct {
	DryRun bool   `name:"dry-run" help:"Show who would get which message when, today (or on --at's day), without sending."`
	At     string `placeholder:"TIME" help:"With --dry-run: the moment to look from, HH:MM today, YYYY-MM-DD HH:MM or RFC 3339 (default now)."`
	JSON   bool   `name:"json" help:"Print JSON."`
}

// saveRule validates r whole against the stored org chart and rules, and saves it; nothing is
// saved when anything is wrong.
func saveRule(ctx context.Context, g *Globals, db *store.DB, r *kaoqin.ReminderRule, by string) error {
	depts, err := db.Departments(ctx)
	if err != nil {
		return err
	}
	if len(depts) == 0 {
		return kaoqin.Errorf(kaoqin.ENOTSYNCED, "no org chart stored yet: run kaoqin sync --org-only first (contacts calls are free)")
	}
	emps, err := db.Employees(ctx)
	if err != nil {
		return err
	}
	rules, err := db.ReminderRules(ctx)
	if err != nil {
		return err
	}
	v := notify.Validator{Org: notify.Org{Departments: depts, Employees: emps}, RobotHosts: g.robotHosts(), Rules: rules}
	if err := v.Validate(r); err != nil {
		return err
	}
	r.UpdatedAt, r.UpdatedBy = time.Now().UnixMilli(), by
	return db.SaveReminderRule(ctx, r)
}

// robotHosts are the hosts a robot webhook may have besides DingTalk's: that of
// KAOQIN_DINGTALK_BASE_URL (the simulator, in a trial).
func (g *Globals) robotHosts() []string {
	if u, err := url.Parse(g.BaseURL); err == nil && u.Host != "" && u.Host != "oapi.dingtalk.com" {
		return []string{u.Host}
	}
	return nil
}

// cliUser names who changed a rule from the command line, for the rule and the audit log.
const cliUser = "cli"

func (c *remindAddCmd) Run(ctx context.Context, g *Globals) error {
	if c.Name == nil {
		return usageError{fmt.Errorf("a rule needs --name")}
	}
	r := kaoqin.ReminderRule{Enabled: !c.Off, Channel: kaoqin.ChannelPerson}
	if err := c.apply(&r); err != nil {
		return err
	}
	db, err := g.openStore(ctx, store.MustExist())
	if err != nil {
		return err
	}
	defer db.Close()
	if err := saveRule(ctx, g, db, &r, cliUser); err != nil {
		return err
	}
	audit(ctx, db, "remind_rule_add", fmt.Sprintf("rule %d %s", r.ID, r.Name))
	fmt.Fprintf(g.stdout, "rule %d added: %s\n", r.ID, describeRule(r, nil))
	return nil
}

func (c *remindEditCmd) Run(ctx context.Context, g *Globals) error {
	db, err := g.openStore(ctx, store.MustExist())
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := ruleByID(ctx, db, c.ID)
	if err != nil {
		return err
	}
	if err := c.apply(&r); err != nil {
		return err
	}
	if err := saveRule(ctx, g, db, &r, cliUser); err != nil {
		return err
	}
	audit(ctx, db, "remind_rule_edit", fmt.Sprintf("rule %d %s", r.ID, r.Name))
	fmt.Fprintf(g.stdout, "rule %d: %s\n", r.ID, describeRule(r, nil))
	return nil
}

func ruleByID(ctx context.Context, db *store.DB, id int64) (kaoqin.ReminderRule, error) {
	rules, err := db.ReminderRules(ctx)
	if err != nil {
		return kaoqin.ReminderRule{}, err
	}
	for _, r := range rules {
		if r.ID == id {
			return r, nil
		}
	}
	return kaoqin.ReminderRule{}, kaoqin.Errorf(kaoqin.ENOTFOUND, "There is no reminder rule %d: kaoqin remind list shows the rules.", id)
}

func audit(ctx context.Context, db *store.DB, action, target string) {
	db.AddAudit(ctx, &kaoqin.AuditEntry{User: cliUser, Action: action, Target: target})
}

func (c *remindRmCmd) Run(ctx context.Context, g *Globals) error {
	db, err := g.openStore(ctx, store.MustExist())
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := ruleByID(ctx, db, c.ID)
	if err != nil {
		return err
	}
	if err := db.DeleteReminderRule(ctx, c.ID); err != nil {
		return err
	}
	audit(ctx, db, "remind_rule_delete", fmt.Sprintf("rule %d %s", r.ID, r.Name))
	fmt.Fprintf(g.stdout, "rule %d (%s) deleted\n", r.ID, r.Name)
	return nil
}

// switchRule switches rule id on or off.
func switchRule(ctx context.Context, g *Globals, id int64, on bool) error {
	db, err := g.openStore(ctx, store.MustExist())
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := ruleByID(ctx, db, id)
	if err != nil {
		return err
	}
	r.Enabled = on
	r.UpdatedAt, r.UpdatedBy = time.Now().UnixMilli(), cliUser
	if err := db.SaveReminderRule(ctx, &r); err != nil {
		return err
	}
	word := map[bool]string{true: "on", false: "off"}[on]
	audit(ctx, db, "remind_rule_switch", fmt.Sprintf("rule %d %s %s", r.ID, r.Name, word))
	fmt.Fprintf(g.stdout, "rule %d (%s) is %s\n", r.ID, r.Name, word)
	return nil
}

// optOut records the people as opted out (out) or in again.
func optOut(ctx context.Context, g *Globals, userids []string, out bool) error {
	db, err := g.openStore(ctx, store.MustExist())
	if err != nil {
		return err
	}
	defer db.Close()
	emps, err := db.Employees(ctx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, e := range emps {
		known[e.UserID] = true
	}
	for _, u := range userids {
		if !known[u] {
			return kaoqin.Errorf(kaoqin.EINVALID, "No one with userid %q is in the org chart: check the userid; nothing was changed.", u)
		}
	}
	for _, u := range userids {
		if err := db.SetReminderOptOut(ctx, u, out, cliUser); err != nil {
			return err
		}
	}
	word := map[bool]string{true: "opt_out", false: "opt_in"}[out]
	audit(ctx, db, "remind_"+word, strings.Join(userids, ","))
	fmt.Fprintf(g.stdout, "%d people: %s\n", len(userids), map[bool]string{true: "no reminders", false: "reminders again"}[out])
	return nil
}

func (c *remindListCmd) Run(ctx context.Context, g *Globals) error {
	db, err := g.openStore(ctx, store.MustExist())
	if err != nil {
		return err
	}
	defer db.Close()
	rules, err := db.ReminderRules(ctx)
	if err != nil {
		return err
	}
	outs, err := db.ReminderOptOuts(ctx)
	if err != nil {
		return err
	}
	depts, err := db.Departments(ctx)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, d := range depts {
		names[d.ID] = d.Name
	}
	for i := range rules {
		rules[i].RobotURL = notify.MaskURL(rules[i].RobotURL)
		if rules[i].RobotURL == notify.MaskURL("") {
			rules[i].RobotURL = ""
		}
	}
	if c.JSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"rules": rules, "opt_outs": outs})
	}
	if len(rules) == 0 {
		fmt.Fprintln(g.stdout, "no reminder rules yet: add one with kaoqin remind add --name 上班提醒 --after 15")
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	if len(rules) > 0 {
		fmt.Fprintln(tw, "ID\tON\tNAME\tRULE")
	}
	for _, r := range rules {
		on := "on"
		if !r.Enabled {
			on = "off"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", r.ID, on, r.Name, describeRule(r, names))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(outs) > 0 {
		ids := make([]string, len(outs))
		for i, o := range outs {
			ids[i] = o.UserID
		}
		fmt.Fprintf(g.stdout, "opted out (%d): %s\n", len(outs), strings.Join(ids, ", "))
	}
	return nil
}

// describeRule says in one line what a rule does.
func describeRule(r kaoqin.ReminderRule, depts map[int64]string) string {
	var b strings.Builder
	switch r.Channel {
	case kaoqin.ChannelPerson:
		b.WriteString("work notification to each person not in")
	case kaoqin.ChannelDigest:
		b.WriteString("list of who is not in to each department's managers")
	case kaoqin.ChannelRobot:
		b.WriteString("summary to the robot " + notify.MaskURL(r.RobotURL))
	}
	switch {
	case r.At != "":
		fmt.Fprintf(&b, ", at %s", r.At)
	case r.After >= 0:
		fmt.Fprintf(&b, ", %d min after the shift start", r.After)
	default:
		fmt.Fprintf(&b, ", %d min before the shift start", -r.After)
	}
	if r.Cap > 1 {
		fmt.Fprintf(&b, ", then every %d min, %d at most", r.Every, r.Cap)
	}
	var who []string
	for _, d := range r.DeptIDs {
		if n := depts[d]; n != "" {
			who = append(who, fmt.Sprintf("%s (%d)", n, d))
		} else {
			who = append(who, "department "+strconv.FormatInt(d, 10))
		}
	}
	who = append(who, r.UserIDs...)
	if len(who) > 0 {
		b.WriteString("; for " + strings.Join(who, ", "))
	} else {
		b.WriteString("; for everyone")
	}
	if r.QuietFrom != "" {
		fmt.Fprintf(&b, "; quiet %s-%s", r.QuietFrom, r.QuietTo)
	}
	if r.Note != "" {
		fmt.Fprintf(&b, "; note %q", r.Note)
	}
	return b.String()
}

// parseAt reads --at: HH:MM today, "YYYY-MM-DD HH:MM", or RFC 3339.
func parseAt(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if t, err := time.ParseInLocation("15:04", s, loc); err == nil {
		n := now.In(loc)
		return time.Date(n.Year(), n.Month(), n.Day(), t.Hour(), t.Minute(), 0, 0, loc), nil
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04", s, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, usageError{fmt.Errorf("--at %q: want HH:MM (today), YYYY-MM-DD HH:MM or RFC 3339", s)}
}

func (c *remindSendCmd) Run(ctx context.Context, g *Globals) error {
	loc, err := g.Location()
	if err != nil {
		return err
	}
	if c.At != "" && !c.DryRun {
		return usageError{fmt.Errorf("--at goes with --dry-run: reminders are sent at their time, not another's")}
	}
	if c.DryRun {
		at := time.Now()
		if c.At != "" {
			if at, err = parseAt(c.At, at, loc); err != nil {
				return err
			}
		}
		db, err := g.openStore(ctx, store.MustExist())
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := notify.New(notify.Options{Store: db, Location: loc, Logger: g.logger()})
		if err != nil {
			return err
		}
		p, err := n.Preview(ctx, at)
		if err != nil {
			return err
		}
		if c.JSON {
			enc := json.NewEncoder(g.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(p)
		}
		return writePreview(g.stdout, p, time.Now(), loc)
	}
	return c.send(ctx, g, loc)
}

// send makes one pass of the reminders, as kaoqin serve's scheduler does every second, if no
// kaoqin serve holds the scheduler lock.
func (c *remindSendCmd) send(ctx context.Context, g *Globals, loc *time.Location) error {
	if g.AgentID == 0 {
		return kaoqin.Errorf(kaoqin.EINVALID, "no KAOQIN_DINGTALK_AGENT_ID: set the app's agent id (DingTalk developer console) to send work notifications; --dry-run shows what would be sent")
	}
	log := g.logger()
	books := syncer.NewBooks(loc, log)
	client, err := g.dingtalkClient(books.Hook)
	if err != nil {
		return err
	}
	sender, err := g.dingtalkClient(books.Hook, dingtalk.WithRetry(dingtalk.RetryPolicy{}))
	if err != nil {
		return err
	}
	db, err := g.openStore(ctx, store.MustExist())
	if err != nil {
		return err
	}
	defer db.Close()
	unlock, ok, err := db.TryLock(ctx, "scheduler")
	if err != nil {
		return err
	}
	if !ok {
		return kaoqin.Errorf(kaoqin.ECONFLICT, "kaoqin serve holds the scheduler lock and sends the reminders itself: nothing to do here (--dry-run shows what it sends)")
	}
	defer unlock()
	s, err := syncer.New(syncer.Config{Client: client, Store: db, Books: books, Location: loc, Logger: log, MonthlyQuota: int64(g.MonthlyQuota)})
	if err != nil {
		return err
	}
	n, err := notify.New(notify.Options{
		Store: db, Client: sender, AgentID: g.AgentID, Location: loc, Logger: log,
		RobotOptions: []dingtalk.Option{dingtalk.WithCallHook(books.Hook), dingtalk.WithLogger(log)},
		Refresh:      func(ctx context.Context) error { _, err := s.SyncToday(ctx); return err },
		Budget:       s.AllowNotifications,
		PushBudget:   pushBudget(db, g.PushQuota, time.Now, loc),
	})
	if err != nil {
		return err
	}
	if err := n.Tick(ctx); err != nil {
		return err
	}
	st := n.Stats()
	fmt.Fprintf(g.stdout, "reminders: %d planned, %d sent, %d delivered, %d failed, %d expired; %d DingTalk calls (%d sends, %d send results, %d robot posts)\n",
		st.Planned, st.Sent, st.Delivered, st.Failed, st.Expired, st.SendCalls+st.ResultCalls+st.RobotCalls, st.SendCalls, st.ResultCalls, st.RobotCalls)
	return nil
}

// writePreview prints a preview as a table. A moment still to come is judged on the punches
// known now: the header says so, since people may yet check in before it.
func writePreview(w io.Writer, p *notify.Preview, now time.Time, loc *time.Location) error {
	if p.At.After(now) {
		fmt.Fprintf(w, "reminders of %s at %s, judged on the punches known now (%s %s): people who check in before then are left out\n",
			p.Day, p.At.In(loc).Format("15:04"), kaoqin.DateOf(now, loc), now.In(loc).Format("15:04"))
	} else {
		fmt.Fprintf(w, "reminders of %s, as the data stands at %s\n", p.Day, p.At.In(loc).Format("15:04"))
	}
	if len(p.Items) == 0 {
		fmt.Fprintln(w, "nothing to send: no rule is on, or nobody it concerns is due and not in")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tRULE\tTO\tSTATUS\tMESSAGE")
	for _, it := range p.Items {
		rule := it.Rule
		if it.Channel == kaoqin.ChannelBoard {
			rule = "(board, " + it.By + ")"
		}
		to := it.To
		if it.ToName != "" {
			to = it.ToName + " " + it.To
		}
		if strings.HasPrefix(it.To, "robot:") {
			to = "robot " + it.ToName
		}
		status := it.Status
		if it.Reason != "" {
			status += " (" + it.Reason + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.At.In(loc).Format("15:04"), rule, to, status, oneLine(shorten(it.Text, 70)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var parts []string
	for _, k := range []string{kaoqin.ReminderDelivered, kaoqin.ReminderSent, kaoqin.ReminderFailed, kaoqin.ReminderExpired,
		notify.StatusDue, notify.StatusUpcoming, notify.SkipOptedOut, notify.SkipQuiet} {
		if n := p.Count[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	_, err := fmt.Fprintf(w, "%d messages: %s\n", len(p.Items), strings.Join(parts, ", "))
	return err
}

func shorten(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}
