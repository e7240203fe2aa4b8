// Command events measures DingTalk's events in kaoqin against the simulator, on loopback.
//
//	go run ./bench/events -latency               # punch-to-board latency at a morning peak
//	go run ./bench/events -month                 # a month's metered calls and pushes, events against polls
//	go run ./bench/events -latency -db 'postgres://...'
//	go run ./bench/events -demo http://127.0.0.1:8080 -sim http://127.0.0.1:PORT -pass PW   # against kaoqin demo
//
// Latency: a company of -users people (10,000) is pulled at 07:30 (plans, today's checks), then
// its clock runs through the morning peak fast enough for -rate punches a minute (1,000) while
// an intake takes the punch events over a Stream connection and a client reads the board's JSON
// (GET /api/v1/daily) back to back. A punch's latency is from the simulator making its event to
// the first board that shows it as a provisional check-in; p50 and p99 are printed.
//
// Demo: against a running kaoqin demo (-demo URL -sim URL -pass PW), -n times: a person not
// in yet punches (an attendance_check_record event made on the simulator at its clock's now,
// POST /_sim/events), and the board's JSON is read every 50 ms until it shows the punch. The
// page itself asks for its board every 2 s, so a person watching it sees the punch up to 2 s
// after the JSON does.
//
// Month: a company of -month-users people (1,000) lives November 2026 on the simulated clock,
// ten minutes a step, with kaoqin's real scheduler (nightly reconciliation at 02:00, live pulls
// every 10 minutes 08:00-19:00) three times: polls only (KAOQIN_EVENTS=off); Stream events with
// the free tier's 3,000 pushes a month; and with 50,000 (a paid edition). It prints the metered
// calls and the pushes each spent, the live polls it ran, and the day the pushes ran out. The
// metered quota is not enforced, to show what each way needs.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/bench/internal/benchkit"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/dingtalk/stream"
	"github.com/kaoqin/kaoqin/events"
	"github.com/kaoqin/kaoqin/schedule"
	"github.com/kaoqin/kaoqin/syncer"
	"github.com/kaoqin/kaoqin/web"
)

