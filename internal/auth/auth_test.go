package auth

import (
	"context"
	"embrace/internal/testtool"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"golang.org/x/text/unicode/norm"

	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

var ctx = context.Background()

func TestPasswordRules(t *testing.T) {
	t.Parallel()
	svc := &Service{common: newCommonList()}
	if n := svc.common.size(); n < 900 {
		t.Fatalf("common list has %d entries", n)
	}
	refused := map[string]string{
		"short":                     "too_short",
		"seven77":                   "too_short",
		strings.Repeat("x", 257):    "too_long",
		strings.Repeat("é", 257):    "too_long",
		"password":                  "common",
		"Password2024!":             "common",
		"P@ssw0rd":                  "common",
		"p@55w0rd123":               "common",
		"12345678":                  "common",
		"87654321":                  "common",
		"abcdefghij":                "common",
		"qwertyuiop":                "common",
		"1qaz2wsx3edc":              "common",
		"aaaaaaaaaaaa":              "common",
		"abcabcabcabc":              "common",
		"12121212":                  "common",
		"embrace2025":               "common",
		"Embrace!!!!":               "common",
		"alice-tester99":            "common",
		"alicealice":                "common",
		"kyawkyaw1990":              "common",
		"aungkyaw1988":              "common",
		"mingalaba123":              "common",
		"myanmar2021!":              "common",
		"iloveyou2":                 "common",
		"dragonmaster":              "common",
		"!!!!!!!!!!!!":              "common",
		"2024-01-01":                "common",
		"1q2w3e4r5t":                "common",
		"zaq12wsx":                  "common",
		"\xff\xfe invalid utf8 pwd": "common",
	}
	for pw, reason := range refused {
		err := svc.CheckPassword(pw, "alice-tester")
		var pe *PasswordError
		if !errors.As(err, &pe) || pe.Reason != reason {
			t.Errorf("%.20q: got %v, want %s", pw, err, reason)
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%.20q: error is not ErrInvalid", pw)
		}
	}
	for _, pw := range []string{
		"correct horse battery staple",
		"Tr0ub4dor&3xx",
		"ရေနွေးကြမ်း သောက်ချိန်",
		"ngapali sunset kayak 7",
		strings.Repeat("ab1", 80) + "zq9xw",
		"mohinga at dawn in Bago",
	} {
		if err := svc.CheckPassword(pw, "alice-tester"); err != nil {
			t.Errorf("%.20q refused: %v", pw, err)
		}
	}
	// Exactly 256 characters is allowed, 257 is not.
	var lb strings.Builder
	for i := 0; lb.Len() < 2000; i++ {
		fmt.Fprintf(&lb, "%s%d ", []string{"ရေ", "မြစ်", "ကျောက်", "ငှက်", "river", "stone"}[i%6], i)
	}
	long := string([]rune(lb.String())[:MaxPasswordLen])
	if err := svc.CheckPassword(long, "x"); err != nil {
		t.Errorf("256 characters refused: %v", err)
	}
}

func TestLoginWithTOTPAndNoReplay(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c := newService(t, st)
		e := mustCreate(t, svc, "thida")
		if !strings.HasPrefix(e.URI, "otpauth://totp/Embrace:thida?secret="+e.Secret+"&issuer=Embrace&algorithm=SHA1&digits=6&period=30") {
			t.Fatalf("enrolment URI %s", e.URI)
		}
		if len(e.RecoveryCodes) != RecoveryCodeCount {
			t.Fatalf("%d recovery codes", len(e.RecoveryCodes))
		}
		c.Advance(time.Minute)
		// A code computed by pquerna/otp's own TOTP implementation.
		k, err := totp.GenerateCode(e.Secret, c.Now())
		if err != nil {
			t.Fatal(err)
		}
		req := LoginRequest{Username: "Thida ", Password: testPassword, Code: k, Kind: KindWeb, Client: "192.0.2.7:1"}
		sess, tok, err := svc.Login(ctx, req)
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		if sess.Username != "thida" || len(sess.Keyring().Principals()) != 1 || tok == "" {
			t.Fatalf("session %+v", sess)
		}
		if _, _, err := svc.Login(ctx, req); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("replayed code: %v", err)
		}
		// The code of the step before the last accepted one is also refused.
		old, _ := TOTPCode(e.Secret, c.Now().Add(-TOTPPeriod*time.Second))
		req.Code = old
		if _, _, err := svc.Login(ctx, req); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("older code: %v", err)
		}
		// A code from five minutes ago is out of the window anyway.
		c.Advance(5 * time.Minute)
		req.Code, _ = TOTPCode(e.Secret, c.Now().Add(-5*time.Minute))
		if _, _, err := svc.Login(ctx, req); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("stale code: %v", err)
		}
		// The next code works.
		req.Code, _ = TOTPCode(e.Secret, c.Now())
		if _, _, err := svc.Login(ctx, req); err != nil {
			t.Fatalf("fresh code: %v", err)
		}
		if auditCount(t, st, "auth.login") != 2 || auditCount(t, st, "auth.login.refused") != 3 {
			t.Fatalf("audit: %d logins, %d refusals", auditCount(t, st, "auth.login"), auditCount(t, st, "auth.login.refused"))
		}
	})
}

