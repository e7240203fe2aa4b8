package web

import (
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
)

// Failed logins are slowed down without letting a stranger lock out a user who knows their
// password. Each attempt is counted against budgets of failures; past a budget, every further
// attempt must wait, twice as long after every failure, up to a cap, and a refused attempt does
// not even check the password. Which budgets count depends on whether the attempt comes from
// somewhere the account has logged in from before:
//
//   - from a browser that logged into the account (it holds the device cookie that login
//     set) only that browser's own budget counts: nobody else's failures slow it down;
//   - from an address the account logged in from before, only the budget of the account at
//     that address counts;
//   - from anywhere else, the budget of the account at that address, of the address (guessing
//     many names from one place), and of the account (guessing one name from many places;
//     one address adds at most freeFailuresPair to it) all count.
//
// So a stranger's failures slow down the stranger's own budgets; at worst, after guessing
// from many addresses, they slow down logins to that account from new places. An attempt
// is counted as a failure before the password is checked (and given back when the password
// is right), so that guesses sent in parallel cannot all pass. Names that do not exist are
// throttled exactly like names that do (no user enumeration).
//
// The state is in memory, per instance: with several instances behind a load balancer each
// keeps its own, so an attacker spread over N instances gets N times the attempts (the delays
// still grow on each), and a browser's device cookie is known to the instance that set it
// (elsewhere it is an address like any other). A restart forgets failures and known places
// alike.
const (
	freeFailuresPair = 5                   // failures of one account from one address or browser
	freeFailuresIP   = 20                  // failures from one address, any account (an office may share one)
	freeFailuresName = 30                  // failures of one account from new places
	firstDelay       = 2 * time.Second     // the wait after the first failure past the free ones
	maxDelay         = 15 * time.Minute    // the longest wait
	forgetFailures   = time.Hour           // failures this old are forgotten
	rememberPlaces   = 90 * 24 * time.Hour // how long a successful login's address stays known
	maxThrottleKeys  = 100_000             // bound on the memory an attack can make us spend
)

type loginThrottle struct {
	now func() time.Time

	mu    sync.Mutex
	fails map[string]failures
	known map[string]time.Time // account and address of a successful login -> when
}

type failures struct {
	n    int
	last time.Time
}

func newLoginThrottle(now func() time.Time) *loginThrottle {
	return &loginThrottle{now: now, fails: map[string]failures{}, known: map[string]time.Time{}}
}

// attempt is who tries to log in, as the throttle sees it.
type attempt struct {
	name, ip string
	device   string // the id of the device cookie the account's login set in this browser; "" if none
}

// budget is one count of failures an attempt is charged to, and how many it may fail free.
type budget struct {
	key  string
	free int
	add  int // what a failure adds: 1, or 0 for an address that has given the account its share
}

// ticket is an attempt let through: the budgets it was charged to in advance.
type ticket struct {
	a       attempt
	charged []budget
}

func pairKey(name, ip string) string { return "pair:" + name + "\x00" + ip }

// budgets returns the budgets of a, given the failures counted so far.
func (t *loginThrottle) budgets(a attempt, now time.Time) []budget {
	if a.device != "" {
		return []budget{{"device:" + a.name + "\x00" + a.device, freeFailuresPair, 1}}
	}
	pair := budget{pairKey(a.name, a.ip), freeFailuresPair, 1}
	if at, ok := t.known[pairKey(a.name, a.ip)]; ok && now.Sub(at) < rememberPlaces {
		return []budget{pair}
	}
	// One address adds at most its own budget to the account's, but keeps it from being
	// forgotten while it goes on guessing.
	name := budget{"name:" + a.name, freeFailuresName, 1}
	if t.fails[pair.key].n >= freeFailuresPair {
		name.add = 0
	}
	return []budget{pair, {"ip:" + a.ip, freeFailuresIP, 1}, name}
}

// reserve lets a through if none of its budgets makes it wait, and then counts it as a failure
// until succeed says otherwise. A refused attempt returns how long to wait and counts nowhere.
func (t *loginThrottle) reserve(a attempt) (*ticket, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	bs := t.budgets(a, now)
	if wait := t.waitLocked(bs, now); wait > 0 {
		return nil, wait
	}
	if len(t.fails) >= maxThrottleKeys {
		t.pruneLocked(now)
	}
	for _, b := range bs {
		f := t.fails[b.key]
		if now.Sub(f.last) >= forgetFailures {
			f.n = 0
		}
		f.n += b.add
		f.last = now
		t.fails[b.key] = f
	}
	return &ticket{a: a, charged: bs}, 0
}

// wait returns how long a must wait before its next attempt; 0 means it may try now.
func (t *loginThrottle) wait(a attempt) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	return t.waitLocked(t.budgets(a, now), now)
}

func (t *loginThrottle) waitLocked(bs []budget, now time.Time) time.Duration {
	var wait time.Duration
	for _, b := range bs {
		f, ok := t.fails[b.key]
		if !ok || f.n < b.free {
			continue
		}
		if now.Sub(f.last) >= forgetFailures {
			delete(t.fails, b.key)
			continue
		}
		wait = max(wait, f.last.Add(delayAfter(f.n-b.free+1)).Sub(now))
	}
	return wait
}

// delayAfter returns the wait after the k-th failure past the free ones (k >= 1).
func delayAfter(k int) time.Duration {
	d := firstDelay
	for i := 1; i < k && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

// succeed settles a ticket whose password was right: the attempt's own budget (the account at
// that address, or that browser) is cleared, the shared ones get back the failure charged in
// advance, and the address becomes a known place of the account.
func (t *loginThrottle) succeed(tk *ticket) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, b := range tk.charged {
		if i == 0 {
			delete(t.fails, b.key)
			continue
		}
		if f, ok := t.fails[b.key]; ok {
			f.n = max(0, f.n-b.add)
			t.fails[b.key] = f
		}
	}
	if len(t.known) >= maxThrottleKeys {
		now := t.now()
		for k, at := range t.known {
			if now.Sub(at) >= rememberPlaces {
				delete(t.known, k)
			}
		}
		if len(t.known) >= maxThrottleKeys {
			clear(t.known)
		}
	}
	t.known[pairKey(tk.a.name, tk.a.ip)] = t.now()
}

func (t *loginThrottle) pruneLocked(now time.Time) {
	for k, f := range t.fails {
		if now.Sub(f.last) >= forgetFailures {
			delete(t.fails, k)
		}
	}
	if len(t.fails) >= maxThrottleKeys {
		clear(t.fails) // under a flood of distinct keys, forget rather than grow
	}
}

// lockedOut is a login refused by the throttle.
type lockedOut struct {
	err  *kaoqin.Error
	wait time.Duration
}

func newLockedOut(wait time.Duration) *lockedOut {
	return &lockedOut{
		err:  kaoqin.Errorf(kaoqin.EUNAUTHORIZED, "Too many failed logins: try again in %d seconds.", secondsUp(wait)),
		wait: wait,
	}
}

func (e *lockedOut) Error() string { return e.err.Error() }
func (e *lockedOut) Unwrap() error { return e.err }
func (e *lockedOut) seconds() int  { return secondsUp(e.wait) }

func asLockedOut(err error, target **lockedOut) bool { return errors.As(err, target) }

func secondsUp(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

func itoa(n int) string { return strconv.Itoa(n) }
