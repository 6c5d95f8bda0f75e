package api

import (
	"context"
	"embrace/internal/testtool"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/certs"
	"embrace/internal/intake"
	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

type apiEnv struct {
	intake *intake.Service
	st     *store.Store
	svc    *auth.Service
	mux    *http.ServeMux
	clock  *testtool.Clock
	certs  *certs.Service
}

const apiPassword = "seven quiet herons at dusk"

func newAPIEnv(t testing.TB, st *store.Store) *apiEnv {
	t.Helper()
	id, err := keys.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.CreatePrincipal(context.Background(), st.Writer(), keys.KindEscrow, keys.EscrowName, id.Recipient()); err != nil {
		t.Fatal(err)
	}
	id.Wipe()
	clk := testtool.NewClock(time.Date(2025, 9, 1, 6, 0, 0, 0, time.UTC))
	svc, err := auth.New(auth.Config{Store: st, Params: auth.CheapParams(), Now: clk.Now, MaxFailures: 1 << 20, ClientMaxFailures: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	in, err := intake.New(context.Background(), intake.Config{Store: st, Now: clk.Now, MinFill: 3 * time.Second,
		SubmitClient: intake.Rate{PerSecond: 1000, Burst: 1000}, ReceiptClient: intake.Rate{PerSecond: 1000, Burst: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	cs := certs.New(st, casework.New(st))
	New(Config{Store: st, Auth: svc, Intake: in, Certs: cs}).Mount(mux)
	return &apiEnv{st: st, svc: svc, mux: mux, clock: clk, intake: in, certs: cs}
}

func (e *apiEnv) account(t testing.TB, name string, roles ...auth.Role) auth.Enrolment {
	t.Helper()
	_, en, err := e.svc.CreateAccount(context.Background(), auth.NewAccount{Username: name, Password: apiPassword, Roles: roles}, nil, "cli")
	if err != nil {
		t.Fatal(err)
	}
	return en
}

func (e *apiEnv) code(t testing.TB, en auth.Enrolment) string {
	t.Helper()
	e.clock.Advance(auth.TOTPPeriod * time.Second)
	k, err := auth.TOTPCode(en.Secret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (e *apiEnv) do(t testing.TB, method, path, token, body string) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	return rec
}

func loginBody(user, pw, code string) string {
	b, _ := json.Marshal(map[string]string{"username": user, "password": pw, "totp": code})
	return string(b)
}

func (e *apiEnv) token(t testing.TB, en auth.Enrolment) string {
	t.Helper()
	rec := e.do(t, "POST", "/api/v1/session", "", loginBody(en.Username, apiPassword, e.code(t, en)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("sign in %s: %d %s", en.Username, rec.Code, rec.Body.String())
	}
	var out struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Token == "" {
		t.Fatalf("token: %s", rec.Body.String())
	}
	return out.Token
}

func errorCode(t testing.TB, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("not the error shape: %s", rec.Body.String())
	}
	return b.Error.Code
}

func TestAPISessionFlow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAPIEnv(t, st)
		en := e.account(t, "api-user", auth.RoleVettingOfficer)

		// A code from an independent implementation.
		e.code(t, en)
		k := testtool.Oathtool(t, en.Secret, e.clock.Now())
		body := loginBody("api-user", apiPassword, k)
		rec := e.do(t, "POST", "/api/v1/session", "", body)
		if rec.Code != http.StatusCreated {
			t.Fatalf("sign in: %d %s", rec.Code, rec.Body.String())
		}
		var tok struct{ Token string }
		json.Unmarshal(rec.Body.Bytes(), &tok)

		me := e.do(t, "GET", "/api/v1/me", tok.Token, "")
		var got meResponse
		if me.Code != 200 || json.Unmarshal(me.Body.Bytes(), &got) != nil || got.Username != "api-user" ||
			len(got.Roles) != 1 || got.Roles[0] != "vetting_officer" || got.Teams == nil {
			t.Fatalf("me: %d %s", me.Code, me.Body.String())
		}
		if strings.Contains(me.Body.String(), `"teams":null`) {
			t.Fatal("teams is null, not []")
		}

		// Replay, wrong password, unknown user: one answer.
		replay := e.do(t, "POST", "/api/v1/session", "", body)
		wrong := e.do(t, "POST", "/api/v1/session", "", loginBody("api-user", "not the password, no", e.code(t, en)))
		unknown := e.do(t, "POST", "/api/v1/session", "", loginBody("nobody", "not the password, no", e.code(t, en)))
		for _, r := range []*httptest.ResponseRecorder{replay, wrong, unknown} {
			if r.Code != http.StatusUnauthorized || r.Body.String() != wrong.Body.String() || errorCode(t, r) != "bad_credentials" {
				t.Fatalf("refusal: %d %s", r.Code, r.Body.String())
			}
		}
		if r := e.do(t, "POST", "/api/v1/session", "", loginBody("api-user", strings.Repeat("p", 257), "123456")); r.Code != 400 || errorCode(t, r) != "password_too_long" {
			t.Fatalf("oversized password: %d", r.Code)
		}
		if r := e.do(t, "POST", "/api/v1/session", "", `{"username":"api-user","password":"x","totp":"1","extra":1}`); r.Code != 400 {
			t.Fatalf("unknown field: %d", r.Code)
		}

		// Forged and missing tokens.
		for _, h := range []string{"", "Bearer", "Bearer " + strings.Repeat("A", 43), "Basic " + tok.Token, "Bearer " + tok.Token[:42] + "x"} {
			req := httptest.NewRequest("GET", "/api/v1/me", nil)
			if h != "" {
				req.Header.Set("Authorization", h)
			}
			rr := httptest.NewRecorder()
			e.mux.ServeHTTP(rr, req)
			if rr.Code != http.StatusUnauthorized || !strings.HasPrefix(rr.Header().Get("WWW-Authenticate"), "Bearer") || errorCode(t, rr) != "unauthorized" {
				t.Fatalf("Authorization %q: %d", h, rr.Code)
			}
		}
		// A browser session's token is not an API token.
		_, webTok, err := e.svc.Login(context.Background(), auth.LoginRequest{Username: "api-user", Password: apiPassword, Code: e.code(t, en), Kind: auth.KindWeb})
		if err != nil {
			t.Fatal(err)
		}
		if r := e.do(t, "GET", "/api/v1/me", webTok, ""); r.Code != http.StatusUnauthorized {
			t.Fatalf("web session as bearer: %d", r.Code)
		}

		// Logout.
		if r := e.do(t, "DELETE", "/api/v1/session", tok.Token, ""); r.Code != http.StatusNoContent {
			t.Fatalf("delete session: %d", r.Code)
		}
		if r := e.do(t, "GET", "/api/v1/me", tok.Token, ""); r.Code != http.StatusUnauthorized {
			t.Fatalf("token after delete: %d", r.Code)
		}
		// Expiry.
		t2 := e.token(t, en)
		e.clock.Advance(31 * time.Minute)
		if r := e.do(t, "GET", "/api/v1/me", t2, ""); r.Code != http.StatusUnauthorized {
			t.Fatalf("idle token: %d", r.Code)
		}
	})
}

func TestAPILockdownAndDuress(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAPIEnv(t, st)
		ctx := context.Background()
		_, admin, err := e.svc.CreateFirstAdmin(ctx, "steward", apiPassword, "cli")
		if err != nil {
			t.Fatal(err)
		}
		u := e.account(t, "field", auth.RoleCaseHandler)
		ut := e.token(t, u)
		at := e.token(t, admin)
		us, _ := e.svc.Authenticate(ctx, ut, auth.KindAPI)
		if r := e.do(t, "POST", "/api/v1/lockdown", ut, ""); r.Code != http.StatusForbidden || errorCode(t, r) != "forbidden" {
			t.Fatalf("lockdown by a case handler: %d", r.Code)
		}
		r := e.do(t, "POST", "/api/v1/lockdown", at, "")
		if r.Code != 200 || !strings.Contains(r.Body.String(), `"sessions_ended":2`) {
			t.Fatalf("lockdown: %d %s", r.Code, r.Body.String())
		}
		if len(us.Keyring().Principals()) != 0 || e.svc.CachedSessions() != 0 {
			t.Fatal("keys left after lockdown")
		}
		for _, tok := range []string{ut, at} {
			if r := e.do(t, "GET", "/api/v1/me", tok, ""); r.Code != http.StatusUnauthorized {
				t.Fatal("token survived lockdown")
			}
		}

		// Duress over the API: a token like any other, with no keys.
		if err := e.svc.SetDuressFor(ctx, "field", "a red umbrella in june", "cli"); err != nil {
			t.Fatal(err)
		}
		normal := e.do(t, "POST", "/api/v1/session", "", loginBody("field", apiPassword, e.code(t, u)))
		duress := e.do(t, "POST", "/api/v1/session", "", loginBody("field", "a red umbrella in june", e.code(t, u)))
		if normal.Code != duress.Code || len(normal.Body.String()) != len(duress.Body.String()) {
			t.Fatalf("duress answer differs: %d %s / %d %s", normal.Code, normal.Body.String(), duress.Code, duress.Body.String())
		}
		var dt struct{ Token string }
		json.Unmarshal(duress.Body.Bytes(), &dt)
		if me := e.do(t, "GET", "/api/v1/me", dt.Token, ""); me.Code != 200 || !strings.Contains(me.Body.String(), `"username":"field"`) {
			t.Fatalf("duress me: %d", me.Code)
		}
		ds, err := e.svc.Authenticate(ctx, dt.Token, auth.KindAPI)
		if err != nil || !ds.Duress || len(ds.Keyring().Principals()) != 0 {
			t.Fatal("duress token has keys")
		}
	})
}

// TestAPIAuthorizationMatrix reads every operation of openapi.json: one
// without security must be public on purpose; every other must name a
// known x-permission, refuse a missing token with 401, refuse every role
// that lacks the permission with 403 and serve every role that has it.
func TestAPIAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	public := map[string]bool{"GET /api/v1/openapi.json": true, "POST /api/v1/session": true,
		"GET /api/v1/intake/token": true, "POST /api/v1/intake": true, "GET /api/v1/intake/thread": true,
		"GET /api/v1/stats/public": true, "POST /api/v1/intake/thread": true,
		// Certificates: anyone may verify, and fetch the keys and the
		// revocation list to verify offline (rate limited per client).
		"POST /api/v1/certificates/verify": true, "GET /api/v1/certificates/keys": true,
		"GET /api/v1/certificates/revocations": true}
	var doc struct {
		Paths map[string]map[string]struct {
			Security   *[]map[string][]string `json:"security"`
			Permission string                 `json:"x-permission"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAPIEnv(t, st)
	users := map[auth.Role]auth.Enrolment{}
	for _, r := range auth.Roles() {
		users[r] = e.account(t, "as-"+strings.ReplaceAll(string(r), "_", "-"), r)
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			route := strings.ToUpper(method) + " /api/v1" + path
			if op.Security != nil && len(*op.Security) == 0 {
				if !public[route] {
					t.Errorf("%s is public (security: []) but not on the reviewed public list", route)
				}
				continue
			}
			perm := auth.Permission(op.Permission)
			if !auth.KnownPermission(perm) {
				t.Errorf("%s has no known x-permission (%q)", route, op.Permission)
				continue
			}
			if r := e.do(t, strings.ToUpper(method), "/api/v1"+path, "", ""); r.Code != http.StatusUnauthorized {
				t.Errorf("%s without a token: %d", route, r.Code)
			}
			for _, role := range auth.Roles() {
				tok := e.token(t, users[role])
				r := e.do(t, strings.ToUpper(method), "/api/v1"+path, tok, "")
				if auth.Can([]auth.Role{role}, perm) {
					if r.Code == http.StatusUnauthorized || r.Code == http.StatusForbidden || r.Code >= 500 {
						t.Errorf("%s as %s: %d, want it served", route, role, r.Code)
					}
				} else if r.Code != http.StatusForbidden {
					t.Errorf("%s as %s: %d, want 403", route, role, r.Code)
				}
			}
		}
	}
}

func FuzzBearerHeader(f *testing.F) {
	for _, s := range []string{"Bearer x", "bearer " + strings.Repeat("A", 43), "", "Bearer \x00", "Bearer  a  b", "Negotiate abc"} {
		f.Add(s)
	}
	st := storetest.New(f, storetest.Targets(f)[0])
	e := newAPIEnv(f, st)
	f.Fuzz(func(t *testing.T, h string) {
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.Header["Authorization"] = []string{h}
		rec := httptest.NewRecorder()
		e.mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("Authorization %q: %d", h, rec.Code)
		}
	})
}
