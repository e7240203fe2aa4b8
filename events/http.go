package events

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

// HTTP push: DingTalk POSTs <url>?signature=&timestamp=&nonce= (or msg_signature, timeStamp)
// with {"encrypt":"..."}. The handler checks the signature and the timestamp, decrypts,
// stores the event like a Stream delivery, and answers DingTalk's encrypted "success"; the
// URL check (check_url) is answered at once, well within DingTalk's 1.5 s. A bad signature,
// a stale timestamp, a request seen before, or a body that is not a push changes nothing and
// gets a 4xx; an event that could not be stored gets a 503, so DingTalk pushes it again.

// MaxPushAge is how far a push's timestamp may be from the clock.
const MaxPushAge = 5 * time.Minute

const maxPushBody = 1 << 20

// HTTPHandler returns the handler of POST /dingtalk/events for the app's push crypto.
func (in *Intake) HTTPHandler(crypto *dingtalk.CallbackCrypto) http.Handler {
	return &pushHandler{in: in, crypto: crypto, seen: map[string]time.Time{}}
}

type pushHandler struct {
	in     *Intake
	crypto *dingtalk.CallbackCrypto

	mu   sync.Mutex
	seen map[string]time.Time // signatures of the requests of the last MaxPushAge
}

func (h *pushHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		pushError(w, http.StatusMethodNotAllowed, "DingTalk pushes events with POST")
		return
	}
	q := r.URL.Query()
	sig, ts, nonce := first(q.Get("msg_signature"), q.Get("signature")), first(q.Get("timeStamp"), q.Get("timestamp")), q.Get("nonce")
	if sig == "" || ts == "" || nonce == "" {
		pushError(w, http.StatusBadRequest, "a push carries signature, timestamp and nonce in its URL")
		return
	}
	now := h.in.now()
	at, err := pushTime(ts)
	if err != nil {
		pushError(w, http.StatusBadRequest, "the timestamp is not a number")
		return
	}
	if d := now.Sub(at); d > MaxPushAge || d < -MaxPushAge {
		pushError(w, http.StatusForbidden, "the timestamp is more than 5 minutes from this server's clock (stale, or the clock is wrong)")
		return
	}
	var body struct {
		Encrypt string `json:"encrypt"`
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxPushBody+1))
	if err != nil || len(b) > maxPushBody || json.Unmarshal(b, &body) != nil || body.Encrypt == "" {
		pushError(w, http.StatusBadRequest, `the body is not {"encrypt":"..."}`)
		return
	}
	msg, err := h.crypto.Decrypt(sig, ts, nonce, body.Encrypt)
	if err != nil {
		var ce *dingtalk.CallbackError
		status := http.StatusBadRequest
		if errors.As(err, &ce) && (ce.Code == dingtalk.CallbackBadSignature || ce.Code == dingtalk.CallbackBadOwner) {
			status = http.StatusForbidden
		}
		h.in.log.Warn("events: a push refused", "err", err, "remote", r.RemoteAddr)
		pushError(w, status, "the push does not verify: check KAOQIN_EVENTS_TOKEN and KAOQIN_EVENTS_AES_KEY against the developer console")
		return
	}
	if !h.firstTime(sig+ts+nonce, now) {
		pushError(w, http.StatusConflict, "this request was received before (a replay)")
		return
	}
	e, err := dingtalk.ParseCallback(msg)
	if err != nil {
		pushError(w, http.StatusBadRequest, "the decrypted push is not an event")
		return
	}
	if e.Type != dingtalk.EventCheckURL {
		// Stored even if DingTalk stops waiting for the answer: the push is on its books, and
		// its next push of the event is then a duplicate, not a loss.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
		err := h.in.receive(ctx, e, kaoqin.SourceHTTP)
		cancel()
		if err != nil {
			h.in.log.Warn("events: a pushed event could not be stored; DingTalk will push it again", "event", e.ID, "err", err)
			pushError(w, http.StatusServiceUnavailable, "the event could not be stored; push it again")
			return
		}
	}
	reply, err := h.crypto.Reply("success", now)
	if err != nil {
		pushError(w, http.StatusInternalServerError, "cannot encrypt the answer")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(reply)
}

// firstTime reports whether a request is new, and remembers it for MaxPushAge.
func (h *pushHandler) firstTime(key string, now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.seen) > 10_000 {
		for k, t := range h.seen {
			if now.Sub(t) > 2*MaxPushAge {
				delete(h.seen, k)
			}
		}
	}
	if t, ok := h.seen[key]; ok && now.Sub(t) <= 2*MaxPushAge {
		return false
	}
	h.seen[key] = now
	return true
}

// pushTime reads a push's timestamp: milliseconds (DingTalk's), or seconds.
func pushTime(ts string) (time.Time, error) {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	if n < 1e12 {
		return time.Unix(n, 0), nil
	}
	return time.UnixMilli(n), nil
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func pushError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
