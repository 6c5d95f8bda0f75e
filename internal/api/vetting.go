package api

import (
	"context"
	"embrace/internal/keys"
	"errors"
	"net/http"
	"slices"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/store"
	"embrace/internal/vetting"
)

// vetRoutes registers vetting (/cases/{id}/vetting…), the watch list and
// its alerts (/watchlist…, leads holding the watch-list key only) and the
// quarantine setting. It needs caseRoutes first (it shares their casework
// service).
func (a *API) vetRoutes() {
	a.vet = a.cfg.Vetting
	if a.vet == nil {
		a.vet = vetting.New(a.cfg.Store, a.cw)
		a.cw.SetScreener(a.vet.Screen)
	}
	a.add("GET", "/cases/{id}/vetting", a.bearer(auth.PermVettingCheck, a.getVetting))
	a.add("PUT", "/cases/{id}/vetting/checks/{kind}", a.bearer(auth.PermVettingCheck, a.putCheck))
	a.routes = append(a.routes, route{method: "POST", path: "/cases/{id}/vetting/evidence", limit: vetting.MaxEvidence + 1,
		h: a.bearer(auth.PermVettingCheck, a.addEvidence)})
	a.add("GET", "/cases/{id}/vetting/evidence/{evidence}", a.bearer(auth.PermVettingCheck, a.getEvidence))
	a.add("POST", "/cases/{id}/vetting/decisions", a.bearer(auth.PermVettingDecide, a.proposeDecision))
	a.add("POST", "/cases/{id}/vetting/decisions/{decision}/confirm", a.bearer(auth.PermVettingDecide, a.decisionAction(a.vet.Confirm)))
	a.add("POST", "/cases/{id}/vetting/decisions/{decision}/withdraw", a.bearer(auth.PermVettingDecide, a.decisionAction(a.vet.Withdraw)))
	a.add("GET", "/watchlist", a.bearer(auth.PermWatchList, a.listWatchList))
	a.add("POST", "/watchlist", a.bearer(auth.PermWatchList, a.addWatchEntry))
	a.add("DELETE", "/watchlist/{entry}", a.bearer(auth.PermWatchList, a.removeWatchEntry))
	a.add("GET", "/watchlist/alerts", a.bearer(auth.PermWatchList, a.listAlerts))
	a.add("POST", "/watchlist/alerts/{alert}/dismiss", a.bearer(auth.PermWatchList, a.dismissAlert))
	a.add("PUT", "/vetting/quarantine", a.bearer(auth.PermSettings, a.putQuarantine))
	a.add("PUT", "/vetting/checklist", a.bearer(auth.PermSettings, a.putChecklist))
}

// vetError maps vetting's errors to statuses: bad input 400 naming the
// field, a case not in vetting or a decision no longer open 409, the
// proposer confirming 403, evidence too large 413 or of a refused type
// 415, no key (case or watch list) 404.
func (a *API) vetError(w http.ResponseWriter, err error) {
	var ie *vetting.InputError
	var b fieldErrorBody
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &ie):
		status, b.Error.Code, b.Error.Field = http.StatusBadRequest, "invalid", ie.Field
		b.Error.Message = ie.Field + " " + ie.Reason + "."
	case errors.Is(err, vetting.ErrBadQuarantine):
		status, b.Error.Code, b.Error.Field = http.StatusBadRequest, "invalid", "days"
		b.Error.Message = "days must be a whole number from 0 to 366."
	case errors.Is(err, vetting.ErrNotInVetting):
		status, b.Error.Code, b.Error.Message = http.StatusConflict, "not_in_vetting", "The case is not in vetting: only a case in vetting can be checked or decided."
	case errors.Is(err, vetting.ErrPending):
		status, b.Error.Code, b.Error.Message = http.StatusConflict, "decision_pending", "A decision already waits for confirmation. Confirm or withdraw it first."
	case errors.Is(err, vetting.ErrClosed):
		status, b.Error.Code, b.Error.Message = http.StatusConflict, "decision_closed", "This decision was already confirmed or withdrawn."
	case errors.Is(err, vetting.ErrSameOfficer):
		status, b.Error.Code, b.Error.Message = http.StatusForbidden, "same_officer", "You proposed this decision: a different vetting officer must confirm it."
	case errors.Is(err, vetting.ErrForbidden):
		status, b.Error.Code, b.Error.Message = http.StatusForbidden, "forbidden", "Your role does not allow this."
	case errors.Is(err, vetting.ErrTooLarge):
		status, b.Error.Code, b.Error.Message = http.StatusRequestEntityTooLarge, "too_large", "The file is larger than 10 MiB. Send a smaller scan or photo."
	case errors.Is(err, vetting.ErrFileType):
		status, b.Error.Code, b.Error.Message = http.StatusUnsupportedMediaType, "unsupported_type", "Evidence must be a JPEG or PNG image, a PDF or plain text."
	case errors.Is(err, vetting.ErrNoWatchList):
		status, b.Error.Code, b.Error.Message = http.StatusNotFound, "no_key", "Your keys do not open the watch list. Only vetting leads in the watchlist team hold it."
	case errors.Is(err, store.ErrNotFound):
		status, b.Error.Code, b.Error.Message = http.StatusNotFound, "not_found", caseNotFound
	case errors.Is(err, store.ErrConflict):
		status, b.Error.Code, b.Error.Message = http.StatusConflict, "conflict", "The case changed meanwhile. Reload it and try again."
	default:
		a.log.Error("vetting", "err", err)
		b.Error.Code, b.Error.Message = "internal", "The server could not finish this request. Try again in a moment."
	}
	writeJSON(w, status, b)
}

