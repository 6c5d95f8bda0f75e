package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// caseRoutes registers /cases and /people: cases, their lifecycle,
// assignment, people, notes, tasks, timeline and duplicates. Reading needs
// case.read and a key: a case the token's keyring cannot open is 404 on
// every route, as if it did not exist.
func (a *API) caseRoutes() {
	a.cw = a.cfg.Cases
	if a.cw == nil {
		a.cw = casework.New(a.cfg.Store)
	}
	a.add("GET", "/cases", a.bearer(auth.PermCaseRead, a.listCases))
	a.add("POST", "/cases", a.bearer(auth.PermCaseOpen, a.createCase))
	a.add("GET", "/cases/{id}", a.bearer(auth.PermCaseRead, a.getCase))
	a.add("POST", "/cases/{id}/transitions", a.bearer(auth.PermCaseRead, a.transitionCase))
	a.add("PUT", "/cases/{id}/assignment", a.bearer(auth.PermCaseAssign, a.assignCase))
	a.add("DELETE", "/cases/{id}/assignment", a.bearer(auth.PermCaseAssign, a.unassignCase))
	a.add("GET", "/cases/{id}/notes", a.bearer(auth.PermCaseRead, a.listNotes))
	a.add("POST", "/cases/{id}/notes", a.bearer(auth.PermCaseHandle, a.addNote))
	a.add("GET", "/cases/{id}/tasks", a.bearer(auth.PermCaseRead, a.listTasks))
	a.add("POST", "/cases/{id}/tasks", a.bearer(auth.PermCaseHandle, a.addTask))
	a.add("PATCH", "/cases/{id}/tasks/{task}", a.bearer(auth.PermCaseHandle, a.updateTask))
	a.add("GET", "/cases/{id}/timeline", a.bearer(auth.PermCaseRead, a.timeline))
	a.add("POST", "/cases/{id}/people", a.bearer(auth.PermCaseHandle, a.addPerson))
	a.add("GET", "/people/{id}", a.bearer(auth.PermCaseRead, a.getPerson))
	a.add("PUT", "/people/{id}", a.bearer(auth.PermCaseHandle, a.updatePerson))
	a.add("GET", "/people/{id}/duplicates", a.bearer(auth.PermCaseRead, a.duplicates))
	a.add("POST", "/people/{id}/merge", a.bearer(auth.PermCaseHandle, a.mergePerson))
	a.add("POST", "/people/{id}/threats", a.bearer(auth.PermCaseHandle, a.addThreat))
	a.add("PUT", "/people/{id}/photo", a.bearer(auth.PermCaseHandle, a.putPhoto))
	a.add("GET", "/people/{id}/photo", a.bearer(auth.PermCaseRead, a.getPhoto))
}

func (a *API) cases() *casework.Service { return a.cw }

// fieldErrorBody is the error shape with the field that was refused.
type fieldErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
	Allowed []string `json:"allowed,omitempty"`
}

// caseError maps casework's errors to statuses: bad input 400 naming the
// field, no key (or no case) 404, an illegal move 409 with the allowed
// states, a role without the move's permission 403.
func (a *API) caseError(w http.ResponseWriter, err error) {
	var fe *casework.FieldError
	var te *casework.TransitionError
	var b fieldErrorBody
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &fe):
		status, b.Error.Code, b.Error.Field = http.StatusBadRequest, "invalid", fe.Field
		b.Error.Message = fe.Field + " " + fe.Reason + "."
	case errors.As(err, &te):
		status, b.Error.Code, b.Allowed = http.StatusConflict, "illegal_transition", te.Allowed
		if b.Allowed == nil {
			b.Allowed = []string{}
		}
		b.Error.Message = "A case in " + te.From + " cannot move to " + te.To + ". See allowed for the states it can move to."
	case errors.Is(err, casework.ErrNotUser):
		status, b.Error.Code, b.Error.Field, b.Error.Message = http.StatusBadRequest, "invalid", "username", "username is not a staff account."
	case errors.Is(err, casework.ErrForbidden):
		status, b.Error.Code, b.Error.Message = http.StatusForbidden, "forbidden", "Your role does not allow this move. Ask someone whose role does."
	case errors.Is(err, casework.ErrNeedsDecision):
		status, b.Error.Code, b.Error.Message = http.StatusConflict, "needs_decision", "Vetting's verdicts need two officers: propose the decision under /cases/{id}/vetting/decisions and have a different officer confirm it."
	case errors.Is(err, casework.ErrNoIndex):
		status, b.Error.Code, b.Error.Message = http.StatusForbidden, "no_index_key", "Your teams hold no key of the duplicate index. Ask a member of the intake, vetting or casework team."
	case errors.Is(err, store.ErrNotFound):
		status, b.Error.Code, b.Error.Message = http.StatusNotFound, "not_found", caseNotFound
	case errors.Is(err, store.ErrConflict):
		status, b.Error.Code, b.Error.Message = http.StatusConflict, "conflict", "The case changed meanwhile. Reload it and try again."
	default:
		a.log.Error("casework", "err", err)
		b.Error.Code, b.Error.Message = "internal", "The server could not finish this request. Try again in a moment."
	}
	writeJSON(w, status, b)
}

