package finance_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/finance"
	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// Done when: the runway forecast matches a hand calculation.
func TestRunwayHandCalculation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newFixture(t, s)
		fx.source(t, "Main fund", thb(100000), thb(50000))
		fx.source(t, "Kyat fund", finance.Money{Currency: "MMK", Minor: 10_000_000_00}, finance.Money{Currency: "MMK", Minor: 1_000_000_00})
		fx.source(t, "Dollar fund", finance.Money{Currency: "USD", Minor: 100000}, finance.Money{Currency: "USD", Minor: 100000})
		fx.enrol(t, "A", &finance.StipendTerms{Amount: thb(1000), Start: "2026-01"})
		fx.enrol(t, "B", &finance.StipendTerms{Amount: thb(1500), Start: "2026-01", End: "2026-06"})
		fx.enrol(t, "C", &finance.StipendTerms{Amount: thb(2000), Start: "2026-04"})
		fx.enrol(t, "D", &finance.StipendTerms{Amount: finance.Money{Currency: "MMK", Minor: 100_000_00}, Start: "2026-01", End: "2026-03"})
		// A reward approved by two officers and not yet paid is committed.
		if err := fx.f.SetRewardKind(ctx, fx.off1.Actor, "arms_ammunition", thb(5000), true); err != nil {
			t.Fatal(err)
		}
		p := fx.enrol(t, "E", nil)
		claim, err := fx.f.FileClaim(ctx, fx.off1.Actor, finance.NewClaim{Payee: p.Code, Kind: "arms_ammunition",
			Custody: finance.Custody{Items: "rifle", ReceivedBy: "x", When: "y", HeldAt: "z"}})
		if err != nil {
			t.Fatal(err)
		}
		fx.f.ApproveClaim(ctx, fx.off1.Actor, claim)
		if _, err := fx.f.ApproveClaim(ctx, fx.off2.Actor, claim); err != nil {
			t.Fatal(err)
		}

		// By hand, THB: 50,000 in hand − 5,000 payable = 45,000 available.
		//   Jan–Mar  2,500 a month (A+B)     → 45,000 − 7,500  = 37,500 (3 months)
		//   Apr–Jun  4,500 a month (A+B+C)   → 37,500 − 13,500 = 24,000 (6)
		//   Jul on   3,000 a month (A+C)     → 24,000 / 3,000  = 8 more months, 0 left (14)
		//   2027-03: 3,000 due, 0 left       → runs out in 2027-03.
		// MMK: 1,000,000 in hand, D takes 100,000 for Jan–Mar and ends: 3 months, never runs out.
		// USD: 1,000 in hand, nothing enrolled: 0 months, never runs out.
		rw, err := fx.f.Runway(ctx, "2026-01")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]finance.Runway{
			"THB": {Currency: "THB", Available: 4500000, Monthly: 250000, Months: 14, RunsOut: "2027-03"},
			"MMK": {Currency: "MMK", Available: 100000000, Monthly: 10000000, Months: 3, RunsOut: ""},
			"USD": {Currency: "USD", Available: 100000, Monthly: 0, Months: 0, RunsOut: ""},
		}
		if len(rw) != len(want) {
			t.Fatalf("runway %+v", rw)
		}
		for _, r := range rw {
			if r != want[r.Currency] {
				t.Errorf("runway %+v, want %+v", r, want[r.Currency])
			}
		}
		// From July on, by hand: 45,000 / 3,000 = 15 months, out in 2027-10.
		rw, _ = fx.f.Runway(ctx, "2026-07")
		for _, r := range rw {
			if r.Currency == "THB" && (r.Months != 15 || r.RunsOut != "2027-10") {
				t.Errorf("runway from July %+v", r)
			}
		}
	})
}