// pathInt reads a positive id path value; a malformed one is 404.
func pathInt(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, ok := parseID(r, name)
	if !ok {
		writeCaseNotFound(w)
		return 0, false
	}
	return id, true
}

type evidenceJSON struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Actor       string `json:"actor"`
	Day         string `json:"day"`
}

type checkJSON struct {
	Kind     string         `json:"kind"`
	Result   string         `json:"result"`
	Notes    string         `json:"notes"`
	Actor    string         `json:"actor,omitempty"`
	Day      string         `json:"day,omitempty"`
	Evidence []evidenceJSON `json:"evidence"`
}

type decisionJSON struct {
	ID          int64  `json:"id"`
	Decision    string `json:"decision"`
	Risk        string `json:"risk"`
	Status      string `json:"status"`
	Proposer    string `json:"proposer"`
	Confirmer   string `json:"confirmer,omitempty"`
	ProposedDay string `json:"proposed_day"`
	DecidedDay  string `json:"decided_day,omitempty"`
	Reason      string `json:"reason"`
}

// vettingJSON is a case's vetting. open is false when the caller's keys do
// not open the case: notes and reasons are then empty.
type vettingJSON struct {
	Case            int64          `json:"case"`
	State           string         `json:"state"`
	Open            bool           `json:"open"`
	Checks          []checkJSON    `json:"checks"`
	Decisions       []decisionJSON `json:"decisions"`
	VerifiedDay     string         `json:"verified_day,omitempty"`
	QuarantineUntil string         `json:"quarantine_until,omitempty"`
	InQuarantine    bool           `json:"in_quarantine"`
}

func (a *API) getVetting(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	v, err := a.vet.Get(r.Context(), sess.Keyring(), id)
	if err != nil {
		a.vetError(w, err)
		return
	}
	out := vettingJSON{Case: v.CaseID, State: v.State, Open: v.Open, Checks: []checkJSON{}, Decisions: []decisionJSON{},
		VerifiedDay: v.VerifiedDay, QuarantineUntil: v.QuarantineUntil, InQuarantine: v.InQuarantine}
	for _, c := range v.Checks {
		cj := checkJSON{Kind: c.Kind, Result: c.Result, Notes: c.Notes, Actor: c.Actor, Day: c.Day, Evidence: []evidenceJSON{}}
		for _, e := range c.Evidence {
			cj.Evidence = append(cj.Evidence, evidenceJSON{e.ID, e.Kind, e.ContentType, e.Size, e.Actor, e.Day})
		}
		out.Checks = append(out.Checks, cj)
	}
	for _, d := range v.Decisions {
		out.Decisions = append(out.Decisions, decisionJSON{d.ID, d.Decision, d.Risk, d.Status, d.Proposer, d.Confirmer, d.ProposedDay, d.DecidedDay, d.Reason})
	}
	writeJSON(w, http.StatusOK, out)
}

// checkInput is what recording a check takes.
type checkInput struct {
	Result string `json:"result"`
	Notes  string `json:"notes"`
}

func (a *API) putCheck(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	var in checkInput
	if !decodeJSON(w, r, &in) {
		return
	}
	if err := a.vet.RecordCheck(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, r.PathValue("kind"), in.Result, in.Notes); err != nil {
		a.vetError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// addEvidence streams the raw request body (the file itself, any
// Content-Type: the type is sniffed) into sealed evidence for check ?kind=.
func (a *API) addEvidence(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	if r.ContentLength > vetting.MaxEvidence {
		a.vetError(w, vetting.ErrTooLarge)
		return
	}
	eid, err := a.vet.AddEvidence(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, r.URL.Query().Get("kind"), r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = vetting.ErrTooLarge
	}
	if err != nil {
		a.vetError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"id": eid})
}

func (a *API) getEvidence(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	eid, ok := pathInt(w, r, "evidence")
	if !ok {
		return
	}
	data, ctype, err := a.vet.OpenEvidence(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, eid)
	if err != nil {
		a.vetError(w, err)
		return
	}
	defer clear(data)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "attachment")
	w.Write(data)
}

