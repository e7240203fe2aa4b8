// Command pull measures a pull of N users × D days through the dingtalk client against the
// simulator, started in-process on loopback with a QPS limit and a latency: per API path, the
// calls made against the lower bound, retries, 90018 answers, wall time, and the calls per
// second achieved against the configured QPS.
//
//	go run ./bench/pull -users 1000 -days 31 -qps 20 -latency 50ms [-records] [-leave]
//
// The lower bound of a path is the fewest calls that can fetch its data within DingTalk's
// limits: the sum over the chunks of PlanChunks (users × days per call) of the pages each
// chunk needs, ceil(rows of the chunk / rows per page) and at least 1. For /attendance/list
// that is ceil(N/50) × ceil(D/7) chunks of 50-row pages; /attendance/listRecord has one page
// per chunk; leave status has chunks of 100 users × 180 days and 20-row pages. Rows are counted
// from what the client returned, which -verify checks against the simulator's truth.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pull:", err)
		os.Exit(1)
	}
}

type options struct {
	users, days   int
	qps           int
	clientQPS     float64
	latency       time.Duration
	jitter        time.Duration
	concurrency   int
	records       bool
	leave         bool
	verify        bool
	seed          int64
	clientRetries int
}

func parse(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("pull", flag.ContinueOnError)
	fs.IntVar(&o.users, "users", 1000, "people in the simulated company, all pulled")
	fs.IntVar(&o.days, "days", 31, "work dates pulled, ending yesterday")
	fs.IntVar(&o.qps, "qps", 20, "the simulator's limit: calls per second per app and path")
	fs.Float64Var(&o.clientQPS, "client-qps", 0, "the client's own limit per path (default: -qps)")
	fs.DurationVar(&o.latency, "latency", 50*time.Millisecond, "added by the simulator to every answer")
	fs.DurationVar(&o.jitter, "jitter", 0, "network jitter: each call reaches the simulator up to this much later, at random")
	fs.IntVar(&o.concurrency, "concurrency", 0, "chunks fetched at once (default: enough to use the QPS)")
	fs.BoolVar(&o.records, "records", false, "also pull punch records (/attendance/listRecord)")
	fs.BoolVar(&o.leave, "leave", false, "also pull leave (/topapi/attendance/getleavestatus)")
	fs.BoolVar(&o.verify, "verify", true, "check every row pulled against the simulator's truth")
	fs.Int64Var(&o.seed, "seed", 1, "the simulated company's seed")
	fs.IntVar(&o.clientRetries, "retries", dingtalk.DefaultRetryPolicy.MaxRetries, "the client's retries per call")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.users < 1 || o.days < 1 || o.days > 180 || o.qps < 1 || o.latency < 0 {
		return o, errors.New("want -users >= 1, 1 <= -days <= 180, -qps >= 1 and -latency >= 0")
	}
	if o.clientQPS == 0 {
		o.clientQPS = float64(o.qps)
	}
	if o.concurrency == 0 {
		// Enough calls in flight to fill the QPS despite the latency and the time to encode
		// and decode a megabyte of punch records, with some to spare.
		o.concurrency = max(8, int(math.Ceil(o.clientQPS*(o.latency.Seconds()+0.05)))*2)
	}
	return o, nil
}

