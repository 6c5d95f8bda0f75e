package web

import (
	"context"
	"embrace/internal/testtool"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func TestWebLoginWithOathtoolAndPquerna(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAuthEnv(t, st, auth.Config{})
		en := e.account(t, "htet-aung", auth.RoleCaseHandler, auth.RoleAnalyst)

		page := e.get(t, "/login?lang=en")
		if page.Code != 200 || !strings.Contains(page.Body.String(), `name="code"`) || strings.Contains(page.Body.String(), "<script") {
			t.Fatalf("login page: %d", page.Code)
		}

		for _, gen := range []struct {
			name string
			code func() string
		}{
			{"pquerna", func() string {
				e.clock.Advance(time.Minute)
				k, err := totp.GenerateCode(en.Secret, e.clock.Now())
				if err != nil {
					t.Fatal(err)
				}
				return k
			}},
			{"oathtool", func() string {
				e.clock.Advance(time.Minute)
				return testtool.Oathtool(t, en.Secret, e.clock.Now())
			}},
		} {
			k := gen.code()
			form := url.Values{"username": {"htet-aung"}, "password": {webTestPassword}, "code": {k}}
			rec := e.post(t, "/login", form)
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/workspace" {
				t.Fatalf("%s: login %d %s", gen.name, rec.Code, rec.Body.String())
			}
			c := sessionCookie(rec)
			if c == nil || c.Name != "__Host-embrace" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Domain != "" {
				t.Fatalf("%s: cookie %+v", gen.name, c)
			}
			ws := e.get(t, "/workspace?lang=en", c)
			body := ws.Body.String()
			if ws.Code != 200 || !strings.Contains(body, "htet-aung") || !strings.Contains(body, "Case handler") || !strings.Contains(body, "Analyst") {
				t.Fatalf("%s: workspace %d %s", gen.name, ws.Code, body)
			}
			// The same code again is a replay.
			again := e.post(t, "/login?lang=en", form)
			if again.Code != 200 || !strings.Contains(again.Body.String(), "is not right") || sessionCookie(again) != nil {
				t.Fatalf("%s: replayed code: %d", gen.name, again.Code)
			}
		}
	})
}

func TestWebLoginRefusalsLookAlike(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAuthEnv(t, st, auth.Config{})
		en := e.account(t, "min-thu", auth.RoleIntakeOfficer)
		wrongPw := e.post(t, "/login?lang=en", url.Values{"username": {"min-thu"}, "password": {"a wrong password here"}, "code": {e.code(t, en)}})
		unknown := e.post(t, "/login?lang=en", url.Values{"username": {"min-thuu"}, "password": {"a wrong password here"}, "code": {e.code(t, en)}})
		wrongCode := e.post(t, "/login?lang=en", url.Values{"username": {"min-thu"}, "password": {webTestPassword}, "code": {"000000"}})
		for _, rec := range []*httptest.ResponseRecorder{unknown, wrongCode} {
			if rec.Code != wrongPw.Code || strings.ReplaceAll(rec.Body.String(), "min-thuu", "min-thu") != wrongPw.Body.String() {
				t.Fatalf("refusals differ:\n%d %s\n%d %s", wrongPw.Code, wrongPw.Body.String(), rec.Code, rec.Body.String())
			}
			if len(rec.Header()) != len(wrongPw.Header()) || sessionCookie(rec) != nil {
				t.Fatal("refusals differ in headers")
			}
		}
		if !strings.Contains(wrongPw.Body.String(), "The username, password or code is not right") {
			t.Fatalf("refusal text: %s", wrongPw.Body.String())
		}
		// Oversized password: a clear error, before any hashing.
		long := e.post(t, "/login?lang=en", url.Values{"username": {"min-thu"}, "password": {strings.Repeat("x", 300)}, "code": {"123456"}})
		if long.Code != http.StatusBadRequest || !strings.Contains(long.Body.String(), "at most 256 characters") {
			t.Fatalf("oversized password: %d", long.Code)
		}
		// Repeated failures: paused, calmly, with Retry-After.
		for range 8 {
			e.post(t, "/login", url.Values{"username": {"min-thu"}, "password": {"a wrong password here"}, "code": {"123456"}})
		}
		paused := e.post(t, "/login?lang=en", url.Values{"username": {"min-thu"}, "password": {webTestPassword}, "code": {e.code(t, en)}})
		if paused.Code != http.StatusTooManyRequests || paused.Header().Get("Retry-After") == "" || !strings.Contains(paused.Body.String(), "this protects the account") {
			t.Fatalf("after 10 failures: %d %s", paused.Code, paused.Body.String())
		}
		my := e.post(t, "/login?lang=my", url.Values{"username": {"min-thu"}, "password": {webTestPassword}, "code": {e.code(t, en)}})
		if !regexp.MustCompile(`မိနစ် ၁[၄၅] ခန့်`).MatchString(my.Body.String()) {
			t.Fatalf("Burmese pause message: %s", my.Body.String())
		}
	})
}

