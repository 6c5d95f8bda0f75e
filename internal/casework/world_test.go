package casework_test

import (
	"context"
	"strconv"
	"testing"

	"embrace/internal/casework/caseworktest"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// world and staff are the shared test deployment (caseworktest).
type (
	world = caseworktest.World
	staff = caseworktest.Staff
)

func newWorld(t *testing.T, s *store.Store) *world { return caseworktest.New(t, s) }

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

func escrowID(w *world) (int64, error) {
	p, err := keys.Escrow(context.Background(), w.S.DB())
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
