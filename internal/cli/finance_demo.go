package cli

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/finance"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// demoPayees is how many payees the demo enrols (fewer when the demo has
// fewer sheltered or resettled cases).
const demoPayees = 36

// addDemoFinance gives the demo a year of finance: two funding sources
// (baht and dollars), monthly exchange rates, a reward schedule, payees
// enrolled from synthetic cases that are sheltered or resettled, twelve
// monthly payment runs with some lines missed (carried as arrears) or
// refused, all reconciled, and two reward claims — one paid, one waiting
// for its second approval. The work is done with the steward's keyring
// (it holds every team key) in the names of the demo's handler and
// finance accounts, and of the steward as the second finance officer
// (two different people must approve a reward).
//
// Synthetic cases are stored in their state without a timeline; the
// payees' cases are given the vetting→verified step their state implies,
// dated before the year begins, since only verified cases are enrolled.
func addDemoFinance(ctx context.Context, s *store.Store, steward *auth.Session, now time.Time) error {
	handlerP, err := keys.LookupPrincipal(ctx, s.DB(), keys.KindUser, "handler")
	if err != nil {
		return fmt.Errorf("demo finance: %w", err)
	}
	finP, err := keys.LookupPrincipal(ctx, s.DB(), keys.KindUser, "finance")
	if err != nil {
		return fmt.Errorf("demo finance: %w", err)
	}
	ring := steward.Keyring()
	handler := casework.Actor{Name: auth.Actor("handler"), Principal: handlerP.ID, Roles: []auth.Role{auth.RoleCaseHandler}}
	officer := casework.Actor{Name: auth.Actor("finance"), Principal: finP.ID, Roles: []auth.Role{auth.RoleFinanceOfficer}}
	second := casework.Actor{Name: steward.Actor(), Principal: steward.PrincipalID, Roles: []auth.Role{auth.RoleFinanceOfficer}}

	first := time.Date(now.Year()-1, now.Month(), 1, 0, 0, 0, 0, time.UTC)
	clock := first.AddDate(0, 0, 2)
	f := finance.New(s, func() time.Time { return clock })

	rows, err := s.DB().QueryContext(ctx, "SELECT id FROM cases WHERE state IN ($1, $2) ORDER BY id LIMIT $3",
		casework.StateSheltered, casework.StateResettled, demoPayees)
	if err != nil {
		return fmt.Errorf("demo finance: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	verified := first.AddDate(0, -2, 0).Format(time.DateOnly)
	for _, id := range ids {
		if _, err := s.Exec(ctx, "INSERT INTO case_events (ref, case_id, day, actor, kind, from_state, to_state) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			fmt.Sprintf("demo-verified-%d", id), id, verified, "", casework.EventTransition, casework.StateVetting, casework.StateVerified); err != nil {
			return fmt.Errorf("demo finance: verified step: %w", err)
		}
	}

	thb, err := f.AddSource(ctx, officer, "Diaspora monthly pledges", finance.Money{Currency: "THB", Minor: 3_000_000_00})
	if err != nil {
		return err
	}
	usd, err := f.AddSource(ctx, officer, "Solidarity grant", finance.Money{Currency: "USD", Minor: 60_000_00})
	if err != nil {
		return err
	}
	day := first.Format(time.DateOnly)
	if err := f.Deposit(ctx, officer, thb.Code, finance.Money{Currency: "THB", Minor: 1_200_000_00}, day); err != nil {
		return err
	}
	if err := f.Deposit(ctx, officer, usd.Code, finance.Money{Currency: "USD", Minor: 25_000_00}, day); err != nil {
		return err
	}
	for _, k := range []struct {
		kind string
		m    finance.Money
	}{
		{"vehicle", finance.Money{Currency: "THB", Minor: 50_000_00}},
		{"arms_ammunition", finance.Money{Currency: "THB", Minor: 20_000_00}},
		{"anti_aircraft", finance.Money{Currency: "USD", Minor: 3_000_00}},
	} {
		if err := f.SetRewardKind(ctx, officer, k.kind, k.m, true); err != nil {
			return err
		}
	}

	type payee struct{ code, recipient string }
	var payees []payee
	for i, id := range ids {
		st := &finance.StipendTerms{Amount: finance.Money{Currency: "THB", Minor: int64(1000+250*(i%5)) * 100}, Start: first.Format("2006-01")}
		switch {
		case i%9 == 4:
			st.Amount = finance.Money{Currency: "USD", Minor: 60_00}
		case i%7 == 3: // joined later
			st.Start = first.AddDate(0, 3+i%5, 0).Format("2006-01")
		case i%11 == 5: // left after half a year
			st.End = first.AddDate(0, 5, 0).Format("2006-01")
		}
		e, err := f.EnrolPayee(ctx, handler, ring, finance.Enrolment{CaseID: id, Stipend: st,
			Details: finance.PayeeDetails{Name: fmt.Sprintf("Demo payee %d", i+1), HowToPay: "Cash at the monthly meeting"}})
		if err != nil {
			return fmt.Errorf("demo finance: enrol: %w", err)
		}
		payees = append(payees, payee{e.Code, e.RecipientCode})
	}
	recipient := map[string]string{}
	for _, p := range payees {
		recipient[p.code] = p.recipient
	}

	for m := range 12 {
		month := first.AddDate(0, m, 0)
		clock = month.AddDate(0, 0, 5)
		if err := f.SetRate(ctx, officer, finance.Rate{Day: month.Format(time.DateOnly), Base: "USD", Quote: "THB", Num: int64(3400 + 10*(m%6)), Den: 100}); err != nil {
			return err
		}
		if err := f.SetRate(ctx, officer, finance.Rate{Day: month.Format(time.DateOnly), Base: "MMK", Quote: "THB", Num: 1, Den: int64(60 + m%4)}); err != nil {
			return err
		}
		run, err := f.PrepareRun(ctx, officer, month.Format("2006-01"), thb.Code)
		if err != nil {
			return fmt.Errorf("demo finance: run %s: %w", month.Format("2006-01"), err)
		}
		_, lines, err := f.GetRun(ctx, run)
		if err != nil {
			return err
		}
		clock = month.AddDate(0, 0, 20)
		for i, l := range lines {
			mk := finance.Mark{Status: finance.StatusPaid, Code: recipient[l.Payee]}
			switch (i*7 + m*3) % 19 {
			case 0, 1:
				mk = finance.Mark{Status: finance.StatusMissed}
			case 2:
				if !l.Arrears {
					mk = finance.Mark{Status: finance.StatusRefused}
				}
			case 3, 4, 5:
				mk = finance.Mark{Status: finance.StatusPaid, Witness: "Demo witness"}
			}
			if err := f.MarkLine(ctx, officer, ring, l.ID, mk); err != nil {
				return fmt.Errorf("demo finance: mark: %w", err)
			}
		}
		if _, err := f.Reconcile(ctx, officer, run); err != nil {
			return fmt.Errorf("demo finance: reconcile: %w", err)
		}
		if m == 4 && len(payees) > 2 {
			// A vehicle brought over, paid.
			id, err := f.FileClaim(ctx, officer, finance.NewClaim{Payee: payees[2].code, Kind: "vehicle",
				Custody:  finance.Custody{Items: "One pickup truck", ReceivedBy: "Demo quartermaster", When: clock.Format(time.DateOnly), HeldAt: "Demo depot"},
				Evidence: []finance.Evidence{{Name: "handover.pdf", Body: bytes.NewReader([]byte("%PDF-1.4\n% demo handover receipt\n"))}}})
			if err != nil {
				return err
			}
			if _, err := f.ApproveClaim(ctx, officer, id); err != nil {
				return err
			}
			if _, err := f.ApproveClaim(ctx, second, id); err != nil {
				return err
			}
			if err := f.PayClaim(ctx, officer, id, thb.Code); err != nil {
				return err
			}
		}
	}
	if len(payees) > 5 {
		// Arms and ammunition, approved once, waiting for a second officer.
		clock = now.UTC()
		id, err := f.FileClaim(ctx, officer, finance.NewClaim{Payee: payees[5].code, Kind: "arms_ammunition",
			Custody: finance.Custody{Items: "Two rifles, 300 rounds", ReceivedBy: "Demo quartermaster", When: clock.Format(time.DateOnly), HeldAt: "Demo armoury"}})
		if err != nil {
			return err
		}
		if _, err := f.ApproveClaim(ctx, officer, id); err != nil {
			return err
		}
	}
	if off, err := f.TrialBalance(ctx); err != nil {
		return fmt.Errorf("demo finance: the ledger does not balance: %v %w", off, err)
	}
	return nil
}
