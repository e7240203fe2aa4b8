package dingtalksim

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// FaultKind is a way DingTalk fails that has nothing to do with the request.
type FaultKind int

const (
	FaultBusy       FaultKind = iota + 1 // errcode -1 系统繁忙
	FaultBadGateway                      // HTTP 502 with an HTML body
	FaultSlow                            // the answer comes after Fault.Delay (honouring the request's context)
	FaultIPBan                           // the IP is banned: an HTML page for every call for Fault.Delay
	FaultIPBanJSON                       // the same ban, answered {"status":1111,"wait":5,...}
	FaultThrottle                        // throttled: 90018 (88 + sub_code 90018 on topapi paths)
)

var faultNames = map[FaultKind]string{
	FaultBusy: "busy", FaultBadGateway: "bad_gateway", FaultSlow: "slow",
	FaultIPBan: "ip_ban", FaultIPBanJSON: "ip_ban_json", FaultThrottle: "throttle",
}

func (k FaultKind) String() string {
	if n, ok := faultNames[k]; ok {
		return n
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// ParseFaultKind reads a fault kind by its String name.
func ParseFaultKind(name string) (FaultKind, error) {
	for k, n := range faultNames {
		if n == name {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown fault kind %q: want busy, bad_gateway, slow, ip_ban, ip_ban_json or throttle", name)
}

// Fault is one injected failure.
type Fault struct {
	Kind FaultKind
	// Delay is how long a FaultSlow answer takes (default 5 s) or how long a FaultIPBan*
	// ban lasts on the service clock (default 5 min).
	Delay time.Duration
}

type faultState struct {
	mu    sync.Mutex
	next  map[string][]pending // by path; "" matches any path
	rate  float64
	kinds []FaultKind
}

type pending struct {
	f Fault
	n int
}

// FailNext makes the next n calls of path (e.g. "/attendance/list"; "" for any path) fail
// with f, after any faults already queued for that path.
func (s *Server) FailNext(path string, f Fault, n int) {
	if n <= 0 {
		return
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if s.faults.next == nil {
		s.faults.next = map[string][]pending{}
	}
	s.faults.next[path] = append(s.faults.next[path], pending{f, n})
}

// SetFaultRate makes each call fail with probability p, with a kind drawn from kinds
// (default busy and bad gateway). p = 0 turns random faults off.
func (s *Server) SetFaultRate(p float64, kinds ...FaultKind) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if len(kinds) == 0 {
		kinds = []FaultKind{FaultBusy, FaultBadGateway}
	}
	s.faults.rate, s.faults.kinds = min(max(p, 0), 1), kinds
}

// FaultRate returns the random fault rate and its kinds.
func (s *Server) FaultRate() (float64, []FaultKind) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.rate, append([]FaultKind(nil), s.faults.kinds...)
}

// ClearFaults drops queued faults, the random fault rate and any IP ban.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	s.faults.next, s.faults.rate, s.faults.kinds = nil, 0, nil
	s.faults.mu.Unlock()
	s.lim.ban(time.Time{}, false)
}

// takeFault returns the fault this call of path gets, if any.
func (s *Server) takeFault(path string) (Fault, bool) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for _, key := range []string{path, ""} {
		q := s.faults.next[key]
		if len(q) == 0 {
			continue
		}
		f := q[0].f
		if q[0].n--; q[0].n == 0 {
			s.faults.next[key] = q[1:]
		}
		return f, true
	}
	if s.faults.rate > 0 && s.randSrc.Float64() < s.faults.rate {
		return Fault{Kind: s.faults.kinds[s.randSrc.IntN(len(s.faults.kinds))]}, true
	}
	return Fault{}, false
}

// inject answers the call with f and reports whether the call is over. A slow fault only
// delays: the call then goes on as usual.
func (s *Server) inject(w http.ResponseWriter, r *http.Request, st style, path string, f Fault, rec *PathCounters) (done bool) {
	rec.Faulted++
	switch f.Kind {
	case FaultSlow:
		d := f.Delay
		if d <= 0 {
			d = 5 * time.Second
		}
		if s.cfg.Sleep(r.Context(), d) != nil {
			rec.Errors++
			return true // the client gave up
		}
		return false
	case FaultBusy:
		s.writeErr(w, st, errBusy)
	case FaultBadGateway:
		writeBody(w, http.StatusBadGateway, "text/html", []byte(badGatewayPage))
	case FaultIPBan, FaultIPBanJSON:
		d := f.Delay
		if d <= 0 {
			d = 5 * time.Minute
		}
		s.lim.ban(s.cfg.Clock().Add(d), f.Kind == FaultIPBanJSON)
		s.writeBan(w, f.Kind == FaultIPBanJSON)
	case FaultThrottle:
		e := *s.errThrottled(path, s.cfg.Clock())
		e.throttled = false // injected: counted as faulted, not as a real throttle
		s.writeErr(w, st, &e)
	default:
		s.writeErr(w, st, errBusy)
	}
	rec.Errors++
	return true
}

// writeBan answers for a banned IP. UNVERIFIED: DingTalk's gateway answers bans with an
// HTML page or a small JSON object; the HTTP status is not documented, so it is 200, which
// makes a client look at the body.
func (s *Server) writeBan(w http.ResponseWriter, asJSON bool) {
	if asJSON {
		uuid := hex16(hash(s.seed, saltRequest, uint64(s.cfg.Clock().UnixNano())))
		writeBody(w, http.StatusOK, "application/json", []byte(`{"status":1111,"wait":5,"source":"x5","punish":"deny","uuid":"`+uuid+`"}`))
		return
	}
	writeBody(w, http.StatusOK, "text/html; charset=utf-8", []byte(banPage))
}

const badGatewayPage = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>Tengine</center>
</body>
</html>
`

const banPage = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>访问被拒绝</title></head>
<body>
<h1>访问被拒绝</h1>
<p>您的访问频率过高，IP 已被暂时限制访问，请 5 分钟后再试。</p>
<p>punish: deny, source: x5</p>
</body>
</html>
`
