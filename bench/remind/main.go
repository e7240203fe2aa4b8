// Command remind measures the reminders of a simulated morning: a company of N people, one
// rule "15 minutes after a person's shift start, still not checked in", the live board's pulls
// every 10 minutes, and the notifier ticked every minute of the company's clock from 08:30 to
// 10:30, against the DingTalk simulator on loopback with a latency per answer, into SQLite (a
// temporary file) or PostgreSQL (-db):
//
//	go run ./bench/remind -users 1000 -latency 50ms [-db postgres://...]
//
// It prints the messages sent and delivered, the metered calls of the morning (those of the
// reminders apart), and the real time from the moment a reminder is due to DingTalk taking it:
// kaoqin serve ticks the reminders every second, so a moment is seen within a second, and then
// the tick pulls the people not in (their data being older than the moment), plans, sends and
// confirms; the figures are that tick's.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/bench/internal/benchkit"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/notify"
	"github.com/kaoqin/kaoqin/syncer"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "remind:", err)
		os.Exit(1)
	}
}

const day = "2026-11-18" // a Wednesday: a plain workday, shifts at 09:00

func run(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("remind", flag.ContinueOnError)
	users := fs.Int("users", 1000, "people in the simulated company")
	latency := fs.Duration("latency", 50*time.Millisecond, "added by the simulator to every answer")
	qps := fs.Int("qps", 20, "calls per second per path, for the simulator and the client; 0: no limit")
	dbURL := fs.String("db", "", "postgres://... to measure PostgreSQL; default a temporary SQLite file")
	seed := fs.Int64("seed", 11, "the simulated company's seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *users < 1 || *latency < 0 || *qps < 0 {
		return errors.New("want -users >= 1, -latency >= 0, -qps >= 0")
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	at := func(hhmm string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, loc)
		return t
	}
	db, err := benchkit.OpenDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	sim, err := benchkit.StartSim(db.DB, loc, benchkit.SimOptions{Users: *users, Seed: *seed, Now: at("08:30"), QPS: *qps, Latency: *latency})
	if err != nil {
		return err
	}
	defer sim.Close()
	if _, err := sim.Run(ctx, syncer.Request{From: day, To: day}); err != nil {
		return fmt.Errorf("the morning's first sync: %w", err)
	}

	// The rule, validated as kaoqin remind add does.
	depts, err := db.Departments(ctx)
	if err != nil {
		return err
	}
	emps, err := db.Employees(ctx)
	if err != nil {
		return err
	}
	rule := kaoqin.ReminderRule{Name: "上班提醒", Enabled: true, Channel: kaoqin.ChannelPerson, After: 15}
	if err := (notify.Validator{Org: notify.Org{Departments: depts, Employees: emps}}).Validate(&rule); err != nil {
		return err
	}
	if err := db.SaveReminderRule(ctx, &rule); err != nil {
		return err
	}

	// The reminders' own client, as kaoqin serve makes it: no retries of its own; every call
	// timed (real time) when it returns.
	var mu sync.Mutex
	var sends []time.Time
	clientQPS := float64(*qps)
	if *qps == 0 {
		clientQPS = math.Inf(1)
	}
	cfg := sim.Config()
	books := syncer.NewBooks(loc, nil)
	sender, err := dingtalk.NewClient(cfg.AppKey, cfg.AppSecret, dingtalk.WithBaseURL(sim.URL), dingtalk.WithQPS(clientQPS),
		dingtalk.WithLocation(loc), dingtalk.WithRetry(dingtalk.RetryPolicy{}), dingtalk.WithCallHook(func(ci dingtalk.CallInfo) {
			books.Hook(ci)
			if strings.HasSuffix(ci.Path, "/asyncsend_v2") && ci.Err == nil {
				mu.Lock()
				sends = append(sends, time.Now())
				mu.Unlock()
			}
		}))
	if err != nil {
		return err
	}
	n, err := notify.New(notify.Options{Store: db.DB, Client: sender, AgentID: cfg.AgentID, Location: loc, Now: sim.Now,
		Refresh: func(ctx context.Context) error { _, err := sim.Syncer.SyncToday(ctx); return err }})
	if err != nil {
		return err
	}

	before := sim.Counters()
	var refresh int64 // metered calls of the 09:15 tick, the reminders' own apart
	var dueTick time.Duration
	var dueStart time.Time
	for t := at("08:31"); !t.After(at("10:30")); t = t.Add(time.Minute) {
		sim.SetNow(t)
		if t.Minute()%10 == 0 {
			if _, err := sim.Syncer.SyncToday(ctx); err != nil {
				return fmt.Errorf("live pull at %s: %w", t.Format("15:04"), err)
			}
		}
		start, c0 := time.Now(), sim.Counters()
		if err := n.Tick(ctx); err != nil {
			return fmt.Errorf("tick at %s: %w", t.Format("15:04"), err)
		}
		if t.Equal(at("09:15")) {
			dueStart, dueTick = start, time.Since(start)
			c1 := sim.Counters()
			refresh = c1.Total().Metered - c0.Total().Metered
			for _, p := range []string{"/topapi/message/corpconversation/asyncsend_v2", "/topapi/message/corpconversation/getsendresult"} {
				refresh -= c1[p].Metered - c0[p].Metered
			}
		}
	}
	after := sim.Counters()
	msgs, err := db.Reminders(ctx, kaoqin.ReminderFilter{From: day, To: day})
	if err != nil {
		return err
	}
	delivered := 0
	for _, m := range msgs {
		if m.State == kaoqin.ReminderDelivered {
			delivered++
		}
	}
	metered := func(path string) int64 { return after[path].Metered - before[path].Metered }
	const send, result = "/topapi/message/corpconversation/asyncsend_v2", "/topapi/message/corpconversation/getsendresult"
	st := n.Stats()
	fmt.Fprintf(w, "a morning of %d people (%s, simulator at %s, %s), rule: 15 minutes after the shift start\n",
		*users, db.Name, *latency, benchkit.Limit(*qps))
	fmt.Fprintf(w, "messages: %d recorded, %d delivered (the simulator's inboxes: %d people)\n", len(msgs), delivered, len(sim.Inboxes()))
	fmt.Fprintf(w, "metered calls 08:30-10:30 (after the first pull): %d in all; reminders %d (%d asyncsend_v2 + %d getsendresult); the pull of the people not in before judging at 09:15 %d; the live pulls every 10 minutes %d\n",
		after.Total().Metered-before.Total().Metered, metered(send)+metered(result), metered(send), metered(result), refresh,
		after.Total().Metered-before.Total().Metered-metered(send)-metered(result)-refresh)
	mu.Lock()
	defer mu.Unlock()
	if len(sends) > 0 {
		fmt.Fprintf(w, "from the moment due to DingTalk taking the messages: at most 1 s until a tick sees it (kaoqin serve ticks every second), then %s (the pull of the people not in, the plan, %d send call(s)); the whole tick with the send results %s\n",
			sends[len(sends)-1].Sub(dueStart).Round(time.Millisecond), metered(send), dueTick.Round(time.Millisecond))
	}
	fmt.Fprintf(w, "notifier: %+v\n", st)
	return nil
}
