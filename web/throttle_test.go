package web

import (
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
	for i := 0; i < freeFailuresName; i++ {
		if w := th.wait("a", "10.0.0.1"); w != 0 {
			t.Fatalf("failure %d: wait %v before the free failures are used", i, w)
		}
		th.fail("a", "10.0.0.1")
	}
	if w := th.wait("a", "10.0.0.2"); w != firstDelay {
		t.Errorf("wait %v, want %v (per name, whatever the address)", w, firstDelay)
	}
	if w := th.wait("b", "10.0.0.1"); w != 0 {
		t.Errorf("another name from the same address waits %v", w)
	}
	// Failures are forgotten after an hour without one.
	now = now.Add(forgetFailures)
	if w := th.wait("a", "10.0.0.1"); w != 0 {
		t.Errorf("after an hour: wait %v", w)
	}
	th.fail("a", "10.0.0.1")
	if w := th.wait("a", "10.0.0.1"); w != 0 {
		t.Errorf("one failure after the old ones were forgotten: wait %v", w)
	}
	// The map cannot grow without bound.
	for i := 0; i < maxThrottleKeys+10; i++ {
		th.fail(itoa(i), "10.1.0.1")
	}
	if n := len(th.fails); n > maxThrottleKeys+2 {
		t.Errorf("%d keys kept, bound %d", n, maxThrottleKeys)
	}
}
