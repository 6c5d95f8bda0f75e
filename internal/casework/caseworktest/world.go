// Package caseworktest builds test deployments for the capabilities that
// work on cases (casework, vetting, passage, shelter, finance, certs): an
// escrow principal, the standard teams, staff with unlocked keyrings, and
// cases moved through the lifecycle by the right people. It is imported by
// tests only; its keys are generated in memory and wiped when a test ends.
package caseworktest

import (
	"context"
	"database/sql"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// World is a deployment with escrow and every standard team (auth.Teams).
type World struct {
	S  *store.Store
	CW *casework.Service
	// Teams and TeamID are each team's principal and private key.
	Teams  map[string]keys.Principal
	TeamID map[string]*keys.Identity
	// EscrowID is the escrow private key (held here so tests can check
	// that escrow still reads what they store).
	EscrowID *keys.Identity
}

// Staff is a staff member: their principal, unlocked keyring and actor.
type Staff struct {
	P     keys.Principal
	Ring  *keys.Keyring
	Actor casework.Actor
}

// New creates escrow and the standard teams on s.
func New(t testing.TB, s *store.Store) *World {
	t.Helper()
	ctx := context.Background()
	db := s.Writer()
	escID, err := keys.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.CreatePrincipal(ctx, db, keys.KindEscrow, keys.EscrowName, escID.Recipient()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(escID.Wipe)
	w := &World{S: s, CW: casework.New(s), Teams: map[string]keys.Principal{}, TeamID: map[string]*keys.Identity{}, EscrowID: escID}
	for _, tm := range auth.Teams() {
		name := string(tm)
		p, id, err := keys.CreateTeam(ctx, db, name)
		if err != nil {
			t.Fatal(err)
		}
		w.Teams[name], w.TeamID[name] = p, id
		t.Cleanup(id.Wipe)
	}
	return w
}

// Staff creates a user principal named name with roles, grants it the
// keys of teams and returns it with its keyring unlocked.
func (w *World) Staff(t testing.TB, name string, roles []auth.Role, teams ...string) Staff {
	t.Helper()
	ctx := context.Background()
	id, err := keys.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	p, err := keys.CreatePrincipal(ctx, w.S.Writer(), keys.KindUser, name, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if err := keys.GrantPrincipal(ctx, w.S.Writer(), w.Teams[tm], w.TeamID[tm], p); err != nil {
			t.Fatal(err)
		}
	}
	ring := keys.NewKeyring()
	ring.Add(p.ID, id)
	if err := ring.UnlockHeld(ctx, w.S.DB()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ring.Wipe)
	return Staff{P: p, Ring: ring, Actor: casework.Actor{Name: "user:" + name, Principal: p.ID, Roles: roles}}
}

// OpenCase opens nc wrapped to the intake team and returns its id.
func (w *World) OpenCase(t testing.TB, nc casework.NewCase) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := w.S.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = w.CW.Open(ctx, tx, nc, w.Teams[string(auth.TeamIntake)])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Move moves case id through each state of path in turn, each move made
// by the first of who whose roles and keys allow it. A verdict that needs
// two vetting officers (casework.NeedsDecision) is made as a decision
// path makes it: tests of other capabilities need a verified case, not
// vetting's proposal and confirmation, which vetting's own tests cover.
func (w *World) Move(t testing.TB, id int64, path []string, who ...Staff) {
	t.Helper()
	ctx := context.Background()
	for _, to := range path {
		sum, err := w.CW.Summary(ctx, id)
		if err != nil {
			t.Fatalf("caseworktest: case %d: %v", id, err)
		}
		var last error
		moved := false
		for _, s := range who {
			if casework.NeedsDecision(sum.State, to) {
				last = w.CW.TransitionDecided(ctx, s.Actor, s.Ring, id, sum.State, to, "test decision: "+to, nil)
			} else {
				last = w.CW.Transition(ctx, s.Actor, s.Ring, id, to, "test move to "+to)
			}
			if last == nil {
				moved = true
				break
			}
		}
		if !moved {
			t.Fatalf("caseworktest: move case %d to %s: %v", id, to, last)
		}
	}
}

// Case is a valid new case with a Burmese and a romanised name, an NRC
// and a spouse still inside.
func Case() casework.NewCase {
	return casework.NewCase{
		Green:    casework.Green{Service: "army", RankBand: "junior_officer", Region: "MMR010", ContactMonth: "2021-08"},
		Defector: casework.Person{NameMy: "အောင်မျိုးဇော်", NameLatin: "Aung Myo Zaw", NRC: "12/OuKaMa(N)123456", DateOfBirth: "1990-01-31"},
		Family:   []casework.Person{{Relation: "spouse", NameMy: "ေဒၚသီတာ", StillInside: true, Risk: "high"}},
	}
}
