package web

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/finance"
	"embrace/internal/myanmar"
)

// financeRoutes registers the finance pages: the dashboard (balances,
// runway, funding sources, rates, the reward schedule), payees, payment
// runs and reward claims, the CSV exports, and the payee enrolment form
// case handlers use. Finance pages show payee codes and amounts; names
// appear only on a payee's page and on the cash-distribution roster, each
// opened with the session's finance keys and audited.
func (s *Server) financeRoutes() {
	if s.cfg.Finance == nil || s.cfg.Auth == nil {
		return
	}
	s.staff("GET /finance", auth.PermFinance, s.financeDashboard)
	s.staff("POST /finance/sources", auth.PermFinance, s.financeAddSource)
	s.staff("POST /finance/sources/{code}/deposits", auth.PermFinance, s.financeDeposit)
	s.staff("POST /finance/rates", auth.PermFinance, s.financeSetRate)
	s.staff("POST /finance/rewards", auth.PermFinance, s.financeSetReward)
	s.staff("GET /finance/ledger.csv", auth.PermFinance, s.financeLedgerCSV)
	s.staff("GET /finance/payees", auth.PermFinance, s.financePayees)
	s.staff("GET /finance/payees/{code}", auth.PermFinance, s.financePayee)
	s.staff("POST /finance/payees/{code}/stipends", auth.PermFinance, s.financeAddStipend)
	s.staff("POST /finance/stipends/{id}/end", auth.PermFinance, s.financeEndStipend)
	s.staff("GET /finance/runs", auth.PermFinance, s.financeRuns)
	s.staff("POST /finance/runs", auth.PermFinance, s.financePrepareRun)
	s.staff("GET /finance/runs/{id}", auth.PermFinance, s.financeRun)
	s.staff("GET /finance/runs/{id}/cash", auth.PermFinance, s.financeCashRoster)
	s.staff("GET /finance/runs/{id}/roster.csv", auth.PermFinance, s.financeRosterCSV)
	s.staff("POST /finance/runs/{id}/lines/{line}", auth.PermFinance, s.financeMarkLine)
	s.staff("POST /finance/runs/{id}/reconcile", auth.PermFinance, s.financeReconcile)
	s.staff("GET /finance/claims", auth.PermFinance, s.financeClaims)
	s.staff("POST /finance/claims", auth.PermFinance, s.financeFileClaim, BodyLimit(finance.MaxEvidenceFiles*finance.MaxEvidenceSize+1<<20))
	s.staff("GET /finance/claims/{id}", auth.PermFinance, s.financeClaim)
	s.staff("GET /finance/claims/{id}/evidence/{file}", auth.PermFinance, s.financeEvidence)
	s.staff("POST /finance/claims/{id}/approve", auth.PermFinance, s.financeApprove)
	s.staff("POST /finance/claims/{id}/reject", auth.PermFinance, s.financeReject)
	s.staff("POST /finance/claims/{id}/pay", auth.PermFinance, s.financePay)
	s.staff("GET /finance/enrol/{case}", auth.PermCaseHandle, s.financeEnrolPage)
	s.staff("POST /finance/enrol/{case}", auth.PermCaseHandle, s.financeEnrol)
}

// financeErrorView is the data of the finance error page.
type financeErrorView struct {
	Nav     staffNav
	Status  int
	Message string
	Field   string
	Back    string
}

var financeStatus = map[string]int{
	"invalid": http.StatusBadRequest, "confirm": http.StatusBadRequest, "file_type": http.StatusBadRequest,
	"file_too_large": http.StatusRequestEntityTooLarge, "not_found": http.StatusNotFound, "no_rate": http.StatusNotFound,
	"forbidden": http.StatusForbidden, "double_payment": http.StatusConflict, "not_pending": http.StatusConflict,
	"run_open": http.StatusConflict, "run_exists": http.StatusConflict, "run_closed": http.StatusConflict,
	"unreconciled": http.StatusConflict, "same_officer": http.StatusConflict, "claim_state": http.StatusConflict,
	"not_cleared": http.StatusConflict, "funds": http.StatusConflict,
}

// financeFields are the fields finance names in its errors that have a
// translated label (finance.field.NAME).
var financeFields = []string{"amount", "budget", "label", "day", "month", "start", "end", "rate", "base", "quote", "kind",
	"name", "how_to_pay", "witness", "confirm", "status", "items", "received_by", "when", "held_at", "evidence", "source", "case", "form"}

