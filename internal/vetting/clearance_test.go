package vetting_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
	"embrace/internal/vetting"
)

func TestCleared(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := caseworktest.New(t, s)
		in := w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
		vet := w.Staff(t, "vetter1", []auth.Role{auth.RoleVettingOfficer}, "vetting")
		now := time.Now().UTC()

		id := w.OpenCase(t, caseworktest.Case())
		if err := vetting.Cleared(ctx, s.DB(), id, now); !errors.Is(err, vetting.ErrNotVerified) {
			t.Fatalf("a new case is cleared: %v", err)
		}
		// A case set to verified without vetting's move is not cleared.
		forced := w.OpenCase(t, caseworktest.Case())
		if _, err := s.Writer().Exec("UPDATE cases SET state = $1 WHERE id = $2", casework.StateVerified, forced); err != nil {
			t.Fatal(err)
		}
		if err := vetting.Cleared(ctx, s.DB(), forced, now.AddDate(1, 0, 0)); !errors.Is(err, vetting.ErrNotVerified) {
			t.Fatalf("a case never verified by vetting is cleared: %v", err)
		}

		w.Move(t, id, []string{casework.StateScreening, casework.StateVetting, casework.StateVerified}, in, vet)
		var q *vetting.QuarantineError
		if err := vetting.Cleared(ctx, s.DB(), id, now); !errors.As(err, &q) {
			t.Fatalf("a case verified today is cleared: %v", err)
		}
		want := now.Truncate(24*time.Hour).AddDate(0, 0, vetting.DefaultQuarantineDays)
		if !q.Until.Equal(want) {
			t.Fatalf("quarantine until %v, want %v", q.Until, want)
		}
		if err := vetting.Cleared(ctx, s.DB(), id, want.Add(-time.Second)); !errors.As(err, &q) {
			t.Fatalf("cleared a second early: %v", err)
		}
		if err := vetting.Cleared(ctx, s.DB(), id, want); err != nil {
			t.Fatalf("not cleared when the quarantine ends: %v", err)
		}

		// The period is a setting; a bad value is refused and changes nothing.
		err := s.Tx(ctx, func(tx *sql.Tx) error { return vetting.SetQuarantineDays(ctx, tx, 0) })
		if err != nil {
			t.Fatal(err)
		}
		if err := vetting.Cleared(ctx, s.DB(), id, now); err != nil {
			t.Fatalf("no quarantine, still not cleared: %v", err)
		}
		for _, bad := range []int{-1, vetting.MaxQuarantineDays + 1} {
			err := s.Tx(ctx, func(tx *sql.Tx) error { return vetting.SetQuarantineDays(ctx, tx, bad) })
			if !errors.Is(err, vetting.ErrBadQuarantine) {
				t.Fatalf("quarantine %d: %v", bad, err)
			}
		}
		if d, err := vetting.QuarantineDays(ctx, s.DB()); err != nil || d != 0 {
			t.Fatalf("a refused setting changed the period: %d %v", d, err)
		}

		// Leaving the verified path ends the clearance.
		lead := w.Staff(t, "lead1", []auth.Role{auth.RoleVettingLead}, "vetting", "casework")
		w.Move(t, id, []string{casework.StateInfiltrate}, lead)
		if err := vetting.Cleared(ctx, s.DB(), id, now); !errors.Is(err, vetting.ErrNotVerified) {
			t.Fatalf("a suspected infiltrator is cleared: %v", err)
		}
		if err := vetting.Cleared(ctx, s.DB(), 999999, now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an unknown case: %v", err)
		}
	})
}

func TestVerified(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := caseworktest.New(t, s)
		in := w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
		vet := w.Staff(t, "vetter1", []auth.Role{auth.RoleVettingOfficer}, "vetting")
		id := w.OpenCase(t, caseworktest.Case())
		if err := vetting.Verified(ctx, s.DB(), id); !errors.Is(err, vetting.ErrNotVerified) {
			t.Fatalf("a new case is verified: %v", err)
		}
		w.Move(t, id, []string{casework.StateScreening, casework.StateVetting, casework.StateVerified}, in, vet)
		// Verified today: in quarantine, but verified.
		if err := vetting.Verified(ctx, s.DB(), id); err != nil {
			t.Fatalf("a case verified today: %v", err)
		}
		if err := vetting.Cleared(ctx, s.DB(), id, time.Now()); err == nil {
			t.Fatal("quarantine ignored by Cleared")
		}
		lead := w.Staff(t, "lead1", []auth.Role{auth.RoleVettingLead}, "vetting", "casework")
		w.Move(t, id, []string{casework.StateInfiltrate}, lead)
		if err := vetting.Verified(ctx, s.DB(), id); !errors.Is(err, vetting.ErrNotVerified) {
			t.Fatalf("a suspected infiltrator is verified: %v", err)
		}
		if err := vetting.Verified(ctx, s.DB(), 999999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing case: %v", err)
		}
	})
}
