package web

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/kaoqin/kaoqin"
)

// The sync page: the last runs and their figures, the month's metered calls against the
// quota, and a button to sync now (admins and HR: a sync spends the org's metered calls).
// Managers see how fresh the data is and nothing more: a sync's rows and calls, and the
// month's ledger, tell the company's size.

// runsShown is how many runs the sync page lists.
const runsShown = 20

// SyncInfo is the sync page's data, and the body of GET /api/v1/sync.
type SyncInfo struct {
	Runs   []kaoqin.SyncRun   `json:"runs"` // newest first
	Ledger kaoqin.MonthLedger `json:"ledger"`
	// Quota is the month's metered-call budget; Remaining what is left of it (never below 0).
	Quota     int `json:"quota"`
	Remaining int `json:"remaining"`
	// PushQuota is the month's Webhook & Stream pushes (KAOQIN_DINGTALK_PUSH_QUOTA);
	// PushRemaining what is left of it (Ledger.Pushes counts them).
	PushQuota     int         `json:"push_quota"`
	PushRemaining int         `json:"push_remaining"`
	Status        *SyncStatus `json:"status"` // null when this server runs no sync engine
	Freshness     Freshness   `json:"freshness"`
}

// Freshness says how fresh the data is, without the figures of the syncs: all that a
// manager's /api/v1/sync answers ({"freshness": ...}).
type Freshness struct {
	Today string `json:"today"`
	// TodayPulledAt is when today's attendance was last pulled, whole or by a live pull; absent
	// before the first pull of the day.
	TodayPulledAt time.Time `json:"today_pulled_at,omitzero"`
	// LastFinalDay is the latest of the last freshDays days pulled after it had ended: its
	// numbers are final. "" if none.
	LastFinalDay string `json:"last_final_day,omitempty"`
	Running      bool   `json:"running"` // a sync runs in this instance now
	// Days are the last daysShown days, newest first: which are final, and which still wait
	// for a pull (the one that makes them final, or their last pull).
	Days []DayState `json:"days"`
}

// DayState is where one recent day stands (kaoqin.DayCoverage): State is "today" (in
// progress), "open" (pulled, not final: a pull after ClosesAt makes it final; a night shift's
// day closes the next morning), "final" (its last pull, for the corrections made after the
// day, is due at SettlesAt), "settled" (that pull is done) or "not_synced".
type DayState struct {
	Day       string    `json:"day"`
	State     string    `json:"state"`
	SyncedAt  time.Time `json:"synced_at,omitzero"`
	ClosesAt  time.Time `json:"closes_at,omitzero"`
	SettlesAt time.Time `json:"settles_at,omitzero"`
	// NightShift: the day's last check is the next morning.
	NightShift bool `json:"night_shift,omitempty"`
}

// daysShown is how many recent days the sync page says the state of: a week and today.
const daysShown = 8

// dayStateNames are the states of DayState.
var dayStateNames = []string{"today", "open", "final", "settled", "not_synced"}

// dayStates says where the last daysShown days stand, from their coverage.
func (s *Server) dayStates(today string, cov []kaoqin.DayCoverage) []DayState {
	byDay := map[string]kaoqin.DayCoverage{}
	for _, c := range cov {
		byDay[c.Day] = c
	}
	at := func(ms int64) time.Time {
		if ms == 0 {
			return time.Time{}
		}
		return time.UnixMilli(ms).In(s.loc)
	}
	out := make([]DayState, 0, daysShown)
	for i := range daysShown {
		day := kaoqin.AddDays(today, -i)
		c, ok := byDay[day]
		st := DayState{Day: day, State: "not_synced"}
		if ok {
			_, end := kaoqin.DayBounds(day, s.loc)
			st.SyncedAt, st.ClosesAt, st.SettlesAt = at(c.SyncedAt), at(c.ClosesAt), at(c.SettlesAt)
			st.NightShift = c.LastCheckAt >= end.UnixMilli()
			switch {
			case day == today:
				st.State = "today"
			case c.Settled:
				st.State = "settled"
			case c.Closed:
				st.State = "final"
			default:
				st.State = "open"
			}
		}
		out = append(out, st)
	}
	return out
}

// freshDays is how far back Freshness looks for a final day.
const freshDays = 14

type syncView struct {
	SyncInfo
	Books   bool // the runs and the quota are shown (admins and HR)
	Percent int  // of the quota spent
	CanSync bool // the user may start a sync, and there is an engine to run it
	Started bool // a sync was just started
	Message string
	Budget  *budgetView
	// Refetches are the days DingTalk's events said changed after they were pulled, waiting
	// to be pulled again (admins and HR): why a closed day's numbers may still move.
	Refetches []refetchDay
}

// refetchDay is a day some of whose people wait to be pulled again, and the events that said so.
type refetchDay struct {
	Day     string
	People  int
	Reasons []string // DingTalk's event types, sorted
}

