package dingtalksim

import (
	"sync"
	"time"
)

// companyClock says what time it is in the simulated company: company now = base + speed x
// (service now - anchor). Speed 0 stops it between SetNow and Advance calls (what tests want);
// the demo runs it faster than real time.
type companyClock struct {
	mu     sync.Mutex
	loc    *time.Location
	real   func() time.Time
	base   time.Time
	anchor time.Time
	speed  float64
}

func (c *companyClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *companyClock) nowLocked() time.Time {
	t := c.base
	if c.speed != 0 {
		t = t.Add(time.Duration(float64(c.real().Sub(c.anchor)) * c.speed))
	}
	return t.In(c.loc).Truncate(time.Millisecond)
}

func (c *companyClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.anchor = t, c.real()
}

func (c *companyClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.anchor = c.nowLocked().Add(d), c.real()
}

func (c *companyClock) setSpeed(x float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.anchor, c.speed = c.nowLocked(), c.real(), x
}

func (c *companyClock) getSpeed() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.speed
}

// Now returns the company clock: what has happened in the company (who punched) is what
// happened before this instant.
func (s *Server) Now() time.Time { return s.clock.now() }

// SetNow sets the company clock. With a speed above 0 it keeps running from there.
func (s *Server) SetNow(t time.Time) { s.clock.set(t) }

// Advance moves the company clock forward by d.
func (s *Server) Advance(d time.Duration) { s.clock.advance(d) }

// SetSpeed sets how many company seconds pass per second of the service clock; 0 stops it.
func (s *Server) SetSpeed(x float64) { s.clock.setSpeed(x) }

// Speed returns the company clock's speed.
func (s *Server) Speed() float64 { return s.clock.getSpeed() }

// today returns the company's current calendar day.
func (s *Server) today() civil { return civilOf(s.Now()) }
