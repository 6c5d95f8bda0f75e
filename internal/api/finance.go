package api

import (
	"bytes"
	"net/http"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/finance"
)

// financeRoutes registers /finance: funding, rates, the reward schedule,
// payees, payment runs, reward claims, the ledger and green totals. Every
// route needs finance.manage, except enrolling a payee, which is the case
// handler's (case.handle, with a keyring that opens the case). Amounts are
// given as text ("1,000.50") with a currency, and returned as integer
// minor units with their text.
func (a *API) financeRoutes() {
	if a.cfg.Finance == nil && a.cfg.Store != nil {
		a.cfg.Finance = finance.New(a.cfg.Store, nil)
	}
	a.add("GET", "/finance/summary", a.finance(auth.PermFinance, a.financeSummary))
	a.add("GET", "/finance/ledger", a.finance(auth.PermFinance, a.financeLedger))
	a.add("GET", "/finance/totals", a.finance(auth.PermFinance, a.financeTotals))
	a.add("POST", "/finance/sources", a.finance(auth.PermFinance, a.financeAddSource))
	a.add("POST", "/finance/sources/{code}/deposits", a.finance(auth.PermFinance, a.financeDeposit))
	a.add("POST", "/finance/rates", a.finance(auth.PermFinance, a.financeSetRate))
	a.add("GET", "/finance/rewards", a.finance(auth.PermFinance, a.financeRewards))
	a.add("PUT", "/finance/rewards/{kind}", a.finance(auth.PermFinance, a.financeSetReward))
	a.add("GET", "/finance/payees", a.finance(auth.PermFinance, a.financePayees))
	a.add("POST", "/finance/payees", a.finance(auth.PermCaseHandle, a.financeEnrol))
	a.add("GET", "/finance/payees/{code}", a.finance(auth.PermFinance, a.financePayee))
	a.add("POST", "/finance/payees/{code}/stipends", a.finance(auth.PermFinance, a.financeAddStipend))
	a.add("GET", "/finance/runs", a.finance(auth.PermFinance, a.financeRuns))
	a.add("POST", "/finance/runs", a.finance(auth.PermFinance, a.financePrepareRun))
	a.add("GET", "/finance/runs/{id}", a.finance(auth.PermFinance, a.financeRun))
	a.add("POST", "/finance/runs/{id}/lines/{line}", a.finance(auth.PermFinance, a.financeMarkLine))
	a.add("POST", "/finance/runs/{id}/reconcile", a.finance(auth.PermFinance, a.financeReconcile))
	a.add("GET", "/finance/claims", a.finance(auth.PermFinance, a.financeClaims))
	a.add("POST", "/finance/claims", a.finance(auth.PermFinance, a.financeFileClaim))
	a.add("GET", "/finance/claims/{id}", a.finance(auth.PermFinance, a.financeClaim))
	a.add("POST", "/finance/claims/{id}/approvals", a.finance(auth.PermFinance, a.financeApprove))
	a.add("POST", "/finance/claims/{id}/payment", a.finance(auth.PermFinance, a.financePay))
	a.add("POST", "/finance/claims/{id}/rejection", a.finance(auth.PermFinance, a.financeReject))
	a.add("POST", "/finance/stipends/{id}/end", a.finance(auth.PermFinance, a.financeEndStipend))
}

var financeStatus = map[string]int{
	"invalid": http.StatusBadRequest, "confirm": http.StatusBadRequest, "file_type": http.StatusBadRequest,
	"file_too_large": http.StatusRequestEntityTooLarge, "not_found": http.StatusNotFound, "no_rate": http.StatusNotFound,
	"forbidden": http.StatusForbidden, "double_payment": http.StatusConflict, "not_pending": http.StatusConflict,
	"run_open": http.StatusConflict, "run_exists": http.StatusConflict, "run_closed": http.StatusConflict,
	"unreconciled": http.StatusConflict, "same_officer": http.StatusConflict, "claim_state": http.StatusConflict,
	"not_cleared": http.StatusConflict, "funds": http.StatusConflict,
}

// financeError maps finance's errors to statuses: its message states the
// rule (never a value); bad input names the field.
func (a *API) financeError(w http.ResponseWriter, err error) {
	var b fieldErrorBody
	code := finance.ErrorCode(err)
	status, ok := financeStatus[code]
	if !ok {
		a.log.Error("finance", "err", err)
		WriteError(w, http.StatusInternalServerError, "internal", "The server could not finish this request. Try again in a moment.")
		return
	}
	b.Error.Code, b.Error.Field = code, finance.ErrorField(err)
	b.Error.Message = strings.TrimPrefix(err.Error(), "finance: ")
	if code == "not_found" {
		b.Error.Message = "There is no such thing, or your keys do not open it."
	}
	writeJSON(w, status, b)
}

