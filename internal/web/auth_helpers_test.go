package web

import (
	"context"
	"embrace/internal/testtool"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/certs"
	"embrace/internal/finance"
	"embrace/internal/intake"
	"embrace/internal/keys"
	"embrace/internal/passage"
	"embrace/internal/shelter"
	"embrace/internal/store"
)

// authEnv is a web server with an auth service on a deployment that has an
// escrow principal, as init leaves it.
type authEnv struct {
	st    *store.Store
	svc   *auth.Service
	srv   *Server
	h     http.Handler
	clock *testtool.Clock
}

const webTestPassword = "purple monsoon lantern bridge"

func newAuthEnv(t testing.TB, st *store.Store, cfg auth.Config) *authEnv {
	t.Helper()
	id, err := keys.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.CreatePrincipal(context.Background(), st.Writer(), keys.KindEscrow, keys.EscrowName, id.Recipient()); err != nil {
		t.Fatal(err)
	}
	id.Wipe()
	clk := testtool.NewClock(time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC))
	cfg.Store, cfg.Now = st, clk.Now
	if cfg.Params == (auth.Params{}) {
		cfg.Params = auth.CheapParams()
	}
	svc, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	in, err := intake.New(context.Background(), intake.Config{Store: st, Now: clk.Now, MinFill: 3 * time.Second,
		SubmitClient: intake.Rate{PerSecond: 1000, Burst: 1000}, SubmitGlobal: intake.Rate{PerSecond: 1000, Burst: 1000},
		ReceiptClient: intake.Rate{PerSecond: 1000, Burst: 1000}, ReceiptGlobal: intake.Rate{PerSecond: 1000, Burst: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	cw := casework.New(st)
	srv, err := New(Config{Store: st, Version: "test", Auth: svc, Intake: in, Cases: cw,
		Shelter: shelter.New(st, cw, nil), Passage: passage.New(st, cw, clk.Now), Finance: finance.New(st, clk.Now),
		Certs: certs.New(st, cw)})
	if err != nil {
		t.Fatal(err)
	}
	return &authEnv{st: st, svc: svc, srv: srv, h: srv.Handler(), clock: clk}
}

// account creates an account with roles and returns its enrolment.
func (e *authEnv) account(t testing.TB, name string, roles ...auth.Role) auth.Enrolment {
	t.Helper()
	_, en, err := e.svc.CreateAccount(context.Background(), auth.NewAccount{Username: name, Password: webTestPassword, Roles: roles}, nil, "cli")
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return en
}

// code moves the clock to a fresh TOTP step and returns its code.
func (e *authEnv) code(t testing.TB, en auth.Enrolment) string {
	t.Helper()
	e.clock.Advance(auth.TOTPPeriod * time.Second)
	k, err := auth.TOTPCode(en.Secret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// post sends a form over HTTPS (so the __Host- cookie applies).
func (e *authEnv) post(t testing.TB, path string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", "https://embrace.test"+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func (e *authEnv) get(t testing.TB, path string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", "https://embrace.test"+path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// login signs in through the web form and returns the session cookie.
func (e *authEnv) login(t testing.TB, en auth.Enrolment, password string) *http.Cookie {
	t.Helper()
	rec := e.post(t, "/login", url.Values{"username": {en.Username}, "password": {password}, "code": {e.code(t, en)}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/workspace" {
		t.Fatalf("login %s: %d %s", en.Username, rec.Code, rec.Body.String())
	}
	c := sessionCookie(rec)
	if c == nil {
		t.Fatalf("login %s: no cookie", en.Username)
	}
	return c
}

func sessionCookie(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == cookieSecureName || c.Name == cookieLocalName {
			return c
		}
	}
	return nil
}

func (e *authEnv) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.st.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