// Done when: the ledger balances. A realistic year: thirty payees in two
// currencies, twelve monthly runs with paid, missed and refused lines and
// arrears, rewards; every account summed per currency is zero, and cash
// equals deposits less what the roster and claims say was paid.
func TestLedgerBalancesOverAYear(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newFixture(t, s)
		thbSrc := fx.source(t, "Main fund", thb(2_000_000), thb(1_500_000))
		mmkSrc := fx.source(t, "Kyat fund", finance.Money{Currency: "MMK", Minor: 500_000_000_00}, finance.Money{Currency: "MMK", Minor: 300_000_000_00})
		var codes []finance.Enrolled
		for i := range 30 {
			terms := &finance.StipendTerms{Amount: thb(int64(800 + 100*(i%5))), Start: "2026-01"}
			if i%3 == 0 {
				terms = &finance.StipendTerms{Amount: finance.Money{Currency: "MMK", Minor: int64(150_000_00 + i*1000_00)}, Start: "2026-03", End: "2026-10"}
			}
			codes = append(codes, fx.enrol(t, "payee "+string(rune('A'+i)), terms))
		}
		if err := fx.f.SetRewardKind(ctx, fx.off1.Actor, "vehicle", thb(300000), true); err != nil {
			t.Fatal(err)
		}
		if err := fx.f.SetRewardKind(ctx, fx.off1.Actor, "arms_ammunition", finance.Money{Currency: "MMK", Minor: 2_000_000_00}, true); err != nil {
			t.Fatal(err)
		}
		recip := map[string]string{}
		for _, c := range codes {
			recip[c.Code] = c.RecipientCode
		}
		paid := map[string]int64{}
		arrears := 0
		for m := range 12 {
			month := time.Date(2026, time.Month(m+1), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
			svc := finance.New(s, func() time.Time { return time.Date(2026, time.Month(m+1), 20, 0, 0, 0, 0, time.UTC) })
			run, err := svc.PrepareRun(ctx, fx.off1.Actor, month, thbSrc)
			if err != nil {
				t.Fatalf("%s: %v", month, err)
			}
			_, lines, _ := svc.GetRun(ctx, run)
			for i, l := range lines {
				if l.Arrears {
					arrears++
				}
				var mk finance.Mark
				switch (i*7 + m*3) % 10 {
				case 0:
					mk = finance.Mark{Status: "missed"}
				case 1:
					if !l.Arrears {
						mk = finance.Mark{Status: "refused"}
						break
					}
					fallthrough
				case 2, 3:
					mk = finance.Mark{Status: "paid", Witness: "witness"}
				default:
					mk = finance.Mark{Status: "paid", Code: recip[l.Payee]}
				}
				if err := svc.MarkLine(ctx, fx.off2.Actor, fx.off2.Ring, l.ID, mk); err != nil {
					t.Fatalf("%s line %d: %v", month, l.ID, err)
				}
				if mk.Status == "paid" {
					paid[l.Amount.Currency] += l.Amount.Minor
				}
			}
			if _, err := svc.Reconcile(ctx, fx.off1.Actor, run); err != nil {
				t.Fatalf("%s: %v", month, err)
			}
			if m == 5 || m == 9 {
				kind, src, cur := "vehicle", thbSrc, "THB"
				if m == 9 {
					kind, src, cur = "arms_ammunition", mmkSrc, "MMK"
				}
				id, err := svc.FileClaim(ctx, fx.off1.Actor, finance.NewClaim{Payee: codes[m].Code, Kind: kind,
					Custody: finance.Custody{Items: "items", ReceivedBy: "r", When: "w", HeldAt: "h"}})
				if err != nil {
					t.Fatal(err)
				}
				svc.ApproveClaim(ctx, fx.off1.Actor, id)
				svc.ApproveClaim(ctx, fx.off2.Actor, id)
				if err := svc.PayClaim(ctx, fx.off1.Actor, id, src); err != nil {
					t.Fatal(err)
				}
				c, _ := svc.GetClaim(ctx, id)
				paid[cur] += c.Amount.Minor
			}
		}
		if arrears == 0 {
			t.Fatal("a year without arrears tests nothing")
		}
		// Every account, summed per currency, is zero.
		bs, err := fx.f.Balances(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sum := map[string]int64{}
		for _, b := range bs {
			sum[b.Currency] += b.Minor
		}
		for c, v := range sum {
			if v != 0 {
				t.Errorf("%s accounts sum to %d", c, v)
			}
		}
		balanced(t, fx.f)
		cash, _ := fx.f.Cash(ctx)
		if cash["THB"] != 150_000_000-paid["THB"] || cash["MMK"] != 30_000_000_000-paid["MMK"] {
			t.Fatalf("cash %v, paid %v", cash, paid)
		}
		// Statistics' totals add up to the same payments.
		tot, err := finance.Totals(ctx, s.DB(), "2026-01", "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, m := range tot {
			got[m.Currency] += m.StipendsPaid + m.RewardsPaid
		}
		if got["THB"] != paid["THB"] || got["MMK"] != paid["MMK"] {
			t.Fatalf("totals %v, paid %v", got, paid)
		}
		// The ledger export is valid CSV with one row per line.
		var buf bytes.Buffer
		if err := fx.f.LedgerCSV(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(recs) != count(t, s, "finance_entries")+1 {
			t.Fatalf("ledger CSV: %d rows %v", len(recs), err)
		}
	})
}

// Bad input: a clear refusal and nothing changed.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newFixture(t, s)
		src := fx.source(t, "Main fund", thb(10000), thb(3000))
		usd := fx.source(t, "Dollars", finance.Money{Currency: "USD", Minor: 100000}, finance.Money{})
		p := fx.enrol(t, "Ko Ko", &finance.StipendTerms{Amount: thb(1000), Start: "2026-01"})
		if err := fx.f.SetRewardKind(ctx, fx.off1.Actor, "vehicle", thb(5000), true); err != nil {
			t.Fatal(err)
		}
		claim, err := fx.f.FileClaim(ctx, fx.off1.Actor, finance.NewClaim{Payee: p.Code, Kind: "vehicle",
			Custody: finance.Custody{Items: "truck", ReceivedBy: "x", When: "y", HeldAt: "z"}})
		if err != nil {
			t.Fatal(err)
		}
		run, err := fx.f.PrepareRun(ctx, fx.off1.Actor, "2026-01", src)
		if err != nil {
			t.Fatal(err)
		}
		_, lines, _ := fx.f.GetRun(ctx, run)
		unverified := fx.w.OpenCase(t, caseworktest.Case())
		verified := fx.verifiedCase(t)
		off, h := fx.off1, fx.handler
		details := finance.PayeeDetails{Name: "n", HowToPay: "cash"}
		pdf := []byte("%PDF-1.4 evidence")
		cases := []struct {
			name string
			do   func() error
			want error
		}{
			{"stipend with a fraction of a satang", func() error {
				_, err := fx.f.AddStipend(ctx, off.Actor, p.Code, finance.StipendTerms{Amount: finance.Money{Currency: "THB", Minor: -5}, Start: "2027-01"})
				return err
			}, finance.ErrInvalid},
			{"stipend of zero", func() error {
				_, err := fx.f.AddStipend(ctx, off.Actor, p.Code, finance.StipendTerms{Amount: thb(0), Start: "2027-01"})
				return err
			}, finance.ErrInvalid},
			{"absurd stipend", func() error {
				_, err := fx.f.AddStipend(ctx, off.Actor, p.Code, finance.StipendTerms{Amount: finance.Money{Currency: "THB", Minor: finance.MaxMinor + 1}, Start: "2027-01"})
				return err
			}, finance.ErrInvalid},
			{"unknown currency", func() error {
				_, err := fx.f.AddStipend(ctx, off.Actor, p.Code, finance.StipendTerms{Amount: finance.Money{Currency: "XAU", Minor: 100}, Start: "2027-01"})
				return err
			}, finance.ErrInvalid},
			{"overlapping stipend", func() error {
				_, err := fx.f.AddStipend(ctx, off.Actor, p.Code, finance.StipendTerms{Amount: thb(5), Start: "2026-05"})
				return err
			}, finance.ErrInvalid},
			{"bad month", func() error {
				_, err := fx.f.AddStipend(ctx, off.Actor, p.Code, finance.StipendTerms{Amount: thb(5), Start: "2026-13"})
				return err
			}, finance.ErrInvalid},
			{"end before start", func() error {
				_, err := fx.f.AddStipend(ctx, off.Actor, p.Code, finance.StipendTerms{Amount: thb(5), Start: "2027-05", End: "2027-01"})
				return err
			}, finance.ErrInvalid},
			{"unknown payee", func() error {
				_, err := fx.f.AddStipend(ctx, off.Actor, "P-NOPE", finance.StipendTerms{Amount: thb(5), Start: "2027-05"})
				return err
			}, store.ErrNotFound},
			{"deposit beyond budget", func() error { return fx.f.Deposit(ctx, off.Actor, src, thb(7001), "2026-01-03") }, finance.ErrInvalid},
			{"deposit in another currency", func() error {
				return fx.f.Deposit(ctx, off.Actor, src, finance.Money{Currency: "USD", Minor: 100}, "2026-01-03")
			}, finance.ErrInvalid},
			{"negative deposit", func() error { return fx.f.Deposit(ctx, off.Actor, src, thb(-1), "2026-01-03") }, finance.ErrInvalid},
			{"deposit on a bad day", func() error { return fx.f.Deposit(ctx, off.Actor, src, thb(1), "2026-02-30") }, finance.ErrInvalid},
			{"paid with code and witness", func() error {
				return fx.f.MarkLine(ctx, off.Actor, off.Ring, lines[0].ID, finance.Mark{Status: "paid", Code: p.RecipientCode, Witness: "w"})
			}, finance.ErrInvalid},
			{"paid with neither", func() error {
				return fx.f.MarkLine(ctx, off.Actor, off.Ring, lines[0].ID, finance.Mark{Status: "paid"})
			}, finance.ErrInvalid},
			{"wrong recipient code", func() error {
				return fx.f.MarkLine(ctx, off.Actor, off.Ring, lines[0].ID, finance.Mark{Status: "paid", Code: "AAAAAA"})
			}, finance.ErrConfirm},
			{"unknown status", func() error {
				return fx.f.MarkLine(ctx, off.Actor, off.Ring, lines[0].ID, finance.Mark{Status: "lost"})
			}, finance.ErrInvalid},
			{"no such line", func() error { return fx.f.MarkLine(ctx, off.Actor, off.Ring, 99999, finance.Mark{Status: "missed"}) }, store.ErrNotFound},
			{"recipient's code without the payee's key", func() error {
				return fx.f.MarkLine(ctx, off.Actor, keys.NewKeyring(), lines[0].ID, finance.Mark{Status: "paid", Code: p.RecipientCode})
			}, store.ErrNotFound},
			{"witness without the payee key", func() error {
				return fx.f.MarkLine(ctx, off.Actor, keys.NewKeyring(), lines[0].ID, finance.Mark{Status: "paid", Witness: "w"})
			}, store.ErrNotFound},
			{"a case handler marks a line", func() error {
				return fx.f.MarkLine(ctx, h.Actor, h.Ring, lines[0].ID, finance.Mark{Status: "missed"})
			}, finance.ErrForbidden},
			{"run two months ahead", func() error { _, err := fx.f.PrepareRun(ctx, off.Actor, "2026-03", src); return err }, finance.ErrInvalid},
			{"run from an unknown source", func() error { _, err := fx.f.PrepareRun(ctx, off.Actor, "2026-02", "F-99"); return err }, store.ErrNotFound},
			{"enrol an unverified case", func() error {
				_, err := fx.f.EnrolPayee(ctx, h.Actor, h.Ring, finance.Enrolment{CaseID: unverified, Details: details})
				return err
			}, store.ErrNotFound},
			{"finance enrols a payee", func() error {
				_, err := fx.f.EnrolPayee(ctx, off.Actor, off.Ring, finance.Enrolment{CaseID: verified, Details: details})
				return err
			}, finance.ErrForbidden},
			{"enrol without a name", func() error {
				_, err := fx.f.EnrolPayee(ctx, h.Actor, h.Ring, finance.Enrolment{CaseID: verified, Details: finance.PayeeDetails{HowToPay: "cash"}})
				return err
			}, finance.ErrInvalid},
			{"enrol with invalid text", func() error {
				_, err := fx.f.EnrolPayee(ctx, h.Actor, h.Ring, finance.Enrolment{CaseID: verified, Details: finance.PayeeDetails{Name: "\xff", HowToPay: "cash"}})
				return err
			}, finance.ErrInvalid},
			{"enrol with a bad stipend", func() error {
				_, err := fx.f.EnrolPayee(ctx, h.Actor, h.Ring, finance.Enrolment{CaseID: verified, Details: details,
					Stipend: &finance.StipendTerms{Amount: finance.Money{Currency: "THB", Minor: 0}, Start: "2026-01"}})
				return err
			}, finance.ErrInvalid},
			{"one officer approves alone", func() error { return fx.f.PayClaim(ctx, off.Actor, claim, src) }, finance.ErrClaimState},
			{"unknown reward kind", func() error {
				_, err := fx.f.FileClaim(ctx, off.Actor, finance.NewClaim{Payee: p.Code, Kind: "tank", Custody: finance.Custody{Items: "a", ReceivedBy: "b", When: "c", HeldAt: "d"}})
				return err
			}, finance.ErrInvalid},
			{"custody incomplete", func() error {
				_, err := fx.f.FileClaim(ctx, off.Actor, finance.NewClaim{Payee: p.Code, Kind: "vehicle", Custody: finance.Custody{Items: "a"}})
				return err
			}, finance.ErrInvalid},
			{"evidence of the wrong type", func() error {
				_, err := fx.f.FileClaim(ctx, off.Actor, finance.NewClaim{Payee: p.Code, Kind: "vehicle",
					Custody:  finance.Custody{Items: "a", ReceivedBy: "b", When: "c", HeldAt: "d"},
					Evidence: []finance.Evidence{{Name: "x.html", Body: strings.NewReader("<html><script>")}}})
				return err
			}, finance.ErrFileType},
			{"evidence too large", func() error {
				big := append(append([]byte{}, pdf...), make([]byte, finance.MaxEvidenceSize)...)
				_, err := fx.f.FileClaim(ctx, off.Actor, finance.NewClaim{Payee: p.Code, Kind: "vehicle",
					Custody:  finance.Custody{Items: "a", ReceivedBy: "b", When: "c", HeldAt: "d"},
					Evidence: []finance.Evidence{{Name: "x.pdf", Body: bytes.NewReader(big)}}})
				return err
			}, finance.ErrFileTooLarge},
			{"reward of a negative amount", func() error { return fx.f.SetRewardKind(ctx, off.Actor, "boat", thb(-1), true) }, finance.ErrInvalid},
			{"reward kind badly named", func() error { return fx.f.SetRewardKind(ctx, off.Actor, "Boat; DROP", thb(1), true) }, finance.ErrInvalid},
			{"rate of zero", func() error {
				return fx.f.SetRate(ctx, off.Actor, finance.Rate{Day: "2026-01-01", Base: "USD", Quote: "THB", Num: 0, Den: 1})
			}, finance.ErrInvalid},
			{"rate to itself", func() error {
				return fx.f.SetRate(ctx, off.Actor, finance.Rate{Day: "2026-01-01", Base: "USD", Quote: "USD", Num: 1, Den: 1})
			}, finance.ErrInvalid},
			{"source without a label", func() error { _, err := fx.f.AddSource(ctx, off.Actor, " ", thb(1)); return err }, finance.ErrInvalid},
			{"a handler adds a source", func() error { _, err := fx.f.AddSource(ctx, h.Actor, "x", thb(1)); return err }, finance.ErrForbidden},
		}
		for _, tc := range cases {
			before := rowCounts(t, s)
			err := tc.do()
			if !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			}
			sameCounts(t, before, rowCounts(t, s), tc.name)
		}
		// The first approval, then the same officer again, then paying: refused.
		if _, err := fx.f.ApproveClaim(ctx, off.Actor, claim); err != nil {
			t.Fatal(err)
		}
		before := rowCounts(t, s)
		if _, err := fx.f.ApproveClaim(ctx, off.Actor, claim); !errors.Is(err, finance.ErrSameOfficer) {
			t.Fatalf("same officer twice: %v", err)
		}
		sameCounts(t, before, rowCounts(t, s), "the same officer approving twice")
		if _, err := fx.f.ApproveClaim(ctx, fx.off2.Actor, claim); err != nil {
			t.Fatal(err)
		}
		before = rowCounts(t, s)
		if err := fx.f.PayClaim(ctx, off.Actor, claim, usd); !errors.Is(err, finance.ErrInvalid) {
			t.Fatalf("paid from a source in another currency: %v", err)
		}
		if err := fx.f.PayClaim(ctx, off.Actor, claim, src); !errors.Is(err, finance.ErrFunds) {
			t.Fatalf("paid more than the cash in hand: %v", err)
		}
		sameCounts(t, before, rowCounts(t, s), "refused payouts")
		balanced(t, fx.f)
	})
}

