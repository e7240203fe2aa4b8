package web

import (
	"sync"
	"testing"
	"time"
)

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)
	th := newLoginThrottle(func() time.Time { return now })
	for k, want := range map[int]time.Duration{1: 2 * time.Second, 2: 4 * time.Second, 3: 8 * time.Second, 9: 512 * time.Second, 10: maxDelay, 60: maxDelay} {
		if got := delayAfter(k); got != want {
			t.Errorf("delayAfter(%d) = %v, want %v", k, got, want)
		}
	}
	stranger := attempt{name: "a", ip: "10.0.0.1"}
	for i := 0; i < freeFailuresPair; i++ {
		if tk, w := th.reserve(stranger); tk == nil {
			t.Fatalf("failure %d: wait %v before the free failures are used", i, w)
		}
	}
	if w := th.wait(stranger); w != firstDelay {
		t.Errorf("wait %v, want %v", w, firstDelay)
	}
	if tk, w := th.reserve(stranger); tk != nil || w != firstDelay {
		t.Errorf("reserve past the budget: %v, wait %v", tk, w)
	}
	// Someone else, the same account from elsewhere, or another account from there: free.
	if w := th.wait(attempt{name: "a", ip: "10.0.0.2"}); w != 0 {
		t.Errorf("the same account from another address waits %v", w)
	}
	if w := th.wait(attempt{name: "b", ip: "10.0.0.1"}); w != 0 {
		t.Errorf("another name from the same address waits %v", w)
	}
	// Failures are forgotten after an hour without one.
	now = now.Add(forgetFailures)
	if w := th.wait(stranger); w != 0 {
		t.Errorf("after an hour: wait %v", w)
	}
	th.reserve(stranger)
	if w := th.wait(stranger); w != 0 {
		t.Errorf("one failure after the old ones were forgotten: wait %v", w)
	}
	// The map cannot grow without bound.
	for i := 0; i < maxThrottleKeys+10; i++ {
		th.reserve(attempt{name: itoa(i), ip: "10.1.0.1"})
		now = now.Add(time.Hour) // past every wait
	}
	if n := len(th.fails); n > maxThrottleKeys+3 {
		t.Errorf("%d keys kept, bound %d", n, maxThrottleKeys)
	}
}

// TestLoginThrottle_Parallel is issue 15's item 3: 25 simultaneous wrong passwords for one
// account were all checked, because the check of the budget and the recording of a failure
// were not one step.
func TestLoginThrottle_Parallel(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)
	th := newLoginThrottle(func() time.Time { return now })
	var mu sync.Mutex
	let := 0
	var wg sync.WaitGroup
	for range 25 {
		wg.Go(func() {
			if tk, _ := th.reserve(attempt{name: "a", ip: "10.0.0.1"}); tk != nil {
				mu.Lock()
				let++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if let != freeFailuresPair {
		t.Errorf("%d of 25 parallel attempts let through, want %d", let, freeFailuresPair)
	}
}

// TestLoginThrottle_Stranger is issue 15's item 4: a stranger's failures must not lock out a
// user who knows the password.
func TestLoginThrottle_Stranger(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)
	th := newLoginThrottle(func() time.Time { return now })
	// The user logs in once from the office, and once in a browser.
	office := attempt{name: "alice", ip: "10.0.0.9"}
	tk, _ := th.reserve(office)
	th.succeed(tk)
	browser := attempt{name: "alice", ip: "10.0.0.7", device: "dev1"}
	// A stranger guesses for a day from one address, then from ten, one guess every 15 min.
	for range 96 {
		now = now.Add(15 * time.Minute)
		th.reserve(attempt{name: "alice", ip: "203.0.113.5"})
		for i := range 10 {
			th.reserve(attempt{name: "alice", ip: "198.51.100." + itoa(i)})
		}
	}
	if w := th.wait(attempt{name: "alice", ip: "203.0.113.5"}); w == 0 {
		t.Error("the stranger is not slowed down")
	}
	if w := th.wait(office); w != 0 {
		t.Errorf("alice at the office waits %v", w)
	}
	if w := th.wait(browser); w != 0 {
		t.Errorf("alice in her browser waits %v", w)
	}
	if w := th.wait(attempt{name: "alice", ip: "10.0.0.8"}); w == 0 {
		t.Error("from a new place, after guesses from many addresses, alice should be slowed down too")
	}
	// A flood from one address: its own budget; an account known there is not blocked by it.
	for i := range 40 {
		th.reserve(attempt{name: "user" + itoa(i), ip: "10.0.0.9"})
	}
	if w := th.wait(attempt{name: "bob", ip: "10.0.0.9"}); w == 0 {
		t.Error("a new account at a flooding address is not slowed down")
	}
	if w := th.wait(office); w != 0 {
		t.Errorf("alice at the office waits %v after the office's flood of other names", w)
	}
	// A right password clears the attempt's own budget and gives back what it was charged.
	tk, _ = th.reserve(office)
	th.succeed(tk)
	if f := th.fails[pairKey("alice", "10.0.0.9")]; f.n != 0 {
		t.Errorf("alice's own budget at the office holds %d failures after her login", f.n)
	}
}