// financeHandler is a finance route's handler, given the finance service.
type financeHandler func(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service)

// finance is bearer for the finance routes: without a finance service
// (an API built with no store) they answer 503.
func (a *API) finance(perm auth.Permission, h financeHandler) http.HandlerFunc {
	return a.bearer(perm, func(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
		if a.cfg.Finance == nil {
			WriteError(w, http.StatusServiceUnavailable, "unavailable", "Finance is not available on this server.")
			return
		}
		h(w, r, sess, a.cfg.Finance)
	})
}

// moneyJSON is an amount as the API returns it.
type moneyJSON struct {
	Currency string `json:"currency"`
	Minor    int64  `json:"minor"`
	Text     string `json:"text"`
}

func mj(m finance.Money) moneyJSON {
	return moneyJSON{Currency: m.Currency, Minor: m.Minor, Text: m.String()}
}

// amountIn is an amount as the API takes it.
type amountIn struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

func (x amountIn) money(field string, allowZero bool) (finance.Money, error) {
	m, err := finance.ParseMoney(x.Amount, strings.ToUpper(strings.TrimSpace(x.Currency)), allowZero)
	if err != nil {
		return finance.Money{}, &finance.FieldError{Field: field, Reason: strings.TrimPrefix(err.Error(), "finance: ")}
	}
	return m, nil
}

func financeID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, ok := parseID(r, name)
	if !ok {
		WriteError(w, http.StatusNotFound, "not_found", "There is no such thing, or your keys do not open it.")
		return 0, false
	}
	return id, true
}

type runwayJSON struct {
	Currency  string    `json:"currency"`
	Available moneyJSON `json:"available"`
	Monthly   moneyJSON `json:"monthly"`
	Months    int       `json:"months"`
	RunsOut   string    `json:"runs_out,omitempty"`
}

type balanceJSON struct {
	Account string    `json:"account"`
	Balance moneyJSON `json:"balance"`
}

type sourceJSON struct {
	Code     string    `json:"code"`
	Label    string    `json:"label"`
	Budget   moneyJSON `json:"budget"`
	Received moneyJSON `json:"received"`
	Cash     moneyJSON `json:"cash"`
}

