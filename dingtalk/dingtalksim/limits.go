package dingtalksim

import (
	"fmt"
	"sync"
	"time"
)

// limits holds what the gateway remembers between calls: tokens, QPS windows, the monthly
// quota and per-IP counts. Times come from the service clock, except the quota month, which
// follows the company clock.
type limits struct {
	mu       sync.Mutex
	ttl      time.Duration
	qps      int
	quota    int
	ipLimit  int
	seed     uint64
	apps     map[string]string // AppKey -> AppSecret
	tokens   map[string]*token // by value
	appToken map[string]*token // by AppKey
	tokenSeq uint64
	windows  map[string]*qpsWindow // by app + " " + path
	used     map[int]int           // metered calls by month (year*12 + month)
	ipWin    int64
	ipCount  map[string]int
	banUntil time.Time
	banJSON  bool
}

type token struct {
	value   string
	app     string
	expires time.Time
}

type qpsWindow struct {
	sec int64
	n   int
}

func (l *limits) init(cfg Config) {
	l.ttl, l.qps, l.quota, l.ipLimit, l.seed = cfg.TokenTTL, cfg.QPS, cfg.MonthlyQuota, cfg.IPLimit, uint64(cfg.Seed)
	l.apps = map[string]string{cfg.AppKey: cfg.AppSecret}
	l.tokens = map[string]*token{}
	l.appToken = map[string]*token{}
	l.windows = map[string]*qpsWindow{}
	l.used = map[int]int{}
	l.ipCount = map[string]int{}
}

// AddApp registers another internal app of the same company, with its own tokens and QPS
// windows (the quota is the company's, shared).
func (s *Server) AddApp(appKey, appSecret string) {
	s.lim.mu.Lock()
	defer s.lim.mu.Unlock()
	s.lim.apps[appKey] = appSecret
}

// ExpireTokens makes every issued access token invalid at once, as if they had all expired.
func (s *Server) ExpireTokens() {
	s.lim.mu.Lock()
	defer s.lim.mu.Unlock()
	clear(s.lim.tokens)
	clear(s.lim.appToken)
}

// issue returns the app's token: within its life the same one, extended (DingTalk's
// 自动续期); after expiry a new one.
func (l *limits) issue(appKey string, now time.Time) (string, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := l.appToken[appKey]; t != nil && now.Before(t.expires) {
		t.expires = now.Add(l.ttl)
		return t.value, l.ttl
	}
	if old := l.appToken[appKey]; old != nil {
		delete(l.tokens, old.value)
	}
	l.tokenSeq++
	v := hex16(hash(l.seed, saltToken, l.tokenSeq, hashString(appKey))) + hex16(hash(l.seed, saltToken, l.tokenSeq, 2))
	t := &token{value: v, app: appKey, expires: now.Add(l.ttl)}
	l.tokens[v], l.appToken[appKey] = t, t
	return v, l.ttl
}

func (l *limits) credentialsOK(appKey, appSecret string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	secret, ok := l.apps[appKey]
	return ok && secret == appSecret
}

// appFor returns the app owning a valid token.
func (l *limits) appFor(value string, now time.Time) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tokens[value]
	if t == nil || !now.Before(t.expires) {
		return "", false
	}
	return t.app, true
}

// allow counts a call of app on path in the current 1-second window of the service clock
// and reports whether it is within the QPS limit. Throttled calls do not count.
func (l *limits) allow(app, path string, now time.Time) bool {
	if l.qps < 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := app + " " + path
	w := l.windows[key]
	if w == nil {
		w = &qpsWindow{}
		l.windows[key] = w
	}
	if sec := now.Unix(); w.sec != sec {
		w.sec, w.n = sec, 0
	}
	if w.n >= l.qps {
		return false
	}
	w.n++
	return true
}

func monthKey(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }

// meter counts a metered call in the company month of now, or reports the quota spent.
func (l *limits) meter(now time.Time) (ok bool, used int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := monthKey(now)
	if l.quota >= 0 && l.used[k] >= l.quota {
		return false, l.used[k]
	}
	l.used[k]++
	return true, l.used[k]
}

// ipCheck counts a request from ip in 20-second windows and reports whether the IP is banned
// (and whether the ban answers with the JSON form).
func (l *limits) ipCheck(ip string, now time.Time) (banned, asJSON bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.banUntil) {
		return true, l.banJSON
	}
	if l.ipLimit < 0 {
		return false, false
	}
	if w := now.Unix() / 20; w != l.ipWin {
		l.ipWin = w
		clear(l.ipCount)
	}
	l.ipCount[ip]++
	if l.ipCount[ip] > l.ipLimit {
		l.banUntil, l.banJSON = now.Add(5*time.Minute), false
		return true, false
	}
	return false, false
}

func (l *limits) ban(until time.Time, asJSON bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.banUntil, l.banJSON = until, asJSON
}

// QuotaUsed returns the metered calls counted in the company clock's current month.
func (s *Server) QuotaUsed() int {
	s.lim.mu.Lock()
	defer s.lim.mu.Unlock()
	return s.lim.used[monthKey(s.Now())]
}

// SetQuotaUsed sets the metered calls counted in the company clock's current month, so a
// test can start near the quota.
func (s *Server) SetQuotaUsed(n int) {
	s.lim.mu.Lock()
	defer s.lim.mu.Unlock()
	s.lim.used[monthKey(s.Now())] = n
}

func (s *Server) errThrottled(path string, now time.Time) *apiError {
	end := now.Truncate(time.Second).Add(time.Second).In(s.cfg.Location).Format(wireTime)
	msg := fmt.Sprintf("您的服务器调用钉钉开放平台当前接口的所有请求都被暂时禁用了, apiPath(%s), 触发了qps流控, 请求总次数超过 %d 次, 处罚将在 %s 结束.",
		path[1:], max(s.cfg.QPS, 0), end)
	return &apiError{code: 90018, msg: msg, gateway: true, throttled: true}
}

func (s *Server) errQuota(used int) *apiError {
	return errf(90020, "您的企业本月api调用量已超过限制,调用量:%d次,额度:%d次,请升级版本或购买api调用量增值包", used+1, s.cfg.MonthlyQuota)
}

var (
	errTokenMissing = &apiError{code: 41001, msg: "缺少access_token参数", gateway: true, subCode: "40000", subMsg: "access_token is blank"}
	errTokenInvalid = &apiError{code: 40014, msg: "不合法的access_token", gateway: true}
)