func TestWebSuspendedAndForgedAndExpired(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAuthEnv(t, st, auth.Config{})
		en := e.account(t, "su-su", auth.RoleFinanceOfficer)
		c := e.login(t, en, webTestPassword)
		for _, bad := range []*http.Cookie{
			{Name: cookieSecureName, Value: strings.Repeat("A", 43)},
			{Name: cookieSecureName, Value: c.Value[:42] + "B"},
			{Name: cookieSecureName, Value: "../../etc"},
			{Name: cookieLocalName, Value: c.Value}, // the plain-HTTP cookie name over HTTPS
		} {
			rec := e.get(t, "/workspace", bad)
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login" {
				t.Fatalf("forged cookie %q: %d", bad.Value, rec.Code)
			}
		}
		if rec := e.get(t, "/workspace", c); rec.Code != 200 {
			t.Fatalf("real cookie: %d", rec.Code)
		}
		e.clock.Advance(31 * time.Minute)
		if rec := e.get(t, "/workspace", c); rec.Code != http.StatusSeeOther {
			t.Fatalf("idle session: %d", rec.Code)
		}
		c = e.login(t, en, webTestPassword)
		if err := e.svc.Suspend(context.Background(), "su-su", "cli"); err != nil {
			t.Fatal(err)
		}
		if rec := e.get(t, "/workspace", c); rec.Code != http.StatusSeeOther {
			t.Fatalf("suspended account's session: %d", rec.Code)
		}
		rec := e.post(t, "/login?lang=en", url.Values{"username": {"su-su"}, "password": {webTestPassword}, "code": {e.code(t, en)}})
		if rec.Code != 200 || sessionCookie(rec) != nil || !strings.Contains(rec.Body.String(), "is not right") {
			t.Fatalf("suspended login: %d", rec.Code)
		}
	})
}

func TestWebLoopbackAndInsecureCookies(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	en := e.account(t, "local-user", auth.RoleAnalyst)
	send := func(target, remote string) *httptest.ResponseRecorder {
		form := url.Values{"username": {"local-user"}, "password": {webTestPassword}, "code": {e.code(t, en)}}
		req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = remote
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		return rec
	}
	rec := send("http://127.0.0.1:8080/login", "127.0.0.1:50000")
	c := sessionCookie(rec)
	if rec.Code != http.StatusSeeOther || c == nil || c.Name != "embrace" || c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Fatalf("loopback login: %d %+v", rec.Code, c)
	}
	rec = send("http://localhost:8080/login", "[::1]:50000")
	if c := sessionCookie(rec); c == nil || c.Name != "embrace" {
		t.Fatalf("localhost login: %d", rec.Code)
	}
	// An onion address reached through the local Tor daemon: __Host-.
	rec = send("http://abcdefghijklmnop.onion/login", "127.0.0.1:40000")
	if c := sessionCookie(rec); c == nil || c.Name != "__Host-embrace" || !c.Secure {
		t.Fatalf("onion login: %d %+v", rec.Code, c)
	}
	// Plain HTTP from elsewhere: refused before any check, no cookie.
	for _, tc := range [][2]string{{"http://embrace.example/login?lang=en", "203.0.113.9:1"}, {"http://127.0.0.1/login?lang=en", "203.0.113.9:1"}} {
		rec = send(tc[0], tc[1])
		if rec.Code != http.StatusForbidden || sessionCookie(rec) != nil || !strings.Contains(rec.Body.String(), "secure connection") {
			t.Fatalf("plain HTTP from afar (%s): %d", tc[0], rec.Code)
		}
	}
}

