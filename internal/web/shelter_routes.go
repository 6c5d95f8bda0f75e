package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/shelter"
	"embrace/internal/store"
	"embrace/internal/vetting"
)

// shelterRoutes registers the shelter pages: the occupancy dashboard (green
// data only), a house's page and forms (amber data, opened with the shelter
// team's key), the requests waiting for a house, and a case's shelter page
// where its handler asks for a place and, once a house is assigned, reads
// its address. A house, request or case the session's keys do not open is
// 404, as if it did not exist.
func (s *Server) shelterRoutes() {
	if s.cfg.Shelter == nil || s.cfg.Auth == nil {
		return
	}
	s.staff("GET /shelters", auth.PermShelter, s.shelterDashboard)
	s.staff("POST /shelters", auth.PermShelter, s.shelterCreate)
	s.staff("GET /shelters/requests", auth.PermShelter, s.shelterRequestsPage)
	s.staff("GET /shelters/{id}", auth.PermShelter, s.shelterHousePage)
	s.staff("POST /shelters/{id}/details", auth.PermShelter, s.shelterDetails)
	s.staff("POST /shelters/{id}/beds", auth.PermShelter, s.shelterBeds)
	s.staff("POST /shelters/{id}/needs", auth.PermShelter, s.shelterAddNeed)
	s.staff("POST /shelters/{id}/needs/{need}/met", auth.PermShelter, s.shelterNeedMet)
	s.staff("POST /shelters/stays/{stay}/assign", auth.PermShelter, s.shelterAssign)
	s.staff("POST /shelters/stays/{stay}/checkout", auth.PermShelter, s.shelterCheckout)
	s.staff("POST /shelters/stays/{stay}/decline", auth.PermShelter, s.shelterDecline)
	s.staff("GET /shelters/cases/{id}", auth.PermCaseHandle, s.caseShelterPage)
	s.staff("POST /shelters/cases/{id}/request", auth.PermCaseHandle, s.caseShelterRequest)
	s.staff("POST /shelters/cases/{id}/stays/{stay}/withdraw", auth.PermCaseHandle, s.caseShelterWithdraw)
}

// shelterErrorView is the data of the shelter error page: the message
// already in the reader's language (it carries a house code, counts or a
// day, never red data) and where to go back to.
type shelterErrorView struct {
	Nav    staffNav
	Status int
	Text   string
	Back   string
}

// shelterFields are the fields the shelter forms name in their errors.
var shelterFields = []string{"code", "area", "beds", "address", "contact", "phone", "notes", "kind", "note", "people", "headcount", "house"}

// shelterFail answers a shelter error with a translated page: bad input
// 400 naming the field, a refusal (not cleared, full, below occupancy, a
// stay in the wrong state) 409 saying why and what to do, a role without
// the right 403, nothing there (or no key) 404.
func (s *Server) shelterFail(w http.ResponseWriter, r *http.Request, sess *auth.Session, back string, err error) {
	lang := pageLang(r)
	tr := func(id string, kv ...any) string {
		data := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			data[kv[i].(string)] = kv[i+1]
		}
		return s.i18n.T(lang, id, data)
	}
	num := func(n int) string { return localDigits(lang, int64(n)) }
	v := shelterErrorView{Nav: navFor(sess), Back: back, Status: http.StatusConflict}
	var fe *shelter.FieldError
	var ce *shelter.ClearanceError
	var qe *vetting.QuarantineError
	var capErr *shelter.CapacityError
	var oe *shelter.OccupancyError
	switch {
	case errors.As(err, &fe):
		field := fe.Field
		if slices.Contains(shelterFields, field) {
			field = tr("shelter.field." + field)
		}
		v.Status, v.Text = http.StatusBadRequest, tr("shelter.error.field", "Field", field)
	case errors.As(err, &ce) && errors.As(err, &qe):
		v.Text = tr("shelter.error.quarantine", "Until", qe.Until.Format("2006-01-02"))
	case errors.As(err, &ce):
		v.Text = tr("shelter.error.notverified")
	case errors.As(err, &capErr):
		v.Text = tr("shelter.error.full", "Code", capErr.Code, "Free", num(capErr.Free), "Need", num(capErr.Need))
	case errors.As(err, &oe):
		v.Text = tr("shelter.error.occupied", "Code", oe.Code, "Used", num(oe.Used), "Beds", num(oe.Beds))
	case errors.Is(err, shelter.ErrNotRequested):
		v.Text = tr("shelter.error.notrequested")
	case errors.Is(err, shelter.ErrNotStaying):
		v.Text = tr("shelter.error.notstaying")
	case errors.Is(err, shelter.ErrAlreadyHoused):
		v.Text = tr("shelter.error.housed")
	case errors.Is(err, store.ErrConflict):
		v.Text = tr("shelter.error.code")
	case errors.Is(err, shelter.ErrForbidden), errors.Is(err, casework.ErrForbidden):
		v.Status, v.Text = http.StatusForbidden, tr("auth.error.forbidden")
	case errors.Is(err, store.ErrNotFound):
		v.Status, v.Text = http.StatusNotFound, tr("shelter.error.notfound")
	default:
		s.log.Error("shelter", "route", r.Pattern, "err", err)
		v.Status, v.Text = http.StatusInternalServerError, tr("error.internal")
	}
	s.render(w, r, v.Status, "shelter_error", v)
}