func (a *API) financeSummary(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	ctx := r.Context()
	from := r.URL.Query().Get("from")
	if from == "" {
		from = f.ThisMonth()
	}
	bs, err := f.Balances(ctx)
	if err != nil {
		a.financeError(w, err)
		return
	}
	rw, err := f.Runway(ctx, from)
	if err != nil {
		a.financeError(w, err)
		return
	}
	srcs, err := f.Sources(ctx)
	if err != nil {
		a.financeError(w, err)
		return
	}
	in := strings.ToUpper(r.URL.Query().Get("in"))
	if in == "" {
		in = finance.DefaultReportingCurrency
	}
	cash, err := f.Cash(ctx)
	if err != nil {
		a.financeError(w, err)
		return
	}
	total, missing, err := f.ReportTotal(ctx, cash, in, f.Today())
	if err != nil {
		a.financeError(w, err)
		return
	}
	out := struct {
		From     string        `json:"from"`
		CashIn   moneyJSON     `json:"cash_in"`
		NoRate   []string      `json:"cash_without_rate"`
		Balances []balanceJSON `json:"balances"`
		Runway   []runwayJSON  `json:"runway"`
		Sources  []sourceJSON  `json:"sources"`
	}{From: from, CashIn: mj(total), NoRate: append([]string{}, missing...), Balances: []balanceJSON{}, Runway: []runwayJSON{}, Sources: []sourceJSON{}}
	for _, b := range bs {
		out.Balances = append(out.Balances, balanceJSON{Account: b.Account, Balance: mj(b.Money)})
	}
	for _, x := range rw {
		out.Runway = append(out.Runway, runwayJSON{Currency: x.Currency, Available: mj(finance.Money{Currency: x.Currency, Minor: x.Available}),
			Monthly: mj(finance.Money{Currency: x.Currency, Minor: x.Monthly}), Months: x.Months, RunsOut: x.RunsOut})
	}
	for _, x := range srcs {
		c := x.Budget.Currency
		out.Sources = append(out.Sources, sourceJSON{Code: x.Code, Label: x.Label, Budget: mj(x.Budget),
			Received: mj(finance.Money{Currency: c, Minor: x.Received}), Cash: mj(finance.Money{Currency: c, Minor: x.Cash})})
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) financeLedger(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	if wantsCSV(r) {
		var buf bytes.Buffer
		if err := f.LedgerCSV(r.Context(), &buf); err != nil {
			a.financeError(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="ledger.csv"`)
		w.Write(buf.Bytes())
		return
	}
	es, err := f.Entries(r.Context())
	if err != nil {
		a.financeError(w, err)
		return
	}
	type entryJSON struct {
		Tx      int64     `json:"tx"`
		Day     string    `json:"day"`
		Kind    string    `json:"kind"`
		Ref     string    `json:"ref"`
		Account string    `json:"account"`
		Amount  moneyJSON `json:"amount"`
	}
	out := []entryJSON{}
	for _, e := range es {
		out = append(out, entryJSON{Tx: e.Tx, Day: e.Day, Kind: e.Kind, Ref: e.Ref, Account: e.Account, Amount: mj(e.Money)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
}

func (a *API) financeTotals(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	q := r.URL.Query()
	tot, err := finance.Totals(r.Context(), a.cfg.Store.DB(), q.Get("from"), q.Get("to"))
	if err != nil {
		a.financeError(w, err)
		return
	}
	type totalJSON struct {
		Month         string `json:"month"`
		Currency      string `json:"currency"`
		StipendsPaid  int64  `json:"stipends_paid_minor"`
		StipendsCount int    `json:"stipends_count"`
		RewardsPaid   int64  `json:"rewards_paid_minor"`
		RewardsCount  int    `json:"rewards_count"`
	}
	out := []totalJSON{}
	for _, t := range tot {
		out = append(out, totalJSON(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"totals": out})
}

func (a *API) financeAddSource(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	var in struct {
		Label  string   `json:"label"`
		Budget amountIn `json:"budget"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	m, err := in.Budget.money("budget", true)
	var src finance.Source
	if err == nil {
		src, err = f.AddSource(r.Context(), casework.ActorOf(sess), in.Label, m)
	}
	if err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"code": src.Code})
}

func (a *API) financeDeposit(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	var in struct {
		amountIn
		Day string `json:"day"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	m, err := in.money("amount", false)
	if err == nil {
		err = f.Deposit(r.Context(), casework.ActorOf(sess), r.PathValue("code"), m, in.Day)
	}
	if err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"amount": mj(m)})
}

func (a *API) financeSetRate(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	var in struct {
		Day   string `json:"day"`
		Base  string `json:"base"`
		Quote string `json:"quote"`
		Rate  string `json:"rate"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	num, den, err := finance.ParseRate(in.Rate)
	if err == nil {
		err = f.SetRate(r.Context(), casework.ActorOf(sess), finance.Rate{Day: in.Day, Base: strings.ToUpper(in.Base), Quote: strings.ToUpper(in.Quote), Num: num, Den: den})
	}
	if err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"num": num, "den": den})
}

func (a *API) financeRewards(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	ks, err := f.RewardKinds(r.Context())
	if err != nil {
		a.financeError(w, err)
		return
	}
	type kindJSON struct {
		Kind   string    `json:"kind"`
		Amount moneyJSON `json:"amount"`
		Active bool      `json:"active"`
	}
	out := []kindJSON{}
	for _, k := range ks {
		out = append(out, kindJSON{Kind: k.Kind, Amount: mj(k.Amount), Active: k.Active})
	}
	writeJSON(w, http.StatusOK, map[string]any{"rewards": out})
}

func (a *API) financeSetReward(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	var in struct {
		amountIn
		Active *bool `json:"active"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	m, err := in.money("amount", false)
	if err == nil {
		err = f.SetRewardKind(r.Context(), casework.ActorOf(sess), r.PathValue("kind"), m, in.Active == nil || *in.Active)
	}
	if err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": r.PathValue("kind"), "amount": mj(m)})
}

type stipendJSON struct {
	ID     int64     `json:"id"`
	Amount moneyJSON `json:"amount"`
	Start  string    `json:"start"`
	End    string    `json:"end,omitempty"`
}

func (a *API) financePayees(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	ps, err := f.Payees(r.Context())
	if err != nil {
		a.financeError(w, err)
		return
	}
	type payeeJSON struct {
		Code    string       `json:"code"`
		Since   string       `json:"since"`
		Stipend *stipendJSON `json:"stipend,omitempty"`
	}
	out := []payeeJSON{}
	for _, p := range ps {
		pj := payeeJSON{Code: p.Code, Since: p.Created}
		if st := p.Stipend; st != nil {
			pj.Stipend = &stipendJSON{ID: st.ID, Amount: mj(st.Amount), Start: st.Start, End: st.End}
		}
		out = append(out, pj)
	}
	writeJSON(w, http.StatusOK, map[string]any{"payees": out})
}

type stipendIn struct {
	amountIn
	Start string `json:"start"`
	End   string `json:"end"`
}

func (x *stipendIn) terms() (*finance.StipendTerms, error) {
	if x == nil {
		return nil, nil
	}
	m, err := x.money("amount", false)
	if err != nil {
		return nil, err
	}
	return &finance.StipendTerms{Amount: m, Start: x.Start, End: x.End}, nil
}

// financeEnrol makes a payee of a case the token's keyring opens; the
// recipient's code is in this answer only.
func (a *API) financeEnrol(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	var in struct {
		Case     int64      `json:"case"`
		Name     string     `json:"name"`
		HowToPay string     `json:"how_to_pay"`
		Stipend  *stipendIn `json:"stipend"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	st, err := in.Stipend.terms()
	var out finance.Enrolled
	if err == nil {
		out, err = f.EnrolPayee(r.Context(), casework.ActorOf(sess), sess.Keyring(), finance.Enrolment{CaseID: in.Case,
			Details: finance.PayeeDetails{Name: in.Name, HowToPay: in.HowToPay}, Stipend: st})
	}
	if err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"code": out.Code, "recipient_code": out.RecipientCode})
}

