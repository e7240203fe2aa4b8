package syncer

import (
	"context"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

// Books keep the books of DingTalk calls: every attempt the client makes goes into the store's
// metered-call ledger and into the running figures of the sync. They exist before the client
// (their Hook is the client's call hook) and before the store (the token fetch that checks
// the credentials comes first): calls seen before Attach are kept and written on Attach.
//
//	books := syncer.NewBooks(loc, logger)
//	client, err := dingtalk.NewClient(key, secret, dingtalk.WithCallHook(books.Hook))
//	...
//	s, err := syncer.New(syncer.Config{Client: client, Books: books, Store: db, ...})
type Books struct {
	loc *time.Location
	log *slog.Logger

	mu      sync.Mutex
	ledger  kaoqin.SyncStore // nil until Attach
	pending []kaoqin.Call
	err     error // the first failure to write the ledger
	figures Figures
}

// Figures count DingTalk calls: every HTTP attempt, retries and token fetches included.
type Figures struct {
	Calls     int64            `json:"calls"`
	Metered   int64            `json:"metered"`   // counted against the monthly quota, by kaoqin's (cautious) rule
	Throttled int64            `json:"throttled"` // DingTalk said "too fast"
	Retried   int64            `json:"retried"`   // attempts after the first of a call
	CallsBy   map[string]int64 `json:"calls_by"`  // per API path
}

// Sub returns the calls of f that came after g, an earlier reading of the same books.
func (f Figures) Sub(g Figures) Figures {
	d := Figures{
		Calls: f.Calls - g.Calls, Metered: f.Metered - g.Metered,
		Throttled: f.Throttled - g.Throttled, Retried: f.Retried - g.Retried,
		CallsBy: map[string]int64{},
	}
	for p, n := range f.CallsBy {
		if n -= g.CallsBy[p]; n != 0 {
			d.CallsBy[p] = n
		}
	}
	return d
}

// NewBooks returns empty books; loc is the zone of the quota's months.
func NewBooks(loc *time.Location, log *slog.Logger) *Books {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Books{loc: loc, log: log, figures: Figures{CallsBy: map[string]int64{}}}
}

// Metered reports whether an attempt counts against the monthly quota in kaoqin's books: a
// metered path and not throttled. DingTalk does not count throttled calls; an attempt that got
// no answer, or a fault, may or may not have been counted, and is: over-counting is the safe
// side of a budget.
func Metered(ci dingtalk.CallInfo) bool { return ci.Metered && !ci.Throttled }

// Hook is the client's call hook (dingtalk.WithCallHook): it records one attempt. It writes the
// ledger on the calling goroutine, so that a call is in the books before its answer is used.
func (b *Books) Hook(ci dingtalk.CallInfo) {
	c := kaoqin.Call{
		At:        ci.At.UnixMilli(),
		Month:     kaoqin.MonthOf(ci.At, b.loc),
		Path:      ci.Path,
		Metered:   Metered(ci),
		Throttled: ci.Throttled,
		Errcode:   ci.Errcode,
	}
	if c.Errcode == 0 && ci.Err != nil {
		// No errcode, but no success either (no answer, an HTTP error page): the ledger
		// counts failures by a non-zero errcode, so record DingTalk's "system busy".
		c.Errcode = -1
	}
	b.mu.Lock()
	f := &b.figures
	f.Calls++
	f.CallsBy[ci.Path]++
	if c.Metered {
		f.Metered++
	}
	if ci.Throttled {
		f.Throttled++
	}
	if ci.Attempt > 1 {
		f.Retried++
	}
	ledger := b.ledger
	if ledger == nil {
		b.pending = append(b.pending, c)
	}
	b.mu.Unlock()
	if ledger != nil {
		b.record(ledger, c)
	}
}

// record writes one call, with a context of its own: the calls of a cancelled sync still
// happened, and still count.
func (b *Books) record(ledger kaoqin.SyncStore, c kaoqin.Call) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ledger.RecordCall(ctx, c); err != nil {
		b.mu.Lock()
		first := b.err == nil
		if first {
			b.err = err
		}
		b.mu.Unlock()
		if first {
			b.log.Error("syncer: cannot write the call ledger", "path", c.Path, "err", err)
		}
	}
}

// Attach starts writing the ledger to st, beginning with the calls seen so far.
func (b *Books) Attach(st kaoqin.SyncStore) {
	b.mu.Lock()
	if b.ledger != nil {
		b.mu.Unlock()
		return
	}
	b.ledger = st
	pending := b.pending
	b.pending = nil
	b.mu.Unlock()
	for _, c := range pending {
		b.record(st, c)
	}
}

// Figures returns the calls counted so far.
func (b *Books) Figures() Figures {
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.figures
	f.CallsBy = maps.Clone(f.CallsBy)
	return f
}

// metered returns the metered calls counted so far.
func (b *Books) metered() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.figures.Metered
}

// Err returns the first failure to write the ledger, if any: a sync stops on it, since it can
// no longer account for what it spends.
func (b *Books) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}
