package web

import (
	"net/http"
	"strconv"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/passage"
)

// passageListView is the coordinator's dashboard: alerts first, then the
// routes (green facts) and the cases in passage still without one.
type passageListView struct {
	Nav        staffNav
	Alerts     []passage.Alert
	Plans      []passage.Summary
	Candidates []passage.Candidate
	Settled    int
}

// passageListPage settles arrivals first: the last hand-over of a route
// is recorded by its guide, and this session's keys move the case on.
func (s *Server) passageListPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	ctx, svc := r.Context(), s.cfg.Passage
	v := passageListView{Nav: navFor(sess)}
	var err error
	if v.Settled, err = svc.Settle(ctx, casework.ActorOf(sess), sess.Keyring()); err == nil {
		if v.Alerts, err = svc.Alerts(ctx, sess.Keyring()); err == nil {
			if v.Plans, err = svc.List(ctx, 200); err == nil {
				v.Candidates, err = svc.Candidates(ctx, 200)
			}
		}
	}
	if err != nil {
		s.passageFail(w, r, sess, "/workspace", err)
		return
	}
	s.render(w, r, http.StatusOK, "passage_list", v)
}

// traveller is a person of the case offered on the plan form.
type traveller struct {
	ID, Name, Relation string
	Checked            bool
}

// legRow is one row of the plan form.
type legRow struct {
	N   int
	Leg passage.Leg
}

// passageNewView is the plan form.
type passageNewView struct {
	Nav        staffNav
	CaseID     int64
	Travellers []traveller
	Legs       []legRow
	Error      string
	Field      string
	FieldLeg   int
	// More is the number of legs the "more legs" link asks for (0: none).
	More int
}

const formLegs = 4

func (s *Server) passageForm(r *http.Request, sess *auth.Session, caseID int64, np *passage.NewPlan) (passageNewView, error) {
	c, err := s.cfg.Cases.Get(r.Context(), sess.Keyring(), caseID)
	if err != nil {
		return passageNewView{}, err
	}
	v := passageNewView{Nav: navFor(sess), CaseID: caseID}
	chosen := map[string]bool{}
	if np != nil {
		for _, t := range np.Travellers {
			chosen[t] = true
		}
	}
	for _, p := range c.People {
		if p.MergedInto != "" {
			continue
		}
		v.Travellers = append(v.Travellers, traveller{ID: p.ID, Name: displayName(p), Relation: p.Relation, Checked: np == nil || chosen[p.ID]})
	}
	n := formLegs
	if np != nil && len(np.Legs) > n {
		n = len(np.Legs)
	}
	if q, err := strconv.Atoi(r.URL.Query().Get("legs")); err == nil && q > n && q <= passage.MaxLegs {
		n = q
	}
	for i := 1; i <= n; i++ {
		row := legRow{N: i}
		if np != nil && i <= len(np.Legs) {
			row.Leg = np.Legs[i-1]
		}
		v.Legs = append(v.Legs, row)
	}
	if n < passage.MaxLegs {
		v.More = min(n+2, passage.MaxLegs)
	}
	return v, nil
}

func (s *Server) pathPassageCase(w http.ResponseWriter, r *http.Request, sess *auth.Session) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("case"), 10, 64)
	if err != nil || id <= 0 {
		s.passageFail(w, r, sess, "/passage", passage.ErrNotFound)
		return 0, false
	}
	return id, true
}

func (s *Server) passageNewPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathPassageCase(w, r, sess)
	if !ok {
		return
	}
	v, err := s.passageForm(r, sess, id, nil)
	if err != nil {
		s.caseFail(w, r, sess, "/passage", err)
		return
	}
	s.render(w, r, http.StatusOK, "passage_new", v)
}

// passageLinksView shows a new plan's guide links, once.
type passageLinksView struct {
	Nav    staffNav
	PlanID string
	Links  []guideLinkView
}

type guideLinkView struct {
	N   int
	URL string
}

// linkURL is the whole address a guide is sent.
func linkURL(r *http.Request, l passage.Link) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + l.Path()
}