func TestRosterCSVHasCodesNotNames(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newFixture(t, s)
		src := fx.source(t, "=HYPERLINK(\"x\")", thb(10000), thb(3000))
		p := fx.enrol(t, "=cmd|' /C calc'!A0", &finance.StipendTerms{Amount: thb(1000), Start: "2026-01"})
		run, _ := fx.f.PrepareRun(ctx, fx.off1.Actor, "2026-01", src)
		var buf bytes.Buffer
		if err := fx.f.RosterCSV(ctx, run, &buf); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "cmd") || !strings.Contains(buf.String(), p.Code) {
			t.Fatalf("roster CSV:\n%s", buf.String())
		}
		_, lines, _ := fx.f.GetRun(ctx, run)
		if err := fx.f.MarkLine(ctx, fx.off1.Actor, fx.off1.Ring, lines[0].ID, finance.Mark{Status: "paid", Code: p.RecipientCode}); err != nil {
			t.Fatal(err)
		}
		buf.Reset()
		if err := fx.f.LedgerCSV(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
		if err != nil || len(recs) != 5 {
			t.Fatalf("ledger CSV %d rows %v:\n%s", len(recs), err, buf.String())
		}
		if recs[3][6] != "1000.00" || recs[4][7] != "1000.00" {
			t.Fatalf("stipend lines %v %v", recs[3], recs[4])
		}
	})
}

