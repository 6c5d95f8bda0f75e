package api

import (
	"errors"
	"net/http"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/passage"
)

// passageRoutes registers /passage: routes and their legs, guide links
// (returned once, when made), alerts. Everything needs passage.plan; a
// leg the token's keyring cannot open is 404. The guides' own pages are
// not in the API: they live at /g/{secret} (package web).
func (a *API) passageRoutes() {
	a.pg = a.cfg.Passage
	if a.pg == nil && a.cfg.Store != nil {
		a.pg = passage.New(a.cfg.Store, a.cw, nil)
	}
	a.add("GET", "/passage/plans", a.bearer(auth.PermPassagePlan, a.listPlans))
	a.add("POST", "/passage/plans", a.bearer(auth.PermPassagePlan, a.createPlan))
	a.add("GET", "/passage/plans/{id}", a.bearer(auth.PermPassagePlan, a.getPlan))
	a.add("DELETE", "/passage/plans/{id}", a.bearer(auth.PermPassagePlan, a.cancelPlan))
	a.add("POST", "/passage/legs/{id}/link", a.bearer(auth.PermPassagePlan, a.newLegLink))
	a.add("GET", "/passage/alerts", a.bearer(auth.PermPassagePlan, a.passageAlerts))
}

// passageError maps passage's errors to statuses, naming the refused
// field and never echoing a value.
func (a *API) passageError(w http.ResponseWriter, err error) {
	var b fieldErrorBody
	code := passage.Code(err)
	status := http.StatusInternalServerError
	b.Error.Code = code
	switch code {
	case "invalid":
		status, b.Error.Field = http.StatusBadRequest, passage.Field(err)
		var fe *passage.FieldError
		if errors.As(err, &fe) {
			b.Error.Message = fe.Field + " " + fe.Reason + "."
		}
	case "not_found":
		status, b.Error.Message = http.StatusNotFound, "There is no such route, leg or case, or your keys do not open it."
	case "case_state":
		status, b.Error.Message = http.StatusConflict, "The case is not in passage: its handler moves it to in_passage first."
	case "route_exists":
		status, b.Error.Message = http.StatusConflict, "The case already has a route under way: cancel it to plan another."
	case "leg_complete":
		status, b.Error.Message = http.StatusConflict, "The leg is already handed over, or the route is no longer under way."
	default:
		if errors.Is(err, casework.ErrForbidden) {
			status, b.Error.Code, b.Error.Message = http.StatusForbidden, "forbidden", "Your role does not allow this."
			break
		}
		a.log.Error("passage", "code", code, "err", err)
		b.Error.Code, b.Error.Message = "internal", "The server could not finish this request. Try again in a moment."
	}
	writeJSON(w, status, b)
}

// listPlans settles arrivals with the token's keys first (a guide's last
// hand-over cannot move the case), then lists the routes' green facts.
func (a *API) listPlans(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if _, err := a.pg.Settle(r.Context(), casework.ActorOf(sess), sess.Keyring()); err != nil {
		a.passageError(w, err)
		return
	}
	plans, err := a.pg.List(r.Context(), 500)
	if err != nil {
		a.passageError(w, err)
		return
	}
	cands, err := a.pg.Candidates(r.Context(), 500)
	if err != nil {
		a.passageError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"plans": plans, "unplanned": cands})
}

// createdLeg is a new leg and its guide link: the only time the link is
// ever sent.
type createdLeg struct {
	ID   string `json:"id"`
	Link string `json:"link"`
}

func (a *API) createPlan(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	var np passage.NewPlan
	if !decodeJSON(w, r, &np) {
		return
	}
	c, err := a.pg.Plan(r.Context(), casework.ActorOf(sess), sess.Keyring(), np)
	if err != nil {
		a.passageError(w, err)
		return
	}
	out := struct {
		ID   string       `json:"id"`
		Legs []createdLeg `json:"legs"`
	}{ID: c.PlanID}
	for i, l := range c.Links {
		out.Legs = append(out.Legs, createdLeg{ID: c.LegIDs[i], Link: l.Path()})
	}
	writeJSON(w, http.StatusCreated, out)
}

func (a *API) getPlan(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if _, err := a.pg.Settle(r.Context(), casework.ActorOf(sess), sess.Keyring()); err != nil {
		a.passageError(w, err)
		return
	}
	p, err := a.pg.Get(r.Context(), casework.ActorOf(sess), sess.Keyring(), r.PathValue("id"))
	if err != nil {
		a.passageError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// cancelPlan shreds a route under way at once (outcome cancelled).
func (a *API) cancelPlan(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if err := a.pg.Cancel(r.Context(), casework.ActorOf(sess), r.PathValue("id")); err != nil {
		a.passageError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) newLegLink(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	l, err := a.pg.NewLink(r.Context(), casework.ActorOf(sess), sess.Keyring(), r.PathValue("id"))
	if err != nil {
		a.passageError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, createdLeg{ID: r.PathValue("id"), Link: l.Path()})
}

func (a *API) passageAlerts(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	al, err := a.pg.Alerts(r.Context(), sess.Keyring())
	if err != nil {
		a.passageError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": al})
}
