package keys_test

import (
	"context"
	"errors"
	"testing"

	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

type person struct {
	p  keys.Principal
	id *keys.Identity
}

func newPrincipal(t *testing.T, ctx context.Context, q store.Querier, kind keys.Kind, name string) person {
	t.Helper()
	id, err := keys.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	p, err := keys.CreatePrincipal(ctx, q, kind, name, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	return person{p, id}
}

func ringOf(ids ...person) *keys.Keyring {
	r := keys.NewKeyring()
	for _, x := range ids {
		clone, _ := keys.ParseIdentity(secretText(x.id))
		r.Add(x.p.ID, clone)
	}
	return r
}

func secretText(id *keys.Identity) string {
	b, err := id.Secret()
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestCustodyNeedToKnow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		db := s.Writer()
		esc := newPrincipal(t, ctx, db, keys.KindEscrow, keys.EscrowName)
		alice := newPrincipal(t, ctx, db, keys.KindUser, "alice")
		bob := newPrincipal(t, ctx, db, keys.KindUser, "bob")
		carol := newPrincipal(t, ctx, db, keys.KindUser, "carol")

		if _, err := keys.CreatePrincipal(ctx, db, keys.KindUser, "alice", alice.id.Recipient()); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate principal: %v", err)
		}
		team, teamID, err := keys.CreateTeam(ctx, db, "intake", alice.p, bob.p)
		if err != nil {
			t.Fatal(err)
		}
		defer teamID.Wipe()
		holders, err := keys.Holders(ctx, db, team)
		if err != nil || len(holders) != 3 {
			t.Fatalf("holders = %v, %v; want escrow, alice, bob", holders, err)
		}

		k, _ := keys.NewDataKey()
		plain := []byte("Ko Aung Myo, NRC 12/OuKaMa(N)123456")
		place := keys.Place{Table: "people", Column: "sealed", Row: "p1"}
		ct, err := keys.SealField(k, place, plain)
		if err != nil {
			t.Fatal(err)
		}
		if err := keys.WrapObjectKey(ctx, db, "case", "1", k, esc.p, team); err != nil {
			t.Fatal(err)
		}
		k.Wipe()

		open := func(r *keys.Keyring) error {
			if err := r.UnlockHeld(ctx, db); err != nil {
				return err
			}
			dk, err := r.OpenObjectKey(ctx, db, "case", "1")
			if err != nil {
				return err
			}
			defer dk.Wipe()
			got, err := keys.OpenField(dk, place, ct)
			if err != nil || string(got) != string(plain) {
				t.Fatalf("opened %q, %v", got, err)
			}
			return nil
		}
		if err := open(ringOf(alice)); err != nil {
			t.Fatalf("team member cannot open: %v", err)
		}
		if err := open(ringOf(carol)); !errors.Is(err, keys.ErrNoAccess) {
			t.Fatalf("outsider: %v, want ErrNoAccess", err)
		}
		if err := open(ringOf(esc)); err != nil {
			t.Fatalf("escrow cannot open: %v", err)
		}

		// Assigning to carol wraps the key to her; unassigning removes it.
		ar := ringOf(alice)
		ar.UnlockHeld(ctx, db)
		dk, err := ar.OpenObjectKey(ctx, db, "case", "1")
		if err != nil {
			t.Fatal(err)
		}
		if err := keys.WrapObjectKey(ctx, db, "case", "1", dk, carol.p); err != nil {
			t.Fatal(err)
		}
		dk.Wipe()
		if err := open(ringOf(carol)); err != nil {
			t.Fatalf("assignee cannot open: %v", err)
		}
		if err := keys.RemoveObjectWrap(ctx, db, "case", "1", carol.p.ID); err != nil {
			t.Fatal(err)
		}
		if err := open(ringOf(carol)); !errors.Is(err, keys.ErrNoAccess) {
			t.Fatalf("unassigned: %v, want ErrNoAccess", err)
		}

		// Bob leaves: the team key is rotated; his old copy opens nothing.
		bobOldTeam := ringOf(bob)
		bobOldTeam.UnlockHeld(ctx, db)
		if err := keys.RotateTeam(ctx, db, ar, team, bob.p); err != nil {
			t.Fatal(err)
		}
		if _, err := bobOldTeam.OpenObjectKey(ctx, db, "case", "1"); err == nil {
			t.Fatal("old team key still opens a re-wrapped case key")
		}
		if err := open(ringOf(bob)); !errors.Is(err, keys.ErrNoAccess) {
			t.Fatalf("leaver after rotation: %v, want ErrNoAccess", err)
		}
		if err := open(ringOf(alice)); err != nil {
			t.Fatalf("remaining member after rotation: %v", err)
		}
		team2, _ := keys.LookupPrincipal(ctx, db, keys.KindTeam, "intake")
		if team2.Recipient.Equal(team.Recipient) {
			t.Fatal("rotation kept the team's public key")
		}

		// Crypto-shredding: with every wrap gone, not even escrow opens it.
		n, err := keys.ShredObject(ctx, db, "case", "1")
		if err != nil || n == 0 {
			t.Fatalf("shred: %d, %v", n, err)
		}
		for _, who := range []person{alice, esc} {
			if err := open(ringOf(who)); !errors.Is(err, keys.ErrNoAccess) {
				t.Fatalf("%s after shredding: %v", who.p.Name, err)
			}
		}
	})
}

func TestKeyringWipeAndRedaction(t *testing.T) {
	t.Parallel()
	id, _ := keys.GenerateX25519Identity()
	r := keys.NewKeyring()
	r.Add(7, id)
	if r.Identity(7) == nil || len(r.Principals()) != 1 {
		t.Fatal("keyring lost its identity")
	}
	r.Wipe()
	if r.Identity(7) != nil || len(r.Principals()) != 0 {
		t.Fatal("keyring not empty after Wipe")
	}
	if _, err := id.Secret(); err == nil {
		t.Fatal("identity still usable after its keyring was wiped")
	}
	if got := r.LogValue().String(); got != "[redacted]" {
		t.Fatalf("LogValue = %q", got)
	}
}