func TestLoginWithOathtool(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c := newService(t, st)
		e := mustCreate(t, svc, "zawmin")
		c.Advance(90 * time.Second)
		k := testtool.Oathtool(t, e.Secret, c.Now())
		if _, _, err := svc.Login(ctx, LoginRequest{Username: "zawmin", Password: testPassword, Code: k, Kind: KindAPI}); err != nil {
			t.Fatalf("login with oathtool's code %s: %v", k, err)
		}
	})
}

func TestNFCPasswords(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c := newService(t, st)
		pw := "café résumé naïve fiancée"
		_, e, err := svc.CreateAccount(ctx, NewAccount{Username: "nfc", Password: norm.NFD.String(pw), Roles: []Role{RoleAnalyst}}, nil, "cli")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Login(ctx, LoginRequest{Username: "nfc", Password: norm.NFC.String(pw), Code: code(t, c, e), Kind: KindWeb}); err != nil {
			t.Fatalf("NFC form of an NFD password: %v", err)
		}
	})
}

func TestRecoveryCodesAreOneTime(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, _ := newService(t, st)
		e := mustCreate(t, svc, "hnin")
		rc := strings.ToLower(e.RecoveryCodes[3])
		req := LoginRequest{Username: "hnin", Password: testPassword, Code: rc, Kind: KindWeb}
		if _, _, err := svc.Login(ctx, req); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		if _, _, err := svc.Login(ctx, req); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("recovery code used twice: %v", err)
		}
		if n := count(t, st, "SELECT count(*) FROM auth_recovery_codes WHERE used = 0"); n != RecoveryCodeCount-1 {
			t.Fatalf("%d unused codes", n)
		}
	})
}

func TestSameAnswerForUnknownUserAndWrongPassword(t *testing.T) {
	// Not parallel: it measures time.
	st := storetest.New(t, storetest.Targets(t)[0])
	withEscrow(t, st)
	c := newClock()
	// Params heavy enough (16 MiB) for the hash to dominate the timing.
	svc, err := New(Config{Store: st, Params: Params{Time: 1, MemoryKiB: 16 * 1024, Threads: 1}, Now: c.Now, MaxFailures: 1000, ClientMaxFailures: 1000})
	if err != nil {
		t.Fatal(err)
	}
	e := mustCreate(t, svc, "khaing")
	attempt := func(user string) (time.Duration, error) {
		start := time.Now()
		_, _, err := svc.Login(ctx, LoginRequest{Username: user, Password: "not the password at all", Code: code(t, c, e), Kind: KindWeb})
		return time.Since(start), err
	}
	wrongPw, unknown := time.Hour, time.Hour
	var err1, err2 error
	for range 7 {
		var d time.Duration
		if d, err1 = attempt("khaing"); d < wrongPw {
			wrongPw = d
		}
		if d, err2 = attempt("nobody-here"); d < unknown {
			unknown = d
		}
	}
	if !errors.Is(err1, ErrBadCredentials) || !errors.Is(err2, ErrBadCredentials) || err1.Error() != err2.Error() {
		t.Fatalf("different answers: %v / %v", err1, err2)
	}
	// Skipping the hash for an unknown user would make it many times
	// faster; scheduling noise on a busy machine stays well inside 3×.
	if unknown < wrongPw/3 || wrongPw < unknown/3 {
		t.Fatalf("timing differs: wrong password %v, unknown user %v", wrongPw, unknown)
	}
	if count(t, st, "SELECT count(*) FROM audit_entries WHERE action = 'auth.login.refused' AND actor = 'unknown'") != 7 {
		t.Fatal("refusals of an unknown user are not audited as 'unknown'")
	}
	if count(t, st, "SELECT count(*) FROM audit_entries WHERE actor LIKE '%nobody%' OR detail LIKE '%nobody%' OR detail LIKE '%not the password%'") != 0 {
		t.Fatal("an attempted username or password reached the audit log")
	}
}