// decisionInput is what proposing a decision takes.
type decisionInput struct {
	Decision string `json:"decision"`
	Risk     string `json:"risk"`
	Reason   string `json:"reason"`
}

func (a *API) proposeDecision(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathCase(w, r)
	if !ok {
		return
	}
	var in decisionInput
	if !decodeJSON(w, r, &in) {
		return
	}
	did, err := a.vet.Propose(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, in.Decision, in.Risk, in.Reason)
	if err != nil {
		a.vetError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"id": did})
}

// decisionAction answers an officer's action on the decision in the path
// (confirm, withdraw): 204, or the action's error.
func (a *API) decisionAction(act func(ctx context.Context, actor casework.Actor, ring *keys.Keyring, id, did int64) error) BearerHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
		id, ok := pathCase(w, r)
		if !ok {
			return
		}
		did, ok := pathInt(w, r, "decision")
		if !ok {
			return
		}
		if err := act(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, did); err != nil {
			a.vetError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// entryJSON is a watch-list entry as the API shows and takes it.
type entryJSON struct {
	ID            int64  `json:"id,omitempty"`
	Created       string `json:"created,omitempty"`
	NameMy        string `json:"name_my"`
	NameLatin     string `json:"name_latin"`
	Aliases       string `json:"aliases"`
	Unit          string `json:"unit"`
	NRC           string `json:"nrc"`
	ServiceNumber string `json:"service_number"`
	Notes         string `json:"notes"`
}

func (a *API) listWatchList(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	es, err := a.vet.Entries(r.Context(), casework.ActorOf(sess), sess.Keyring())
	if err != nil {
		a.vetError(w, err)
		return
	}
	out := make([]entryJSON, 0, len(es))
	for _, e := range es {
		out = append(out, entryJSON{e.ID, e.Created, e.NameMy, e.NameLatin, e.Aliases, e.Unit, e.NRC, e.ServiceNumber, e.Notes})
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
}

func (a *API) addWatchEntry(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	var in entryJSON
	if !decodeJSON(w, r, &in) {
		return
	}
	id, err := a.vet.AddEntry(r.Context(), casework.ActorOf(sess), sess.Keyring(), vetting.Entry{NameMy: in.NameMy, NameLatin: in.NameLatin,
		Aliases: in.Aliases, Unit: in.Unit, NRC: in.NRC, ServiceNumber: in.ServiceNumber, Notes: in.Notes})
	if err != nil {
		a.vetError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"id": id})
}

func (a *API) removeWatchEntry(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathInt(w, r, "entry")
	if !ok {
		return
	}
	if err := a.vet.RemoveEntry(r.Context(), casework.ActorOf(sess), sess.Keyring(), id); err != nil {
		a.vetError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type alertJSON struct {
	ID     int64  `json:"id"`
	Day    string `json:"day"`
	Open   bool   `json:"open"`
	Case   int64  `json:"case"`
	Person string `json:"person"`
	Entry  int64  `json:"entry"`
	How    string `json:"how"`
	Score  int    `json:"score"`
}

// listAlerts matches pending screening records first, then lists open
// alerts (all with ?all=1).
func (a *API) listAlerts(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	all := r.URL.Query().Get("all") == "1"
	as, err := a.vet.Alerts(r.Context(), casework.ActorOf(sess), sess.Keyring(), all)
	if err != nil {
		a.vetError(w, err)
		return
	}
	out := make([]alertJSON, 0, len(as))
	for _, x := range as {
		out = append(out, alertJSON{x.ID, x.Day, x.Open, x.CaseID, x.PersonID, x.EntryID, x.How, x.Score})
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": out})
}

func (a *API) dismissAlert(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathInt(w, r, "alert")
	if !ok {
		return
	}
	if err := a.vet.DismissAlert(r.Context(), casework.ActorOf(sess), sess.Keyring(), id); err != nil {
		a.vetError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) putQuarantine(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	var in struct {
		Days *int `json:"days"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	if in.Days == nil {
		a.vetError(w, vetting.ErrBadQuarantine)
		return
	}
	if err := a.vet.SetQuarantine(r.Context(), casework.ActorOf(sess), *in.Days); err != nil {
		a.vetError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) putChecklist(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	var in struct {
		Checks []string `json:"checks"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	if slices.ContainsFunc(in.Checks, func(c string) bool { return strings.Contains(c, ",") }) {
		a.vetError(w, &vetting.InputError{Field: "checklist", Reason: "must be lowercase identifiers (a-z, 0-9, _)"})
		return
	}
	if err := a.vet.SetChecklistAs(r.Context(), casework.ActorOf(sess), strings.Join(in.Checks, ",")); err != nil {
		a.vetError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
