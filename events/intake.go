// Package events takes DingTalk's events into kaoqin: from a Stream connection
// (dingtalk/stream) or DingTalk's HTTP push (POST /dingtalk/events), each event is stored once
// by its eventId (DingTalk delivers at least once, to any of several instances), acked, and
// then handled by a bounded pool of workers:
//
//   - attendance_check_record: the punch is stored (kaoqin.Punch, no verdict yet), so the
//     board shows the person checked in at once, judged against the plan, provisionally until
//     DingTalk's result comes with the next pull; system replays (checkByUser false) are not
//     new punches and are left out;
//   - contacts events: the people and departments are fetched with free contacts calls and the
//     org chart is patched at once;
//   - attendance_approve_status_change of a leave (finished, revoked, deleted): the
//     approver's originator's leave is pulled again (one metered call);
//   - attend_bossCheck_change, attend_user_daily_summary_refresh: the person's day is marked
//     to be pulled again by the next nightly reconciliation.
//
// An event is acked SUCCESS once it is stored, LATER when it could not be: handling comes
// after, from the store, so an instance killed after the ack loses nothing (another instance
// claims the event when its lease runs out). Every delivery is booked in the push ledger;
// the board learns of handled events through the store (EventsVersion), so every instance's
// board moves with every event whichever instance received it.
package events

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/stream"
	"github.com/kaoqin/kaoqin/syncer"
)

// Store is what the intake needs of the database.
type Store interface {
	kaoqin.EventStore
	SavePunches(ctx context.Context, b kaoqin.PunchBatch) (int64, error)
	Schedules(ctx context.Context, f kaoqin.Filter) ([]kaoqin.Schedule, error)
}

// Syncer fetches what contacts and approval events name (package syncer implements it).
type Syncer interface {
	ApplyContacts(ctx context.Context, c syncer.Contacts) (kaoqin.OrgChange, error)
	RefreshLeaveOf(ctx context.Context, processInstanceID string) (string, error)
}

// Config is what an Intake needs. Store and Location are required.
type Config struct {
	Store Store
	// Syncer fetches for contacts and approval events; nil: those events are stored and
	// counted, and marked handled without effect.
	Syncer   Syncer
	Location *time.Location
	// Clock is real time: receipt, leases, the links' heartbeats, the push ledger's month.
	// Default time.Now.
	Clock  func() time.Time
	Logger *slog.Logger
	// Instance names this process in the event links; default host-pid-random.
	Instance string
	// Source is how this instance takes events: kaoqin.SourceStream or kaoqin.SourceHTTP.
	Source string
	// Workers handle events at once; default 8.
	Workers int
	// Lease is how long a received event is its receiver's before another instance may claim
	// it; default 30 s. MaxAttempts bounds the tries of one event; default 8.
	Lease       time.Duration
	MaxAttempts int
	// Sweep is how often the store is searched for events to claim; default 2 s.
	Sweep time.Duration
	// Keep is how long handled events are kept (to recognise duplicates); default 30 days.
	Keep time.Duration
}

// Intake stores and handles DingTalk's events. It is safe for concurrent use.
type Intake struct {
	cfg  Config
	st   Store
	log  *slog.Logger
	now  func() time.Time
	work chan kaoqin.Event

	mu        sync.Mutex
	link      kaoqin.EventLink
	linkDirty chan struct{}
	handling  map[string]bool // events a worker of this instance holds
}