func TestLockoutAndThrottle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c := newService(t, st)
		e := mustCreate(t, svc, "soe-win")
		bad := LoginRequest{Username: "soe-win", Password: "wrong wrong wrong", Code: "123456", Kind: KindWeb, Client: "198.51.100.1:9"}
		for i := range 10 {
			if _, _, err := svc.Login(ctx, bad); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		good := LoginRequest{Username: "soe-win", Password: testPassword, Code: code(t, c, e), Kind: KindWeb, Client: "198.51.100.2:9"}
		_, _, err := svc.Login(ctx, good)
		var le *LockedError
		if !errors.As(err, &le) || le.Client {
			t.Fatalf("after 10 failures: %v", err)
		}
		if d := le.RetryAfter(); d < 14*time.Minute || d > 15*time.Minute {
			t.Fatalf("locked for %v", d)
		}
		// An unknown username is paused after as many failures, so the
		// pause does not tell which usernames exist.
		ghost := bad
		ghost.Username, ghost.Client = "ghost", "198.51.100.3:1"
		for range 10 {
			svc.Login(ctx, ghost)
		}
		if _, _, err := svc.Login(ctx, ghost); !errors.As(err, &le) || le.Client {
			t.Fatalf("unknown user after 10 failures: %v", err)
		}
		c.Advance(16 * time.Minute)
		good.Code, _ = TOTPCode(e.Secret, c.Now())
		if _, _, err := svc.Login(ctx, good); err != nil {
			t.Fatalf("after the lock ended: %v", err)
		}
		if n := count(t, st, "SELECT fail_count FROM auth_accounts WHERE username = 'soe-win'"); n != 0 {
			t.Fatalf("fail_count %d after success", n)
		}
	})
}

func TestClientThrottle(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	withEscrow(t, st)
	c := newClock()
	svc, err := New(Config{Store: st, Params: CheapParams(), Now: c.Now, ClientMaxFailures: 5, ClientWindow: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	e := mustCreate(t, svc, "maung")
	for i := range 5 {
		svc.Login(ctx, LoginRequest{Username: "user" + string(rune('a'+i)) + "x", Password: "whatever whatever", Kind: KindWeb, Client: "203.0.113.5:1234"})
	}
	var le *LockedError
	_, _, err = svc.Login(ctx, LoginRequest{Username: "maung", Password: testPassword, Code: code(t, c, e), Kind: KindWeb, Client: "203.0.113.5:999"})
	if !errors.As(err, &le) || !le.Client {
		t.Fatalf("throttled client: %v", err)
	}
	// Another client is not affected.
	if _, _, err := svc.Login(ctx, LoginRequest{Username: "maung", Password: testPassword, Code: code(t, c, e), Kind: KindWeb, Client: "203.0.113.6:1"}); err != nil {
		t.Fatalf("other client: %v", err)
	}
	c.Advance(11 * time.Minute)
	if _, _, err := svc.Login(ctx, LoginRequest{Username: "maung", Password: testPassword, Code: code(t, c, e), Kind: KindWeb, Client: "203.0.113.5:1"}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestSuspendedAccountRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c := newService(t, st)
		e := mustCreate(t, svc, "nyein")
		sess, tok := login(t, svc, c, e, KindWeb)
		if err := svc.Suspend(ctx, "nyein", "cli"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, tok, KindWeb); !errors.Is(err, ErrNoSession) {
			t.Fatalf("session of a suspended account: %v", err)
		}
		if len(sess.Keyring().Principals()) != 0 {
			t.Fatal("keyring of a suspended account not wiped")
		}
		_, _, err := svc.Login(ctx, LoginRequest{Username: "nyein", Password: testPassword, Code: code(t, c, e), Kind: KindWeb})
		if !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("suspended login: %v", err)
		}
		if err := svc.Activate(ctx, "nyein", "cli"); err != nil {
			t.Fatal(err)
		}
		login(t, svc, c, e, KindWeb)
	})
}

func TestOversizedPasswordRefusedBeforeHashing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, _ := newService(t, st)
		mustCreate(t, svc, "oversize")
		// Take every hashing slot: a login that hashed would wait, then fail
		// with ErrBusy.
		svc.cfg.HashWait = 50 * time.Millisecond
		for range cap(svc.hashSem) {
			svc.hashSem <- struct{}{}
		}
		defer func() {
			for range cap(svc.hashSem) {
				<-svc.hashSem
			}
		}()
		for _, pw := range []string{strings.Repeat("a", MaxPasswordLen+1), strings.Repeat("ဖ", 5000), strings.Repeat("x", 1<<20)} {
			start := time.Now()
			_, _, err := svc.Login(ctx, LoginRequest{Username: "oversize", Password: pw, Code: "000000", Kind: KindWeb})
			if !errors.Is(err, ErrPasswordTooLong) {
				t.Fatalf("oversized password: %v", err)
			}
			if time.Since(start) > 40*time.Millisecond {
				t.Fatal("oversized password waited for a hashing slot")
			}
		}
		if _, _, err := svc.Login(ctx, LoginRequest{Username: "oversize", Password: testPassword, Code: "000000", Kind: KindWeb}); !errors.Is(err, ErrBusy) {
			t.Fatalf("with every slot taken: %v", err)
		}
	})
}