// stats are the client's view of one path: every HTTP attempt the call hook saw.
type stats struct {
	attempts, retries, throttled atomic.Int64
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	// The company clock stands at 10:00 on a Wednesday; the days pulled end the day before.
	now := time.Date(2026, 11, 18, 10, 0, 0, 0, loc)
	sim := dingtalksim.New(dingtalksim.Config{Seed: o.seed, Employees: o.users, Now: now, QPS: o.qps,
		Latency: o.latency, MonthlyQuota: -1})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: jittered(sim, o.jitter), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	var mu sync.Mutex
	byPath := map[string]*stats{}
	hook := func(ci dingtalk.CallInfo) {
		mu.Lock()
		st := byPath[ci.Path]
		if st == nil {
			st = &stats{}
			byPath[ci.Path] = st
		}
		mu.Unlock()
		st.attempts.Add(1)
		if ci.Attempt > 1 {
			st.retries.Add(1)
		}
		if ci.Throttled {
			st.throttled.Add(1)
		}
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = o.concurrency
	retry := dingtalk.DefaultRetryPolicy
	retry.MaxRetries = o.clientRetries
	cfg := sim.Config()
	c, err := dingtalk.NewClient(cfg.AppKey, cfg.AppSecret, dingtalk.WithBaseURL("http://"+ln.Addr().String()),
		dingtalk.WithQPS(o.clientQPS), dingtalk.WithCallHook(hook), dingtalk.WithRetry(retry),
		dingtalk.WithHTTPClient(&http.Client{Transport: transport, Timeout: 30 * time.Second}))
	if err != nil {
		return err
	}
	if _, err := c.AccessToken(ctx); err != nil {
		return err
	}

	ids := sim.Truth().UserIDs()
	today := dingtalk.DateOf(now)
	from, to := today.AddDays(-o.days), today.AddDays(-1)
	fmt.Fprintf(stdout, "pull of %d users × %d days (%s..%s): simulator %d QPS per path, latency %s, jitter %s; client WithQPS(%.4g), %d chunks at once\n\n",
		len(ids), o.days, from, to, o.qps, o.latency, o.jitter, o.clientQPS, o.concurrency)

	jobs := []job{{
		path: "/attendance/list", perPage: dingtalk.MaxResultLimit,
		chunks: dingtalk.PlanChunks(ids, from, to, dingtalk.MaxResultUsers, dingtalk.MaxResultDays),
		fetch: func(ch dingtalk.Chunk) (int, error) {
			rows, err := c.Attendance.ListAll(ctx, ch.ResultOptions())
			if err == nil && o.verify {
				err = verifyResults(sim, ch, rows)
			}
			return len(rows), err
		},
	}}
	if o.records {
		jobs = append(jobs, job{
			path: "/attendance/listRecord", perPage: 0,
			chunks: dingtalk.PlanChunks(ids, from, to, dingtalk.MaxResultUsers, dingtalk.MaxResultDays),
			fetch: func(ch dingtalk.Chunk) (int, error) {
				rows, _, err := c.Attendance.ListRecord(ctx, ch.RecordOptions(loc))
				if err == nil && o.verify {
					if want := len(sim.Truth().Records(ch.UserIDs, ch.From.String(), ch.To.String())); want != len(rows) {
						err = fmt.Errorf("chunk %s: %d records, the truth has %d", ch.DateRange, len(rows), want)
					}
				}
				return len(rows), err
			},
		})
	}
	if o.leave {
		jobs = append(jobs, job{
			path: "/topapi/attendance/getleavestatus", perPage: dingtalk.MaxLeavePage,
			chunks: dingtalk.PlanChunks(ids, from, to, dingtalk.MaxLeaveUsers, dingtalk.MaxLeaveDays),
			fetch: func(ch dingtalk.Chunk) (int, error) {
				rows, err := c.Attendance.LeaveStatusAll(ctx, ch.LeaveStatusOptions(loc))
				if err == nil && o.verify {
					if want := len(sim.Truth().Leaves(ch.UserIDs, ch.From.String(), ch.To.String())); want != len(rows) {
						err = fmt.Errorf("chunk %s: %d leaves, the truth has %d", ch.DateRange, len(rows), want)
					}
				}
				return len(rows), err
			},
		})
	}

	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "path\tchunks\trows\tcalls\tlower bound\tretries\t90018\twall\tcalls/s\tQPS\tQPS alone needs\t")
	for _, j := range jobs {
		sim.ResetCounters()
		res, err := j.run(o.concurrency)
		if err != nil {
			return fmt.Errorf("%s: %w", j.path, err)
		}
		ctr := sim.Counters()[j.path]
		mu.Lock()
		st := byPath[j.path]
		mu.Unlock()
		if st == nil {
			st = &stats{}
		}
		// The two sides' books must agree, or the figures mean nothing.
		if st.attempts.Load() != ctr.Calls || st.throttled.Load() != ctr.Throttled {
			return fmt.Errorf("%s: the client saw %d attempts, %d throttled; the simulator counted %d calls, %d throttled",
				j.path, st.attempts.Load(), st.throttled.Load(), ctr.Calls, ctr.Throttled)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%.2f\t%d\t%s\t\n",
			j.path, len(j.chunks), res.rows, ctr.Calls, res.lowerBound, st.retries.Load(), ctr.Throttled,
			res.wall.Round(time.Millisecond), float64(ctr.Calls)/res.wall.Seconds(), o.qps,
			(time.Duration(float64(res.lowerBound) / float64(o.qps) * float64(time.Second))).Round(time.Millisecond))
	}
	tw.Flush()
	fmt.Fprintln(stdout, "\ncalls: HTTP attempts, retries included; lower bound: sum over chunks of max(1, ceil(rows/page size));")
	fmt.Fprintln(stdout, "90018: answers the simulator throttled; QPS alone needs: lower bound / QPS.")
	return nil
}

// jittered delays each call by a random time in [0, d) before h sees it: the variable part of
// a network's latency, which the simulator's constant Latency does not have.
func jittered(h http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(rand.N(d))
		defer t.Stop()
		select {
		case <-t.C:
			h.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}

// job is the pull of one path: its chunks, fetched by a pool of workers.
type job struct {
	path    string
	perPage int // rows per page; 0: one call per chunk
	chunks  []dingtalk.Chunk
	fetch   func(dingtalk.Chunk) (rows int, err error)
}

type result struct {
	rows, lowerBound int
	wall             time.Duration
}

func (j job) run(workers int) (result, error) {
	var (
		mu    sync.Mutex
		res   result
		first error
		next  atomic.Int64
		wg    sync.WaitGroup
	)
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(j.chunks) {
					return
				}
				n, err := j.fetch(j.chunks[i])
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				res.rows += n
				res.lowerBound += pages(n, j.perPage)
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	res.wall = time.Since(start)
	return res, first
}

// pages is the fewest calls that return rows rows: at least one.
func pages(rows, perPage int) int {
	if perPage == 0 || rows == 0 {
		return 1
	}
	return (rows + perPage - 1) / perPage
}

// verifyResults checks a chunk's rows against the simulator's truth: the same ids, once each.
func verifyResults(sim *dingtalksim.Server, ch dingtalk.Chunk, rows []dingtalk.Result) error {
	want := sim.Truth().Results(ch.UserIDs, ch.From.String(), ch.To.String())
	if len(want) != len(rows) {
		return fmt.Errorf("chunk %s: %d rows, the truth has %d", ch.DateRange, len(rows), len(want))
	}
	ids := make(map[int64]bool, len(want))
	for _, r := range want {
		ids[r.ID] = true
	}
	for _, r := range rows {
		if !ids[int64(r.ID)] {
			return fmt.Errorf("chunk %s: row %d is not in the truth, or came twice", ch.DateRange, r.ID)
		}
		delete(ids, int64(r.ID))
	}
	return nil
}
