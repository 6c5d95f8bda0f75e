package web

import (
	"net/http"

	"embrace/internal/auth"
)

type alertRow struct {
	Kind, Username, Created string
}

type alertsPage struct {
	Nav   staffNav
	Rows  []alertRow
	Error string
}

// alertsPage shows duress sign-ins and lockdowns, and the lockdown button.
// A duress session sees no alerts (auth.Service.Alerts).
func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.renderAlerts(w, r, sess, http.StatusOK, "")
}

func (s *Server) renderAlerts(w http.ResponseWriter, r *http.Request, sess *auth.Session, status int, errID string) {
	list, err := s.cfg.Auth.Alerts(r.Context(), sess, 100)
	if err != nil {
		s.log.Error("alerts", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
		return
	}
	lang := pageLang(r)
	p := alertsPage{Nav: navFor(sess), Error: errID}
	for _, a := range list {
		p.Rows = append(p.Rows, alertRow{Kind: "auth.alerts.kind." + a.Kind, Username: a.Username, Created: localTime(lang, a.Created.UTC())})
	}
	s.render(w, r, status, "auth_alerts", p)
}

// lockdownSubmit ends every session of every person and wipes every key
// held in memory, this administrator's included.
func (s *Server) lockdownSubmit(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("confirm") != "yes" {
		s.renderAlerts(w, r, sess, http.StatusBadRequest, "auth.lockdown.needconfirm")
		return
	}
	if _, err := s.cfg.Auth.Lockdown(r.Context(), sess.Actor()); err != nil {
		s.log.Error("lockdown", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
		return
	}
	s.signedOut(w, r)
	http.Redirect(w, r, "/login?notice=lockdown", http.StatusSeeOther)
}
