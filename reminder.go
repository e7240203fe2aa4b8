package kaoqin

import "context"

// Reminder channels: how a rule's messages reach people.
const (
	// ChannelPerson sends each person concerned a work notification (工作通知) of their own.
	ChannelPerson = "person"
	// ChannelDigest sends the managers of each department (DingTalk's department leaders) a
	// work notification listing their people concerned.
	ChannelDigest = "digest"
	// ChannelRobot posts a summary to a DingTalk group through a custom robot's webhook.
	ChannelRobot = "robot"
	// ChannelBoard is a reminder someone sent from the board ("remind now"), not a rule.
	ChannelBoard = "board"
)

// ReminderRule says who gets which reminder when. Package notify validates rules and turns
// them into messages; the store keeps them.
//
// A rule fires at a time of day (At), or After minutes after each person's shift start (each
// check-in of their plan; negative: before it), and then every Every minutes, at most Cap
// times a day for one recipient. It concerns the people of its audience (UserIDs and the
// subtrees of DeptIDs; both empty: everyone) who have a check-in due and not signed and are not
// on leave, and it sends nothing on their rest days and holidays (no check-in planned), in its
// quiet hours, or to people who opted out.
type ReminderRule struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	Channel string `json:"channel"` // ChannelPerson, ChannelDigest or ChannelRobot
	// At is a time of day "HH:MM"; "" means After each person's shift start.
	At    string `json:"at,omitempty"`
	After int    `json:"after_minutes"` // minutes after a shift start (negative: before), when At is ""
	Every int    `json:"every_minutes"` // minutes between repeats; 0: no repeat
	Cap   int    `json:"cap"`           // messages of the rule to one recipient a day
	// The audience: these people and the members of these departments' subtrees; both empty
	// means the whole company.
	UserIDs []string `json:"userids"`
	DeptIDs []int64  `json:"department_ids"`
	// Quiet hours "HH:MM": nothing is sent from QuietFrom to QuietTo (which may be the next
	// day); both "" means none.
	QuietFrom string `json:"quiet_from,omitempty"`
	QuietTo   string `json:"quiet_to,omitempty"`
	// RobotURL is a robot rule's webhook (https://oapi.dingtalk.com/robot/send?access_token=...)
	// and RobotSecret its signing secret (SEC...), if it signs. Both are credentials: shown
	// masked, never logged.
	RobotURL    string `json:"robot_url,omitempty"`
	RobotSecret string `json:"-"`
	Note        string `json:"note,omitempty"` // a line added to every message
	UpdatedAt   int64  `json:"updated_at"`     // unix ms
	UpdatedBy   string `json:"updated_by,omitempty"`
}

// ReminderOptOut is a person who gets no reminders (work notifications) from kaoqin.
type ReminderOptOut struct {
	UserID string `json:"userid"`
	At     int64  `json:"at"` // unix ms
	By     string `json:"by"`
}

// States of a reminder message. planned -> sending -> sent -> delivered | failed; a message
// due too long ago when its sender came back is expired instead of sent late.
const (
	ReminderPlanned   = "planned"   // recorded, not handed to DingTalk yet
	ReminderSending   = "sending"   // claimed by a sender, the call under way (or its sender died)
	ReminderSent      = "sent"      // DingTalk took it; delivery not confirmed yet
	ReminderDelivered = "delivered" // DingTalk confirmed delivery (getsendresult, or the robot's answer)
	ReminderFailed    = "failed"    // not delivered; Reason says why
	ReminderExpired   = "expired"   // due too long ago to be worth sending
)

