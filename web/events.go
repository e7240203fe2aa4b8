package web

import (
	"strings"
	"time"

	"github.com/kaoqin/kaoqin/report"
)

// DingTalk's events on the pages: which source carries the live board (the board's source
// line, the sync page), the month's pushes against their quota, and the day each budget runs
// out at this month's pace.

// sourceLine says in lang which source carries the board: "Source: DingTalk's events, last 3 s
// ago" (without the age when now is zero: the board, which is redrawn only when its data
// changes), or "Source: polls every 10 min: push budget spent".
func sourceLine(lang report.Lang, ev *EventsStatus, sched Schedule, now time.Time, loc *time.Location) (string, error) {
	if ev == nil {
		return "", nil
	}
	if ev.Carried {
		switch {
		case ev.LastEventAt.IsZero():
			return tr(lang, "source_events_none")
		case now.IsZero():
			return tr(lang, "source_events_board")
		}
		return trf(lang, "source_events", ago(lang, now.Sub(ev.LastEventAt)))
	}
	var why string
	var err error
	switch ev.Why {
	case "pushes_spent":
		why, err = tr(lang, "source_why_pushes_spent")
	case "link_down":
		why, err = trf(lang, "source_why_link_down", ev.DownSince.In(loc).Format("15:04"))
	case "no_link":
		why, err = tr(lang, "source_why_no_link")
	default:
		why, err = tr(lang, "source_why_off")
	}
	if err != nil {
		return "", err
	}
	switch {
	case sched.LiveOff || !sched.Enabled:
		return trf(lang, "source_no_polls", why)
	case sched.LiveEvery == "":
		return trf(lang, "source_budget_polls", why)
	}
	return trf(lang, "source_polls", sayInterval(lang, sched.LiveEvery), why)
}

// ago says how long ago, roughly, in lang.
func ago(lang report.Lang, d time.Duration) string { return sayDuration(lang, max(d, 0)) }

// runsOut returns the day ("01-02") a monthly budget runs out at the pace of the month so
// far, or "" when it lasts the month (or there is no pace yet).
func runsOut(used, quota int64, now time.Time, loc *time.Location) string {
	if quota <= 0 || used <= 0 {
		return ""
	}
	t := now.In(loc)
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	next := start.AddDate(0, 1, 0)
	if used >= quota {
		return t.Format("01-02")
	}
	elapsed := max(t.Sub(start), time.Hour)
	pace := float64(used) / float64(elapsed) // per nanosecond
	at := t.Add(time.Duration(float64(quota-used) / pace))
	if !at.Before(next) {
		return ""
	}
	return at.Format("01-02")
}

// budgetView is the sync page's block of the two monthly budgets.
type budgetView struct {
	Pushes, PushQuota, PushLeft int64
	PushPercent                 int
	CallsOut, PushesOut         string // the day each runs out at this pace; "" if it lasts
	PushesLast                  bool   // the pushes last the month at this pace
	Source                      string // which source carries the board, in the page's language
}

func (s *Server) budgets(lang report.Lang, info *SyncInfo) (*budgetView, error) {
	b := &budgetView{Pushes: info.Ledger.Pushes, PushQuota: int64(s.pushes)}
	if b.PushQuota > 0 {
		b.PushLeft = max(0, b.PushQuota-b.Pushes)
		b.PushPercent = int(min(100, b.Pushes*100/b.PushQuota))
	}
	now := s.now()
	b.CallsOut = runsOut(info.Ledger.Metered, int64(info.Quota), now, s.loc)
	b.PushesOut = runsOut(b.Pushes, b.PushQuota, now, s.loc)
	b.PushesLast = b.PushesOut == "" && b.Pushes > 0 && b.PushQuota > 0
	if info.Status != nil && info.Status.Events != nil {
		line, err := sourceLine(lang, info.Status.Events, info.Status.Schedule, s.clock(), s.loc)
		if err != nil {
			return nil, err
		}
		b.Source = line
	}
	return b, nil
}

// boardSource is the board's source line and how often the board refreshes: every 2 s while
// DingTalk's events carry it (a punch shows within seconds), every minute on polls.
func (s *Server) boardSource(lang report.Lang, st *SyncStatus) (line string, fast bool, err error) {
	if st == nil || st.Events == nil {
		return "", false, nil
	}
	line, err = sourceLine(lang, st.Events, st.Schedule, s.clock(), s.loc)
	return strings.TrimSpace(line), st.Events.Carried, err
}