func TestWebCrossSitePostsRefused(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	en := e.account(t, "csrf-target", auth.RoleAnalyst)
	c := e.login(t, en, webTestPassword)
	before := e.count(t, "SELECT count(*) FROM audit_entries")
	for _, path := range []string{"/login", "/logout", "/admin/lockdown", "/account/duress"} {
		form := url.Values{"username": {"csrf-target"}, "password": {webTestPassword}, "code": {e.code(t, en)}, "confirm": {"yes"}}
		req := httptest.NewRequest("POST", "https://embrace.test"+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		req.AddCookie(c)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden || sessionCookie(rec) != nil {
			t.Fatalf("cross-site POST %s: %d", path, rec.Code)
		}
	}
	if after := e.count(t, "SELECT count(*) FROM audit_entries"); after != before {
		t.Fatal("a cross-site POST reached a handler")
	}
	if rec := e.get(t, "/workspace", c); rec.Code != 200 {
		t.Fatal("cross-site logout ended the session")
	}
}

func TestWebLogoutClearsEverything(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	en := e.account(t, "leaving", auth.RoleShelterCoordinator)
	c := e.login(t, en, webTestPassword)
	if e.svc.CachedSessions() != 1 {
		t.Fatal("no keyring after login")
	}
	rec := e.post(t, "/logout", nil, c)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?notice=signedout" {
		t.Fatalf("logout: %d", rec.Code)
	}
	if got := rec.Header().Get("Clear-Site-Data"); got != `"cookies", "storage"` {
		t.Fatalf("Clear-Site-Data %q", got)
	}
	if gone := sessionCookie(rec); gone == nil || gone.MaxAge >= 0 {
		t.Fatal("cookie not cleared")
	}
	if e.svc.CachedSessions() != 0 || e.count(t, "SELECT count(*) FROM auth_sessions") != 0 {
		t.Fatal("session or keyring left after logout")
	}
	if rec := e.get(t, "/workspace", c); rec.Code != http.StatusSeeOther {
		t.Fatal("cookie works after logout")
	}
}

func TestWebSessionsPage(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	en := e.account(t, "two-devices", auth.RoleCaseHandler)
	c1 := e.login(t, en, webTestPassword)
	c2 := e.login(t, en, webTestPassword)
	page := e.get(t, "/sessions?lang=en", c1)
	handles := regexp.MustCompile(`/sessions/([0-9a-f]+)/revoke`).FindAllStringSubmatch(page.Body.String(), -1)
	if page.Code != 200 || len(handles) != 2 || !strings.Contains(page.Body.String(), "this one") {
		t.Fatalf("sessions page: %d %d", page.Code, len(handles))
	}
	// End the other one (the one not marked current).
	s2, err := e.svc.Authenticate(context.Background(), c2.Value, auth.KindWeb)
	if err != nil {
		t.Fatal(err)
	}
	rec := e.post(t, "/sessions/"+s2.Handle+"/revoke", nil, c1)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/sessions" {
		t.Fatalf("revoke: %d", rec.Code)
	}
	if rec := e.get(t, "/workspace", c2); rec.Code != http.StatusSeeOther {
		t.Fatal("revoked session still works")
	}
	if rec := e.get(t, "/workspace", c1); rec.Code != 200 {
		t.Fatal("revoking another session ended this one")
	}
}

