package web

// The finance dashboard: cash in one currency, runway, balances, funding
// sources, the reward schedule and rates, with their forms.

import (
	"bytes"
	"net/http"
	"slices"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/finance"
	"embrace/internal/myanmar"
)

type financeBalance struct {
	Account, Amount string
}

type financeRunway struct {
	Currency, Available, Monthly, Months, RunsOut string
}

type financeSourceView struct {
	Code, Label, Budget, Received, Cash string
}

type financeKindView struct {
	Kind, Amount string
	Active       bool
}

type financeDashboardView struct {
	Nav        staffNav
	From       string
	Balances   []financeBalance
	Runway     []financeRunway
	Sources    []financeSourceView
	Kinds      []financeKindView
	Currencies []string
	Done       string
	// ReportIn is the reporting currency; ReportTotal the cash in hand in
	// it at today's rates, Missing the currencies without a rate.
	ReportIn, ReportTotal string
	Missing               []string
}

func (s *Server) financeDashboard(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	ctx := r.Context()
	lang := pageLang(r)
	f := s.cfg.Finance
	v := financeDashboardView{Nav: navFor(sess), Currencies: finance.Currencies(), Done: doneParam(r)}
	bs, err := f.Balances(ctx)
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	for _, b := range bs {
		v.Balances = append(v.Balances, financeBalance{Account: b.Account, Amount: money(lang, b.Money)})
	}
	// The runway starts at the first month without a run.
	from := f.ThisMonth()
	if runs, err := f.Runs(ctx); err == nil && len(runs) > 0 {
		if m, err := finance.ParseMonth(runs[0].Month); err == nil {
			from = m.Add(1).String()
		}
	}
	v.From = localText(lang, from)
	v.ReportIn = strings.ToUpper(r.URL.Query().Get("in"))
	if _, err := finance.LookupCurrency(v.ReportIn); err != nil {
		v.ReportIn = finance.DefaultReportingCurrency
	}
	cash, err := f.Cash(ctx)
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	total, missing, err := f.ReportTotal(ctx, cash, v.ReportIn, f.Today())
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	v.ReportTotal, v.Missing = money(lang, total), missing
	rw, err := f.Runway(ctx, from)
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	for _, x := range rw {
		out := x.RunsOut
		if lang == langMy {
			out = localText(lang, out)
		}
		v.Runway = append(v.Runway, financeRunway{Currency: x.Currency, Available: money(lang, finance.Money{Currency: x.Currency, Minor: x.Available}),
			Monthly: money(lang, finance.Money{Currency: x.Currency, Minor: x.Monthly}), Months: localDigits(lang, int64(x.Months)), RunsOut: out})
	}
	srcs, err := f.Sources(ctx)
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	for _, x := range srcs {
		c := x.Budget.Currency
		v.Sources = append(v.Sources, financeSourceView{Code: x.Code, Label: x.Label, Budget: money(lang, x.Budget),
			Received: money(lang, finance.Money{Currency: c, Minor: x.Received}), Cash: money(lang, finance.Money{Currency: c, Minor: x.Cash})})
	}
	kinds, err := f.RewardKinds(ctx)
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	for _, k := range kinds {
		v.Kinds = append(v.Kinds, financeKindView{Kind: k.Kind, Amount: money(lang, k.Amount), Active: k.Active})
	}
	s.render(w, r, http.StatusOK, "finance_dashboard", v)
}

// localText shows a text's digits in the reader's script.
func localText(lang, s string) string {
	if lang == langMy {
		return myanmar.BurmeseDigits(s)
	}
	return s
}

// financeDone are the notices a finance page shows after an action.
var financeDone = []string{"source", "deposit", "rate", "reward", "stipend", "prepared", "marked", "reconciled", "claim", "approved", "rejected", "paid"}

func doneParam(r *http.Request) string {
	d := r.URL.Query().Get("done")
	if slices.Contains(financeDone, d) {
		return "finance.done." + d
	}
	return ""
}

func (s *Server) financeAddSource(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	m, err := formMoney(r, "budget", "currency", true)
	if err == nil {
		_, err = s.cfg.Finance.AddSource(r.Context(), casework.ActorOf(sess), r.PostFormValue("label"), m)
	}
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	seeOther(w, r, "/finance?done=source")
}

func (s *Server) financeDeposit(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	m, err := formMoney(r, "amount", "currency", false)
	if err == nil {
		err = s.cfg.Finance.Deposit(r.Context(), casework.ActorOf(sess), r.PathValue("code"), m, strings.TrimSpace(r.PostFormValue("day")))
	}
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	seeOther(w, r, "/finance?done=deposit")
}

func (s *Server) financeSetRate(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	num, den, err := finance.ParseRate(strings.TrimSpace(r.PostFormValue("rate")))
	if err == nil {
		err = s.cfg.Finance.SetRate(r.Context(), casework.ActorOf(sess), finance.Rate{Day: strings.TrimSpace(r.PostFormValue("day")),
			Base: strings.ToUpper(r.PostFormValue("base")), Quote: strings.ToUpper(r.PostFormValue("quote")), Num: num, Den: den})
	}
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	seeOther(w, r, "/finance?done=rate")
}

func (s *Server) financeSetReward(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	m, err := formMoney(r, "amount", "currency", false)
	if err == nil {
		err = s.cfg.Finance.SetRewardKind(r.Context(), casework.ActorOf(sess), strings.TrimSpace(r.PostFormValue("kind")), m, r.PostFormValue("active") != "0")
	}
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	seeOther(w, r, "/finance?done=reward")
}

func csvHeaders(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
}

func (s *Server) financeLedgerCSV(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	var buf bytes.Buffer
	if err := s.cfg.Finance.LedgerCSV(r.Context(), &buf); err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	csvHeaders(w, "ledger.csv")
	w.Write(buf.Bytes())
}
