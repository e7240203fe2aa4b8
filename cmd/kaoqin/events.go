package main

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/stream"
	"github.com/kaoqin/kaoqin/events"
	"github.com/kaoqin/kaoqin/syncer"
)

// eventsSetup is how kaoqin serve takes DingTalk's events (KAOQIN_EVENTS).
type eventsSetup struct {
	mode   string // kaoqin.SourceStream, kaoqin.SourceHTTP or "off"
	crypto *dingtalk.CallbackCrypto
	// clock is real time: leases, heartbeats and push timestamps (the demo's application
	// clock runs fast).
	clock func() time.Time
	lease time.Duration // 0: the intake's default
}

// eventsConfig reads --events, --events-token and --events-aes-key.
func (c *serveCmd) eventsConfig(g *Globals, credentials bool) (eventsSetup, error) {
	ev := eventsSetup{mode: c.Events, clock: time.Now, lease: c.EventsLease}
	if ev.mode == "" {
		ev.mode = kaoqin.SourceStream
		if !credentials {
			ev.mode = "off"
		}
	}
	if ev.mode != "off" && !credentials {
		return ev, kaoqin.Errorf(kaoqin.EINVALID, "KAOQIN_EVENTS=%s needs the app's credentials: set KAOQIN_DINGTALK_APP_KEY and KAOQIN_DINGTALK_APP_SECRET", ev.mode)
	}
	if ev.mode == kaoqin.SourceHTTP {
		if c.EventsToken == "" || c.EventsAESKey == "" {
			return ev, kaoqin.Errorf(kaoqin.EINVALID, "KAOQIN_EVENTS=http needs KAOQIN_EVENTS_TOKEN and KAOQIN_EVENTS_AES_KEY, as the developer console's event subscription shows them")
		}
		cr, err := dingtalk.NewCallbackCrypto(c.EventsToken, c.EventsAESKey, g.AppKey)
		if err != nil {
			return ev, kaoqin.Errorf(kaoqin.EINVALID, "bad KAOQIN_EVENTS_TOKEN or KAOQIN_EVENTS_AES_KEY: %v", err)
		}
		ev.crypto = cr
	}
	if g.PushQuota < 0 {
		return ev, kaoqin.Errorf(kaoqin.EINVALID, "KAOQIN_DINGTALK_PUSH_QUOTA must be 0 (no limit) or more, got %d", g.PushQuota)
	}
	return ev, nil
}

// runningIntake is the events intake of a running server.
type runningIntake struct {
	handler http.Handler // HTTP push, when that is the mode
	carrier func(ctx context.Context) (events.Carrier, error)
	wg      sync.WaitGroup
}

func (r *runningIntake) wait() { r.wg.Wait() }

// start runs the intake (and the Stream client) until ctx is done.
func (ev eventsSetup) start(ctx context.Context, g *Globals, c serveSetup, s *syncer.Syncer) (*runningIntake, error) {
	if ev.clock == nil {
		ev.clock = time.Now
	}
	in, err := events.New(events.Config{Store: c.db, Syncer: s, Location: c.loc, Clock: ev.clock, Logger: c.log, Source: ev.mode, Lease: ev.lease})
	if err != nil {
		return nil, err
	}
	r := &runningIntake{}
	r.carrier = func(ctx context.Context) (events.Carrier, error) {
		return events.Decide(ctx, c.db, ev.mode, int64(g.PushQuota), ev.clock(), c.loc)
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		in.Run(ctx)
	}()
	switch ev.mode {
	case kaoqin.SourceHTTP:
		r.handler = in.HTTPHandler(ev.crypto)
		c.log.Info("DingTalk's events come by HTTP push to POST /dingtalk/events")
	default:
		client, err := stream.New(stream.Config{AppKey: g.AppKey, AppSecret: g.AppSecret, APIURL: g.APIURL,
			Handle: in.Receive, OnState: in.StreamState, Logger: c.log})
		if err != nil {
			return nil, kaoqin.Errorf(kaoqin.EINVALID, "DingTalk Stream: %v (check KAOQIN_DINGTALK_API_URL)", err)
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			client.Run(ctx)
		}()
		c.log.Info("DingTalk's events come over a Stream connection", "api", g.APIURL, "instance", in.Instance())
	}
	return r, nil
}
