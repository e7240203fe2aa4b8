package notify

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/report"
)

// Store is what the notifier reads and writes: the rules, opt-outs and outbox, the rows of
// today's daily report, the runs of syncs (to know how fresh the data is) and the audit log.
// Package store implements it.
type Store interface {
	kaoqin.ReminderStore
	report.Source
	Runs(ctx context.Context, limit int) ([]kaoqin.SyncRun, error)
	AddAudit(ctx context.Context, e *kaoqin.AuditEntry) error
	// RecordRobotPush counts a robot message in the month's push ledger.
	RecordRobotPush(ctx context.Context, month string) error
}

// Defaults of Options.
const (
	DefaultLease   = 2 * time.Minute
	DefaultMaxLate = 30 * time.Minute
	// RecipientsPerMinute keeps the app under DingTalk's 5,000 recipients a minute, with room
	// for other senders of the app.
	RecipientsPerMinute = 4500
	// RobotPerMinute is how many messages the notifier lets one robot post in any 62 seconds:
	// one under DingTalk's 20 a minute (a 21st bans the robot for 10 minutes), over a window a
	// little longer than a minute, whichever instance sent them.
	RobotPerMinute = 19
	// BoardCap is how many reminders one person gets from the board a day, BoardGap the least
	// time between two.
	BoardCap = 2
	BoardGap = 10 * time.Minute
)

// Options is what New needs. Store and Location are required.
type Options struct {
	Store Store
	// Client sends work notifications as AgentID; nil or 0: work notifications stay planned
	// (preview and rules still work).
	Client  *dingtalk.Client
	AgentID int64
	// RobotOptions are given to every robot (dingtalk.NewRobot): the call hook that keeps the
	// books, an HTTP client. The notifier turns the robot's own retries off: it retries itself,
	// counting every attempt against the robot's limit.
	RobotOptions []dingtalk.Option
	Location     *time.Location
	Now          func() time.Time // the application's clock (the simulator's in kaoqin demo); default time.Now
	Clock        func() time.Time // real time: claims, leases, the robots' minutes; default time.Now
	Logger       *slog.Logger
	// ID names this instance in claims; default host, pid and a random suffix.
	ID string
	// Lease is how long (real time) a claim lasts: a message still sending after it was
	// claimed by a sender that died, and is sent again. Default DefaultLease.
	Lease time.Duration
	// MaxLate is how late a message may still go out (application time): a message due longer
	// ago when a sender comes back (after an outage) is recorded as expired. Default
	// DefaultMaxLate.
	MaxLate time.Duration
	// Refresh pulls today's attendance of the people not in yet, so that nobody who checked
	// in since the last pull is reminded; nil: the data is taken as it is.
	Refresh func(ctx context.Context) error
	// EventsLive reports whether DingTalk's events bring the punches now (a Stream link is
	// up, and the punches known are marked every minute): then a reminder waits up to MaxWait
	// for its people's punches to be known past its moment, rather than pay for a pull. nil:
	// never.
	EventsLive func() bool
	// Budget says whether calls more metered calls may be made now (an EQUOTA error if not);
	// nil: no check. PushBudget the same for pushes (robot messages).
	Budget     func(ctx context.Context, calls int) error
	PushBudget func(ctx context.Context, pushes int) error
}

// Notifier turns the reminder rules into messages and sends them, exactly once, through
// DingTalk. Only the holder of the scheduler lock calls Tick (package schedule); every
// instance may Preview and RemindNow. It is safe for concurrent use.
type Notifier struct {
	st      Store
	client  *dingtalk.Client
	agent   int64
	robotOp []dingtalk.Option
	loc     *time.Location
	now     func() time.Time
	clock   func() time.Time
	log     *slog.Logger
	id      string
	lease   time.Duration
	maxLate time.Duration
	refresh func(ctx context.Context) error
	events  func() bool
	budget  func(ctx context.Context, calls int) error
	pushes  func(ctx context.Context, pushes int) error

	tickMu sync.Mutex // one Tick at a time

	mu        sync.Mutex
	robots    map[string]*dingtalk.Robot // webhook + secret -> robot
	robotHold map[string]time.Time       // robot key -> real time its penalty ends
	next      time.Time                  // application time of the next moment to evaluate
	evalDay   string
	evalAt    time.Time // real time of the last evaluation
	rulesSig  string
	confirms  map[int64]confirmState // task id -> tries
	recent    []sentAt               // recipients handed to DingTalk in the last minute (real time)
	stats     Stats
}

