package dingtalksim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The Stream gateway: POST /v1.0/gateway/connections/open (on the new API host, which the
// simulator serves on the same address) hands out an endpoint and a single-use ticket valid
// TicketTTL (90 s); GET /connect?ticket= upgrades to a WebSocket. On it DingTalk sends SYSTEM
// pings every PingEvery (two left unanswered close the connection), a SYSTEM disconnect
// DisconnectAfter after it opened (then nothing more, and the close DisconnectGrace later),
// and EVENT frames, each to be acked with {"status":"SUCCESS"} or LATER.
//
// Errors of the new API host are HTTP 4xx with {"code","message","requestid"}: bad
// credentials 401 InvalidAuthentication, a bad body 400 InvalidParameter, an unknown,
// expired or used ticket 401 InvalidTicket (the codes are UNVERIFIED).

const (
	pathOpen    = "/v1.0/gateway/connections/open"
	pathConnect = "/connect"
)

// serveGateway answers the Stream gateway's two paths.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case pathOpen:
		s.ctrs.add(pathOpen, PathCounters{Calls: 1})
		s.openConnection(w, r)
	case pathConnect:
		s.connect(w, r)
	default:
		s.v1Error(w, http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
	}
}

func (s *Server) v1Error(w http.ResponseWriter, status int, code, msg string) {
	writeBody(w, status, "application/json;charset=utf-8", marshal(map[string]string{
		"code": code, "message": msg, "requestid": strings.ToUpper(s.requestID()),
	}))
}

