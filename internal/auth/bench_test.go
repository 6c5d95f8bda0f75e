package auth

import (
	"testing"
	"time"

	"embrace/internal/store/storetest"
)

// BenchmarkLogin measures a whole sign-in with the default Argon2id
// parameters (RFC 9106 second recommendation, t=3 m=64 MiB p=4): the hash,
// the key and TOTP checks, the session row, the team keys and the audit
// entry. Run: go test -run '^$' -bench Login -benchtime 20x ./internal/auth/
func BenchmarkLogin(b *testing.B) {
	st := storetest.New(b, storetest.Targets(b)[0])
	withEscrow(b, st)
	c := newClock()
	svc, err := New(Config{Store: st, Now: c.Now})
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := svc.CreateFirstAdmin(ctx, "bench-admin", testPassword, "cli"); err != nil {
		b.Fatal(err)
	}
	_, e, err := svc.CreateAccount(ctx, NewAccount{Username: "bench", Password: testPassword, Roles: []Role{RoleCaseHandler}, Teams: []Team{TeamCasework}}, nil, "cli")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		c.Advance(TOTPPeriod * time.Second)
		k, _ := TOTPCode(e.Secret, c.Now())
		b.StartTimer()
		if _, _, err := svc.Login(ctx, LoginRequest{Username: "bench", Password: testPassword, Code: k, Kind: KindWeb}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkArgon2id measures the hash alone with the default parameters.
func BenchmarkArgon2id(b *testing.B) {
	st := storetest.New(b, storetest.Targets(b)[0])
	svc, err := New(Config{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	salt := newSalt()
	for b.Loop() {
		d, err := svc.hash(ctx, testPassword, salt, DefaultParams())
		if err != nil {
			b.Fatal(err)
		}
		d.wipe()
	}
}