// refetchDays groups the marks (sorted by day) by day, newest first.
func refetchDays(marks []kaoqin.Refetch) []refetchDay {
	var days []refetchDay
	for _, m := range marks {
		if len(days) == 0 || days[len(days)-1].Day != m.Day {
			days = append(days, refetchDay{Day: m.Day})
		}
		d := &days[len(days)-1]
		d.People++ // (a person's day is marked once: the mark is renewed, not added)
		if m.Reason != "" && !slices.Contains(d.Reasons, m.Reason) {
			d.Reasons = append(d.Reasons, m.Reason)
		}
	}
	for i := range days {
		slices.Sort(days[i].Reasons)
	}
	slices.Reverse(days)
	return days
}

func (s *Server) syncInfo(ctx context.Context) (*SyncInfo, error) {
	runs, err := s.store.Runs(ctx, runsShown)
	if err != nil {
		return nil, err
	}
	if runs == nil {
		runs = []kaoqin.SyncRun{}
	}
	ledger, err := s.store.Ledger(ctx, kaoqin.MonthOf(s.now(), s.loc))
	if err != nil {
		return nil, err
	}
	info := &SyncInfo{Runs: runs, Ledger: ledger, Quota: s.quota, Remaining: max(0, s.quota-int(ledger.Metered)),
		PushQuota: s.pushes, PushRemaining: max(0, s.pushes-int(ledger.Pushes))}
	if s.syncer != nil {
		st := s.syncer.Status(ctx)
		info.Status = &st
	}
	if info.Freshness, err = s.freshness(ctx, info.Status); err != nil {
		return nil, err
	}
	return info, nil
}

// freshness says how fresh the data is; st is the engine's status (nil: no engine).
func (s *Server) freshness(ctx context.Context, st *SyncStatus) (Freshness, error) {
	today := s.today()
	f := Freshness{Today: today, Running: st != nil && st.Running}
	cov, err := s.store.Coverage(ctx, kaoqin.AddDays(today, -freshDays), today)
	if err != nil {
		return f, err
	}
	for _, c := range cov {
		if c.Day == today {
			f.TodayPulledAt = time.UnixMilli(c.SyncedAt).In(s.loc)
		}
		if c.Closed {
			f.LastFinalDay = c.Day
		}
	}
	f.Days = s.dayStates(today, cov)
	live, err := s.lastPull(ctx, today)
	if err != nil {
		return f, err
	}
	if live.After(f.TodayPulledAt) {
		f.TodayPulledAt = live.In(s.loc)
	}
	return f, nil
}

func (s *Server) handleSync(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	return s.renderSync(w, r, u, http.StatusOK, r.URL.Query().Get("started") == "1", "")
}

func (s *Server) renderSync(w http.ResponseWriter, r *http.Request, u *kaoqin.User, status int, started bool, msg string) error {
	info, err := s.syncInfo(r.Context())
	if err != nil {
		return err
	}
	if !seesAll(u) {
		info = &SyncInfo{Freshness: info.Freshness}
	}
	v := &syncView{SyncInfo: *info, Books: seesAll(u), CanSync: s.syncer != nil && maySync(u), Started: started, Message: msg}
	if info.Quota > 0 {
		v.Percent = min(100, int(info.Ledger.Metered*100/int64(info.Quota)))
	}
	if v.Budget, err = s.budgets(langOf(r), info); err != nil {
		return err
	}
	if v.Books {
		marks, err := s.store.Refetches(r.Context())
		if err != nil {
			return err
		}
		v.Refetches = refetchDays(marks)
	}
	return s.render(w, r, status, "sync", "nav_sync", v)
}

// handleSyncNow starts a sync from the sync page's button.
func (s *Server) handleSyncNow(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if err := s.syncNow(r.Context(), u); err != nil {
		switch kaoqin.ErrorCode(err) {
		case kaoqin.ECONFLICT: // the engine's only conflict: a sync running already
			s.logError(r, err)
			return s.renderSync(w, r, u, ErrorStatus(err), false, fmtWords(langOf(r), "err_sync_running"))
		case kaoqin.EQUOTA, kaoqin.EUNAVAILABLE:
			s.logError(r, err)
			return s.renderSync(w, r, u, ErrorStatus(err), false, errorMessage(langOf(r), err))
		}
		return err
	}
	http.Redirect(w, r, "/sync?started=1", http.StatusSeeOther)
	return nil
}

func (s *Server) syncNow(ctx context.Context, u *kaoqin.User) error {
	if !maySync(u) {
		return errorf(kaoqin.EFORBIDDEN, "err_sync_forbidden")
	}
	if s.syncer == nil {
		return errorf(kaoqin.EUNAVAILABLE, "err_no_engine")
	}
	if err := s.syncer.SyncNow(ctx, u.Name); err != nil {
		return err
	}
	s.log.Info("sync started from the dashboard", "user", u.Name)
	return nil
}

func (s *Server) apiSync(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	info, err := s.syncInfo(r.Context())
	if err != nil {
		return err
	}
	if !seesAll(u) {
		writeJSON(w, http.StatusOK, map[string]Freshness{"freshness": info.Freshness})
		return nil
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

// apiSyncNow starts a sync; 202 when it has started.
func (s *Server) apiSyncNow(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if err := s.syncNow(r.Context(), u); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]bool{"started": true})
	return nil
}
