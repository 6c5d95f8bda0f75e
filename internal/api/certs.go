package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/certs"
	"embrace/internal/store"
)

// maxVerifyBody bounds POST /certificates/verify: a token and its JSON.
const maxVerifyBody = certs.MaxToken + 1024

// certRoutes registers /certificates: three public routes (verify, the
// key set and the signed revocation list, rate limited per client like
// intake) and the staff routes (a case handler requests, a certifying
// officer reviews, issues and revokes).
func (a *API) certRoutes() {
	a.certs = a.cfg.Certs
	if a.certs == nil {
		a.certs = certs.New(a.cfg.Store, a.cw)
	}
	a.routes = append(a.routes, route{method: "POST", path: "/certificates/verify", limit: maxVerifyBody, h: a.verifyCert})
	a.add("GET", "/certificates/keys", a.certKeys)
	a.add("GET", "/certificates/revocations", a.certRevocations)
	a.add("POST", "/certificates/keys/rotate", a.bearer(auth.PermCertify, a.rotateCertKey))
	a.add("GET", "/certificates", a.bearer(auth.PermCertify, a.listCerts))
	a.add("POST", "/certificates", a.bearer(auth.PermCaseHandle, a.requestCert))
	a.add("GET", "/certificates/{id}", a.bearer(auth.PermCertify, a.getCert))
	a.add("POST", "/certificates/{id}/issue", a.bearer(auth.PermCertify, a.issueCert))
	a.add("POST", "/certificates/{id}/revoke", a.bearer(auth.PermCertify, a.revokeCert))
	a.add("POST", "/certificates/{id}/decline", a.bearer(auth.PermCertify, a.declineCert))
}

const certNotFound = "There is no such certificate, or your keys do not open it."

// certError maps the certificates capability's errors to statuses.
func (a *API) certError(w http.ResponseWriter, err error) {
	var ie *certs.InputError
	var b fieldErrorBody
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &ie):
		status, b.Error.Code, b.Error.Field = http.StatusBadRequest, "invalid", ie.Field
		b.Error.Message = ie.Field + " " + ie.Reason + ". Nothing was changed."
	case errors.Is(err, certs.ErrForbidden):
		status, b.Error.Code, b.Error.Message = http.StatusForbidden, "forbidden", "Your role does not allow this."
	case errors.Is(err, certs.ErrNotVerified):
		status, b.Error.Code, b.Error.Message = http.StatusConflict, "not_verified", "The case is not verified by vetting: no certificate can be requested or issued for it."
	case errors.Is(err, certs.ErrState):
		status, b.Error.Code, b.Error.Message = http.StatusConflict, "wrong_state", "The certificate is not in a state that allows this (a request is issued or declined once; only an issued certificate is revoked)."
	case errors.Is(err, certs.ErrNoTeamKey):
		status, b.Error.Code, b.Error.Message = http.StatusConflict, "no_team_key", "Signing needs the certification team's key, which your keys do not include. Ask a member of the team to add you."
	case errors.Is(err, store.ErrNotFound):
		status, b.Error.Code, b.Error.Message = http.StatusNotFound, "not_found", certNotFound
	case errors.Is(err, store.ErrConflict):
		status, b.Error.Code, b.Error.Message = http.StatusConflict, "conflict", "The certificate changed meanwhile. Reload it and try again."
	default:
		a.log.Error("certs", "err", err)
		b.Error.Code, b.Error.Message = "internal", "The server could not finish this request. Try again in a moment."
	}
	writeJSON(w, status, b)
}

// certAllowed applies the public routes' rate limit.
func (a *API) certAllowed(w http.ResponseWriter, r *http.Request) bool {
	ok, wait := a.certs.Allow(clientOf(r))
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(max(int(wait.Seconds()), 1)))
		WriteError(w, http.StatusTooManyRequests, "rate_limited", "Too many requests. Try again after Retry-After seconds.")
	}
	return ok
}

type verifyRequest struct {
	Token string `json:"token"`
}

// claimsJSON are a certificate's claims; absent ones are omitted.
type claimsJSON struct {
	NameMy  string `json:"name_my,omitempty"`
	NameEn  string `json:"name_en,omitempty"`
	Service string `json:"service,omitempty"`
	Rank    string `json:"rank,omitempty"`
	Joined  string `json:"joined,omitempty"`
}

func claimsOut(c certs.Claims) claimsJSON {
	return claimsJSON{NameMy: c.NameMy, NameEn: c.NameEn, Service: c.Service, Rank: c.Rank, Joined: c.Joined}
}

type verdictJSON struct {
	Status      string `json:"status"`
	Problem     string `json:"problem,omitempty"`
	Certificate *struct {
		Number string     `json:"number"`
		Issuer string     `json:"issuer,omitempty"`
		Issued string     `json:"issued,omitempty"`
		Kid    string     `json:"kid,omitempty"`
		Claims claimsJSON `json:"claims"`
	} `json:"certificate,omitempty"`
	Revoked *struct {
		Day    string `json:"day"`
		Reason string `json:"reason"`
	} `json:"revoked,omitempty"`
}

