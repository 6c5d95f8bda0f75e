package web

import (
	"net/http"
	"slices"
	"strconv"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/certs"
)

// certListView is the data of the certificates list.
type certListView struct {
	Nav    staffNav
	State  string
	States []string
	Certs  []certs.Summary
	Notice string
}

func (s *Server) certListPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	state := r.URL.Query().Get("state")
	list, err := s.cfg.Certs.List(r.Context(), state, 200)
	if err != nil {
		s.certFail(w, r, sess, "/certs", err)
		return
	}
	v := certListView{Nav: navFor(sess), State: state, Certs: list,
		States: []string{certs.StateRequested, certs.StateIssued, certs.StateRevoked, certs.StateDeclined}}
	if r.URL.Query().Get("done") == "rotated" {
		v.Notice = "certs.notice.rotated"
	}
	s.render(w, r, http.StatusOK, "certs_list", v)
}

func (s *Server) certRotate(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if _, err := s.cfg.Certs.RotateKey(r.Context(), casework.ActorOf(sess), sess.Keyring()); err != nil {
		s.certFail(w, r, sess, "/certs", err)
		return
	}
	seeOther(w, r, "/certs?done=rotated")
}

// certRequestView is the data of the request form.
type certRequestView struct {
	Nav    staffNav
	CaseID string
	Claims []string
}

func (s *Server) certRequestPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	c := r.URL.Query().Get("case")
	if _, err := strconv.ParseInt(c, 10, 64); err != nil {
		c = ""
	}
	s.render(w, r, http.StatusOK, "certs_request", certRequestView{Nav: navFor(sess), CaseID: c, Claims: certs.ClaimNames()})
}

func (s *Server) certRequestSubmit(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, err := strconv.ParseInt(r.PostFormValue("case"), 10, 64)
	if err != nil || id <= 0 {
		s.certFail(w, r, sess, "/certs/request", &certs.InputError{Field: "case", Reason: "is not a case number"})
		return
	}
	in := certs.RequestInput{Joined: r.PostFormValue("joined"), Public: r.PostForm["public"]}
	ref, err := s.cfg.Certs.Request(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, in)
	if err != nil {
		s.certFail(w, r, sess, "/certs/request?case="+strconv.FormatInt(id, 10), err)
		return
	}
	s.render(w, r, http.StatusOK, "certs_requested", struct {
		Nav    staffNav
		Number string
		CaseID int64
	}{navFor(sess), ref.Number, id})
}

// certView is the data of the certificate page and the printable page.
type certView struct {
	Nav     staffNav
	Cert    certs.Detail
	Claims  []certClaim
	Reasons []string
	Note    string
	Notice  string
	// QR is the address of the certificate's QR code, or "". It is its own
	// request: rendering a QR code costs tens of milliseconds, which would
	// put the page itself over its budget.
	QR string
	// QRShort: the QR code carries the short reference, not the token.
	QRShort bool
}

// certClaim is one claim with whether the holder made it public; Both is
// its value as the bilingual printable page shows it (the service in
// Burmese and English, other claims as they are).
type certClaim struct {
	Name, Value, Both string
	Public            bool
}

func (s *Server) certView(w http.ResponseWriter, r *http.Request, sess *auth.Session) (certView, bool) {
	id, ok := s.pathCertID(w, r, sess)
	if !ok {
		return certView{}, false
	}
	d, err := s.cfg.Certs.Get(r.Context(), sess.Keyring(), id)
	if err != nil {
		s.certFail(w, r, sess, "/certs", err)
		return certView{}, false
	}
	v := certView{Nav: navFor(sess), Cert: d, Reasons: certs.Reasons()}
	for _, n := range certs.ClaimNames() {
		c := certClaim{Name: n, Value: d.Claims.Get(n), Public: slices.Contains(d.Public, n)}
		c.Both = c.Value
		if n == certs.ClaimService && c.Value != "" {
			id := "certs.service." + c.Value
			c.Both = s.i18n.T(langMy, id, nil) + " / " + s.i18n.T(langEn, id, nil)
		}
		v.Claims = append(v.Claims, c)
	}
	if d.State == certs.StateRevoked || d.State == certs.StateDeclined {
		if v.Note, err = s.cfg.Certs.Note(r.Context(), sess.Keyring(), id); err != nil {
			s.certFail(w, r, sess, "/certs", err)
			return certView{}, false
		}
	}
	if d.Token != "" {
		v.QR = certURL(id) + "/qr.png"
		v.QRShort = certs.QRPayload(d.Token, d.Number, s.verifyURL(r)) != d.Token
	}
	switch r.URL.Query().Get("done") {
	case "issued":
		v.Notice = "certs.notice.issued"
	case "revoked":
		v.Notice = "certs.notice.revoked"
	case "declined":
		v.Notice = "certs.notice.declined"
	}
	return v, true
}

// verifyURL is the absolute address of the public verification page, for
// the QR code's short reference.
func (s *Server) verifyURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/verify"
}

func (s *Server) certPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if v, ok := s.certView(w, r, sess); ok {
		s.render(w, r, http.StatusOK, "certs_detail", v)
	}
}

// certPrintPage is the printable certificate: public claims in Burmese and
// English with the QR code; print CSS hides everything else.
func (s *Server) certPrintPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	v, ok := s.certView(w, r, sess)
	if !ok {
		return
	}
	if v.Cert.Token == "" {
		s.certFail(w, r, sess, certURL(v.Cert.ID), certs.ErrState)
		return
	}
	s.render(w, r, http.StatusOK, "certs_print", v)
}

func (s *Server) certIssue(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCertID(w, r, sess)
	if !ok {
		return
	}
	if _, err := s.cfg.Certs.Issue(r.Context(), casework.ActorOf(sess), sess.Keyring(), id); err != nil {
		s.certFail(w, r, sess, certURL(id), err)
		return
	}
	seeOther(w, r, certURL(id)+"?done=issued")
}

func (s *Server) certRevoke(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCertID(w, r, sess)
	if !ok {
		return
	}
	err := s.cfg.Certs.Revoke(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, r.PostFormValue("reason"), r.PostFormValue("note"))
	if err != nil {
		s.certFail(w, r, sess, certURL(id), err)
		return
	}
	seeOther(w, r, certURL(id)+"?done=revoked")
}

// certQR serves the QR code of an issued certificate as a PNG: the token
// itself, or the short reference when the token is too long to scan.
func (s *Server) certQR(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCertID(w, r, sess)
	if !ok {
		return
	}
	d, err := s.cfg.Certs.Get(r.Context(), sess.Keyring(), id)
	if err != nil {
		s.certFail(w, r, sess, "/certs", err)
		return
	}
	if d.Token == "" {
		s.certFail(w, r, sess, certURL(id), certs.ErrState)
		return
	}
	png, err := certs.QRPNG(certs.QRPayload(d.Token, d.Number, s.verifyURL(r)), 360)
	if err != nil {
		s.certFail(w, r, sess, certURL(id), err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}

func (s *Server) certDecline(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCertID(w, r, sess)
	if !ok {
		return
	}
	if err := s.cfg.Certs.Decline(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, r.PostFormValue("note")); err != nil {
		s.certFail(w, r, sess, certURL(id), err)
		return
	}
	seeOther(w, r, certURL(id)+"?done=declined")
}