// pathCase reads {id}; a malformed id is 404 like a missing case.
func pathCase(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeCaseNotFound(w)
		return 0, false
	}
	return id, true
}

func pathPerson(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("id")
	if !casework.ValidPersonID(id) {
		writeCaseNotFound(w)
		return "", false
	}
	return id, true
}

// personJSON is a person as the API shows and takes it.
type personJSON struct {
	ID              string `json:"id,omitempty"`
	Relation        string `json:"relation,omitempty"`
	StillInside     bool   `json:"still_inside"`
	Risk            string `json:"risk"`
	Relocation      string `json:"relocation"`
	MergedInto      string `json:"merged_into,omitempty"`
	HasPhoto        bool   `json:"has_photo"`
	NameMy          string `json:"name_my"`
	NameLatin       string `json:"name_latin"`
	Aliases         string `json:"aliases"`
	DateOfBirth     string `json:"dob"`
	NRC             string `json:"nrc"`
	ServiceNumber   string `json:"service_number"`
	Rank            string `json:"rank"`
	Unit            string `json:"unit"`
	Phone           string `json:"phone"`
	Place           string `json:"place"`
	RelocationNeeds string `json:"relocation_needs"`
}

// personInput is what adding or editing a person takes.
type personInput struct {
	Relation        string `json:"relation"`
	StillInside     bool   `json:"still_inside"`
	Risk            string `json:"risk"`
	Relocation      string `json:"relocation"`
	NameMy          string `json:"name_my"`
	NameLatin       string `json:"name_latin"`
	Aliases         string `json:"aliases"`
	DateOfBirth     string `json:"dob"`
	NRC             string `json:"nrc"`
	ServiceNumber   string `json:"service_number"`
	Rank            string `json:"rank"`
	Unit            string `json:"unit"`
	Phone           string `json:"phone"`
	Place           string `json:"place"`
	RelocationNeeds string `json:"relocation_needs"`
}

func (p personInput) person() casework.Person {
	return casework.Person{Relation: p.Relation, StillInside: p.StillInside, Risk: p.Risk, Relocation: p.Relocation,
		NameMy: p.NameMy, NameLatin: p.NameLatin, Aliases: p.Aliases, DateOfBirth: p.DateOfBirth, NRC: p.NRC,
		ServiceNumber: p.ServiceNumber, Rank: p.Rank, Unit: p.Unit, Phone: p.Phone, Place: p.Place, RelocationNeeds: p.RelocationNeeds}
}

func personOut(p casework.Person) personJSON {
	return personJSON{ID: p.ID, Relation: p.Relation, StillInside: p.StillInside, Risk: p.Risk, Relocation: p.Relocation,
		MergedInto: p.MergedInto, HasPhoto: p.HasPhoto, NameMy: p.NameMy, NameLatin: p.NameLatin, Aliases: p.Aliases,
		DateOfBirth: p.DateOfBirth, NRC: p.NRC, ServiceNumber: p.ServiceNumber, Rank: p.Rank, Unit: p.Unit, Phone: p.Phone,
		Place: p.Place, RelocationNeeds: p.RelocationNeeds}
}

// summaryJSON is a case's green data.
type summaryJSON struct {
	ID           int64  `json:"id"`
	State        string `json:"state"`
	Team         string `json:"team"`
	Handler      string `json:"handler,omitempty"`
	Service      string `json:"service"`
	RankBand     string `json:"rank_band"`
	Region       string `json:"region"`
	ContactMonth string `json:"contact_month"`
	WithArms     bool   `json:"with_arms"`
	WithVehicle  bool   `json:"with_vehicle"`
	Dependants   int    `json:"dependants"`
	Created      string `json:"created"`
	Updated      string `json:"updated"`
}

