package dingtalk

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestLimiter_SpacesCallsPerPath(t *testing.T) {
	t.Parallel()
	env := setup(t) // 20 QPS
	env.handle("/topapi/user/listid", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"result":{"userid_list":[]}}`)
	})
	env.handle("/topapi/v2/department/listsub", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"result":[]}`)
	})
	start := env.clock.Now()
	for range 5 {
		if _, _, err := env.client.Users.ListIDs(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	}
	// Another path has its own bucket: no wait.
	if _, _, err := env.client.Departments.ListSub(context.Background(), 1, ""); err != nil {
		t.Fatal(err)
	}
	var at []time.Duration
	for _, ci := range env.Calls() {
		at = append(at, ci.At.Sub(start))
	}
	// 20 QPS: 20 calls over 1.05 s, 52.5 ms apart (see jitterGuard).
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	want := []time.Duration{0, ms(52.5), ms(105), ms(157.5), ms(210), ms(210)}
	if fmt.Sprint(at) != fmt.Sprint(want) {
		t.Errorf("calls at %v, want %v", at, want)
	}
}

func TestLimiter_ConcurrentCallersStayUnderQPS(t *testing.T) {
	t.Parallel()
	// A frozen clock and a sleep that only records: each caller's wait is the distance from
	// "now" to its slot, so the waits must be exactly 105 ms, 210 ms, ... in some order (10 QPS
	// with the jitter guard: 10 calls over 1.05 s).
	frozen := time.Date(2026, 11, 18, 9, 0, 0, 0, shanghai)
	var mu sync.Mutex
	var waits []time.Duration
	env := setup(t, WithQPS(10), WithClock(func() time.Time { return frozen }),
		WithSleep(func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			waits = append(waits, d)
			return ctx.Err()
		}))
	env.handle("/topapi/user/listid", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"result":{"userid_list":[]}}`)
	})
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := env.client.Users.ListIDs(context.Background(), 1); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	seen := map[time.Duration]bool{}
	for _, d := range waits {
		if seen[d] {
			t.Errorf("two callers got the same slot %v", d)
		}
		seen[d] = true
		if d%(105*time.Millisecond) != 0 {
			t.Errorf("wait %v is not a multiple of 105 ms", d)
		}
	}
	if len(seen) != 29 || !seen[29*105*time.Millisecond] {
		t.Errorf("%d waits for 30 calls at 10 QPS, want 29", len(seen))
	}
}

func TestLimiter_Off(t *testing.T) {
	t.Parallel()
	l := newLimiters(DefaultQPS)
	if l.get("/a") == nil || l.get("/a") != l.get("/a") || l.get("/a") == l.get("/b") {
		t.Error("want one lazily made limiter per path")
	}
	if l.get("/a").Burst() != 1 {
		t.Errorf("burst %d, want 1", l.get("/a").Burst())
	}
}
