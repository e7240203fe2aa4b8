package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// simCmd runs the DingTalk simulator alone, for trying a client or a deployment against it.
// The app credentials, QPS, monthly quota and time zone are the global --app-key,
// --app-secret, --qps, --monthly-quota and --timezone, so that the same settings serve kaoqin
// and the simulator it talks to.
type simCmd struct {
	Addr         string        `default:"127.0.0.1:9000" help:"Address to listen on."`
	Seed         int64         `default:"1" help:"Seed of the generated company: the same seed gives the same company and the same answers."`
	Employees    int           `default:"300" help:"People in the generated company (at most 1,000,000)."`
	Now          string        `placeholder:"TIME" help:"Company clock at start, RFC 3339 such as 2026-11-18T08:30:00+08:00 (default: now)."`
	Speed        float64       `default:"1" help:"Company seconds per real second: 60 runs an hour a minute, 0 stops the company clock."`
	TokenTTL     time.Duration `name:"token-ttl" default:"2h" help:"Lifetime of access tokens."`
	FaultRate    float64       `name:"fault-rate" default:"0" help:"Share of calls answered errcode -1 (系统繁忙) or HTTP 502, from 0 to 1."`
	Latency      time.Duration `default:"0s" help:"Delay added to every answer, such as 50ms."`
	NegativeDept bool          `name:"negative-dept" help:"List the home-school department -1 under the root, as some orgs do."`
	NightShift   bool          `name:"night-shift" help:"Give the company night shifts: the teams (…班) work 22:00-06:00, the hotline a 20:00-08:00 two-shift rotation."`

	PushURL         string        `name:"push-url" placeholder:"URL" help:"Push events over HTTP to this URL (kaoqin's /dingtalk/events) instead of Stream connections."`
	PushToken       string        `name:"push-token" placeholder:"TOKEN" help:"The HTTP push's token (KAOQIN_EVENTS_TOKEN of the kaoqin it pushes to)."`
	PushAESKey      string        `name:"push-aes-key" placeholder:"KEY" help:"The HTTP push's 43-character aes_key (KAOQIN_EVENTS_AES_KEY)."`
	DuplicateRate   float64       `name:"duplicate-rate" default:"0" help:"Share of acked events DingTalk delivers once more, from 0 to 1."`
	DisconnectAfter time.Duration `name:"disconnect-after" default:"2h" help:"DingTalk sends a Stream connection disconnect this long after it opened."`

	listening func(addr string) // tests learn the bound address here
}

// Help is the detailed help of kaoqin dingtalk-sim --help.
func (c *simCmd) Help() string {
	return "Serves DingTalk's legacy Open API paths with a generated company, its limits and its errcodes. " +
		"Without --app-key and --app-secret its app is AppKey " + dingtalksim.DefaultAppKey +
		" with AppSecret " + dingtalksim.DefaultAppSecret + " (a simulator's, not a secret). " +
		"It is also the Stream gateway (POST /v1.0/gateway/connections/open, point KAOQIN_DINGTALK_API_URL here) and, with --push-url, " +
		"DingTalk's HTTP push: its company's punches, leave approvals and org changes make events; the push quota is the global --push-quota. " +
		"GET /_sim/counters, GET|POST /_sim/clock, GET|POST|DELETE /_sim/faults, GET /_sim/messages and GET|POST /_sim/events control it; " +
		"Ctrl-C stops it and prints the request counters."
}

