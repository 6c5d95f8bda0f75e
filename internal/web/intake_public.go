package web

import (
	"errors"
	"net"
	"net/http"
	"strconv"

	"embrace/internal/auth"
	"embrace/internal/intake"
	"embrace/internal/myanmar"
)

// intakeRoutes registers the public contact pages and the intake inbox.
// The public pages carry no script, no outside resource, and never put a
// receipt in a URL: it is typed into a form and posted.
func (s *Server) intakeRoutes() {
	if s.cfg.Intake == nil {
		return
	}
	body := s.cfg.Intake.Config().MaxBody()
	s.handle("GET /contact", s.contactPage)
	s.handleLimit("POST /contact", body, s.contactSubmit)
	s.handle("GET /contact/thread", s.threadOpenPage)
	s.handle("POST /contact/thread", s.threadOpen)
	s.handleLimit("POST /contact/thread/reply", body, s.threadReply)

	s.staff("GET /inbox", auth.PermIntakeQueue, s.inboxPage)
	s.staff("GET /inbox/record", auth.PermIntakeQueue, s.recordPage)
	s.staff("POST /inbox/record", auth.PermIntakeQueue, s.recordSubmit)
	s.staff("GET /inbox/{id}", auth.PermIntakeQueue, s.inboxContact)
	s.staff("GET /inbox/{id}/files/{file}", auth.PermIntakeQueue, s.inboxFile)
	s.staff("POST /inbox/{id}/reply", auth.PermIntakeQueue, s.inboxReply)
	s.staff("POST /inbox/{id}/spam", auth.PermIntakeQueue, s.inboxSpam)
	s.staff("POST /inbox/{id}/merge", auth.PermIntakeQueue, s.inboxMerge)
	s.staff("POST /inbox/{id}/case", auth.PermCaseOpen, s.inboxOpenCase)
}

// clientOf names the sender of a request for rate limits only: its remote
// host, never stored or logged. Behind Tor every visitor is the local
// onion service, so the per-client limit then acts as a second global one.
func clientOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// contactForm is the data of the contact page.
type contactForm struct {
	Token    string
	Form     intake.Form
	Error    string
	Field    string
	Who      []string
	Services []string
	Regions  []regionChoice
	MaxFiles int
	MaxMB    int64
}

type regionChoice struct{ Code, Name string }