type confirmState struct {
	tries int
	last  time.Time // real time
}

type sentAt struct {
	at time.Time
	n  int
}

// Stats count what the notifier did since it started.
type Stats struct {
	Planned      int `json:"planned"`
	Sent         int `json:"sent"`      // messages DingTalk took
	Delivered    int `json:"delivered"` // confirmed delivered
	Failed       int `json:"failed"`
	Expired      int `json:"expired"`
	SendCalls    int `json:"send_calls"`    // asyncsend_v2 calls
	ResultCalls  int `json:"result_calls"`  // getsendresult calls
	RobotCalls   int `json:"robot_calls"`   // robot/send calls
	Refreshes    int `json:"refreshes"`     // pulls asked for before judging who is in
	SkippedQuota int `json:"skipped_quota"` // sends put off because the budget did not allow them
}

// New returns a notifier.
func New(o Options) (*Notifier, error) {
	if o.Store == nil || o.Location == nil {
		return nil, errors.New("notify: Options.Store and Options.Location are required")
	}
	n := &Notifier{st: o.Store, client: o.Client, agent: o.AgentID, robotOp: o.RobotOptions, loc: o.Location,
		now: o.Now, clock: o.Clock, log: o.Logger, id: o.ID, lease: o.Lease, maxLate: o.MaxLate,
		refresh: o.Refresh, events: o.EventsLive, budget: o.Budget, pushes: o.PushBudget,
		robots: map[string]*dingtalk.Robot{}, robotHold: map[string]time.Time{}, confirms: map[int64]confirmState{}}
	if n.now == nil {
		n.now = time.Now
	}
	if n.clock == nil {
		n.clock = time.Now
	}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.id == "" {
		host, _ := os.Hostname()
		n.id = fmt.Sprintf("%s:%d:%s", host, os.Getpid(), rand.Text()[:6])
	}
	if n.lease <= 0 {
		n.lease = DefaultLease
	}
	if n.maxLate <= 0 {
		n.maxLate = DefaultMaxLate
	}
	return n, nil
}

// Stats returns what the notifier did since it started.
func (n *Notifier) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stats
}

func (n *Notifier) count(f func(*Stats)) {
	n.mu.Lock()
	f(&n.stats)
	n.mu.Unlock()
}

// Tick does what is due at the application's clock: it records the messages whose moment has
// come (after a pull of the people not in, when the data is older than the moment), sends
// what is recorded and not sent (also what a sender that died left half-sent), and confirms
// what DingTalk took. Call it often (every second or few); it is cheap when nothing is due.
func (n *Notifier) Tick(ctx context.Context) error {
	n.tickMu.Lock()
	defer n.tickMu.Unlock()
	now := n.now()
	day := kaoqin.DateOf(now, n.loc)
	var errs []error
	if err := n.evaluate(ctx, now, day); err != nil {
		errs = append(errs, fmt.Errorf("plan today's reminders: %w", err))
	}
	if err := n.send(ctx, now, day); err != nil {
		errs = append(errs, fmt.Errorf("send reminders: %w", err))
	}
	if err := n.confirm(ctx, day); err != nil {
		errs = append(errs, fmt.Errorf("confirm reminders: %w", err))
	}
	return errors.Join(errs...)
}

