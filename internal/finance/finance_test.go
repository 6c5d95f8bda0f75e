package finance_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/finance"
	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
	"embrace/internal/testtool"
)

type fixture struct {
	w          *caseworktest.World
	s          *store.Store
	f          *finance.Service
	clock      *testtool.Clock
	handler    caseworktest.Staff
	off1, off2 caseworktest.Staff
	in, vet    caseworktest.Staff
}

func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	w := caseworktest.New(t, s)
	fx := &fixture{w: w, s: s, clock: testtool.NewClock(time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC))}
	fx.f = finance.New(s, fx.clock.Now)
	fx.in = w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
	fx.vet = w.Staff(t, "vetter1", []auth.Role{auth.RoleVettingOfficer}, "vetting")
	fx.handler = w.Staff(t, "handler1", []auth.Role{auth.RoleCaseHandler}, "casework")
	fx.off1 = w.Staff(t, "fin1", []auth.Role{auth.RoleFinanceOfficer}, "finance")
	fx.off2 = w.Staff(t, "fin2", []auth.Role{auth.RoleFinanceOfficer}, "finance")
	return fx
}

// verifiedCase opens a case and moves it to verified through vetting.
func (fx *fixture) verifiedCase(t *testing.T) int64 {
	t.Helper()
	id := fx.w.OpenCase(t, caseworktest.Case())
	fx.w.Move(t, id, []string{casework.StateScreening, casework.StateVetting, casework.StateVerified}, fx.in, fx.vet)
	return id
}

func (fx *fixture) enrol(t *testing.T, name string, st *finance.StipendTerms) finance.Enrolled {
	t.Helper()
	e, err := fx.f.EnrolPayee(context.Background(), fx.handler.Actor, fx.handler.Ring, finance.Enrolment{
		CaseID: fx.verifiedCase(t), Details: finance.PayeeDetails{Name: name, HowToPay: "cash at the market"}, Stipend: st})
	if err != nil {
		t.Fatalf("enrol: %v", err)
	}
	return e
}

func thb(major int64) finance.Money { return finance.Money{Currency: "THB", Minor: major * 100} }

func (fx *fixture) source(t *testing.T, label string, budget, deposit finance.Money) string {
	t.Helper()
	ctx := context.Background()
	src, err := fx.f.AddSource(ctx, fx.off1.Actor, label, budget)
	if err != nil {
		t.Fatal(err)
	}
	if deposit.Minor > 0 {
		if err := fx.f.Deposit(ctx, fx.off1.Actor, src.Code, deposit, "2026-01-02"); err != nil {
			t.Fatal(err)
		}
	}
	return src.Code
}

func balanced(t *testing.T, f *finance.Service) {
	t.Helper()
	if off, err := f.TrialBalance(context.Background()); err != nil || len(off) != 0 {
		t.Fatalf("the ledger does not balance: %v %v", off, err)
	}
}

func count(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func rowCounts(t *testing.T, s *store.Store) map[string]int {
	out := map[string]int{}
	for _, tb := range []string{"finance_tx", "finance_entries", "finance_payees", "finance_stipends", "finance_runs", "finance_run_lines",
		"finance_claims", "finance_evidence", "finance_sources", "finance_rates", "finance_reward_kinds", "audit_entries"} {
		out[tb] = count(t, s, tb)
	}
	return out
}

func sameCounts(t *testing.T, before, after map[string]int, what string) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Fatalf("%s changed %s: %d rows, then %d", what, k, v, after[k])
		}
	}
}

func lineFor(t *testing.T, lines []finance.RunLine, payee, month string) finance.RunLine {
	t.Helper()
	for _, l := range lines {
		if l.Payee == payee && l.ForMonth == month {
			return l
		}
	}
	t.Fatalf("no line for %s %s in %+v", payee, month, lines)
	return finance.RunLine{}
}

