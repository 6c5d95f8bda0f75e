package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/passage"
)

// passageRoutes registers the coordinator's passage pages and the guides'
// public leg pages. A guide's page is reached only through its link,
// /g/{secret}: the access log records the route pattern, never the path,
// so the secret reaches no log.
func (s *Server) passageRoutes() {
	if s.cfg.Passage == nil {
		return
	}
	s.handle("GET /g/{secret}", s.guidePage)
	s.handle("POST /g/{secret}", s.guideCheckIn)
	if s.cfg.Auth == nil {
		return
	}
	s.staff("GET /passage", auth.PermPassagePlan, s.passageListPage)
	s.staff("GET /passage/new/{case}", auth.PermPassagePlan, s.passageNewPage)
	s.staff("POST /passage/new/{case}", auth.PermPassagePlan, s.passageCreate)
	s.staff("GET /passage/plans/{id}", auth.PermPassagePlan, s.passagePlanPage)
	s.staff("POST /passage/plans/{id}/cancel", auth.PermPassagePlan, s.passageCancel)
	s.staff("POST /passage/legs/{id}/link", auth.PermPassagePlan, s.passageNewLink)
}

// passageErrorView is the data of the passage error page.
type passageErrorView struct {
	Nav     staffNav
	Message string
	Field   string
	Leg     int // the leg the field belongs to (0: none)
	Back    string
}

// passageStatus maps a passage error to its HTTP status.
func passageStatus(err error) int {
	switch passage.Code(err) {
	case "invalid":
		return http.StatusBadRequest
	case "not_found", "link_unknown", "purged":
		return http.StatusNotFound
	case "case_state", "out_of_order", "leg_complete", "route_exists":
		return http.StatusConflict
	case "link_expired":
		return http.StatusGone
	case "wrong_leg":
		return http.StatusBadRequest
	}
	if errors.Is(err, casework.ErrForbidden) {
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// passageFail answers a passage error on a staff page: translated, naming
// the field refused (never its value).
func (s *Server) passageFail(w http.ResponseWriter, r *http.Request, sess *auth.Session, back string, err error) {
	st := passageStatus(err)
	v := passageErrorView{Nav: navFor(sess), Back: back, Message: "passage.error." + passage.Code(err)}
	v.Leg, v.Field = passageField(err)
	if st == http.StatusForbidden {
		v.Message = "cases.error.forbidden"
	}
	if st == http.StatusInternalServerError {
		s.log.Error("passage", "route", r.Pattern, "err", err)
		v.Message = "error.internal"
	}
	s.render(w, r, st, "passage_error", v)
}

// passageField splits the field a passage error names ("leg2.end") into
// the leg's number and the field, whose label the template translates
// (passage.field.*).
func passageField(err error) (int, string) {
	f := passage.Field(err)
	if l, rest, ok := strings.Cut(f, "."); ok && strings.HasPrefix(l, "leg") {
		if n, err := strconv.Atoi(l[3:]); err == nil {
			return n, rest
		}
	}
	return 0, f
}
