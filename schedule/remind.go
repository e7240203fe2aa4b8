package schedule

import (
	"context"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/syncer"
)

// The reminders' clock: in the instance that holds the scheduler lock, a job ticks the
// notifier every RemindTick (a second by default), so that a reminder goes out within about
// a second of its moment; the notifier does nothing costly when nothing is due. Only the
// holder ticks: the outbox's claims keep two senders apart should two instances believe they
// hold the lock for a moment (see Lead), and make a new holder finish what a dead one left.

// Reminders is the notifier as the engine drives it (package notify).
type Reminders interface {
	Tick(ctx context.Context) error
}

// DefaultRemindTick is how often the scheduler lock's holder ticks the reminders.
const DefaultRemindTick = time.Second

// remind ticks the reminders if this instance holds the scheduler lock.
func (e *Engine) remind(ctx context.Context) {
	if e.rem == nil || !e.leader.Load() || ctx.Err() != nil {
		return
	}
	err := e.rem.Tick(ctx)
	if kaoqin.ErrorCode(err) == kaoqin.ENOTSYNCED {
		// Today has not been pulled yet: the first live pull will, and reminders follow.
		e.log.Debug("reminders wait for today's first pull", "err", err)
		return
	}
	if err != nil && ctx.Err() == nil {
		// A store or DingTalk outage fails every tick: say so once a minute, not every second.
		e.mu.Lock()
		quiet := time.Since(e.remindWarned) < time.Minute
		if !quiet {
			e.remindWarned = time.Now()
		}
		e.mu.Unlock()
		if !quiet {
			e.log.Warn("reminders", "err", err)
		}
	}
}

// RefreshToday pulls today's attendance of the people not in yet (a live pull), for the
// reminders to judge who is in on data no older than their moment. It waits for a sync this
// instance is running to end, then pulls: the reminder's moment may have come during that
// sync. It is the notifier's Refresh. While DingTalk's events carry the board, today is as
// fresh as a pull would make it, and nothing is pulled.
func (e *Engine) RefreshToday(ctx context.Context) error {
	if e.eventsCarry(ctx, e.now()) {
		return nil // DingTalk's events keep today as fresh as a pull would: no metered call
	}
	waited := time.Now()
	for !e.running.CompareAndSwap(false, true) {
		if time.Since(waited) > 2*time.Minute {
			return kaoqin.Errorf(kaoqin.ECONFLICT, "a sync has been running for two minutes")
		}
		t := time.NewTimer(100 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	e.wg.Add(1)
	defer e.wg.Done()
	defer e.running.Store(false)
	var err error
	e.run(ctx, "reminders", func(ctx context.Context) (*syncer.Summary, error) {
		var sum *syncer.Summary
		sum, err = e.s.SyncToday(ctx)
		return sum, err
	})
	return err
}

// EventsLive reports whether DingTalk's events carry today's board now: the notifier's
// EventsLive (a reminder then waits for the events to bring the punches past its moment).
func (e *Engine) EventsLive() bool {
	if e.carrier == nil {
		return false
	}
	c, err := e.carrier(e.ctx)
	return err == nil && c.Events
}