// New checks cfg and returns an intake; Run handles what it receives.
func New(cfg Config) (*Intake, error) {
	if cfg.Store == nil || cfg.Location == nil {
		return nil, errors.New("events: Config.Store and Config.Location are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Instance == "" {
		host, _ := os.Hostname()
		cfg.Instance = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rand.Text()[:6])
	}
	if cfg.Source == "" {
		cfg.Source = kaoqin.SourceStream
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Sweep <= 0 {
		cfg.Sweep = 2 * time.Second
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 30 * 24 * time.Hour
	}
	in := &Intake{cfg: cfg, st: cfg.Store, log: cfg.Logger, now: cfg.Clock, work: make(chan kaoqin.Event, 4096),
		linkDirty: make(chan struct{}, 1), handling: map[string]bool{}}
	in.link = kaoqin.EventLink{Instance: cfg.Instance, Source: cfg.Source, Since: in.now().UnixMilli()}
	if cfg.Source == kaoqin.SourceHTTP {
		in.link.Connected = true // DingTalk pushes when it has something; nothing to watch
	}
	return in, nil
}

// Instance is the name of this instance in the event links.
func (in *Intake) Instance() string { return in.cfg.Instance }

// Receive stores one delivered event, booking the delivery in the push ledger. It returns nil
// once the event is safely stored (new or a duplicate): ack SUCCESS; an error asks DingTalk to
// deliver it again (LATER). It is the Stream client's Handler.
func (in *Intake) Receive(ctx context.Context, e dingtalk.Event) error {
	return in.receive(ctx, e, in.cfg.Source)
}

func (in *Intake) receive(ctx context.Context, e dingtalk.Event, source string) error {
	if e.Type == "" {
		return errors.New("an event without a type")
	}
	if e.ID == "" {
		// No eventId: the body itself identifies it (a redelivery carries the same body).
		sum := sha256.Sum256(append([]byte(e.Type+"\x00"), e.Data...))
		e.ID = "h:" + hex.EncodeToString(sum[:16])
	}
	now := in.now()
	ev := &kaoqin.Event{ID: e.ID, Type: e.Type, Source: source, BornAt: e.BornAt, ReceivedAt: now.UnixMilli(), Data: e.Data}
	push := kaoqin.Push{Month: kaoqin.MonthOf(now, in.cfg.Location), Kind: e.Type, Counted: !dingtalk.IsContactsEvent(e.Type)}
	fresh, err := in.st.ReceiveEvent(ctx, ev, push, in.cfg.Lease)
	if err != nil {
		return fmt.Errorf("store event %s: %w", e.ID, err)
	}
	in.mu.Lock()
	in.link.LastEventAt = now.UnixMilli()
	in.mu.Unlock()
	if fresh {
		ev.Status = kaoqin.EventPending
		select {
		case in.work <- *ev:
		default:
			// The workers are behind: the event waits in the store, and the sweep takes it
			// when its lease runs out.
		}
	}
	return nil
}

// StreamState records the Stream connection's state in this instance's event link: the
// scheduler reads the links to know whether events carry the board. It is the Stream
// client's OnState.
func (in *Intake) StreamState(s stream.State) {
	in.mu.Lock()
	in.link.Connected, in.link.Since, in.link.Error = s.Connected, s.Since.UnixMilli(), ""
	if s.Err != nil {
		in.link.Error = s.Err.Error()
	}
	in.mu.Unlock()
	select {
	case in.linkDirty <- struct{}{}:
	default:
	}
}

// Run handles events until ctx is done: the workers, the sweep that claims events whose lease
// ran out (an instance died, a try failed), the heartbeat of this instance's event link and
// the purge of old events.
func (in *Intake) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range in.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case ev := <-in.work:
					in.handle(ctx, ev)
				}
			}
		}()
	}
	sweep := time.NewTicker(in.cfg.Sweep)
	beat := time.NewTicker(15 * time.Second)
	purge := time.NewTicker(time.Hour)
	defer func() {
		sweep.Stop()
		beat.Stop()
		purge.Stop()
		wg.Wait()
		// Say so before going: the scheduler need not wait for the heartbeat to go stale.
		in.mu.Lock()
		if in.link.Connected && in.cfg.Source == kaoqin.SourceStream {
			in.link.Connected, in.link.Since = false, in.now().UnixMilli()
		}
		in.mu.Unlock()
		in.beat(context.WithoutCancel(ctx))
	}()
	in.beat(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sweep.C:
			in.sweep(ctx)
		case <-beat.C:
			in.beat(ctx)
		case <-in.linkDirty:
			in.beat(ctx)
		case <-purge.C:
			if n, err := in.st.PurgeEvents(ctx, in.now().Add(-in.cfg.Keep).UnixMilli()); err != nil {
				in.log.Warn("events: purge old events", "err", err)
			} else if n > 0 {
				in.log.Info("events: old events purged", "events", n)
			}
		}
	}
}

