package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"embrace/internal/api"
	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/certs"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
	"embrace/internal/web"
)

// TestCertificateEndToEnd is the issue's "done when": a certificate is
// issued, verified by the public page, by the CLI offline (files only) and
// by an independent JOSE library, then revoked and shown as revoked by the
// page, the API and the CLI with the signed revocation list.
func TestCertificateEndToEnd(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := caseworktest.New(t, s)
		in := w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
		vet := w.Staff(t, "vetter1", []auth.Role{auth.RoleVettingOfficer}, "vetting")
		h := w.Staff(t, "handler1", []auth.Role{auth.RoleCaseHandler}, "casework")
		off := w.Staff(t, "certifier1", []auth.Role{auth.RoleCertifyingOfficer}, "certification")
		id := w.OpenCase(t, caseworktest.Case())
		w.Move(t, id, []string{casework.StateScreening, casework.StateVetting, casework.StateVerified}, in, vet)

		svc := certs.New(s, w.CW)
		a := api.New(api.Config{Store: s, Cases: w.CW, Certs: svc})
		srv, err := web.New(web.Config{Store: s, Version: "test", API: a, Cases: w.CW, Certs: svc})
		if err != nil {
			t.Fatal(err)
		}
		hh := srv.Handler()
		do := func(method, path, ctype, body string) *httptest.ResponseRecorder {
			t.Helper()
			req := httptest.NewRequest(method, "https://embrace.test"+path, strings.NewReader(body))
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			rec := httptest.NewRecorder()
			hh.ServeHTTP(rec, req)
			return rec
		}
		page := func(token string) string {
			t.Helper()
			r := do("POST", "/verify", "application/x-www-form-urlencoded", url.Values{"token": {token}}.Encode())
			if r.Code != http.StatusOK {
				t.Fatalf("verify page: %d", r.Code)
			}
			return r.Body.String()
		}
		apiVerify := func(token string) string {
			t.Helper()
			b, _ := json.Marshal(map[string]string{"token": token})
			r := do("POST", "/api/v1/certificates/verify", "application/json", string(b))
			var v struct{ Status string }
			if r.Code != http.StatusOK || json.Unmarshal(r.Body.Bytes(), &v) != nil {
				t.Fatalf("verify API: %d %s", r.Code, r.Body.String())
			}
			return v.Status
		}
		dir := t.TempDir()
		fetch := func(path, name string) string {
			t.Helper()
			r := do("GET", path, "", "")
			if r.Code != http.StatusOK {
				t.Fatalf("%s: %d", path, r.Code)
			}
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, r.Body.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}

		// Issued.
		ref, err := svc.Request(ctx, h.Actor, h.Ring, id, certs.RequestInput{Joined: "2021-05-01", Public: []string{certs.ClaimNameMy, certs.ClaimNameEn, certs.ClaimService}})
		if err != nil {
			t.Fatal(err)
		}
		token, err := svc.Issue(ctx, off.Actor, off.Ring, ref.ID)
		if err != nil {
			t.Fatal(err)
		}

		// Verified by the public page (Burmese by default: "valid").
		if p := page(token); !strings.Contains(p, "မှန်ကန်သည်") || !strings.Contains(p, ref.Number) || !strings.Contains(p, "Aung Myo Zaw") || strings.Contains(p, "2021-05-01") {
			t.Fatal("the public page does not show the certificate as valid with its public claims only")
		}
		if st := apiVerify(token); st != "valid" {
			t.Fatalf("API: %s", st)
		}

		// Verified by the CLI offline, from files fetched once.
		keysFile := fetch("/api/v1/certificates/keys", "keys.json")
		tokFile := filepath.Join(dir, "cert.jws")
		os.WriteFile(tokFile, []byte(token), 0o600)
		if code, out, errs := run(t, "", "cert", "verify", "-keys", keysFile, tokFile); code != 0 || !strings.Contains(out, "status: valid") {
			t.Fatalf("CLI: exit %d\n%s%s", code, out, errs)
		}

		// Verified by an independent JOSE library, from the same key file.
		raw, _ := os.ReadFile(keysFile)
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(raw, &set); err != nil {
			t.Fatal(err)
		}
		sig, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA})
		if err != nil {
			t.Fatal(err)
		}
		ks := set.Key(sig.Signatures[0].Header.KeyID)
		if len(ks) != 1 {
			t.Fatal("go-jose finds no key for the token's kid")
		}
		if _, err := sig.Verify(ks[0]); err != nil {
			t.Fatalf("go-jose: %v", err)
		}

		// Revoked, and shown as revoked everywhere.
		if err := svc.Revoke(ctx, off.Actor, off.Ring, ref.ID, "holder_request", ""); err != nil {
			t.Fatal(err)
		}
		if p := page(token); !strings.Contains(p, "ပယ်ဖျက်ထားသည်") {
			t.Fatal("the public page does not show the revocation")
		}
		if st := apiVerify(token); st != "revoked" {
			t.Fatalf("API after revocation: %s", st)
		}
		rlFile := fetch("/api/v1/certificates/revocations", "revocations.jws")
		if code, out, _ := run(t, "", "cert", "verify", "-keys", keysFile, "-revocations", rlFile, tokFile); code != 1 || !strings.Contains(out, "status: revoked on ") {
			t.Fatalf("CLI after revocation: exit %d\n%s", code, out)
		}
	})
}
