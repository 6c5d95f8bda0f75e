package web

// Payment runs: prepare, the roster with its inline forms, the audited
// cash-distribution list, the roster CSV, marking lines and reconciling.

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/finance"
)

type financeRunsView struct {
	Nav     staffNav
	Runs    []finance.Run
	Sources []financeSourceView
	Month   string
	Done    string
}

func (s *Server) financeRuns(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	ctx := r.Context()
	runs, err := s.cfg.Finance.Runs(ctx)
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	srcs, err := s.cfg.Finance.Sources(ctx)
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	v := financeRunsView{Nav: navFor(sess), Runs: runs, Month: s.cfg.Finance.ThisMonth(), Done: doneParam(r)}
	for _, x := range srcs {
		v.Sources = append(v.Sources, financeSourceView{Code: x.Code, Label: x.Label})
	}
	s.render(w, r, http.StatusOK, "finance_runs", v)
}

func (s *Server) financePrepareRun(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, err := s.cfg.Finance.PrepareRun(r.Context(), casework.ActorOf(sess), strings.TrimSpace(r.PostFormValue("month")), r.PostFormValue("source"))
	if err != nil {
		s.financeFail(w, r, sess, "/finance/runs", err)
		return
	}
	seeOther(w, r, runURL(id)+"?done=prepared")
}

func runURL(id int64) string { return "/finance/runs/" + strconv.FormatInt(id, 10) }

type financeLineView struct {
	ID                                    int64
	Payee, ForMonth, Amount, Status, Conf string
	Arrears, Pending                      bool
	Name, HowToPay                        string
}

type financeTotalView struct {
	Status, Amount string
}

type financeRunView struct {
	Nav    staffNav
	Run    finance.Run
	Open   bool
	Lines  []financeLineView
	Totals []financeTotalView
	Ledger []financeTotalView
	Cash   bool
	Done   string
}

func lineView(lang string, l finance.RunLine) financeLineView {
	return financeLineView{ID: l.ID, Payee: l.Payee, ForMonth: localText(lang, l.ForMonth), Amount: money(lang, l.Amount), Status: l.Status,
		Conf: l.Confirm, Arrears: l.Arrears, Pending: l.Status == finance.StatusPending}
}

func (s *Server) financeRun(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathID(r, "id")
	if !ok {
		s.financeFail(w, r, sess, "/finance/runs", finance.ErrNotFoundf("run"))
		return
	}
	lang := pageLang(r)
	run, lines, err := s.cfg.Finance.GetRun(r.Context(), id)
	if err != nil {
		s.financeFail(w, r, sess, "/finance/runs", err)
		return
	}
	rc, err := s.cfg.Finance.RunReconciliation(r.Context(), id)
	if err != nil {
		s.financeFail(w, r, sess, "/finance/runs", err)
		return
	}
	v := financeRunView{Nav: navFor(sess), Run: run, Open: run.Status == "open", Done: doneParam(r)}
	for _, l := range lines {
		v.Lines = append(v.Lines, lineView(lang, l))
	}
	for _, st := range []struct {
		name string
		m    map[string]int64
	}{{"paid", rc.Paid}, {"missed", rc.Missed}, {"refused", rc.Refused}, {"pending", rc.Pending}} {
		for _, c := range finance.Currencies() {
			if st.m[c] != 0 {
				v.Totals = append(v.Totals, financeTotalView{Status: st.name, Amount: money(lang, finance.Money{Currency: c, Minor: st.m[c]})})
			}
		}
	}
	for _, c := range finance.Currencies() {
		if rc.Ledger[c] != 0 {
			v.Ledger = append(v.Ledger, financeTotalView{Amount: money(lang, finance.Money{Currency: c, Minor: rc.Ledger[c]})})
		}
	}
	s.render(w, r, http.StatusOK, "finance_run", v)
}

// financeCashRoster shows the pending lines with names and how to pay:
// the list for handing out cash. Opening it is audited; it is never
// exported.
func (s *Server) financeCashRoster(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathID(r, "id")
	if !ok {
		s.financeFail(w, r, sess, "/finance/runs", finance.ErrNotFoundf("run"))
		return
	}
	lang := pageLang(r)
	run, _, err := s.cfg.Finance.GetRun(r.Context(), id)
	if err != nil {
		s.financeFail(w, r, sess, "/finance/runs", err)
		return
	}
	named, err := s.cfg.Finance.CashRoster(r.Context(), casework.ActorOf(sess), sess.Keyring(), id)
	if err != nil {
		s.financeFail(w, r, sess, runURL(id), err)
		return
	}
	v := financeRunView{Nav: navFor(sess), Run: run, Open: run.Status == "open", Cash: true}
	for _, l := range named {
		lv := lineView(lang, l.RunLine)
		lv.Name, lv.HowToPay = l.Details.Name, l.Details.HowToPay
		v.Lines = append(v.Lines, lv)
	}
	s.render(w, r, http.StatusOK, "finance_run", v)
}

func (s *Server) financeRosterCSV(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathID(r, "id")
	if !ok {
		s.financeFail(w, r, sess, "/finance/runs", finance.ErrNotFoundf("run"))
		return
	}
	var buf bytes.Buffer
	if err := s.cfg.Finance.RosterCSV(r.Context(), id, &buf); err != nil {
		s.financeFail(w, r, sess, "/finance/runs", err)
		return
	}
	csvHeaders(w, "roster-"+strconv.FormatInt(id, 10)+".csv")
	w.Write(buf.Bytes())
}

func (s *Server) financeMarkLine(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok1 := pathID(r, "id")
	line, ok2 := pathID(r, "line")
	if !ok1 || !ok2 {
		s.financeFail(w, r, sess, "/finance/runs", finance.ErrNotFoundf("line"))
		return
	}
	mk := finance.Mark{Status: r.PostFormValue("status"), Code: r.PostFormValue("code"), Witness: r.PostFormValue("witness")}
	if err := s.cfg.Finance.MarkLine(r.Context(), casework.ActorOf(sess), sess.Keyring(), line, mk); err != nil {
		s.financeFail(w, r, sess, runURL(id), err)
		return
	}
	seeOther(w, r, runURL(id)+"?done=marked")
}

func (s *Server) financeReconcile(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathID(r, "id")
	if !ok {
		s.financeFail(w, r, sess, "/finance/runs", finance.ErrNotFoundf("run"))
		return
	}
	if _, err := s.cfg.Finance.Reconcile(r.Context(), casework.ActorOf(sess), id); err != nil {
		s.financeFail(w, r, sess, runURL(id), err)
		return
	}
	seeOther(w, r, runURL(id)+"?done=reconciled")
}