func (a *API) summaryOut(ctx context.Context, s casework.Summary) summaryJSON {
	out := summaryJSON{ID: s.ID, State: s.State, Team: s.Team, Service: s.Service, RankBand: s.RankBand, Region: s.Region,
		ContactMonth: s.ContactMonth, WithArms: s.WithArms, WithVehicle: s.WithVehicle, Dependants: s.Dependants, Created: s.Created, Updated: s.Updated}
	if s.Handler != 0 {
		if p, err := keys.PrincipalByID(ctx, a.cfg.Store.DB(), s.Handler); err == nil {
			out.Handler = p.Name
		}
	}
	return out
}

type threatJSON struct {
	ID       int64  `json:"id"`
	PersonID string `json:"person_id"`
	Kind     string `json:"kind"`
	Day      string `json:"day"`
	Details  string `json:"details"`
}

type caseJSON struct {
	summaryJSON
	Allowed []string     `json:"allowed"`
	People  []personJSON `json:"people"`
	Threats []threatJSON `json:"threats"`
}

// listCases: ?view=mine (assigned to me), ?team=T (a team queue of one of
// my teams), ?state=S, ?before=ID, ?limit=N. Green data only.
func (a *API) listCases(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	q := r.URL.Query()
	f := casework.Filter{State: q.Get("state"), Team: q.Get("team")}
	if f.State != "" && !casework.KnownState(f.State) {
		a.caseError(w, &casework.FieldError{Field: "state", Reason: "is not a case state"})
		return
	}
	if f.Team != "" && !slices.Contains(sess.Teams, auth.Team(f.Team)) {
		a.caseError(w, &casework.FieldError{Field: "team", Reason: "is not one of your teams"})
		return
	}
	switch q.Get("view") {
	case "", "all":
	case "mine":
		f.Handler = sess.PrincipalID
	default:
		a.caseError(w, &casework.FieldError{Field: "view", Reason: "must be mine or all"})
		return
	}
	for name, dst := range map[string]*int64{"before": &f.Before} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				a.caseError(w, &casework.FieldError{Field: name, Reason: "must be a case id"})
				return
			}
			*dst = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			a.caseError(w, &casework.FieldError{Field: "limit", Reason: "must be 1 to 500"})
			return
		}
		f.Limit = n
	}
	list, err := a.cases().Find(r.Context(), f)
	if err != nil {
		a.caseError(w, err)
		return
	}
	out := make([]summaryJSON, 0, len(list))
	for _, c := range list {
		out = append(out, a.summaryOut(r.Context(), c))
	}
	writeJSON(w, http.StatusOK, struct {
		Cases []summaryJSON `json:"cases"`
	}{out})
}

type createCaseRequest struct {
	Service      string        `json:"service"`
	RankBand     string        `json:"rank_band"`
	Region       string        `json:"region"`
	ContactMonth string        `json:"contact_month"`
	WithArms     bool          `json:"with_arms"`
	WithVehicle  bool          `json:"with_vehicle"`
	Defector     personInput   `json:"defector"`
	Family       []personInput `json:"family"`
}

// createCase opens a case wrapped to the intake team and to its opener.
func (a *API) createCase(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	var req createCaseRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	nc := casework.NewCase{
		Green: casework.Green{Service: req.Service, RankBand: req.RankBand, Region: req.Region, ContactMonth: req.ContactMonth,
			WithArms: req.WithArms, WithVehicle: req.WithVehicle},
		Defector: req.Defector.person(),
	}
	if len(req.Family) > 30 {
		a.caseError(w, &casework.FieldError{Field: "family", Reason: "has too many people"})
		return
	}
	for _, p := range req.Family {
		nc.Family = append(nc.Family, p.person())
	}
	ctx := r.Context()
	var to []keys.Principal
	if team, err := keys.LookupPrincipal(ctx, a.cfg.Store.DB(), keys.KindTeam, casework.TeamIntake); err == nil {
		to = append(to, team)
	} else if !errors.Is(err, store.ErrNotFound) {
		a.caseError(w, err)
		return
	}
	me, err := keys.PrincipalByID(ctx, a.cfg.Store.DB(), sess.PrincipalID)
	if err != nil {
		a.caseError(w, err)
		return
	}
	to = append(to, me)
	id, err := a.cases().OpenAs(ctx, casework.ActorOf(sess), nc, to...)
	if err != nil {
		a.caseError(w, err)
		return
	}
	w.Header().Set("Location", Prefix+"/cases/"+strconv.FormatInt(id, 10))
	a.writeCase(w, r, sess, id, http.StatusCreated)
}

func (a *API) getCase(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	a.writeCase(w, r, sess, id, http.StatusOK)
}

