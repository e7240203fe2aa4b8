package dingtalksim

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of a Config left at its zero value.
const (
	DefaultAppKey       = "dingkaoqinsimapp"
	DefaultAppSecret    = "kaoqin-sim-secret-not-for-production"
	DefaultAgentID      = int64(2391456789)
	DefaultRobotToken   = "5f3a1c9e7b2d4a6f8e0c1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a"
	DefaultRobotSecret  = "SECkaoqinsimrobotsecretnotforproduction"
	DefaultEmployees    = 300
	DefaultTokenTTL     = 7200 * time.Second
	DefaultQPS          = 20
	DefaultMonthlyQuota = 5000
	DefaultIPLimit      = 10000 // requests per IP per 20 s before a 5-minute ban
	maxEmployees        = 1_000_000
)

// Config describes the simulated DingTalk and its company. The zero value is usable: every
// field left at zero takes the default named in its comment.
type Config struct {
	Seed        int64  // what the company looks like and does; same seed, same answers
	Employees   int    // generated people; default 300, at most 1,000,000
	Departments int    // generated departments including the root; default max(12, Employees/50)
	CompanyName string // name of the root department; default drawn from Seed
	CorpID      string // default "ding" + 16 hex digits drawn from Seed

	AppKey    string // the internal app's AppKey; default DefaultAppKey
	AppSecret string // its AppSecret; default DefaultAppSecret
	AgentID   int64  // the app's agent_id for work notifications; default DefaultAgentID

	TokenTTL     time.Duration // access token life; default 7200 s
	QPS          int           // calls per second per app per path; default 20, negative: unlimited
	MonthlyQuota int           // metered calls per calendar month; default 5,000, negative: unlimited
	IPLimit      int           // requests per client IP per 20 s before a 5-minute ban; default 10,000, negative: off

	Location *time.Location // the company's time zone; default Asia/Shanghai
	Now      time.Time      // the company clock when New returns; default the service clock's now
	Speed    float64        // company seconds per service-clock second; 0 stops the company clock

	Latency      time.Duration // added to every answer (benchmarks use 50 ms)
	NegativeDept bool          // root's sub-departments include the home-school department -1
	// NightShift gives the company night shifts (night.go): the teams (…班) work 22:00-06:00
	// and the hotline (热线服务部) a 20:00-08:00 two-shift rotation, checks crossing midnight.
	NightShift bool
	Robots     map[string]string // custom robot access token -> sign secret; default {DefaultRobotToken: DefaultRobotSecret}

	// Events configures DingTalk's events: the Stream gateway and the HTTP pusher.
	Events EventsConfig

	// Clock is the service clock (token expiry, QPS windows, robot limits, bans); default
	// time.Now. A Clock that does not move keeps every call in one QPS window and one IP
	// window: a test that stops it should advance it, or set QPS and IPLimit to -1.
	// Sleep waits for latency and slow faults; default a timer honouring ctx.
	Clock func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

func (c Config) withDefaults() Config {
	if c.Employees <= 0 {
		c.Employees = DefaultEmployees
	}
	c.Employees = min(c.Employees, maxEmployees)
	if c.Departments <= 0 {
		c.Departments = max(12, c.Employees/50)
	}
	if c.AppKey == "" {
		c.AppKey = DefaultAppKey
	}
	if c.AppSecret == "" {
		c.AppSecret = DefaultAppSecret
	}
	if c.AgentID == 0 {
		c.AgentID = DefaultAgentID
	}
	if c.TokenTTL <= 0 {
		c.TokenTTL = DefaultTokenTTL
	}
	if c.QPS == 0 {
		c.QPS = DefaultQPS
	}
	if c.MonthlyQuota == 0 {
		c.MonthlyQuota = DefaultMonthlyQuota
	}
	if c.IPLimit == 0 {
		c.IPLimit = DefaultIPLimit
	}
	if c.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil { // no zoneinfo on this machine: Shanghai has had no DST since 1991
			loc = time.FixedZone("CST", 8*3600)
		}
		c.Location = loc
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleepCtx
	}
	if c.Now.IsZero() {
		c.Now = c.Clock()
	}
	if c.Robots == nil {
		c.Robots = map[string]string{DefaultRobotToken: DefaultRobotSecret}
	}
	seed := uint64(c.Seed)
	if c.CorpID == "" {
		c.CorpID = "ding" + hex16(hash(seed, saltOrg, 1))
	}
	if c.CompanyName == "" {
		c.CompanyName = companyNames[hash(seed, saltOrg, 2)%uint64(len(companyNames))]
	}
	return c
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Server is the simulated DingTalk: an http.Handler serving the legacy Open API paths
// (oapi.dingtalk.com) with DingTalk's envelopes, limits and errcodes, backed by a generated
// company whose day unfolds on the company clock. It is safe for concurrent use.
type Server struct {
	cfg   Config
	seed  uint64
	clock *companyClock
	co    *company
	paths map[string]*route

	mu  sync.RWMutex // guards org
	org *org

	lim      limits
	faults   faultState
	ctrs     counterSet
	msgs     messageLog
	pages    pageCache
	robots   robotState
	amend    amendments  // changes made after the fact (amend.go)
	smartOff atomic.Bool // the smart report turned off (smartreport.go)
	reqMu    sync.Mutex
	reqSeq   uint64
	randSrc  *rand.Rand // guarded by faults.mu
	events   eventHub
}

// New builds the company described by cfg and returns its DingTalk.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, seed: uint64(cfg.Seed)}
	s.clock = &companyClock{loc: cfg.Location, real: cfg.Clock, base: cfg.Now, anchor: cfg.Clock(), speed: cfg.Speed}
	s.co = newCompany(cfg)
	s.org = generateOrg(cfg, s.co, civilOf(cfg.Now.In(cfg.Location)))
	s.lim.init(cfg)
	s.robots.init(cfg.Robots)
	s.randSrc = rand.New(rand.NewPCG(s.seed, 0x6b61_6f71_696e))
	s.paths = routes()
	s.events.init(cfg)
	return s
}

// Config returns the configuration in effect, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// ServeHTTP answers one call the way DingTalk would.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.control(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/v1.0/") || r.URL.Path == pathConnect {
		s.serveGateway(w, r)
		return
	}
	s.serveAPI(w, r)
}

// requestID returns the next request_id: deterministic, so a replayed conversation gets
// byte-identical answers.
func (s *Server) requestID() string {
	s.reqMu.Lock()
	s.reqSeq++
	n := s.reqSeq
	s.reqMu.Unlock()
	return hex16(hash(s.seed, saltRequest, n))[:13]
}

func hex16(v uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[v&15]
		v >>= 4
	}
	return string(b[:])
}
