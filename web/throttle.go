package web

import (
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
)

// Failed logins are slowed down per account name and per client IP: after a few failures,
// each further attempt must wait, twice as long after every failure, up to a cap. A refused
// attempt does not even check the password, so guessing proceeds at the throttle's pace
// whatever the attacker's. Names that do not exist are throttled exactly like names that do
// (no user enumeration). The state is in memory: with several instances behind a load
// balancer each keeps its own, so an attacker spread over N instances gets N times the
// attempts; the delays still grow on each.
const (
	freeFailuresName = 5                // failures of one account name before it slows down
	freeFailuresIP   = 20               // failures from one IP (an office may share one)
	firstDelay       = 2 * time.Second  // the wait after the first failure past the free ones
	maxDelay         = 15 * time.Minute // the longest wait
	forgetFailures   = time.Hour        // failures this old are forgotten
	maxThrottleKeys  = 100_000          // bound on the memory an attack can make us spend
)

type loginThrottle struct {
	now func() time.Time

	mu    sync.Mutex
	fails map[string]failures
}

type failures struct {
	n    int
	last time.Time
}

func newLoginThrottle(now func() time.Time) *loginThrottle {
	return &loginThrottle{now: now, fails: map[string]failures{}}
}

func nameKey(name string) string { return "name:" + name }
func ipKey(ip string) string     { return "ip:" + ip }

// wait returns how long the caller must wait before the next attempt for name from ip; 0
// means it may try now.
func (t *loginThrottle) wait(name, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	return max(t.waitLocked(nameKey(name), freeFailuresName, now), t.waitLocked(ipKey(ip), freeFailuresIP, now))
}

func (t *loginThrottle) waitLocked(key string, free int, now time.Time) time.Duration {
	f, ok := t.fails[key]
	if !ok || f.n < free {
		return 0
	}
	if now.Sub(f.last) >= forgetFailures {
		delete(t.fails, key)
		return 0
	}
	return max(0, f.last.Add(delayAfter(f.n-free+1)).Sub(now))
}

// delayAfter returns the wait after the k-th failure past the free ones (k >= 1).
func delayAfter(k int) time.Duration {
	d := firstDelay
	for i := 1; i < k && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

// fail records a failed attempt for name from ip.
func (t *loginThrottle) fail(name, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.fails) >= maxThrottleKeys {
		t.pruneLocked(now)
	}
	for _, k := range []string{nameKey(name), ipKey(ip)} {
		f := t.fails[k]
		if now.Sub(f.last) >= forgetFailures {
			f.n = 0
		}
		f.n++
		f.last = now
		t.fails[k] = f
	}
}

// succeed forgets the account's failures. The IP's stay: logging into one's own account must
// not reset the count of guesses at others'.
func (t *loginThrottle) succeed(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, nameKey(name))
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
