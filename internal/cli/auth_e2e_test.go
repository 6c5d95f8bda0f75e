package cli

import (
	"bufio"
	"context"
	"embrace/internal/testtool"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/intake"
	"embrace/internal/store"
)

// cheapKDF keeps the end-to-end tests quick; the parameters are stored in
// the deployment like an operator's choice.
const cheapKDF = "t=1,m=64,p=1"

var otpauthRE = regexp.MustCompile(`otpauth://totp/\S+`)

// secretOf returns the base32 secret of the first otpauth URI in out.
func secretOf(t *testing.T, out string) string {
	t.Helper()
	m := otpauthRE.FindString(out)
	if m == "" {
		t.Fatalf("no otpauth URI in %q", out)
	}
	u, err := url.Parse(m)
	if err != nil || u.Query().Get("secret") == "" {
		t.Fatalf("bad otpauth URI %q", m)
	}
	return u.Query().Get("secret")
}

// apiLogin posts a sign-in to the API and returns the status and token.
func apiLogin(t *testing.T, addr, user, password, code string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": password, "totp": code})
	resp, err := http.Post("http://"+addr+"/api/v1/session", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Token
}

// apiGet fetches path with a bearer token and decodes the JSON answer.
func apiGet(t *testing.T, addr, path, token string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		json.NewDecoder(resp.Body).Decode(v)
	}
	return resp.StatusCode
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestStaffSignInEndToEnd is issue #4's "done when" through the real
// binary: init creates the first administrator, serve signs them in on the
// web and the API with codes from oathtool, a replayed code is refused,
// lockdown from the command line ends both sessions, and the audit log
// verifies.
func TestStaffSignInEndToEnd(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "d")
	const password = "seven quiet boats on the Moei river"
	code, out, stderr := run(t, password+"\n", "init", "-data", dir, "-argon2id", cheapKDF, "-admin", "Thida")
	if code != 0 {
		t.Fatalf("init: %d %s", code, stderr)
	}
	if strings.Contains(out+stderr, password) {
		t.Fatal("init echoed the password")
	}
	secret := secretOf(t, out)
	if !strings.Contains(out, "otpauth://totp/") || !strings.Contains(out, "Recovery codes") {
		t.Fatalf("init output: %s", out)
	}

	addr, stop := startServe(t, "serve", "-data", dir, "-addr", "127.0.0.1:0")
	defer stop()
	now := time.Now()
	k := testtool.Oathtool(t, secret, now)
	status, token := apiLogin(t, addr, "thida", password, k)
	if status != http.StatusCreated || token == "" {
		t.Fatalf("API sign-in: %d", status)
	}
	var me struct {
		Username string
		Roles    []string
	}
	if st := apiGet(t, addr, "/api/v1/me", token, &me); st != 200 || me.Username != "thida" || len(me.Roles) != 1 || me.Roles[0] != "administrator" {
		t.Fatalf("/me: %d %+v", st, me)
	}
	// The same code again is a replay, refused.
	if status, _ := apiLogin(t, addr, "thida", password, k); status != http.StatusUnauthorized {
		t.Fatalf("replayed code: %d", status)
	}

	// The web sign-in, with the next step's code.
	form := url.Values{"username": {"thida"}, "password": {password}, "code": {testtool.Oathtool(t, secret, now.Add(auth.TOTPPeriod*time.Second))}}
	resp, err := noRedirect.PostForm("http://"+addr+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "embrace" {
			cookie = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || cookie == nil {
		t.Fatalf("web sign-in: %d", resp.StatusCode)
	}
	workspace := func() int {
		req, _ := http.NewRequest("GET", "http://"+addr+"/workspace", nil)
		req.AddCookie(cookie)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := workspace(); st != 200 {
		t.Fatalf("workspace: %d", st)
	}

	// Lockdown from the shell ends both sessions in the running server.
	if code, out, stderr := run(t, "", "lockdown", "-data", dir); code != 0 || !strings.Contains(out, "ended 2 sessions") {
		t.Fatalf("lockdown: %d %s %s", code, out, stderr)
	}
	if st := apiGet(t, addr, "/api/v1/me", token, nil); st != http.StatusUnauthorized {
		t.Fatalf("/me after lockdown: %d", st)
	}
	if st := workspace(); st != http.StatusSeeOther {
		t.Fatalf("workspace after lockdown: %d", st)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exit %d", code)
	}
	if code, out, _ := run(t, "", "audit", "verify", "-data", dir); code != 0 {
		t.Fatalf("audit verify: %s", out)
	}
}

// TestInitAdminBadInput: a weak password or a bad username creates no
// administrator, and says why.
func TestInitAdminBadInput(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "d")
	if code, _, stderr := run(t, "password123\n", "init", "-data", dir, "-argon2id", cheapKDF, "-admin", "thida"); code != 1 || !strings.Contains(stderr, "user add") {
		t.Fatalf("weak password: %d %s", code, stderr)
	}
	if code, out, _ := run(t, "", "user", "list", "-data", dir); code != 0 || strings.Contains(out, "thida") {
		t.Fatalf("an administrator was created: %s", out)
	}
	if code, _, _ := run(t, "x\n", "init", "-data", filepath.Join(t.TempDir(), "e"), "-admin", "no spaces"); code != 2 {
		t.Fatalf("bad username: %d", code)
	}
	if code, _, _ := run(t, "", "init", "-data", filepath.Join(t.TempDir(), "f"), "-argon2id", "t=0"); code != 2 {
		t.Fatalf("bad -argon2id: %d", code)
	}
}

// demoLogin is one account of a demo's accounts file.
type demoLogin struct{ user, role, password, secret, recovery string }

func readDemoAccounts(t *testing.T, dir string) map[string]demoLogin {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, demoAccountsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]demoLogin{}
	var cur demoLogin
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		switch {
		case len(fs) == 4 && fs[2] == "password":
			cur = demoLogin{user: fs[0], role: fs[1], password: fs[3]}
		case len(fs) >= 3 && fs[0] == "TOTP" && fs[1] == "secret":
			cur.secret = fs[2]
		case len(fs) == 3 && fs[0] == "recovery":
			cur.recovery = fs[2]
			out[cur.user] = cur
		}
	}
	return out
}

