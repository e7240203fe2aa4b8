package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/kaoqin/kaoqin"
)

// reportCache keeps computed daily reports and series for a few seconds. At 9:10 every HR
// screen refreshes the same board, and a 10,000-person company's daily report takes tens of
// milliseconds to read and compute: computing it once per scope and version, and letting
// concurrent requests for it wait for that one computation (singleflight), keeps the board
// cheap however many people watch it.
//
// An entry is keyed by what it was asked (kind, days, scope) and stamped with the version of
// the data: the coverage rows of its days, which every sync rewrites when it saves the days'
// attendance. An entry is used only while its stamp matches the store's and it is younger
// than the TTL: a sync shows on the next request, and "pending" checks turn into "missing" at
// most a TTL late.
type reportCache struct {
	ttl   time.Duration
	now   func() time.Time
	group singleflight.Group

	mu        sync.Mutex
	entries   map[string]cacheEntry
	computing map[string]int // computations under way, by key
}

type cacheEntry struct {
	version string
	at      time.Time
	value   any
}

// maxCacheEntries bounds the cache: a few dozen scopes (managers) and days at once.
const maxCacheEntries = 64

// maxStale bounds how old an entry getOrStale answers with may be.
const maxStale = time.Minute

func newReportCache(ttl time.Duration, now func() time.Time) *reportCache {
	return &reportCache{ttl: ttl, now: now, entries: map[string]cacheEntry{}, computing: map[string]int{}}
}

// getOrStale is get for a page that asks again by itself (the board, every 2 s): while another
// request is computing the entry anew, it answers at once with the entry as it was, if that
// is at most maxStale old, instead of waiting for the computation; its next refresh shows the
// new one. A 100,000-person board takes about a second to compute, and 64 boards refreshing
// would otherwise all wait for it each time the entry expires.
func (c *reportCache) getOrStale(key, version string, compute func() (any, error)) (any, error) {
	if c.ttl >= 0 {
		now := c.now()
		c.mu.Lock()
		e, ok := c.entries[key]
		busy := c.computing[key] > 0
		c.mu.Unlock()
		if ok && busy && now.Sub(e.at) < maxStale && !now.Before(e.at) {
			return e.value, nil
		}
	}
	return c.get(key, version, compute)
}

// get returns the value cached under key at version, or computes it with compute.
func (c *reportCache) get(key, version string, compute func() (any, error)) (any, error) {
	if c.ttl < 0 {
		return compute()
	}
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && e.version == version && now.Sub(e.at) < c.ttl && !now.Before(e.at) {
		return e.value, nil
	}
	v, err, _ := c.group.Do(key+"\x00"+version, func() (any, error) {
		c.mu.Lock()
		c.computing[key]++
		c.mu.Unlock()
		defer func() {
			c.mu.Lock()
			if c.computing[key]--; c.computing[key] == 0 {
				delete(c.computing, key)
			}
			c.mu.Unlock()
		}()
		v, err := compute()
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(c.entries) >= maxCacheEntries {
			c.evict(now)
		}
		c.entries[key] = cacheEntry{version: version, at: now, value: v}
		return v, nil
	})
	return v, err
}

// evict drops expired entries, or everything if none has expired. Called with mu held.
func (c *reportCache) evict(now time.Time) {
	for k, e := range c.entries {
		if now.Sub(e.at) >= c.ttl {
			delete(c.entries, k)
		}
	}
	if len(c.entries) >= maxCacheEntries {
		clear(c.entries)
	}
}

// cacheKey writes what a report was asked as a key.
func cacheKey(kind, from, to string, depts []int64) string {
	var b strings.Builder
	b.WriteString(kind)
	b.WriteByte('|')
	b.WriteString(from)
	b.WriteByte('|')
	b.WriteString(to)
	for _, id := range depts {
		b.WriteByte('|')
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// dataVersion is the version stamp of the days [from, to]: when each was last synced, the
// latest sync run (a live pull of today rewrites the checks of the people not in yet without
// covering the day anew; its run record says it happened), and the events handled (a punch
// event moves the board; any instance may have handled it).
func (s *Server) dataVersion(ctx context.Context, from, to string) (string, []kaoqin.DayCoverage, error) {
	cov, err := s.store.Coverage(ctx, from, to)
	if err != nil {
		return "", nil, err
	}
	runs, err := s.store.Runs(ctx, 1)
	if err != nil {
		return "", nil, err
	}
	ev, err := s.store.EventsVersion(ctx)
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	for _, r := range runs {
		fmt.Fprintf(&b, "run:%d:%s:%d;", r.ID, r.Status, r.FinishedAt)
	}
	fmt.Fprintf(&b, "ev:%d;", ev)
	for _, c := range cov {
		b.WriteString(c.Day)
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(c.SyncedAt, 10))
		if c.Closed {
			b.WriteByte('c')
		}
		b.WriteByte(';')
	}
	return b.String(), cov, nil
}
