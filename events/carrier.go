package events

import (
	"context"
	"time"

	"github.com/kaoqin/kaoqin"
)

// Which source carries the live board: DingTalk's events while some instance's Stream
// connection is up (or came down less than LinkGrace ago: a reconnect does not flip the board
// to polls) and the month's pushes are not spent; otherwise the budgeted live polls. With HTTP
// push there is no connection to watch: events carry the board while an instance takes pushes
// and the push budget lasts.

// LinkGrace is how long a Stream connection may be down before live polls resume.
const LinkGrace = 3 * time.Minute

// staleLink is how old an instance's heartbeat may be: an instance that stopped writing its
// link (killed) does not carry the board.
const staleLink = 90 * time.Second

// Why a source carries the board.
const (
	WhyEvents      = "events"       // events flow
	WhyOff         = "off"          // KAOQIN_EVENTS=off
	WhyNoLink      = "no_link"      // no instance takes events
	WhyLinkDown    = "link_down"    // the Stream connections are down for more than LinkGrace
	WhyPushesSpent = "pushes_spent" // the month's push quota is spent: DingTalk stops pushing
)

// Carrier says which source carries the live board now.
type Carrier struct {
	Events bool   `json:"events"` // events carry it: live polls stop
	Why    string `json:"why"`
	// Connected: some instance's link is up now, so every punch until a moment ago is known.
	Connected bool `json:"connected"`
	// LastEventAt is the latest event any instance received (unix ms; 0: none yet).
	LastEventAt int64 `json:"last_event_at,omitempty"`
	// DownSince is when the last Stream connection went down, when none is up (unix ms).
	DownSince int64 `json:"down_since,omitempty"`
	// Pushes and PushQuota are the month's pushes that count against the quota, and the quota
	// (0: no limit).
	Pushes    int64 `json:"pushes"`
	PushQuota int64 `json:"push_quota"`
}

// CarrierOf decides the carrier from the instances' event links and the month's pushes.
// mode is KAOQIN_EVENTS: "stream", "http" or "off".
func CarrierOf(mode string, links []kaoqin.EventLink, pushes, quota int64, now time.Time) Carrier {
	c := Carrier{Pushes: pushes, PushQuota: max(quota, 0)}
	nowMs := now.UnixMilli()
	live := false
	for _, l := range links {
		c.LastEventAt = max(c.LastEventAt, l.LastEventAt)
		if nowMs-l.SeenAt > staleLink.Milliseconds() {
			continue
		}
		switch {
		case l.Connected:
			live, c.Connected = true, true
		case l.Source == kaoqin.SourceStream && nowMs-l.Since < LinkGrace.Milliseconds():
			live = true // reconnecting
			c.DownSince = max(c.DownSince, l.Since)
		default:
			c.DownSince = max(c.DownSince, l.Since)
		}
	}
	switch {
	case mode == "off" || mode == "":
		c.Why = WhyOff
	case quota > 0 && pushes >= quota-quota/50:
		// Within 2% of the quota: DingTalk counts the deliveries kaoqin never received too,
		// and stops pushing at its own count.
		c.Why = WhyPushesSpent
	case live:
		c.Events, c.Why, c.DownSince = true, WhyEvents, 0
	case c.DownSince > 0:
		c.Why = WhyLinkDown
	default:
		c.Why = WhyNoLink
	}
	return c
}

// CarrierStore is what Decide reads.
type CarrierStore interface {
	EventLinks(ctx context.Context) ([]kaoqin.EventLink, error)
	Ledger(ctx context.Context, month string) (kaoqin.MonthLedger, error)
}

// Decide reads the links and the month's pushes and decides the carrier.
func Decide(ctx context.Context, st CarrierStore, mode string, quota int64, now time.Time, loc *time.Location) (Carrier, error) {
	if mode == "off" || mode == "" {
		return CarrierOf(mode, nil, 0, quota, now), nil
	}
	links, err := st.EventLinks(ctx)
	if err != nil {
		return Carrier{}, err
	}
	l, err := st.Ledger(ctx, kaoqin.MonthOf(now, loc))
	if err != nil {
		return Carrier{}, err
	}
	return CarrierOf(mode, links, l.Pushes, quota, now), nil
}