// TestDemoAccounts: a demo has an account for every role, each can sign
// in, and team keys decide who reads the demo's cases.
func TestDemoAccounts(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	var errb syncBuffer
	addr, stop := startServeTo(t, &errb, "demo", "-data", dir, "-addr", "127.0.0.1:0", "-cases", "30", "-argon2id", cheapKDF)
	accts := readDemoAccounts(t, dir)
	if len(accts) != len(auth.Roles()) {
		t.Fatalf("%d demo accounts, want one per role (%d)", len(accts), len(auth.Roles()))
	}
	now := time.Now()
	for _, a := range accts {
		code, _ := auth.TOTPCode(a.secret, now)
		status, token := apiLogin(t, addr, a.user, a.password, code)
		if status != http.StatusCreated {
			t.Fatalf("%s signs in: %d", a.user, status)
		}
		var me struct{ Roles []string }
		if st := apiGet(t, addr, "/api/v1/me", token, &me); st != 200 || len(me.Roles) != 1 || me.Roles[0] != a.role {
			t.Fatalf("%s /me: %d %v", a.user, st, me.Roles)
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("demo exit %d", code)
	}

	// The intake officer's keys open a demo case; the finance officer's
	// do not.
	ctx := context.Background()
	_, s, err := store.OpenDeployment(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	svc, err := auth.New(auth.Config{Store: s, Params: auth.CheapParams()})
	if err != nil {
		t.Fatal(err)
	}
	cases, err := casework.New(s).List(ctx, "", 0, 1)
	if err != nil || len(cases) != 1 {
		t.Fatalf("demo cases: %v", err)
	}
	for user, want := range map[string]bool{"intake": true, "finance": false} {
		a := accts[user]
		sess, _, err := svc.Login(ctx, auth.LoginRequest{Username: a.user, Password: a.password, Code: a.recovery, Kind: auth.KindAPI})
		if err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		_, err = casework.New(s).Get(ctx, sess.Keyring(), cases[0].ID)
		if got := err == nil; got != want || (!want && !errors.Is(err, store.ErrNotFound)) {
			t.Fatalf("%s reads a demo case: %v, want %v", user, err, want)
		}
		// The demo inbox has contacts the intake officer reads (and the
		// finance officer cannot), worked by the steward: replied, spam,
		// opened as cases, and new ones.
		in, err := intake.New(ctx, intake.Config{Store: s})
		if err != nil {
			t.Fatal(err)
		}
		for _, status := range intake.Statuses {
			q, err := in.Queue(ctx, status, 500)
			if err != nil || len(q) == 0 {
				t.Fatalf("demo inbox has no %s contacts (%v)", status, err)
			}
			c, err := in.Contact(ctx, sess.Keyring(), q[0].ID, sess.Actor())
			if got := err == nil; got != want || (!want && !errors.Is(err, store.ErrNotFound)) {
				t.Fatalf("%s reads a %s demo contact: %v, want %v", user, status, err, want)
			}
			if !want {
				continue
			}
			if len(c.Messages) == 0 || c.Messages[0].Text == "" {
				t.Fatalf("%s demo contact has no message", status)
			}
			if status == "replied" {
				last := c.Messages[len(c.Messages)-1]
				if last.Author != "staff" || last.By != "admin" || last.Text == "" {
					t.Fatalf("replied demo contact's last message: %+v", last)
				}
			}
		}
	}
}
