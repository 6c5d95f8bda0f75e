package web

// Payee enrolment by the case handler.

import (
	"net/http"
	"strconv"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/finance"
)

type financeEnrolView struct {
	Nav        staffNav
	Case       int64
	Currencies []string
	Month      string
	Enrolled   *finance.Enrolled
}

func (s *Server) financeEnrolPage(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathID(r, "case")
	if !ok {
		s.financeFail(w, r, sess, "/cases", finance.ErrNotFoundf("case"))
		return
	}
	s.render(w, r, http.StatusOK, "finance_enrol", financeEnrolView{Nav: navFor(sess), Case: id, Currencies: finance.Currencies(), Month: s.cfg.Finance.ThisMonth()})
}

// financeEnrol makes a payee of a case the handler holds, and shows the
// recipient's code once.
func (s *Server) financeEnrol(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathID(r, "case")
	if !ok {
		s.financeFail(w, r, sess, "/cases", finance.ErrNotFoundf("case"))
		return
	}
	back := "/finance/enrol/" + strconv.FormatInt(id, 10)
	e := finance.Enrolment{CaseID: id, Details: finance.PayeeDetails{Name: r.PostFormValue("name"), HowToPay: r.PostFormValue("how_to_pay")}}
	if strings.TrimSpace(r.PostFormValue("amount")) != "" {
		m, err := formMoney(r, "amount", "currency", false)
		if err != nil {
			s.financeFail(w, r, sess, back, err)
			return
		}
		e.Stipend = &finance.StipendTerms{Amount: m, Start: r.PostFormValue("start"), End: r.PostFormValue("end")}
	}
	out, err := s.cfg.Finance.EnrolPayee(r.Context(), casework.ActorOf(sess), sess.Keyring(), e)
	if err != nil {
		s.financeFail(w, r, sess, back, err)
		return
	}
	s.render(w, r, http.StatusOK, "finance_enrol", financeEnrolView{Nav: navFor(sess), Case: id, Enrolled: &out})
}