// evaluate records the messages due by now that are not recorded yet. It looks at the day
// when a moment of a rule has come since it last looked, when the rules changed or a sync
// brought new data, and every 10 minutes.
func (n *Notifier) evaluate(ctx context.Context, now time.Time, day string) error {
	rules, err := n.st.ReminderRules(ctx)
	if err != nil {
		return err
	}
	sig := rulesSignature(rules)
	runs, err := n.st.Runs(ctx, 1)
	if err != nil {
		return err
	}
	if len(runs) > 0 {
		// New data may bring plans, hence moments, that were not known.
		sig += fmt.Sprintf("run %d:%d", runs[0].ID, runs[0].FinishedAt)
	}
	n.mu.Lock()
	stale := day != n.evalDay || sig != n.rulesSig || !now.Before(n.next) || n.clock().Sub(n.evalAt) >= 10*time.Minute
	n.mu.Unlock()
	if !stale || !slices.ContainsFunc(rules, func(r kaoqin.ReminderRule) bool { return r.Enabled }) {
		return nil
	}
	decisions, err := n.decideAt(ctx, now, day, rules)
	if err != nil {
		return err
	}
	due, err := n.unrecorded(ctx, day, decisions, now)
	if err != nil {
		return err
	}
	if len(due) > 0 && n.refresh != nil {
		// The data must know of every check-in made before the moments that came.
		fresh, wait, err := n.freshness(ctx, day, due, now)
		if err != nil {
			return err
		}
		if wait {
			// DingTalk's events carry the punches, and the next minute's mark passes the
			// moment: wait for it rather than pay for a pull. The next tick looks again.
			return nil
		}
		if !fresh {
			n.count(func(s *Stats) { s.Refreshes++ })
			if err := n.refresh(ctx); err != nil {
				n.log.Warn("reminders: could not pull today before judging who is in; judging on the data as it is", "err", kaoqin.ErrorMessage(err), "cause", err)
			}
			now = n.now()
			if decisions, err = n.decideAt(ctx, now, day, rules); err != nil {
				return err
			}
			if due, err = n.unrecorded(ctx, day, decisions, now); err != nil {
				return err
			}
		}
	}
	if err := n.record(ctx, now, due); err != nil {
		return err
	}
	next := time.Time{}
	for _, d := range decisions {
		if d.At.After(now) && (next.IsZero() || d.At.Before(next)) {
			next = d.At
		}
	}
	if next.IsZero() {
		next = now.Add(time.Hour)
	}
	n.mu.Lock()
	n.evalDay, n.rulesSig, n.next, n.evalAt = day, sig, next, n.clock()
	n.mu.Unlock()
	return nil
}

func rulesSignature(rules []kaoqin.ReminderRule) string {
	var b strings.Builder
	for _, r := range rules {
		fmt.Fprintf(&b, "%d:%d;", r.ID, r.UpdatedAt)
	}
	return b.String()
}

// decideAt evaluates the rules on today's daily report made at now.
func (n *Notifier) decideAt(ctx context.Context, now time.Time, day string, rules []kaoqin.ReminderRule) ([]Decision, error) {
	daily, err := report.LoadDaily(ctx, n.st, day, report.Options{Location: n.loc, Now: now})
	if err != nil {
		return nil, err
	}
	org, err := n.st.Departments(ctx)
	if err != nil {
		return nil, err
	}
	outs, err := n.st.ReminderOptOuts(ctx)
	if err != nil {
		return nil, err
	}
	return decide(newDayInput(daily, org, outs, n.loc), rules), nil
}

// unrecorded returns the decisions due by now, to be sent, whose message is not recorded.
func (n *Notifier) unrecorded(ctx context.Context, day string, decisions []Decision, now time.Time) ([]Decision, error) {
	var due []Decision
	for _, d := range decisions {
		if d.Due(now) && d.Skip == "" {
			due = append(due, d)
		}
	}
	if len(due) == 0 {
		return nil, nil
	}
	have, err := n.st.Reminders(ctx, kaoqin.ReminderFilter{From: day, To: day})
	if err != nil {
		return nil, err
	}
	keys := make(map[string]bool, len(have))
	for _, m := range have {
		keys[m.Key] = true
	}
	return slices.DeleteFunc(due, func(d Decision) bool { return keys[d.Message.Key] }), nil
}

// MaxWait is how long a reminder may wait for DingTalk's events to bring the punches up to
// its moment before a pull is paid for instead.
const MaxWait = 3 * time.Minute

