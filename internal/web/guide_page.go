package web

import (
	"net/http"
	"strings"

	"embrace/internal/myanmar"
	"embrace/internal/passage"
)

// guideView is the data of a guide's leg page. Secret is the link's own
// secret, needed for the form actions; the page is no-store and sent with
// no referrer, like every page.
type guideView struct {
	Secret string
	View   passage.GuideView
	Notice string
	Error  string
	// Start and End are the window as the guide reads it: a space for
	// the "T", Burmese digits on a Burmese page.
	Start, End string
}

// windowText shows a leg's window time for a guide reading lang.
func windowText(lang, s string) string {
	s = strings.Replace(s, "T", " ", 1)
	if lang == langMy {
		return myanmar.BurmeseDigits(s)
	}
	return s
}

// newGuideView is the leg page's data for request r.
func newGuideView(r *http.Request, l passage.Link, v passage.GuideView, notice string) guideView {
	lang := pageLang(r)
	return guideView{Secret: l.Secret(), View: v, Notice: notice, Start: windowText(lang, v.Leg.Start), End: windowText(lang, v.Leg.End)}
}

// guideLink reads the link from the path; an ill-formed one is answered
// like an unknown one.
func (s *Server) guideLink(w http.ResponseWriter, r *http.Request) (passage.Link, bool) {
	l, err := passage.ParseLink(r.PathValue("secret"))
	if err != nil {
		s.guideRefusal(w, r, err)
		return passage.Link{}, false
	}
	return l, true
}

// guideRefusal shows a clear refusal that says nothing of the leg.
func (s *Server) guideRefusal(w http.ResponseWriter, r *http.Request, err error) {
	st := passageStatus(err)
	msg := "guide.error." + passage.Code(err)
	if st == http.StatusInternalServerError {
		// The error never carries the link; the route pattern names the page.
		s.log.Error("passage: guide", "route", r.Pattern, "code", passage.Code(err))
		msg = "error.internal"
	}
	s.render(w, r, st, "guide_refused", guideView{Error: msg})
}

func (s *Server) guidePage(w http.ResponseWriter, r *http.Request) {
	l, ok := s.guideLink(w, r)
	if !ok {
		return
	}
	v, err := s.cfg.Passage.Guide(r.Context(), l)
	if err != nil {
		s.guideRefusal(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "guide_leg", newGuideView(r, l, v, ""))
}

func (s *Server) guideCheckIn(w http.ResponseWriter, r *http.Request) {
	l, ok := s.guideLink(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.guideRefusal(w, r, &passage.FieldError{Field: "form", Reason: "unreadable"})
		return
	}
	kind := r.PostForm.Get("kind")
	v, err := s.cfg.Passage.CheckIn(r.Context(), l, r.PostForm.Get("leg"), kind, r.PostForm.Get("message"))
	if err != nil {
		s.guideRefusal(w, r, err)
		return
	}
	if v.Status == passage.LegHandedOver {
		// The leg is complete and its link used up: nothing more to show.
		s.render(w, r, http.StatusOK, "guide_refused", guideView{Notice: "guide.done.handed_over"})
		return
	}
	s.render(w, r, http.StatusOK, "guide_leg", newGuideView(r, l, v, "guide.done."+kind))
}
