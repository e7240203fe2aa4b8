package syncer

import (
	"errors"
	"sync"
)

// errBudget stops a chunk whose next call would take the month past the quota.
var errBudget = errors.New("the month's budget of metered calls is spent")

// guard keeps a sync under the monthly quota: before each metered call it checks that the
// calls counted this month, those in flight and this one stay within the quota.
type guard struct {
	quota int64 // 0: no limit
	used0 int64 // the ledger's metered calls of the month when the pull was planned
	books *Books
	m0    int64 // the books' metered calls then

	mu       sync.Mutex
	inflight int64
}

func (g *guard) take() error {
	if g == nil {
		return nil
	}
	// A sync that cannot write its ledger can no longer keep the quota: stop before the next
	// metered call, not at the end of a chunk that may have many pages left.
	if err := g.books.Err(); err != nil {
		return err
	}
	if g.quota <= 0 {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.used0+g.books.metered()-g.m0+g.inflight+1 > g.quota {
		return errBudget
	}
	g.inflight++
	return nil
}

func (g *guard) release() {
	if g == nil || g.quota <= 0 {
		return
	}
	g.mu.Lock()
	g.inflight--
	g.mu.Unlock()
}