func (a *API) writeCase(w http.ResponseWriter, r *http.Request, sess *auth.Session, id int64, status int) {
	c, err := a.cases().Get(r.Context(), sess.Keyring(), id)
	if err != nil {
		a.caseError(w, err)
		return
	}
	th, err := a.cases().Threats(r.Context(), sess.Keyring(), id)
	if err != nil {
		a.caseError(w, err)
		return
	}
	out := caseJSON{summaryJSON: a.summaryOut(r.Context(), c.Summary), Allowed: c.Allowed, People: []personJSON{}, Threats: []threatJSON{}}
	for _, p := range c.People {
		out.People = append(out.People, personOut(p))
	}
	for _, t := range th {
		out.Threats = append(out.Threats, threatJSON{t.ID, t.PersonID, t.Kind, t.Day, t.Details})
	}
	writeJSON(w, status, out)
}

type transitionRequest struct {
	To     string `json:"to"`
	Reason string `json:"reason"`
}

func (a *API) transitionCase(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	var req transitionRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if err := a.cases().Transition(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, req.To, req.Reason); err != nil {
		a.caseError(w, err)
		return
	}
	s, err := a.cases().Summary(r.Context(), id)
	if err != nil {
		a.caseError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		summaryJSON
		Allowed []string `json:"allowed"`
	}{a.summaryOut(r.Context(), s), casework.AllowedFrom(s.State)})
}

type assignRequest struct {
	Username string `json:"username"`
}

