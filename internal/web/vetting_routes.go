package web

import (
	"errors"
	"net/http"
	"strconv"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/vetting"
)

// vettingRoutes registers the vetting pages: a case's vetting (checks,
// evidence, two-officer decisions, quarantine), the watch list and its
// alerts (vetting leads holding the watch-list key only), and the
// quarantine setting (administrators). Nothing of an alert appears on any
// case page: only the alerts page shows it.
func (s *Server) vettingRoutes() {
	if s.cfg.Cases == nil || s.cfg.Auth == nil {
		return
	}
	if s.cfg.Vetting == nil {
		s.cfg.Vetting = vetting.New(s.cfg.Store, s.cfg.Cases)
		s.cfg.Cases.SetScreener(s.cfg.Vetting.Screen)
	}
	s.staff("GET /cases/{id}/vetting/{$}", auth.PermVettingCheck, s.vettingPage)
	s.staff("POST /cases/{id}/vetting/checks", auth.PermVettingCheck, s.vettingCheck)
	s.staff("POST /cases/{id}/vetting/evidence", auth.PermVettingCheck, s.vettingEvidence, BodyLimit(vetting.MaxEvidence+64<<10))
	s.staff("GET /cases/{id}/vetting/evidence/{evidence}", auth.PermVettingCheck, s.vettingEvidenceFile)
	s.staff("POST /cases/{id}/vetting/decisions", auth.PermVettingDecide, s.vettingPropose)
	s.staff("POST /cases/{id}/vetting/decisions/{decision}/confirm", auth.PermVettingDecide, s.vettingDecision(s.cfg.Vetting.Confirm, "confirmed"))
	s.staff("POST /cases/{id}/vetting/decisions/{decision}/withdraw", auth.PermVettingDecide, s.vettingDecision(s.cfg.Vetting.Withdraw, "withdrawn"))
	s.staff("GET /watchlist", auth.PermWatchList, s.watchListPage)
	s.staff("POST /watchlist", auth.PermWatchList, s.watchListAdd)
	s.staff("POST /watchlist/{entry}/remove", auth.PermWatchList, s.watchListRemove)
	s.staff("GET /watchlist/alerts", auth.PermWatchList, s.alertsListPage)
	s.staff("POST /watchlist/alerts/{alert}/dismiss", auth.PermWatchList, s.alertDismiss)
	s.staff("GET /vetting/settings", auth.PermSettings, s.vettingSettingsPage)
	s.staff("POST /vetting/quarantine", auth.PermSettings, s.vettingQuarantine)
	s.staff("POST /vetting/checklist", auth.PermSettings, s.vettingChecklist)
}

// vetFields are the fields vetting names in its errors that have a label
// (vetting.field.NAME).
var vetFields = map[string]bool{"kind": true, "result": true, "notes": true, "file": true, "decision": true, "risk": true,
	"reason": true, "checklist": true, "name_my": true, "name_latin": true, "aliases": true, "unit": true, "nrc": true, "service_number": true, "days": true}

// vetFail answers a vetting error on the shared error page: bad input 400
// naming the field, a case not in vetting or a closed decision 409, the
// proposer confirming 403, evidence too large 413 or of a refused type
// 415, no key 404. Nothing of the request's red data is echoed or logged.
func (s *Server) vetFail(w http.ResponseWriter, r *http.Request, sess *auth.Session, back string, err error) {
	v := caseErrorView{Nav: navFor(sess), Back: back}
	var ie *vetting.InputError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &ie):
		v.Status, v.Message, v.Field = http.StatusBadRequest, "cases.error.field", ie.Field
		if vetFields[ie.Field] {
			v.Field = "vetting.field." + ie.Field
		}
	case errors.Is(err, vetting.ErrBadQuarantine):
		v.Status, v.Message, v.Field = http.StatusBadRequest, "cases.error.field", "vetting.field.days"
	case errors.Is(err, vetting.ErrNotInVetting):
		v.Status, v.Message = http.StatusConflict, "vetting.error.notinvetting"
	case errors.Is(err, vetting.ErrPending):
		v.Status, v.Message = http.StatusConflict, "vetting.error.pending"
	case errors.Is(err, vetting.ErrClosed):
		v.Status, v.Message = http.StatusConflict, "vetting.error.closed"
	case errors.Is(err, vetting.ErrSameOfficer):
		v.Status, v.Message = http.StatusForbidden, "vetting.error.sameofficer"
	case errors.Is(err, vetting.ErrForbidden):
		v.Status, v.Message = http.StatusForbidden, "cases.error.forbidden"
	case errors.Is(err, vetting.ErrTooLarge), errors.As(err, &tooBig):
		v.Status, v.Message = http.StatusRequestEntityTooLarge, "vetting.error.toolarge"
	case errors.Is(err, vetting.ErrFileType):
		v.Status, v.Message = http.StatusUnsupportedMediaType, "vetting.error.filetype"
	case errors.Is(err, vetting.ErrNoWatchList):
		v.Status, v.Message, v.Back = http.StatusNotFound, "vetting.error.nokey", "/workspace"
	case errors.Is(err, store.ErrNotFound):
		v.Status, v.Message = http.StatusNotFound, "cases.error.notfound"
	case errors.Is(err, store.ErrConflict):
		v.Status, v.Message = http.StatusConflict, "cases.error.conflict"
	default:
		s.log.Error("vetting", "route", r.Pattern, "err", err)
		v.Status, v.Message = http.StatusInternalServerError, "error.internal"
	}
	s.render(w, r, v.Status, "cases_error", v)
}

// pathID reads a positive integer path value; ok is false (and a 404 page
// written) when it is not one.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request, sess *auth.Session, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundCase(w, r, sess)
		return 0, false
	}
	return id, true
}

// vettingURL is a case's vetting page ("/cases/N/vetting/": the bare
// "/cases/N/vetting" would clash with "/cases/state/{state}").
func vettingURL(id int64) string { return caseURL(id) + "/vetting/" }