func TestWebDuressLooksNormal(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAuthEnv(t, st, auth.Config{})
		ctx := context.Background()
		_, admin, err := e.svc.CreateFirstAdmin(ctx, "steward", webTestPassword, "cli")
		if err != nil {
			t.Fatal(err)
		}
		en := e.account(t, "aung-duress", auth.RoleCaseHandler)
		c := e.login(t, en, webTestPassword)
		const duressPw = "tea shop on the corner"
		rec := e.post(t, "/account/duress?lang=en", url.Values{"current": {webTestPassword}, "duress": {duressPw}, "confirm": {duressPw}}, c)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "The duress password is saved") {
			t.Fatalf("set duress: %d %s", rec.Code, rec.Body.String())
		}
		if bad := e.post(t, "/account/duress?lang=en", url.Values{"current": {webTestPassword}, "duress": {"password1"}, "confirm": {"password1"}}, c); bad.Code != 400 || !strings.Contains(bad.Body.String(), "too common") {
			t.Fatalf("common duress password: %d", bad.Code)
		}
		other := e.login(t, en, webTestPassword) // another device, signed in before the arrest
		normal := e.post(t, "/login", url.Values{"username": {en.Username}, "password": {webTestPassword}, "code": {e.code(t, en)}})
		duress := e.post(t, "/login", url.Values{"username": {en.Username}, "password": {duressPw}, "code": {e.code(t, en)}})
		if normal.Code != duress.Code || normal.Header().Get("Location") != duress.Header().Get("Location") || normal.Body.String() != duress.Body.String() {
			t.Fatalf("duress answer differs: %d %q vs %d %q", normal.Code, normal.Header().Get("Location"), duress.Code, duress.Header().Get("Location"))
		}
		for k := range normal.Header() {
			if k != "Set-Cookie" && normal.Header().Get(k) != duress.Header().Get(k) {
				t.Fatalf("header %s differs", k)
			}
		}
		nc, dc := sessionCookie(normal), sessionCookie(duress)
		if dc == nil || nc.Name != dc.Name || nc.Secure != dc.Secure || nc.HttpOnly != dc.HttpOnly || nc.SameSite != dc.SameSite || len(nc.Value) != len(dc.Value) {
			t.Fatalf("duress cookie differs: %+v vs %+v", nc, dc)
		}
		// The duress workspace is the same page, with nothing in it.
		dws := e.get(t, "/workspace?lang=en", dc)
		if dws.Code != 200 || !strings.Contains(dws.Body.String(), "aung-duress") {
			t.Fatalf("duress workspace: %d", dws.Code)
		}
		ds, err := e.svc.Authenticate(ctx, dc.Value, auth.KindWeb)
		if err != nil || len(ds.Keyring().Principals()) != 0 {
			t.Fatalf("duress keyring not empty: %v", err)
		}
		// Every other session ended, the normal one included.
		for _, old := range []*http.Cookie{c, other, nc} {
			if rec := e.get(t, "/workspace", old); rec.Code != http.StatusSeeOther {
				t.Fatal("another session survived the duress sign-in")
			}
		}
		// No further sign-in with the real password.
		rec = e.post(t, "/login", url.Values{"username": {en.Username}, "password": {webTestPassword}, "code": {e.code(t, en)}})
		if rec.Code != 200 || sessionCookie(rec) != nil {
			t.Fatalf("real password after duress: %d", rec.Code)
		}
		// The administrator sees the alert.
		ac := e.login(t, admin, webTestPassword)
		alerts := e.get(t, "/admin/alerts?lang=en", ac)
		if alerts.Code != 200 || !strings.Contains(alerts.Body.String(), "Duress sign-in") || !strings.Contains(alerts.Body.String(), "aung-duress") {
			t.Fatalf("alerts page: %d %s", alerts.Code, alerts.Body.String())
		}
		if e.count(t, "SELECT count(*) FROM audit_entries WHERE action = 'auth.duress'") != 1 {
			t.Fatal("duress not audited")
		}
		// A duress session is sent back to its empty workspace from any
		// route that is not duress-safe, such as reading cases.
		reached := false
		e.srv.staff("GET /test-cases", auth.PermCaseRead, func(w http.ResponseWriter, r *http.Request, sess *auth.Session) { reached = true })
		if rec := e.get(t, "/test-cases", dc); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/workspace" || reached {
			t.Fatalf("duress session on a case route: %d, reached %v", rec.Code, reached)
		}
		// A duress sign-in by an administrator shows no alerts.
		if err := e.svc.SetDuressFor(ctx, "steward", "blue door green window", "cli"); err != nil {
			t.Fatal(err)
		}
		adc := e.login(t, admin, "blue door green window")
		if page := e.get(t, "/admin/alerts?lang=en", adc); page.Code != 200 || !strings.Contains(page.Body.String(), "There are no alerts") {
			t.Fatalf("alerts in a duress session: %d", page.Code)
		}
	})
}

