package events

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

const pushToken, pushKey = "kaoqintoken", "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7"

// TestHTTPPush_FromTheSimulator: DingTalk's HTTP push, crypto and all, lands every event once;
// the URL check is answered well within 1.5 s.
func TestHTTPPush_FromTheSimulator(t *testing.T) {
	w := newWorld(t, 100, dingtalksim.EventsConfig{}, time.Date(2026, 11, 18, 7, 30, 0, 0, shanghai))
	in, err := New(Config{Store: w.db, Syncer: w.s, Location: shanghai, Source: kaoqin.SourceHTTP, Sweep: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	crypto, err := dingtalk.NewCallbackCrypto(pushToken, pushKey, w.sim.Config().AppKey)
	if err != nil {
		t.Fatal(err)
	}
	recv := httptest.NewServer(in.HTTPHandler(crypto))
	defer recv.Close()
	// A simulator pushing to kaoqin: the same company, pushing over HTTP.
	pusher := dingtalksim.New(dingtalksim.Config{Seed: 11, Employees: 100, Location: shanghai, Now: w.sim.Now(),
		Events: dingtalksim.EventsConfig{PushURL: recv.URL + "/dingtalk/events", PushToken: pushToken, PushAESKey: pushKey, DuplicateRate: 0.2}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go in.Run(ctx)
	go pusher.RunEvents(ctx)
	began := time.Now()
	for !pusher.CheckPushURL() && time.Since(began) < 5*time.Second {
		time.Sleep(20 * time.Millisecond)
	}
	if took := time.Since(began); took > 1500*time.Millisecond {
		t.Errorf("the URL check took %s", took)
	}
	for range 8 {
		pusher.Advance(15 * time.Minute)
		time.Sleep(50 * time.Millisecond)
	}
	// Every push answered and none to come (duplicates follow an ack by up to a second): only
	// then may the ledger be held to the simulator's count.
	var st dingtalksim.EventStats
	var c kaoqin.EventCounts
	defer func() {
		if t.Failed() {
			t.Logf("simulator %+v; store %+v", st, c)
		}
	}()
	waitFor(t, "every push made and answered", 45*time.Second, func() bool {
		st = pusher.EventStats()
		c, _ = w.db.EventCounts(ctx, 0)
		return st.Emitted > 50 && st.Unacked == 0 && st.Outstanding == 0 && c.Pending == 0 && c.Received == int64(st.Emitted)
	})
	want := wantPunches(t, pusher)
	got, _ := w.db.Punches(ctx, kaoqin.Filter{From: "2026-11-18", To: "2026-11-18"})
	if len(got) != len(want) {
		t.Errorf("%d punches stored, %d pushed", len(got), len(want))
	}
	l, _ := w.db.Ledger(ctx, kaoqin.MonthOf(time.Now(), shanghai))
	// A duplicate reaches a stored event; so may a push again after no answer in 3 s.
	st = pusher.EventStats()
	if l.Pushes != int64(st.Pushes) || st.Duplicates == 0 ||
		l.PushDuplicates < int64(st.Duplicates) || l.PushDuplicates > int64(st.Duplicates+st.Redelivered) {
		t.Errorf("ledger %d pushes (%d duplicates); the simulator pushed %d (%d duplicates, %d again after no answer, %d failed)",
			l.Pushes, l.PushDuplicates, st.Pushes, st.Duplicates, st.Redelivered, st.HTTPFailed)
	}
}

// TestHTTPPush_Refuses: a push that does not verify, is stale, is seen again or is not a
// push changes nothing and gets a 4xx.
func TestHTTPPush_Refuses(t *testing.T) {
	w := newWorld(t, 10, dingtalksim.EventsConfig{NoDay: true}, time.Date(2026, 11, 18, 9, 0, 0, 0, shanghai))
	in, err := New(Config{Store: w.db, Location: shanghai, Source: kaoqin.SourceHTTP})
	if err != nil {
		t.Fatal(err)
	}
	crypto, _ := dingtalk.NewCallbackCrypto(pushToken, pushKey, w.sim.Config().AppKey)
	other, _ := dingtalk.NewCallbackCrypto("someoneelse", pushKey, w.sim.Config().AppKey)
	h := in.HTTPHandler(crypto)
	msg := []byte(`{"EventType":"attend_user_daily_summary_refresh","EventTime":1663143335567,"CorpId":"ding","eventId":"e-1","workDate":"2026-11-17","userId":"u1"}`)
	enc, _ := crypto.Encrypt(msg)
	post := func(c *dingtalk.CallbackCrypto, ts, nonce, body string, sigOverride string) (int, string) {
		sig := c.Signature(ts, nonce, enc)
		if sigOverride != "" {
			sig = sigOverride
		}
		q := url.Values{"signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}
		r := httptest.NewRequest("POST", "/dingtalk/events?"+q.Encode(), strings.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		b, _ := io.ReadAll(rec.Body)
		return rec.Code, string(b)
	}
	body := `{"encrypt":"` + enc + `"}`
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	stale := strconv.FormatInt(time.Now().Add(-10*time.Minute).UnixMilli(), 10)
	for _, tc := range []struct {
		name     string
		c        *dingtalk.CallbackCrypto
		ts, body string
		sig      string
		want     int
	}{
		{"another token", other, now, body, "", http.StatusForbidden},
		{"forged signature", crypto, now, body, "0000000000000000000000000000000000000000", http.StatusForbidden},
		{"stale", crypto, stale, body, "", http.StatusForbidden},
		{"not json", crypto, now, "encrypt=" + enc, "", http.StatusBadRequest},
		{"no timestamp", crypto, "", body, "", http.StatusBadRequest},
	} {
		if code, b := post(tc.c, tc.ts, "n1", tc.body, tc.sig); code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, code, b, tc.want)
		}
	}
	ctx := context.Background()
	if c, _ := w.db.EventCounts(ctx, 0); c.Received != 0 {
		t.Fatalf("refused pushes stored %d events", c.Received)
	}
	code, b := post(crypto, now, "n2", body, "")
	var reply dingtalk.CallbackReply
	json.Unmarshal([]byte(b), &reply)
	if got, err := crypto.Decrypt(reply.MsgSignature, reply.TimeStamp, reply.Nonce, reply.Encrypt); code != 200 || err != nil || string(got) != "success" {
		t.Fatalf("a good push: %d %s (%v)", code, b, err)
	}
	if code, _ := post(crypto, now, "n2", body, ""); code != http.StatusConflict {
		t.Errorf("the same request again: %d, want 409", code)
	}
	// DingTalk pushing the same event again (new nonce) is a duplicate: success, nothing new.
	if code, _ := post(crypto, now, "n3", body, ""); code != 200 {
		t.Errorf("a redelivery: %d", code)
	}
	c, _ := w.db.EventCounts(ctx, 0)
	l, _ := w.db.Ledger(ctx, kaoqin.MonthOf(time.Now(), shanghai))
	if c.Received != 1 || l.Pushes != 2 || l.PushDuplicates != 1 {
		t.Errorf("events %+v, ledger %d pushes %d duplicates", c, l.Pushes, l.PushDuplicates)
	}
	// DingTalk gave up waiting (its request's context is done): the push is stored and booked
	// all the same, so that its next push of the event is a duplicate, not a loss.
	msg2 := []byte(`{"EventType":"attend_user_daily_summary_refresh","EventTime":1663143335567,"CorpId":"ding","eventId":"e-2","workDate":"2026-11-17","userId":"u2"}`)
	enc2, _ := crypto.Encrypt(msg2)
	q := url.Values{"signature": {crypto.Signature(now, "n4", enc2)}, "timestamp": {now}, "nonce": {"n4"}}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	r := httptest.NewRequest("POST", "/dingtalk/events?"+q.Encode(), strings.NewReader(`{"encrypt":"`+enc2+`"}`)).WithContext(gone)
	h.ServeHTTP(httptest.NewRecorder(), r)
	c, _ = w.db.EventCounts(ctx, 0)
	l, _ = w.db.Ledger(ctx, kaoqin.MonthOf(time.Now(), shanghai))
	if c.Received != 2 || l.Pushes != 3 {
		t.Errorf("a push DingTalk stopped waiting for: events %+v, ledger %d pushes", c, l.Pushes)
	}
	r = httptest.NewRequest("GET", "/dingtalk/events", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", rec.Code)
	}
}
