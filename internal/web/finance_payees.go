package web

// Payees: the list by code, one payee opened (audited), stipends.

import (
	"net/http"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/finance"
)

type financePayeeView struct {
	Code, Created, Stipend, Start, End string
	StipendID                          int64
}

type financePayeesView struct {
	Nav        staffNav
	Payees     []financePayeeView
	Currencies []string
	Done       string
}

func (s *Server) financePayees(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	lang := pageLang(r)
	ps, err := s.cfg.Finance.Payees(r.Context())
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	v := financePayeesView{Nav: navFor(sess), Currencies: finance.Currencies(), Done: doneParam(r)}
	for _, p := range ps {
		pv := financePayeeView{Code: p.Code, Created: localText(lang, p.Created)}
		if st := p.Stipend; st != nil {
			pv.Stipend, pv.Start, pv.End, pv.StipendID = money(lang, st.Amount), localText(lang, st.Start), localText(lang, st.End), st.ID
		}
		v.Payees = append(v.Payees, pv)
	}
	s.render(w, r, http.StatusOK, "finance_payees", v)
}

type financePayeeDetailView struct {
	Nav      staffNav
	Code     string
	Name     string
	HowToPay string
}

// financePayee opens one payee's name and how to pay them (audited).
func (s *Server) financePayee(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	code := r.PathValue("code")
	d, err := s.cfg.Finance.OpenPayee(r.Context(), casework.ActorOf(sess), sess.Keyring(), code)
	if err != nil {
		s.financeFail(w, r, sess, "/finance/payees", err)
		return
	}
	s.render(w, r, http.StatusOK, "finance_payee", financePayeeDetailView{Nav: navFor(sess), Code: code, Name: d.Name, HowToPay: d.HowToPay})
}

func (s *Server) financeAddStipend(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	m, err := formMoney(r, "amount", "currency", false)
	if err == nil {
		_, err = s.cfg.Finance.AddStipend(r.Context(), casework.ActorOf(sess), r.PathValue("code"),
			finance.StipendTerms{Amount: m, Start: r.PostFormValue("start"), End: r.PostFormValue("end")})
	}
	if err != nil {
		s.financeFail(w, r, sess, "/finance/payees", err)
		return
	}
	seeOther(w, r, "/finance/payees?done=stipend")
}

func (s *Server) financeEndStipend(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathID(r, "id")
	if !ok {
		s.financeFail(w, r, sess, "/finance/payees", finance.ErrNotFoundf("stipend"))
		return
	}
	if err := s.cfg.Finance.EndStipend(r.Context(), casework.ActorOf(sess), id, r.PostFormValue("end")); err != nil {
		s.financeFail(w, r, sess, "/finance/payees", err)
		return
	}
	seeOther(w, r, "/finance/payees?done=stipend")
}
