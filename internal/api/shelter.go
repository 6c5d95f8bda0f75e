package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/shelter"
	"embrace/internal/store"
	"embrace/internal/vetting"
)

// shelterRoutes registers /shelters: safe houses, their occupancy and
// needs, requests for a place and stays. Houses and stays need
// shelter.manage and the shelter team's key; asking for a place and
// reading what a case was given need case.handle and the case's key.
func (a *API) shelterRoutes() {
	a.sh = a.cfg.Shelter
	if a.sh == nil {
		a.sh = shelter.New(a.cfg.Store, a.cw, nil)
	}
	a.add("GET", "/shelters", a.bearer(auth.PermShelter, a.shelterDashboard))
	a.add("POST", "/shelters", a.bearer(auth.PermShelter, a.createShelter))
	a.add("GET", "/shelters/{id}", a.bearer(auth.PermShelter, a.getShelter))
	a.add("PUT", "/shelters/{id}/details", a.bearer(auth.PermShelter, a.putShelterDetails))
	a.add("PUT", "/shelters/{id}/beds", a.bearer(auth.PermShelter, a.putShelterBeds))
	a.add("POST", "/shelters/{id}/needs", a.bearer(auth.PermShelter, a.addShelterNeed))
	a.add("POST", "/shelters/{id}/needs/{need}/met", a.bearer(auth.PermShelter, a.meetShelterNeed))
	a.add("GET", "/shelters/requests", a.bearer(auth.PermShelter, a.shelterRequests))
	a.add("POST", "/shelters/requests", a.bearer(auth.PermCaseHandle, a.requestShelter))
	a.add("POST", "/shelters/stays/{stay}/assignment", a.bearer(auth.PermShelter, a.assignShelter))
	a.add("POST", "/shelters/stays/{stay}/checkout", a.bearer(auth.PermShelter, a.stayAction(a.sh.CheckOut)))
	a.add("POST", "/shelters/stays/{stay}/decline", a.bearer(auth.PermShelter, a.stayAction(a.sh.Decline)))
	a.add("POST", "/shelters/cases/{id}/stays/{stay}/withdraw", a.bearer(auth.PermCaseHandle, a.withdrawShelter))
	a.add("GET", "/shelters/cases/{id}", a.bearer(auth.PermCaseHandle, a.caseShelter))
}

// stayAction answers a coordinator's action on the stay in the path
// (check-out, decline): 204, or the action's error.
func (a *API) stayAction(act func(ctx context.Context, actor casework.Actor, stay int64) error) BearerHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
		id, ok := shelterID(w, r, "stay")
		if !ok {
			return
		}
		if err := act(r.Context(), casework.ActorOf(sess), id); err != nil {
			a.shelterError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

const shelterNotFound = "There is no such house, request or stay, or your keys do not open it."

// shelterError maps the shelter capability's errors to statuses: bad input
// 400 naming the field; a case vetting has not cleared, a full house,
// capacity below occupancy and a stay in the wrong status 409 with a code
// saying which; a role without the right 403; nothing (or no key) 404.
func (a *API) shelterError(w http.ResponseWriter, err error) {
	var fe *shelter.FieldError
	var ce *shelter.ClearanceError
	var capErr *shelter.CapacityError
	var oe *shelter.OccupancyError
	var qe *vetting.QuarantineError
	var b fieldErrorBody
	status := http.StatusConflict
	switch {
	case errors.As(err, &fe):
		status, b.Error.Code, b.Error.Field = http.StatusBadRequest, "invalid", fe.Field
		b.Error.Message = fe.Field + " " + fe.Reason + "."
	case errors.As(err, &ce) && errors.As(err, &qe):
		b.Error.Code = "quarantine"
		b.Error.Message = "This case cannot be given a shelter: it is in quarantine until " + qe.Until.Format("2006-01-02") + "."
	case errors.As(err, &ce):
		b.Error.Code = "not_verified"
		b.Error.Message = "This case cannot be given a shelter: it is not verified by vetting."
	case errors.As(err, &capErr):
		b.Error.Code = "full"
		b.Error.Message = sentence(capErr.Error()) + " Choose another house."
	case errors.As(err, &oe):
		b.Error.Code = "occupied"
		b.Error.Message = sentence(oe.Error()) + " Check someone out first."
	case errors.Is(err, shelter.ErrNotRequested):
		b.Error.Code, b.Error.Message = "not_requested", sentence(err.Error())+" Reload the requests."
	case errors.Is(err, shelter.ErrNotStaying):
		b.Error.Code, b.Error.Message = "not_staying", sentence(err.Error())
	case errors.Is(err, shelter.ErrAlreadyHoused):
		b.Error.Code, b.Error.Message = "already_housed", sentence(err.Error())
	case errors.Is(err, store.ErrConflict):
		b.Error.Code, b.Error.Message = "conflict", "A house with this code already exists. Choose another code."
	case errors.Is(err, shelter.ErrForbidden), errors.Is(err, casework.ErrForbidden):
		status, b.Error.Code, b.Error.Message = http.StatusForbidden, "forbidden", "Your role does not allow this. If you need it, ask an administrator."
	case errors.Is(err, store.ErrNotFound):
		status, b.Error.Code, b.Error.Message = http.StatusNotFound, "not_found", shelterNotFound
	default:
		a.log.Error("shelter", "err", err)
		status, b.Error.Code, b.Error.Message = http.StatusInternalServerError, "internal", "The server could not finish this request. Try again in a moment."
	}
	writeJSON(w, status, b)
}

// sentence turns "shelter: house MS-3 has…" into "House MS-3 has….".
func sentence(s string) string {
	s = strings.TrimPrefix(s, "shelter: ")
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s + "."
}

// pathID reads a positive id from path value name; else 404.
func shelterID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		WriteError(w, http.StatusNotFound, "not_found", shelterNotFound)
		return 0, false
	}
	return id, true
}

