package web

import (
	"context"
	"embrace/internal/keys"
	"errors"
	"io"
	"net/http"
	"slices"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/vetting"
)

// vettingPageView is the data of a case's vetting page. Notes and reasons
// were decrypted with the session's keys for this one response.
type vettingPageView struct {
	Nav       staffNav
	V         vetting.View
	Known     map[string]bool // check kinds with a translated label
	Results   []string
	Decisions []string
	Risks     []string
	CanDecide bool
	Me        string // the session's actor name (no confirm button on one's own proposal)
	Pending   bool   // a proposal waits for confirmation
	Notice    string
}

var vettingNotices = map[string]string{"check": "vetting.done.check", "evidence": "vetting.done.evidence", "proposed": "vetting.done.proposed",
	"confirmed": "vetting.done.confirmed", "withdrawn": "vetting.done.withdrawn"}

func (s *Server) vettingPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	v, err := s.cfg.Vetting.Get(r.Context(), sess.Keyring(), id)
	if err != nil {
		s.vetFail(w, r, sess, "/cases", err)
		return
	}
	pv := vettingPageView{Nav: navFor(sess), V: v, Known: map[string]bool{}, Results: vetting.Results(), Decisions: vetting.Decisions(),
		Risks: vetting.Risks(), CanDecide: sess.Can(auth.PermVettingDecide), Me: sess.Actor(), Notice: vettingNotices[r.URL.Query().Get("done")]}
	for _, k := range vetting.DefaultChecklist {
		pv.Known[k] = true
	}
	pv.Pending = slices.ContainsFunc(v.Decisions, func(d vetting.Decision) bool { return d.Status == vetting.StatusProposed })
	s.render(w, r, http.StatusOK, "vetting_case", pv)
}

func (s *Server) vettingCheck(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	err := s.cfg.Vetting.RecordCheck(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, r.PostFormValue("kind"), r.PostFormValue("result"), r.PostFormValue("notes"))
	if err != nil {
		s.vetFail(w, r, sess, vettingURL(id), err)
		return
	}
	seeOther(w, r, vettingURL(id)+"?done=check")
}

// vettingEvidence streams an upload (multipart: the field "kind" first,
// then "file") straight into sealed evidence: the file is never parsed
// into memory whole nor spooled to a temporary file.
func (s *Server) vettingEvidence(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	back := vettingURL(id)
	mr, err := r.MultipartReader()
	if err != nil {
		s.vetFail(w, r, sess, back, &vetting.InputError{Field: "file", Reason: "is missing"})
		return
	}
	kind := ""
	for {
		part, err := mr.NextPart()
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.vetFail(w, r, sess, back, vetting.ErrTooLarge)
				return
			}
			s.vetFail(w, r, sess, back, &vetting.InputError{Field: "file", Reason: "is missing"})
			return
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			kind = string(b)
		case "file":
			_, err := s.cfg.Vetting.AddEvidence(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, kind, part)
			if err != nil {
				s.vetFail(w, r, sess, back, err)
				return
			}
			seeOther(w, r, back+"?done=evidence")
			return
		}
		part.Close()
	}
}

func (s *Server) vettingEvidenceFile(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	eid, ok := s.pathID(w, r, sess, "evidence")
	if !ok {
		return
	}
	data, ctype, err := s.cfg.Vetting.OpenEvidence(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, eid)
	if err != nil {
		s.vetFail(w, r, sess, vettingURL(id), err)
		return
	}
	defer clear(data)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", "attachment")
	w.Write(data)
}

func (s *Server) vettingPropose(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	_, err := s.cfg.Vetting.Propose(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, r.PostFormValue("decision"), r.PostFormValue("risk"), r.PostFormValue("reason"))
	if err != nil {
		s.vetFail(w, r, sess, vettingURL(id), err)
		return
	}
	seeOther(w, r, vettingURL(id)+"?done=proposed")
}

// vettingDecision handles an officer's action on the decision in the path
// (confirm, withdraw), then returns to the vetting page saying done.
func (s *Server) vettingDecision(act func(ctx context.Context, actor casework.Actor, ring *keys.Keyring, id, did int64) error, done string) StaffHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
		id, ok := s.pathCaseID(w, r, sess)
		if !ok {
			return
		}
		did, ok := s.pathID(w, r, sess, "decision")
		if !ok {
			return
		}
		if err := act(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, did); err != nil {
			s.vetFail(w, r, sess, vettingURL(id), err)
			return
		}
		seeOther(w, r, vettingURL(id)+"?done="+done)
	}
}