func main() {
	doLatency := flag.Bool("latency", false, "measure punch-to-board latency at a morning peak")
	doMonth := flag.Bool("month", false, "measure a month's metered calls and pushes, events against polls")
	users := flag.Int("users", 10000, "people of the latency run")
	rate := flag.Int("rate", 1000, "punches a minute at the peak")
	duration := flag.Duration("duration", 2*time.Minute, "how long the peak runs")
	monthUsers := flag.Int("month-users", 1000, "people of the month runs")
	monthRuns := flag.String("month-runs", "polls,free,paid", "which month runs: polls (events off), free (3,000 pushes), paid (50,000)")
	dsn := flag.String("db", "", "postgres://... for PostgreSQL (a schema of its own, dropped afterwards); default a temporary SQLite file")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	demoURL := flag.String("demo", "", "a running kaoqin demo's URL: measure punch to board there (with -sim and -pass)")
	simURL := flag.String("sim", "", "the demo's simulator (the host of the /_sim/inbox address its banner prints)")
	pass := flag.String("pass", "", "the demo's password (its banner prints it)")
	samples := flag.Int("n", 10, "punches of the -demo run")
	flag.Parse()
	if *demoURL != "" {
		if err := demoLatency(*demoURL, *simURL, *pass, *samples); err != nil {
			log.Fatal(err)
		}
		return
	}
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
	if !*doLatency && !*doMonth {
		*doLatency, *doMonth = true, true
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if *doLatency {
		if err := latency(ctx, *dsn, loc, *users, *rate, *duration); err != nil {
			log.Fatal(err)
		}
	}
	if *doMonth {
		fmt.Printf("\nA month (November 2026) of a %d-person company, live pulls every 10 minutes 08:00-19:00, nightly at 02:00:\n", *monthUsers)
		fmt.Printf("%-34s %14s %12s %12s %10s %s\n", "", "metered calls", "live polls", "pushes", "events", "pushes ran out")
		for _, m := range []monthRun{{key: "polls", name: "polls only (KAOQIN_EVENTS=off)"}, {key: "free", name: "events, 3,000 pushes (free tier)", events: true, pushQuota: 3000},
			{key: "paid", name: "events, 50,000 pushes", events: true, pushQuota: 50000}} {
			if !slices.Contains(strings.Split(*monthRuns, ","), m.key) {
				continue
			}
			if err := month(ctx, *dsn, loc, *monthUsers, m); err != nil {
				log.Fatal(err)
			}
		}
	}
}

// world is a simulated company on loopback, a database, and kaoqin's syncer on them.
type world struct {
	sim    *dingtalksim.Server
	url    string
	srv    *http.Server
	db     *benchkit.DB
	syncer *syncer.Syncer
}

func newWorld(ctx context.Context, dsn string, loc *time.Location, users int, now time.Time, ev dingtalksim.EventsConfig) (*world, error) {
	db, err := benchkit.OpenDB(ctx, dsn)
	if err != nil {
		return nil, err
	}
	w := &world{db: db}
	w.sim = dingtalksim.New(dingtalksim.Config{Seed: 1, Employees: users, Location: loc, Now: now, QPS: -1, IPLimit: -1, MonthlyQuota: -1, Events: ev})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	w.url = "http://" + ln.Addr().String()
	w.srv = &http.Server{Handler: w.sim, ReadHeaderTimeout: 10 * time.Second}
	go w.srv.Serve(ln)
	books := syncer.NewBooks(loc, nil)
	client, err := dingtalk.NewClient(w.sim.Config().AppKey, w.sim.Config().AppSecret, dingtalk.WithBaseURL(w.url),
		dingtalk.WithQPS(math.Inf(1)), dingtalk.WithLocation(loc), dingtalk.WithCallHook(books.Hook))
	if err != nil {
		return nil, err
	}
	w.syncer, err = syncer.New(syncer.Config{Client: client, Store: db.DB, Books: books, Location: loc, Now: w.sim.Now})
	return w, err
}

func (w *world) close() {
	w.srv.Close()
	w.db.Close()
}

// takeEvents runs an intake and its Stream client until ctx is done.
func (w *world) takeEvents(ctx context.Context, loc *time.Location) (*events.Intake, *sync.WaitGroup, error) {
	in, err := events.New(events.Config{Store: w.db.DB, Syncer: w.syncer, Location: loc, Workers: 8})
	if err != nil {
		return nil, nil, err
	}
	c, err := stream.New(stream.Config{AppKey: w.sim.Config().AppKey, AppSecret: w.sim.Config().AppSecret, APIURL: w.url,
		Handle: in.Receive, OnState: in.StreamState})
	if err != nil {
		return nil, nil, err
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); in.Run(ctx) }()
	go func() { defer wg.Done(); c.Run(ctx) }()
	for deadline := time.Now().Add(10 * time.Second); w.sim.EventStats().Connections == 0; {
		if time.Now().After(deadline) {
			return nil, nil, fmt.Errorf("the Stream connection did not open")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return in, &wg, nil
}

// boardJSON is what the latency run reads of GET /api/v1/daily.
type boardJSON struct {
	Employees []struct {
		UserID string `json:"userid"`
		Checks []struct {
			UserCheckTime *time.Time `json:"user_check_time"`
			Provisional   bool       `json:"provisional"`
		} `json:"checks"`
	} `json:"employees"`
}

func latency(ctx context.Context, dsn string, loc *time.Location, users, rate int, dur time.Duration) error {
	day := time.Date(2026, 11, 18, 0, 0, 0, 0, loc)
	w, err := newWorld(ctx, dsn, loc, users, day.Add(7*time.Hour+30*time.Minute), dingtalksim.EventsConfig{PushQuota: -1})
	if err != nil {
		return err
	}
	defer w.close()
	began := time.Now()
	if _, err := w.syncer.Run(ctx, syncer.Request{OrgOnly: true}); err != nil {
		return err
	}
	if _, err := w.syncer.SyncToday(ctx); err != nil {
		return err
	}
	fmt.Printf("Punch-to-board latency: %d people on %s, org and today's first pull (07:30) in %s\n", users, w.db.Name, time.Since(began).Round(100*time.Millisecond))

	// The clock's speed that makes -rate punches a minute at the peak.
	peakFrom, peakTo := day.Add(8*time.Hour+15*time.Minute), day.Add(9*time.Hour+15*time.Minute)
	n := 0
	w.sim.SetNow(day.Add(23 * time.Hour)) // the truth of the whole day
	for _, r := range w.sim.Truth().Records(w.sim.Truth().UserIDs(), "2026-11-18", "2026-11-18") {
		if t := time.UnixMilli(r.UserCheckTime); !t.Before(peakFrom) && t.Before(peakTo) {
			n++
		}
	}
	perCompanyMinute := float64(n) / peakTo.Sub(peakFrom).Minutes()
	speed := float64(rate) / perCompanyMinute
	w.sim.SetNow(peakFrom)
	w.sim.SkipEvents()

	ectx, stop := context.WithCancel(ctx)
	_, wg, err := w.takeEvents(ectx, loc)
	if err != nil {
		stop()
		return err
	}
	dash, err := benchkit.ServeDashboard(ctx, w.db.DB, loc, w.sim.Now, 2, true)
	if err != nil {
		stop()
		return err
	}
	defer dash.Close()

	w.sim.SetNow(peakFrom)
	w.sim.SkipEvents()
	w.sim.SetSpeed(speed)
	start := time.Now()
	seen := map[string]time.Time{} // "userid@unix s" -> when a board first showed it
	boards := 0
	var fetch []time.Duration
	for time.Since(start) < dur {
		t0 := time.Now()
		resp, err := dash.Client.Get(dash.URL + "/api/v1/daily")
		if err != nil {
			stop()
			return err
		}
		var b boardJSON
		err = json.NewDecoder(resp.Body).Decode(&b)
		resp.Body.Close()
		if err != nil {
			stop()
			return err
		}
		at := time.Now()
		fetch = append(fetch, at.Sub(t0))
		boards++
		for _, e := range b.Employees {
			for _, c := range e.Checks {
				if c.Provisional && c.UserCheckTime != nil {
					k := fmt.Sprintf("%s@%d", e.UserID, c.UserCheckTime.Unix())
					if _, ok := seen[k]; !ok {
						seen[k] = at
					}
				}
			}
		}
	}
	w.sim.SetSpeed(0)
	end := time.Now()
	stop()
	wg.Wait()

	var lat []time.Duration
	made, all := 0, 0
	for _, ev := range w.sim.EventLog() {
		if ev.Type != dingtalk.EventCheckRecord || ev.Made.Before(start) {
			continue
		}
		all++
		if ev.Made.After(end.Add(-10 * time.Second)) {
			continue // too late for a board to show
		}
		p, err := dingtalk.Event{Type: ev.Type, Data: ev.Data}.Decode(loc)
		if err != nil {
			return err
		}
		for _, r := range p.CheckRecords {
			made++
			if at, ok := seen[fmt.Sprintf("%s@%d", r.UserID, r.CheckTime/1000)]; ok {
				lat = append(lat, at.Sub(ev.Made))
			}
		}
	}
	slices.Sort(lat)
	slices.Sort(fetch)
	pct := func(ds []time.Duration, q float64) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		return ds[min(len(ds)-1, int(float64(len(ds))*q))].Round(time.Millisecond)
	}
	st := w.sim.EventStats()
	fmt.Printf("  clock at %.1fx: %d punch events in %s (%.0f a minute); of the %d punches made up to 10 s before the end, %d were shown as check-ins (the others were a second punch of a check already read)\n",
		speed, all, end.Sub(start).Round(time.Second), float64(all)/end.Sub(start).Minutes(), made, len(lat))
	fmt.Printf("  punch to board: p50 %s, p90 %s, p99 %s, max %s\n", pct(lat, 0.5), pct(lat, 0.9), pct(lat, 0.99), pct(lat, 1))
	fmt.Printf("  %d boards read back to back (GET /api/v1/daily of %d people: p50 %s, p99 %s); events acked %d of %d\n",
		boards, users, pct(fetch, 0.5), pct(fetch, 0.99), st.Acked, st.Emitted)
	return nil
}

// monthRun is one way of living the month.
type monthRun struct {
	key, name string
	events    bool
	pushQuota int
}

func month(ctx context.Context, dsn string, loc *time.Location, users int, m monthRun) error {
	first := time.Date(2026, 11, 1, 0, 0, 0, 0, loc)
	quota := m.pushQuota
	if quota == 0 {
		quota = -1
	}
	began := time.Now()
	w, err := newWorld(ctx, dsn, loc, users, first, dingtalksim.EventsConfig{PushQuota: quota})
	if err != nil {
		return err
	}
	defer w.close()
	if _, err := w.syncer.Run(ctx, syncer.Request{OrgOnly: true}); err != nil {
		return err
	}
	ectx, stop := context.WithCancel(ctx)
	defer stop()
	var wg *sync.WaitGroup
	opts := schedule.Options{Syncer: w.syncer, Store: w.db.DB, Metrics: web.NewMetrics(), Logger: slog.New(slog.DiscardHandler),
		Now: w.sim.Now, Location: loc,
		Config: schedule.Config{Enabled: true, Nightly: 2 * time.Hour, LiveEvery: 10 * time.Minute, HoursStart: 8 * time.Hour,
			HoursEnd: 19 * time.Hour, Tick: time.Hour, LockRetry: time.Hour, ReconcileDays: 7}}
	if m.events {
		if _, wg, err = w.takeEvents(ectx, loc); err != nil {
			return err
		}
		// The scheduler decides on the month's pushes as booked, on the application's clock.
		opts.Events = func(ctx context.Context) (events.Carrier, error) {
			return events.Decide(ctx, w.db.DB, "stream", int64(m.pushQuota), time.Now(), loc)
		}
		opts.EventsMode = "stream"
	}
	e := schedule.New(ctx, opts)
	e.Lead(ctx)
	ranOut := ""
	for now := first; now.Before(first.AddDate(0, 1, 0)); now = now.Add(10 * time.Minute) {
		w.sim.SetNow(now)
		if m.events {
			w.sim.PumpEvents()
			settle(ctx, w)
			if ranOut == "" && m.pushQuota > 0 && w.sim.EventStats().QuotaUsed >= m.pushQuota {
				ranOut = now.Format("01-02 15:04")
			}
		}
		e.Tick(ctx)
	}
	stop()
	if wg != nil {
		wg.Wait()
	}
	// The books are kept by the real month (the calls' and the deliveries' own time), not the
	// simulated November.
	metered := int64(0)
	for _, month := range slices.Compact([]string{kaoqin.MonthOf(began, loc), kaoqin.MonthOf(time.Now(), loc)}) {
		l, err := w.db.Ledger(ctx, month)
		if err != nil {
			return err
		}
		metered += l.Metered
	}
	runs, err := w.db.Runs(ctx, 100_000)
	if err != nil {
		return err
	}
	polls := 0
	for _, r := range runs {
		if r.Kind == syncer.KindLive && r.Status == kaoqin.RunOK {
			polls++
		}
	}
	st := w.sim.EventStats()
	if ranOut == "" {
		ranOut = "-"
	}
	fmt.Printf("%-34s %14d %12d %12s %10d %s\n", m.name, metered, polls,
		fmt.Sprintf("%d/%s", st.QuotaUsed, quotaText(m.pushQuota)), st.Emitted, ranOut)
	return nil
}

func quotaText(q int) string {
	if q <= 0 {
		return "-"
	}
	return fmt.Sprint(q)
}

// settle waits until every event made so far is acked and handled.
func settle(ctx context.Context, w *world) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		st := w.sim.EventStats()
		c, err := w.db.EventCounts(ctx, 0)
		if err == nil && st.Unacked == 0 && c.Pending == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "events did not settle in 30 s")
}