func (s *Server) openConnection(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.v1Error(w, http.StatusMethodNotAllowed, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
		return
	}
	var in struct {
		ClientID      string `json:"clientId"`
		ClientSecret  string `json:"clientSecret"`
		Subscriptions []struct {
			Type  string `json:"type"`
			Topic string `json:"topic"`
		} `json:"subscriptions"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil {
		s.v1Error(w, http.StatusBadRequest, "InvalidParameter", "the body must be JSON {clientId, clientSecret, subscriptions}")
		return
	}
	if in.ClientID == "" || in.ClientSecret == "" {
		s.v1Error(w, http.StatusBadRequest, "MissingParameter", "clientId and clientSecret are required")
		return
	}
	if !s.lim.credentialsOK(in.ClientID, in.ClientSecret) {
		s.v1Error(w, http.StatusUnauthorized, "InvalidAuthentication", "不合法的clientId或clientSecret")
		return
	}
	if len(in.Subscriptions) == 0 {
		s.v1Error(w, http.StatusBadRequest, "MissingParameter", "subscriptions is required")
		return
	}
	events := false
	for _, sub := range in.Subscriptions {
		switch sub.Type {
		case "EVENT":
			if sub.Topic != "*" {
				s.v1Error(w, http.StatusBadRequest, "InvalidParameter", "the only topic of EVENT subscriptions is *: choose events in the developer console")
				return
			}
			events = true
		case "CALLBACK", "SYSTEM":
		default:
			s.v1Error(w, http.StatusBadRequest, "InvalidParameter", "subscription type must be EVENT, CALLBACK or SYSTEM")
			return
		}
	}
	h := &s.events
	now := s.cfg.Clock()
	h.mu.Lock()
	for t, tk := range h.tickets {
		if now.After(tk.expires) {
			delete(h.tickets, t)
		}
	}
	tkt := h.newID(s.seed)
	tkt = tkt[:8] + "-" + tkt[8:12] + "-" + tkt[12:16] + "-" + tkt[16:20] + "-" + tkt[20:]
	h.tickets[tkt] = ticket{expires: now.Add(h.cfg.TicketTTL), events: events}
	h.mu.Unlock()
	scheme := "ws"
	if r.TLS != nil {
		scheme = "wss"
	}
	writeBody(w, http.StatusOK, "application/json;charset=utf-8", marshal(map[string]string{
		"endpoint": scheme + "://" + r.Host + pathConnect,
		"ticket":   tkt,
	}))
}

// ticket is one connections/open answer, until it is used.
type ticket struct {
	expires time.Time // service clock
	events  bool      // the connection subscribed EVENT
}

// gwConn is one open Stream connection.
type gwConn struct {
	id     int64
	ws     *wsConn
	opened time.Time
	out    chan []byte
	done   chan struct{}
	once   sync.Once
	// guarded by the hub's mu
	events     bool
	draining   bool
	closeAt    time.Time
	lastPing   time.Time
	pingID     string
	unanswered int
}

// send queues a frame; a full queue loses it (DingTalk pushes an unacked event again).
func (c *gwConn) send(b []byte) {
	select {
	case c.out <- b:
	case <-c.done:
	default:
	}
}

func (c *gwConn) shut() {
	c.once.Do(func() {
		close(c.done)
		c.ws.close()
	})
}

func (s *Server) connect(w http.ResponseWriter, r *http.Request) {
	h := &s.events
	tkt := r.URL.Query().Get("ticket")
	now := s.cfg.Clock()
	h.mu.Lock()
	tk, ok := h.tickets[tkt]
	delete(h.tickets, tkt) // single use, even when the handshake then fails
	h.mu.Unlock()
	if !ok || now.After(tk.expires) {
		s.v1Error(w, http.StatusUnauthorized, "InvalidTicket", "the ticket is unknown, used or older than 90 s: open a new connection")
		return
	}
	ws, err := wsAccept(w, r)
	if err != nil {
		return
	}
	h.mu.Lock()
	h.connSeq++
	c := &gwConn{id: h.connSeq, ws: ws, opened: now, out: make(chan []byte, 4096), done: make(chan struct{}),
		events: tk.events, lastPing: now}
	h.conns[c.id] = c
	h.stats.Opened++
	h.mu.Unlock()
	defer func() {
		c.shut()
		h.mu.Lock()
		delete(h.conns, c.id)
		h.mu.Unlock()
	}()

	go func() { // writer
		for {
			select {
			case b := <-c.out:
				if err := ws.writeText(b); err != nil {
					c.shut()
					return
				}
			case <-c.done:
				return
			}
		}
	}()
	go func() { // reader
		defer c.shut()
		for {
			msg, err := ws.readMessage()
			if err != nil {
				return
			}
			s.onReply(c, msg)
		}
	}()

	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-tick.C:
		}
		s.PumpEvents()
		if !s.tend(c) {
			return
		}
	}
}

// tend runs a connection's clock: pings, the periodic disconnect and the close after it. It
// returns false when the connection is to close.
func (s *Server) tend(c *gwConn) bool {
	h := &s.events
	now := s.cfg.Clock()
	var frames [][]byte
	h.mu.Lock()
	switch {
	case c.draining && !now.Before(c.closeAt):
		h.mu.Unlock()
		return false
	case c.unanswered >= 2:
		h.mu.Unlock()
		return false // two pings without an answer: a dead client
	}
	if now.Sub(c.lastPing) >= h.cfg.PingEvery {
		c.lastPing = now
		c.pingID = h.newID(s.seed)
		c.unanswered++
		frames = append(frames, marshal(map[string]any{
			"specVersion": "1.0", "type": "SYSTEM",
			"headers": map[string]string{"contentType": "application/json", "messageId": c.pingID, "time": strconv.FormatInt(now.UnixMilli(), 10), "topic": "ping"},
			"data":    string(marshal(map[string]string{"opaque": h.newID(s.seed)})),
		}))
	}
	if !c.draining && h.cfg.DisconnectAfter > 0 && now.Sub(c.opened) >= h.cfg.DisconnectAfter {
		frames = append(frames, s.disconnectLocked(c, now, "connection is expired"))
	}
	h.mu.Unlock()
	for _, f := range frames {
		c.send(f)
	}
	return true
}

// disconnectLocked marks c as leaving and returns its disconnect frame. Called with h.mu held.
func (s *Server) disconnectLocked(c *gwConn, now time.Time, reason string) []byte {
	h := &s.events
	c.draining, c.closeAt = true, now.Add(h.cfg.DisconnectGrace)
	h.stats.Disconnects++
	return marshal(map[string]any{
		"specVersion": "1.0", "type": "SYSTEM",
		"headers": map[string]string{"contentType": "application/json", "messageId": h.newID(s.seed), "time": strconv.FormatInt(now.UnixMilli(), 10), "topic": "disconnect"},
		"data":    string(marshal(map[string]string{"reason": reason})),
	})
}

// onReply reads a client's answer: a ping's, or an event's ack.
func (s *Server) onReply(c *gwConn, msg []byte) {
	var in struct {
		Code    int               `json:"code"`
		Headers map[string]string `json:"headers"`
		Data    string            `json:"data"`
	}
	if json.Unmarshal(msg, &in) != nil {
		return
	}
	id := in.Headers["messageId"]
	h := &s.events
	h.mu.Lock()
	if id != "" && id == c.pingID {
		c.unanswered = 0
		h.mu.Unlock()
		return
	}
	h.mu.Unlock()
	var status struct {
		Status string `json:"status"`
	}
	json.Unmarshal([]byte(in.Data), &status)
	s.acked(id, in.Code == 200 && status.Status == "SUCCESS")
}

// DisconnectAll sends every open Stream connection DingTalk's disconnect, as DingTalk does
// periodically: no more events on them, and they close DisconnectGrace later.
func (s *Server) DisconnectAll() {
	h := &s.events
	now := s.cfg.Clock()
	type out struct {
		c *gwConn
		f []byte
	}
	var outs []out
	h.mu.Lock()
	for _, c := range h.conns {
		if !c.draining {
			outs = append(outs, out{c, s.disconnectLocked(c, now, "connection is expired")})
		}
	}
	h.mu.Unlock()
	for _, o := range outs {
		o.c.send(o.f)
	}
}

// DropConnections closes every Stream connection at once, without a word: a network failure.
func (s *Server) DropConnections() {
	h := &s.events
	h.mu.Lock()
	conns := make([]*gwConn, 0, len(h.conns))
	for _, c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.shut()
	}
}