// freshness says whether the data knows of every check-in that the due messages' people made
// before the messages' moments: a pull of today began after the latest moment, or each
// person's punches are known past the moment (a pull of their punches, or DingTalk's events,
// which mark every minute the punches known until shortly before). wait says that events are
// bringing the punches (Options.EventsLive) and the punches known lag the moments by little:
// the next minute's mark will do, rather than a pull. A robot's summary counts everyone as the board does: it waits for
// nothing.
func (n *Notifier) freshness(ctx context.Context, day string, due []Decision, now time.Time) (fresh, wait bool, err error) {
	latest := due[len(due)-1].At
	runs, err := n.st.Runs(ctx, 20)
	if err != nil {
		return false, false, err
	}
	for _, r := range runs {
		if r.Status == kaoqin.RunOK && r.StartedAt >= latest.UnixMilli() && r.From != "" && r.From <= day && day <= r.To {
			return true, false, nil
		}
	}
	pulls, err := n.st.PunchPulls(ctx, kaoqin.Filter{From: day, To: day})
	if err != nil {
		return false, false, err
	}
	known := make(map[string]int64, len(pulls))
	for _, p := range pulls {
		known[p.UserID] = max(known[p.UserID], p.SyncedAt)
	}
	fresh, wait = true, n.events != nil && n.events()
	for _, d := range due {
		if d.Message.Channel == kaoqin.ChannelRobot {
			continue
		}
		for _, u := range d.Message.About {
			k := known[u]
			if k >= d.At.UnixMilli() {
				continue
			}
			fresh = false
			if k == 0 || d.At.Sub(time.UnixMilli(k)) > MaxWait || now.Sub(d.At) >= MaxWait {
				wait = false
			}
		}
	}
	return fresh, wait && !fresh, nil
}

// record writes the due messages to the outbox: planned, or expired when their moment is
// longer ago than MaxLate.
func (n *Notifier) record(ctx context.Context, now time.Time, due []Decision) error {
	if len(due) == 0 {
		return nil
	}
	msgs := make([]kaoqin.ReminderMessage, len(due))
	for i, d := range due {
		msgs[i] = d.Message
	}
	added, err := n.st.PlanReminders(ctx, msgs)
	if err != nil {
		return err
	}
	var expired []kaoqin.ReminderUpdate
	for _, m := range added {
		if now.Sub(time.UnixMilli(m.DueAt)) > n.maxLate {
			expired = append(expired, kaoqin.ReminderUpdate{ID: m.ID, If: kaoqin.ReminderPlanned, State: kaoqin.ReminderExpired,
				Reason: "due at " + time.UnixMilli(m.DueAt).In(n.loc).Format("15:04") + ", when no kaoqin was sending", DoneAt: now.UnixMilli()})
		}
	}
	if _, err := n.st.UpdateReminders(ctx, expired); err != nil {
		return err
	}
	n.count(func(s *Stats) { s.Planned += len(added) - len(expired); s.Expired += len(expired) })
	if len(added) > 0 {
		n.log.Info("reminders planned", "messages", len(added)-len(expired), "expired", len(expired))
	}
	return nil
}

// send hands DingTalk the messages recorded and not sent: planned ones, and ones whose sender
// died mid-call (claimed longer than the lease ago), which are sent again identical.
func (n *Notifier) send(ctx context.Context, now time.Time, day string) error {
	pending, err := n.st.Reminders(ctx, kaoqin.ReminderFilter{From: kaoqin.AddDays(day, -1), To: day,
		States: []string{kaoqin.ReminderPlanned, kaoqin.ReminderSending}})
	if err != nil || len(pending) == 0 {
		return err
	}
	stale := n.clock().Add(-n.lease).UnixMilli()
	var late []kaoqin.ReminderUpdate
	var work, robot []kaoqin.ReminderMessage
	for _, m := range pending {
		switch {
		case m.State == kaoqin.ReminderSending && m.ClaimedAt >= stale:
			continue // a sender is on it
		case m.State == kaoqin.ReminderPlanned && now.Sub(time.UnixMilli(m.DueAt)) > n.maxLate:
			late = append(late, kaoqin.ReminderUpdate{ID: m.ID, If: kaoqin.ReminderPlanned, State: kaoqin.ReminderExpired,
				Reason: "not sent within " + n.maxLate.String() + " of " + time.UnixMilli(m.DueAt).In(n.loc).Format("15:04"), DoneAt: now.UnixMilli()})
		case m.Channel == kaoqin.ChannelRobot:
			robot = append(robot, m)
		default:
			work = append(work, m)
		}
	}
	if len(late) > 0 {
		k, err := n.st.UpdateReminders(ctx, late)
		if err != nil {
			return err
		}
		n.count(func(s *Stats) { s.Expired += k })
	}
	return errors.Join(n.sendWork(ctx, work), n.sendRobot(ctx, robot))
}

