package dingtalksim

import (
	"encoding/json"
	"net/http"
	"time"
)

// control serves the endpoints under /_sim/ (see the package documentation).
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	reply := func(v any) { writeBody(w, http.StatusOK, "application/json", marshal(v)) }
	bad := func(msg string) {
		writeBody(w, http.StatusBadRequest, "application/json", marshal(map[string]string{"error": msg}))
	}
	switch r.Method + " " + r.URL.Path {
	case "GET /_sim/counters":
		c := s.Counters()
		reply(map[string]any{
			"paths": c, "total": c.Total(),
			"quota": map[string]any{"month": s.Now().Format("2006-01"), "used": s.QuotaUsed(), "limit": s.cfg.MonthlyQuota},
		})
	case "DELETE /_sim/counters":
		s.ResetCounters()
		reply(map[string]bool{"ok": true})
	case "GET /_sim/clock":
		reply(s.clockState())
	case "POST /_sim/clock":
		var in struct {
			Now     string   `json:"now"`
			Advance string   `json:"advance"`
			Speed   *float64 `json:"speed"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			bad("body: want JSON {\"now\":RFC3339} or {\"advance\":\"30m\"} or {\"speed\":60}")
			return
		}
		if in.Now != "" {
			t, err := time.Parse(time.RFC3339, in.Now)
			if err != nil {
				bad("now: want RFC 3339, e.g. 2026-11-18T09:00:00+08:00")
				return
			}
			s.SetNow(t)
		}
		if in.Advance != "" {
			d, err := time.ParseDuration(in.Advance)
			if err != nil {
				bad("advance: want a Go duration such as 30m or 2h")
				return
			}
			s.Advance(d)
		}
		if in.Speed != nil {
			s.SetSpeed(*in.Speed)
		}
		reply(s.clockState())
	case "GET /_sim/faults":
		reply(s.faultState())
	case "POST /_sim/faults":
		var in struct {
			Rate  *float64 `json:"rate"`
			Kinds []string `json:"kinds"`
			Path  string   `json:"path"`
			Kind  string   `json:"kind"`
			N     int      `json:"n"`
			Delay string   `json:"delay"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			bad("body: want JSON {\"rate\":0.1,\"kinds\":[\"busy\"]} or {\"path\":...,\"kind\":...,\"n\":1}")
			return
		}
		if in.Rate != nil {
			var kinds []FaultKind
			for _, n := range in.Kinds {
				k, err := ParseFaultKind(n)
				if err != nil {
					bad(err.Error())
					return
				}
				kinds = append(kinds, k)
			}
			s.SetFaultRate(*in.Rate, kinds...)
		}
		if in.Kind != "" {
			k, err := ParseFaultKind(in.Kind)
			if err != nil {
				bad(err.Error())
				return
			}
			f := Fault{Kind: k}
			if in.Delay != "" {
				if f.Delay, err = time.ParseDuration(in.Delay); err != nil {
					bad("delay: want a Go duration such as 2s")
					return
				}
			}
			s.FailNext(in.Path, f, max(in.N, 1))
		}
		reply(s.faultState())
	case "DELETE /_sim/faults":
		s.ClearFaults()
		reply(s.faultState())
	case "GET /_sim/messages":
		reply(map[string]any{"notifications": nonNil(s.Notifications()), "robot": nonNil(s.RobotMessages())})
	case "GET /_sim/inbox":
		reply(s.inboxState(r.URL.Query().Get("userid"), r.URL.Query().Get("robot")))
	case "GET /_sim/events", "POST /_sim/events", "POST /_sim/events/disconnect", "POST /_sim/events/drop":
		s.eventsControl(w, r, reply, bad)
	default:
		writeBody(w, http.StatusNotFound, "application/json", marshal(map[string]string{
			"error": "unknown control endpoint; see /_sim/counters, /_sim/clock, /_sim/faults, /_sim/messages, /_sim/inbox, /_sim/events",
		}))
	}
}

func (s *Server) clockState() map[string]any {
	now := s.Now()
	return map[string]any{"now": now.Format(time.RFC3339), "speed": s.Speed(), "today": civilOf(now).String()}
}

func (s *Server) faultState() map[string]any {
	rate, kinds := s.FaultRate()
	names := []string{}
	for _, k := range kinds {
		names = append(names, k.String())
	}
	return map[string]any{"rate": rate, "kinds": names}
}
