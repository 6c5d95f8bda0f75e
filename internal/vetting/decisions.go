package vetting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"embrace/internal/audit"
	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// Decisions and risk ratings.
const (
	DecisionVerified    = "verified"
	DecisionRejected    = "rejected"
	DecisionInfiltrator = "suspected_infiltrator"

	StatusProposed  = "proposed"
	StatusConfirmed = "confirmed"
	StatusWithdrawn = "withdrawn"
)

// decisionStates maps a decision to the case state it moves the case to.
var decisionStates = map[string]string{
	DecisionVerified:    casework.StateVerified,
	DecisionRejected:    casework.StateRejected,
	DecisionInfiltrator: casework.StateInfiltrate,
}

// Decisions lists the decisions, Risks the risk ratings.
func Decisions() []string { return []string{DecisionVerified, DecisionRejected, DecisionInfiltrator} }

// Risks lists the risk ratings.
func Risks() []string { return []string{"low", "medium", "high"} }

// MaxReason bounds a decision's reason.
const MaxReason = 2000

// Decision is a proposed or decided verdict. Everything but Reason is
// green; Reason is sealed under the case key (empty when the session
// cannot open it).
type Decision struct {
	ID          int64
	CaseID      int64
	Decision    string
	Risk        string
	Status      string
	Proposer    string
	Confirmer   string
	ProposedDay string
	DecidedDay  string
	Reason      string
}

func decisionPlace(ref string) keys.Place {
	return keys.Place{Table: "vetting_decisions", Column: "sealed", Row: ref}
}

// ParseDecision checks a decision and a risk rating.
func ParseDecision(decision, risk string) error {
	if !slices.Contains(Decisions(), decision) {
		return &InputError{"decision", "must be verified, rejected or suspected_infiltrator"}
	}
	if !slices.Contains(Risks(), risk) {
		return &InputError{"risk", "must be low, medium or high"}
	}
	return nil
}

// Propose records officer a's proposed decision on case id, with a risk
// rating and a reason (sealed). The case must be in vetting and have no
// other proposal waiting. Nothing moves until a different officer
// confirms. Audited as vetting.propose.
func (s *Service) Propose(ctx context.Context, a casework.Actor, ring *keys.Keyring, id int64, decision, risk, reason string) (int64, error) {
	if err := can(a, auth.PermVettingDecide); err != nil {
		return 0, err
	}
	if err := ParseDecision(decision, risk); err != nil {
		return 0, err
	}
	reason, err := cleanText("reason", reason, MaxReason, true)
	if err != nil {
		return 0, err
	}
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return 0, err
	}
	defer k.Wipe()
	ref := newRef()
	sealed, err := keys.SealField(k, decisionPlace(ref), []byte(reason))
	if err != nil {
		return 0, fmt.Errorf("vetting: propose: %w", err)
	}
	var did int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := requireVetting(ctx, tx, id); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM vetting_decisions WHERE case_id = $1 AND status = $2", id, StatusProposed).Scan(&n); err != nil {
			return fmt.Errorf("vetting: propose: %w", err)
		}
		if n > 0 {
			return ErrPending
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO vetting_decisions (ref, case_id, decision, risk, status, proposer, proposer_principal, proposed_day, sealed)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			ref, id, decision, risk, StatusProposed, a.Name, a.Principal, s.today(), sealed).Scan(&did); err != nil {
			return fmt.Errorf("vetting: propose: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "vetting.propose", Object: caseObject(id),
			Detail: map[string]string{"decision": decision, "risk": risk, "proposal": strconv.FormatInt(did, 10)}})
		return err
	})
	return did, err
}

// loadDecision reads decision did of case id (green columns).
func loadDecision(ctx context.Context, q store.Querier, id, did int64) (Decision, int64, error) {
	var d Decision
	var proposer int64
	err := q.QueryRowContext(ctx, "SELECT id, case_id, decision, risk, status, proposer, proposer_principal FROM vetting_decisions WHERE id = $1 AND case_id = $2", did, id).
		Scan(&d.ID, &d.CaseID, &d.Decision, &d.Risk, &d.Status, &d.Proposer, &proposer)
	if errors.Is(err, sql.ErrNoRows) {
		return Decision{}, 0, fmt.Errorf("vetting: decision: %w", store.ErrNotFound)
	}
	if err != nil {
		return Decision{}, 0, fmt.Errorf("vetting: decision: %w", err)
	}
	return d, proposer, nil
}

