package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
)

// caseListView is the data of the case lists: green data only, so a list
// needs no key and shows nothing that identifies anyone.
type caseListView struct {
	Nav    staffNav
	Title  string
	Kind   string // mine, queue, state
	Team   string
	Teams  []string
	State  string
	States []string
	Cases  []casework.Summary
}

const listLimit = 100

func (s *Server) caseList(w http.ResponseWriter, r *http.Request, sess *auth.Session, v caseListView, f casework.Filter) {
	f.Limit = listLimit
	list, err := s.cfg.Cases.Find(r.Context(), f)
	if err != nil {
		s.caseFail(w, r, sess, "/cases", err)
		return
	}
	v.Nav, v.Cases, v.States = navFor(sess), list, casework.States()
	for _, t := range sess.Teams {
		v.Teams = append(v.Teams, string(t))
	}
	s.render(w, r, http.StatusOK, "cases_list", v)
}

// myCasesPage lists the cases assigned to the signed-in person.
func (s *Server) myCasesPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.caseList(w, r, sess, caseListView{Title: "cases.mine.title", Kind: "mine"}, casework.Filter{Handler: sess.PrincipalID})
}

// queuePage lists the queue of one of the person's teams (?team=, the
// first of their teams by default).
func (s *Server) queuePage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	team := r.URL.Query().Get("team")
	if team == "" && len(sess.Teams) > 0 {
		team = string(sess.Teams[0])
	}
	v := caseListView{Title: "cases.queue.title", Kind: "queue", Team: team}
	if team == "" {
		v.Nav, v.States = navFor(sess), casework.States()
		s.render(w, r, http.StatusOK, "cases_list", v)
		return
	}
	if !slices.Contains(sess.Teams, auth.Team(team)) {
		s.fieldFail(w, r, sess, "/cases/queue", "team", "is not one of your teams")
		return
	}
	s.caseList(w, r, sess, v, casework.Filter{Team: team})
}

// statePage lists the cases in one state.
func (s *Server) statePage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	state := r.PathValue("state")
	if !casework.KnownState(state) {
		s.fieldFail(w, r, sess, "/cases", "state", "is not a case state")
		return
	}
	s.caseList(w, r, sess, caseListView{Title: "cases.state.title", Kind: "state", State: state}, casework.Filter{State: state})
}

// parseCaseNumber reads a case number typed in ASCII or Burmese digits.
func parseCaseNumber(v string) (int64, bool) {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "#"))
	if v == "" || len(v) > 60 {
		return 0, false
	}
	var b strings.Builder
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '၀' && r <= '၉':
			b.WriteRune('0' + (r - '၀'))
		default:
			return 0, false
		}
	}
	n, err := strconv.ParseInt(b.String(), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// caseSearch takes a case number from a form and redirects to the case
// (a case number is not red, so it may be in the path).
func (s *Server) caseSearch(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := parseCaseNumber(r.PostFormValue("case"))
	if !ok {
		s.fieldFail(w, r, sess, "/cases", "case", "is not a case number")
		return
	}
	seeOther(w, r, caseURL(id))
}
