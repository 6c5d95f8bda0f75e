package casework_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// TestScreenerAndDecisionHooks: the screener is told of every person
// recorded (a new case, a relative added, a person edited, every person of
// a case entering vetting), cleaned; a move reserved for a decision is
// refused to a plain transition and made by TransitionDecided, whose extra
// work commits with the move or not at all.
func TestScreenerAndDecisionHooks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		var seen []string
		w.CW.SetScreener(func(ctx context.Context, tx *sql.Tx, caseID int64, pid string, p casework.Person) error {
			if tx == nil || caseID == 0 || !casework.ValidPersonID(pid) {
				t.Errorf("screener called with %v %d %q", tx != nil, caseID, pid)
			}
			seen = append(seen, p.NameMy+"|"+p.NameLatin)
			return nil
		})
		in := w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer, auth.RoleCaseHandler}, "intake")
		vet := w.Staff(t, "vetter1", []auth.Role{auth.RoleVettingOfficer}, "vetting")

		id := w.OpenCase(t, caseworktest.Case())
		if len(seen) != 2 || seen[1] != "ဒေါ်သီတာ|" {
			t.Fatalf("screened at opening: %q (the Zawgyi name must arrive converted)", seen)
		}
		pid, err := w.CW.AddPerson(ctx, in.Actor, in.Ring, id, casework.Person{Relation: "child", NameLatin: "Min Min"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.CW.UpdatePerson(ctx, in.Actor, in.Ring, pid, casework.Person{Relation: "child", NameLatin: "Min Min Oo"}); err != nil {
			t.Fatal(err)
		}
		if len(seen) != 4 || seen[3] != "|Min Min Oo" {
			t.Fatalf("screened on add and edit: %q", seen)
		}
		w.Move(t, id, []string{casework.StateScreening}, in)
		if len(seen) != 4 {
			t.Fatal("screened on a move that is not into vetting")
		}
		w.Move(t, id, []string{casework.StateVetting}, in)
		if len(seen) != 7 {
			t.Fatalf("entering vetting screened %d people, want 3", len(seen)-4)
		}

		if err := w.CW.Transition(ctx, vet.Actor, vet.Ring, id, casework.StateVerified, "alone"); !errors.Is(err, casework.ErrNeedsDecision) {
			t.Fatalf("a reserved move by plain transition: %v", err)
		}
		boom := errors.New("boom")
		err = w.CW.TransitionDecided(ctx, vet.Actor, vet.Ring, id, casework.StateVetting, casework.StateVerified, "decided", func(*sql.Tx) error { return boom })
		if !errors.Is(err, boom) || count(t, s, "SELECT count(*) FROM cases WHERE id = $1 AND state = 'vetting'", id) != 1 {
			t.Fatalf("a failed decision moved the case: %v", err)
		}
		err = w.CW.TransitionDecided(ctx, vet.Actor, vet.Ring, id, casework.StateScreening, casework.StateVerified, "decided", nil)
		var te *casework.TransitionError
		if !errors.As(err, &te) {
			t.Fatalf("a decision for another state: %v", err)
		}
		if err := w.CW.TransitionDecided(ctx, vet.Actor, vet.Ring, id, casework.StateVetting, casework.StateVerified, "decided", nil); err != nil {
			t.Fatal(err)
		}
		if count(t, s, "SELECT count(*) FROM case_events WHERE case_id = $1 AND from_state = 'vetting' AND to_state = 'verified'", id) != 1 {
			t.Fatal("no vetting → verified event")
		}
	})
}
