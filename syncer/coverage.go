package syncer

import (
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
)

// coverage counts, for each day of a pull, the chunks over it still to come, and the time of
// the earliest pull among those done: a day is as fresh as its stalest chunk.
type coverage struct {
	loc  *time.Location
	mu   sync.Mutex
	left map[string]int
	at   map[string]int64
	days []string
	sent map[string]bool
}

func newCoverage(days []string, jobs []*job, loc *time.Location) *coverage {
	c := &coverage{loc: loc, left: map[string]int{}, at: map[string]int64{}, days: days, sent: map[string]bool{}}
	for _, d := range days {
		c.left[d] = 0
	}
	for _, j := range jobs {
		for _, d := range kaoqin.Days(j.from, j.to) {
			if _, ok := c.left[d]; ok {
				c.left[d]++
			}
		}
	}
	return c
}

// done counts job as pulled at at (unix ms) and returns the days it completed.
func (c *coverage) done(j *job, at int64) []kaoqin.DayCoverage {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []kaoqin.DayCoverage
	for _, d := range kaoqin.Days(j.from, j.to) {
		n, ok := c.left[d]
		if !ok {
			continue
		}
		if prev, seen := c.at[d]; !seen || at < prev {
			c.at[d] = at
		}
		c.left[d] = n - 1
		if n == 1 {
			out = append(out, c.mark(d, c.at[d]))
		}
	}
	return out
}

// ready returns the days that need no chunk at all (nobody to pull) or whose chunks were all
// done before the pull began, as of now.
func (c *coverage) ready(now int64) []kaoqin.DayCoverage {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []kaoqin.DayCoverage
	for _, d := range c.days {
		if c.left[d] == 0 && !c.sent[d] {
			at, ok := c.at[d]
			if !ok {
				at = now
			}
			out = append(out, c.mark(d, at))
		}
	}
	return out
}

func (c *coverage) mark(day string, at int64) kaoqin.DayCoverage {
	c.sent[day] = true
	_, end := kaoqin.DayBounds(day, c.loc)
	return kaoqin.DayCoverage{Day: day, SyncedAt: at, Closed: at >= end.UnixMilli()}
}
