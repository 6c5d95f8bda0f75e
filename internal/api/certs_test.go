package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/certs"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// TestAPICertificates: request, issue, verify publicly, revoke, verify
// again, with the signed revocation list checked offline; bad input is
// refused and changes nothing.
func TestAPICertificates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAPIEnv(t, st)
		intake := e.member(t, "intake-one", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake)
		vetter, vetter2 := e.pair(t, "vetter-one", "vetter-two", []auth.Role{auth.RoleVettingOfficer}, auth.TeamVetting)
		handler := e.member(t, "casework-one", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework)
		officer := e.member(t, "certifier-one", []auth.Role{auth.RoleCertifyingOfficer}, auth.TeamCertification)

		rec := e.do(t, "POST", "/api/v1/cases", intake, newCaseBody)
		if rec.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
		}
		c := decode[caseJSON](t, rec)
		base := "/api/v1/cases/" + itoa(c.ID)
		caseBody := `{"case_id":` + itoa(c.ID) + `,"joined":"2021-06-01","public":["name_en","service"]}`
		if r := e.do(t, "POST", "/api/v1/certificates", handler, caseBody); r.Code != http.StatusNotFound {
			t.Fatalf("request before the handler holds the case: %d %s", r.Code, r.Body.String())
		}
		for _, s := range []struct{ tok, to string }{{intake, "screening"}, {intake, "vetting"}} {
			if r := e.do(t, "POST", base+"/transitions", s.tok, `{"to":"`+s.to+`","reason":"step"}`); r.Code != http.StatusOK {
				t.Fatalf("to %s: %d %s", s.to, r.Code, r.Body.String())
			}
		}
		verifyByTwo(t, e, c.ID, vetter, vetter2)
		count := func() int {
			var n int
			if err := st.DB().QueryRow("SELECT COUNT(*) FROM certificates").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, tc := range []struct{ body, code string }{
			{`{"case_id":0}`, "invalid"},
			{`{"case_id":` + itoa(c.ID) + `,"public":["nrc"]}`, "invalid"},
			{`{"case_id":` + itoa(c.ID) + `,"joined":"yesterday"}`, "invalid"},
			{`{"case_id":` + itoa(c.ID) + `,"extra":1}`, "bad_json"},
			{`{"case_id":99999}`, "not_found"},
		} {
			if r := e.do(t, "POST", "/api/v1/certificates", handler, tc.body); errorCode(t, r) != tc.code {
				t.Errorf("%s: %d %s", tc.body, r.Code, r.Body.String())
			}
		}
		if count() != 0 {
			t.Fatal("refused requests stored something")
		}
		rec = e.do(t, "POST", "/api/v1/certificates", handler, caseBody)
		if rec.Code != http.StatusCreated {
			t.Fatalf("request: %d %s", rec.Code, rec.Body.String())
		}
		ref := decode[struct {
			ID     int64
			Number string
		}](t, rec)
		cb := "/api/v1/certificates/" + itoa(ref.ID)
		if r := e.do(t, "GET", "/api/v1/certificates?state=requested", officer, ""); r.Code != http.StatusOK || !strings.Contains(r.Body.String(), ref.Number) {
			t.Fatalf("list: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "GET", "/api/v1/certificates?state=lost", officer, ""); r.Code != http.StatusBadRequest {
			t.Fatalf("bad state: %d", r.Code)
		}
		if r := e.do(t, "GET", cb, officer, ""); r.Code != http.StatusOK || !strings.Contains(r.Body.String(), "Aung Myo Zaw") {
			t.Fatalf("get: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", cb+"/issue", handler, ""); r.Code != http.StatusForbidden {
			t.Fatalf("handler issues: %d", r.Code)
		}
		rec = e.do(t, "POST", cb+"/issue", officer, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("issue: %d %s", rec.Code, rec.Body.String())
		}
		token := decode[struct{ Token string }](t, rec).Token
		if r := e.do(t, "POST", cb+"/issue", officer, ""); errorCode(t, r) != "wrong_state" {
			t.Fatalf("issue twice: %d %s", r.Code, r.Body.String())
		}

		verify := func(tok string) verdictJSON {
			t.Helper()
			b, _ := json.Marshal(map[string]string{"token": tok})
			r := e.do(t, "POST", "/api/v1/certificates/verify", "", string(b))
			if r.Code != http.StatusOK {
				t.Fatalf("verify: %d %s", r.Code, r.Body.String())
			}
			if strings.Contains(r.Body.String(), "အောင်") {
				t.Fatal("a private claim in the verification answer")
			}
			return decode[verdictJSON](t, r)
		}
		v := verify(token)
		if v.Status != "valid" || v.Certificate == nil || v.Certificate.Number != ref.Number || v.Certificate.Claims.NameEn != "Aung Myo Zaw" {
			t.Fatalf("verify: %+v", v)
		}
		for _, bad := range []string{"", "a.b.c", token[:len(token)-2], strings.Replace(token, ".", "..", 1)} {
			if v := verify(bad); v.Status != "invalid" || v.Certificate != nil {
				t.Fatalf("bad token %q: %+v", bad, v)
			}
		}
		if r := e.do(t, "POST", "/api/v1/certificates/verify", "", `{"token":"`+strings.Repeat("a", certs.MaxToken+2000)+`"}`); r.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("huge body: %d", r.Code)
		}
		if r := e.do(t, "POST", "/api/v1/certificates/verify", "", `{"jws":"x"}`); r.Code != http.StatusBadRequest {
			t.Fatalf("wrong field: %d", r.Code)
		}

		keysRec := e.do(t, "GET", "/api/v1/certificates/keys", "", "")
		if keysRec.Code != http.StatusOK || keysRec.Header().Get("Content-Type") != "application/jwk-set+json" {
			t.Fatalf("keys: %d %s", keysRec.Code, keysRec.Header())
		}
		ks, err := certs.ParseJWKS(keysRec.Body.Bytes())
		if err != nil {
			t.Fatal(err)
		}

		for _, tc := range []struct{ body, code string }{
			{`{"reason":"because"}`, "invalid"},
			{`{"reason":"safety","note":"` + strings.Repeat("n", 2001) + `"}`, "invalid"},
			{`{}`, "invalid"},
		} {
			if r := e.do(t, "POST", cb+"/revoke", officer, tc.body); errorCode(t, r) != tc.code {
				t.Errorf("revoke %s: %d %s", tc.body, r.Code, r.Body.String())
			}
		}
		if v := verify(token); v.Status != "valid" {
			t.Fatal("a refused revocation revoked")
		}
		if r := e.do(t, "POST", cb+"/revoke", officer, `{"reason":"safety","note":"the holder asked"}`); r.Code != http.StatusOK {
			t.Fatalf("revoke: %d %s", r.Code, r.Body.String())
		}
		v = verify(token)
		if v.Status != "revoked" || v.Revoked == nil || v.Revoked.Reason != "safety" || v.Revoked.Day == "" {
			t.Fatalf("after revocation: %+v", v)
		}
		rl := e.do(t, "GET", "/api/v1/certificates/revocations", "", "")
		if rl.Code != http.StatusOK {
			t.Fatalf("revocations: %d", rl.Code)
		}
		list, err := certs.VerifyRevocations(rl.Body.String(), ks)
		if err != nil {
			t.Fatal(err)
		}
		if off := certs.VerifyOffline(token, ks, list); off.Status != certs.StatusRevoked {
			t.Fatalf("offline: %+v", off)
		}
		rec = e.do(t, "POST", "/api/v1/certificates", handler, caseBody)
		ref2 := decode[struct{ ID int64 }](t, rec)
		cb2 := "/api/v1/certificates/" + itoa(ref2.ID)
		if r := e.do(t, "POST", cb2+"/decline", officer, `{"note":"`+strings.Repeat("n", 2001)+`"}`); errorCode(t, r) != "invalid" {
			t.Fatalf("decline with a long note: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", cb2+"/decline", officer, `{"note":"not enough evidence"}`); r.Code != http.StatusOK || !strings.Contains(r.Body.String(), `"declined"`) {
			t.Fatalf("decline: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", cb2+"/issue", officer, ""); errorCode(t, r) != "wrong_state" {
			t.Fatalf("issue a declined request: %d", r.Code)
		}
		if r := e.do(t, "POST", "/api/v1/certificates/keys/rotate", officer, ""); r.Code != http.StatusCreated {
			t.Fatalf("rotate: %d %s", r.Code, r.Body.String())
		}
		if r := e.do(t, "POST", "/api/v1/certificates/999/issue", officer, ""); r.Code != http.StatusNotFound {
			t.Fatalf("missing: %d", r.Code)
		}
	})
}

func TestAPICertificatesRateLimit(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAPIEnv(t, st)
	limited := 0
	for range certs.DefaultClientRate.Burst + 5 {
		if r := e.do(t, "GET", "/api/v1/certificates/keys", "", ""); r.Code == http.StatusTooManyRequests {
			if r.Header().Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("no request was limited")
	}
}