// intakeStatus maps an intake error to its HTTP status.
func intakeStatus(err error) int {
	var be *intake.BusyError
	if errors.As(err, &be) {
		if be.RateLimit {
			return http.StatusTooManyRequests
		}
		return http.StatusServiceUnavailable
	}
	switch intake.Code(err) {
	case "too_large", "file_too_large":
		return http.StatusRequestEntityTooLarge
	case "file_type":
		return http.StatusUnsupportedMediaType
	case "wrong_receipt", "not_found":
		return http.StatusNotFound
	case "token_replayed", "conflict":
		return http.StatusConflict
	case "internal":
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// intakeRefusal renders the calm "try again later" page for ErrBusy and
// reports whether it did.
func (s *Server) intakeRefusal(w http.ResponseWriter, r *http.Request, err error) bool {
	var be *intake.BusyError
	if !errors.As(err, &be) {
		return false
	}
	secs := int(be.RetryAfter.Seconds())
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	minutes := (secs + 59) / 60
	s.render(w, r, intakeStatus(err), "intake_busy", map[string]any{"Minutes": minutes})
	return true
}

func (s *Server) newContactForm(r *http.Request, f intake.Form) (contactForm, error) {
	tok, err := s.cfg.Intake.IssueToken()
	if err != nil {
		return contactForm{}, err
	}
	lang := pageLang(r)
	cf := contactForm{Token: tok, Form: f, Who: intake.WhoChoices(), Services: intake.ServiceChoices(),
		MaxFiles: s.cfg.Intake.Config().MaxFiles, MaxMB: s.cfg.Intake.Config().MaxFileSize >> 20}
	for _, rg := range myanmar.Regions() {
		name := rg.English
		if lang == langMy {
			name = rg.Burmese
		}
		cf.Regions = append(cf.Regions, regionChoice{rg.Code, name})
	}
	return cf, nil
}

func (s *Server) contactPage(w http.ResponseWriter, r *http.Request) {
	cf, err := s.newContactForm(r, intake.Form{})
	if err != nil {
		s.log.Error("intake: token", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
		return
	}
	s.render(w, r, http.StatusOK, "intake_contact", cf)
}

func (s *Server) contactSubmit(w http.ResponseWriter, r *http.Request) {
	mr, err := r.MultipartReader()
	if err != nil {
		s.contactError(w, r, intake.Form{}, intake.ErrMalformed)
		return
	}
	// The form is read as it streams: intake keeps the typed values to
	// show them again if something is wrong.
	rec, err := s.cfg.Intake.SubmitMultipart(r.Context(), clientOf(r), mr)
	if err != nil {
		if intake.Code(err) == "internal" {
			s.log.Error("intake: submit", "err", err)
		}
		s.contactError(w, r, intake.Form{}, err)
		return
	}
	s.render(w, r, http.StatusCreated, "intake_receipt", map[string]string{"Latin": rec.Groups(), "Burmese": rec.Burmese()})
}

// contactError shows the form again with a translated error (and a fresh
// token), or the calm refusal page under load.
func (s *Server) contactError(w http.ResponseWriter, r *http.Request, f intake.Form, err error) {
	if s.intakeRefusal(w, r, err) {
		return
	}
	cf, terr := s.newContactForm(r, f)
	if terr != nil {
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
		return
	}
	cf.Error = "intake.error." + intake.Code(err)
	if fld := intake.Field(err); fld != "" {
		cf.Field = "intake.field." + fld
	}
	s.render(w, r, intakeStatus(err), "intake_contact", cf)
}

// threadView is the data of the thread pages.
type threadView struct {
	Receipt string
	Thread  intake.Thread
	Error   string
	Notice  string
	MaxMB   int64
}

func (s *Server) threadOpenPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "intake_thread_open", threadView{})
}

func (s *Server) threadOpen(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "intake_thread_open", threadView{Error: "intake.error.malformed"})
		return
	}
	th, err := s.cfg.Intake.OpenThread(r.Context(), clientOf(r), r.PostForm.Get("receipt"))
	if err != nil {
		if s.intakeRefusal(w, r, err) {
			return
		}
		if intake.Code(err) == "internal" {
			s.log.Error("intake: open thread", "err", err)
		}
		s.render(w, r, intakeStatus(err), "intake_thread_open", threadView{Error: "intake.error." + intake.Code(err)})
		return
	}
	s.render(w, r, http.StatusOK, "intake_thread", threadView{Receipt: th.Receipt, Thread: th, MaxMB: s.cfg.Intake.Config().MaxFileSize >> 20})
}

func (s *Server) threadReply(w http.ResponseWriter, r *http.Request) {
	mr, err := r.MultipartReader()
	if err != nil {
		s.render(w, r, http.StatusBadRequest, "intake_thread_open", threadView{Error: "intake.error.malformed"})
		return
	}
	th, err := s.cfg.Intake.FollowUpMultipart(r.Context(), clientOf(r), mr)
	if err != nil {
		if s.intakeRefusal(w, r, err) {
			return
		}
		if intake.Code(err) == "internal" {
			s.log.Error("intake: follow-up", "err", err)
		}
		// The receipt is not shown back: the person types it again.
		s.render(w, r, intakeStatus(err), "intake_thread_open", threadView{Error: "intake.error." + intake.Code(err)})
		return
	}
	s.render(w, r, http.StatusOK, "intake_thread", threadView{Receipt: th.Receipt, Thread: th, Notice: "intake.thread.sent", MaxMB: s.cfg.Intake.Config().MaxFileSize >> 20})
}
