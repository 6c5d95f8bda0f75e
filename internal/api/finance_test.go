package api

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func financeRows(t *testing.T, st *store.Store) map[string]int {
	out := map[string]int{}
	for _, tb := range []string{"finance_tx", "finance_entries", "finance_sources", "finance_rates", "finance_reward_kinds", "finance_runs", "finance_claims"} {
		var n int
		if err := st.DB().QueryRow("SELECT count(*) FROM " + tb).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tb] = n
	}
	return out
}

// TestFinanceAPI: funding, rates, the reward schedule and an (empty) run
// through the API; bad amounts, unknown currencies and bad months are 400
// naming the field and change nothing; the ledger exports as CSV.
func TestFinanceAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAPIEnv(t, st)
		tok := e.token(t, e.account(t, "fin-api", auth.RoleFinanceOfficer))
		before := financeRows(t, st)
		for _, tc := range []struct{ path, body, field string }{
			{"/api/v1/finance/sources", `{"label":"Fund","budget":{"amount":"1.005","currency":"THB"}}`, "budget"},
			{"/api/v1/finance/sources", `{"label":"Fund","budget":{"amount":"-1","currency":"THB"}}`, "budget"},
			{"/api/v1/finance/sources", `{"label":"Fund","budget":{"amount":"1","currency":"XAU"}}`, "budget"},
			{"/api/v1/finance/sources", `{"label":"Fund","budget":{"amount":"99,999,999,999,999","currency":"USD"}}`, "budget"},
			{"/api/v1/finance/sources", `{"label":"","budget":{"amount":"1","currency":"USD"}}`, "label"},
			{"/api/v1/finance/rates", `{"day":"2025-09-01","base":"USD","quote":"THB","rate":"-3"}`, "rate"},
			{"/api/v1/finance/runs", `{"month":"2025-13","source":"F-1"}`, "month"},
		} {
			r := e.do(t, "POST", tc.path, tok, tc.body)
			var b fieldErrorBody
			json.Unmarshal(r.Body.Bytes(), &b)
			if r.Code != http.StatusBadRequest || b.Error.Field != tc.field || b.Error.Message == "" {
				t.Errorf("%s %s: %d %s", tc.path, tc.body, r.Code, r.Body.String())
			}
		}
		if r := e.do(t, "PUT", "/api/v1/finance/rewards/vehicle", tok, `{"amount":"0","currency":"THB"}`); r.Code != http.StatusBadRequest {
			t.Errorf("zero reward: %d", r.Code)
		}
		after := financeRows(t, st)
		for k, v := range before {
			if after[k] != v {
				t.Fatalf("refused requests changed %s", k)
			}
		}
		if r := e.do(t, "POST", "/api/v1/finance/sources", tok, `{"label":"Main fund","budget":{"amount":"100,000","currency":"THB"}}`); r.Code != http.StatusCreated {
			t.Fatalf("source: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", "/api/v1/finance/sources/F-1/deposits", tok, `{"amount":"၅၀,၀၀၀","currency":"THB","day":"2025-09-01"}`); r.Code != http.StatusCreated {
			t.Fatalf("deposit: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", "/api/v1/finance/rates", tok, `{"day":"2025-09-01","base":"USD","quote":"THB","rate":"35.12"}`); r.Code != http.StatusOK ||
			!strings.Contains(r.Body.String(), `"num":878`) {
			t.Fatalf("rate: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "PUT", "/api/v1/finance/rewards/anti_aircraft", tok, `{"amount":"3,000","currency":"USD"}`); r.Code != http.StatusOK {
			t.Fatalf("reward: %d %s", r.Code, r.Body.String())
		}
		month := time.Now().UTC().Format("2006-01")
		r := e.do(t, "POST", "/api/v1/finance/runs", tok, `{"month":"`+month+`","source":"F-1"}`)
		if r.Code != http.StatusCreated {
			t.Fatalf("run: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", "/api/v1/finance/runs", tok, `{"month":"`+month+`","source":"F-1"}`); r.Code != http.StatusConflict || errorCode(t, r) != "run_open" {
			t.Fatalf("second run: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", "/api/v1/finance/runs/1/reconcile", tok, ""); r.Code != http.StatusOK {
			t.Fatalf("reconcile: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", "/api/v1/finance/claims/1/approvals", tok, ""); r.Code != http.StatusNotFound {
			t.Fatalf("approve a missing claim: %d", r.Code)
		}
		r = e.do(t, "GET", "/api/v1/finance/summary", tok, "")
		var sum struct {
			Runway []struct {
				Currency  string
				Available struct{ Minor int64 }
				Months    int
			}
		}
		if err := json.Unmarshal(r.Body.Bytes(), &sum); err != nil || len(sum.Runway) != 1 || sum.Runway[0].Available.Minor != 5000000 {
			t.Fatalf("summary: %s", r.Body.String())
		}
		r = e.do(t, "GET", "/api/v1/finance/ledger?format=csv", tok, "")
		recs, err := csv.NewReader(r.Body).ReadAll()
		if err != nil || len(recs) != 3 || recs[1][6] != "50000.00" {
			t.Fatalf("ledger CSV: %v %v", recs, err)
		}
		if r := e.do(t, "GET", "/api/v1/finance/totals?from=2025-01&to=2024-01", tok, ""); r.Code != http.StatusBadRequest {
			t.Fatalf("totals with months out of order: %d", r.Code)
		}
	})
}

// FuzzFinanceAPIBody: no body a finance route is sent answers 5xx.
func FuzzFinanceAPIBody(f *testing.F) {
	st := storetest.New(f, storetest.Targets(f)[0])
	e := newAPIEnv(f, st)
	tok := e.token(f, e.account(f, "fin-fuzz", auth.RoleFinanceOfficer))
	for _, s := range []string{`{"label":"F","budget":{"amount":"1,000.50","currency":"THB"}}`, `{"amount":"1.005","currency":"THB","day":"2025-02-30"}`,
		`{"month":"2025-09","source":"F-1"}`, `{"status":"paid","code":"x"}`, `{"payee":"P-1","kind":"k","custody":{}}`, `[]`, `{"day":"2025-01-01","base":"USD","quote":"THB","rate":"1e9"}`} {
		f.Add(uint8(0), s)
		f.Add(uint8(3), s)
	}
	paths := []string{"POST /api/v1/finance/sources", "POST /api/v1/finance/sources/F-1/deposits", "POST /api/v1/finance/rates", "PUT /api/v1/finance/rewards/vehicle",
		"POST /api/v1/finance/runs", "POST /api/v1/finance/runs/1/lines/1", "POST /api/v1/finance/claims", "POST /api/v1/finance/payees/P-7Q4K2M/stipends"}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		m, p, _ := strings.Cut(paths[int(which)%len(paths)], " ")
		if r := e.do(t, m, p, tok, body); r.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", m, p, body, r.Code, r.Body.String())
		}
	})
}