func TestSessionsAuthenticateAndExpire(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c := newService(t, st)
		e := mustCreate(t, svc, "ei-ei", RoleAnalyst)
		_, tok := login(t, svc, c, e, KindWeb)
		sess, err := svc.Authenticate(ctx, tok, KindWeb)
		if err != nil || sess.Username != "ei-ei" || !slices.Equal(sess.Roles, []Role{RoleAnalyst}) {
			t.Fatalf("authenticate: %+v %v", sess, err)
		}
		if _, err := svc.Authenticate(ctx, tok, KindAPI); !errors.Is(err, ErrNoSession) {
			t.Fatalf("web token as API token: %v", err)
		}
		forged := []byte(tok)
		forged[5] ^= 1
		for _, bad := range []string{"", "x", string(forged), tok + "A", strings.Repeat("A", 43)} {
			if _, err := svc.Authenticate(ctx, bad, KindWeb); !errors.Is(err, ErrNoSession) {
				t.Fatalf("forged token %q: %v", bad, err)
			}
		}
		// Idle timeout: 29 minutes is fine, then 31 minutes idle is not.
		c.Advance(29 * time.Minute)
		if _, err := svc.Authenticate(ctx, tok, KindWeb); err != nil {
			t.Fatalf("after 29 idle minutes: %v", err)
		}
		c.Advance(31 * time.Minute)
		if _, err := svc.Authenticate(ctx, tok, KindWeb); !errors.Is(err, ErrNoSession) {
			t.Fatalf("after 31 idle minutes: %v", err)
		}
		if len(sess.Keyring().Principals()) != 0 {
			t.Fatal("expired session's keyring not wiped")
		}
		// Absolute timeout: active every 20 minutes, gone after 12 hours.
		_, tok = login(t, svc, c, e, KindAPI)
		for i := 0; i < 12*3-1; i++ {
			c.Advance(20 * time.Minute)
			if _, err := svc.Authenticate(ctx, tok, KindAPI); err != nil {
				t.Fatalf("active session at %d minutes: %v", (i+1)*20, err)
			}
		}
		c.Advance(20 * time.Minute)
		if _, err := svc.Authenticate(ctx, tok, KindAPI); !errors.Is(err, ErrNoSession) {
			t.Fatalf("after 12 hours: %v", err)
		}
	})
}

func TestSeizedSessionTableOpensNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c := newService(t, st)
		e := mustCreate(t, svc, "seized")
		sess, tok := login(t, svc, c, e, KindWeb)
		var id string
		var sealed []byte
		if err := st.DB().QueryRow("SELECT id, sealed_identity FROM auth_sessions").Scan(&id, &sealed); err != nil {
			t.Fatal(err)
		}
		token, _ := ParseToken(tok)
		if id != sessionID(token) || strings.Contains(id, tok) {
			t.Fatal("the session id is not the token's hash")
		}
		// Without the token: a key derived from any other token fails.
		other, _, _ := newToken()
		if _, err := keys.OpenIdentity(sessionKey(other), sealed, sessionAD(id)); !errors.Is(err, keys.ErrDecrypt) {
			t.Fatalf("sealed identity opened without the token: %v", err)
		}
		// Nor does the id (all the database has) serve as a key.
		if _, err := keys.OpenIdentity(sessionKey([]byte(id)), sealed, sessionAD(id)); !errors.Is(err, keys.ErrDecrypt) {
			t.Fatalf("sealed identity opened with the session id: %v", err)
		}
		// With the token it opens, and it is the user's key.
		uid, err := keys.OpenIdentity(sessionKey(token), sealed, sessionAD(id))
		if err != nil {
			t.Fatal(err)
		}
		defer uid.Wipe()
		p, _ := keys.PrincipalByID(ctx, st.DB(), sess.PrincipalID)
		if !uid.Recipient().Equal(p.Recipient) {
			t.Fatal("sealed identity is not the user's")
		}
		// The TOTP secret is not in the database in the clear.
		var totpCT []byte
		st.DB().QueryRow("SELECT totp_secret FROM auth_accounts").Scan(&totpCT)
		if strings.Contains(string(totpCT), e.Secret) {
			t.Fatal("TOTP secret stored in the clear")
		}
	})
}

