// Command web measures the dashboard under load: requests per second and latency of the today
// page and of GET /api/v1/daily for a big company at 9:10, on loopback.
//
//	go run ./bench/web -users 10000 -clients 16 -duration 10s
//	go run ./bench/web -clients 16,64                    # one round per number of clients
//	go run ./bench/web -cache=false             # every request computes the report afresh
//	go run ./bench/web -gzip                    # asking for gzip, as browsers do
//	go run ./bench/web -db 'postgres://...'     # on PostgreSQL instead of a temporary SQLite file
//
// It fills a database with a simulated company (the DingTalk simulator's truth: the org chart
// and today's checks as they stand at 09:10), starts the server on 127.0.0.1, logs in as an HR
// account, and for each target runs -clients concurrent clients for -duration, then prints
// requests/s and the p50, p99 and max latency. The load generator shares the machine with the
// server: the figures are what one box does with both. (bench/company does the same on a
// database filled by a real sync.)
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/bench/internal/benchkit"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/web/webtest"
)

func main() {
	users := flag.Int("users", 10000, "employees of the simulated company")
	clients := flag.String("clients", "16", "concurrent clients per target (comma list: one round each)")
	duration := flag.Duration("duration", 10*time.Second, "how long each target is hammered")
	dsn := flag.String("db", "", "postgres://... to measure PostgreSQL (a schema of its own); default a SQLite file in a temporary folder")
	cache := flag.Bool("cache", true, "reuse computed reports while the data is unchanged (the server's default)")
	targets := flag.String("targets", "/today,/api/v1/daily", "comma-separated paths to hammer")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the load (server and load generator) to this file")
	gzipped := flag.Bool("gzip", false, "ask for gzip, as browsers do (the sizes are then the compressed ones)")
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
	var rounds []int
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			log.Fatalf("bad -clients %q: want numbers such as 16,64", *clients)
		}
		rounds = append(rounds, n)
	}
	if err := run(*users, rounds, *duration, *dsn, *cache, *gzipped, strings.Split(*targets, ",")); err != nil {
		log.Print(err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(users int, rounds []int, duration time.Duration, dsn string, cache, gzipped bool, targets []string) error {
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	now := time.Date(2026, 11, 18, 9, 10, 0, 0, loc) // a Wednesday, 9:10
	day := kaoqin.DateOf(now, loc)
	db, err := benchkit.OpenDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()

	began := time.Now()
	sim := dingtalksim.New(dingtalksim.Config{Seed: 1, Employees: users, Location: loc, Now: now})
	if err := webtest.Fill(ctx, db, sim, day, day, now); err != nil {
		return err
	}
	fmt.Printf("filled %s with %d employees, %d departments and %s's checks in %s\n", db.Name, users,
		len(sim.Truth().Departments()), day, time.Since(began).Round(100*time.Millisecond))
	d, err := benchkit.ServeDashboard(ctx, db.DB, loc, func() time.Time { return now }, slices.Max(rounds), cache)
	if err != nil {
		return err
	}
	if gzipped {
		d.Client.Transport = acceptGzip{d.Client.Transport}
	}
	defer d.Close()
	return d.Rounds(os.Stdout, rounds, duration, targets)
}

// acceptGzip asks for gzip on every request, as a browser does.
type acceptGzip struct{ next http.RoundTripper }

func (a acceptGzip) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Encoding", "gzip")
	return a.next.RoundTrip(r)
}