func TestConvertWithRates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newFixture(t, s)
		num, den, _ := finance.ParseRate("35.5")
		if err := fx.f.SetRate(ctx, fx.off1.Actor, finance.Rate{Day: "2026-01-01", Base: "USD", Quote: "THB", Num: num, Den: den}); err != nil {
			t.Fatal(err)
		}
		if err := fx.f.SetRate(ctx, fx.off1.Actor, finance.Rate{Day: "2026-02-01", Base: "USD", Quote: "THB", Num: 36, Den: 1}); err != nil {
			t.Fatal(err)
		}
		ten := finance.Money{Currency: "USD", Minor: 1000}
		for _, tc := range []struct {
			m    finance.Money
			to   string
			day  string
			want int64
		}{
			{ten, "THB", "2026-01-15", 35500}, // 10 × 35.5
			{ten, "THB", "2026-02-01", 36000},
			{thb(100), "USD", "2026-01-15", 282}, // 100 / 35.5 = 2.8169 → 2.82
		} {
			got, err := fx.f.Convert(ctx, tc.m, tc.to, tc.day)
			if err != nil || got.Minor != tc.want {
				t.Errorf("convert %v to %s on %s = %v %v, want %d", tc.m, tc.to, tc.day, got, err, tc.want)
			}
		}
		if _, err := fx.f.Convert(ctx, ten, "THB", "2025-12-31"); !errors.Is(err, finance.ErrNoRate) {
			t.Fatalf("a rate before any is known: %v", err)
		}
		_ = auth.RoleAnalyst
	})
}

