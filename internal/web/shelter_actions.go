package web

import (
	"net/http"
	"net/url"

	"embrace/internal/auth"
	"embrace/internal/casework"
)

// shelterCreate records a new house from the dashboard's form.
func (s *Server) shelterCreate(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	h, err := parseHouseForm(postForm(r))
	if err == nil {
		var id int64
		id, err = s.cfg.Shelter.CreateHouse(r.Context(), casework.ActorOf(sess), h)
		if err == nil {
			seeOther(w, r, shelterURL(id)+"?done=created")
			return
		}
	}
	s.shelterFail(w, r, sess, "/shelters", err)
}

// shelterDetails replaces a house's sealed details.
func (s *Server) shelterDetails(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathShelterID(w, r, sess, "id", "/shelters")
	if !ok {
		return
	}
	if err := s.cfg.Shelter.UpdateDetails(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, parseDetailsForm(postForm(r))); err != nil {
		s.shelterFail(w, r, sess, shelterURL(id), err)
		return
	}
	seeOther(w, r, shelterURL(id)+"?done=saved")
}

// shelterBeds changes a house's capacity (never below the people staying).
func (s *Server) shelterBeds(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathShelterID(w, r, sess, "id", "/shelters")
	if !ok {
		return
	}
	beds, err := parseBedsForm(postForm(r))
	if err == nil {
		err = s.cfg.Shelter.SetBeds(r.Context(), casework.ActorOf(sess), id, beds)
	}
	if err != nil {
		s.shelterFail(w, r, sess, shelterURL(id), err)
		return
	}
	seeOther(w, r, shelterURL(id)+"?done=beds")
}

// shelterAddNeed records an open need of a house.
func (s *Server) shelterAddNeed(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathShelterID(w, r, sess, "id", "/shelters")
	if !ok {
		return
	}
	if _, err := s.cfg.Shelter.AddNeed(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, r.PostFormValue("kind"), r.PostFormValue("note")); err != nil {
		s.shelterFail(w, r, sess, shelterURL(id), err)
		return
	}
	seeOther(w, r, shelterURL(id)+"?done=need")
}

// shelterNeedMet marks a need met.
func (s *Server) shelterNeedMet(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathShelterID(w, r, sess, "id", "/shelters")
	if !ok {
		return
	}
	need, ok := s.pathShelterID(w, r, sess, "need", shelterURL(id))
	if !ok {
		return
	}
	if err := s.cfg.Shelter.MeetNeed(r.Context(), casework.ActorOf(sess), id, need); err != nil {
		s.shelterFail(w, r, sess, shelterURL(id), err)
		return
	}
	seeOther(w, r, shelterURL(id)+"?done=met")
}

// shelterAssign gives a request the house the form names; vetting's
// clearance and the house's free beds are checked by the capability.
func (s *Server) shelterAssign(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	stay, ok := s.pathShelterID(w, r, sess, "stay", "/shelters/requests")
	if !ok {
		return
	}
	house, err := parseAssignForm(postForm(r))
	if err == nil {
		err = s.cfg.Shelter.Assign(r.Context(), casework.ActorOf(sess), sess.Keyring(), stay, house)
	}
	if err != nil {
		s.shelterFail(w, r, sess, "/shelters/requests", err)
		return
	}
	seeOther(w, r, shelterURL(house)+"?done=assigned")
}

// shelterCheckout ends a stay; the form comes from the house's page.
func (s *Server) shelterCheckout(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	stay, ok := s.pathShelterID(w, r, sess, "stay", "/shelters")
	if !ok {
		return
	}
	back := "/shelters"
	if h, err := parseID(r.PostFormValue("house")); err == nil {
		back = shelterURL(h)
	}
	if err := s.cfg.Shelter.CheckOut(r.Context(), casework.ActorOf(sess), stay); err != nil {
		s.shelterFail(w, r, sess, back, err)
		return
	}
	seeOther(w, r, back+"?done=checkout")
}

// caseShelterRequest is the handler asking for a place for the people
// ticked on the case's shelter page.
func (s *Server) caseShelterRequest(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathShelterID(w, r, sess, "id", "/cases")
	if !ok {
		return
	}
	people, n, err := parseRequestForm(postForm(r))
	if err == nil {
		_, err = s.cfg.Shelter.Request(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, people, n)
	}
	if err != nil {
		s.shelterFail(w, r, sess, caseShelterURL(id), err)
		return
	}
	seeOther(w, r, caseShelterURL(id)+"?done=requested")
}

// shelterDecline turns a waiting request down (from the requests page).
func (s *Server) shelterDecline(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	stay, ok := s.pathShelterID(w, r, sess, "stay", "/shelters/requests")
	if !ok {
		return
	}
	if err := s.cfg.Shelter.Decline(r.Context(), casework.ActorOf(sess), stay); err != nil {
		s.shelterFail(w, r, sess, "/shelters/requests", err)
		return
	}
	seeOther(w, r, "/shelters/requests?done=declined")
}

// caseShelterWithdraw is the handler taking back a request still waiting.
func (s *Server) caseShelterWithdraw(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathShelterID(w, r, sess, "id", "/cases")
	if !ok {
		return
	}
	stay, ok := s.pathShelterID(w, r, sess, "stay", caseShelterURL(id))
	if !ok {
		return
	}
	if err := s.cfg.Shelter.Withdraw(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, stay); err != nil {
		s.shelterFail(w, r, sess, caseShelterURL(id), err)
		return
	}
	seeOther(w, r, caseShelterURL(id)+"?done=withdrawn")
}

// postForm parses the request's form body; a body that cannot be parsed
// (too large, malformed) gives no values, which the parsers refuse.
func postForm(r *http.Request) url.Values {
	if err := r.ParseForm(); err != nil {
		return url.Values{}
	}
	return r.PostForm
}
