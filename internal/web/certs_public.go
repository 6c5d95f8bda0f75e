package web

import (
	"net/http"
	"strconv"

	"embrace/internal/certs"
	"embrace/internal/myanmar"
)

// verifyView is the data of the public verification page.
type verifyView struct {
	// Verdict is the answer (nil before a check).
	Verdict *certs.Verdict
	// ByNumber: the answer came from a QR code's short reference, which
	// carries no claims.
	ByNumber bool
	Error    string
}

// Digits shows a day in the reader's digits (Burmese digits on a Burmese
// page); certificate numbers stay ASCII.
func (verifyView) Digits(lang, s string) string {
	if lang == langMy {
		return myanmar.BurmeseDigits(s)
	}
	return s
}

// verifyPage shows the verification form; with ?ref=NUMBER (a QR code's
// short reference) it answers for that number, without claims.
func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	ref := r.URL.Query().Get("ref")
	if ref == "" {
		s.render(w, r, http.StatusOK, "certs_verify", verifyView{})
		return
	}
	if !s.verifyAllowed(w, r) {
		return
	}
	v, err := s.cfg.Certs.StatusOf(r.Context(), ref)
	if err != nil {
		s.log.Error("certs: status", "err", err)
		s.render(w, r, http.StatusInternalServerError, "certs_verify", verifyView{Error: "error.internal"})
		return
	}
	s.render(w, r, http.StatusOK, "certs_verify", verifyView{Verdict: &v, ByNumber: true})
}

// verifySubmit checks a pasted token.
func (s *Server) verifySubmit(w http.ResponseWriter, r *http.Request) {
	if !s.verifyAllowed(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusRequestEntityTooLarge, "certs_verify", verifyView{Error: "certs.verify.toolong"})
		return
	}
	v, err := s.cfg.Certs.Verify(r.Context(), r.PostForm.Get("token"))
	if err != nil {
		s.log.Error("certs: verify", "err", err)
		s.render(w, r, http.StatusInternalServerError, "certs_verify", verifyView{Error: "error.internal"})
		return
	}
	s.render(w, r, http.StatusOK, "certs_verify", verifyView{Verdict: &v})
}

// verifyAllowed applies the public rate limit, answering 429 when spent.
func (s *Server) verifyAllowed(w http.ResponseWriter, r *http.Request) bool {
	ok, wait := s.cfg.Certs.Allow(clientOf(r))
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(max(int(wait.Seconds()), 1)))
		s.render(w, r, http.StatusTooManyRequests, "certs_verify", verifyView{Error: "certs.verify.busy"})
	}
	return ok
}
