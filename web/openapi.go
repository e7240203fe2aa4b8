package web

import (
	_ "embed"
	"net/http"

	"github.com/kaoqin/kaoqin"
)

// openAPI is the OpenAPI 3.1 description of every /api/v1/ route (a test keeps the two in
// step).
//
//go:embed openapi.json
var openAPI []byte

func (s *Server) apiOpenAPI(w http.ResponseWriter, _ *http.Request, _ *kaoqin.User) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(openAPI)
	return nil
}
