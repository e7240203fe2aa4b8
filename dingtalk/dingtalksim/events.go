package dingtalksim

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// DingTalk's events, as the simulator pushes them: over Stream connections (gateway.go) or,
// when EventsConfig.PushURL is set, as HTTP pushes (push.go). Events come from the company's
// day (every punch, leave approvals) and from org writes (contacts events), see emit.go, and
// from EmitEvent. Delivery is what DingTalk documents and what its users report:
//   - at least once: an event not acked SUCCESS within AckTimeout (3 s) is pushed again, to a
//     random connection; LATER asks for it again a second later; an event already acked comes
//     once more at DuplicateRate;
//   - each push goes to one random open connection; with none open, events wait;
//   - attendance events count against the month's push quota (Webhook & Stream pushes, 3,000
//     on the free tier), every push including redeliveries and duplicates (UNVERIFIED: the
//     safe side); once it is spent they are dropped for the rest of the month. Contacts events
//     are free.

// EventsConfig configures the simulated Stream gateway and HTTP pusher. Zero fields take the
// defaults in their comments.
type EventsConfig struct {
	// PushQuota is the Webhook & Stream pushes a calendar month of the company clock; default
	// 3,000; negative: unlimited.
	PushQuota int
	// DuplicateRate is the chance that an event acked SUCCESS is delivered once more.
	DuplicateRate float64
	// AckTimeout: an event not acked within it is pushed again; default 3 s (service clock).
	AckTimeout time.Duration
	// DisconnectAfter: DingTalk sends a connection "disconnect" this long after it opened, and
	// closes it DisconnectGrace (default 10 s) later; default 2 h (UNVERIFIED: DingTalk does it
	// periodically, the period is not documented); negative: never.
	DisconnectAfter time.Duration
	DisconnectGrace time.Duration
	// PingEvery is how often DingTalk pings a connection (SYSTEM ping); a connection that
	// leaves two unanswered is closed. Default 20 s.
	PingEvery time.Duration
	// TicketTTL is the life of a connections/open ticket; default 90 s.
	TicketTTL time.Duration
	// PushURL, if set, makes DingTalk push events over HTTP to it (the app's "HTTP 推送"
	// mode) instead of Stream, signed and encrypted with PushToken and PushAESKey, the owner
	// key being PushOwner (default the AppKey). Pushing runs in RunEvents.
	PushURL    string
	PushToken  string
	PushAESKey string
	PushOwner  string
	// NoDay turns off the events of the company's day (punches, approvals): only org writes
	// and EmitEvent make events.
	NoDay bool
}

func (c EventsConfig) withDefaults(cfg Config) EventsConfig {
	if c.PushQuota == 0 {
		c.PushQuota = 3000
	}
	if c.AckTimeout <= 0 {
		c.AckTimeout = 3 * time.Second
	}
	if c.DisconnectAfter == 0 {
		c.DisconnectAfter = 2 * time.Hour
	}
	if c.DisconnectGrace <= 0 {
		c.DisconnectGrace = 10 * time.Second
	}
	if c.PingEvery <= 0 {
		c.PingEvery = 20 * time.Second
	}
	if c.TicketTTL <= 0 {
		c.TicketTTL = 90 * time.Second
	}
	if c.PushOwner == "" {
		c.PushOwner = cfg.AppKey
	}
	return c
}

// EventStats count what the gateway and the pusher did. Outstanding 0 says that nothing
// more will be pushed until new events are made and that every push made was answered (or,
// over Stream, given up after AckTimeout): the moment to compare a receiver's books with
// Pushes.
type EventStats struct {
	Emitted     int    `json:"emitted"`             // events made
	Pushes      int    `json:"pushes"`              // deliveries: first, redeliveries and duplicates
	Acked       int    `json:"acked"`               // events acked SUCCESS (once each)
	Later       int    `json:"later"`               // LATER answers
	Redelivered int    `json:"redelivered"`         // pushes after an unanswered one
	Duplicates  int    `json:"duplicates"`          // pushes of an event already acked
	Dropped     int    `json:"dropped"`             // attendance events not pushed: the month's quota was spent
	Unacked     int    `json:"unacked"`             // events still waiting for their SUCCESS
	Outstanding int    `json:"outstanding"`         // pushes to come (queued; LATER and duplicates not yet due) or not yet answered
	Connections int    `json:"connections"`         // Stream connections open now
	Opened      int    `json:"opened"`              // Stream connections opened so far
	Disconnects int    `json:"disconnects"`         // disconnect frames sent
	HTTPFailed  int    `json:"http_failed"`         // HTTP pushes not answered with an encrypted success
	CheckURL    string `json:"check_url,omitempty"` // "ok" once the push URL passed its check
	QuotaUsed   int    `json:"quota_used"`          // pushes of the company clock's month that count
	QuotaLimit  int    `json:"quota_limit"`
}

