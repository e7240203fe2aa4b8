// Package notify acts on who has not checked in: reminder rules kept in the database turn into
// DingTalk work notifications to the people concerned, lists for their departments' managers,
// and group robots' summaries, each sent exactly once.
//
// # Rules
//
// A rule (kaoqin.ReminderRule) speaks at a time of day, or minutes after each person's shift
// start (each check-in of their plan), then every so many minutes up to a cap a day; of its
// audience (people, department subtrees, or everyone) it concerns whoever has a check-in due
// and not answered (no signed check, no punch read provisionally) and no leave, trip or outing
// for it. It judges against the daily report of package report, as the board does: plans and
// punches, not a model of its own. Rest days and holidays have no check-in planned, so nothing
// is sent; quiet hours silence a moment; people who opted out get nothing. Validator checks a
// rule whole before it is saved: one line (Error, in Chinese and English) says what to fix.
//
// # Sending exactly once
//
// The outbox (kaoqin.ReminderStore) makes it so, whatever dies when:
//
//   - A message is recorded (planned) under a key that names it (rule, day, person, check-in,
//     count) before any call: recording twice is a no-op, so no instance plans it twice.
//   - A sender claims messages in one UPDATE (planned, or sending under a claim older than
//     Options.Lease) before calling DingTalk, and records the answer after, only if its claim
//     still holds. Only the scheduler lock's holder ticks (package schedule).
//   - A message whose answer was lost (the sender was killed, the connection cut) stays
//     sending; after the lease it is sent again, byte for byte the same. DingTalk delivers the
//     same content to a person once a day and drops the repeat (getsendresult: 143106), and a
//     robot posts one message per msgUuid, so the repeat is a no-op when the first arrived, and
//     the message when it did not. A 143106 on a message's second or later attempt is recorded
//     as delivered (by the earlier attempt); on its first, as not delivered (the same text
//     reached the person from elsewhere). This is why texts name their date, moment, check-in,
//     rule and count: two different reminders never share a text.
//   - Work notifications go through a client that does not retry by itself (throttled and
//     transient failures come back planned, and the next tick sends them), so that the
//     notifier knows every attempt it made.
//   - Delivery is confirmed with getsendresult per task: delivered (unread or read), or failed
//     with the reason: the daily cap (143105), a duplicate (143106), an unknown user. DingTalk
//     answers asynchronously; a task not yet known is asked again, less and less often, up to
//     20 times.
//   - A message due longer ago than Options.MaxLate (30 minutes) when a sender comes back is
//     recorded expired, not sent late.
//
// # DingTalk's limits
//
// At most 100 people a call (messages with the same text go together), 4,500 recipients a
// minute (DingTalk's 5,000, with room), texts within 2,048 bytes (a digest names the people
// that fit and counts the rest). A robot posts at most 19 messages in any 62 seconds, counted
// from the outbox's claims so that it holds across instances; a robot DingTalk throttles anyway
// (410100) is left alone for 10 minutes. Work notifications are metered: Options.Budget keeps
// them off the nightly reconciliation's share of the month (syncer.AllowNotifications), and
// the budget planner reserves what they spend a day. Robot messages count against the push
// budget (Options.PushBudget).
//
// # Fresh data
//
// Before judging who is in at a moment, the notifier makes sure the data knows every check-in
// made before it: a pull of today that began after the moment, or each person's punches known
// past it. If not, it asks for a pull of the people not in (Options.Refresh, a live pull);
// while DingTalk's events bring the punches (Options.EventsLive) it waits up to MaxWait for
// them instead.
//
// # Choices where DingTalk's documentation is silent (UNVERIFIED)
//
//   - The "same content once a day" rule is taken per calendar day of the org's time zone, for
//     the msg object as sent; the notifier relies on it to make a repeat harmless.
//   - How long DingTalk remembers a robot's msgUuid: at least the lease (minutes); the
//     simulator remembers it for its life.
//   - getsendresult lists a delivered person as unread or read; one it does not list yet is
//     asked about again.
package notify
