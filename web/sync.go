package web

import (
	"context"
	"net/http"

	"github.com/kaoqin/kaoqin"
)

// The sync page: the last runs and their figures, the month's metered calls against the
// quota, and a button to sync now (admins and HR: a sync spends the org's metered calls).

// runsShown is how many runs the sync page lists.
const runsShown = 20

// SyncInfo is the sync page's data, and the body of GET /api/v1/sync.
type SyncInfo struct {
	Runs   []kaoqin.SyncRun   `json:"runs"` // newest first
	Ledger kaoqin.MonthLedger `json:"ledger"`
	// Quota is the month's metered-call budget; Remaining what is left of it (never below 0).
	Quota     int         `json:"quota"`
	Remaining int         `json:"remaining"`
	Status    *SyncStatus `json:"status"` // null when this server runs no sync engine
}

type syncView struct {
	SyncInfo
	Percent int  // of the quota spent
	CanSync bool // the user may start a sync, and there is an engine to run it
	Started bool // a sync was just started
	Message string
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
	info := &SyncInfo{Runs: runs, Ledger: ledger, Quota: s.quota, Remaining: max(0, s.quota-int(ledger.Metered))}
	if s.syncer != nil {
		st := s.syncer.Status(ctx)
		info.Status = &st
	}
	return info, nil
}

func (s *Server) handleSync(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	return s.renderSync(w, r, u, http.StatusOK, r.URL.Query().Get("started") == "1", "")
}

func (s *Server) renderSync(w http.ResponseWriter, r *http.Request, u *kaoqin.User, status int, started bool, msg string) error {
	info, err := s.syncInfo(r.Context())
	if err != nil {
		return err
	}
	v := &syncView{SyncInfo: *info, CanSync: s.syncer != nil && maySync(u), Started: started, Message: msg}
	if info.Quota > 0 {
		v.Percent = min(100, int(info.Ledger.Metered*100/int64(info.Quota)))
	}
	return s.render(w, r, status, "sync", "nav_sync", v)
}

// handleSyncNow starts a sync from the sync page's button.
func (s *Server) handleSyncNow(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if err := s.syncNow(r.Context(), u); err != nil {
		switch kaoqin.ErrorCode(err) {
		case kaoqin.ECONFLICT, kaoqin.EQUOTA, kaoqin.EUNAVAILABLE:
			s.logError(r, err)
			return s.renderSync(w, r, u, ErrorStatus(err), false, kaoqin.ErrorMessage(err))
		}
		return err
	}
	http.Redirect(w, r, "/sync?started=1", http.StatusSeeOther)
	return nil
}

func (s *Server) syncNow(ctx context.Context, u *kaoqin.User) error {
	if !maySync(u) {
		return kaoqin.Errorf(kaoqin.EFORBIDDEN, "Only admins and HR may start a sync: it spends the org's metered DingTalk calls.")
	}
	if s.syncer == nil {
		return kaoqin.Errorf(kaoqin.EUNAVAILABLE, "This server runs no sync engine: run kaoqin sync instead.")
	}
	if err := s.syncer.SyncNow(ctx, u.Name); err != nil {
		return err
	}
	s.log.Info("sync started from the dashboard", "user", u.Name)
	return nil
}

func (s *Server) apiSync(w http.ResponseWriter, r *http.Request, _ *kaoqin.User) error {
	info, err := s.syncInfo(r.Context())
	if err != nil {
		return err
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
