package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/certs"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// TestCertVerifyOffline issues a certificate, then checks it through the
// real entry point with nothing but files: valid; revoked once the new
// revocation list is given; not valid when altered or under other keys.
func TestCertVerifyOffline(t *testing.T) {
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
		ref, err := svc.Request(ctx, h.Actor, h.Ring, id, certs.RequestInput{Public: []string{certs.ClaimNameEn, certs.ClaimService}})
		if err != nil {
			t.Fatal(err)
		}
		token, err := svc.Issue(ctx, off.Actor, off.Ring, ref.ID)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		write := func(name, content string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
		jwks, _ := svc.JWKS(ctx)
		raw, _ := json.Marshal(jwks)
		keysFile := write("keys.json", string(raw))
		rl0, _ := svc.Revocations(ctx)
		rl0File := write("rl0.jws", rl0)
		tokFile := write("cert.jws", token+"\n")

		code, out, errs := run(t, "", "cert", "verify", "-keys", keysFile, token)
		if code != 0 || !strings.Contains(out, "status: valid") || !strings.Contains(out, "name_en: Aung Myo Zaw") ||
			!strings.Contains(out, "number: "+ref.Number) || strings.Contains(out, "name_my") {
			t.Fatalf("valid: exit %d\n%s%s", code, out, errs)
		}
		if code, out, _ := run(t, "", "cert", "verify", "-keys", keysFile, "-revocations", rl0File, tokFile); code != 0 || !strings.Contains(out, "revocations as of") {
			t.Fatalf("from a file with the old list: exit %d\n%s", code, out)
		}
		if code, out, _ := run(t, token, "cert", "verify", "-keys", keysFile, "-"); code != 0 {
			t.Fatalf("from stdin: exit %d\n%s", code, out)
		}

		if err := svc.Revoke(ctx, off.Actor, off.Ring, ref.ID, "holder_request", ""); err != nil {
			t.Fatal(err)
		}
		rl1, _ := svc.Revocations(ctx)
		rl1File := write("rl1.jws", rl1)
		code, out, _ = run(t, "", "cert", "verify", "-keys", keysFile, "-revocations", rl1File, tokFile)
		if code != 1 || !strings.Contains(out, "status: revoked on ") || !strings.Contains(out, "holder_request") {
			t.Fatalf("revoked: exit %d\n%s", code, out)
		}

		otherKeys := write("other.json", `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"rfc","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`)
		for _, tc := range []struct {
			name string
			args []string
			code int
		}{
			{"altered", []string{"-keys", keysFile, token[:len(token)-4] + "AAAA"}, 1},
			{"truncated", []string{"-keys", keysFile, token[:40]}, 1},
			{"garbage", []string{"-keys", keysFile, "not-a-token"}, 1},
			{"other keys", []string{"-keys", otherKeys, token}, 1},
			{"no keys flag", []string{token}, 2},
			{"missing keys file", []string{"-keys", filepath.Join(dir, "nope.json"), token}, 2},
			{"keys not a JWKS", []string{"-keys", tokFile, token}, 2},
			{"list under other keys", []string{"-keys", otherKeys, "-revocations", rl1File, token}, 2},
			{"list is a certificate", []string{"-keys", keysFile, "-revocations", tokFile, token}, 2},
			{"two tokens", []string{"-keys", keysFile, token, token}, 2},
			{"no token", []string{"-keys", keysFile}, 2},
		} {
			code, out, errs := run(t, "", append([]string{"cert", "verify"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("%s: exit %d, want %d\n%s%s", tc.name, code, tc.code, out, errs)
			}
			if tc.code == 1 && strings.Contains(out, "status: valid") {
				t.Errorf("%s: said valid", tc.name)
			}
		}
		for _, args := range [][]string{{"cert"}, {"cert", "sign"}} {
			if code, _, _ := run(t, "", args...); code != 2 {
				t.Errorf("%v: exit %d", args, code)
			}
		}
	})
}
