package web

import (
	"errors"
	"net/http"

	"embrace/internal/auth"
)

// sessionRow is one line of the session list.
type sessionRow struct {
	Handle, Kind, Created, LastSeen, Expires string
	Current                                  bool
}

type sessionsPage struct {
	Nav     staffNav
	Rows    []sessionRow
	Notice  string
	Missing bool
}

// sessionsPage lists the person's own sessions, each with a button to end
// it.
func (s *Server) sessionsPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.renderSessions(w, r, sess, http.StatusOK, "")
}

func (s *Server) renderSessions(w http.ResponseWriter, r *http.Request, sess *auth.Session, status int, notice string) {
	list, err := s.cfg.Auth.ListSessions(r.Context(), sess)
	if err != nil {
		s.log.Error("list sessions", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
		return
	}
	lang := pageLang(r)
	p := sessionsPage{Nav: navFor(sess), Notice: notice}
	for _, si := range list {
		p.Rows = append(p.Rows, sessionRow{
			Handle: si.Handle, Kind: "auth.sessions.kind." + string(si.Kind), Current: si.Current,
			Created: localTime(lang, si.Created.UTC()), LastSeen: localTime(lang, si.LastSeen.UTC()), Expires: localTime(lang, si.Expires.UTC()),
		})
	}
	s.render(w, r, status, "auth_sessions", p)
}

// revokeSession ends one of the person's own sessions; ending the current
// one signs out. Someone else's session is not found.
func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	handle := r.PathValue("handle")
	if handle == sess.Handle {
		s.logout(w, r, sess)
		return
	}
	err := s.cfg.Auth.RevokeSession(r.Context(), sess, handle)
	switch {
	case errors.Is(err, auth.ErrNotFound):
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
	case err != nil:
		s.log.Error("revoke session", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
	default:
		http.Redirect(w, r, "/sessions", http.StatusSeeOther)
	}
}

type duressPage struct {
	Nav   staffNav
	IsSet bool
	Error string
	Saved bool
}

// duressPage explains the duress password and lets the person set it.
func (s *Server) duressPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.renderDuress(w, r, sess, http.StatusOK, "", false)
}

func (s *Server) renderDuress(w http.ResponseWriter, r *http.Request, sess *auth.Session, status int, errID string, saved bool) {
	set, err := s.cfg.Auth.DuressSet(r.Context(), sess)
	if err != nil {
		s.log.Error("duress state", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
		return
	}
	s.render(w, r, status, "auth_duress", duressPage{Nav: navFor(sess), IsSet: set, Error: errID, Saved: saved})
}

// duressSubmit sets the duress password. It needs the account password.
func (s *Server) duressSubmit(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "error.toolarge")
		return
	}
	err := s.cfg.Auth.SetDuress(r.Context(), sess, r.PostForm.Get("current"), r.PostForm.Get("duress"), r.PostForm.Get("confirm"))
	var pe *auth.PasswordError
	switch {
	case err == nil:
		s.renderDuress(w, r, sess, http.StatusOK, "", true)
	case errors.As(err, &pe):
		s.renderDuress(w, r, sess, http.StatusBadRequest, "auth.pw."+pe.Reason, false)
	case errors.Is(err, auth.ErrBadCredentials):
		s.renderDuress(w, r, sess, http.StatusBadRequest, "auth.duress.badcurrent", false)
	case errors.Is(err, auth.ErrBusy):
		s.renderDuress(w, r, sess, http.StatusServiceUnavailable, "auth.login.busy", false)
	default:
		s.log.Error("set duress", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
	}
}
