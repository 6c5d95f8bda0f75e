package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/intake"
	"embrace/internal/store"
)

// inboxView is the data of the inbox page.
type inboxView struct {
	Nav      staffNav
	Status   string
	Statuses []string
	Pending  int64
	Contacts []intake.Summary
	CanOpen  bool
}

func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	status := r.URL.Query().Get("status")
	if status == "" {
		status = "new"
	}
	if !slices.Contains(intake.Statuses, status) {
		s.renderError(w, r, http.StatusBadRequest, "intake.error.invalid")
		return
	}
	list, err := s.cfg.Intake.Queue(r.Context(), status, 200)
	if err != nil {
		s.log.Error("intake: queue", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
		return
	}
	pending, err := s.cfg.Intake.Pending(r.Context())
	if err != nil {
		s.log.Error("intake: queue", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
		return
	}
	s.render(w, r, http.StatusOK, "intake_inbox", inboxView{Nav: navFor(sess), Status: status, Statuses: intake.Statuses, Pending: pending, Contacts: list})
}

// contactView is the data of one contact's page.
type contactView struct {
	Nav     staffNav
	Contact intake.Contact
	CanOpen bool
	Notice  string
	Error   string
}

// inboxFail answers an inbox error: 404 for a contact the person's keys
// cannot open (or that does not exist), a translated message otherwise.
func (s *Server) inboxFail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
	case intake.Code(err) == "internal":
		s.log.Error("intake: inbox", "route", r.Pattern, "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
	default:
		s.renderError(w, r, intakeStatus(err), "intake.error."+intake.Code(err))
	}
}

func (s *Server) showContact(w http.ResponseWriter, r *http.Request, sess *auth.Session, id string, status int, notice, errMsg string) {
	c, err := s.cfg.Intake.Contact(r.Context(), sess.Keyring(), id, sess.Actor())
	if err != nil {
		s.inboxFail(w, r, err)
		return
	}
	s.render(w, r, status, "intake_staff_contact", contactView{Nav: navFor(sess), Contact: c, CanOpen: sess.Can(auth.PermCaseOpen), Notice: notice, Error: errMsg})
}

func (s *Server) inboxContact(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.showContact(w, r, sess, r.PathValue("id"), http.StatusOK, inboxNotices[r.URL.Query().Get("done")], "")
}

// notices a redirect may name (the query carries only this word).
var inboxNotices = map[string]string{"replied": "intake.inbox.replied", "spam": "intake.inbox.spammed", "case": "intake.inbox.opened", "merged": "intake.inbox.merged", "recorded": "intake.inbox.recorded"}

func (s *Server) afterAction(w http.ResponseWriter, r *http.Request, id, done string) {
	http.Redirect(w, r, "/inbox/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
}

func (s *Server) inboxFile(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	a, content, err := s.cfg.Intake.Attachment(r.Context(), sess.Keyring(), r.PathValue("id"), r.PathValue("file"), sess.Actor())
	if err != nil {
		s.inboxFail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", a.Type)
	// Always a download, never rendered in the staff origin.
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(a.Name))
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	w.Write(content)
	clear(content)
}

func (s *Server) inboxReply(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id := r.PathValue("id")
	err := s.cfg.Intake.Reply(r.Context(), sess.Keyring(), id, sess.Actor(), sess.Username, r.PostFormValue("message"))
	if err != nil {
		if errors.Is(err, intake.ErrInvalid) {
			s.showContact(w, r, sess, id, http.StatusBadRequest, "", "intake.error.reply")
			return
		}
		s.inboxFail(w, r, err)
		return
	}
	s.afterAction(w, r, id, "replied")
}

func (s *Server) inboxSpam(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id := r.PathValue("id")
	if err := s.cfg.Intake.MarkSpam(r.Context(), sess.Keyring(), id, sess.Actor()); err != nil {
		s.inboxFail(w, r, err)
		return
	}
	s.afterAction(w, r, id, "spam")
}

func (s *Server) inboxMerge(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id := r.PathValue("id")
	caseID, perr := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("case")), 10, 64)
	if perr != nil || caseID <= 0 {
		s.showContact(w, r, sess, id, http.StatusBadRequest, "", "intake.error.caseid")
		return
	}
	if err := s.cfg.Intake.Merge(r.Context(), sess.Keyring(), id, caseID, sess.Actor()); err != nil {
		if errors.Is(err, intake.ErrNoCase) {
			s.showContact(w, r, sess, id, http.StatusNotFound, "", "intake.error.nocase")
			return
		}
		s.inboxFail(w, r, err)
		return
	}
	s.afterAction(w, r, id, "merged")
}

func (s *Server) inboxOpenCase(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id := r.PathValue("id")
	caseID, err := s.cfg.Intake.OpenCase(r.Context(), sess.Keyring(), id, sess.Actor())
	if err != nil {
		s.inboxFail(w, r, err)
		return
	}
	// Land on the new case when this server has the case pages.
	if s.cfg.Cases != nil {
		seeOther(w, r, caseURL(caseID)+"?done=opened")
		return
	}
	s.afterAction(w, r, id, "case")
}

// recordView is the data of the "record a contact" page.
type recordView struct {
	contactForm
	Nav      staffNav
	Channel  string
	Channels []string
}

func (s *Server) recordForm(r *http.Request, sess *auth.Session, f intake.Form, channel string) recordView {
	cf, _ := s.newContactForm(r, f)
	cf.Token = ""
	var chans []string
	for _, c := range intake.Channels {
		if c != "web" {
			chans = append(chans, c)
		}
	}
	return recordView{contactForm: cf, Nav: navFor(sess), Channel: channel, Channels: chans}
}

func (s *Server) recordPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.render(w, r, http.StatusOK, "intake_record", s.recordForm(r, sess, intake.Form{}, ""))
}

func (s *Server) recordSubmit(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "intake.error.malformed")
		return
	}
	pf := r.PostForm
	f := intake.Form{Who: pf.Get("who"), Service: pf.Get("service"), Rank: pf.Get("rank"), Unit: pf.Get("unit"), Region: pf.Get("region"),
		Place: pf.Get("place"), Reach: pf.Get("reach"), Message: pf.Get("message")}
	channel := pf.Get("channel")
	id, err := s.cfg.Intake.Record(r.Context(), sess.Actor(), channel, f)
	if err != nil {
		if intake.Code(err) == "internal" {
			s.inboxFail(w, r, err)
			return
		}
		v := s.recordForm(r, sess, f, channel)
		v.Error = "intake.error." + intake.Code(err)
		if fld := intake.Field(err); fld != "" {
			v.Field = "intake.field." + fld
		}
		s.render(w, r, intakeStatus(err), "intake_record", v)
		return
	}
	s.afterAction(w, r, id, "recorded")
}
