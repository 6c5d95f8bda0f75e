package auth

import (
	"context"
	"database/sql"
	"embrace/internal/testtool"
	"encoding/base64"
	"testing"
	"time"

	"embrace/internal/keys"
	"embrace/internal/store"
)

func newClock() *testtool.Clock {
	return testtool.NewClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
}

// withEscrow creates the escrow principal, as init does.
func withEscrow(t testing.TB, s *store.Store) {
	t.Helper()
	id, err := keys.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	defer id.Wipe()
	if _, err := keys.CreatePrincipal(context.Background(), s.Writer(), keys.KindEscrow, keys.EscrowName, id.Recipient()); err != nil {
		t.Fatal(err)
	}
}

// newService returns a service with cheap Argon2id on s (which gets an
// escrow principal) and its clock.
func newService(t testing.TB, s *store.Store) (*Service, *testtool.Clock) {
	t.Helper()
	withEscrow(t, s)
	return newServiceNoEscrow(t, s)
}

func newServiceNoEscrow(t testing.TB, s *store.Store) (*Service, *testtool.Clock) {
	t.Helper()
	c := newClock()
	svc, err := New(Config{Store: s, Params: CheapParams(), Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return svc, c
}

const testPassword = "correct horse battery staple"

// mustCreate creates an account and returns its enrolment.
func mustCreate(t testing.TB, svc *Service, name string, roles ...Role) Enrolment {
	t.Helper()
	if len(roles) == 0 {
		roles = []Role{RoleCaseHandler}
	}
	_, e, err := svc.CreateAccount(context.Background(), NewAccount{Username: name, Password: testPassword, Roles: roles}, nil, "cli")
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return e
}

// code returns the current TOTP code, after moving the clock to a fresh
// step so that no code is ever a replay.
func code(t testing.TB, c *testtool.Clock, e Enrolment) string {
	t.Helper()
	c.Advance(TOTPPeriod * time.Second)
	k, err := TOTPCode(e.Secret, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// login signs in with the right password and a fresh code.
func login(t testing.TB, svc *Service, c *testtool.Clock, e Enrolment, kind SessionKind) (*Session, string) {
	t.Helper()
	sess, tok, err := svc.Login(context.Background(), LoginRequest{Username: e.Username, Password: testPassword, Code: code(t, c, e), Kind: kind, Client: "192.0.2.1:4000"})
	if err != nil {
		t.Fatalf("login %s: %v", e.Username, err)
	}
	return sess, tok
}

func count(t testing.TB, s *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func auditCount(t testing.TB, s *store.Store, action string) int {
	t.Helper()
	return count(t, s, "SELECT count(*) FROM audit_entries WHERE action = $1", action)
}

type sqlTx = sql.Tx

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
