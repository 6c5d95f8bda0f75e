package cli

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/finance"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// Canaries of finance's red fields: a payee's name and how to pay them, a
// payment's witness, a reward's custody record and evidence.
const (
	canaryPayeeName   = "Payee-Qzpy-Name-7731"
	canaryHowToPay    = "HowToPay-Qzhp-Wallet-0977123"
	canaryWitness     = "Witness-Qzwt-Daw-Mya-5512"
	canaryItems       = "Items-Qzit-Two-Rifles-2210"
	canaryReceivedBy  = "ReceivedBy-Qzrb-Ko-Min-8841"
	canaryHeldAt      = "HeldAt-Qzha-Armoury-Ward-3309"
	canaryEvidenceTxt = "Evidence-Qzev-Receipt-6620"
)

// plantFinance enrols a payee with canaries in every red field of finance,
// pays a stipend confirmed by a witness and files a reward claim with a
// custody record and an evidence file, then checks the finance team's
// keys read them back. It returns the canaries.
func plantFinance(t *testing.T, ctx context.Context, s *store.Store) []string {
	t.Helper()
	uid, err := keys.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	u, err := keys.CreatePrincipal(ctx, s.Writer(), keys.KindUser, "fin-planter", uid.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	ring := keys.NewKeyring()
	defer ring.Wipe()
	ring.Add(u.ID, uid)
	team, err := keys.LookupPrincipal(ctx, s.DB(), keys.KindTeam, string(auth.TeamFinance))
	if errors.Is(err, store.ErrNotFound) {
		var tid *keys.Identity
		if team, tid, err = keys.CreateTeam(ctx, s.Writer(), string(auth.TeamFinance)); err == nil {
			ring.Add(team.ID, tid)
		}
	} else if err == nil {
		err = errors.New("the finance team exists already: plant with its key")
	}
	if err != nil {
		t.Fatal(err)
	}
	esc, err := keys.Escrow(ctx, s.DB())
	if err != nil {
		t.Fatal(err)
	}
	// A case verified by vetting, its key wrapped to the planter.
	p, err := casework.Prepare(caseworktest.Case(), esc, u)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetState(casework.StateSheltered); err != nil {
		t.Fatal(err)
	}
	var caseID int64
	err = s.Tx(ctx, func(tx *sql.Tx) error {
		if caseID, err = casework.New(s).Insert(ctx, tx, p); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO case_events (ref, case_id, day, actor, kind, from_state, to_state) VALUES ($1, $2, $3, '', $4, $5, $6)",
			"plant-verified", caseID, "2025-01-01", casework.EventTransition, casework.StateVetting, casework.StateVerified)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	f := finance.New(s, nil)
	a := casework.Actor{Name: "user:fin-planter", Principal: u.ID, Roles: []auth.Role{auth.RoleCaseHandler, auth.RoleFinanceOfficer}}
	e, err := f.EnrolPayee(ctx, a, ring, finance.Enrolment{CaseID: caseID, Details: finance.PayeeDetails{Name: canaryPayeeName, HowToPay: canaryHowToPay},
		Stipend: &finance.StipendTerms{Amount: finance.Money{Currency: "THB", Minor: 100000}, Start: time.Now().UTC().Format("2006-01")}})
	if err != nil {
		t.Fatal(err)
	}
	src, err := f.AddSource(ctx, a, "Planted fund", finance.Money{Currency: "THB", Minor: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Deposit(ctx, a, src.Code, finance.Money{Currency: "THB", Minor: 1_000_000}, "2025-01-02"); err != nil {
		t.Fatal(err)
	}
	run, err := f.PrepareRun(ctx, a, time.Now().UTC().Format("2006-01"), src.Code)
	if err != nil {
		t.Fatal(err)
	}
	_, lines, err := f.GetRun(ctx, run)
	if err != nil || len(lines) != 1 {
		t.Fatalf("planted roster: %d %v", len(lines), err)
	}
	if err := f.MarkLine(ctx, a, ring, lines[0].ID, finance.Mark{Status: finance.StatusPaid, Witness: canaryWitness}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetRewardKind(ctx, a, "arms_ammunition", finance.Money{Currency: "THB", Minor: 500000}, true); err != nil {
		t.Fatal(err)
	}
	evidence := []byte("%PDF-1.4\n" + canaryEvidenceTxt)
	claim, err := f.FileClaim(ctx, a, finance.NewClaim{Payee: e.Code, Kind: "arms_ammunition",
		Custody:  finance.Custody{Items: canaryItems, ReceivedBy: canaryReceivedBy, When: "2025-01-03", HeldAt: canaryHeldAt},
		Evidence: []finance.Evidence{{Name: "receipt.pdf", Body: bytes.NewReader(evidence)}}})
	if err != nil {
		t.Fatal(err)
	}
	// The finance team reads them back.
	d, err := f.OpenPayee(ctx, a, ring, e.Code)
	if err != nil || d.Name != canaryPayeeName || d.HowToPay != canaryHowToPay {
		t.Fatalf("planted payee does not open: %v", err)
	}
	rec, err := f.OpenClaim(ctx, a, ring, claim)
	if err != nil || rec.Custody.HeldAt != canaryHeldAt || len(rec.Evidence) != 1 {
		t.Fatalf("planted claim does not open: %v", err)
	}
	var out bytes.Buffer
	if _, err := f.EvidenceFile(ctx, a, ring, claim, rec.Evidence[0].ID, &out); err != nil || !bytes.Equal(out.Bytes(), evidence) {
		t.Fatalf("planted evidence does not open: %v", err)
	}
	return []string{canaryPayeeName, canaryHowToPay, canaryWitness, canaryItems, canaryReceivedBy, canaryHeldAt, canaryEvidenceTxt}
}
