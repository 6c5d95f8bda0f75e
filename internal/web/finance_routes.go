package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/finance"
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
