package web

import (
	"testing"
	"time"
)

// TestReportCache_Stale: while a computation is under way, getOrStale answers with the entry
// as it was (get, and getOrStale without an entry, wait for the computation), and once it is
// done both answer with the new one. An entry older than maxStale is not answered with.
func TestReportCache_Stale(t *testing.T) {
	now := time.Date(2026, 11, 18, 9, 10, 0, 0, time.UTC)
	c := newReportCache(10*time.Second, func() time.Time { return now })
	value := func(v string) func() (any, error) { return func() (any, error) { return v, nil } }
	if v, _ := c.get("board", "v1", value("old")); v != "old" {
		t.Fatalf("first get: %v", v)
	}

	now = now.Add(3 * time.Second) // a sync: version v2
	release := make(chan struct{})
	computed := make(chan any)
	go func() {
		v, _ := c.get("board", "v2", func() (any, error) { <-release; return "new", nil })
		computed <- v
	}()
	waitFor(t, func() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.computing["board"] == 1 })

	if v, _ := c.getOrStale("board", "v2", value("unexpected")); v != "old" {
		t.Errorf("getOrStale while the board is computed: %v, want the old board at once", v)
	}
	waiting := make(chan any)
	go func() {
		v, _ := c.get("board", "v2", value("unexpected"))
		waiting <- v
	}()
	select {
	case v := <-waiting:
		t.Fatalf("get answered %v before the computation ended; it waits for it", v)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if v := <-computed; v != "new" {
		t.Errorf("the computation: %v", v)
	}
	if v := <-waiting; v != "new" {
		t.Errorf("get that waited: %v, want the new board", v)
	}
	if v, _ := c.getOrStale("board", "v2", value("unexpected")); v != "new" {
		t.Errorf("getOrStale after the computation: %v", v)
	}

	// Stale for longer than maxStale: wait for the computation instead.
	now = now.Add(maxStale)
	release = make(chan struct{})
	go func() {
		v, _ := c.get("board", "v3", func() (any, error) { <-release; return "newest", nil })
		computed <- v
	}()
	waitFor(t, func() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.computing["board"] == 1 })
	go func() {
		v, _ := c.getOrStale("board", "v3", value("unexpected"))
		waiting <- v
	}()
	select {
	case v := <-waiting:
		t.Fatalf("getOrStale answered %v, older than maxStale, instead of waiting", v)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-computed
	if v := <-waiting; v != "newest" {
		t.Errorf("getOrStale that waited: %v", v)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.computing) != 0 {
		t.Errorf("computations left under way: %v", c.computing)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