// ReminderMessage is one message to one recipient: the outbox row that makes sending exactly
// once. It is recorded before DingTalk is called and updated after; Key is unique, so that the
// same reminder is never recorded twice, whoever records it.
type ReminderMessage struct {
	ID       int64  `json:"id"`
	Key      string `json:"key"`
	RuleID   int64  `json:"rule_id"` // 0 for ChannelBoard
	Channel  string `json:"channel"`
	WorkDate string `json:"work_date"`
	// To is the recipient: a userid, or for a robot message "robot:" and a digest of the
	// robot's access token (the robot's limit of 20 a minute is per robot, whatever the rule).
	To string `json:"to"`
	// About are the people the message is about: the recipient for a personal reminder, the
	// department's people for a digest, none for a robot's summary.
	About []string `json:"about"`
	DueAt int64    `json:"due_at"` // unix ms, application clock
	Title string   `json:"title"`
	Text  string   `json:"text"`
	// Body is what is sent, byte for byte: the work notification's msg object, or the robot
	// message with its msgUuid. A message sent again after a crash is sent identical, so that
	// DingTalk's once-a-day rule for identical content (and the robot's msgUuid) makes the
	// second a no-op if the first arrived.
	Body     string `json:"-"`
	State    string `json:"state"`
	Reason   string `json:"reason,omitempty"`
	Attempts int    `json:"attempts"`
	// ClaimedAt is when a sender claimed it, in real time (unix ms): a claim older than the
	// sender's lease means the sender died, and DingTalk's robot limit counts real minutes.
	ClaimedAt int64  `json:"claimed_at,omitempty"`
	ClaimedBy string `json:"claimed_by,omitempty"`
	TaskID    int64  `json:"task_id,omitempty"` // the work notification's task, for getsendresult
	SentAt    int64  `json:"sent_at,omitempty"` // when DingTalk took it
	DoneAt    int64  `json:"done_at,omitempty"` // when it was delivered, failed or expired
	By        string `json:"by,omitempty"`      // who sent it from the board
	CreatedAt int64  `json:"created_at"`
}

// ReminderFilter selects reminder messages: by work date (inclusive, both "" for all), and
// when set, by person (UserID: the recipient or someone the message is about), recipient
// (To), rule, state, and claims since a moment (ClaimedSince, real time unix ms).
type ReminderFilter struct {
	From, To     string
	UserID       string
	Recipient    string
	RuleID       int64
	States       []string
	ClaimedSince int64
	Limit        int // 0: all
}

// ReminderUpdate is what a sender learnt about one message. It applies only if the message
// is still as the sender left it: in state If, and, when set, claimed by IfClaimedBy (the
// sender's own claim: another sender took the message over since) or sent as task IfTaskID.
// A delivered message stays delivered.
type ReminderUpdate struct {
	ID          int64
	If          string // the state the sender last saw
	IfClaimedBy string
	IfTaskID    int64
	State       string
	Reason      string
	TaskID      int64 // 0: unchanged
	SentAt      int64 // 0: unchanged
	DoneAt      int64 // 0: unchanged
}

// ReminderStore keeps the reminder rules, the opt-outs and the outbox of messages.
type ReminderStore interface {
	// SaveReminderRule inserts r (ID 0; ID is set) or replaces the rule with r's ID
	// (ENOTFOUND if there is none).
	SaveReminderRule(ctx context.Context, r *ReminderRule) error
	DeleteReminderRule(ctx context.Context, id int64) error // ENOTFOUND if there is none
	ReminderRules(ctx context.Context) ([]ReminderRule, error)

	// SetReminderOptOut records that userid gets no reminders (out) or gets them again.
	SetReminderOptOut(ctx context.Context, userid string, out bool, by string) error
	ReminderOptOuts(ctx context.Context) ([]ReminderOptOut, error)

	// PlanReminders records messages as planned, leaving alone those whose Key is recorded
	// already; it returns the ones it recorded, with their IDs.
	PlanReminders(ctx context.Context, msgs []ReminderMessage) ([]ReminderMessage, error)
	// ClaimReminders moves the messages of ids that are planned, or sending with a claim older
	// than staleBefore (unix ms, real time), to sending for the claimant by at `at` (real time),
	// counts an attempt, and returns them: of several senders claiming at once, each message
	// goes to one.
	ClaimReminders(ctx context.Context, ids []int64, by string, at, staleBefore int64) ([]ReminderMessage, error)
	// UpdateReminders records what senders learnt, in one transaction, and returns how many
	// updates applied (see ReminderUpdate).
	UpdateReminders(ctx context.Context, updates []ReminderUpdate) (int, error)
	// Reminders returns the messages f selects, by DueAt then ID.
	Reminders(ctx context.Context, f ReminderFilter) ([]ReminderMessage, error)
}
