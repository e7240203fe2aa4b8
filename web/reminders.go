package web

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/notify"
)

// The reminders page (admins and HR): the rules, edited and validated whole (a bad rule is
// refused with one line and nothing is saved); who opted out; and the day's messages, sent and
// still to come, with their state. The board's "remind now" posts here too, for everyone
// within their scope.

// Reminders is the notifier as the dashboard uses it: the preview of a day, and reminders
// from the board. kaoqin serve gives package notify's Notifier.
type Reminders interface {
	Preview(ctx context.Context, at time.Time) (*notify.Preview, error)
	RemindNow(ctx context.Context, u *kaoqin.User, userids []string, ip string) (*notify.BoardResult, error)
}

// Audit actions of the reminders.
const (
	actionRemindNow  = "remind_now" // a reminder from the board
	actionRuleAdd    = "remind_rule_add"
	actionRuleEdit   = "remind_rule_edit"
	actionRuleDelete = "remind_rule_delete"
	actionRuleSwitch = "remind_rule_switch"
	actionOptOut     = "remind_opt_out"
	actionOptIn      = "remind_opt_in"
)

// mayManageReminders reports whether u may see and change the rules: admins and HR.
func mayManageReminders(u *kaoqin.User) bool { return seesAll(u) }

// remindersView is the reminders page.
type remindersView struct {
	Date     string
	IsToday  bool
	Sending  bool // the notifier sends (KAOQIN_DINGTALK_AGENT_ID is set)
	Rules    []ruleView
	Preview  *notify.Preview
	Sent     []itemGroup // recorded messages, newest moment first
	Planned  []itemGroup // what the rules would send, by moment
	OptOuts  []optOutView
	Depts    []deptOption
	Form     ruleForm // the form being edited: a new rule, or one whose save failed
	Error    string   // why Form was not saved
	Result   *boardResultView
	Channels []string
}

type ruleView struct {
	kaoqin.ReminderRule
	Robot    string   // the webhook, masked
	Audience []string // department names and userids
}

type optOutView struct {
	kaoqin.ReminderOptOut
	Name string `json:"name"`
}

type deptOption struct {
	ID    int64
	Name  string
	Depth int
}

// ruleForm is a rule as the form holds it: strings, so that a bad value is shown back as typed.
type ruleForm struct {
	ID        int64
	Name      string
	Enabled   bool
	Channel   string
	Mode      string // "after" or "at"
	At        string
	After     string
	Every     string
	Cap       string
	Users     string
	Depts     []int64
	QuietFrom string
	QuietTo   string
	RobotURL  string
	HasSecret bool // a secret is saved: an empty field keeps it
	Note      string
}

func formOf(r kaoqin.ReminderRule) ruleForm {
	f := ruleForm{ID: r.ID, Name: r.Name, Enabled: r.Enabled, Channel: r.Channel, Mode: "after", At: r.At,
		After: strconv.Itoa(r.After), Every: strconv.Itoa(r.Every), Cap: strconv.Itoa(max(r.Cap, 1)),
		Users: strings.Join(r.UserIDs, ", "), Depts: r.DeptIDs, QuietFrom: r.QuietFrom, QuietTo: r.QuietTo,
		RobotURL: notify.MaskURL(r.RobotURL), HasSecret: r.RobotSecret != "", Note: r.Note}
	if r.At != "" {
		f.Mode = "at"
	}
	if r.RobotURL == "" {
		f.RobotURL = ""
	}
	return f
}

func (s *Server) handleReminders(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	v, err := s.remindersView(r, u)
	if err != nil {
		return err
	}
	v.Form = ruleForm{Enabled: true, Channel: kaoqin.ChannelPerson, Mode: "after", After: "15", Every: "0", Cap: "1"}
	return s.render(w, r, http.StatusOK, "reminders", "nav_reminders", v)
}

