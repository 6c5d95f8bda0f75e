package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/vetting"
)

// watchListView is the data of the watch-list page (red: decrypted with a
// lead's keys for this one response).
type watchListView struct {
	Nav     staffNav
	Entries []vetting.Entry
	Notice  string
}

func (s *Server) watchListPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	es, err := s.cfg.Vetting.Entries(r.Context(), casework.ActorOf(sess), sess.Keyring())
	if err != nil {
		s.vetFail(w, r, sess, "/workspace", err)
		return
	}
	n := map[string]string{"added": "vetting.done.added", "removed": "vetting.done.removed"}[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "vetting_watchlist", watchListView{Nav: navFor(sess), Entries: es, Notice: n})
}

func (s *Server) watchListAdd(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	e := vetting.Entry{NameMy: r.PostFormValue("name_my"), NameLatin: r.PostFormValue("name_latin"), Aliases: r.PostFormValue("aliases"),
		Unit: r.PostFormValue("unit"), NRC: r.PostFormValue("nrc"), ServiceNumber: r.PostFormValue("service_number"), Notes: r.PostFormValue("notes")}
	if _, err := s.cfg.Vetting.AddEntry(r.Context(), casework.ActorOf(sess), sess.Keyring(), e); err != nil {
		s.vetFail(w, r, sess, "/watchlist", err)
		return
	}
	seeOther(w, r, "/watchlist?done=added")
}

func (s *Server) watchListRemove(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathID(w, r, sess, "entry")
	if !ok {
		return
	}
	if err := s.cfg.Vetting.RemoveEntry(r.Context(), casework.ActorOf(sess), sess.Keyring(), id); err != nil {
		s.vetFail(w, r, sess, "/watchlist", err)
		return
	}
	seeOther(w, r, "/watchlist?done=removed")
}

// alertsView is the data of the alerts page: hits only a lead sees.
type alertsView struct {
	Nav    staffNav
	Alerts []vetting.Alert
	Names  map[int64]string // entry id → the entry's name
	All    bool
	Total  int // alerts in all, when more than the page shows
	Notice string
}

// maxAlertsShown bounds the alerts one page lists (the staff page budget).
const maxAlertsShown = 200

func (s *Server) alertsListPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	ctx, a, ring := r.Context(), casework.ActorOf(sess), sess.Keyring()
	all := r.URL.Query().Get("all") == "1"
	as, err := s.cfg.Vetting.Alerts(ctx, a, ring, all)
	if err != nil {
		s.vetFail(w, r, sess, "/workspace", err)
		return
	}
	names, err := s.entryNames(ctx, a, sess)
	if err != nil {
		s.vetFail(w, r, sess, "/workspace", err)
		return
	}
	n := map[string]string{"dismissed": "vetting.done.dismissed"}[r.URL.Query().Get("done")]
	v := alertsView{Nav: navFor(sess), Alerts: as, Names: names, All: all, Notice: n}
	if len(as) > maxAlertsShown {
		v.Alerts, v.Total = as[:maxAlertsShown], len(as)
	}
	s.render(w, r, http.StatusOK, "vetting_alerts", v)
}

// entryNames names each watch-list entry as the alerts page shows it.
func (s *Server) entryNames(ctx context.Context, a casework.Actor, sess *auth.Session) (map[int64]string, error) {
	es, err := s.cfg.Vetting.Entries(ctx, a, sess.Keyring())
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for _, e := range es {
		out[e.ID] = strings.TrimSpace(e.NameMy + " " + e.NameLatin)
		if out[e.ID] == "" {
			out[e.ID] = e.Aliases
		}
	}
	return out, nil
}

func (s *Server) alertDismiss(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := s.pathID(w, r, sess, "alert")
	if !ok {
		return
	}
	if err := s.cfg.Vetting.DismissAlert(r.Context(), casework.ActorOf(sess), sess.Keyring(), id); err != nil {
		s.vetFail(w, r, sess, "/watchlist/alerts", err)
		return
	}
	seeOther(w, r, "/watchlist/alerts?done=dismissed")
}

// vettingSettingsView is the data of the quarantine setting page.
type vettingSettingsView struct {
	Nav       staffNav
	Checklist string
	Days      int
	Max       int
	Notice    string
}

func (s *Server) vettingSettingsPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	days, err := vetting.QuarantineDays(r.Context(), s.cfg.Store.DB())
	if err != nil {
		s.vetFail(w, r, sess, "/workspace", err)
		return
	}
	list, err := vetting.Checklist(r.Context(), s.cfg.Store.DB())
	if err != nil {
		s.vetFail(w, r, sess, "/workspace", err)
		return
	}
	n := map[string]string{"saved": "vetting.done.saved", "checklist": "vetting.done.checklist"}[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "vetting_settings", vettingSettingsView{Nav: navFor(sess), Checklist: strings.Join(list, ", "), Days: days, Max: vetting.MaxQuarantineDays, Notice: n})
}

func (s *Server) vettingChecklist(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if err := s.cfg.Vetting.SetChecklistAs(r.Context(), casework.ActorOf(sess), r.PostFormValue("checklist")); err != nil {
		s.vetFail(w, r, sess, "/vetting/settings", err)
		return
	}
	seeOther(w, r, "/vetting/settings?done=checklist")
}

func (s *Server) vettingQuarantine(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err != nil {
		s.vetFail(w, r, sess, "/vetting/settings", vetting.ErrBadQuarantine)
		return
	}
	if err := s.cfg.Vetting.SetQuarantine(r.Context(), casework.ActorOf(sess), days); err != nil {
		s.vetFail(w, r, sess, "/vetting/settings", err)
		return
	}
	seeOther(w, r, "/vetting/settings?done=saved")
}