// Burmese digits are read wherever a person types a number, and what is
// stored and audited is ASCII.
func TestBurmeseDigitsInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newFixture(t, s)
		src := fx.source(t, "Main fund", thb(10000), thb(3000))
		p := fx.enrol(t, "Ko Ko", nil)
		m, err := finance.ParseMoney("၁,၅၀၀", "THB", false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.f.AddStipend(ctx, fx.off1.Actor, p.Code, finance.StipendTerms{Amount: m, Start: "၂၀၂၆-၀၁", End: "၂၀၂၆-၁၂"}); err != nil {
			t.Fatal(err)
		}
		run, err := fx.f.PrepareRun(ctx, fx.off1.Actor, "၂၀၂၆-၀၁", src)
		if err != nil {
			t.Fatal(err)
		}
		r, lines, err := fx.f.GetRun(ctx, run)
		if err != nil || r.Month != "2026-01" || len(lines) != 1 || lines[0].Amount.Minor != 150000 {
			t.Fatalf("run %+v %+v %v", r, lines, err)
		}
		// Reporting in one currency: 3,000 THB and 100 USD at 35.5 THB a dollar.
		usd := fx.source(t, "Dollars", finance.Money{Currency: "USD", Minor: 100000}, finance.Money{Currency: "USD", Minor: 10000})
		_ = usd
		if err := fx.f.SetRate(ctx, fx.off1.Actor, finance.Rate{Day: "2026-01-01", Base: "USD", Quote: "THB", Num: 71, Den: 2}); err != nil {
			t.Fatal(err)
		}
		cash, _ := fx.f.Cash(ctx)
		tot, missing, err := fx.f.ReportTotal(ctx, cash, "THB", "2026-01-10")
		if err != nil || len(missing) != 0 || tot.Minor != 300000+355000 {
			t.Fatalf("report total %v %v %v", tot, missing, err)
		}
		cash["MMK"] = 100
		if _, missing, _ := fx.f.ReportTotal(ctx, cash, "THB", "2026-01-10"); len(missing) != 1 || missing[0] != "MMK" {
			t.Fatalf("missing rates %v", missing)
		}
	})
}

