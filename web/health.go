package web

import (
	"context"
	"net/http"
	"time"
)

// handleHealth answers whether the server can serve: {"status":"ok"}, or 503 when the
// database does not answer. It needs no session (load balancers and probes have none) and says
// nothing else.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if s.ping != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := s.ping(ctx); err != nil {
			s.log.Error("health check: database", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
