package casework_test

import (
	"context"
	"database/sql"
	"strconv"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// world is a deployment with escrow, the stage teams and helpers to make
// staff with keyrings.
type world struct {
	s      *store.Store
	cw     *casework.Service
	teams  map[string]keys.Principal
	teamID map[string]*keys.Identity
}

type staff struct {
	p     keys.Principal
	ring  *keys.Keyring
	actor casework.Actor
}

func newWorld(t *testing.T, s *store.Store) *world {
	t.Helper()
	ctx := context.Background()
	db := s.Writer()
	escID, _ := keys.GenerateX25519Identity()
	if _, err := keys.CreatePrincipal(ctx, db, keys.KindEscrow, keys.EscrowName, escID.Recipient()); err != nil {
		t.Fatal(err)
	}
	w := &world{s: s, cw: casework.New(s), teams: map[string]keys.Principal{}, teamID: map[string]*keys.Identity{}}
	for _, name := range []string{"intake", "vetting", "casework", "passage"} {
		p, id, err := keys.CreateTeam(ctx, db, name)
		if err != nil {
			t.Fatal(err)
		}
		w.teams[name], w.teamID[name] = p, id
		t.Cleanup(id.Wipe)
	}
	return w
}

func (w *world) staff(t *testing.T, name string, roles []auth.Role, teams ...string) staff {
	t.Helper()
	ctx := context.Background()
	id, _ := keys.GenerateX25519Identity()
	p, err := keys.CreatePrincipal(ctx, w.s.Writer(), keys.KindUser, name, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if err := keys.GrantPrincipal(ctx, w.s.Writer(), w.teams[tm], w.teamID[tm], p); err != nil {
			t.Fatal(err)
		}
	}
	ring := keys.NewKeyring()
	ring.Add(p.ID, id)
	if err := ring.UnlockHeld(ctx, w.s.DB()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ring.Wipe)
	return staff{p: p, ring: ring, actor: casework.Actor{Name: "user:" + name, Principal: p.ID, Roles: roles}}
}

// open opens validCase() wrapped to the intake team.
func (w *world) open(t *testing.T, nc casework.NewCase) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := w.s.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = w.cw.Open(ctx, tx, nc, w.teams["intake"])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func count(t *testing.T, s *store.Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type keysRing = keys.Keyring

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (w *world) escrowID(t *testing.T) (int64, error) {
	p, err := keys.Escrow(context.Background(), w.s.DB())
	return p.ID, err
}

// testEscrow is an escrow principal held in memory only.
func testEscrow(t testing.TB) keys.Principal {
	t.Helper()
	id, err := keys.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return keys.Principal{ID: 1, Kind: keys.KindEscrow, Name: keys.EscrowName, Recipient: id.Recipient()}
}
