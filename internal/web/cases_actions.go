package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// caseTransition moves a case to the state the form names, with a reason.
// An illegal move is a 409 page listing the states it may move to.
func (s *Server) caseTransition(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	err := s.cfg.Cases.Transition(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, r.PostFormValue("to"), r.PostFormValue("reason"))
	if err != nil {
		s.caseFail(w, r, sess, caseURL(id), err)
		return
	}
	seeOther(w, r, caseURL(id)+"?done=moved")
}

// caseAssign makes the named staff account the case's handler (wrapping
// the case key to them).
func (s *Server) caseAssign(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	name := auth.NormalizeUsername(r.PostFormValue("username"))
	if !auth.ValidUsername(name) {
		s.fieldFail(w, r, sess, caseURL(id), "username", "is not a staff account")
		return
	}
	p, err := keys.LookupPrincipal(r.Context(), s.cfg.Store.DB(), keys.KindUser, name)
	if errors.Is(err, store.ErrNotFound) {
		s.fieldFail(w, r, sess, caseURL(id), "username", "is not a staff account")
		return
	}
	if err == nil {
		err = s.cfg.Cases.Assign(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, p)
	}
	if err != nil {
		s.caseFail(w, r, sess, caseURL(id), err)
		return
	}
	seeOther(w, r, caseURL(id)+"?done=assigned")
}

func (s *Server) caseUnassign(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	if err := s.cfg.Cases.Unassign(r.Context(), casework.ActorOf(sess), sess.Keyring(), id); err != nil {
		s.caseFail(w, r, sess, caseURL(id), err)
		return
	}
	seeOther(w, r, caseURL(id)+"?done=unassigned")
}

func (s *Server) caseAddNote(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	if _, err := s.cfg.Cases.AddNote(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, r.PostFormValue("text")); err != nil {
		s.caseFail(w, r, sess, caseURL(id), err)
		return
	}
	seeOther(w, r, caseURL(id)+"?done=note")
}

// caseAddTask adds a task; the owner is a staff username (or none).
func (s *Server) caseAddTask(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	t := casework.NewTask{Text: r.PostFormValue("text"), Due: strings.TrimSpace(r.PostFormValue("due"))}
	if owner := strings.TrimSpace(r.PostFormValue("owner")); owner != "" {
		name := auth.NormalizeUsername(owner)
		if !auth.ValidUsername(name) {
			s.fieldFail(w, r, sess, caseURL(id), "owner", "is not a staff account")
			return
		}
		a, err := s.cfg.Auth.GetAccount(r.Context(), name)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) || errors.Is(err, auth.ErrNotFound) {
				s.fieldFail(w, r, sess, caseURL(id), "owner", "is not a staff account")
				return
			}
			s.caseFail(w, r, sess, caseURL(id), err)
			return
		}
		t.Owner = a.ID
	}
	if _, err := s.cfg.Cases.AddTask(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, t); err != nil {
		s.caseFail(w, r, sess, caseURL(id), err)
		return
	}
	seeOther(w, r, caseURL(id)+"?done=task")
}

// caseTaskDone marks a task done (done=1) or open again (done=0).
func (s *Server) caseTaskDone(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	tid, err := strconv.ParseInt(r.PathValue("task"), 10, 64)
	if err != nil || tid <= 0 {
		s.notFoundCase(w, r, sess)
		return
	}
	var done bool
	switch r.PostFormValue("done") {
	case "1":
		done = true
	case "0":
	default:
		s.fieldFail(w, r, sess, caseURL(id), "done", "must be 1 or 0")
		return
	}
	if err := s.cfg.Cases.SetTaskDone(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, tid, done); err != nil {
		s.caseFail(w, r, sess, caseURL(id), err)
		return
	}
	seeOther(w, r, caseURL(id)+"?done=taskdone")
}
