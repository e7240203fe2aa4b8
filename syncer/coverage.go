package syncer

import (
	"sync"

	"github.com/kaoqin/kaoqin"
)

// dayKey is one day of one kind of coverage ("" the results, or a kind).
type dayKey struct{ cover, day string }

// coverage counts, for each day and kind of coverage of a pull, the chunks over it still to
// come, and the time of the earliest pull among those done: a day is as fresh as its stalest
// chunk. It also learns from the chunks the latest check of each day, which says when the day
// closes (final.go). A kind's day (punches, plans) is marked only once the results of that day
// in the same pull are in, since they tell when it closes.
type coverage struct {
	fin  finality
	mu   sync.Mutex
	left map[dayKey]int
	at   map[dayKey]int64
	// base holds the days of a close-out: pulled whole before (at base), of which this pull
	// fetches the people still open then. They keep their SyncedAt.
	base map[dayKey]int64
	last map[string]int64 // per day: the latest check known
	keys []dayKey         // in order: the results first
	sent map[dayKey]bool
	held map[string][]dayKey // per day: kinds done, waiting for the day's results
}

// newCoverage counts the chunks of p over the days of covers.
func newCoverage(p *Plan, fin finality, covers []string) *coverage {
	c := &coverage{fin: fin, left: map[dayKey]int{}, at: map[dayKey]int64{}, base: map[dayKey]int64{},
		last: map[string]int64{}, sent: map[dayKey]bool{}, held: map[string][]dayKey{}}
	for d, at := range p.last {
		c.last[d] = at
	}
	for _, cover := range covers {
		for _, d := range p.days[cover] {
			k := dayKey{cover, d}
			c.left[k] = 0
			c.keys = append(c.keys, k)
		}
		for d, base := range p.closing[cover] {
			k := dayKey{cover, d}
			c.left[k], c.base[k] = 0, base
			c.keys = append(c.keys, k)
		}
	}
	for _, j := range p.jobs {
		for _, d := range kaoqin.Days(j.from, j.to) {
			k := dayKey{coverOf(j.kind), d}
			if _, ok := c.left[k]; ok {
				c.left[k]++
			}
		}
	}
	return c
}

// observe learns that day has a check (or plan) at at (unix ms).
func (c *coverage) observe(day string, at int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last[day] = max(c.last[day], at)
}

// done counts job as pulled at at (unix ms) and returns the days it completed, by coverage.
func (c *coverage) done(j *job, at int64) map[string][]kaoqin.DayCoverage {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]kaoqin.DayCoverage{}
	for _, d := range kaoqin.Days(j.from, j.to) {
		k := dayKey{coverOf(j.kind), d}
		n, ok := c.left[k]
		if !ok {
			continue
		}
		if prev, seen := c.at[k]; !seen || at < prev {
			c.at[k] = at
		}
		c.left[k] = n - 1
		if n == 1 {
			c.complete(k, at, out)
		}
	}
	return out
}

// ready returns the days that need no chunk at all (nobody to pull) or whose chunks were all
// done before the pull began, as of now.
func (c *coverage) ready(now int64) map[string][]kaoqin.DayCoverage {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]kaoqin.DayCoverage{}
	for _, k := range c.keys {
		if c.left[k] == 0 && !c.sent[k] {
			at, ok := c.at[k]
			if !ok {
				at = now
			}
			c.complete(k, at, out)
		}
	}
	return out
}

// complete marks k in out, or holds it for its day's results; the results release what waits.
// Caller holds c.mu.
func (c *coverage) complete(k dayKey, at int64, out map[string][]kaoqin.DayCoverage) {
	if k.cover != "" {
		if _, ok := c.left[dayKey{"", k.day}]; ok && !c.sent[dayKey{"", k.day}] {
			c.at[k] = at
			c.held[k.day] = append(c.held[k.day], k)
			return
		}
	}
	out[k.cover] = append(out[k.cover], c.mark(k, at))
	if k.cover == "" {
		for _, h := range c.held[k.day] {
			out[h.cover] = append(out[h.cover], c.mark(h, c.at[h]))
		}
		delete(c.held, k.day)
	}
}

// mark is the coverage of k pulled at at. Caller holds c.mu.
func (c *coverage) mark(k dayKey, at int64) kaoqin.DayCoverage {
	c.sent[k] = true
	m := c.fin.mark(k.day, at, c.last[k.day])
	if base, ok := c.base[k]; ok {
		// A close-out: the others were pulled whole at base, after their own day closed.
		m.SyncedAt = base
		m.Settled = m.Closed && c.fin.age <= 0
	}
	return m
}