func TestLogoutRevokeAndLockdownWipeKeys(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c := newService(t, st)
		a := mustCreate(t, svc, "aye-aye")
		b := mustCreate(t, svc, "bo-bo")
		s1, _ := login(t, svc, c, a, KindWeb)
		s2, tok2 := login(t, svc, c, a, KindWeb)
		if err := svc.Logout(ctx, s1); err != nil {
			t.Fatal(err)
		}
		if len(s1.Keyring().Principals()) != 0 || len(s2.Keyring().Principals()) != 1 {
			t.Fatal("logout wiped the wrong keyring")
		}
		list, err := svc.ListSessions(ctx, s2)
		if err != nil || len(list) != 1 || !list[0].Current {
			t.Fatalf("sessions %+v %v", list, err)
		}
		sb, _ := login(t, svc, c, b, KindWeb)
		if err := svc.RevokeSession(ctx, s2, sb.Handle); !errors.Is(err, ErrNotFound) {
			t.Fatalf("revoking another person's session: %v", err)
		}
		if _, err := svc.Authenticate(ctx, tok2, KindWeb); err != nil {
			t.Fatal(err)
		}
		s3, tok3 := login(t, svc, c, a, KindAPI)
		if err := svc.RevokeSession(ctx, s2, s3.Handle); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, tok3, KindAPI); !errors.Is(err, ErrNoSession) || len(s3.Keyring().Principals()) != 0 {
			t.Fatal("revoked session still works")
		}
		n, err := svc.Lockdown(ctx, "cli")
		if err != nil || n != 2 {
			t.Fatalf("lockdown ended %d: %v", n, err)
		}
		if len(s2.Keyring().Principals()) != 0 || len(sb.Keyring().Principals()) != 0 || svc.CachedSessions() != 0 {
			t.Fatal("lockdown left keys in memory")
		}
		if count(t, st, "SELECT count(*) FROM auth_sessions") != 0 || count(t, st, "SELECT count(*) FROM alerts WHERE kind = 'lockdown'") != 1 {
			t.Fatal("lockdown left sessions or no alert")
		}
		if auditCount(t, st, "auth.lockdown") != 1 || auditCount(t, st, "auth.session.revoke") != 1 || auditCount(t, st, "auth.session.revoke.refused") != 1 {
			t.Fatal("audit entries missing")
		}
	})
}