// Done when: a payment run is prepared, paid and reconciled; arrears are
// carried; a second payment for the same month is refused.
func TestPaymentRunPreparedPaidReconciled(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newFixture(t, s)
		src := fx.source(t, "Main fund", thb(100000), thb(50000))
		a := fx.enrol(t, "Ko Aung", &finance.StipendTerms{Amount: thb(1000), Start: "2026-01"})
		b := fx.enrol(t, "Ma Hla", &finance.StipendTerms{Amount: thb(1500), Start: "2026-01", End: "2026-02"})
		c := fx.enrol(t, "U Tun", &finance.StipendTerms{Amount: thb(800), Start: "2026-02"})

		run, err := fx.f.PrepareRun(ctx, fx.off1.Actor, "2026-01", src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.f.PrepareRun(ctx, fx.off1.Actor, "2026-02", src); !errors.Is(err, finance.ErrRunOpen) {
			t.Fatalf("a second run while one is open: %v", err)
		}
		_, lines, err := fx.f.GetRun(ctx, run)
		if err != nil || len(lines) != 2 {
			t.Fatalf("January roster: %+v %v", lines, err)
		}
		la, lb := lineFor(t, lines, a.Code, "2026-01"), lineFor(t, lines, b.Code, "2026-01")
		if err := fx.f.MarkLine(ctx, fx.off1.Actor, fx.off1.Ring, la.ID, finance.Mark{Status: "paid", Code: "WRONG1"}); !errors.Is(err, finance.ErrConfirm) {
			t.Fatalf("wrong recipient code: %v", err)
		}
		if err := fx.f.MarkLine(ctx, fx.off1.Actor, fx.off1.Ring, la.ID, finance.Mark{Status: "paid", Code: strings.ToLower(a.RecipientCode)}); err != nil {
			t.Fatal(err)
		}
		before := rowCounts(t, s)
		if err := fx.f.MarkLine(ctx, fx.off2.Actor, fx.off2.Ring, la.ID, finance.Mark{Status: "paid", Witness: "Daw Mya"}); !errors.Is(err, finance.ErrDoublePay) {
			t.Fatalf("paid twice for the same month: %v", err)
		}
		sameCounts(t, before, rowCounts(t, s), "a second payment")
		if _, err := fx.f.Reconcile(ctx, fx.off1.Actor, run); !errors.Is(err, finance.ErrUnreconciled) {
			t.Fatalf("reconciled with a pending line: %v", err)
		}
		if err := fx.f.MarkLine(ctx, fx.off1.Actor, fx.off1.Ring, lb.ID, finance.Mark{Status: "missed"}); err != nil {
			t.Fatal(err)
		}
		rc, err := fx.f.Reconcile(ctx, fx.off1.Actor, run)
		if err != nil {
			t.Fatal(err)
		}
		if rc.Paid["THB"] != 100000 || rc.Ledger["THB"] != 100000 || rc.Count["paid"] != 1 || rc.Missed["THB"] != 150000 {
			t.Fatalf("reconciliation %+v", rc)
		}

		// February: a's and c's stipends, b's February and b's January arrears.
		run2, err := fx.f.PrepareRun(ctx, fx.off1.Actor, "2026-02", src)
		if err != nil {
			t.Fatal(err)
		}
		_, lines, _ = fx.f.GetRun(ctx, run2)
		if len(lines) != 4 {
			t.Fatalf("February roster: %+v", lines)
		}
		arr := lineFor(t, lines, b.Code, "2026-01")
		if !arr.Arrears {
			t.Fatalf("January's missed line is not arrears: %+v", arr)
		}
		for _, l := range lines {
			mk := finance.Mark{Status: "paid", Witness: "Saya Thein"}
			if l.Payee == c.Code {
				mk = finance.Mark{Status: "refused"}
			}
			if err := fx.f.MarkLine(ctx, fx.off2.Actor, fx.off2.Ring, l.ID, mk); err != nil {
				t.Fatal(err)
			}
		}
		rc, err = fx.f.Reconcile(ctx, fx.off2.Actor, run2)
		if err != nil {
			t.Fatal(err)
		}
		if rc.Paid["THB"] != (1000+1500+1500)*100 || rc.Count["refused"] != 1 {
			t.Fatalf("February reconciliation %+v", rc)
		}
		fx.clock.Advance(31 * 24 * time.Hour)
		// March: b's stipend has ended, c refused February (not carried).
		run3, err := fx.f.PrepareRun(ctx, fx.off1.Actor, "2026-03", src)
		if err != nil {
			t.Fatal(err)
		}
		_, lines, _ = fx.f.GetRun(ctx, run3)
		if len(lines) != 2 {
			t.Fatalf("March roster: %+v", lines)
		}
		if _, err := fx.f.PrepareRun(ctx, fx.off1.Actor, "2026-02", src); err == nil {
			t.Fatal("a run for a month already run")
		}
		cash, _ := fx.f.Cash(ctx)
		if cash["THB"] != (50000-1000-4000)*100 {
			t.Fatalf("cash %v", cash)
		}
		balanced(t, fx.f)
		// Finance reads the names only through the audited cash roster.
		named, err := fx.f.CashRoster(ctx, fx.off1.Actor, fx.off1.Ring, run3)
		if err != nil || len(named) != 2 {
			t.Fatalf("cash roster: %v %v", len(named), err)
		}
		// The case handler is not in the finance team: no payee key.
		if _, err := fx.f.OpenPayee(ctx, fx.handler.Actor, fx.handler.Ring, a.Code); !errors.Is(err, finance.ErrForbidden) {
			t.Fatalf("a case handler opened a payee: %v", err)
		}
		handlerAsFinance := fx.handler.Actor
		handlerAsFinance.Roles = []auth.Role{auth.RoleFinanceOfficer}
		if _, err := fx.f.OpenPayee(ctx, handlerAsFinance, fx.handler.Ring, a.Code); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a keyring without the finance team opened a payee: %v", err)
		}
		d, err := fx.f.OpenPayee(ctx, fx.off2.Actor, fx.off2.Ring, a.Code)
		if err != nil || d.Name != "Ko Aung" {
			t.Fatalf("open payee: %v", err)
		}
		// Escrow reads the payee too.
		if _, err := fx.f.OpenPayee(ctx, fx.off2.Actor, escrowRing(t, fx), a.Code); err != nil {
			t.Fatalf("escrow cannot open a payee: %v", err)
		}
	})
}