// SimEvent is one event the simulator made.
type SimEvent struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	BornAt  time.Time       `json:"born_at"` // company clock
	Made    time.Time       `json:"made"`    // service clock when it was made
	Acked   time.Time       `json:"acked"`   // service clock of its first SUCCESS; zero while unacked
	Pushes  int             `json:"pushes"`
	UserIDs []string        `json:"userids,omitempty"`
	Data    json.RawMessage `json:"data"` // Stream's data object
}

type simEvent struct {
	SimEvent
	counts  bool // against the push quota
	acked   bool
	dropped bool // the month's push quota was spent
}

type delivery struct {
	ev   *simEvent
	conn *gwConn // nil for an HTTP push
	sent time.Time
}

type timedEvent struct {
	ev  *simEvent
	at  time.Time // service clock
	dup bool
}

// maxEventLog bounds the events kept for EventLog and for duplicates: a month of a
// 2,000-person company's punches.
const maxEventLog = 200_000

type eventHub struct {
	pumpMu sync.Mutex // one pump at a time

	mu       sync.Mutex
	cfg      EventsConfig
	rnd      *rand.Rand
	seq      uint64
	tickets  map[string]ticket
	conns    map[int64]*gwConn
	connSeq  int64
	queue    []*simEvent
	later    []timedEvent
	inflight map[string]*delivery // by messageId
	late     map[string]*simEvent // messageIds whose ack did not come in time: a late ack still counts
	log      []*simEvent
	quota    map[int]int // company month -> counted pushes
	stats    EventStats
	procs    map[string]announced // processInstanceId -> the leave announced
	checkURL bool                 // the push URL passed its check
	posting  int                  // HTTP pushes in flight
	emit     emitState
}

func (h *eventHub) init(cfg Config) {
	h.cfg = cfg.Events.withDefaults(cfg)
	h.rnd = rand.New(rand.NewPCG(uint64(cfg.Seed), 0x657665_6e7473))
	h.tickets = map[string]ticket{}
	h.conns = map[int64]*gwConn{}
	h.inflight = map[string]*delivery{}
	h.late = map[string]*simEvent{}
	h.quota = map[int]int{}
	h.procs = map[string]announced{}
	h.emit.from = cfg.Now.UnixMilli()
}

// newID returns a fresh id of 32 hex digits, as DingTalk's eventIds and messageIds look.
func (h *eventHub) newID(seed uint64) string {
	h.seq++
	return hex16(hash(seed, saltTask, h.seq, 1)) + hex16(hash(seed, saltTask, h.seq, 2))
}

// add makes an event. Called with h.mu held.
func (s *Server) addEventLocked(typ string, data []byte, users []string, counts bool) *simEvent {
	h := &s.events
	ev := &simEvent{SimEvent: SimEvent{ID: h.newID(s.seed), Type: typ, BornAt: s.Now(), Made: s.cfg.Clock(),
		Data: data, UserIDs: users}, counts: counts}
	h.queue = append(h.queue, ev)
	h.log = append(h.log, ev)
	if len(h.log) > maxEventLog {
		h.log = slices.Delete(h.log, 0, len(h.log)-maxEventLog)
	}
	h.stats.Emitted++
	h.stats.Unacked++
	return ev
}

// EmitEvent makes an event of any type with data as its Stream data object (an HTTP push
// flattens it next to EventType) and returns its eventId. Attendance events count against
// the push quota; contacts events (user_*, org_dept_*) do not.
func (s *Server) EmitEvent(eventType string, data map[string]any) string {
	b := marshal(data)
	var users []string
	switch u := data["userId"].(type) {
	case string:
		users = []string{u}
	case []string:
		users = u
	case []any: // from JSON
		for _, x := range u {
			if s, ok := x.(string); ok {
				users = append(users, s)
			}
		}
	}
	s.events.mu.Lock()
	defer s.events.mu.Unlock()
	return s.addEventLocked(eventType, b, users, countsAgainstQuota(eventType)).ID
}