// verdictOut is the JSON form of a verification's answer: the public
// claims of the token only, never anything the database holds sealed.
func verdictOut(v certs.Verdict) verdictJSON {
	out := verdictJSON{Status: string(v.Status), Problem: v.Problem}
	if v.Status != certs.StatusInvalid {
		c := v.Certificate
		out.Certificate = &struct {
			Number string     `json:"number"`
			Issuer string     `json:"issuer,omitempty"`
			Issued string     `json:"issued,omitempty"`
			Kid    string     `json:"kid,omitempty"`
			Claims claimsJSON `json:"claims"`
		}{Number: c.Number, Issuer: c.Issuer, Kid: c.Kid, Claims: claimsOut(c.Public)}
		if !c.Issued.IsZero() {
			out.Certificate.Issued = c.Issued.Format(time.RFC3339)
		}
	}
	if v.Status == certs.StatusRevoked {
		out.Revoked = &struct {
			Day    string `json:"day"`
			Reason string `json:"reason"`
		}{v.Revoked.Day, v.Revoked.Reason}
	}
	return out
}

func (a *API) verifyCert(w http.ResponseWriter, r *http.Request) {
	if !a.certAllowed(w, r) {
		return
	}
	var req verifyRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	v, err := a.certs.Verify(r.Context(), req.Token)
	if err != nil {
		a.certError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, verdictOut(v))
}

func (a *API) certKeys(w http.ResponseWriter, r *http.Request) {
	if !a.certAllowed(w, r) {
		return
	}
	j, err := a.certs.JWKS(r.Context())
	if err != nil {
		a.certError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	json.NewEncoder(w).Encode(j)
}

func (a *API) certRevocations(w http.ResponseWriter, r *http.Request) {
	if !a.certAllowed(w, r) {
		return
	}
	tok, err := a.certs.Revocations(r.Context())
	if errors.Is(err, store.ErrNotFound) {
		WriteError(w, http.StatusNotFound, "not_found", "No revocation list has been signed yet: no certificate has been issued.")
		return
	}
	if err != nil {
		a.certError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/jwt")
	w.Header().Set("Content-Disposition", `attachment; filename="revocations.jws"`)
	w.Write([]byte(tok + "\n"))
}

func (a *API) rotateCertKey(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	kid, err := a.certs.RotateKey(r.Context(), casework.ActorOf(sess), sess.Keyring())
	if err != nil {
		a.certError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"kid": kid})
}

type certSummaryJSON struct {
	ID           int64  `json:"id"`
	Number       string `json:"number"`
	CaseID       int64  `json:"case_id"`
	State        string `json:"state"`
	RequestedDay string `json:"requested_day"`
	IssuedDay    string `json:"issued_day,omitempty"`
	RevokedDay   string `json:"revoked_day,omitempty"`
	Reason       string `json:"revoke_reason,omitempty"`
	Kid          string `json:"kid,omitempty"`
}

func certSummaryOut(c certs.Summary) certSummaryJSON {
	return certSummaryJSON{ID: c.ID, Number: c.Number, CaseID: c.CaseID, State: c.State, RequestedDay: c.RequestedDay,
		IssuedDay: c.IssuedDay, RevokedDay: c.RevokedDay, Reason: c.Reason, Kid: c.Kid}
}

func (a *API) listCerts(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			a.certError(w, &certs.InputError{Field: "limit", Reason: "must be a number from 1 to 500"})
			return
		}
		limit = n
	}
	list, err := a.certs.List(r.Context(), r.URL.Query().Get("state"), limit)
	if err != nil {
		a.certError(w, err)
		return
	}
	out := make([]certSummaryJSON, 0, len(list))
	for _, c := range list {
		out = append(out, certSummaryOut(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"certificates": out})
}

type certRequestJSON struct {
	CaseID int64    `json:"case_id"`
	Joined string   `json:"joined"`
	Public []string `json:"public"`
}

func (a *API) requestCert(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	var req certRequestJSON
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.CaseID <= 0 {
		a.certError(w, &certs.InputError{Field: "case_id", Reason: "is required"})
		return
	}
	ref, err := a.certs.Request(r.Context(), casework.ActorOf(sess), sess.Keyring(), req.CaseID, certs.RequestInput{Joined: req.Joined, Public: req.Public})
	if err != nil {
		a.certError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": ref.ID, "number": ref.Number})
}

func pathCert(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		WriteError(w, http.StatusNotFound, "not_found", certNotFound)
		return 0, false
	}
	return id, true
}

func (a *API) getCert(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCert(w, r)
	if !ok {
		return
	}
	d, err := a.certs.Get(r.Context(), sess.Keyring(), id)
	if err != nil {
		a.certError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		certSummaryJSON
		Claims claimsJSON `json:"claims"`
		Public []string   `json:"public"`
		Token  string     `json:"token,omitempty"`
	}{certSummaryOut(d.Summary), claimsOut(d.Claims), d.Public, d.Token})
}

func (a *API) issueCert(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCert(w, r)
	if !ok {
		return
	}
	tok, err := a.certs.Issue(r.Context(), casework.ActorOf(sess), sess.Keyring(), id)
	if err != nil {
		a.certError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": tok})
}

type revokeJSON struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

func (a *API) revokeCert(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCert(w, r)
	if !ok {
		return
	}
	var req revokeJSON
	if !decodeJSON(w, r, &req) {
		return
	}
	if err := a.certs.Revoke(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, req.Reason, req.Note); err != nil {
		a.certError(w, err)
		return
	}
	s, err := a.certs.Summary(r.Context(), id)
	if err != nil {
		a.certError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, certSummaryOut(s))
}

type declineJSON struct {
	Note string `json:"note"`
}

func (a *API) declineCert(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCert(w, r)
	if !ok {
		return
	}
	var req declineJSON
	if !decodeJSON(w, r, &req) {
		return
	}
	if err := a.certs.Decline(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, req.Note); err != nil {
		a.certError(w, err)
		return
	}
	s, err := a.certs.Summary(r.Context(), id)
	if err != nil {
		a.certError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, certSummaryOut(s))
}