// beat writes this instance's event link.
func (in *Intake) beat(ctx context.Context) {
	in.mu.Lock()
	l := in.link
	in.mu.Unlock()
	l.SeenAt = in.now().UnixMilli()
	if err := in.st.SaveEventLink(ctx, l); err != nil && ctx.Err() == nil {
		in.log.Warn("events: save this instance's event link", "err", err)
	}
}

// sweep claims the events whose lease ran out and hands them to the workers. An instance
// whose workers are behind claims nothing: idle instances take the work, and its own queue is
// not filled with what it already holds.
func (in *Intake) sweep(ctx context.Context) {
	if len(in.work) > 0 {
		return
	}
	evs, err := in.st.ClaimEvents(ctx, in.now().UnixMilli(), in.cfg.Lease, 200)
	if err != nil {
		if ctx.Err() == nil {
			in.log.Warn("events: claim events", "err", err)
		}
		return
	}
	for _, ev := range evs {
		select {
		case in.work <- ev:
		case <-ctx.Done():
			return
		}
	}
}

// handle does what one event asks and records the outcome.
func (in *Intake) handle(ctx context.Context, ev kaoqin.Event) {
	in.mu.Lock()
	if in.handling[ev.ID] {
		in.mu.Unlock()
		return // a worker of this instance has it already
	}
	in.handling[ev.ID] = true
	in.mu.Unlock()
	defer func() {
		in.mu.Lock()
		delete(in.handling, ev.ID)
		in.mu.Unlock()
	}()
	err := in.apply(ctx, ev)
	if ctx.Err() != nil {
		return // stopping: the lease runs out and another try comes
	}
	switch {
	case err == nil:
		if ferr := in.st.FinishEvent(ctx, ev.ID, "", false); ferr != nil {
			in.log.Warn("events: mark an event handled", "event", ev.ID, "err", ferr)
		}
	default:
		var bad *malformed
		final := errors.As(err, &bad) || ev.Attempts+1 >= in.cfg.MaxAttempts
		in.log.Warn("events: an event could not be handled", "event", ev.ID, "type", ev.Type, "attempt", ev.Attempts+1, "final", final, "err", err)
		if ferr := in.st.FinishEvent(ctx, ev.ID, err.Error(), final); ferr != nil {
			in.log.Warn("events: record a failed event", "event", ev.ID, "err", ferr)
		}
	}
}

// malformed is an event that no retry can handle.
type malformed struct{ err error }

func (m *malformed) Error() string { return m.err.Error() }

// apply does what the event asks.
func (in *Intake) apply(ctx context.Context, ev kaoqin.Event) error {
	e := dingtalk.Event{ID: ev.ID, Type: ev.Type, BornAt: ev.BornAt, Data: ev.Data}
	switch ev.Type {
	case dingtalk.EventCheckRecord, dingtalk.EventApproveStatus, dingtalk.EventBossCheck, dingtalk.EventDailySummary,
		dingtalk.EventUserAdd, dingtalk.EventUserModify, dingtalk.EventUserLeave,
		dingtalk.EventDeptCreate, dingtalk.EventDeptModify, dingtalk.EventDeptRemove:
	default:
		return nil // kept for the books and to recognise duplicates; nothing to do
	}
	p, err := e.Decode(in.cfg.Location)
	if err != nil {
		return &malformed{err}
	}
	switch ev.Type {
	case dingtalk.EventCheckRecord:
		return in.punches(ctx, p.CheckRecords)
	case dingtalk.EventUserAdd, dingtalk.EventUserModify:
		return in.contacts(ctx, syncer.Contacts{Users: p.UserIDs})
	case dingtalk.EventUserLeave:
		return in.contacts(ctx, syncer.Contacts{Left: p.UserIDs})
	case dingtalk.EventDeptCreate, dingtalk.EventDeptModify:
		return in.contacts(ctx, syncer.Contacts{Depts: p.DeptIDs})
	case dingtalk.EventDeptRemove:
		return in.contacts(ctx, syncer.Contacts{RemovedDepts: p.DeptIDs})
	case dingtalk.EventApproveStatus:
		// Only a leave's end of approval changes the leave DingTalk reports: a leave is
		// approved (finish), revoked (terminate, revoke) or deleted. Overtime, trips and
		// outings show in the day's results, which the next pull brings.
		if p.ApproveType != "LEAVE" || !slices.Contains([]string{"finish", "terminate", "revoke", "delete"}, p.ApproveStatus) || in.cfg.Syncer == nil {
			return nil
		}
		user, err := in.cfg.Syncer.RefreshLeaveOf(ctx, p.ProcessInstanceID)
		if err == nil {
			in.log.Info("events: leave pulled again after an approval", "user", user, "status", p.ApproveStatus)
		}
		return err
	case dingtalk.EventBossCheck, dingtalk.EventDailySummary:
		return in.st.MarkRefetch(ctx, []kaoqin.Refetch{{UserID: p.UserIDs[0], Day: p.WorkDate.String(), Reason: ev.Type, MarkedAt: in.now().UnixMilli()}})
	}
	return nil
}