func (a *API) financePayee(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	d, err := f.OpenPayee(r.Context(), casework.ActorOf(sess), sess.Keyring(), r.PathValue("code"))
	if err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"code": r.PathValue("code"), "name": d.Name, "how_to_pay": d.HowToPay})
}

func (a *API) financeAddStipend(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	var in stipendIn
	if !decodeJSON(w, r, &in) {
		return
	}
	st, err := in.terms()
	var id int64
	if err == nil {
		id, err = f.AddStipend(r.Context(), casework.ActorOf(sess), r.PathValue("code"), *st)
	}
	if err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"id": id})
}

func (a *API) financeRuns(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	runs, err := f.Runs(r.Context())
	if err != nil {
		a.financeError(w, err)
		return
	}
	out := []runJSON{}
	for _, x := range runs {
		out = append(out, runJSON{ID: x.ID, Month: x.Month, Source: x.Source, Status: x.Status, Prepared: x.Prepared, Closed: x.Closed})
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": out})
}

type runJSON struct {
	ID       int64  `json:"id"`
	Month    string `json:"month"`
	Source   string `json:"source"`
	Status   string `json:"status"`
	Prepared string `json:"prepared"`
	Closed   string `json:"closed,omitempty"`
}

func (a *API) financePrepareRun(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	var in struct {
		Month  string `json:"month"`
		Source string `json:"source"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	id, err := f.PrepareRun(r.Context(), casework.ActorOf(sess), in.Month, in.Source)
	if err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"id": id})
}

// financeRun answers a run's roster (payee codes, never names), as JSON
// or CSV.
func (a *API) financeRun(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	id, ok := financeID(w, r, "id")
	if !ok {
		return
	}
	if wantsCSV(r) {
		var buf bytes.Buffer
		if err := f.RosterCSV(r.Context(), id, &buf); err != nil {
			a.financeError(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="roster.csv"`)
		w.Write(buf.Bytes())
		return
	}
	run, lines, err := f.GetRun(r.Context(), id)
	if err != nil {
		a.financeError(w, err)
		return
	}
	type lineJSON struct {
		ID       int64     `json:"id"`
		Payee    string    `json:"payee"`
		ForMonth string    `json:"for_month"`
		Arrears  bool      `json:"arrears"`
		Amount   moneyJSON `json:"amount"`
		Status   string    `json:"status"`
		Confirm  string    `json:"confirmed_by,omitempty"`
	}
	out := struct {
		runJSON
		Lines []lineJSON `json:"lines"`
	}{runJSON: runJSON{ID: run.ID, Month: run.Month, Source: run.Source, Status: run.Status, Prepared: run.Prepared, Closed: run.Closed}, Lines: []lineJSON{}}
	for _, l := range lines {
		out.Lines = append(out.Lines, lineJSON{ID: l.ID, Payee: l.Payee, ForMonth: l.ForMonth, Arrears: l.Arrears, Amount: mj(l.Amount), Status: l.Status, Confirm: l.Confirm})
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) financeMarkLine(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	if _, ok := financeID(w, r, "id"); !ok {
		return
	}
	line, ok := financeID(w, r, "line")
	if !ok {
		return
	}
	var in struct {
		Status  string `json:"status"`
		Code    string `json:"code"`
		Witness string `json:"witness"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	if err := f.MarkLine(r.Context(), casework.ActorOf(sess), sess.Keyring(), line, finance.Mark{Status: in.Status, Code: in.Code, Witness: in.Witness}); err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": in.Status})
}

func sums(m map[string]int64) []moneyJSON {
	out := []moneyJSON{}
	for _, c := range finance.Currencies() {
		if m[c] != 0 {
			out = append(out, mj(finance.Money{Currency: c, Minor: m[c]}))
		}
	}
	return out
}

func (a *API) financeReconcile(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	id, ok := financeID(w, r, "id")
	if !ok {
		return
	}
	rc, err := f.Reconcile(r.Context(), casework.ActorOf(sess), id)
	if err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"paid": sums(rc.Paid), "missed": sums(rc.Missed), "refused": sums(rc.Refused),
		"ledger": sums(rc.Ledger), "lines": rc.Count})
}

type claimJSON struct {
	ID       int64     `json:"id"`
	Payee    string    `json:"payee"`
	Kind     string    `json:"kind"`
	Amount   moneyJSON `json:"amount"`
	Status   string    `json:"status"`
	Created  string    `json:"created"`
	Paid     string    `json:"paid,omitempty"`
	Evidence int       `json:"evidence_files"`
}

func claimOut(c finance.Claim) claimJSON {
	return claimJSON{ID: c.ID, Payee: c.Payee, Kind: c.Kind, Amount: mj(c.Amount), Status: c.Status, Created: c.Created, Paid: c.Paid, Evidence: c.Files}
}

func (a *API) financeClaims(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	cs, err := f.Claims(r.Context())
	if err != nil {
		a.financeError(w, err)
		return
	}
	out := []claimJSON{}
	for _, c := range cs {
		out = append(out, claimOut(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"claims": out})
}

// financeFileClaim files a claim with its custody record (evidence files
// are attached through the claim form of the web pages).
func (a *API) financeFileClaim(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	var in struct {
		Payee   string `json:"payee"`
		Kind    string `json:"kind"`
		Custody struct {
			Items      string `json:"items"`
			ReceivedBy string `json:"received_by"`
			When       string `json:"when"`
			HeldAt     string `json:"held_at"`
		} `json:"custody"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	id, err := f.FileClaim(r.Context(), casework.ActorOf(sess), finance.NewClaim{Payee: in.Payee, Kind: in.Kind,
		Custody: finance.Custody{Items: in.Custody.Items, ReceivedBy: in.Custody.ReceivedBy, When: in.Custody.When, HeldAt: in.Custody.HeldAt}})
	if err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"id": id})
}