type occupancyJSON struct {
	ID        int64  `json:"id"`
	Code      string `json:"code"`
	Area      string `json:"area"`
	Beds      int    `json:"beds"`
	Used      int    `json:"used"`
	Free      int    `json:"free"`
	OpenNeeds int    `json:"open_needs"`
}

func (a *API) shelterDashboard(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	d, err := a.sh.Dashboard(r.Context())
	if err != nil {
		a.shelterError(w, err)
		return
	}
	out := make([]occupancyJSON, 0, len(d))
	for _, o := range d {
		out = append(out, occupancyJSON{ID: o.ID, Code: o.Code, Area: o.Area, Beds: o.Beds, Used: o.Used, Free: o.Free(), OpenNeeds: o.OpenNeeds})
	}
	writeJSON(w, http.StatusOK, struct {
		Houses []occupancyJSON `json:"houses"`
	}{out})
}

type shelterDetailsJSON struct {
	Address string `json:"address"`
	Contact string `json:"contact"`
	Phone   string `json:"phone"`
	Notes   string `json:"notes"`
}

func (d shelterDetailsJSON) details() shelter.Details {
	return shelter.Details{Address: d.Address, Contact: d.Contact, Phone: d.Phone, Notes: d.Notes}
}

func (a *API) createShelter(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	var req struct {
		Code string `json:"code"`
		Area string `json:"area"`
		Beds int    `json:"beds"`
		shelterDetailsJSON
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	id, err := a.sh.CreateHouse(r.Context(), casework.ActorOf(sess), shelter.NewHouse{Code: req.Code, Area: req.Area, Beds: req.Beds, Details: req.details()})
	if err != nil {
		a.shelterError(w, err)
		return
	}
	writeCreated(w, id)
}

type residentJSON struct {
	PersonID  string `json:"person_id"`
	Relation  string `json:"relation"`
	NameMy    string `json:"name_my"`
	NameLatin string `json:"name_latin"`
}

type stayJSON struct {
	ID        int64          `json:"id"`
	CaseID    int64          `json:"case_id"`
	HouseID   int64          `json:"house_id,omitempty"`
	HouseCode string         `json:"house_code,omitempty"`
	Status    string         `json:"status"`
	Headcount int            `json:"headcount"`
	People    []string       `json:"people"`
	Requested string         `json:"requested"`
	In        string         `json:"in,omitempty"`
	Out       string         `json:"out,omitempty"`
	Residents []residentJSON `json:"residents,omitempty"`
	House     *struct {
		Code    string `json:"code"`
		Area    string `json:"area"`
		Address string `json:"address"`
		Contact string `json:"contact"`
		Phone   string `json:"phone"`
	} `json:"house,omitempty"`
}

func stayOut(s shelter.Stay) stayJSON {
	out := stayJSON{ID: s.ID, CaseID: s.CaseID, HouseID: s.HouseID, HouseCode: s.HouseCode, Status: s.Status, Headcount: s.Headcount,
		People: s.People, Requested: s.Requested, In: s.In, Out: s.Out}
	for _, p := range s.Residents {
		out.Residents = append(out.Residents, residentJSON{PersonID: p.PersonID, Relation: p.Relation, NameMy: p.NameMy, NameLatin: p.NameLatin})
	}
	if d := s.Disclosed; d != nil {
		out.House = &struct {
			Code    string `json:"code"`
			Area    string `json:"area"`
			Address string `json:"address"`
			Contact string `json:"contact"`
			Phone   string `json:"phone"`
		}{d.Code, d.Area, d.Address, d.Contact, d.Phone}
	}
	return out
}

func staysOut(ss []shelter.Stay) []stayJSON {
	out := make([]stayJSON, 0, len(ss))
	for _, s := range ss {
		out = append(out, stayOut(s))
	}
	return out
}

type needJSON struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	Opened string `json:"opened"`
	Met    string `json:"met,omitempty"`
	Note   string `json:"note"`
}

