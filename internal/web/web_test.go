package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func newTestServer(t *testing.T, logs *bytes.Buffer) *Server {
	t.Helper()
	s := storetest.New(t, storetest.Target{Engine: store.SQLite, Dir: filepath.Join(t.TempDir(), "d")})
	var logger *slog.Logger
	if logs != nil {
		logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	srv, err := New(Config{Store: s, Version: "test", Demo: true, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func get(t *testing.T, h http.Handler, target string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	h := newTestServer(t, nil).Handler()
	for _, path := range []string{"/", "/healthz", "/nope", "/static/style.css", "/api/v1/x"} {
		rec := get(t, h, path)
		hd := rec.Header()
		want := map[string]string{
			"Cache-Control":          "no-store",
			"Referrer-Policy":        "no-referrer",
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
		}
		if path == "/static/style.css" {
			want["Cache-Control"] = "public, max-age=86400"
		}
		for k, v := range want {
			if hd.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", path, k, hd.Get(k), v)
			}
		}
		csp := hd.Get("Content-Security-Policy")
		for _, part := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, part) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, part)
			}
		}
		if strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP allows script or unsafe sources: %q", path, csp)
		}
	}
}

func TestHomeInBothLanguages(t *testing.T) {
	t.Parallel()
	h := newTestServer(t, nil).Handler()
	my := get(t, h, "/")
	if my.Code != 200 || !strings.Contains(my.Body.String(), `<html lang="my">`) || !strings.Contains(my.Body.String(), "ပွေ့ဖက်") {
		t.Fatalf("default page is not Burmese: %d %s", my.Code, my.Body.String())
	}
	en := get(t, h, "/?lang=en")
	body := en.Body.String()
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Staff sign-in") {
		t.Fatalf("?lang=en page is not English: %s", body)
	}
	if !strings.Contains(body, "Demo data") {
		t.Error("demo banner missing")
	}
	var langCookie *http.Cookie
	for _, c := range en.Result().Cookies() {
		if c.Name == "lang" {
			langCookie = c
		}
	}
	if langCookie == nil || langCookie.Value != "en" || !langCookie.HttpOnly {
		t.Fatalf("language choice not remembered: %+v", langCookie)
	}
	again := get(t, h, "/", langCookie)
	if !strings.Contains(again.Body.String(), `<html lang="en">`) {
		t.Fatal("remembered language not used")
	}
	if bad := get(t, h, "/?lang=fr"); !strings.Contains(bad.Body.String(), `<html lang="my">`) {
		t.Fatal("unknown language not ignored")
	}
	for _, body := range []string{my.Body.String(), body} {
		if strings.Contains(body, "<script") {
			t.Fatal("page carries a script")
		}
	}
}

func TestNoUntranslatedMessageIDs(t *testing.T) {
	t.Parallel()
	h := newTestServer(t, nil).Handler()
	for _, lang := range []string{"my", "en"} {
		for _, path := range []string{"/", "/nope"} {
			body := get(t, h, path+"?lang="+lang).Body.String()
			for _, prefix := range []string{"home.", "error.", "site.", "demo."} {
				if strings.Contains(body, ">"+prefix) || strings.Contains(body, " "+prefix) {
					t.Errorf("%s %s: untranslated id with prefix %q", lang, path, prefix)
				}
			}
		}
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	rec := get(t, newTestServer(t, nil).Handler(), "/healthz")
	var got map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 200 || got["status"] != "ok" || got["store"] != "sqlite" || got["version"] != "test" {
		t.Fatalf("healthz = %d %v", rec.Code, got)
	}
}

func TestNotFoundPage(t *testing.T) {
	t.Parallel()
	rec := get(t, newTestServer(t, nil).Handler(), "/no/such/page?lang=en")
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), "There is no page at this address") {
		t.Fatalf("404 page: %d %s", rec.Code, rec.Body.String())
	}
}

func TestPanicBecomesPlain500AndLogsNoDetail(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	srv := newTestServer(t, &logs)
	srv.mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) {
		panic("secret-detail-Aung-Kyaw")
	})
	rec := get(t, srv.Handler(), "/boom?lang=en")
	if rec.Code != 500 {
		t.Fatalf("status %d", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "secret-detail") || strings.Contains(logs.String(), "secret-detail") {
		t.Fatal("panic value leaked")
	}
	if !strings.Contains(rec.Body.String(), "Nothing you sent was kept") {
		t.Fatalf("500 page: %s", rec.Body.String())
	}
}

func TestAccessLogHasNoQueryPathOrAddress(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := newTestServer(t, &logs).Handler()
	req := httptest.NewRequest("GET", "/cases-Zaw-Min-42?name=Aung-Myo&lang=en", nil)
	req.RemoteAddr = "203.0.113.77:5555"
	req.Header.Set("X-Forwarded-For", "198.51.100.9")
	h.ServeHTTP(httptest.NewRecorder(), req)
	out := logs.String()
	for _, leak := range []string{"Aung-Myo", "Zaw-Min", "203.0.113.77", "198.51.100.9", "lang=en"} {
		if strings.Contains(out, leak) {
			t.Errorf("access log holds %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, "status=404") {
		t.Errorf("access log lacks the request: %s", out)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, nil)
	called := false
	srv.mux.HandleFunc("POST /act", func(w http.ResponseWriter, r *http.Request) { called = true })
	req := httptest.NewRequest("POST", "/act", strings.NewReader("a=b"))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || called {
		t.Fatalf("cross-site POST: status %d, handler called %v", rec.Code, called)
	}
	req = httptest.NewRequest("POST", "/act", strings.NewReader("a=b"))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	srv.Handler().ServeHTTP(httptest.NewRecorder(), req)
	if !called {
		t.Fatal("same-origin POST refused")
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, nil)
	var readErr error
	srv.handleLimit("POST /small", 10, func(w http.ResponseWriter, r *http.Request) {
		_, readErr = r.Body.Read(make([]byte, 100))
		if readErr == nil {
			_, readErr = r.Body.Read(make([]byte, 100))
		}
	})
	req := httptest.NewRequest("POST", "/small", strings.NewReader(strings.Repeat("x", 100)))
	srv.Handler().ServeHTTP(httptest.NewRecorder(), req)
	var mbe *http.MaxBytesError
	if readErr == nil || !asMaxBytes(readErr, &mbe) {
		t.Fatalf("oversized body read without error: %v", readErr)
	}
}

func asMaxBytes(err error, target **http.MaxBytesError) bool {
	e, ok := err.(*http.MaxBytesError)
	if ok {
		*target = e
	}
	return ok
}

func TestLocalDigits(t *testing.T) {
	t.Parallel()
	if got := localDigits("my", 2021); got != "၂၀၂၁" {
		t.Errorf("Burmese digits: %q", got)
	}
	if got := localDigits("en", 2021); got != "2021" {
		t.Errorf("Latin digits: %q", got)
	}
}