// financeFail answers a finance error: the kind's status and translated
// message, the refused field named in the reader's language. Nothing of
// the request is echoed or logged.
func (s *Server) financeFail(w http.ResponseWriter, r *http.Request, sess *auth.Session, back string, err error) {
	v := financeErrorView{Nav: navFor(sess), Back: back}
	code := finance.ErrorCode(err)
	st, ok := financeStatus[code]
	if !ok {
		s.log.Error("finance", "route", r.Pattern, "err", err)
		v.Status, v.Message = http.StatusInternalServerError, "error.internal"
		s.render(w, r, v.Status, "finance_error", v)
		return
	}
	v.Status, v.Message = st, "finance.error."+code
	if f := finance.ErrorField(err); f != "" {
		v.Field = f
		if slices.Contains(financeFields, f) {
			v.Field = "finance.field." + f
		}
	}
	s.render(w, r, v.Status, "finance_error", v)
}

func (s *Server) financeInvalid(w http.ResponseWriter, r *http.Request, sess *auth.Session, back, field string) {
	s.financeFail(w, r, sess, back, &finance.FieldError{Field: field, Reason: "is not valid"})
}

// money shows an amount in the reader's digits.
func money(lang string, m finance.Money) string {
	if lang == langMy {
		return m.Burmese()
	}
	return m.String()
}

func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// formMoney reads an amount and its currency from a form.
func formMoney(r *http.Request, amount, currency string, allowZero bool) (finance.Money, error) {
	m, err := finance.ParseMoney(r.PostFormValue(amount), strings.ToUpper(strings.TrimSpace(r.PostFormValue(currency))), allowZero)
	if err != nil {
		return finance.Money{}, &finance.FieldError{Field: amount, Reason: strings.TrimPrefix(err.Error(), "finance: ")}
	}
	return m, nil
}

// dashboard

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

// payees

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

// runs

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

// claims

type financeClaimView struct {
	ID                                      int64
	Payee, Kind, Amount, Status, Created    string
	Files                                   int
	CanApprove, CanPay, CanReject, Approved bool
}

type financeClaimsView struct {
	Nav     staffNav
	Claims  []financeClaimView
	Kinds   []financeKindView
	Sources []financeSourceView
	Done    string
}

func claimView(lang string, c finance.Claim, me int64) financeClaimView {
	return financeClaimView{ID: c.ID, Payee: c.Payee, Kind: c.Kind, Amount: money(lang, c.Amount), Status: c.Status, Created: localText(lang, c.Created),
		Files: c.Files, CanApprove: c.Status == finance.ClaimClaimed || (c.Status == finance.ClaimApproved && c.FirstBy != me),
		Approved: c.Status == finance.ClaimApproved && c.FirstBy == me, CanPay: c.Status == finance.ClaimConfirmed,
		CanReject: c.Status == finance.ClaimClaimed || c.Status == finance.ClaimApproved}
}

func (s *Server) financeClaims(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	ctx := r.Context()
	lang := pageLang(r)
	cs, err := s.cfg.Finance.Claims(ctx)
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	kinds, err := s.cfg.Finance.RewardKinds(ctx)
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	srcs, err := s.cfg.Finance.Sources(ctx)
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	v := financeClaimsView{Nav: navFor(sess), Done: doneParam(r)}
	for _, c := range cs {
		v.Claims = append(v.Claims, claimView(lang, c, sess.PrincipalID))
	}
	for _, k := range kinds {
		if k.Active {
			v.Kinds = append(v.Kinds, financeKindView{Kind: k.Kind, Amount: money(lang, k.Amount)})
		}
	}
	for _, x := range srcs {
		v.Sources = append(v.Sources, financeSourceView{Code: x.Code, Label: x.Label, Cash: money(lang, finance.Money{Currency: x.Budget.Currency, Minor: x.Cash})})
	}
	s.render(w, r, http.StatusOK, "finance_claims", v)
}