// financeClaim answers a claim with its custody record (opened with the
// token's finance keys; audited).
func (a *API) financeClaim(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	id, ok := financeID(w, r, "id")
	if !ok {
		return
	}
	c, err := f.GetClaim(r.Context(), id)
	if err != nil {
		a.financeError(w, err)
		return
	}
	rec, err := f.OpenClaim(r.Context(), casework.ActorOf(sess), sess.Keyring(), id)
	if err != nil {
		a.financeError(w, err)
		return
	}
	type evJSON struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Type string `json:"type"`
		Size int64  `json:"size"`
	}
	evs := []evJSON{}
	for _, e := range rec.Evidence {
		evs = append(evs, evJSON(e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"claim": claimOut(c), "custody": map[string]string{"items": rec.Custody.Items,
		"received_by": rec.Custody.ReceivedBy, "when": rec.Custody.When, "held_at": rec.Custody.HeldAt}, "evidence": evs})
}

func (a *API) financeApprove(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	id, ok := financeID(w, r, "id")
	if !ok {
		return
	}
	st, err := f.ApproveClaim(r.Context(), casework.ActorOf(sess), id)
	if err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": st})
}

func (a *API) financePay(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	id, ok := financeID(w, r, "id")
	if !ok {
		return
	}
	var in struct {
		Source string `json:"source"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	if err := f.PayClaim(r.Context(), casework.ActorOf(sess), id, in.Source); err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": finance.ClaimPaid})
}

func (a *API) financeReject(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	id, ok := financeID(w, r, "id")
	if !ok {
		return
	}
	if err := f.RejectClaim(r.Context(), casework.ActorOf(sess), id); err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": finance.ClaimRejected})
}

func (a *API) financeEndStipend(w http.ResponseWriter, r *http.Request, sess *auth.Session, f *finance.Service) {
	id, ok := financeID(w, r, "id")
	if !ok {
		return
	}
	var in struct {
		End string `json:"end"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	if err := f.EndStipend(r.Context(), casework.ActorOf(sess), id, in.End); err != nil {
		a.financeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id})
}
