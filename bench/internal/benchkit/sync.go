package benchkit

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
)

// Sim is the DingTalk simulator served on loopback, with a client and a syncer on it.
type Sim struct {
	*dingtalksim.Server
	URL    string
	Client *dingtalk.Client
	Syncer *syncer.Syncer

	srv    *http.Server
	mu     sync.Mutex
	phases map[string]time.Time
}

// SimOptions say how the simulator behaves and how the client calls it.
type SimOptions struct {
	Users   int
	Seed    int64
	Now     time.Time // the company clock
	QPS     int       // calls per second per path, for the simulator and the client; 0: no limit
	Latency time.Duration
	// Concurrency is the syncer's chunks at once (default syncer.DefaultConcurrency).
	Concurrency int
	// NoPunches and NoPlans leave punch records and plans out of the syncs.
	NoPunches, NoPlans bool
}

// StartSim serves a simulated company of o.Users people on loopback, without a monthly quota
// (a large company needs a larger edition than the standard 5,000 calls), and makes a syncer
// that pulls it into db.
func StartSim(db *store.DB, loc *time.Location, o SimOptions) (*Sim, error) {
	simQPS, clientQPS := o.QPS, float64(o.QPS)
	if o.QPS == 0 {
		simQPS, clientQPS = -1, math.Inf(1)
	}
	if o.Concurrency == 0 {
		o.Concurrency = syncer.DefaultConcurrency
	}
	s := &Sim{phases: map[string]time.Time{}}
	s.Server = dingtalksim.New(dingtalksim.Config{Seed: o.Seed, Employees: o.Users, Now: o.Now, Location: loc, QPS: simQPS,
		Latency: o.Latency, MonthlyQuota: -1, IPLimit: -1})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.Server, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)

	clock := s.Server.Now
	books := syncer.NewBooks(loc, nil)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 4 * o.Concurrency
	cfg := s.Config()
	if s.Client, err = dingtalk.NewClient(cfg.AppKey, cfg.AppSecret, dingtalk.WithBaseURL(s.URL),
		dingtalk.WithQPS(clientQPS), dingtalk.WithLocation(loc), dingtalk.WithCallHook(books.Hook),
		dingtalk.WithHTTPClient(&http.Client{Transport: transport, Timeout: 30 * time.Second})); err != nil {
		s.Close()
		return nil, err
	}
	if s.Syncer, err = syncer.New(syncer.Config{Client: s.Client, Store: db, Books: books, Location: loc, Now: clock,
		Concurrency: o.Concurrency, Progress: s.progress, NoPunches: o.NoPunches, NoPlans: o.NoPlans}); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Sim) progress(p syncer.Progress) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, seen := s.phases[p.Phase]; !seen {
		s.phases[p.Phase] = time.Now()
	}
}

// PhaseStart is when the last Run began its phase ("org", "attendance"); zero if it did not.
func (s *Sim) PhaseStart(phase string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.phases[phase]
}

// Run runs one sync, forgetting the phases of the last.
func (s *Sim) Run(ctx context.Context, req syncer.Request) (*syncer.Summary, error) {
	s.mu.Lock()
	clear(s.phases)
	s.mu.Unlock()
	return s.Syncer.Run(ctx, req)
}

// Close stops the simulator.
func (s *Sim) Close() error { return s.srv.Close() }

// Bound is the lower bound of a pull's metered calls.
type Bound struct {
	Results, Leave, Records, Plans int64
	ResultChunks, LeaveChunks      int
}

// Total is the bound over every path.
func (b Bound) Total() int64 { return b.Results + b.Leave + b.Records + b.Plans }