// financeFileClaim reads a multipart claim form, streaming each evidence
// file through the sealer as it arrives (no plaintext copy is kept).
func (s *Server) financeFileClaim(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	mr, err := r.MultipartReader()
	if err != nil {
		s.financeInvalid(w, r, sess, "/finance/claims", "form")
		return
	}
	es, err := finance.NewEvidenceSealer()
	if err != nil {
		s.financeFail(w, r, sess, "/finance/claims", err)
		return
	}
	defer es.Wipe()
	nc := finance.NewClaim{Sealed: es}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.financeInvalid(w, r, sess, "/finance/claims", "form")
			return
		}
		if part.FileName() != "" {
			if err := es.Add(part.FileName(), part); err != nil {
				s.financeFail(w, r, sess, "/finance/claims", err)
				return
			}
			continue
		}
		val, err := readField(part)
		if err != nil {
			s.financeInvalid(w, r, sess, "/finance/claims", "form")
			return
		}
		switch part.FormName() {
		case "payee":
			nc.Payee = strings.ToUpper(strings.TrimSpace(val))
		case "kind":
			nc.Kind = val
		case "items":
			nc.Custody.Items = val
		case "received_by":
			nc.Custody.ReceivedBy = val
		case "when":
			nc.Custody.When = val
		case "held_at":
			nc.Custody.HeldAt = val
		}
	}
	if _, err := s.cfg.Finance.FileClaim(r.Context(), casework.ActorOf(sess), nc); err != nil {
		s.financeFail(w, r, sess, "/finance/claims", err)
		return
	}
	seeOther(w, r, "/finance/claims?done=claim")
}

func readField(p *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, 4097))
	if err != nil || len(b) > 4096 {
		return "", errors.New("field too long")
	}
	return string(b), nil
}

type financeClaimDetailView struct {
	Nav      staffNav
	Claim    financeClaimView
	Record   finance.ClaimRecord
	Sources  []financeSourceView
	Evidence []finance.EvidenceInfo
}

// financeClaim shows a claim with its custody record and evidence list
// (opened with the finance team's key; audited).
func (s *Server) financeClaim(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathID(r, "id")
	if !ok {
		s.financeFail(w, r, sess, "/finance/claims", finance.ErrNotFoundf("claim"))
		return
	}
	c, err := s.cfg.Finance.GetClaim(r.Context(), id)
	if err != nil {
		s.financeFail(w, r, sess, "/finance/claims", err)
		return
	}
	rec, err := s.cfg.Finance.OpenClaim(r.Context(), casework.ActorOf(sess), sess.Keyring(), id)
	if err != nil {
		s.financeFail(w, r, sess, "/finance/claims", err)
		return
	}
	v := financeClaimDetailView{Nav: navFor(sess), Claim: claimView(pageLang(r), c, sess.PrincipalID), Record: rec}
	if srcs, err := s.cfg.Finance.Sources(r.Context()); err == nil {
		for _, x := range srcs {
			if x.Budget.Currency == c.Amount.Currency {
				v.Sources = append(v.Sources, financeSourceView{Code: x.Code, Label: x.Label})
			}
		}
	}
	s.render(w, r, http.StatusOK, "finance_claim", v)
}

func (s *Server) financeEvidence(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathID(r, "id")
	if !ok {
		s.financeFail(w, r, sess, "/finance/claims", finance.ErrNotFoundf("claim"))
		return
	}
	var buf bytes.Buffer
	typ, err := s.cfg.Finance.EvidenceFile(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, r.PathValue("file"), &buf)
	if err != nil {
		s.financeFail(w, r, sess, "/finance/claims", err)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", "attachment")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
	clear(buf.Bytes())
}

func (s *Server) claimAction(w http.ResponseWriter, r *http.Request, sess *auth.Session, do func(id int64) error, done string) {
	id, ok := pathID(r, "id")
	if !ok {
		s.financeFail(w, r, sess, "/finance/claims", finance.ErrNotFoundf("claim"))
		return
	}
	if err := do(id); err != nil {
		s.financeFail(w, r, sess, "/finance/claims", err)
		return
	}
	seeOther(w, r, "/finance/claims?done="+done)
}

func (s *Server) financeApprove(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.claimAction(w, r, sess, func(id int64) error {
		_, err := s.cfg.Finance.ApproveClaim(r.Context(), casework.ActorOf(sess), id)
		return err
	}, "approved")
}

func (s *Server) financeReject(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.claimAction(w, r, sess, func(id int64) error { return s.cfg.Finance.RejectClaim(r.Context(), casework.ActorOf(sess), id) }, "rejected")
}

func (s *Server) financePay(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.claimAction(w, r, sess, func(id int64) error {
		return s.cfg.Finance.PayClaim(r.Context(), casework.ActorOf(sess), id, r.PostFormValue("source"))
	}, "paid")
}

// enrolment (case handlers)

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
