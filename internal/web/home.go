package web

import "net/http"

// home is the landing page: what the deployment is, and where to go.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "home", nil)
}
