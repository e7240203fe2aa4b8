package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// TestDemo runs kaoqin demo on port 0 with the simulated clock stopped at 08:45, reads the
// board, moves the clock to 09:20, and checks that the board changed the way the morning did:
// more people in, by DingTalk's punch events (provisional readings), with no live pull.
func TestDemo(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	g := &Globals{Timezone: "Asia/Shanghai", MonthlyQuota: 5000, LogLevel: "warn", stdout: &out, stderr: &errOut}
	runc := make(chan *demoRun, 1)
	cmd := &demoCmd{Addr: "127.0.0.1:0", Employees: 120, Seed: 3, Start: "08:45", Speed: 0, Days: 7, LiveEvery: 10 * time.Minute, NightShift: true, Events: true,
		ready: func(d *demoRun) { runc <- d }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.Run(ctx, g) }()
	var d *demoRun
	select {
	case d = <-runc:
	case err := <-done:
		t.Fatalf("the demo ended before serving: %v\n%s\n%s", err, out.String(), errOut.String())
	case <-time.After(60 * time.Second):
		t.Fatal("the demo did not start")
	}
	for _, want := range []string{"kaoqin demo on " + d.URL, "log in as demo with password " + d.Password, "synced "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("console lacks %q:\n%s", want, out.String())
		}
	}
	c := loginAs(t, d.URL, d.User, d.Password)
	board := func() report.Daily {
		t.Helper()
		code, body := getBody(t, c, d.URL+"/api/v1/daily")
		if code != 200 {
			t.Fatalf("daily: %d %.300s", code, body)
		}
		var r report.Daily
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	early := board()
	if early.Company.Scheduled == 0 {
		t.Fatalf("nobody is scheduled on the demo's day: %+v", early.Company)
	}
	// The history is there too: a period report of the synced week.
	if code, body := getBody(t, c, d.URL+"/api/v1/period?from="+kaoqin.AddDays(early.Date, -6)+"&to="+early.Date); code != 200 {
		t.Errorf("period of the synced week: %d %.200s", code, body)
	}

	d.Sim.Advance(35 * time.Minute) // 09:20: the punches of the morning come as events
	deadline := time.Now().Add(20 * time.Second)
	var later report.Daily
	for {
		later = board()
		if later.Company.CheckedIn > early.Company.CheckedIn || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if later.Company.CheckedIn <= early.Company.CheckedIn {
		t.Errorf("the board did not change between 08:45 and 09:20: checked in %d then %d", early.Company.CheckedIn, later.Company.CheckedIn)
	}
	provisional := 0
	for _, e := range later.Employees {
		for _, c := range e.Checks {
			if c.Provisional {
				provisional++
			}
		}
	}
	var info struct {
		Runs   []kaoqin.SyncRun `json:"runs"`
		Status struct {
			Events struct {
				Carried bool   `json:"carried"`
				Why     string `json:"why"`
			} `json:"events"`
		} `json:"status"`
	}
	_, body := getBody(t, c, d.URL+"/api/v1/sync")
	if err := json.Unmarshal([]byte(body), &info); err != nil {
		t.Fatal(err)
	}
	if provisional == 0 || !info.Status.Events.Carried {
		t.Errorf("the board did not move by events: %d provisional checks, status %+v\n%s", provisional, info.Status.Events, errOut.String())
	}
	for _, r := range info.Runs {
		if r.Kind == "live" {
			t.Errorf("a live pull ran while events carried the board: %+v", r)
		}
	}
	if later.GeneratedAt.Sub(early.GeneratedAt.Time) != 35*time.Minute {
		t.Errorf("the board is not on the simulated clock: generated at %v then %v", early.GeneratedAt, later.GeneratedAt)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo after Ctrl-C: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the demo did not stop")
	}
	if _, err := os.Stat(d.Dir); !os.IsNotExist(err) {
		t.Errorf("the demo's folder %s is still there (%v)", d.Dir, err)
	}
}