func TestSessionsAcrossProcesses(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a, c := newService(t, st)
		b, err := New(Config{Store: st, Params: CheapParams(), Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		e := mustCreate(t, a, "two-procs")
		_, tok := login(t, a, c, e, KindWeb)
		sb, err := b.Authenticate(ctx, tok, KindWeb)
		if err != nil {
			t.Fatalf("process B: %v", err)
		}
		if len(sb.Keyring().Principals()) != 1 || b.CachedSessions() != 1 {
			t.Fatal("process B did not unlock the keyring with the token")
		}
		// Lockdown in A: B refuses the token at once and wipes its keys.
		if _, err := a.Lockdown(ctx, "cli"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Authenticate(ctx, tok, KindWeb); !errors.Is(err, ErrNoSession) {
			t.Fatalf("B after lockdown in A: %v", err)
		}
		if len(sb.Keyring().Principals()) != 0 || b.CachedSessions() != 0 {
			t.Fatal("B kept keys after lockdown")
		}
		// A sweep wipes keys of sessions ended elsewhere even when nobody
		// presents their token again.
		_, tok = login(t, a, c, e, KindWeb)
		sb, _ = b.Authenticate(ctx, tok, KindWeb)
		if _, err := a.Lockdown(ctx, "cli"); err != nil {
			t.Fatal(err)
		}
		if err := b.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if len(sb.Keyring().Principals()) != 0 {
			t.Fatal("sweep kept keys of a session ended elsewhere")
		}
	})
}

func TestDuress(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c := newService(t, st)
		if _, _, err := svc.CreateFirstAdmin(ctx, "admin", testPassword, "cli"); err != nil {
			t.Fatal(err)
		}
		e := mustCreate(t, svc, "kyaw-duress", RoleCaseHandler)
		s1, tok1 := login(t, svc, c, e, KindWeb)
		other, tokOther := login(t, svc, c, e, KindAPI)
		const duressPw = "river of quiet stones"
		if err := svc.SetDuress(ctx, s1, "not my password", duressPw, duressPw); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("duress with a wrong current password: %v", err)
		}
		if err := svc.SetDuress(ctx, s1, testPassword, testPassword, testPassword); !isReason(err, "same") {
			t.Fatalf("duress equal to the password: %v", err)
		}
		if err := svc.SetDuress(ctx, s1, testPassword, duressPw, duressPw+"x"); !isReason(err, "mismatch") {
			t.Fatalf("mismatch: %v", err)
		}
		if err := svc.SetDuress(ctx, s1, testPassword, duressPw, duressPw); err != nil {
			t.Fatal(err)
		}
		// A duress login with a wrong code is refused like any other.
		c.Advance(time.Minute)
		if _, _, err := svc.Login(ctx, LoginRequest{Username: e.Username, Password: duressPw, Code: "000000", Kind: KindWeb}); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("duress with a wrong code: %v", err)
		}
		ds, dtok, err := svc.Login(ctx, LoginRequest{Username: e.Username, Password: duressPw, Code: code(t, c, e), Kind: KindWeb})
		if err != nil {
			t.Fatalf("duress login: %v", err)
		}
		if !ds.Duress || len(ds.Keyring().Principals()) != 0 || ds.Username != e.Username || !slices.Equal(ds.Roles, []Role{RoleCaseHandler}) {
			t.Fatalf("duress session %+v", ds)
		}
		if again, err := svc.Authenticate(ctx, dtok, KindWeb); err != nil || len(again.Keyring().Principals()) != 0 {
			t.Fatalf("duress session on the next request: %v", err)
		}
		for _, tk := range []struct {
			tok  string
			kind SessionKind
		}{{tok1, KindWeb}, {tokOther, KindAPI}} {
			if _, err := svc.Authenticate(ctx, tk.tok, tk.kind); !errors.Is(err, ErrNoSession) {
				t.Fatalf("other session after duress: %v", err)
			}
		}
		if len(s1.Keyring().Principals()) != 0 || len(other.Keyring().Principals()) != 0 {
			t.Fatal("other sessions' keys not wiped")
		}
		acct, _ := svc.GetAccount(ctx, e.Username)
		if acct.Status != StatusSuspended {
			t.Fatalf("status %s after duress", acct.Status)
		}
		// The real password no longer works; the duress one still "does".
		if _, _, err := svc.Login(ctx, LoginRequest{Username: e.Username, Password: testPassword, Code: code(t, c, e), Kind: KindWeb}); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("real password after duress: %v", err)
		}
		if ds2, _, err := svc.Login(ctx, LoginRequest{Username: e.Username, Password: duressPw, Code: code(t, c, e), Kind: KindWeb}); err != nil || !ds2.Duress {
			t.Fatalf("second duress login: %v", err)
		}
		alerts, err := svc.Alerts(ctx, nil, 0)
		if err != nil || len(alerts) != 2 || alerts[0].Kind != AlertDuress || alerts[0].Username != e.Username {
			t.Fatalf("alerts %+v %v", alerts, err)
		}
		if got, _ := svc.Alerts(ctx, ds, 0); len(got) != 0 {
			t.Fatal("a duress session sees alerts")
		}
		if auditCount(t, st, "auth.duress") != 2 {
			t.Fatal("duress not audited")
		}
	})
}

func TestDuressSetFromCLI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c := newService(t, st)
		e := mustCreate(t, svc, "cli-duress")
		const duressPw = "orange kite over mandalay hill"
		if err := svc.SetDuressFor(ctx, e.Username, duressPw, "cli"); err != nil {
			t.Fatal(err)
		}
		// Before the next normal sign-in the duress key has no copy of the
		// TOTP secret: any well-formed code is taken.
		c.Advance(time.Minute)
		if s, _, err := svc.Login(ctx, LoginRequest{Username: e.Username, Password: duressPw, Code: "123123", Kind: KindWeb}); err != nil || !s.Duress {
			t.Fatalf("duress login before the copy: %v", err)
		}
		svc.Activate(ctx, e.Username, "cli")
		login(t, svc, c, e, KindWeb) // gives the duress key its copy
		c.Advance(time.Minute)
		if _, _, err := svc.Login(ctx, LoginRequest{Username: e.Username, Password: duressPw, Code: "123123", Kind: KindWeb}); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("duress login with a wrong code after the copy: %v", err)
		}
		if s, _, err := svc.Login(ctx, LoginRequest{Username: e.Username, Password: duressPw, Code: code(t, c, e), Kind: KindWeb}); err != nil || !s.Duress {
			t.Fatalf("duress login with the right code: %v", err)
		}
		// Reset 2FA re-encrypts to the duress key as well.
		svc.Activate(ctx, e.Username, "cli")
		ne, err := svc.ResetTOTP(ctx, e.Username, "cli")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Login(ctx, LoginRequest{Username: e.Username, Password: duressPw, Code: code(t, c, ne), Kind: KindWeb}); err != nil {
			t.Fatalf("duress login after reset: %v", err)
		}
	})
}