func TestWebLockdown(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAuthEnv(t, st, auth.Config{})
		ctx := context.Background()
		_, admin, err := e.svc.CreateFirstAdmin(ctx, "steward", webTestPassword, "cli")
		if err != nil {
			t.Fatal(err)
		}
		u := e.account(t, "volunteer", auth.RoleIntakeOfficer)
		uc := e.login(t, u, webTestPassword)
		us, _ := e.svc.Authenticate(ctx, uc.Value, auth.KindWeb)
		ac := e.login(t, admin, webTestPassword)
		as, _ := e.svc.Authenticate(ctx, ac.Value, auth.KindWeb)
		if len(as.Keyring().Principals()) != 1+len(auth.Teams()) {
			t.Fatalf("steward keyring holds %d keys", len(as.Keyring().Principals()))
		}
		if rec := e.post(t, "/admin/lockdown", nil, uc); rec.Code != http.StatusForbidden {
			t.Fatalf("lockdown by an intake officer: %d", rec.Code)
		}
		if rec := e.post(t, "/admin/lockdown?lang=en", nil, ac); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "Tick the box") {
			t.Fatalf("unconfirmed lockdown: %d", rec.Code)
		}
		rec := e.post(t, "/admin/lockdown", url.Values{"confirm": {"yes"}}, ac)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?notice=lockdown" || rec.Header().Get("Clear-Site-Data") == "" {
			t.Fatalf("lockdown: %d", rec.Code)
		}
		if e.count(t, "SELECT count(*) FROM auth_sessions") != 0 || e.svc.CachedSessions() != 0 {
			t.Fatal("sessions left after lockdown")
		}
		if len(us.Keyring().Principals()) != 0 || len(as.Keyring().Principals()) != 0 {
			t.Fatal("keys left in memory after lockdown")
		}
		for _, c := range []*http.Cookie{uc, ac} {
			if rec := e.get(t, "/workspace", c); rec.Code != http.StatusSeeOther {
				t.Fatal("a session survived lockdown")
			}
		}
		if e.count(t, "SELECT count(*) FROM audit_entries WHERE action = 'auth.denied'") != 1 {
			t.Fatal("the refused lockdown was not audited")
		}
	})
}

func TestWebAuthPagesTranslated(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	_, admin, err := e.svc.CreateFirstAdmin(context.Background(), "steward", webTestPassword, "cli")
	if err != nil {
		t.Fatal(err)
	}
	c := e.login(t, admin, webTestPassword)
	ids := regexp.MustCompile(`auth\.[a-z_]+\.[a-z_.]+`)
	for _, lang := range []string{"my", "en"} {
		for _, path := range []string{"/login", "/workspace", "/sessions", "/account/duress", "/admin/alerts"} {
			rec := e.get(t, path+"?lang="+lang, c)
			body := rec.Body.String()
			if rec.Code != 200 || !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Fatalf("%s %s: %d", lang, path, rec.Code)
			}
			if m := ids.FindString(body); m != "" {
				t.Errorf("%s %s: untranslated %s", lang, path, m)
			}
			if strings.Contains(body, "<script") {
				t.Errorf("%s %s carries a script", lang, path)
			}
		}
	}
}