// Done when: a reward claim is approved by two officers and paid.
func TestRewardTwoOfficers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newFixture(t, s)
		src := fx.source(t, "Rewards fund", thb(1000000), thb(600000))
		if err := fx.f.SetRewardKind(ctx, fx.off1.Actor, "vehicle", thb(500000), true); err != nil {
			t.Fatal(err)
		}
		p := fx.enrol(t, "Bo Kyaw", nil)
		pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 1000)...)
		id, err := fx.f.FileClaim(ctx, fx.off1.Actor, finance.NewClaim{Payee: p.Code, Kind: "vehicle",
			Custody:  finance.Custody{Items: "one truck", ReceivedBy: "Ko Min", When: "2026-01-09", HeldAt: "the compound"},
			Evidence: []finance.Evidence{{Name: "receipt.pdf", Body: bytes.NewReader(pdf)}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := fx.f.PayClaim(ctx, fx.off1.Actor, id, src); !errors.Is(err, finance.ErrClaimState) {
			t.Fatalf("paid before approval: %v", err)
		}
		if st, err := fx.f.ApproveClaim(ctx, fx.off1.Actor, id); err != nil || st != finance.ClaimApproved {
			t.Fatalf("first approval: %s %v", st, err)
		}
		before := rowCounts(t, s)
		if _, err := fx.f.ApproveClaim(ctx, fx.off1.Actor, id); !errors.Is(err, finance.ErrSameOfficer) {
			t.Fatalf("one officer approved twice: %v", err)
		}
		if err := fx.f.PayClaim(ctx, fx.off1.Actor, id, src); !errors.Is(err, finance.ErrClaimState) {
			t.Fatalf("paid after one approval: %v", err)
		}
		sameCounts(t, before, rowCounts(t, s), "one officer approving alone")
		if st, err := fx.f.ApproveClaim(ctx, fx.off2.Actor, id); err != nil || st != finance.ClaimConfirmed {
			t.Fatalf("second approval: %s %v", st, err)
		}
		if _, err := fx.f.ApproveClaim(ctx, fx.off2.Actor, id); !errors.Is(err, finance.ErrClaimState) {
			t.Fatalf("a third approval: %v", err)
		}
		if err := fx.f.PayClaim(ctx, fx.off2.Actor, id, src); err != nil {
			t.Fatal(err)
		}
		c, err := fx.f.GetClaim(ctx, id)
		if err != nil || c.Status != finance.ClaimPaid || c.FirstBy == c.SecondBy {
			t.Fatalf("claim %+v %v", c, err)
		}
		bs, _ := fx.f.Balances(ctx)
		got := map[string]int64{}
		for _, b := range bs {
			got[b.Account] = b.Minor
		}
		if got[finance.AccountRewardExpense] != 50000000 || got[finance.AccountRewardsPayable] != 0 || got[finance.CashAccount(src)] != 10000000 {
			t.Fatalf("balances %v", got)
		}
		balanced(t, fx.f)
		rec, err := fx.f.OpenClaim(ctx, fx.off2.Actor, fx.off2.Ring, id)
		if err != nil || rec.Custody.HeldAt != "the compound" || len(rec.Evidence) != 1 || rec.Evidence[0].Type != "application/pdf" {
			t.Fatalf("claim record %v %v", len(rec.Evidence), err)
		}
		var out bytes.Buffer
		if typ, err := fx.f.EvidenceFile(ctx, fx.off1.Actor, fx.off1.Ring, id, rec.Evidence[0].ID, &out); err != nil || typ != "application/pdf" || !bytes.Equal(out.Bytes(), pdf) {
			t.Fatalf("evidence round trip: %v", err)
		}
		// Totals for statistics: the reward, in January 2026, no names.
		tot, err := finance.Totals(ctx, s.DB(), "2026-01", "2026-12")
		if err != nil || len(tot) != 1 || tot[0].RewardsPaid != 50000000 || tot[0].RewardsCount != 1 {
			t.Fatalf("totals %+v %v", tot, err)
		}
	})
}

