package dingtalksim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// HTTP push (the app's "HTTP 推送" mode): with EventsConfig.PushURL set, RunEvents first checks
// the URL the way the developer console does when the URL is saved (EventType check_url, an
// encrypted "success" expected within 1.5 s; until it passes nothing is pushed, and it is
// tried again every 5 s), then POSTs every event to
// PushURL?signature=&timestamp=&nonce= with {"encrypt":"..."}: the message is the event's
// data with EventType, EventTime, CorpId, BizId and eventId beside it. A push answered with
// anything but HTTP 200 and {"msg_signature","timeStamp","nonce","encrypt"} whose signature
// holds and which decrypts to "success" failed, and is pushed again after AckTimeout.

const checkURLWithin = 1500 * time.Millisecond

var pushClient = &http.Client{Timeout: 5 * time.Second}

func (s *Server) pushCrypto() (*pushCrypto, error) {
	c := s.events.cfg
	return newPushCrypto(c.PushToken, c.PushAESKey, c.PushOwner)
}

// post pushes one delivery over HTTP and records the answer.
func (s *Server) post(d *delivery) {
	ok := s.postMessage(d.ev.Type, d.ev.ID, d.ev.BornAt, d.ev.Data, pushClient.Timeout)
	h := &s.events
	h.mu.Lock()
	h.posting--
	var msgID string
	for id, x := range h.inflight {
		if x == d {
			msgID = id
			break
		}
	}
	if !ok {
		h.stats.HTTPFailed++
	}
	h.mu.Unlock()
	if msgID != "" {
		s.acked(msgID, ok)
	}
}

// CheckPushURL runs the console's URL check now and reports whether it passed.
func (s *Server) CheckPushURL() bool {
	ok := s.postMessage("check_url", "", s.Now(), []byte("{}"), checkURLWithin)
	s.events.mu.Lock()
	s.events.checkURL = ok
	s.events.mu.Unlock()
	return ok
}

// postMessage POSTs one encrypted message and reports whether the answer was an encrypted
// "success" within the time allowed.
func (s *Server) postMessage(typ, eventID string, born time.Time, data []byte, within time.Duration) bool {
	pc, err := s.pushCrypto()
	if err != nil {
		return false
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		fields = map[string]any{}
	}
	fields["EventType"] = typ
	fields["EventTime"] = born.UnixMilli()
	fields["CorpId"] = s.cfg.CorpID
	fields["BizId"] = strconv.FormatInt(born.UnixMilli(), 10)
	if eventID != "" {
		fields["eventId"] = eventID
	}
	h := &s.events
	h.mu.Lock()
	random, nonce := h.newID(s.seed)[:16], h.newID(s.seed)[:12]
	h.mu.Unlock()
	enc := pc.encrypt(random, marshal(fields))
	ts := strconv.FormatInt(s.cfg.Clock().UnixMilli(), 10)
	q := url.Values{"signature": {pc.sign(ts, nonce, enc)}, "timestamp": {ts}, "nonce": {nonce}}
	u, err := url.Parse(h.cfg.PushURL)
	if err != nil {
		return false
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequest(http.MethodPost, u.String(), bytes.NewReader(marshal(map[string]string{"encrypt": enc})))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	began := time.Now()
	resp, err := (&http.Client{Timeout: within}).Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK || time.Since(began) > within {
		return false
	}
	var r struct {
		MsgSignature string `json:"msg_signature"`
		TimeStamp    string `json:"timeStamp"`
		Nonce        string `json:"nonce"`
		Encrypt      string `json:"encrypt"`
	}
	if json.Unmarshal(b, &r) != nil || r.MsgSignature != pc.sign(r.TimeStamp, r.Nonce, r.Encrypt) {
		return false
	}
	msg, err := pc.decrypt(r.Encrypt)
	return err == nil && string(msg) == "success"
}

// checkPush keeps checking the push URL until it passes; RunEvents calls it each pump.
func (s *Server) checkPush(last *time.Time) {
	h := &s.events
	h.mu.Lock()
	need := h.cfg.PushURL != "" && !h.checkURL
	h.mu.Unlock()
	if !need || time.Since(*last) < 5*time.Second {
		return
	}
	*last = time.Now()
	s.CheckPushURL()
}
