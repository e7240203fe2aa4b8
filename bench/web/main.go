// Command web measures the dashboard under load: requests per second and latency of the today
// page and of GET /api/v1/daily for a big company at 9:10, on loopback.
//
//	go run ./bench/web -users 10000 -clients 16 -duration 10s
//	go run ./bench/web -cache=false             # every request computes the report afresh
//	go run ./bench/web -db 'postgres://...'     # on PostgreSQL instead of a temporary SQLite file
//
// It fills a database with a simulated company (the DingTalk simulator's truth: the org chart
// and today's checks as they stand at 09:10), starts the server on 127.0.0.1, logs in as an HR
// account, and for each target runs -clients concurrent clients for -duration, then prints
// requests/s and the p50, p99 and max latency. The load generator shares the machine with the
// server: the figures are what one box does with both.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/web"
	"github.com/kaoqin/kaoqin/web/webtest"
)

func main() {
	users := flag.Int("users", 10000, "employees of the simulated company")
	clients := flag.Int("clients", 16, "concurrent clients per target")
	duration := flag.Duration("duration", 10*time.Second, "how long each target is hammered")
	dsn := flag.String("db", "", "database (default: a SQLite file in a temporary folder)")
	cache := flag.Bool("cache", true, "reuse computed reports while the data is unchanged (the server's default)")
	targets := flag.String("targets", "/today,/api/v1/daily", "comma-separated paths to hammer")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the load (server and load generator) to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*users, *clients, *duration, *dsn, *cache, strings.Split(*targets, ",")); err != nil {
		log.Print(err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(users, clients int, duration time.Duration, dsn string, cache bool, targets []string) error {
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	now := time.Date(2026, 11, 18, 9, 10, 0, 0, loc) // a Wednesday, 9:10
	day := kaoqin.DateOf(now, loc)
	if dsn == "" {
		dir, err := os.MkdirTemp("", "kaoqin-bench-web-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "kaoqin.db")
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()

	began := time.Now()
	sim := dingtalksim.New(dingtalksim.Config{Seed: 1, Employees: users, Location: loc, Now: now})
	if err := webtest.Fill(ctx, db, sim, day, day, now); err != nil {
		return err
	}
	hash, err := web.HashPassword("bench password 123")
	if err != nil {
		return err
	}
	if err := db.CreateUser(ctx, &kaoqin.User{Name: "bench-hr-" + fmt.Sprint(time.Now().UnixNano()), Role: kaoqin.RoleHR, PasswordHash: hash}); err != nil {
		return err
	}
	us, err := db.Users(ctx)
	if err != nil {
		return err
	}
	name := us[len(us)-1].Name
	fmt.Printf("filled %s with %d employees, %d departments and %s's checks in %s\n", db.Engine(), users,
		len(sim.Truth().Departments()), day, time.Since(began).Round(100*time.Millisecond))

	ttl := time.Duration(0)
	if !cache {
		ttl = -1
	}
	srv, err := web.New(web.Config{Store: db, Location: loc, Now: func() time.Time { return now }, CacheTTL: ttl,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: time.Minute, Transport: &http.Transport{
		MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2, DisableCompression: true}}
	resp, err := client.Post(base+"/login", "application/json", strings.NewReader(`{"name":"`+name+`","password":"bench password 123"}`))
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("log in: %s", resp.Status)
	}

	fmt.Printf("GOMAXPROCS %d, %d clients per target, %s each, report cache %v\n", runtime.GOMAXPROCS(0), clients, duration, cache)
	for _, path := range targets {
		// The first request computes the report (cold); then the load.
		start := time.Now()
		n, err := get(client, base+path)
		if err != nil {
			return fmt.Errorf("GET %s: %w", path, err)
		}
		cold := time.Since(start)
		r := hammer(client, base+path, clients, duration)
		fmt.Printf("%-16s %7.1f req/s  p50 %-9s p99 %-9s max %-9s  %d requests, %d errors, %s a response, first (cold) %s\n",
			path, float64(r.n)/r.wall.Seconds(), r.p(50), r.p(99), r.p(100), r.n, r.errors, size(n), cold.Round(time.Millisecond))
	}
	return nil
}

func get(c *http.Client, url string) (int64, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("status %s", resp.Status)
	}
	return n, err
}

type result struct {
	n, errors int64
	wall      time.Duration
	lat       []time.Duration
}

func (r result) p(q int) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := min(len(r.lat)-1, len(r.lat)*q/100)
	return r.lat[i].Round(100 * time.Microsecond)
}

// hammer runs clients loops of GET url until the time is up.
func hammer(c *http.Client, url string, clients int, d time.Duration) result {
	var n, errs atomic.Int64
	lats := make([][]time.Duration, clients)
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				t := time.Now()
				if _, err := get(c, url); err != nil {
					errs.Add(1)
					continue
				}
				lats[i] = append(lats[i], time.Since(t))
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	r := result{n: n.Load(), errors: errs.Load(), wall: time.Since(start)}
	for _, l := range lats {
		r.lat = append(r.lat, l...)
	}
	slices.SortFunc(r.lat, func(a, b time.Duration) int { return cmp.Compare(a, b) })
	return r
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