// remindersView loads the page's data for the day of ?date= (default today).
func (s *Server) remindersView(r *http.Request, u *kaoqin.User) (*remindersView, error) {
	if !mayManageReminders(u) {
		return nil, errorf(kaoqin.EFORBIDDEN, "err_reminders_forbidden")
	}
	ctx := r.Context()
	now := s.now()
	today := kaoqin.DateOf(now, s.loc)
	day, err := dateParam(r, "date", today)
	if err != nil {
		return nil, err
	}
	v := &remindersView{Date: day, IsToday: day == today, Sending: s.remindersSend,
		Channels: []string{kaoqin.ChannelPerson, kaoqin.ChannelDigest, kaoqin.ChannelRobot}}
	rules, err := s.store.ReminderRules(ctx)
	if err != nil {
		return nil, err
	}
	depts, err := s.store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, d := range depts {
		names[d.ID] = d.Name
	}
	for _, rule := range rules {
		rv := ruleView{ReminderRule: rule, Robot: notify.MaskURL(rule.RobotURL)}
		if rule.RobotURL == "" {
			rv.Robot = ""
		}
		for _, id := range rule.DeptIDs {
			rv.Audience = append(rv.Audience, cmp.Or(names[id], strconv.FormatInt(id, 10)))
		}
		rv.Audience = append(rv.Audience, rule.UserIDs...)
		v.Rules = append(v.Rules, rv)
	}
	v.Depts = deptOptions(depts)
	emps, err := s.store.Employees(ctx)
	if err != nil {
		return nil, err
	}
	empName := map[string]string{}
	for _, e := range emps {
		empName[e.UserID] = e.Name
	}
	outs, err := s.store.ReminderOptOuts(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range outs {
		v.OptOuts = append(v.OptOuts, optOutView{ReminderOptOut: o, Name: empName[o.UserID]})
	}
	if s.reminders != nil {
		at := now
		if day != today {
			_, end := kaoqin.DayBounds(day, s.loc)
			at = end.Add(-time.Second)
		}
		if v.Preview, err = s.reminders.Preview(ctx, at); err != nil {
			return nil, err
		}
		var sent, planned []notify.Item
		for _, it := range v.Preview.Items {
			switch it.Status {
			case notify.StatusDue, notify.StatusUpcoming, notify.SkipOptedOut, notify.SkipQuiet:
				planned = append(planned, it)
			default:
				sent = append(sent, it)
			}
		}
		v.Sent, v.Planned = groupItems(sent), groupItems(planned)
		slices.Reverse(v.Sent)
	}
	return v, nil
}

// itemGroup is the messages of one moment, rule and status: the same text to many people (a
// person's reminder), or one message each (digests, robots).
type itemGroup struct {
	At      time.Time
	Rule    string
	Channel string
	Status  string
	By      string
	Title   string // of the first message
	Text    string
	Items   []notify.Item
}

// groupItems groups items (sorted by moment) by moment, rule, channel, status, sender and
// text: a digest of each department is a row of its own, not under the first one's text.
func groupItems(items []notify.Item) []itemGroup {
	var out []itemGroup
	index := map[string]int{}
	for _, it := range items {
		k := fmt.Sprint(it.At.Unix(), "|", it.RuleID, "|", it.Channel, "|", it.Status, "|", it.By, "|", it.Title, "|", it.Text)
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, itemGroup{At: it.At, Rule: it.Rule, Channel: it.Channel, Status: it.Status, By: it.By, Title: it.Title, Text: readable(it.Text)})
		}
		out[i].Items = append(out[i].Items, it)
	}
	return out
}

// deptOptions lists the departments in tree order, each with its depth.
func deptOptions(depts []kaoqin.Department) []deptOption {
	kids := map[int64][]kaoqin.Department{}
	for _, d := range depts {
		if d.RemovedAt == 0 {
			kids[d.ParentID] = append(kids[d.ParentID], d)
		}
	}
	var out []deptOption
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		list := kids[parent]
		slices.SortFunc(list, func(a, b kaoqin.Department) int {
			return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.ID, b.ID))
		})
		for _, d := range list {
			out = append(out, deptOption{ID: d.ID, Name: d.Name, Depth: depth})
			if depth < 32 {
				walk(d.ID, depth+1)
			}
		}
	}
	walk(0, 0)
	return out
}

