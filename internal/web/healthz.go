package web

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// healthz answers whether the process and its store are up. It names the
// engine and version and nothing about the deployment's contents.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	status, code := "ok", http.StatusOK
	engine := ""
	if s.cfg.Store != nil {
		engine = string(s.cfg.Store.Engine())
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Store.Ping(ctx); err != nil {
			status, code = "store unavailable", http.StatusServiceUnavailable
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(struct {
		Status  string `json:"status"`
		Version string `json:"version"`
		Store   string `json:"store"`
	}{status, s.cfg.Version, engine})
}