func (c *simCmd) Run(ctx context.Context, g *Globals) error {
	cfg, err := c.config(g)
	if err != nil {
		return err
	}
	sim := dingtalksim.New(cfg)
	if c.FaultRate > 0 {
		sim.SetFaultRate(c.FaultRate)
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("dingtalk-sim cannot listen on %s (%v); choose another address with --addr", c.Addr, err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	secret := "the one given by --app-secret"
	if g.AppSecret == "" {
		secret = "the default shown by --help"
	}
	fmt.Fprintf(g.stdout, "dingtalk-sim listening on http://%s (AppKey %s, AppSecret %s; company %s, %d people, clock %s at speed %v); Ctrl-C stops it\n",
		ln.Addr(), sim.Config().AppKey, secret, sim.Config().CompanyName, sim.Config().Employees, sim.Now().Format(time.RFC3339), c.Speed)
	if c.listening != nil {
		c.listening(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	evctx, stopEvents := context.WithCancel(ctx)
	defer stopEvents()
	go sim.RunEvents(evctx)
	select {
	case err := <-errc:
		return fmt.Errorf("dingtalk-sim stopped: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("dingtalk-sim shutdown: %w", err)
	}
	return printCounters(g.stdout, sim)
}

// config turns the flags into the simulator's configuration.
func (c *simCmd) config(g *Globals) (dingtalksim.Config, error) {
	loc, err := g.Location()
	if err != nil {
		return dingtalksim.Config{}, err
	}
	cfg := dingtalksim.Config{
		Seed: c.Seed, Employees: c.Employees, AppKey: g.AppKey, AppSecret: g.AppSecret,
		TokenTTL: c.TokenTTL, MonthlyQuota: g.MonthlyQuota.limit(), Location: loc,
		Speed: c.Speed, Latency: c.Latency, NegativeDept: c.NegativeDept, NightShift: c.NightShift,
	}
	switch {
	case c.Employees < 1 || c.Employees > 1_000_000:
		return cfg, usageError{fmt.Errorf("--employees %d: want 1 to 1,000,000", c.Employees)}
	case c.FaultRate < 0 || c.FaultRate > 1:
		return cfg, usageError{fmt.Errorf("--fault-rate %v: want a share from 0 to 1", c.FaultRate)}
	case c.Speed < 0:
		return cfg, usageError{fmt.Errorf("--speed %v: want 0 or more", c.Speed)}
	case c.TokenTTL <= 0:
		return cfg, usageError{fmt.Errorf("--token-ttl %v: want a positive duration such as 2h", c.TokenTTL)}
	case c.DuplicateRate < 0 || c.DuplicateRate > 1:
		return cfg, usageError{fmt.Errorf("--duplicate-rate %v: want a share from 0 to 1", c.DuplicateRate)}
	case c.PushURL != "" && (c.PushToken == "" || len(c.PushAESKey) != 43):
		return cfg, usageError{fmt.Errorf("--push-url needs --push-token and a 43-character --push-aes-key")}
	}
	cfg.Events = dingtalksim.EventsConfig{PushQuota: g.PushQuota, DuplicateRate: c.DuplicateRate, DisconnectAfter: c.DisconnectAfter,
		PushURL: c.PushURL, PushToken: c.PushToken, PushAESKey: c.PushAESKey}
	if g.PushQuota <= 0 {
		cfg.Events.PushQuota = -1
	}
	// The simulator counts whole calls per second; 0 or less means no limit.
	if cfg.QPS = int(math.Ceil(g.QPS)); g.QPS <= 0 {
		cfg.QPS = -1
	}
	if g.MonthlyQuota.limit() == 0 { // off
		cfg.MonthlyQuota = -1
	}
	if c.Now != "" {
		if cfg.Now, err = time.Parse(time.RFC3339, c.Now); err != nil {
			return cfg, usageError{fmt.Errorf("--now %q: want RFC 3339 such as 2026-11-18T08:30:00+08:00", c.Now)}
		}
	}
	return cfg, nil
}

// printCounters writes the request counters as a table, one path a line, and the quota.
func printCounters(w io.Writer, sim *dingtalksim.Server) error {
	counters := sim.Counters()
	paths := make([]string, 0, len(counters))
	for p := range counters {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "path\tcalls\tmetered\tthrottled\tfaulted\terrors\t")
	line := func(name string, c dingtalksim.PathCounters) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t\n", name, c.Calls, c.Metered, c.Throttled, c.Faulted, c.Errors)
	}
	for _, p := range paths {
		line(p, counters[p])
	}
	line("total", counters.Total())
	if err := tw.Flush(); err != nil {
		return err
	}
	quota := "unlimited"
	if q := sim.Config().MonthlyQuota; q >= 0 {
		quota = fmt.Sprint(q)
	}
	_, err := fmt.Fprintf(w, "metered calls this month: %d of %s\n", sim.QuotaUsed(), quota)
	return err
}