// sendWork sends work notifications: messages with the same body go together, 100 people a
// call (asyncsend_v2's limit), within 4,500 recipients a minute.
func (n *Notifier) sendWork(ctx context.Context, msgs []kaoqin.ReminderMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	if n.client == nil || n.agent == 0 {
		n.log.Debug("reminders: work notifications wait: no DingTalk client or agent id")
		return nil
	}
	groups := map[string][]kaoqin.ReminderMessage{}
	var order []string
	for _, m := range msgs {
		if _, ok := groups[m.Body]; !ok {
			order = append(order, m.Body)
		}
		groups[m.Body] = append(groups[m.Body], m)
	}
	for _, body := range order {
		group := groups[body]
		for len(group) > 0 {
			batch := group[:min(len(group), dingtalk.MaxNotifyUsers)]
			group = group[len(batch):]
			if !n.takeRecipients(len(batch)) {
				return nil // the minute's recipients are spent: the next tick goes on
			}
			if n.budget != nil {
				if err := n.budget(ctx, 2); err != nil { // the send, and its confirmation
					n.count(func(s *Stats) { s.SkippedQuota += len(batch) })
					n.log.Warn("reminders put off: the month's budget of metered calls does not allow them", "err", kaoqin.ErrorMessage(err))
					return nil
				}
			}
			if err := n.sendBatch(ctx, body, batch); err != nil {
				return err
			}
		}
	}
	return nil
}

// takeRecipients counts k recipients against the minute's allowance, or reports that they
// would go over it.
func (n *Notifier) takeRecipients(k int) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.clock()
	n.recent = slices.DeleteFunc(n.recent, func(s sentAt) bool { return now.Sub(s.at) >= time.Minute })
	sum := 0
	for _, s := range n.recent {
		sum += s.n
	}
	if sum+k > RecipientsPerMinute {
		return false
	}
	n.recent = append(n.recent, sentAt{now, k})
	return true
}

// sendBatch claims one batch, calls asyncsend_v2 once for it, and records the outcome.
func (n *Notifier) sendBatch(ctx context.Context, body string, batch []kaoqin.ReminderMessage) error {
	ids := make([]int64, len(batch))
	for i, m := range batch {
		ids[i] = m.ID
	}
	claimed, err := n.st.ClaimReminders(ctx, ids, n.id, n.clock().UnixMilli(), n.clock().Add(-n.lease).UnixMilli())
	if err != nil || len(claimed) == 0 {
		return err
	}
	var msg dingtalk.Message
	if err := json.Unmarshal([]byte(body), &msg); err != nil {
		return n.fail(ctx, claimed, "the message does not decode: "+err.Error())
	}
	users := make([]string, len(claimed))
	for i, m := range claimed {
		users[i] = m.To
	}
	slices.Sort(users)
	users = slices.Compact(users)
	n.count(func(s *Stats) { s.SendCalls++ })
	task, _, err := n.client.Messages.Send(ctx, &dingtalk.WorkNotification{AgentID: n.agent, UserIDs: users, Msg: msg})
	now := n.now().UnixMilli()
	updates := make([]kaoqin.ReminderUpdate, len(claimed))
	for i, m := range claimed {
		updates[i] = kaoqin.ReminderUpdate{ID: m.ID, If: kaoqin.ReminderSending, IfClaimedBy: n.id}
	}
	verdict := judge(err)
	switch verdict {
	case sentOK:
		for i := range updates {
			updates[i].State, updates[i].TaskID, updates[i].SentAt = kaoqin.ReminderSent, task, now
		}
	case notTaken:
		for i, m := range claimed {
			updates[i].State, updates[i].Reason = kaoqin.ReminderPlanned, oneLine(err)
			if m.Attempts >= 5 {
				updates[i].State, updates[i].DoneAt = kaoqin.ReminderFailed, now
			}
		}
	case refused:
		for i := range updates {
			updates[i].State, updates[i].Reason, updates[i].DoneAt = kaoqin.ReminderFailed, oneLine(err), now
		}
	default: // in doubt: left sending; after the lease it is sent again, identical
		n.log.Warn("reminders: DingTalk's answer was lost; the messages go again, identical, after the lease", "messages", len(claimed), "err", err)
		return nil
	}
	applied, uerr := n.st.UpdateReminders(ctx, updates)
	if uerr != nil {
		return uerr
	}
	if verdict == sentOK {
		n.count(func(s *Stats) { s.Sent += applied })
		n.audit(ctx, claimed, fmt.Sprintf("task %d", task))
		n.log.Info("reminders sent", "messages", applied, "task", task)
	} else {
		n.log.Warn("reminders not sent", "messages", len(claimed), "err", err)
	}
	return nil
}

