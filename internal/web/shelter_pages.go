package web

import (
	"net/http"

	"embrace/internal/auth"
	"embrace/internal/shelter"
)

// shelterNotices are the confirmations a shelter page shows after a form
// (?done=NAME): only these names, so the query cannot inject text.
var shelterNotices = map[string]string{
	"created": "shelter.done.created", "saved": "shelter.done.saved", "beds": "shelter.done.beds", "need": "shelter.done.need",
	"met": "shelter.done.met", "assigned": "shelter.done.assigned", "checkout": "shelter.done.checkout", "requested": "shelter.done.requested",
	"withdrawn": "shelter.done.withdrawn", "declined": "shelter.done.declined",
}

func notice(r *http.Request) string { return shelterNotices[r.URL.Query().Get("done")] }

type shelterDashboardView struct {
	Nav              staffNav
	Notice           string
	Houses           []shelter.Occupancy
	Beds, Used, Free int
	OpenNeeds        int
	NeedKinds        []string
	MaxBeds          int
}

// shelterDashboard is occupancy at a glance: every house with its beds,
// beds used, free beds and open needs, from one query of green data.
func (s *Server) shelterDashboard(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	hs, err := s.cfg.Shelter.Dashboard(r.Context())
	if err != nil {
		s.shelterFail(w, r, sess, "/shelters", err)
		return
	}
	v := shelterDashboardView{Nav: navFor(sess), Notice: notice(r), Houses: hs, MaxBeds: shelter.MaxBeds}
	for _, h := range hs {
		v.Beds += h.Beds
		v.Used += h.Used
		v.Free += h.Free()
		v.OpenNeeds += h.OpenNeeds
	}
	s.render(w, r, http.StatusOK, "shelter_dashboard", v)
}

type shelterHouseView struct {
	Nav       staffNav
	Notice    string
	House     shelter.House
	Used      int
	Stays     []shelter.Stay
	Needs     []shelter.Need
	NeedKinds []string
	MaxBeds   int
}

// shelterHousePage shows a house's details, its residents and its needs,
// opened with the session's keys (the shelter team's).
func (s *Server) shelterHousePage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathShelterID(w, r, sess, "id", "/shelters")
	if !ok {
		return
	}
	ctx, ring, sv := r.Context(), sess.Keyring(), s.cfg.Shelter
	h, err := sv.House(ctx, ring, id, sess.Actor())
	if err != nil {
		s.shelterFail(w, r, sess, "/shelters", err)
		return
	}
	stays, err := sv.Residents(ctx, ring, id, sess.Actor())
	if err != nil {
		s.shelterFail(w, r, sess, "/shelters", err)
		return
	}
	needs, err := sv.Needs(ctx, ring, id, sess.Actor())
	if err != nil {
		s.shelterFail(w, r, sess, "/shelters", err)
		return
	}
	v := shelterHouseView{Nav: navFor(sess), Notice: notice(r), House: h, Stays: stays, Needs: needs, NeedKinds: shelter.NeedKinds(), MaxBeds: shelter.MaxBeds}
	for _, st := range stays {
		v.Used += st.Headcount
	}
	s.render(w, r, http.StatusOK, "shelter_house", v)
}

type shelterRequestsView struct {
	Nav      staffNav
	Notice   string
	Requests []shelterRequestRow
}

// shelterRequestRow is a request with the houses that have a bed for each
// of its people (the only ones offered).
type shelterRequestRow struct {
	shelter.Stay
	Houses []shelter.Occupancy
}

// shelterRequestsPage lists the requests waiting for a house, each with a
// form to assign one (the houses offered with their free beds).
func (s *Server) shelterRequestsPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	reqs, err := s.cfg.Shelter.Requests(r.Context(), sess.Keyring(), sess.Actor())
	if err != nil {
		s.shelterFail(w, r, sess, "/shelters", err)
		return
	}
	hs, err := s.cfg.Shelter.Dashboard(r.Context())
	if err != nil {
		s.shelterFail(w, r, sess, "/shelters", err)
		return
	}
	v := shelterRequestsView{Nav: navFor(sess), Notice: notice(r)}
	for _, st := range reqs {
		row := shelterRequestRow{Stay: st}
		for _, h := range hs {
			if h.Free() >= st.Headcount {
				row.Houses = append(row.Houses, h)
			}
		}
		v.Requests = append(v.Requests, row)
	}
	s.render(w, r, http.StatusOK, "shelter_requests", v)
}

type casePerson struct {
	ID, Name, Relation string
	Busy, StillInside  bool
}

type caseShelterView struct {
	Nav    staffNav
	Notice string
	CaseID int64
	State  string
	People []casePerson
	Stays  []shelter.Stay
	Max    int
	CanAsk bool
	Housed bool
}

// caseShelterPage is a case's shelter page for its handler: its requests
// and stays, the address of a house once one is assigned, and a form to
// ask for a place for some of its people.
func (s *Server) caseShelterPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathShelterID(w, r, sess, "id", "/cases")
	if !ok {
		return
	}
	ctx, ring := r.Context(), sess.Keyring()
	c, err := s.cfg.Cases.Get(ctx, ring, id)
	if err != nil {
		s.shelterFail(w, r, sess, "/cases", err)
		return
	}
	stays, err := s.cfg.Shelter.CaseStays(ctx, ring, id, sess.Actor())
	if err != nil {
		s.shelterFail(w, r, sess, caseURL(id), err)
		return
	}
	busy := map[string]bool{}
	v := caseShelterView{Nav: navFor(sess), Notice: notice(r), CaseID: id, State: c.State, Stays: stays, Max: shelter.MaxHeadcount}
	for _, st := range stays {
		if st.Status == shelter.StatusRequested || st.Status == shelter.StatusStaying {
			for _, p := range st.People {
				busy[p] = true
			}
		}
		if st.Status == shelter.StatusStaying {
			v.Housed = true
		}
	}
	for _, p := range c.People {
		name := p.NameMy
		if name == "" || pageLang(r) == langEn && p.NameLatin != "" {
			name = p.NameLatin
		}
		if p.MergedInto != "" {
			continue
		}
		v.People = append(v.People, casePerson{ID: p.ID, Name: name, Relation: p.Relation, Busy: busy[p.ID], StillInside: p.StillInside})
		if !busy[p.ID] {
			v.CanAsk = true
		}
	}
	s.render(w, r, http.StatusOK, "shelter_case", v)
}