func (s *Server) passageCreate(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathPassageCase(w, r, sess)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.passageFail(w, r, sess, "/passage", &passage.FieldError{Field: "form", Reason: "unreadable"})
		return
	}
	np, err := passage.ParsePlanForm(id, r.PostForm)
	if err == nil {
		var c passage.Created
		if c, err = s.cfg.Passage.Plan(r.Context(), casework.ActorOf(sess), sess.Keyring(), np); err == nil {
			v := passageLinksView{Nav: navFor(sess), PlanID: c.PlanID}
			for i, l := range c.Links {
				v.Links = append(v.Links, guideLinkView{N: i + 1, URL: linkURL(r, l)})
			}
			s.render(w, r, http.StatusCreated, "passage_links", v)
			return
		}
	}
	if passage.Code(err) != "invalid" {
		s.passageFail(w, r, sess, "/passage", err)
		return
	}
	// Show the form again with what was typed and the field refused.
	typed := passage.NewPlan{CaseID: id, Travellers: r.PostForm["traveller"]}
	for n := 1; n <= passage.MaxLegs; n++ {
		k := strconv.Itoa(n)
		typed.Legs = append(typed.Legs, passage.Leg{From: r.PostForm.Get("from_" + k), To: r.PostForm.Get("to_" + k), Start: r.PostForm.Get("start_" + k),
			End: r.PostForm.Get("end_" + k), Guide: r.PostForm.Get("guide_" + k), Codeword: r.PostForm.Get("codeword_" + k), Notes: r.PostForm.Get("notes_" + k)})
	}
	for len(typed.Legs) > formLegs && typed.Legs[len(typed.Legs)-1] == (passage.Leg{}) {
		typed.Legs = typed.Legs[:len(typed.Legs)-1]
	}
	v, ferr := s.passageForm(r, sess, id, &typed)
	if ferr != nil {
		s.passageFail(w, r, sess, "/passage", err)
		return
	}
	v.Error = "passage.error.invalid"
	v.FieldLeg, v.Field = passageField(err)
	s.render(w, r, http.StatusBadRequest, "passage_new", v)
}

// passagePlanView is a route as the coordinator reads it.
type passagePlanView struct {
	Nav   staffNav
	Plan  passage.PlanView
	Names []string
}

func (s *Server) passagePlanPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	ctx := r.Context()
	if _, err := s.cfg.Passage.Settle(ctx, casework.ActorOf(sess), sess.Keyring()); err != nil {
		s.passageFail(w, r, sess, "/passage", err)
		return
	}
	pv, err := s.cfg.Passage.Get(ctx, casework.ActorOf(sess), sess.Keyring(), r.PathValue("id"))
	if err != nil {
		s.passageFail(w, r, sess, "/passage", err)
		return
	}
	v := passagePlanView{Nav: navFor(sess), Plan: pv}
	// Names stay in casework: shown when this session opens the case.
	if c, err := s.cfg.Cases.Get(ctx, sess.Keyring(), pv.CaseID); err == nil {
		for _, p := range c.People {
			for _, t := range pv.Travellers {
				if t == p.ID {
					v.Names = append(v.Names, displayName(p))
				}
			}
		}
	}
	s.render(w, r, http.StatusOK, "passage_plan", v)
}

func (s *Server) passageNewLink(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	leg := r.PathValue("id")
	l, err := s.cfg.Passage.NewLink(r.Context(), casework.ActorOf(sess), sess.Keyring(), leg)
	if err != nil {
		s.passageFail(w, r, sess, "/passage", err)
		return
	}
	s.render(w, r, http.StatusCreated, "passage_links", passageLinksView{Nav: navFor(sess), Links: []guideLinkView{{N: 0, URL: linkURL(r, l)}}})
}

func (s *Server) passageCancel(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if err := s.cfg.Passage.Cancel(r.Context(), casework.ActorOf(sess), r.PathValue("id")); err != nil {
		s.passageFail(w, r, sess, "/passage", err)
		return
	}
	seeOther(w, r, "/passage")
}
