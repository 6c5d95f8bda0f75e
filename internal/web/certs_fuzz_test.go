package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/certs"
	"embrace/internal/store/storetest"
)

// FuzzVerifyPage: any body posted to the public verification page gets a
// page (never a 500), and nothing posted is echoed back.
func FuzzVerifyPage(f *testing.F) {
	f.Add("token=eyJhbGciOiJFZERTQSJ9.e30.AA")
	f.Add("token=")
	f.Add("token=a.b.c&token=d.e.f")
	f.Add("%zz")
	f.Add("token=" + strings.Repeat("A", certs.MaxToken+10))
	st := storetest.New(f, storetest.Targets(f)[0])
	e := newAuthEnv(f, st, auth.Config{})
	e.srv.cfg.Certs.SetRates(certs.Rate{Every: time.Nanosecond, Burst: 1 << 30}, certs.Rate{Every: time.Nanosecond, Burst: 1 << 30})
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "https://embrace.test/verify", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusRequestEntityTooLarge && rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d", rec.Code)
		}
		if len(body) >= 12 && strings.Contains(rec.Body.String(), body) {
			t.Fatal("the posted body is echoed")
		}
	})
}