func (a *API) assignCase(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	var req assignRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	name := auth.NormalizeUsername(req.Username)
	if !auth.ValidUsername(name) {
		a.caseError(w, &casework.FieldError{Field: "username", Reason: "is not a staff account"})
		return
	}
	p, err := keys.LookupPrincipal(r.Context(), a.cfg.Store.DB(), keys.KindUser, name)
	if errors.Is(err, store.ErrNotFound) {
		a.caseError(w, &casework.FieldError{Field: "username", Reason: "is not a staff account"})
		return
	}
	if err != nil {
		a.caseError(w, err)
		return
	}
	if err := a.cases().Assign(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, p); err != nil {
		a.caseError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) unassignCase(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	if err := a.cases().Unassign(r.Context(), casework.ActorOf(sess), sess.Keyring(), id); err != nil {
		a.caseError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type noteJSON struct {
	ID     int64  `json:"id"`
	Author string `json:"author"`
	Day    string `json:"day"`
	Text   string `json:"text"`
}

func (a *API) listNotes(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	ns, err := a.cases().Notes(r.Context(), sess.Keyring(), id)
	if err != nil {
		a.caseError(w, err)
		return
	}
	out := make([]noteJSON, 0, len(ns))
	for _, n := range ns {
		out = append(out, noteJSON{n.ID, n.Author, n.Day, n.Text})
	}
	writeJSON(w, http.StatusOK, struct {
		Notes []noteJSON `json:"notes"`
	}{out})
}

func (a *API) addNote(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	var req struct {
		Text string `json:"text"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	nid, err := a.cases().AddNote(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, req.Text)
	if err != nil {
		a.caseError(w, err)
		return
	}
	writeCreated(w, nid)
}

type taskJSON struct {
	ID      int64  `json:"id"`
	Text    string `json:"text"`
	Due     string `json:"due"`
	Owner   int64  `json:"owner"`
	Done    bool   `json:"done"`
	Created string `json:"created"`
}

func (a *API) listTasks(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	ts, err := a.cases().Tasks(r.Context(), sess.Keyring(), id)
	if err != nil {
		a.caseError(w, err)
		return
	}
	out := make([]taskJSON, 0, len(ts))
	for _, t := range ts {
		out = append(out, taskJSON{t.ID, t.Text, t.Due, t.Owner, t.Done, t.Created})
	}
	writeJSON(w, http.StatusOK, struct {
		Tasks []taskJSON `json:"tasks"`
	}{out})
}

func (a *API) addTask(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	var req struct {
		Text  string `json:"text"`
		Due   string `json:"due"`
		Owner int64  `json:"owner"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	tid, err := a.cases().AddTask(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, casework.NewTask{Text: req.Text, Due: req.Due, Owner: req.Owner})
	if err != nil {
		a.caseError(w, err)
		return
	}
	writeCreated(w, tid)
}

func (a *API) updateTask(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	tid, err := strconv.ParseInt(r.PathValue("task"), 10, 64)
	if err != nil || tid <= 0 {
		writeCaseNotFound(w)
		return
	}
	var req struct {
		Done *bool `json:"done"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.Done == nil {
		a.caseError(w, &casework.FieldError{Field: "done", Reason: "is required"})
		return
	}
	if err := a.cases().SetTaskDone(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, tid, *req.Done); err != nil {
		a.caseError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type eventJSON struct {
	ID     int64  `json:"id"`
	Day    string `json:"day"`
	Actor  string `json:"actor"`
	Kind   string `json:"kind"`
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	Detail string `json:"detail,omitempty"`
}

func (a *API) timeline(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	es, err := a.cases().Timeline(r.Context(), sess.Keyring(), id)
	if err != nil {
		a.caseError(w, err)
		return
	}
	out := make([]eventJSON, 0, len(es))
	for _, e := range es {
		out = append(out, eventJSON{e.ID, e.Day, e.Actor, e.Kind, e.From, e.To, e.Detail})
	}
	writeJSON(w, http.StatusOK, struct {
		Events []eventJSON `json:"events"`
	}{out})
}

func (a *API) addPerson(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	var req personInput
	if !decodeJSON(w, r, &req) {
		return
	}
	pid, err := a.cases().AddPerson(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, req.person())
	if err != nil {
		a.caseError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		ID string `json:"id"`
	}{pid})
}

func (a *API) getPerson(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := pathPerson(w, r)
	if !ok {
		return
	}
	p, err := a.cases().GetPerson(r.Context(), sess.Keyring(), pid)
	if err != nil {
		a.caseError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		personJSON
		CaseID int64 `json:"case_id"`
	}{personOut(p), p.CaseID})
}

func (a *API) updatePerson(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := pathPerson(w, r)
	if !ok {
		return
	}
	var req personInput
	if !decodeJSON(w, r, &req) {
		return
	}
	if err := a.cases().UpdatePerson(r.Context(), casework.ActorOf(sess), sess.Keyring(), pid, req.person()); err != nil {
		a.caseError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type candidateJSON struct {
	PersonID string   `json:"person_id"`
	CaseID   int64    `json:"case_id"`
	Score    float64  `json:"score"`
	Reasons  []string `json:"reasons"`
}

func (a *API) duplicates(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := pathPerson(w, r)
	if !ok {
		return
	}
	cs, err := a.cases().Duplicates(r.Context(), sess.Keyring(), pid)
	if err != nil {
		a.caseError(w, err)
		return
	}
	out := make([]candidateJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, candidateJSON{c.PersonID, c.CaseID, c.Score, c.Reasons})
	}
	writeJSON(w, http.StatusOK, struct {
		Candidates []candidateJSON `json:"candidates"`
	}{out})
}

func (a *API) mergePerson(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := pathPerson(w, r)
	if !ok {
		return
	}
	var req struct {
		Into string `json:"into"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	if !casework.ValidPersonID(req.Into) {
		a.caseError(w, &casework.FieldError{Field: "into", Reason: "is not a person id"})
		return
	}
	if err := a.cases().Merge(r.Context(), casework.ActorOf(sess), sess.Keyring(), req.Into, pid); err != nil {
		a.caseError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) addThreat(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := pathPerson(w, r)
	if !ok {
		return
	}
	var req struct {
		Kind    string `json:"kind"`
		Day     string `json:"day"`
		Details string `json:"details"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	tid, err := a.cases().AddThreat(r.Context(), casework.ActorOf(sess), sess.Keyring(), pid, casework.Threat{Kind: req.Kind, Day: req.Day, Details: req.Details})
	if err != nil {
		a.caseError(w, err)
		return
	}
	writeCreated(w, tid)
}

// putPhoto takes the image itself as the body (image/jpeg, png or webp).
func (a *API) putPhoto(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := pathPerson(w, r)
	if !ok {
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, casework.MaxPhoto+1))
	if err != nil {
		WriteError(w, http.StatusRequestEntityTooLarge, "too_large", "The request body is too large.")
		return
	}
	if err := a.cases().SetPhoto(r.Context(), casework.ActorOf(sess), sess.Keyring(), pid, data); err != nil {
		a.caseError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) getPhoto(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := pathPerson(w, r)
	if !ok {
		return
	}
	data, typ, err := a.cases().Photo(r.Context(), sess.Keyring(), pid)
	if err != nil {
		a.caseError(w, err)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(data)
}

func strconvFormat(n int64) string { return strconv.FormatInt(n, 10) }

// caseNotFound is the answer for a case or person that does not exist and
// for one the caller's keys do not open: the two look alike, so existence
// is not revealed.
const caseNotFound = "There is nothing here, or your keys do not open it."

func writeCaseNotFound(w http.ResponseWriter) {
	WriteError(w, http.StatusNotFound, "not_found", caseNotFound)
}

// writeCreated answers 201 with the new object's id.
func writeCreated(w http.ResponseWriter, id int64) {
	writeJSON(w, http.StatusCreated, struct {
		ID int64 `json:"id"`
	}{id})
}
