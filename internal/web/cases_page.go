package web

import (
	"net/http"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
)

// casePageView is the data of a case's page. Everything red in it was
// decrypted with the session's keys for this one response.
type casePageView struct {
	Nav       staffNav
	Case      casework.Case
	Handler   string
	Names     map[string]string // person id → name shown for threats
	Threats   []casework.Threat
	Notes     []casework.Note
	Tasks     []casework.Task
	Owners    map[int64]string // account id → username
	Timeline  []casework.Event
	Moves     []string // the states this person may move the case to
	CanHandle bool
	CanAssign bool
	CanVet    bool // links the case's vetting page
	Relations []string
	Kinds     []string
	Notice    string
}

// caseNotices are the words a redirect may carry after an action.
var caseNotices = map[string]string{"moved": "cases.done.moved", "assigned": "cases.done.assigned", "unassigned": "cases.done.unassigned",
	"note": "cases.done.note", "task": "cases.done.task", "taskdone": "cases.done.taskdone", "person": "cases.done.person",
	"opened": "cases.done.opened"}

// displayName is how a person is named on staff pages.
func displayName(p casework.Person) string {
	switch {
	case p.NameMy != "" && p.NameLatin != "":
		return p.NameMy + " (" + p.NameLatin + ")"
	case p.NameMy != "":
		return p.NameMy
	case p.NameLatin != "":
		return p.NameLatin
	}
	return "—"
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	ctx, ring, cw := r.Context(), sess.Keyring(), s.cfg.Cases
	c, err := cw.Get(ctx, ring, id)
	if err != nil {
		s.caseFail(w, r, sess, "/cases", err)
		return
	}
	v := casePageView{Nav: navFor(sess), Case: c, Names: map[string]string{}, Owners: map[int64]string{},
		CanHandle: sess.Can(auth.PermCaseHandle), CanAssign: sess.Can(auth.PermCaseAssign), CanVet: sess.Can(auth.PermVettingCheck),
		Relations: []string{"spouse", "child", "parent", "sibling", "other"}, Kinds: casework.ThreatKinds(),
		Notice: caseNotices[r.URL.Query().Get("done")]}
	for _, p := range c.People {
		v.Names[p.ID] = displayName(p)
	}
	for _, m := range casework.Moves(c.State) {
		if sess.Can(m.Perm) {
			v.Moves = append(v.Moves, m.To)
		}
	}
	if c.Handler != 0 {
		if p, err := keys.PrincipalByID(ctx, s.cfg.Store.DB(), c.Handler); err == nil {
			v.Handler = p.Name
		}
	}
	if v.Threats, err = cw.Threats(ctx, ring, id); err == nil {
		if v.Notes, err = cw.Notes(ctx, ring, id); err == nil {
			if v.Tasks, err = cw.Tasks(ctx, ring, id); err == nil {
				v.Timeline, err = cw.Timeline(ctx, ring, id)
			}
		}
	}
	if err != nil {
		s.caseFail(w, r, sess, "/cases", err)
		return
	}
	if len(v.Tasks) > 0 {
		accts, err := s.cfg.Auth.ListAccounts(ctx)
		if err != nil {
			s.caseFail(w, r, sess, "/cases", err)
			return
		}
		for _, a := range accts {
			v.Owners[a.ID] = a.Username
		}
	}
	s.render(w, r, http.StatusOK, "cases_case", v)
}
