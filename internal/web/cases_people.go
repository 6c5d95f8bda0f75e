package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
)

// personPageView is the data of a person's page: their red fields, the
// duplicate candidates and the forms that act on them.
type personPageView struct {
	Nav        staffNav
	Person     casework.Person
	Name       string
	Candidates []casework.Candidate
	// NoIndex is true when the session's teams hold no key of the
	// duplicate index (the check could not run; said on the page).
	NoIndex   bool
	CanHandle bool
	Kinds     []string
	Notice    string
}

var personNotices = map[string]string{"edited": "cases.done.edited", "photo": "cases.done.photo", "threat": "cases.done.threat", "merged": "cases.done.merged"}

func personURL(id string) string { return "/people/" + id }

func (s *Server) personPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := s.pathPersonID(w, r, sess)
	if !ok {
		return
	}
	p, err := s.cfg.Cases.GetPerson(r.Context(), sess.Keyring(), pid)
	if err != nil {
		s.caseFail(w, r, sess, "/cases", err)
		return
	}
	v := personPageView{Nav: navFor(sess), Person: p, Name: displayName(p), CanHandle: sess.Can(auth.PermCaseHandle),
		Kinds: casework.ThreatKinds(), Notice: personNotices[r.URL.Query().Get("done")]}
	v.Candidates, err = s.cfg.Cases.Duplicates(r.Context(), sess.Keyring(), pid)
	if errors.Is(err, casework.ErrNoIndex) {
		v.NoIndex, err = true, nil
	}
	if err != nil {
		s.caseFail(w, r, sess, caseURL(p.CaseID), err)
		return
	}
	s.render(w, r, http.StatusOK, "cases_person", v)
}

// personFormView is the data of the add- and edit-person forms.
type personFormView struct {
	Nav       staffNav
	Action    string
	Back      string
	Self      bool
	Relations []string
	Values    map[string]string
	Inside    bool
	Fields    []string
	Risks     []string
	Relocs    []string
}

func (s *Server) renderPersonForm(w http.ResponseWriter, r *http.Request, sess *auth.Session, action, back string, p casework.Person) {
	v := personFormView{Nav: navFor(sess), Action: action, Back: back, Self: p.Relation == "self",
		Relations: []string{"spouse", "child", "parent", "sibling", "other"}, Values: map[string]string{}, Inside: p.StillInside, Fields: personFields,
		Risks: []string{"low", "medium", "high"}, Relocs: []string{"none", "needed", "planned", "done"}}
	for k, x := range personForm(p) {
		v.Values[k] = x[0]
	}
	s.render(w, r, http.StatusOK, "cases_person_form", v)
}

func (s *Server) personNewPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	// Only someone who can open the case gets the form.
	if _, err := s.cfg.Cases.Get(r.Context(), sess.Keyring(), id); err != nil {
		s.caseFail(w, r, sess, "/cases", err)
		return
	}
	s.renderPersonForm(w, r, sess, caseURL(id)+"/people", caseURL(id), casework.Person{Relation: "spouse"})
}

func (s *Server) personAdd(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathCaseID(w, r, sess)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fieldFail(w, r, sess, caseURL(id), "form", "could not be read")
		return
	}
	p, bad := personFromForm(r.PostForm)
	if bad != "" {
		s.fieldFail(w, r, sess, caseURL(id), bad, "is given more than once or is not valid")
		return
	}
	pid, err := s.cfg.Cases.AddPerson(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, p)
	if err != nil {
		s.caseFail(w, r, sess, caseURL(id)+"/people/new", err)
		return
	}
	seeOther(w, r, personURL(pid))
}

func (s *Server) personEditPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := s.pathPersonID(w, r, sess)
	if !ok {
		return
	}
	p, err := s.cfg.Cases.GetPerson(r.Context(), sess.Keyring(), pid)
	if err != nil {
		s.caseFail(w, r, sess, "/cases", err)
		return
	}
	s.renderPersonForm(w, r, sess, personURL(pid), personURL(pid), p)
}

func (s *Server) personEdit(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := s.pathPersonID(w, r, sess)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fieldFail(w, r, sess, personURL(pid), "form", "could not be read")
		return
	}
	p, bad := personFromForm(r.PostForm)
	if bad != "" {
		s.fieldFail(w, r, sess, personURL(pid), bad, "is given more than once or is not valid")
		return
	}
	if err := s.cfg.Cases.UpdatePerson(r.Context(), casework.ActorOf(sess), sess.Keyring(), pid, p); err != nil {
		s.caseFail(w, r, sess, personURL(pid)+"/edit", err)
		return
	}
	seeOther(w, r, personURL(pid)+"?done=edited")
}

// personPhoto serves a person's photo, decrypted for this response only:
// never cached, never sniffed, shown inline only as the image it is.
func (s *Server) personPhoto(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := s.pathPersonID(w, r, sess)
	if !ok {
		return
	}
	data, typ, err := s.cfg.Cases.Photo(r.Context(), sess.Keyring(), pid)
	if err != nil {
		s.caseFail(w, r, sess, "/cases", err)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "inline")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
	clear(data)
}

// personPhotoUpload takes a photo from a multipart form (field "photo").
func (s *Server) personPhotoUpload(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := s.pathPersonID(w, r, sess)
	if !ok {
		return
	}
	f, _, err := r.FormFile("photo")
	if err != nil {
		s.fieldFail(w, r, sess, personURL(pid), "photo", "is missing")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, casework.MaxPhoto+1))
	if err != nil {
		s.fieldFail(w, r, sess, personURL(pid), "photo", "could not be read")
		return
	}
	defer clear(data)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err := s.cfg.Cases.SetPhoto(r.Context(), casework.ActorOf(sess), sess.Keyring(), pid, data); err != nil {
		s.caseFail(w, r, sess, personURL(pid), err)
		return
	}
	seeOther(w, r, personURL(pid)+"?done=photo")
}

func (s *Server) personAddThreat(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := s.pathPersonID(w, r, sess)
	if !ok {
		return
	}
	t := casework.Threat{Kind: r.PostFormValue("kind"), Day: strings.TrimSpace(r.PostFormValue("day")), Details: r.PostFormValue("details")}
	if _, err := s.cfg.Cases.AddThreat(r.Context(), casework.ActorOf(sess), sess.Keyring(), pid, t); err != nil {
		s.caseFail(w, r, sess, personURL(pid), err)
		return
	}
	seeOther(w, r, personURL(pid)+"?done=threat")
}

// personMerge records that this person is the same as the one the form
// names (into): this one is merged into that one; both histories stay.
func (s *Server) personMerge(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	pid, ok := s.pathPersonID(w, r, sess)
	if !ok {
		return
	}
	into := r.PostFormValue("into")
	if !casework.ValidPersonID(into) || into == pid {
		s.fieldFail(w, r, sess, personURL(pid), "into", "is not another person")
		return
	}
	if err := s.cfg.Cases.Merge(r.Context(), casework.ActorOf(sess), sess.Keyring(), into, pid); err != nil {
		s.caseFail(w, r, sess, personURL(pid), err)
		return
	}
	seeOther(w, r, personURL(into)+"?done=merged")
}