// ruleFromForm reads the rule form into f (to show back) and r (to validate).
func ruleFromForm(req *http.Request, old kaoqin.ReminderRule) (ruleForm, kaoqin.ReminderRule, error) {
	if err := req.ParseForm(); err != nil {
		return ruleForm{}, old, errorf(kaoqin.EINVALID, "err_reminders_form")
	}
	p := req.PostForm
	f := ruleForm{ID: old.ID, Name: p.Get("name"), Enabled: p.Get("enabled") != "", Channel: p.Get("channel"),
		Mode: p.Get("mode"), At: p.Get("at"), After: p.Get("after"), Every: p.Get("every"), Cap: p.Get("cap"),
		Users: p.Get("users"), QuietFrom: p.Get("quiet_from"), QuietTo: p.Get("quiet_to"), RobotURL: p.Get("robot_url"),
		HasSecret: old.RobotSecret != "", Note: p.Get("note")}
	r := old
	r.Name, r.Enabled, r.Channel, r.Note = f.Name, f.Enabled, f.Channel, f.Note
	r.QuietFrom, r.QuietTo = f.QuietFrom, f.QuietTo
	for _, d := range p["dept"] {
		id, err := strconv.ParseInt(d, 10, 64)
		if err != nil {
			return f, r, errorf(kaoqin.EINVALID, "err_reminders_dept", d)
		}
		f.Depts = append(f.Depts, id)
	}
	r.DeptIDs = f.Depts
	r.UserIDs = nil
	for _, u := range strings.FieldsFunc(f.Users, func(c rune) bool { return c == ',' || c == '，' || c == ' ' || c == '\n' }) {
		r.UserIDs = append(r.UserIDs, u)
	}
	num := func(name word, s string, dst *int) error {
		s = strings.TrimSpace(s)
		if s == "" {
			*dst = 0
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return errorf(kaoqin.EINVALID, "err_reminders_number", name, s)
		}
		*dst = n
		return nil
	}
	if f.Mode == "at" {
		r.At, r.After = f.At, 0
	} else {
		r.At = ""
		if err := num(word{"上班后的分钟数", "The offset"}, f.After, &r.After); err != nil {
			return f, r, err
		}
	}
	if err := num(word{"重复间隔", "The repeat interval"}, f.Every, &r.Every); err != nil {
		return f, r, err
	}
	if err := num(word{"每人每天上限", "The cap"}, f.Cap, &r.Cap); err != nil {
		return f, r, err
	}
	// The webhook is shown masked: an unchanged field keeps the saved one; a secret left empty
	// keeps the saved secret.
	if f.RobotURL != notify.MaskURL(old.RobotURL) || old.RobotURL == "" {
		r.RobotURL = f.RobotURL
	}
	if sec := p.Get("robot_secret"); sec != "" {
		r.RobotSecret = sec
	}
	if p.Get("clear_secret") != "" {
		r.RobotSecret = ""
	}
	if r.Channel != kaoqin.ChannelRobot {
		r.RobotURL, r.RobotSecret = "", ""
	}
	return f, r, nil
}

// saveRuleForm validates the posted rule whole and saves it, or shows the page again with the
// form as typed and one line saying what to fix (status 422): nothing is half-saved.
func (s *Server) saveRuleForm(w http.ResponseWriter, r *http.Request, u *kaoqin.User, old kaoqin.ReminderRule) error {
	if !mayManageReminders(u) {
		return errorf(kaoqin.EFORBIDDEN, "err_reminders_forbidden")
	}
	f, rule, err := ruleFromForm(r, old)
	if err == nil {
		err = s.saveRule(r, u, &rule, old.ID == 0)
	}
	if kaoqin.ErrorCode(err) == kaoqin.EINVALID {
		v, verr := s.remindersView(r, u)
		if verr != nil {
			return verr
		}
		v.Form, v.Error = f, errorMessage(langOf(r), err)
		return s.render(w, r, http.StatusUnprocessableEntity, "reminders", "nav_reminders", v)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/reminders#rule-"+strconv.FormatInt(rule.ID, 10), http.StatusSeeOther)
	return nil
}

// saveRule validates rule against the org chart and the other rules, saves it and audits it.
func (s *Server) saveRule(r *http.Request, u *kaoqin.User, rule *kaoqin.ReminderRule, isNew bool) error {
	ctx := r.Context()
	depts, err := s.store.Departments(ctx)
	if err != nil {
		return err
	}
	emps, err := s.store.Employees(ctx)
	if err != nil {
		return err
	}
	rules, err := s.store.ReminderRules(ctx)
	if err != nil {
		return err
	}
	v := notify.Validator{Org: notify.Org{Departments: depts, Employees: emps}, RobotHosts: s.robotHosts, Rules: rules}
	if err := v.Validate(rule); err != nil {
		return notifyError(err)
	}
	rule.UpdatedAt, rule.UpdatedBy = s.clock().UnixMilli(), u.Name
	if err := s.store.SaveReminderRule(ctx, rule); err != nil {
		return err
	}
	action := actionRuleEdit
	if isNew {
		action = actionRuleAdd
	}
	return s.audit(r, u, action, fmt.Sprintf("rule %d %s", rule.ID, rule.Name))
}

// ruleParam finds the rule of the path's {id}.
func (s *Server) ruleParam(r *http.Request) (kaoqin.ReminderRule, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return kaoqin.ReminderRule{}, errorf(kaoqin.ENOTFOUND, "err_reminders_no_rule", r.PathValue("id"))
	}
	rules, err := s.store.ReminderRules(r.Context())
	if err != nil {
		return kaoqin.ReminderRule{}, err
	}
	for _, rule := range rules {
		if rule.ID == id {
			return rule, nil
		}
	}
	return kaoqin.ReminderRule{}, errorf(kaoqin.ENOTFOUND, "err_reminders_no_rule", r.PathValue("id"))
}