// pathShelterID reads path value name as a positive id; else a 404 page.
func (s *Server) pathShelterID(w http.ResponseWriter, r *http.Request, sess *auth.Session, name, back string) (int64, bool) {
	id, err := parseID(r.PathValue(name))
	if err != nil {
		s.shelterFail(w, r, sess, back, store.ErrNotFound)
		return 0, false
	}
	return id, true
}

func shelterURL(id int64) string     { return "/shelters/" + strconv.FormatInt(id, 10) }
func caseShelterURL(id int64) string { return "/shelters/cases/" + strconv.FormatInt(id, 10) }

// errNotNumber is returned by parseCount and parseID for text that is not
// a whole number in range.
var errNotNumber = errors.New("not a whole number")

// parseID reads a positive database id (ASCII digits only).
func parseID(v string) (int64, error) {
	if v == "" || len(v) > 18 || strings.TrimLeft(v, "0123456789") != "" {
		return 0, errNotNumber
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotNumber
	}
	return id, nil
}

// parseCount reads a count typed by a person: ASCII or Burmese digits,
// surrounding spaces ignored, at most six digits; "" is blank (ok false).
func parseCount(v string) (n int, blank bool, err error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, true, nil
	}
	var b strings.Builder
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '၀' && r <= '၉':
			b.WriteRune('0' + (r - '၀'))
		default:
			return 0, false, errNotNumber
		}
		if b.Len() > 6 {
			return 0, false, errNotNumber
		}
	}
	n, err = strconv.Atoi(b.String())
	if err != nil {
		return 0, false, errNotNumber
	}
	return n, false, nil
}

// parseHouseForm reads the new-house form. Beds must be given as a whole
// number; the shelter capability checks the rest.
func parseHouseForm(f url.Values) (shelter.NewHouse, error) {
	beds, blank, err := parseCount(f.Get("beds"))
	if err != nil || blank {
		return shelter.NewHouse{}, &shelter.FieldError{Field: "beds", Reason: "must be a whole number"}
	}
	return shelter.NewHouse{Code: strings.ToUpper(strings.TrimSpace(f.Get("code"))), Area: strings.TrimSpace(f.Get("area")), Beds: beds,
		Details: parseDetailsForm(f)}, nil
}

func parseDetailsForm(f url.Values) shelter.Details {
	return shelter.Details{Address: f.Get("address"), Contact: f.Get("contact"), Phone: f.Get("phone"), Notes: f.Get("notes")}
}

// parseBedsForm reads the capacity form.
func parseBedsForm(f url.Values) (int, error) {
	beds, blank, err := parseCount(f.Get("beds"))
	if err != nil || blank {
		return 0, &shelter.FieldError{Field: "beds", Reason: "must be a whole number"}
	}
	return beds, nil
}

// parseRequestForm reads a handler's request for a place: the ticked
// people (green person ids) and the headcount (blank: just those people).
func parseRequestForm(f url.Values) (people []string, headcount int, err error) {
	people = f["person"]
	if len(people) == 0 {
		return nil, 0, &shelter.FieldError{Field: "people", Reason: "choose at least one person"}
	}
	if len(people) > shelter.MaxHeadcount {
		return nil, 0, &shelter.FieldError{Field: "people", Reason: "too many"}
	}
	for _, p := range people {
		if !casework.ValidPersonID(p) {
			return nil, 0, &shelter.FieldError{Field: "people", Reason: "not a person of the case"}
		}
	}
	n, _, err := parseCount(f.Get("headcount"))
	if err != nil {
		return nil, 0, &shelter.FieldError{Field: "headcount", Reason: "must be a whole number"}
	}
	return people, n, nil
}

// parseAssignForm reads the house chosen for a request.
func parseAssignForm(f url.Values) (int64, error) {
	id, err := parseID(f.Get("house"))
	if err != nil {
		return 0, &shelter.FieldError{Field: "house", Reason: "choose a house"}
	}
	return id, nil
}
