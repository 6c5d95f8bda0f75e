package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"embrace/internal/auth"
)

// loginForm is the data of the sign-in page.
type loginForm struct {
	Username string
	// Error and Notice are message ids; Minutes fills auth.login.locked.
	Error   string
	Minutes string
	Notice  string
}

// loginNotices are the notices /login may be sent to show.
var loginNotices = map[string]string{
	"signedout": "auth.login.signedout",
	"lockdown":  "auth.login.lockdown",
}

// loginPage shows the sign-in form.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	f := loginForm{Notice: loginNotices[r.URL.Query().Get("notice")]}
	if _, ok := cookieModeOf(r); !ok {
		f.Error = "auth.login.insecure"
	}
	s.render(w, r, http.StatusOK, "auth_login", f)
}

// loginSubmit checks a sign-in. Every refusal gives the same calm page;
// only a paused account or client, an oversized password and a busy server
// say more. A duress password is answered exactly like the real one.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.renderError(w, r, http.StatusRequestEntityTooLarge, "error.toolarge")
			return
		}
		s.render(w, r, http.StatusBadRequest, "auth_login", loginForm{Error: "auth.login.bad"})
		return
	}
	form := loginForm{Username: r.PostForm.Get("username")}
	if len(form.Username) > 64 {
		form.Username = ""
	}
	mode, ok := cookieModeOf(r)
	if !ok {
		form.Error = "auth.login.insecure"
		s.render(w, r, http.StatusForbidden, "auth_login", form)
		return
	}
	sess, token, err := s.cfg.Auth.Login(r.Context(), auth.LoginRequest{
		Username: r.PostForm.Get("username"),
		Password: r.PostForm.Get("password"),
		Code:     r.PostForm.Get("code"),
		Kind:     auth.KindWeb,
		Client:   r.RemoteAddr,
	})
	var locked *auth.LockedError
	switch {
	case err == nil:
		if s.cfg.Cases != nil && !sess.Duress {
			// Warm the duplicate name cache in the background; the
			// sign-in does not wait for it.
			s.cfg.Cases.WarmNamesAsync(sess.Keyring(), s.log)
		}
		setSessionCookie(w, mode, token)
		http.Redirect(w, r, "/workspace", http.StatusSeeOther)
	case errors.Is(err, auth.ErrBadCredentials):
		form.Error = "auth.login.bad"
		s.render(w, r, http.StatusOK, "auth_login", form)
	case errors.As(err, &locked):
		wait := locked.RetryAfter()
		w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
		form.Error = "auth.login.locked"
		form.Minutes = localDigits(pageLang(r), int64(math.Ceil(wait.Minutes())))
		s.render(w, r, http.StatusTooManyRequests, "auth_login", form)
	case errors.Is(err, auth.ErrPasswordTooLong):
		form.Error = "auth.login.toolong"
		s.render(w, r, http.StatusBadRequest, "auth_login", form)
	case errors.Is(err, auth.ErrBusy):
		w.Header().Set("Retry-After", "5")
		form.Error = "auth.login.busy"
		s.render(w, r, http.StatusServiceUnavailable, "auth_login", form)
	default:
		s.log.Error("sign-in failed", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
	}
}

// logout ends the session, wipes its keys and clears the browser's data.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if err := s.cfg.Auth.Logout(r.Context(), sess); err != nil {
		s.log.Error("logout", "err", err)
	}
	s.signedOut(w, r)
	http.Redirect(w, r, "/login?notice=signedout", http.StatusSeeOther)
}

// workspacePage is the data of the workspace.
type workspacePage struct {
	Nav   staffNav
	Roles []string
	Teams []string
}

// workspace is the landing page after sign-in: who is signed in, with
// which roles and teams. Capabilities fill it with work from what the
// session's keys open — so after a duress sign-in it is empty and looks
// like any quiet day.
func (s *Server) workspace(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	p := workspacePage{Nav: navFor(sess)}
	for _, role := range sess.Roles {
		p.Roles = append(p.Roles, "auth.role."+string(role))
	}
	for _, t := range sess.Teams {
		p.Teams = append(p.Teams, "auth.team."+string(t))
	}
	s.render(w, r, http.StatusOK, "auth_workspace", p)
}