// Confirm is a second officer's confirmation of proposal did on case id:
// the proposer cannot confirm their own proposal (ErrSameOfficer), a
// decision confirmed or withdrawn stays so (ErrClosed), and the case must
// still be in vetting. The case then moves to the decided state through
// casework (so the timeline holds the vetting → verified event that
// Cleared reads), in the same transaction as the confirmation. Audited as
// vetting.confirm.
func (s *Service) Confirm(ctx context.Context, a casework.Actor, ring *keys.Keyring, id, did int64) error {
	if err := can(a, auth.PermVettingDecide); err != nil {
		return err
	}
	d, proposer, err := loadDecision(ctx, s.st.DB(), id, did)
	if err != nil {
		return err
	}
	if d.Status != StatusProposed {
		return ErrClosed
	}
	if proposer == a.Principal || d.Proposer == a.Name {
		return ErrSameOfficer
	}
	if err := requireVetting(ctx, s.st.DB(), id); err != nil {
		return err
	}
	reason := "vetting decision " + strconv.FormatInt(did, 10) + " (" + d.Decision + ", risk " + d.Risk + ") proposed by " + d.Proposer + ", confirmed by " + a.Name
	err = s.cw.TransitionDecided(ctx, a, ring, id, casework.StateVetting, decisionStates[d.Decision], reason, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE vetting_decisions SET status = $1, confirmer = $2, decided_day = $3 WHERE id = $4 AND status = $5 AND proposer_principal <> $6",
			StatusConfirmed, a.Name, s.today(), did, StatusProposed, a.Principal)
		if err != nil {
			return fmt.Errorf("vetting: confirm: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrClosed
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "vetting.confirm", Object: caseObject(id),
			Detail: map[string]string{"decision": d.Decision, "risk": d.Risk, "proposal": strconv.FormatInt(did, 10)}})
		return err
	})
	var te *casework.TransitionError
	if errors.As(err, &te) {
		return ErrNotInVetting
	}
	if errors.Is(err, casework.ErrForbidden) {
		return fmt.Errorf("%w (%v)", ErrForbidden, err)
	}
	return err
}

// Withdraw withdraws proposal did on case id (any vetting officer, the
// proposer included). Audited as vetting.withdraw.
func (s *Service) Withdraw(ctx context.Context, a casework.Actor, ring *keys.Keyring, id, did int64) error {
	if err := can(a, auth.PermVettingDecide); err != nil {
		return err
	}
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return err
	}
	k.Wipe()
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, _, err := loadDecision(ctx, tx, id, did); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE vetting_decisions SET status = $1, confirmer = $2, decided_day = $3 WHERE id = $4 AND status = $5",
			StatusWithdrawn, a.Name, s.today(), did, StatusProposed)
		if err != nil {
			return fmt.Errorf("vetting: withdraw: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrClosed
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "vetting.withdraw", Object: caseObject(id),
			Detail: map[string]string{"proposal": strconv.FormatInt(did, 10)}})
		return err
	})
}

// decisions lists case id's decisions, oldest first, reasons opened with
// k when not nil.
func (s *Service) decisions(ctx context.Context, k *keys.DataKey, id int64) ([]Decision, error) {
	rows, err := s.st.DB().QueryContext(ctx, `SELECT id, ref, decision, risk, status, proposer, confirmer, proposed_day, decided_day, sealed
		FROM vetting_decisions WHERE case_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("vetting: decisions: %w", err)
	}
	defer rows.Close()
	out := []Decision{}
	for rows.Next() {
		d := Decision{CaseID: id}
		var ref string
		var sealed []byte
		if err := rows.Scan(&d.ID, &ref, &d.Decision, &d.Risk, &d.Status, &d.Proposer, &d.Confirmer, &d.ProposedDay, &d.DecidedDay, &sealed); err != nil {
			return nil, fmt.Errorf("vetting: decisions: %w", err)
		}
		if k != nil {
			raw, err := keys.OpenField(k, decisionPlace(ref), sealed)
			if err != nil {
				return nil, fmt.Errorf("vetting: a decision of case %d does not open: %w", id, err)
			}
			d.Reason = string(raw)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