// LowerBound is the fewest metered calls that fetch what db holds of users over [from, to]
// within DingTalk's limits: per chunk (50 people x 7 days of check results, 100 people x 180
// days of leave), the pages its rows needed, at least one; with records, a call per chunk of
// punch records (listRecord has no pages); with plans, those of the path the sync chose (a call
// per 50 people x 7 days with listbyusers, or per 200 plans of a day with listschedule).
func LowerBound(ctx context.Context, db *store.DB, users []string, from, to string, loc *time.Location, records bool, plansPath string) (Bound, error) {
	var b Bound
	f, t := dingtalk.MustParseDate(from), dingtalk.MustParseDate(to)
	for _, ch := range dingtalk.PlanChunks(users, f, t, dingtalk.MaxResultUsers, dingtalk.MaxResultDays) {
		checks, err := db.Checks(ctx, kaoqin.Filter{From: ch.From.String(), To: ch.To.String(), UserIDs: ch.UserIDs})
		if err != nil {
			return b, err
		}
		b.Results += max(1, ceilDiv(int64(len(checks)), dingtalk.MaxResultLimit))
		b.ResultChunks++
	}
	for _, ch := range dingtalk.PlanChunks(users, f, t, dingtalk.MaxLeaveUsers, dingtalk.MaxLeaveDays) {
		start, _ := kaoqin.DayBounds(ch.From.String(), loc)
		_, end := kaoqin.DayBounds(ch.To.String(), loc)
		leaves, err := db.LeavesOf(ctx, kaoqin.Filter{UserIDs: ch.UserIDs}, start.UnixMilli(), end.UnixMilli())
		if err != nil {
			return b, err
		}
		b.Leave += max(1, ceilDiv(int64(len(leaves)), dingtalk.MaxLeavePage))
		b.LeaveChunks++
	}
	if records {
		b.Records = int64(len(dingtalk.PlanChunks(users, f, t, dingtalk.MaxResultUsers, dingtalk.MaxResultDays)))
	}
	switch plansPath {
	case syncer.PathByUsers:
		b.Plans = int64(len(dingtalk.PlanChunks(users, f, t, dingtalk.MaxScheduleUsers, dingtalk.MaxScheduleDays)))
	case syncer.PathDaySched:
		for _, d := range kaoqin.Days(from, to) {
			plans, err := db.Schedules(ctx, kaoqin.Filter{From: d, To: d})
			if err != nil {
				return b, err
			}
			b.Plans += max(1, ceilDiv(int64(len(plans)), dingtalk.MaxSchedulePage))
		}
	}
	return b, nil
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// Limit names a QPS setting.
func Limit(qps int) string {
	if qps == 0 {
		return "no QPS limit"
	}
	return fmt.Sprintf("%d QPS per path", qps)
}

// Measure runs the sync req into db and prints its figures: the wall time of each phase
// against what the QPS limit alone requires (each path has a limit of its own and runs beside
// the others, so a phase needs the calls of its busiest path / qps), the metered calls against
// their lower bound, and the rows written per second.
func (s *Sim) Measure(ctx context.Context, w io.Writer, db *store.DB, qps int, req syncer.Request) (*syncer.Summary, error) {
	start := time.Now()
	sum, err := s.Run(ctx, req)
	end := time.Now()
	if err != nil {
		return nil, err
	}
	by := sum.Run.CallsBy
	qpsOrg, qpsAtt := 0.0, 0.0
	plansPath := syncer.PathByUsers
	if by[syncer.PathDaySched] > 0 {
		plansPath = syncer.PathDaySched
	}
	plans := by[plansPath]
	if qps > 0 {
		q := float64(qps)
		qpsOrg = float64(max(by[syncer.PathListSub], by[syncer.PathDeptGet], by[syncer.PathUserList])) / q
		qpsAtt = float64(max(by[syncer.PathResults], by[syncer.PathLeave], by[syncer.PathRecords], plans)) / q
	}
	attStart := s.PhaseStart("attendance")
	if attStart.IsZero() {
		attStart = end
	}
	orgTime, attTime := attStart.Sub(start), end.Sub(attStart)
	if !req.NoOrg {
		fmt.Fprintf(w, "org:         %8.2f s  (listsub %d, department/get %d, user/list %d calls; the QPS limit alone: %.2f s)\n",
			orgTime.Seconds(), by[syncer.PathListSub], by[syncer.PathDeptGet], by[syncer.PathUserList], qpsOrg)
	}
	if req.OrgOnly {
		return sum, nil
	}
	fmt.Fprintf(w, "attendance:  %8.2f s  (attendance/list %d, getleavestatus %d, listRecord %d, plans %d calls; the QPS limit alone: %.2f s)\n",
		attTime.Seconds(), by[syncer.PathResults], by[syncer.PathLeave], by[syncer.PathRecords], plans, qpsAtt)
	fmt.Fprintf(w, "wall time:   %8.2f s; the QPS limit alone requires %.2f s (%.0f%% of the wall time)\n",
		end.Sub(start).Seconds(), qpsOrg+qpsAtt, 100*(qpsOrg+qpsAtt)/end.Sub(start).Seconds())
	if plans == 0 {
		plansPath = ""
	}
	bound, err := LowerBound(ctx, db, s.Truth().UserIDs(), sum.Run.From, sum.Run.To, s.Config().Location, by[syncer.PathRecords] > 0, plansPath)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "metered:     %d calls (attendance/list %d, getleavestatus %d, listRecord %d, plans %d); lower bound %d (%d + %d + %d + %d: %d chunks of checks, %d of leave)\n",
		sum.Run.Metered, by[syncer.PathResults], by[syncer.PathLeave], by[syncer.PathRecords], plans, bound.Total(),
		bound.Results, bound.Leave, bound.Records, bound.Plans, bound.ResultChunks, bound.LeaveChunks)
	fmt.Fprintf(w, "retried:     %d, throttled %d\n", sum.Run.Retried, sum.Run.Throttled)
	rows := sum.CheckRows + sum.LeaveRows + sum.PunchRows + sum.PlanRows
	fmt.Fprintf(w, "rows:        %d written (checks %d, leave %d, punches %d, plans %d): %.0f rows/s over the attendance phase\n",
		rows, sum.CheckRows, sum.LeaveRows, sum.PunchRows, sum.PlanRows, float64(rows)/attTime.Seconds())
	return sum, nil
}