func countsAgainstQuota(eventType string) bool {
	for _, prefix := range []string{"user_", "org_dept_", "label_"} {
		if len(eventType) >= len(prefix) && eventType[:len(prefix)] == prefix {
			return false
		}
	}
	return true
}

// EventLog returns the events made so far (the latest 200,000), oldest first.
func (s *Server) EventLog() []SimEvent {
	s.events.mu.Lock()
	defer s.events.mu.Unlock()
	out := make([]SimEvent, len(s.events.log))
	for i, ev := range s.events.log {
		out[i] = ev.SimEvent
	}
	return out
}

// EventStats returns the gateway's counters.
func (s *Server) EventStats() EventStats {
	h := &s.events
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.stats
	st.Connections = len(h.conns)
	st.Outstanding = len(h.queue) + len(h.later) + max(len(h.inflight), h.posting)
	st.QuotaUsed = h.quota[monthKey(s.Now())]
	st.QuotaLimit = h.cfg.PushQuota
	if h.checkURL {
		st.CheckURL = "ok"
	}
	return st
}

// SetPushQuotaUsed sets the pushes the company clock's month has counted, to start a test
// near the end of the quota.
func (s *Server) SetPushQuotaUsed(n int) {
	s.events.mu.Lock()
	defer s.events.mu.Unlock()
	s.events.quota[monthKey(s.Now())] = n
}

// SetDuplicateRate changes EventsConfig.DuplicateRate.
func (s *Server) SetDuplicateRate(p float64) {
	s.events.mu.Lock()
	defer s.events.mu.Unlock()
	s.events.cfg.DuplicateRate = p
}

// SkipEvents forgets the company's day up to now: punches that happened before now make no
// events (after a jump of the clock that should not replay a day).
func (s *Server) SkipEvents() {
	s.events.mu.Lock()
	defer s.events.mu.Unlock()
	s.events.emit.from = s.Now().UnixMilli()
}

// RunEvents pumps events until ctx is done: it makes the company's events as its clock runs
// and pushes them over HTTP when EventsConfig.PushURL is set. Stream connections pump by
// themselves; kaoqin dingtalk-sim and kaoqin demo run this too, so that events are made while
// no connection is open.
func (s *Server) RunEvents(ctx context.Context) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	var checked time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.checkPush(&checked)
			s.PumpEvents()
		}
	}
}

// PumpEvents makes the events that are due on the company clock and delivers what can be
// delivered; connections and RunEvents call it every 20 ms.
func (s *Server) PumpEvents() {
	h := &s.events
	if !h.pumpMu.TryLock() {
		return
	}
	defer h.pumpMu.Unlock()
	s.emitDue()
	s.deliver()
}

// deliver pushes what is due: events whose ack did not come in time, LATER and duplicate
// ones whose time has come, and the queue.
func (s *Server) deliver() {
	h := &s.events
	now := s.cfg.Clock()
	month := monthKey(s.Now())
	type send struct {
		c     *gwConn
		frame []byte
	}
	var sends []send
	var posts []*delivery

	h.mu.Lock()
	for id, d := range h.inflight {
		if now.Sub(d.sent) < h.cfg.AckTimeout {
			continue
		}
		delete(h.inflight, id)
		if !d.ev.acked {
			h.queue = append(h.queue, d.ev)
			h.stats.Redelivered++
			if len(h.late) > 100_000 {
				clear(h.late)
			}
			h.late[id] = d.ev
		}
	}
	keep := h.later[:0]
	for _, t := range h.later {
		switch {
		case now.Before(t.at):
			keep = append(keep, t)
		case t.dup || !t.ev.acked:
			if t.dup {
				h.stats.Duplicates++
			}
			h.queue = append(h.queue, t.ev)
		}
	}
	h.later = keep

	httpMode := h.cfg.PushURL != ""
	var open []*gwConn
	if !httpMode {
		for _, c := range h.conns {
			if !c.draining && c.events {
				open = append(open, c)
			}
		}
		slices.SortFunc(open, func(a, b *gwConn) int { return int(a.id - b.id) })
	}
	waiting := h.queue[:0]
	for i, ev := range h.queue {
		if ev.counts && h.cfg.PushQuota > 0 && h.quota[month] >= h.cfg.PushQuota {
			if !ev.dropped && !ev.acked {
				ev.dropped = true
				h.stats.Dropped++
				h.stats.Unacked--
			}
			continue
		}
		if httpMode && (!h.checkURL || h.posting+len(posts) >= 16) || !httpMode && len(open) == 0 {
			waiting = append(waiting, h.queue[i:]...)
			break
		}
		msgID := h.newID(s.seed)
		d := &delivery{ev: ev, sent: now}
		h.inflight[msgID] = d
		ev.Pushes++
		h.stats.Pushes++
		if ev.counts {
			h.quota[month]++
		}
		if httpMode {
			posts = append(posts, d)
			continue
		}
		d.conn = open[h.rnd.IntN(len(open))]
		sends = append(sends, send{d.conn, s.eventFrame(ev, msgID, d.conn.id)})
	}
	h.queue = waiting
	h.posting += len(posts)
	h.mu.Unlock()

	for _, sd := range sends {
		sd.c.send(sd.frame)
	}
	for _, d := range posts {
		go s.post(d)
	}
}

