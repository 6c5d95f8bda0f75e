package web

import (
	"errors"
	"net/http"
	"strconv"

	"embrace/internal/auth"
	"embrace/internal/certs"
	"embrace/internal/store"
)

// certRoutes registers the public verification page and the staff pages of
// certificates: a case handler requests, a certifying officer lists,
// reviews, issues, prints and revokes. The public page shows only what a
// token itself says (its public claims) and the certificate's status.
func (s *Server) certRoutes() {
	if s.cfg.Certs == nil {
		return
	}
	s.handle("GET /verify", s.verifyPage)
	s.handleLimit("POST /verify", certs.MaxToken+4096, s.verifySubmit)
	if s.cfg.Auth == nil {
		return
	}
	s.staff("GET /certs", auth.PermCertify, s.certListPage)
	s.staff("POST /certs/keys/rotate", auth.PermCertify, s.certRotate)
	s.staff("GET /certs/request", auth.PermCaseHandle, s.certRequestPage)
	s.staff("POST /certs/request", auth.PermCaseHandle, s.certRequestSubmit)
	s.staff("GET /certs/{id}", auth.PermCertify, s.certPage)
	s.staff("GET /certs/{id}/print", auth.PermCertify, s.certPrintPage)
	s.staff("GET /certs/{id}/qr.png", auth.PermCertify, s.certQR)
	s.staff("POST /certs/{id}/issue", auth.PermCertify, s.certIssue)
	s.staff("POST /certs/{id}/revoke", auth.PermCertify, s.certRevoke)
	s.staff("POST /certs/{id}/decline", auth.PermCertify, s.certDecline)
}

// certErrorView is the data of the certificates error page.
type certErrorView struct {
	Nav     staffNav
	Message string
	Field   string
	Back    string
}

// certFail answers a certificates error with a translated message; nothing
// of the request is echoed or logged.
func (s *Server) certFail(w http.ResponseWriter, r *http.Request, sess *auth.Session, back string, err error) {
	v := certErrorView{Nav: navFor(sess), Back: back}
	var ie *certs.InputError
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &ie):
		status, v.Message, v.Field = http.StatusBadRequest, "certs.error.field", "certs.field."+ie.Field
	case errors.Is(err, certs.ErrForbidden):
		status, v.Message = http.StatusForbidden, "certs.error.forbidden"
	case errors.Is(err, certs.ErrNotVerified):
		status, v.Message = http.StatusConflict, "certs.error.notverified"
	case errors.Is(err, certs.ErrState):
		status, v.Message = http.StatusConflict, "certs.error.state"
	case errors.Is(err, certs.ErrNoTeamKey):
		status, v.Message = http.StatusConflict, "certs.error.noteamkey"
	case errors.Is(err, store.ErrNotFound):
		status, v.Message = http.StatusNotFound, "certs.error.notfound"
	default:
		s.log.Error("certs", "err", err)
		v.Message = "error.internal"
	}
	s.render(w, r, status, "certs_error", v)
}

// pathCertID reads {id}; a malformed id is answered like a missing
// certificate.
func (s *Server) pathCertID(w http.ResponseWriter, r *http.Request, sess *auth.Session) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.certFail(w, r, sess, "/certs", store.ErrNotFound)
		return 0, false
	}
	return id, true
}

func certURL(id int64) string { return "/certs/" + strconv.FormatInt(id, 10) }
