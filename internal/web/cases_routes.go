package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/store"
)

// caseRoutes registers the staff pages of casework: lists (green data
// only), the case and person pages (red data, opened with the session's
// keys) and their forms. Each route requires the permission the API
// requires for the same action; a case or person the session's keys do not
// open is 404, as if it did not exist.
func (s *Server) caseRoutes() {
	if s.cfg.Cases == nil || s.cfg.Auth == nil {
		return
	}
	s.staff("GET /cases", auth.PermCaseRead, s.myCasesPage)
	s.staff("GET /cases/queue", auth.PermCaseRead, s.queuePage)
	s.staff("GET /cases/state/{state}", auth.PermCaseRead, s.statePage)
	s.staff("POST /cases/search", auth.PermCaseRead, s.caseSearch)
	s.staff("GET /cases/{id}", auth.PermCaseRead, s.casePage)
	s.staff("POST /cases/{id}/transition", auth.PermCaseRead, s.caseTransition)
	s.staff("POST /cases/{id}/assign", auth.PermCaseAssign, s.caseAssign)
	s.staff("POST /cases/{id}/unassign", auth.PermCaseAssign, s.caseUnassign)
	s.staff("POST /cases/{id}/notes", auth.PermCaseHandle, s.caseAddNote)
	s.staff("POST /cases/{id}/tasks", auth.PermCaseHandle, s.caseAddTask)
	s.staff("POST /cases/{id}/tasks/{task}/done", auth.PermCaseHandle, s.caseTaskDone)
	s.staff("GET /cases/{id}/people/new", auth.PermCaseHandle, s.personNewPage)
	s.staff("POST /cases/{id}/people", auth.PermCaseHandle, s.personAdd)
	s.staff("GET /people/{id}", auth.PermCaseRead, s.personPage)
	s.staff("GET /people/{id}/edit", auth.PermCaseHandle, s.personEditPage)
	s.staff("POST /people/{id}", auth.PermCaseHandle, s.personEdit)
	s.staff("GET /people/{id}/photo", auth.PermCaseRead, s.personPhoto)
	s.staff("POST /people/{id}/photo", auth.PermCaseHandle, s.personPhotoUpload)
	s.staff("POST /people/{id}/threats", auth.PermCaseHandle, s.personAddThreat)
	s.staff("POST /people/{id}/merge", auth.PermCaseHandle, s.personMerge)
}

// caseErrorView is the data of the casework error page: a translated
// message, the field refused (its translated label) and, for an illegal
// move, the states the case may move to.
type caseErrorView struct {
	Nav     staffNav
	Status  int
	Message string
	Field   string
	Allowed []string
	Back    string
}

// knownFields are the fields casework names in its errors that have a
// translated label (cases.field.NAME); any other is shown as named.
var knownFields = []string{"relation", "risk", "relocation", "name_my", "name_latin", "aliases", "dob", "nrc", "service_number",
	"rank", "unit", "phone", "place", "relocation_needs", "reason", "text", "due", "owner", "kind", "day", "details", "photo",
	"username", "into", "state", "case", "to", "team", "done", "form", "still_inside"}

// caseFail answers a casework error: bad input 400 naming the field in the
// reader's language, no key (or nothing there) 404, an illegal move 409
// with the allowed states, a role without a move's permission 403. Nothing
// of the request's red data is echoed or logged.
func (s *Server) caseFail(w http.ResponseWriter, r *http.Request, sess *auth.Session, back string, err error) {
	v := caseErrorView{Nav: navFor(sess), Back: back}
	var fe *casework.FieldError
	var te *casework.TransitionError
	switch {
	case errors.As(err, &fe):
		v.Status, v.Message = http.StatusBadRequest, "cases.error.field"
		v.Field = fe.Field
		if slices.Contains(knownFields, fe.Field) {
			v.Field = "cases.field." + fe.Field
		}
	case errors.As(err, &te):
		v.Status, v.Message, v.Allowed = http.StatusConflict, "cases.error.transition", te.Allowed
	case errors.Is(err, casework.ErrNotUser):
		v.Status, v.Message, v.Field = http.StatusBadRequest, "cases.error.field", "cases.field.username"
	case errors.Is(err, casework.ErrForbidden):
		v.Status, v.Message = http.StatusForbidden, "cases.error.forbidden"
	case errors.Is(err, casework.ErrNeedsDecision):
		v.Status, v.Message = http.StatusConflict, "vetting.error.needsdecision"
	case errors.Is(err, casework.ErrNoIndex):
		v.Status, v.Message = http.StatusForbidden, "cases.error.noindex"
	case errors.Is(err, store.ErrNotFound):
		v.Status, v.Message, v.Back = http.StatusNotFound, "cases.error.notfound", "/cases"
	case errors.Is(err, store.ErrConflict):
		v.Status, v.Message = http.StatusConflict, "cases.error.conflict"
	default:
		s.log.Error("casework", "route", r.Pattern, "err", err)
		v.Status, v.Message = http.StatusInternalServerError, "error.internal"
	}
	s.render(w, r, v.Status, "cases_error", v)
}

// fieldFail is caseFail for a field the web layer refuses itself.
func (s *Server) fieldFail(w http.ResponseWriter, r *http.Request, sess *auth.Session, back, field, reason string) {
	s.caseFail(w, r, sess, back, &casework.FieldError{Field: field, Reason: reason})
}

// notFoundCase is the 404 page of casework (a malformed id is answered
// like a missing case).
func (s *Server) notFoundCase(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.caseFail(w, r, sess, "/cases", store.ErrNotFound)
}

// pathCaseID reads {id} as a case number; ok is false (and a 404 page
// written) when it is not one.
func (s *Server) pathCaseID(w http.ResponseWriter, r *http.Request, sess *auth.Session) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundCase(w, r, sess)
		return 0, false
	}
	return id, true
}

// pathPersonID reads {id} as a person id.
func (s *Server) pathPersonID(w http.ResponseWriter, r *http.Request, sess *auth.Session) (string, bool) {
	id := r.PathValue("id")
	if !casework.ValidPersonID(id) {
		s.notFoundCase(w, r, sess)
		return "", false
	}
	return id, true
}

func caseURL(id int64) string { return "/cases/" + strconv.FormatInt(id, 10) }

// seeOther ends a successful form post: POST-redirect-GET.
func seeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