func (in *Intake) contacts(ctx context.Context, c syncer.Contacts) error {
	if in.cfg.Syncer == nil {
		return nil
	}
	_, err := in.cfg.Syncer.ApplyContacts(ctx, c)
	return err
}

// punches stores the punches of an attendance_check_record.
func (in *Intake) punches(ctx context.Context, recs []dingtalk.CheckRecord) error {
	var ps []kaoqin.Punch
	for _, r := range recs {
		if !r.CheckByUser {
			continue // a system replay after re-scheduling, not a new punch
		}
		p := Punch(r, in.cfg.Location)
		day, err := in.workDate(ctx, p)
		if err != nil {
			return err
		}
		p.WorkDate = day
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return nil
	}
	// A batch without a scope only adds: DingTalk's own records of the day replace these when
	// a pull brings them.
	_, err := in.st.SavePunches(ctx, kaoqin.PunchBatch{Punches: ps})
	return err
}

// nightShiftReach is how far from a planned check of the day before a punch after midnight
// may be and still belong to that day's shift.
const nightShiftReach = 12 * time.Hour

// workDate is the work date a punch belongs to. DingTalk files a night shift's punches under
// the day the shift began on (a check-out at 06:00 belongs to the day before), and the event
// does not say: the person's plans do. Of the plans of the punch's calendar day and of the
// day before, the check nearest to the punch names its work date; without plans, the
// calendar day.
func (in *Intake) workDate(ctx context.Context, p kaoqin.Punch) (string, error) {
	day := p.WorkDate
	plans, err := in.st.Schedules(ctx, kaoqin.Filter{From: kaoqin.AddDays(day, -1), To: day, UserIDs: []string{p.UserID}})
	if err != nil {
		return "", fmt.Errorf("read the plans of %s: %w", p.UserID, err)
	}
	best, dist := day, int64(-1)
	for _, pl := range plans {
		if pl.IsRest || pl.PlanCheckTime == 0 {
			continue
		}
		d := pl.PlanCheckTime - p.UserCheckTime
		if d < 0 {
			d = -d
		}
		if pl.WorkDate != day && d > nightShiftReach.Milliseconds() {
			continue
		}
		if dist < 0 || d < dist {
			best, dist = pl.WorkDate, d
		}
	}
	return best, nil
}

// SourceEvent marks the punches kaoqin stored from DingTalk's punch events (kaoqin.Punch
// SourceType): they have no verdict (time result, check type) until a pull brings DingTalk's.
const SourceEvent = "EVENT"

// Punch is the punch of one record of attendance_check_record. DingTalk's event gives no
// record id, so the id is drawn from the person and the instant: negative, apart from
// DingTalk's record ids, and the same for a duplicate under another eventId. The work date is
// the calendar day of the punch; the intake then files it under its shift's day (workDate).
func Punch(r dingtalk.CheckRecord, loc *time.Location) kaoqin.Punch {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%d", r.UserID, r.CheckTime)
	id := -int64(h.Sum64()>>11) - 1
	return kaoqin.Punch{
		ID:             id,
		UserID:         r.UserID,
		WorkDate:       kaoqin.DateOfMs(r.CheckTime, loc),
		LocationResult: r.LocationResult,
		SourceType:     SourceEvent,
		UserCheckTime:  r.CheckTime,
		LocationMethod: r.LocationMethod,
		UserAddress:    r.Address,
		Latitude:       r.Latitude,
		Longitude:      r.Longitude,
		DeviceSN:       r.DeviceSN,
	}
}
