package dingtalksim

import "sync"

// PathCounters counts the calls of one path. Throttled and Faulted calls are also Errors.
type PathCounters struct {
	Calls     int64 `json:"calls"`     // every request
	Metered   int64 `json:"metered"`   // counted against the monthly quota
	Throttled int64 `json:"throttled"` // refused by the QPS limit (90018) or the robot limit
	Faulted   int64 `json:"faulted"`   // answered with an injected fault or an IP ban
	Errors    int64 `json:"errors"`    // any answer but success (errcode != 0, HTML, ...)
}

func (c *PathCounters) add(d PathCounters) {
	c.Calls += d.Calls
	c.Metered += d.Metered
	c.Throttled += d.Throttled
	c.Faulted += d.Faulted
	c.Errors += d.Errors
}

// Counters is a snapshot of the counters of every path called, keyed by path ("/gettoken",
// "/topapi/v2/user/list", ...).
type Counters map[string]PathCounters

// Total sums the counters of all paths.
func (c Counters) Total() PathCounters {
	var t PathCounters
	for _, pc := range c {
		t.add(pc)
	}
	return t
}

type counterSet struct {
	mu sync.Mutex
	m  map[string]*PathCounters
}

func (c *counterSet) add(path string, d PathCounters) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*PathCounters{}
	}
	pc := c.m[path]
	if pc == nil {
		pc = &PathCounters{}
		c.m[path] = pc
	}
	pc.add(d)
}

// Counters returns a snapshot of the request counters.
func (s *Server) Counters() Counters {
	s.ctrs.mu.Lock()
	defer s.ctrs.mu.Unlock()
	out := make(Counters, len(s.ctrs.m))
	for k, v := range s.ctrs.m {
		out[k] = *v
	}
	return out
}

// ResetCounters sets every request counter back to zero (the quota is not touched).
func (s *Server) ResetCounters() {
	s.ctrs.mu.Lock()
	defer s.ctrs.mu.Unlock()
	clear(s.ctrs.m)
}