func isReason(err error, reason string) bool {
	var pe *PasswordError
	return errors.As(err, &pe) && pe.Reason == reason
}

func TestResetTOTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c := newService(t, st)
		e := mustCreate(t, svc, "reset-me")
		_, tok := login(t, svc, c, e, KindWeb)
		ne, err := svc.ResetTOTP(ctx, "reset-me", "cli")
		if err != nil {
			t.Fatal(err)
		}
		if ne.Secret == e.Secret || ne.RecoveryCodes[0] == e.RecoveryCodes[0] {
			t.Fatal("reset kept the old secret")
		}
		if _, err := svc.Authenticate(ctx, tok, KindWeb); !errors.Is(err, ErrNoSession) {
			t.Fatal("sessions survive a 2FA reset")
		}
		if _, _, err := svc.Login(ctx, LoginRequest{Username: "reset-me", Password: testPassword, Code: code(t, c, e), Kind: KindWeb}); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("old secret after reset: %v", err)
		}
		if _, _, err := svc.Login(ctx, LoginRequest{Username: "reset-me", Password: testPassword, Code: e.RecoveryCodes[0], Kind: KindWeb}); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("old recovery code after reset: %v", err)
		}
		login(t, svc, c, ne, KindWeb)
	})
}

func TestTeamsAndPendingGrants(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c := newService(t, st)
		// init may have made the teams already (escrow only): the first
		// administrator still becomes their holder.
		if err := EnsureTeams(ctx, st.Writer()); err != nil {
			t.Fatal(err)
		}
		_, admin, err := svc.CreateFirstAdmin(ctx, "steward", testPassword, "cli")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.CreateFirstAdmin(ctx, "second", testPassword, "cli"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second first admin: %v", err)
		}
		as, _ := login(t, svc, c, admin, KindWeb)
		if n := len(as.Keyring().Principals()); n != 1+len(Teams()) {
			t.Fatalf("steward holds %d keys", n)
		}
		// Added from the CLI: no key at hand, so the grant is pending.
		_, e, err := svc.CreateAccount(ctx, NewAccount{Username: "handler", Password: testPassword, Roles: []Role{RoleCaseHandler}, Teams: []Team{TeamCasework}}, nil, "cli")
		if err != nil {
			t.Fatal(err)
		}
		acct, _ := svc.GetAccount(ctx, "handler")
		if !slices.Equal(acct.Teams, []Team{TeamCasework}) || !slices.Equal(acct.Pending, []Team{TeamCasework}) {
			t.Fatalf("account %+v", acct)
		}
		hs, _ := login(t, svc, c, e, KindWeb)
		if n := len(hs.Keyring().Principals()); n != 1 {
			t.Fatalf("member holds %d keys before the grant", n)
		}
		// The steward's next sign-in fulfils it.
		login(t, svc, c, admin, KindWeb)
		acct, _ = svc.GetAccount(ctx, "handler")
		if len(acct.Pending) != 0 {
			t.Fatal("grant still pending")
		}
		hs, _ = login(t, svc, c, e, KindWeb)
		if n := len(hs.Keyring().Principals()); n != 2 {
			t.Fatalf("member holds %d keys after the grant", n)
		}
		// A holder adds someone directly.
		_, e2, err := svc.CreateAccount(ctx, NewAccount{Username: "handler2", Password: testPassword, Roles: []Role{RoleCaseHandler}}, nil, "cli")
		if err != nil {
			t.Fatal(err)
		}
		err = st.Tx(ctx, func(tx *sqlTx) error {
			granted, err := svc.AddToTeam(ctx, tx, hs.Keyring(), "handler2", TeamCasework, hs.Actor())
			if err == nil && !granted {
				t.Error("holder's grant not immediate")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		h2, _ := login(t, svc, c, e2, KindWeb)
		if n := len(h2.Keyring().Principals()); n != 2 {
			t.Fatalf("directly added member holds %d keys", n)
		}
		if auditCount(t, st, "auth.team.grant") != 1 || auditCount(t, st, "auth.team.add") != 1 {
			t.Fatal("team changes not audited")
		}
	})
}

func TestNoEscrowNoAccounts(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	svc, _ := newServiceNoEscrow(t, st)
	_, _, err := svc.CreateAccount(ctx, NewAccount{Username: "early", Password: testPassword, Roles: []Role{RoleAnalyst}}, nil, "cli")
	if !errors.Is(err, ErrNoEscrow) {
		t.Fatalf("account without escrow: %v", err)
	}
	if err := EnsureTeams(ctx, st.Writer()); !errors.Is(err, ErrNoEscrow) {
		t.Fatalf("teams without escrow: %v", err)
	}
}

func TestCan(t *testing.T) {
	t.Parallel()
	for _, r := range Roles() {
		if !Can([]Role{r}, PermSelf) {
			t.Errorf("%s lacks %s", r, PermSelf)
		}
		if r != RoleAdministrator && (Can([]Role{r}, PermLockdown) || Can([]Role{r}, PermAlerts) || Can([]Role{r}, PermAccounts)) {
			t.Errorf("%s has an administrator's permission", r)
		}
	}
	if Can(nil, PermSelf) || Can([]Role{"nobody"}, PermSelf) {
		t.Error("no role, or an unknown role, has a permission")
	}
	if Can([]Role{RoleAdministrator}, PermCaseRead) {
		t.Error("administrators must not read cases by default (DESIGN §1)")
	}
	if Can([]Role{RoleAnalyst}, PermCaseRead) {
		t.Error("analysts see aggregates only")
	}
	if KnownPermission("") || KnownPermission("made.up") || !KnownPermission(PermLockdown) {
		t.Error("KnownPermission")
	}
	if _, err := ParseRoles("analyst, nope"); !errors.Is(err, ErrInvalid) {
		t.Error("unknown role parsed")
	}
	if rs, _ := ParseRoles("analyst,administrator,analyst"); len(rs) != 2 {
		t.Error("duplicate roles kept")
	}
}

func TestParseBearerAndToken(t *testing.T) {
	t.Parallel()
	_, text, _ := newToken()
	for h, ok := range map[string]bool{
		"Bearer " + text:        true,
		"bearer " + text:        true,
		"Bearer  " + text:       true,
		"Basic " + text:         false,
		"Bearer":                false,
		"Bearer ":               false,
		"Bearer a b":            false,
		text:                    false,
		"BearerX " + text + "x": false,
	} {
		got, gotOK := ParseBearer(h)
		if gotOK != ok || (ok && got != text) {
			t.Errorf("ParseBearer(%q) = %q, %v", h, got, gotOK)
		}
	}
	if _, ok := ParseToken(text); !ok {
		t.Error("fresh token does not parse")
	}
	for _, bad := range []string{"", text[:42], text + "A", strings.Repeat("=", 43), text[:42] + "/"} {
		if _, ok := ParseToken(bad); ok {
			t.Errorf("ParseToken(%q) accepted", bad)
		}
	}
}

func FuzzParseBearer(f *testing.F) {
	_, text, _ := newToken()
	for _, s := range []string{"Bearer " + text, "bearer x", "", "Bearer", "Basic abc", "Bearer \x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		tok, ok := ParseBearer(h)
		if !ok {
			return
		}
		if raw, ok := ParseToken(tok); ok {
			if len(raw) != tokenSize {
				t.Fatal("token of the wrong size accepted")
			}
		}
	})
}