// escrowRing is a keyring holding the escrow identity only.
func escrowRing(t *testing.T, fx *fixture) *keys.Keyring {
	t.Helper()
	esc, err := keys.Escrow(context.Background(), fx.s.DB())
	if err != nil {
		t.Fatal(err)
	}
	r := keys.NewKeyring()
	r.Add(esc.ID, fx.w.EscrowID)
	return r
}

// TestNoFloat: no floating point in the package (DESIGN: money is exact).
func TestNoFloat(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, word := range []string{"float32", "float64", "ParseFloat", "big.Float", "math."} {
			if bytes.Contains(b, []byte(word)) {
				t.Errorf("%s uses %s", f, word)
			}
		}
	}
}

// Finance officers hold no case permission: what they learn of a person
// is what a payee's sealed details say, never a case (so never a place).
func TestFinanceReadsNoCase(t *testing.T) {
	for _, p := range []auth.Permission{auth.PermCaseRead, auth.PermCaseHandle, auth.PermShelter, auth.PermPassagePlan} {
		if auth.Can([]auth.Role{auth.RoleFinanceOfficer}, p) {
			t.Errorf("a finance officer holds %s", p)
		}
	}
}

// Red values print as [redacted], however they are formatted or logged.
func TestSecretsPrintRedacted(t *testing.T) {
	const canary = "Canary-Qzfmt-4412"
	values := []any{
		finance.PayeeDetails{Name: canary, HowToPay: canary},
		finance.Custody{Items: canary, ReceivedBy: canary, When: canary, HeldAt: canary},
		finance.Mark{Status: "paid", Witness: canary, Code: canary},
		finance.Enrolled{Code: "P-AAAAAA", RecipientCode: canary},
		finance.Evidence{Name: canary},
		finance.EvidenceInfo{Name: canary},
		finance.NamedLine{Details: finance.PayeeDetails{Name: canary}},
		finance.ClaimRecord{Custody: finance.Custody{HeldAt: canary}, Evidence: []finance.EvidenceInfo{{Name: canary}}},
		finance.NewClaim{Custody: finance.Custody{HeldAt: canary}, Evidence: []finance.Evidence{{Name: canary}}},
	}
	for _, v := range values {
		var logs bytes.Buffer
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "v", v)
		for _, out := range []string{fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprint(v), logs.String()} {
			if strings.Contains(out, canary) {
				t.Errorf("%T prints its red value: %s", v, out)
			}
		}
	}
}

// Text typed in Zawgyi is converted at the boundary, its original kept
// beside it, sealed.
func TestZawgyiCustodyKeepsOriginal(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newFixture(t, s)
		if err := fx.f.SetRewardKind(ctx, fx.off1.Actor, "vehicle", thb(5000), true); err != nil {
			t.Fatal(err)
		}
		p := fx.enrol(t, "ေဒၚသီတာ", nil)
		id, err := fx.f.FileClaim(ctx, fx.off1.Actor, finance.NewClaim{Payee: p.Code, Kind: "vehicle",
			Custody: finance.Custody{Items: "truck", ReceivedBy: "ေဒၚသီတာ", When: "today", HeldAt: "yard"}})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := fx.f.OpenClaim(ctx, fx.off1.Actor, fx.off1.Ring, id)
		if err != nil || rec.Custody.ReceivedBy != "ဒေါ်သီတာ" || rec.Custody.Original["received_by"] != "ေဒၚသီတာ" {
			t.Fatalf("custody %q %v %v", rec.Custody.ReceivedBy, rec.Custody.Original, err)
		}
		d, err := fx.f.OpenPayee(ctx, fx.off1.Actor, fx.off1.Ring, p.Code)
		if err != nil || d.Name != "ဒေါ်သီတာ" || d.Original["name"] != "ေဒၚသီတာ" {
			t.Fatalf("payee %q %v %v", d.Name, d.Original, err)
		}
	})
}
