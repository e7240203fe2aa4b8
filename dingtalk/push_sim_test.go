package dingtalk_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// TestHTTPPush_AgainstTheSimulator: the simulator's pusher and the client's CallbackCrypto
// were written apart; a receiver built on the client decrypts every push, passes the URL
// check, and its encrypted "success" is what the simulator accepts. A receiver that answers
// anything else gets the push again.
func TestHTTPPush_AgainstTheSimulator(t *testing.T) {
	const token, aesKey = "kaoqinpush", "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus"
	crypto, err := dingtalk.NewCallbackCrypto(token, aesKey, dingtalksim.DefaultAppKey)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	types := map[string]bool{}
	failFirst := true
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var body struct {
			Encrypt string `json:"encrypt"`
		}
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &body)
		msg, err := crypto.Decrypt(q.Get("signature"), q.Get("timestamp"), q.Get("nonce"), body.Encrypt)
		if err != nil {
			t.Errorf("decrypt a push: %v", err)
			http.Error(w, "bad", 400)
			return
		}
		e, err := dingtalk.ParseCallback(msg)
		if err != nil {
			t.Errorf("parse a push: %v (%s)", err, msg)
			return
		}
		mu.Lock()
		types[e.Type] = true
		if e.Type != dingtalk.EventCheckURL {
			seen[e.ID]++
			if failFirst {
				failFirst = false
				mu.Unlock()
				w.Write([]byte(`{"ok":true}`)) // not an encrypted success
				return
			}
			if _, err := e.Decode(time.UTC); err != nil {
				t.Errorf("decode %s: %v", msg, err)
			}
		}
		mu.Unlock()
		reply, _ := crypto.Reply("success", time.Now())
		json.NewEncoder(w).Encode(reply)
	}))
	defer recv.Close()

	sim := dingtalksim.New(dingtalksim.Config{Seed: 2, Employees: 10, Events: dingtalksim.EventsConfig{NoDay: true,
		PushURL: recv.URL + "/dingtalk/events", PushToken: token, PushAESKey: aesKey, AckTimeout: 200 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sim.RunEvents(ctx)
	var ids []string
	for i := range 5 {
		ids = append(ids, sim.EmitEvent(dingtalk.EventBossCheck, map[string]any{"userId": "u" + string(rune('a'+i)), "workDate": "2026-11-18 00:00:00", "planId": 1}))
	}
	ids = append(ids, sim.EmitEvent(dingtalk.EventUserAdd, map[string]any{"userId": []string{"new1"}}))
	deadline := time.Now().Add(10 * time.Second)
	for sim.EventStats().Acked < len(ids) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	st := sim.EventStats()
	if st.Acked != len(ids) || st.CheckURL != "ok" || st.HTTPFailed != 1 {
		t.Fatalf("stats %+v", st)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, id := range ids {
		if seen[id] < 1 {
			t.Errorf("event %s never pushed", id)
		}
	}
	if !types[dingtalk.EventCheckURL] || !types[dingtalk.EventBossCheck] || !types[dingtalk.EventUserAdd] {
		t.Errorf("types %v", types)
	}
}

// TestWorkflow_ProcessInstance reads the approval behind a leave event of the simulated day.
func TestWorkflow_ProcessInstance(t *testing.T) {
	sim := dingtalksim.New(dingtalksim.Config{Seed: 7, Employees: 300, QPS: -1, IPLimit: -1, Now: time.Date(2026, 11, 18, 0, 0, 0, 0, shanghai)})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	sim.Advance(14 * time.Hour)
	sim.PumpEvents()
	c, err := dingtalk.NewClient(sim.Config().AppKey, sim.Config().AppSecret, dingtalk.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range sim.EventLog() {
		if ev.Type != dingtalk.EventApproveStatus {
			continue
		}
		p, err := dingtalk.Event{Type: ev.Type, Data: ev.Data}.Decode(shanghai)
		if err != nil {
			t.Fatal(err)
		}
		pi, _, err := c.Workflow.GetProcessInstance(context.Background(), p.ProcessInstanceID)
		if err != nil {
			t.Fatal(err)
		}
		if pi.OriginatorUserID != ev.UserIDs[0] || pi.Status != "COMPLETED" || len(pi.FormValues) == 0 {
			t.Errorf("instance %+v, want the leave of %s", pi, ev.UserIDs[0])
		}
		n++
	}
	if n == 0 {
		t.Fatal("no leave approval in the day")
	}
	if sim.Counters()["/topapi/processinstance/get"].Metered != 0 {
		t.Error("workflow calls are metered")
	}
}