// acked records the answer to one delivery: SUCCESS or LATER.
func (s *Server) acked(msgID string, success bool) {
	h := &s.events
	h.mu.Lock()
	defer h.mu.Unlock()
	now := s.cfg.Clock()
	var ev *simEvent
	if d, ok := h.inflight[msgID]; ok {
		delete(h.inflight, msgID)
		ev = d.ev
	} else if ev, ok = h.late[msgID]; ok {
		// Answered after it was pushed again: DingTalk takes the answer (the push on its way
		// arrives as a duplicate).
		delete(h.late, msgID)
		if !success {
			return
		}
	} else {
		return
	}
	if !success {
		h.stats.Later++
		if !ev.acked {
			h.later = append(h.later, timedEvent{ev: ev, at: now.Add(time.Second)})
		}
		return
	}
	if ev.acked {
		return // an answer to a duplicate
	}
	ev.acked, ev.Acked = true, now
	h.stats.Acked++
	if !ev.dropped {
		h.stats.Unacked--
	}
	if h.cfg.DuplicateRate > 0 && h.rnd.Float64() < h.cfg.DuplicateRate {
		h.later = append(h.later, timedEvent{ev: ev, at: now.Add(time.Duration(h.rnd.IntN(1000)) * time.Millisecond), dup: true})
	}
}

// eventFrame is the Stream frame of one delivery.
func (s *Server) eventFrame(ev *simEvent, msgID string, connID int64) []byte {
	svc := strconv.FormatInt(s.cfg.Clock().UnixMilli(), 10)
	return marshal(map[string]any{
		"specVersion": "1.0",
		"type":        "EVENT",
		"headers": map[string]string{
			"appId":             s.appUnifiedID(),
			"connectionId":      strconv.FormatInt(connID, 10),
			"contentType":       "application/json",
			"eventBornTime":     strconv.FormatInt(ev.BornAt.UnixMilli(), 10),
			"eventCorpId":       s.cfg.CorpID,
			"eventId":           ev.ID,
			"eventType":         ev.Type,
			"eventUnifiedAppId": s.appUnifiedID(),
			"messageId":         msgID,
			"time":              svc,
			"topic":             "*",
		},
		"data": string(ev.Data),
	})
}

// appUnifiedID is the app's unified id (eventUnifiedAppId), a UUID drawn from the seed.
func (s *Server) appUnifiedID() string {
	a, b := hex16(hash(s.seed, saltOrg, 77)), hex16(hash(s.seed, saltOrg, 78))
	return a[:8] + "-" + a[8:12] + "-" + a[12:16] + "-" + b[:4] + "-" + b[4:16]
}

// eventsControl serves /_sim/events: GET the counters; POST {"type":...,"data":{...}} makes
// an event; POST /_sim/events/disconnect sends every connection a disconnect, and
// /_sim/events/drop closes them without a word.
func (s *Server) eventsControl(w http.ResponseWriter, r *http.Request, reply func(any), bad func(string)) {
	switch r.Method + " " + r.URL.Path {
	case "GET /_sim/events":
		reply(s.EventStats())
	case "POST /_sim/events":
		var in struct {
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Type == "" {
			bad(`body: want JSON {"type":"attend_bossCheck_change","data":{"userId":"...","workDate":"2026-11-18"}}`)
			return
		}
		if in.Data == nil {
			in.Data = map[string]any{}
		}
		reply(map[string]string{"eventId": s.EmitEvent(in.Type, in.Data)})
	case "POST /_sim/events/disconnect":
		s.DisconnectAll()
		reply(s.EventStats())
	case "POST /_sim/events/drop":
		s.DropConnections()
		reply(s.EventStats())
	}
}