func FuzzParseToken(f *testing.F) {
	_, text, _ := newToken()
	f.Add(text)
	f.Add("")
	f.Add(strings.Repeat("_", 43))
	f.Fuzz(func(t *testing.T, s string) {
		raw, ok := ParseToken(s)
		if ok && b64(raw) != s {
			t.Fatalf("non-canonical token accepted: %q", s)
		}
	})
}

func TestParamsSetting(t *testing.T) {
	t.Parallel()
	for _, p := range []Params{DefaultParams(), CheapParams(), {Time: 2, MemoryKiB: 19456, Threads: 1}} {
		got, err := ParseParams(p.String())
		if err != nil || got != p {
			t.Errorf("%s: %+v %v", p, got, err)
		}
	}
	for _, bad := range []string{"", "t=0,m=64,p=1", "t=1,m=4,p=1", "t=1,m=64,p=0", "t=1,m=64", "m=64,t=1,p=1", "t=1,m=99999999999,p=1"} {
		if _, err := ParseParams(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q accepted", bad)
		}
	}
	st := storetest.New(t, storetest.Targets(t)[0])
	if p, err := LoadParams(ctx, st); err != nil || p != DefaultParams() {
		t.Fatalf("no setting: %+v %v", p, err)
	}
	if _, err := st.Exec(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2)", SettingParams, "t=2,m=1024,p=1"); err != nil {
		t.Fatal(err)
	}
	if p, err := LoadParams(ctx, st); err != nil || p != (Params{2, 1024, 1}) {
		t.Fatalf("setting: %+v %v", p, err)
	}
}
