package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store/storetest"
)

// FuzzLoginForm posts arbitrary bodies to /login: whatever arrives, the
// answer is a well-formed refusal or a sign-in, never a crash or a 500.
func FuzzLoginForm(f *testing.F) {
	for _, s := range []string{
		"username=a&password=b&code=123456",
		"username=%ff%fe&password=" + strings.Repeat("x", 300) + "&code=",
		"username=admin&username=root&password=&code=ABCD-EFGH-IJKL-MNOP",
		"%zz=%",
		"username=" + strings.Repeat("ဖ", 100) + "&password=\x00&code=-----",
		";;;&&&===",
	} {
		f.Add(s, "https")
		f.Add(s, "http")
	}
	st := storetest.New(f, storetest.Targets(f)[0])
	e := newAuthEnv(f, st, auth.Config{})
	e.account(f, "fuzzed", auth.RoleAnalyst)
	f.Fuzz(func(t *testing.T, body, scheme string) {
		if scheme != "http" {
			scheme = "https"
		}
		req := httptest.NewRequest("POST", scheme+"://embrace.test/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusSeeOther, http.StatusBadRequest, http.StatusForbidden,
			http.StatusRequestEntityTooLarge, http.StatusTooManyRequests, http.StatusServiceUnavailable:
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
	})
}

// FuzzSessionCookie presents arbitrary cookie values to a staff page: none
// may get past the sign-in check.
func FuzzSessionCookie(f *testing.F) {
	for _, s := range []string{"", "x", strings.Repeat("A", 43), strings.Repeat("_", 43) + "=", "\x00\xff"} {
		f.Add(s)
	}
	st := storetest.New(f, storetest.Targets(f)[0])
	e := newAuthEnv(f, st, auth.Config{})
	f.Fuzz(func(t *testing.T, v string) {
		req := httptest.NewRequest("GET", "https://embrace.test/workspace", nil)
		req.Header.Set("Cookie", cookieSecureName+"="+v)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("cookie %q: status %d", v, rec.Code)
		}
	})
}