// Two officers confirming the same claim at once, or paying the same line
// twice at once: one wins, the other is refused, and one booking is made.
func TestConcurrentApprovalsBookOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fx := newFixture(t, s)
		off3 := fx.w.Staff(t, "fin3", []auth.Role{auth.RoleFinanceOfficer}, "finance")
		src := fx.source(t, "Main fund", thb(100000), thb(50000))
		if err := fx.f.SetRewardKind(ctx, fx.off1.Actor, "vehicle", thb(5000), true); err != nil {
			t.Fatal(err)
		}
		p := fx.enrol(t, "Ko Ko", &finance.StipendTerms{Amount: thb(1000), Start: "2026-01"})
		for round := range 5 {
			id, err := fx.f.FileClaim(ctx, fx.off1.Actor, finance.NewClaim{Payee: p.Code, Kind: "vehicle",
				Custody: finance.Custody{Items: "a", ReceivedBy: "b", When: "c", HeldAt: "d"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fx.f.ApproveClaim(ctx, fx.off1.Actor, id); err != nil {
				t.Fatal(err)
			}
			errs := make(chan error, 2)
			for _, who := range []finance.Actor{fx.off2.Actor, off3.Actor} {
				go func() { _, err := fx.f.ApproveClaim(ctx, who, id); errs <- err }()
			}
			e1, e2 := <-errs, <-errs
			if (e1 == nil) == (e2 == nil) {
				t.Fatalf("round %d: both or neither confirmed: %v, %v", round, e1, e2)
			}
		}
		var n int
		s.DB().QueryRow("SELECT count(*) FROM finance_tx WHERE kind = 'reward.confirm'").Scan(&n)
		if n != 5 {
			t.Fatalf("%d bookings for 5 claims", n)
		}
		run, err := fx.f.PrepareRun(ctx, fx.off1.Actor, "2026-01", src)
		if err != nil {
			t.Fatal(err)
		}
		_, lines, _ := fx.f.GetRun(ctx, run)
		errs := make(chan error, 2)
		for _, who := range []caseworktest.Staff{fx.off1, fx.off2} {
			go func() {
				errs <- fx.f.MarkLine(ctx, who.Actor, who.Ring, lines[0].ID, finance.Mark{Status: "paid", Code: p.RecipientCode})
			}()
		}
		e1, e2 := <-errs, <-errs
		if (e1 == nil) == (e2 == nil) {
			t.Fatalf("both or neither paid: %v, %v", e1, e2)
		}
		s.DB().QueryRow("SELECT count(*) FROM finance_tx WHERE kind = 'stipend'").Scan(&n)
		if n != 1 {
			t.Fatalf("%d stipend bookings for one line", n)
		}
		// Two rewards each worth more than half the cash left, paid at once
		// from the same source: one is paid, the other refused.
		cash, _ := fx.f.Cash(ctx)
		half := cash["THB"]/2 + 100
		if err := fx.f.SetRewardKind(ctx, fx.off1.Actor, "boat", finance.Money{Currency: "THB", Minor: half}, true); err != nil {
			t.Fatal(err)
		}
		var claims []int64
		for range 2 {
			id, err := fx.f.FileClaim(ctx, fx.off1.Actor, finance.NewClaim{Payee: p.Code, Kind: "boat",
				Custody: finance.Custody{Items: "a", ReceivedBy: "b", When: "c", HeldAt: "d"}})
			if err != nil {
				t.Fatal(err)
			}
			fx.f.ApproveClaim(ctx, fx.off1.Actor, id)
			if _, err := fx.f.ApproveClaim(ctx, fx.off2.Actor, id); err != nil {
				t.Fatal(err)
			}
			claims = append(claims, id)
		}
		for _, id := range claims {
			go func() { errs <- fx.f.PayClaim(ctx, fx.off1.Actor, id, src) }()
		}
		e1, e2 = <-errs, <-errs
		if (e1 == nil) == (e2 == nil) || (!errors.Is(e1, finance.ErrFunds) && !errors.Is(e2, finance.ErrFunds)) {
			t.Fatalf("two payments overdrawing the source: %v, %v", e1, e2)
		}
		if cash, _ := fx.f.Cash(ctx); cash["THB"] < 0 {
			t.Fatalf("cash overdrawn: %v", cash)
		}
		balanced(t, fx.f)
	})
}