// Verdicts on a call's error.
const (
	sentOK   = iota
	notTaken // DingTalk refused for now (throttled, busy): try again
	refused  // DingTalk refused for good (a bad message, the month's quota spent)
	inDoubt  // no answer: DingTalk may have taken it
)

func judge(err error) int {
	var e *dingtalk.APIError
	switch {
	case err == nil:
		return sentOK
	case errors.Is(err, dingtalk.ErrInvalidArgument):
		return refused
	case dingtalk.IsThrottled(err):
		return notTaken
	case dingtalk.IsQuotaExhausted(err):
		return refused
	case errors.As(err, &e) && e.Code == -1:
		return notTaken
	case errors.As(err, &e) && e.Code != 0:
		return refused
	}
	return inDoubt
}

func oneLine(err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// fail records claimed messages as failed for reason.
func (n *Notifier) fail(ctx context.Context, claimed []kaoqin.ReminderMessage, reason string) error {
	now := n.now().UnixMilli()
	var up []kaoqin.ReminderUpdate
	for _, m := range claimed {
		up = append(up, kaoqin.ReminderUpdate{ID: m.ID, If: kaoqin.ReminderSending, IfClaimedBy: n.id,
			State: kaoqin.ReminderFailed, Reason: reason, DoneAt: now})
	}
	k, err := n.st.UpdateReminders(ctx, up)
	n.count(func(s *Stats) { s.Failed += k })
	return err
}

// audit writes one line per message DingTalk took.
func (n *Notifier) audit(ctx context.Context, msgs []kaoqin.ReminderMessage, how string) {
	for _, m := range msgs {
		by := cmp.Or(m.By, "kaoqin")
		target := fmt.Sprintf("%s %s -> %s (%s, %s): %s", m.Channel, ruleLabel(m), m.To, m.WorkDate, how, shorten(m.Text, 60))
		if err := n.st.AddAudit(ctx, &kaoqin.AuditEntry{User: by, Action: "remind", Target: target}); err != nil {
			n.log.Warn("reminders: write the audit log", "err", err)
			return
		}
	}
}

func ruleLabel(m kaoqin.ReminderMessage) string {
	if m.RuleID == 0 {
		return "board"
	}
	return fmt.Sprintf("rule %d", m.RuleID)
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// sendRobot posts robot messages, each robot at most RobotPerMinute in any 62 seconds across
// instances (the outbox's claims count), and none while DingTalk holds it throttled.
func (n *Notifier) sendRobot(ctx context.Context, msgs []kaoqin.ReminderMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	rules, err := n.st.ReminderRules(ctx)
	if err != nil {
		return err
	}
	byID := map[int64]kaoqin.ReminderRule{}
	for _, r := range rules {
		byID[r.ID] = r
	}
	full := map[string]bool{}
	for _, m := range msgs {
		if full[m.To] {
			continue
		}
		n.mu.Lock()
		held := n.clock().Before(n.robotHold[m.To])
		n.mu.Unlock()
		if held {
			continue
		}
		recent, err := n.st.Reminders(ctx, kaoqin.ReminderFilter{Recipient: m.To, ClaimedSince: n.clock().Add(-62 * time.Second).UnixMilli()})
		if err != nil {
			return err
		}
		if len(recent) >= RobotPerMinute {
			full[m.To] = true
			continue
		}
		r, ok := byID[m.RuleID]
		if !ok || r.Channel != kaoqin.ChannelRobot {
			claimed, err := n.st.ClaimReminders(ctx, []int64{m.ID}, n.id, n.clock().UnixMilli(), n.clock().Add(-n.lease).UnixMilli())
			if err != nil {
				return err
			}
			if err := n.fail(ctx, claimed, "its rule was deleted"); err != nil {
				return err
			}
			continue
		}
		if n.pushes != nil {
			if err := n.pushes(ctx, 1); err != nil {
				n.log.Warn("robot messages put off: the month's push budget does not allow them", "err", kaoqin.ErrorMessage(err))
				return nil
			}
		}
		if err := n.postRobot(ctx, r, m); err != nil {
			return err
		}
	}
	return nil
}

func (n *Notifier) robot(r kaoqin.ReminderRule) (*dingtalk.Robot, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	k := r.RobotURL + "\x00" + r.RobotSecret
	if rb := n.robots[k]; rb != nil {
		return rb, nil
	}
	opts := append(slices.Clone(n.robotOp), dingtalk.WithRetry(dingtalk.RetryPolicy{}))
	rb, err := dingtalk.NewRobot(r.RobotURL, r.RobotSecret, opts...)
	if err != nil {
		return nil, err
	}
	n.robots[k] = rb
	return rb, nil
}

// postRobot claims one robot message, posts it, and records the outcome: the robot answers
// at once whether it posted.
func (n *Notifier) postRobot(ctx context.Context, r kaoqin.ReminderRule, m kaoqin.ReminderMessage) error {
	claimed, err := n.st.ClaimReminders(ctx, []int64{m.ID}, n.id, n.clock().UnixMilli(), n.clock().Add(-n.lease).UnixMilli())
	if err != nil || len(claimed) == 0 {
		return err
	}
	m = claimed[0]
	rb, err := n.robot(r)
	if err != nil {
		return n.fail(ctx, claimed, "the robot's webhook: "+oneLine(err))
	}
	var msg dingtalk.RobotMessage
	if err := json.Unmarshal([]byte(m.Body), &msg); err != nil {
		return n.fail(ctx, claimed, "the message does not decode: "+err.Error())
	}
	n.count(func(s *Stats) { s.RobotCalls++ })
	err = rb.Send(ctx, &msg)
	now := n.now().UnixMilli()
	up := kaoqin.ReminderUpdate{ID: m.ID, If: kaoqin.ReminderSending, IfClaimedBy: n.id}
	switch judge(err) {
	case sentOK:
		up.State, up.SentAt, up.DoneAt = kaoqin.ReminderDelivered, now, now
	case notTaken:
		up.State, up.Reason = kaoqin.ReminderPlanned, oneLine(err)
		var e *dingtalk.APIError
		if errors.As(err, &e) && e.RetryAfter > 0 || dingtalk.IsThrottled(err) {
			n.mu.Lock()
			n.robotHold[m.To] = n.clock().Add(10 * time.Minute)
			n.mu.Unlock()
			n.log.Warn("a robot is throttled by DingTalk: its messages wait 10 minutes", "rule", r.ID, "err", err)
		}
	case refused:
		up.State, up.Reason, up.DoneAt = kaoqin.ReminderFailed, oneLine(err), now
	default:
		n.log.Warn("reminders: the robot's answer was lost; the message goes again, with the same msgUuid, after the lease", "err", err)
		return nil
	}
	k, err := n.st.UpdateReminders(ctx, []kaoqin.ReminderUpdate{up})
	if err != nil {
		return err
	}
	switch up.State {
	case kaoqin.ReminderDelivered:
		n.count(func(s *Stats) { s.Sent += k; s.Delivered += k })
		n.audit(ctx, claimed, "posted")
		n.log.Info("a robot message posted", "rule", r.ID, "robot", MaskURL(r.RobotURL))
		if err := n.st.RecordRobotPush(ctx, kaoqin.MonthOf(n.now(), n.loc)); err != nil {
			n.log.Warn("reminders: count a robot message in the push ledger", "err", err)
		}
	case kaoqin.ReminderFailed:
		n.count(func(s *Stats) { s.Failed += k })
		n.log.Warn("a robot message failed", "rule", r.ID, "err", err)
	}
	return nil
}

// confirm asks DingTalk who got the work notifications it took (getsendresult), once per
// task: delivered, or not and why (the daily cap 143105, the same content that day 143106,
// an unknown user). A message sent again after its sender died and found a duplicate was
// delivered by the first attempt.
func (n *Notifier) confirm(ctx context.Context, day string) error {
	if n.client == nil || n.agent == 0 {
		return nil
	}
	sent, err := n.st.Reminders(ctx, kaoqin.ReminderFilter{From: kaoqin.AddDays(day, -1), To: day, States: []string{kaoqin.ReminderSent}})
	if err != nil || len(sent) == 0 {
		return err
	}
	tasks := map[int64][]kaoqin.ReminderMessage{}
	var order []int64
	for _, m := range sent {
		if m.Channel == kaoqin.ChannelRobot || m.TaskID == 0 {
			continue
		}
		if _, ok := tasks[m.TaskID]; !ok {
			order = append(order, m.TaskID)
		}
		tasks[m.TaskID] = append(tasks[m.TaskID], m)
	}
	for _, task := range order {
		n.mu.Lock()
		cs := n.confirms[task]
		wait := cs.tries > 0 && n.clock().Sub(cs.last) < time.Duration(min(cs.tries, 10))*15*time.Second
		n.mu.Unlock()
		if wait || cs.tries >= 20 {
			continue // asked lately, or given up: DingTalk took it, and that is what stays recorded
		}
		if n.budget != nil {
			if err := n.budget(ctx, 1); err != nil {
				return nil
			}
		}
		n.count(func(s *Stats) { s.ResultCalls++ })
		res, _, err := n.client.Messages.SendResult(ctx, n.agent, task)
		n.mu.Lock()
		n.confirms[task] = confirmState{tries: cs.tries + 1, last: n.clock()}
		n.mu.Unlock()
		if err != nil {
			n.log.Warn("reminders: ask DingTalk who got a work notification", "task", task, "err", err)
			continue
		}
		if err := n.apply(ctx, task, tasks[task], res); err != nil {
			return err
		}
	}
	return nil
}

// apply records one task's send result.
func (n *Notifier) apply(ctx context.Context, task int64, msgs []kaoqin.ReminderMessage, res *dingtalk.SendResult) error {
	got := map[string]string{}
	for _, u := range slices.Concat(res.ReadUserIDs, res.UnreadUserIDs) {
		got[u] = ""
	}
	for _, u := range res.InvalidUserIDs {
		got[u] = "invalid_user: DingTalk knows no such user"
	}
	for _, u := range res.FailedUserIDs {
		got[u] = "failed: DingTalk could not deliver it"
	}
	for _, u := range res.ForbiddenUserIDs {
		if _, ok := got[u]; !ok {
			got[u] = "forbidden: over one of DingTalk's sending limits"
		}
	}
	for _, f := range res.ForbiddenList {
		switch string(f.Code) {
		case "143105":
			got[f.UserID] = "daily_cap: the person had DingTalk's 500 messages of the day from the app (143105)"
		case "143106":
			got[f.UserID] = "duplicate: the same content reached the person earlier that day (143106)"
		default:
			got[f.UserID] = "forbidden: DingTalk code " + string(f.Code)
		}
	}
	now := n.now().UnixMilli()
	var up []kaoqin.ReminderUpdate
	delivered, failed := 0, 0
	for _, m := range msgs {
		reason, ok := got[m.To]
		if !ok {
			continue // not known yet
		}
		u := kaoqin.ReminderUpdate{ID: m.ID, If: kaoqin.ReminderSent, IfTaskID: task, State: kaoqin.ReminderDelivered, DoneAt: now}
		switch {
		case reason == "":
			delivered++
		case strings.HasPrefix(reason, "duplicate") && m.Attempts > 1:
			// Sent again after the sender died: the first attempt got through.
			u.Reason = "delivered by an earlier attempt (DingTalk dropped the repeat as the same content, 143106)"
			delivered++
		default:
			u.State, u.Reason = kaoqin.ReminderFailed, reason
			failed++
		}
		up = append(up, u)
	}
	k, err := n.st.UpdateReminders(ctx, up)
	if err != nil {
		return err
	}
	n.count(func(s *Stats) { s.Delivered += min(delivered, k); s.Failed += min(failed, k) })
	if failed > 0 {
		n.log.Warn("reminders not delivered", "task", task, "failed", failed, "delivered", delivered)
	}
	return nil
}