func (s *Server) handleRuleCreate(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	return s.saveRuleForm(w, r, u, kaoqin.ReminderRule{})
}

func (s *Server) handleRuleEdit(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if !mayManageReminders(u) {
		return errorf(kaoqin.EFORBIDDEN, "err_reminders_forbidden")
	}
	old, err := s.ruleParam(r)
	if err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		v, err := s.remindersView(r, u)
		if err != nil {
			return err
		}
		v.Form = formOf(old)
		return s.render(w, r, http.StatusOK, "reminders", "nav_reminders", v)
	}
	return s.saveRuleForm(w, r, u, old)
}

func (s *Server) handleRuleDelete(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if !mayManageReminders(u) {
		return errorf(kaoqin.EFORBIDDEN, "err_reminders_forbidden")
	}
	rule, err := s.ruleParam(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteReminderRule(r.Context(), rule.ID); err != nil {
		return err
	}
	if err := s.audit(r, u, actionRuleDelete, fmt.Sprintf("rule %d %s", rule.ID, rule.Name)); err != nil {
		return err
	}
	http.Redirect(w, r, "/reminders", http.StatusSeeOther)
	return nil
}

func (s *Server) handleRuleSwitch(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if !mayManageReminders(u) {
		return errorf(kaoqin.EFORBIDDEN, "err_reminders_forbidden")
	}
	rule, err := s.ruleParam(r)
	if err != nil {
		return err
	}
	rule.Enabled = r.PostFormValue("enabled") == "on"
	rule.UpdatedAt, rule.UpdatedBy = s.clock().UnixMilli(), u.Name
	if err := s.store.SaveReminderRule(r.Context(), &rule); err != nil {
		return err
	}
	if err := s.audit(r, u, actionRuleSwitch, fmt.Sprintf("rule %d %s %s", rule.ID, rule.Name, map[bool]string{true: "on", false: "off"}[rule.Enabled])); err != nil {
		return err
	}
	http.Redirect(w, r, "/reminders#rule-"+strconv.FormatInt(rule.ID, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) handleOptOut(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if !mayManageReminders(u) {
		return errorf(kaoqin.EFORBIDDEN, "err_reminders_forbidden")
	}
	userid := strings.TrimSpace(r.PostFormValue("userid"))
	out := r.PostFormValue("out") != "no"
	emps, err := s.store.Employees(r.Context())
	if err != nil {
		return err
	}
	if out && !slices.ContainsFunc(emps, func(e kaoqin.Employee) bool { return e.UserID == userid && e.LeftAt == 0 }) {
		v, verr := s.remindersView(r, u)
		if verr != nil {
			return verr
		}
		v.Form = ruleForm{Enabled: true, Channel: kaoqin.ChannelPerson, Mode: "after", After: "15", Every: "0", Cap: "1"}
		v.Error = errorMessage(langOf(r), errorf(kaoqin.EINVALID, "err_reminders_optout", userid))
		return s.render(w, r, http.StatusUnprocessableEntity, "reminders", "nav_reminders", v)
	}
	if err := s.store.SetReminderOptOut(r.Context(), userid, out, u.Name); err != nil {
		return err
	}
	action := actionOptIn
	if out {
		action = actionOptOut
	}
	if err := s.audit(r, u, action, userid); err != nil {
		return err
	}
	http.Redirect(w, r, "/reminders#optouts", http.StatusSeeOther)
	return nil
}

// boardResultView is what "remind now" did, for the page.
type boardResultView struct {
	Date    string
	Planned []personRef
	Skipped []skippedRef
}

type personRef struct{ UserID, Name string }

type skippedRef struct {
	personRef
	Why string
}

// remindNow records reminders from the board for the people posted (userid=...), within u's
// scope.
func (s *Server) remindNow(r *http.Request, u *kaoqin.User, userids []string) (*notify.BoardResult, error) {
	if s.reminders == nil || !s.remindersSend {
		return nil, errorf(kaoqin.ECONFLICT, "err_reminders_off")
	}
	res, err := s.reminders.RemindNow(r.Context(), u, userids, s.clientIP(r))
	return res, notifyError(err)
}

// notifyError says package notify's refusals in the reader's language.
func notifyError(err error) error {
	var ne *notify.Error
	if errors.As(err, &ne) {
		return &userError{err: &kaoqin.Error{Code: kaoqin.ErrorCode(err), Message: kaoqin.ErrorMessage(err)}, key: "notify_" + ne.Key, args: ne.Args}
	}
	return err
}

func (s *Server) handleRemindNow(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if err := r.ParseForm(); err != nil {
		return errorf(kaoqin.EINVALID, "err_reminders_form")
	}
	res, err := s.remindNow(r, u, r.PostForm["userid"])
	if err != nil {
		return err
	}
	emps, err := s.store.Employees(r.Context())
	if err != nil {
		return err
	}
	name := map[string]string{}
	for _, e := range emps {
		name[e.UserID] = e.Name
	}
	v := &boardResultView{Date: kaoqin.DateOf(s.now(), s.loc)}
	for _, id := range res.Planned {
		v.Planned = append(v.Planned, personRef{id, name[id]})
	}
	for id, why := range res.Skipped {
		v.Skipped = append(v.Skipped, skippedRef{personRef{id, name[id]}, why})
	}
	slices.SortFunc(v.Skipped, func(a, b skippedRef) int { return cmp.Compare(a.UserID, b.UserID) })
	return s.render(w, r, http.StatusOK, "remindnow", "nav_today", v)
}

func (s *Server) apiRemindNow(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	var in struct {
		UserIDs []string `json:"userids"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		return errorf(kaoqin.EINVALID, "err_reminders_json")
	}
	res, err := s.remindNow(r, u, in.UserIDs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) apiReminders(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	v, err := s.remindersView(r, u)
	if err != nil {
		return err
	}
	rules := make([]kaoqin.ReminderRule, len(v.Rules))
	for i, rv := range v.Rules {
		rules[i] = rv.ReminderRule
		rules[i].RobotURL = rv.Robot // masked; the secret is never written (json:"-")
	}
	out := map[string]any{"date": v.Date, "sending": v.Sending, "rules": rules, "opt_outs": v.OptOuts}
	if v.Preview != nil {
		out["preview"] = v.Preview
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// reminderLine is one message on a person's day.
type reminderLine struct {
	At      time.Time
	Channel string
	Rule    string
	By      string
	State   string
}

// personReminders returns the messages to or about userid over [from, to], by work date: on
// the person's day in their calendar.
func (s *Server) personReminders(ctx context.Context, userid, from, to string) (map[string][]reminderLine, error) {
	msgs, err := s.store.Reminders(ctx, kaoqin.ReminderFilter{From: from, To: to, UserID: userid})
	if err != nil || len(msgs) == 0 {
		return nil, err
	}
	rules, err := s.store.ReminderRules(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, r := range rules {
		names[r.ID] = r.Name
	}
	out := map[string][]reminderLine{}
	for _, m := range msgs {
		out[m.WorkDate] = append(out[m.WorkDate], reminderLine{At: time.UnixMilli(m.DueAt).In(s.loc), Channel: m.Channel,
			Rule: names[m.RuleID], By: m.By, State: m.State})
	}
	return out, nil
}

// readable is a message's Markdown as the page shows it: the text without the marks DingTalk
// renders (headings' #, bold's **, a quote's >), which would read as noise.
func readable(md string) string {
	lines := strings.Split(md, "\n")
	for i, l := range lines {
		l = strings.TrimLeft(l, "#")
		if len(l) < len(lines[i]) || strings.HasPrefix(l, "> ") {
			l = strings.TrimPrefix(strings.TrimPrefix(l, " "), "> ")
		}
		lines[i] = strings.ReplaceAll(l, "**", "")
	}
	return strings.Join(lines, "\n")
}