func (a *API) getShelter(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := shelterID(w, r, "id")
	if !ok {
		return
	}
	ctx, ring := r.Context(), sess.Keyring()
	h, err := a.sh.House(ctx, ring, id, sess.Actor())
	if err != nil {
		a.shelterError(w, err)
		return
	}
	res, err := a.sh.Residents(ctx, ring, id, sess.Actor())
	if err != nil {
		a.shelterError(w, err)
		return
	}
	ns, err := a.sh.Needs(ctx, ring, id, sess.Actor())
	if err != nil {
		a.shelterError(w, err)
		return
	}
	needs := make([]needJSON, 0, len(ns))
	for _, n := range ns {
		needs = append(needs, needJSON{ID: n.ID, Kind: n.Kind, Status: n.Status, Opened: n.Opened, Met: n.Met, Note: n.Note})
	}
	writeJSON(w, http.StatusOK, struct {
		ID      int64  `json:"id"`
		Code    string `json:"code"`
		Area    string `json:"area"`
		Beds    int    `json:"beds"`
		Created string `json:"created"`
		shelterDetailsJSON
		Stays []stayJSON `json:"stays"`
		Needs []needJSON `json:"needs"`
	}{h.ID, h.Code, h.Area, h.Beds, h.Created, shelterDetailsJSON{h.Address, h.Contact, h.Phone, h.Notes}, staysOut(res), needs})
}

func (a *API) putShelterDetails(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := shelterID(w, r, "id")
	if !ok {
		return
	}
	var req shelterDetailsJSON
	if !decodeJSON(w, r, &req) {
		return
	}
	if err := a.sh.UpdateDetails(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, req.details()); err != nil {
		a.shelterError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) putShelterBeds(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := shelterID(w, r, "id")
	if !ok {
		return
	}
	var req struct {
		Beds *int `json:"beds"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.Beds == nil {
		a.shelterError(w, &shelter.FieldError{Field: "beds", Reason: "is required"})
		return
	}
	if err := a.sh.SetBeds(r.Context(), casework.ActorOf(sess), id, *req.Beds); err != nil {
		a.shelterError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) addShelterNeed(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := shelterID(w, r, "id")
	if !ok {
		return
	}
	var req struct {
		Kind string `json:"kind"`
		Note string `json:"note"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	nid, err := a.sh.AddNeed(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, req.Kind, req.Note)
	if err != nil {
		a.shelterError(w, err)
		return
	}
	writeCreated(w, nid)
}

func (a *API) meetShelterNeed(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := shelterID(w, r, "id")
	if !ok {
		return
	}
	nid, ok := shelterID(w, r, "need")
	if !ok {
		return
	}
	if err := a.sh.MeetNeed(r.Context(), casework.ActorOf(sess), id, nid); err != nil {
		a.shelterError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) shelterRequests(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	ss, err := a.sh.Requests(r.Context(), sess.Keyring(), sess.Actor())
	if err != nil {
		a.shelterError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Requests []stayJSON `json:"requests"`
	}{staysOut(ss)})
}

func (a *API) requestShelter(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	var req struct {
		CaseID    int64    `json:"case_id"`
		People    []string `json:"people"`
		Headcount int      `json:"headcount"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.CaseID <= 0 {
		a.shelterError(w, &shelter.FieldError{Field: "case_id", Reason: "is required"})
		return
	}
	id, err := a.sh.Request(r.Context(), casework.ActorOf(sess), sess.Keyring(), req.CaseID, req.People, req.Headcount)
	if err != nil {
		a.shelterError(w, err)
		return
	}
	writeCreated(w, id)
}

func (a *API) assignShelter(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := shelterID(w, r, "stay")
	if !ok {
		return
	}
	var req struct {
		HouseID int64 `json:"house_id"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.HouseID <= 0 {
		a.shelterError(w, &shelter.FieldError{Field: "house_id", Reason: "is required"})
		return
	}
	if err := a.sh.Assign(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, req.HouseID); err != nil {
		a.shelterError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) caseShelter(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := shelterID(w, r, "id")
	if !ok {
		return
	}
	ss, err := a.sh.CaseStays(r.Context(), sess.Keyring(), id, sess.Actor())
	if err != nil {
		a.shelterError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Stays []stayJSON `json:"stays"`
	}{staysOut(ss)})
}

func (a *API) withdrawShelter(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := shelterID(w, r, "id")
	if !ok {
		return
	}
	stay, ok := shelterID(w, r, "stay")
	if !ok {
		return
	}
	if err := a.sh.Withdraw(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, stay); err != nil {
		a.shelterError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
