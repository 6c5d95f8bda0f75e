package cli

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// runAuthCommand runs `embrace user …` or `embrace lockdown …` through Main
// once the commands are in the command table; until then it calls them
// directly with the same streams, so the end-to-end test runs either way.
func runAuthCommand(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	for _, c := range commands() {
		if c.name == args[0] {
			return run(t, stdin, args...)
		}
	}
	var out, errb bytes.Buffer
	std := stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb}
	code := 2
	switch args[0] {
	case "user":
		code = runUser(context.Background(), std, args[1:])
	case "lockdown":
		code = runLockdown(context.Background(), std, args[1:])
	default:
		t.Fatalf("not an auth command: %s", args[0])
	}
	return code, out.String(), errb.String()
}

var otpauthLine = regexp.MustCompile(`(?m)^otpauth://totp/Embrace:([a-z0-9._-]+)\?secret=([A-Z2-7]+)&issuer=Embrace&algorithm=SHA1&digits=6&period=30$`)

// initDeployment runs `embrace init` on a target and returns the flags
// that name it.
func initDeployment(t *testing.T, tg storetest.Target) []string {
	t.Helper()
	flags := []string{"-data", tg.Dir}
	if tg.DBURL != "" {
		flags = append(flags, "-db", tg.DBURL)
	}
	args := append([]string{"init", "-shares-dir", filepath.Join(filepath.Dir(tg.Dir), "shares")}, flags...)
	if code, _, stderr := run(t, "", args...); code != 0 {
		t.Fatalf("init: %d %s", code, stderr)
	}
	// Cheap Argon2id for the accounts this test makes, through the
	// deployment setting an operator would use to calibrate.
	_, s, err := store.OpenDeployment(context.Background(), tg.Dir, tg.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Tx(context.Background(), func(tx *sql.Tx) error {
		return store.SetSetting(context.Background(), tx, auth.SettingParams, auth.CheapParams().String())
	})
	if err != nil {
		t.Fatal(err)
	}
	return flags
}

// signIn checks that a CLI-made account can sign in with the secret the CLI
// printed.
func signIn(t *testing.T, flags []string, at time.Time, user, password, secret string) (*auth.Session, error) {
	t.Helper()
	dbURL := ""
	if len(flags) == 4 {
		dbURL = flags[3]
	}
	_, s, err := store.OpenDeployment(context.Background(), flags[1], dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	svc, err := auth.New(auth.Config{Store: s, Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	k, err := auth.TOTPCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	sess, _, err := svc.Login(context.Background(), auth.LoginRequest{Username: user, Password: password, Code: k, Kind: auth.KindAPI})
	return sess, err
}

func TestUserCommandsEndToEnd(t *testing.T) {
	t.Parallel()
	for _, tg := range storetest.Targets(t) {
		t.Run(string(tg.Engine), func(t *testing.T) {
			t.Parallel()
			flags := initDeployment(t, tg)
			// Each sign-in happens a minute after the last, so no code is a
			// replay of an earlier one.
			clock := time.Now()
			signIn := func(t *testing.T, flags []string, user, password, secret string) (*auth.Session, error) {
				clock = clock.Add(time.Minute)
				return signIn(t, flags, clock, user, password, secret)
			}
			with := func(extra ...string) []string { return append(append([]string{}, extra...), flags...) }

			// The first administrator: the bootstrap steward.
			code, out, stderr := runAuthCommand(t, "lantern over the river\n", with("user", "add", "-name", "Steward", "-role", "administrator")...)
			if code != 0 {
				t.Fatalf("add steward: %d %s", code, stderr)
			}
			m := otpauthLine.FindStringSubmatch(out)
			if m == nil || m[1] != "steward" || !strings.Contains(out, "bootstrap steward") || strings.Count(out, "\n  ") != auth.RecoveryCodeCount {
				t.Fatalf("add steward output:\n%s", out)
			}
			stewardSecret := m[2]

			code, out, stderr = runAuthCommand(t, "monsoon tea and ginger\r\n", with("user", "add", "-name", "handler", "-role", "case_handler,vetting_officer", "-team", "casework")...)
			if code != 0 {
				t.Fatalf("add handler: %d %s", code, stderr)
			}
			m = otpauthLine.FindStringSubmatch(out)
			if m == nil || m[1] != "handler" || !strings.Contains(out, "Waiting for the keys of: casework") {
				t.Fatalf("add handler output:\n%s", out)
			}
			handlerSecret := m[2]
			if sess, err := signIn(t, flags, "handler", "monsoon tea and ginger", handlerSecret); err != nil || len(sess.Keyring().Principals()) != 1 {
				t.Fatalf("handler signs in before the grant: %v", err)
			}
			// The steward's sign-in hands the casework key over.
			if sess, err := signIn(t, flags, "steward", "lantern over the river", stewardSecret); err != nil || len(sess.Keyring().Principals()) != 1+len(auth.Teams()) {
				t.Fatalf("steward signs in: %v", err)
			}

			code, out, _ = runAuthCommand(t, "", with("user", "list")...)
			if code != 0 || !regexp.MustCompile(`(?m)^handler\s+active\s+case_handler,vetting_officer\s+casework\s+-\s+no\s`).MatchString(out) ||
				!regexp.MustCompile(`(?m)^steward\s+active\s+administrator\s`).MatchString(out) {
				t.Fatalf("list:\n%s", out)
			}

			// Refusals: weak password, duplicate, unknown role, missing flags.
			if code, _, stderr := runAuthCommand(t, "password123\n", with("user", "add", "-name", "weak", "-role", "analyst")...); code != 1 || !strings.Contains(stderr, "too common") {
				t.Fatalf("weak password: %d %s", code, stderr)
			}
			if code, _, stderr := runAuthCommand(t, "another fine long phrase\n", with("user", "add", "-name", "handler", "-role", "analyst")...); code != 1 || !strings.Contains(stderr, "already exists") {
				t.Fatalf("duplicate: %d %s", code, stderr)
			}
			if code, _, _ := runAuthCommand(t, "x\n", with("user", "add", "-name", "x1", "-role", "wizard")...); code != 2 {
				t.Fatalf("unknown role: %d", code)
			}
			if code, _, _ := runAuthCommand(t, "", "user", "add", "-name", "nodata", "-role", "analyst"); code != 2 {
				t.Fatalf("no -data: %d", code)
			}
			if code, _, _ := runAuthCommand(t, "", with("user", "add", "-name", "nopw", "-role", "analyst")...); code != 1 {
				t.Fatalf("no password on stdin: %d", code)
			}

			// reset-2fa: a new URI; the old secret stops working.
			code, out, stderr = runAuthCommand(t, "", with("user", "reset-2fa", "-name", "handler")...)
			m = otpauthLine.FindStringSubmatch(out)
			if code != 0 || m == nil || m[2] == handlerSecret {
				t.Fatalf("reset-2fa: %d %s %s", code, out, stderr)
			}
			if _, err := signIn(t, flags, "handler", "monsoon tea and ginger", handlerSecret); err == nil {
				t.Fatal("old secret works after reset-2fa")
			}
			handlerSecret = m[2]

			// duress, then suspend and activate.
			if code, _, stderr := runAuthCommand(t, "crow on a wire\n", with("user", "duress", "-name", "handler")...); code != 0 {
				t.Fatalf("duress: %d %s", code, stderr)
			}
			if code, out, _ := runAuthCommand(t, "", with("user", "suspend", "-name", "handler")...); code != 0 || !strings.Contains(out, "Suspended handler") {
				t.Fatalf("suspend: %d %s", code, out)
			}
			if _, err := signIn(t, flags, "handler", "monsoon tea and ginger", handlerSecret); err == nil {
				t.Fatal("suspended account signed in")
			}
			if code, _, _ := runAuthCommand(t, "", with("user", "activate", "-name", "handler")...); code != 0 {
				t.Fatal("activate failed")
			}
			if sess, err := signIn(t, flags, "handler", "monsoon tea and ginger", handlerSecret); err != nil || sess.Duress {
				t.Fatalf("after activate: %v", err)
			}
			if code, _, stderr := runAuthCommand(t, "", with("user", "suspend", "-name", "ghost")...); code != 1 || !strings.Contains(stderr, `no account "ghost"`) {
				t.Fatalf("suspend unknown: %d %s", code, stderr)
			}

			// lockdown: every session ends, and a serving process (here a
			// service of its own on the same database) refuses its token and
			// wipes the keys it had unlocked.
			_, s, err := store.OpenDeployment(context.Background(), flags[1], tg.DBURL)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			at := clock.Add(time.Hour)
			serving, err := auth.New(auth.Config{Store: s, Now: func() time.Time { return at }})
			if err != nil {
				t.Fatal(err)
			}
			k, _ := auth.TOTPCode(stewardSecret, at)
			sess, tok, err := serving.Login(context.Background(), auth.LoginRequest{Username: "steward", Password: "lantern over the river", Code: k, Kind: auth.KindWeb})
			if err != nil || len(sess.Keyring().Principals()) == 0 {
				t.Fatalf("serving sign-in: %v", err)
			}
			code, out, stderr = runAuthCommand(t, "", append([]string{"lockdown"}, flags...)...)
			if code != 0 || !strings.Contains(out, "ended") {
				t.Fatalf("lockdown: %d %s %s", code, out, stderr)
			}
			if _, err := serving.Authenticate(context.Background(), tok, auth.KindWeb); err == nil {
				t.Fatal("session survived a CLI lockdown")
			}
			if len(sess.Keyring().Principals()) != 0 || serving.CachedSessions() != 0 {
				t.Fatal("serving process kept keys after a CLI lockdown")
			}
			var after, audited int
			s.DB().QueryRow("SELECT count(*) FROM auth_sessions").Scan(&after)
			s.DB().QueryRow("SELECT count(*) FROM audit_entries WHERE actor = 'cli' AND action IN ('auth.lockdown', 'auth.account.create', 'auth.account.suspend', 'auth.account.reset_2fa', 'auth.duress.set')").Scan(&audited)
			if after != 0 || audited != 6 {
				t.Fatalf("after lockdown: %d sessions, %d cli audit entries", after, audited)
			}
		})
	}
}

func TestUserUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"user"}, {"user", "frob"}, {"user", "list"}, {"lockdown"}, {"user", "suspend", "-data", "x"}} {
		if code, _, stderr := runAuthCommand(t, "", args...); code != 2 || strings.TrimSpace(stderr) == "" {
			t.Errorf("%v: %d %q", args, code, stderr)
		}
	}
	if code, _, _ := runAuthCommand(t, "", "user", "-h"); code != 0 {
		t.Error("user -h")
	}
}
