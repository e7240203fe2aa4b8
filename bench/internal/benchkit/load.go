package benchkit

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/web"
)

// Dashboard is the dashboard served on loopback, and an HR account's client logged in to it.
type Dashboard struct {
	URL    string
	Client *http.Client
	hs     *http.Server
}

// ServeDashboard serves the dashboard over db on loopback, at the company clock now, and logs
// in as a new HR account; clients is how many clients will share the connection pool. With
// cache false every request computes its report afresh.
func ServeDashboard(ctx context.Context, db *store.DB, loc *time.Location, now func() time.Time, clients int, cache bool) (*Dashboard, error) {
	const password = "bench password 123"
	hash, err := web.HashPassword(password)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("bench-hr-%d", time.Now().UnixNano())
	if err := db.CreateUser(ctx, &kaoqin.User{Name: name, Role: kaoqin.RoleHR, PasswordHash: hash}); err != nil {
		return nil, err
	}
	ttl := time.Duration(0)
	if !cache {
		ttl = -1
	}
	srv, err := web.New(web.Config{Store: db, Location: loc, Now: now, CacheTTL: ttl, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d := &Dashboard{URL: "http://" + ln.Addr().String(), hs: &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}}
	go d.hs.Serve(ln)
	jar, _ := cookiejar.New(nil)
	d.Client = &http.Client{Jar: jar, Timeout: 5 * time.Minute, Transport: &http.Transport{
		MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2, DisableCompression: true}}
	resp, err := d.Client.Post(d.URL+"/login", "application/json", strings.NewReader(`{"name":"`+name+`","password":"`+password+`"}`))
	if err != nil {
		d.Close()
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		d.Close()
		return nil, fmt.Errorf("log in: %s", resp.Status)
	}
	return d, nil
}

// Close stops the dashboard.
func (d *Dashboard) Close() error { return d.hs.Close() }

// Get fetches path and returns the size of the answer.
func (d *Dashboard) Get(path string) (int64, error) {
	resp, err := d.Client.Get(d.URL + path)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %s", path, resp.Status)
	}
	return n, err
}

// Load is what Hammer measured.
type Load struct {
	N, Errors int64
	Wall      time.Duration
	lat       []time.Duration // sorted
}

// PerSecond is the requests answered per second.
func (l Load) PerSecond() float64 { return float64(l.N) / l.Wall.Seconds() }

// P returns the q-th percentile of the latencies (100: the maximum).
func (l Load) P(q int) time.Duration {
	if len(l.lat) == 0 {
		return 0
	}
	i := min(len(l.lat)-1, len(l.lat)*q/100)
	return l.lat[i].Round(100 * time.Microsecond)
}

// Hammer runs clients loops of GET path until d is up.
func (d *Dashboard) Hammer(path string, clients int, dur time.Duration) Load {
	var n, errs atomic.Int64
	lats := make([][]time.Duration, clients)
	deadline := time.Now().Add(dur)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				t := time.Now()
				if _, err := d.Get(path); err != nil {
					errs.Add(1)
					continue
				}
				lats[i] = append(lats[i], time.Since(t))
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	l := Load{N: n.Load(), Errors: errs.Load(), Wall: time.Since(start)}
	for _, x := range lats {
		l.lat = append(l.lat, x...)
	}
	slices.SortFunc(l.lat, func(a, b time.Duration) int { return cmp.Compare(a, b) })
	return l
}

// Size writes a byte count for people.
func Size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// Rounds prints the load of every target at every number of clients, each for dur.
func (d *Dashboard) Rounds(w io.Writer, rounds []int, dur time.Duration, targets []string) error {
	for _, clients := range rounds {
		fmt.Fprintf(w, "GOMAXPROCS %d, %d clients per target, %s each\n", runtime.GOMAXPROCS(0), clients, dur)
		for _, path := range targets {
			// The first request computes the report (cold); then the load.
			start := time.Now()
			n, err := d.Get(path)
			if err != nil {
				return err
			}
			cold := time.Since(start)
			l := d.Hammer(path, clients, dur)
			fmt.Fprintf(w, "%-16s %7.1f req/s  p50 %-9s p99 %-9s max %-9s  %d requests, %d errors, %s a response, first (cold) %s\n",
				path, l.PerSecond(), l.P(50), l.P(99), l.P(100), l.N, l.Errors, Size(n), cold.Round(time.Millisecond))
		}
	}
	return nil
}
