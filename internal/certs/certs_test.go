package certs_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/certs"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// fixture is a deployment with a verified case, a case handler who holds
// it and a certifying officer.
type fixture struct {
	w        *caseworktest.World
	svc      *certs.Service
	handler  caseworktest.Staff
	officer  caseworktest.Staff
	intake   caseworktest.Staff
	verified int64
}

func newFixture(t *testing.T, s *store.Store) fixture {
	t.Helper()
	w := caseworktest.New(t, s)
	f := fixture{w: w, svc: certs.New(s, w.CW)}
	f.intake = w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
	vet := w.Staff(t, "vetter1", []auth.Role{auth.RoleVettingOfficer}, "vetting")
	f.handler = w.Staff(t, "handler1", []auth.Role{auth.RoleCaseHandler}, "casework")
	f.officer = w.Staff(t, "certifier1", []auth.Role{auth.RoleCertifyingOfficer}, "certification")
	f.verified = w.OpenCase(t, caseworktest.Case())
	w.Move(t, f.verified, []string{casework.StateScreening, casework.StateVetting, casework.StateVerified}, f.intake, vet)
	return f
}

func count(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func payloadOf(t *testing.T, token string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestIssueVerifyRevoke is the whole life of a certificate: requested,
// issued, verified online and offline, revoked and shown as revoked, and
// still verifiable after the signing key is rotated.
func TestIssueVerifyRevoke(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		ref, err := f.svc.Request(ctx, f.handler.Actor, f.handler.Ring, f.verified, certs.RequestInput{
			Joined: "2021-09-01", Public: []string{certs.ClaimNameEn, certs.ClaimService, certs.ClaimJoined}})
		if err != nil {
			t.Fatal(err)
		}
		if !certs.ValidNumber(ref.Number) {
			t.Fatalf("number %q", ref.Number)
		}
		// The handler's ring does not open the request: it is the
		// certification team's.
		if _, err := f.svc.Get(ctx, f.handler.Ring, ref.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("handler opens the request: %v", err)
		}
		d, err := f.svc.Get(ctx, f.officer.Ring, ref.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Claims.NameMy != caseworktest.Case().Defector.NameMy || d.Claims.NameEn != "Aung Myo Zaw" || d.Claims.Service != "army" {
			t.Fatalf("claims %+v", d.Claims)
		}
		token, err := f.svc.Issue(ctx, f.officer.Actor, f.officer.Ring, ref.ID)
		if err != nil {
			t.Fatal(err)
		}
		p := payloadOf(t, token)
		if strings.Contains(p, "name_my") || strings.Contains(p, "rank") || !strings.Contains(p, "Aung Myo Zaw") {
			t.Fatalf("the token does not hold exactly the public claims: %s", p)
		}
		v, err := f.svc.Verify(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != certs.StatusValid || v.Certificate.Number != ref.Number || v.Certificate.Public.NameEn != "Aung Myo Zaw" ||
			v.Certificate.Public.NameMy != "" || v.Certificate.Public.Joined != "2021-09-01" {
			t.Fatalf("verify: %+v", v)
		}

		// Offline: the published JWKS and the revocation list.
		jwks, err := f.svc.JWKS(ctx)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(jwks)
		ks, err := certs.ParseJWKS(raw)
		if err != nil {
			t.Fatal(err)
		}
		rlTok, err := f.svc.Revocations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rl, err := certs.VerifyRevocations(rlTok, ks)
		if err != nil {
			t.Fatal(err)
		}
		if off := certs.VerifyOffline(token, ks, rl); off.Status != certs.StatusValid {
			t.Fatalf("offline: %+v", off)
		}

		// Revoke; the answer changes everywhere, the note stays sealed.
		if err := f.svc.Revoke(ctx, f.officer.Actor, f.officer.Ring, ref.ID, "status_changed", "private reason"); err != nil {
			t.Fatal(err)
		}
		v, _ = f.svc.Verify(ctx, token)
		if v.Status != certs.StatusRevoked || v.Revoked.Day == "" || v.Revoked.Reason != "status_changed" {
			t.Fatalf("after revocation: %+v", v)
		}
		if n, err := f.svc.Note(ctx, f.officer.Ring, ref.ID); err != nil || n != "private reason" {
			t.Fatalf("note %q %v", n, err)
		}
		rlTok, _ = f.svc.Revocations(ctx)
		if strings.Contains(payloadOf(t, rlTok), "private") {
			t.Fatal("the note is in the revocation list")
		}
		rl, err = certs.VerifyRevocations(rlTok, ks)
		if err != nil {
			t.Fatal(err)
		}
		if off := certs.VerifyOffline(token, ks, rl); off.Status != certs.StatusRevoked || off.Revoked.Day != v.Revoked.Day {
			t.Fatalf("offline after revocation: %+v", off)
		}
		if st, _ := f.svc.StatusOf(ctx, ref.Number); st.Status != certs.StatusRevoked {
			t.Fatalf("status by number: %+v", st)
		}

		// Rotation: a new kid signs new certificates, old ones still verify.
		oldKid := v.Certificate.Kid
		kid, err := f.svc.RotateKey(ctx, f.officer.Actor, f.officer.Ring)
		if err != nil || kid == oldKid {
			t.Fatalf("rotate: %q %v", kid, err)
		}
		ref2, err := f.svc.Request(ctx, f.handler.Actor, f.handler.Ring, f.verified, certs.RequestInput{Public: []string{certs.ClaimNameMy}})
		if err != nil {
			t.Fatal(err)
		}
		tok2, err := f.svc.Issue(ctx, f.officer.Actor, f.officer.Ring, ref2.ID)
		if err != nil {
			t.Fatal(err)
		}
		v2, _ := f.svc.Verify(ctx, tok2)
		if v2.Status != certs.StatusValid || v2.Certificate.Kid != kid || v2.Certificate.Public.NameMy == "" {
			t.Fatalf("new key: %+v", v2)
		}
		if v, _ := f.svc.Verify(ctx, token); v.Status != certs.StatusRevoked {
			t.Fatalf("old certificate after rotation: %+v", v)
		}
		jwks, _ = f.svc.JWKS(ctx)
		if len(jwks.Keys) != 2 {
			t.Fatalf("JWKS has %d keys", len(jwks.Keys))
		}
		// The latest revocation list is signed by the new key and still
		// lists the revoked certificate.
		rlTok, _ = f.svc.Revocations(ctx)
		ks, _ = f.svc.KeySet(ctx)
		rl, err = certs.VerifyRevocations(rlTok, ks)
		if err != nil || rl.Kid != kid {
			t.Fatalf("list after rotation: %v", err)
		}
		if _, ok := rl.Find(ref.Number); !ok {
			t.Fatal("the revoked certificate left the list")
		}

		// Every decision is audited, naming ids and codes only.
		rows, err := s.DB().Query("SELECT action, object, detail FROM audit_entries WHERE action LIKE 'cert.%' ORDER BY idx")
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for rows.Next() {
			var action, object, detail string
			if err := rows.Scan(&action, &object, &detail); err != nil {
				t.Fatal(err)
			}
			actions = append(actions, action)
			if strings.Contains(detail+object, "Aung") || strings.Contains(detail+object, "private reason") {
				t.Fatalf("red data audited: %s %s %s", action, object, detail)
			}
		}
		rows.Close()
		want := "cert.request cert.key.new cert.issue cert.revoke cert.key.new cert.request cert.issue"
		if got := strings.Join(actions, " "); got != want {
			t.Fatalf("audited %q, want %q", got, want)
		}

		// A well-signed token for a number this deployment never issued is
		// unknown: change nothing but the database.
		if _, err := s.Writer().Exec("DELETE FROM certificates WHERE id = $1", ref2.ID); err != nil {
			t.Fatal(err)
		}
		if v, _ := f.svc.Verify(ctx, tok2); v.Status != certs.StatusUnknown {
			t.Fatalf("unknown certificate: %+v", v)
		}
		if v, _ := f.svc.Verify(ctx, token+"x"); v.Status != certs.StatusInvalid {
			t.Fatalf("altered: %+v", v)
		}
	})
}

// TestRefusals: bad input, wrong roles, wrong keys and wrong states give a
// clear error and change nothing.
func TestRefusals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		fresh := f.w.OpenCase(t, caseworktest.Case())
		stranger := f.w.Staff(t, "handler2", []auth.Role{auth.RoleCaseHandler})
		keyless := f.w.Staff(t, "certifier2", []auth.Role{auth.RoleCertifyingOfficer})
		before := count(t, s, "certificates")
		audits := count(t, s, "audit_entries")

		reqs := []struct {
			name string
			who  caseworktest.Staff
			id   int64
			in   certs.RequestInput
			want error
		}{
			{"not verified", f.intake, fresh, certs.RequestInput{}, certs.ErrForbidden},
			{"unverified case", caseworktest.Staff{Ring: f.w.Staff(t, "h3", []auth.Role{auth.RoleCaseHandler}, "intake").Ring,
				Actor: casework.Actor{Name: "user:h3", Roles: []auth.Role{auth.RoleCaseHandler}}}, fresh, certs.RequestInput{}, certs.ErrNotVerified},
			{"officer cannot request", f.officer, f.verified, certs.RequestInput{}, certs.ErrForbidden},
			{"no key to the case", stranger, f.verified, certs.RequestInput{}, store.ErrNotFound},
			{"unknown claim", f.handler, f.verified, certs.RequestInput{Public: []string{"nrc"}}, certs.ErrBadInput},
			{"claim twice", f.handler, f.verified, certs.RequestInput{Public: []string{"rank", "rank"}}, certs.ErrBadInput},
			{"bad day", f.handler, f.verified, certs.RequestInput{Joined: "2021-13-01"}, certs.ErrBadInput},
			{"future day", f.handler, f.verified, certs.RequestInput{Joined: time.Now().AddDate(0, 0, 2).Format(time.DateOnly)}, certs.ErrBadInput},
			{"missing case", f.handler, 999999, certs.RequestInput{}, store.ErrNotFound},
		}
		for _, tc := range reqs {
			if _, err := f.svc.Request(ctx, tc.who.Actor, tc.who.Ring, tc.id, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
			}
		}
		if n := count(t, s, "certificates"); n != before {
			t.Fatalf("refused requests wrote %d rows", n-before)
		}
		if n := count(t, s, "audit_entries"); n != audits {
			t.Fatalf("refused requests were audited as done")
		}

		ref, err := f.svc.Request(ctx, f.handler.Actor, f.handler.Ring, f.verified, certs.RequestInput{Public: []string{"service"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Issue(ctx, f.handler.Actor, f.handler.Ring, ref.ID); !errors.Is(err, certs.ErrForbidden) {
			t.Fatalf("handler issues: %v", err)
		}
		if _, err := f.svc.Issue(ctx, keyless.Actor, keyless.Ring, ref.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("officer without the team key issues: %v", err)
		}
		if err := f.svc.Revoke(ctx, f.officer.Actor, f.officer.Ring, ref.ID, "safety", ""); !errors.Is(err, certs.ErrState) {
			t.Fatalf("revoking a request: %v", err)
		}
		if _, err := f.svc.Issue(ctx, f.officer.Actor, f.officer.Ring, ref.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Issue(ctx, f.officer.Actor, f.officer.Ring, ref.ID); !errors.Is(err, certs.ErrState) {
			t.Fatalf("issued twice: %v", err)
		}
		for _, tc := range []struct{ reason, note string }{{"", ""}, {"because", ""}, {"safety", strings.Repeat("x", 2001)}, {"safety", "\xff"}} {
			if err := f.svc.Revoke(ctx, f.officer.Actor, f.officer.Ring, ref.ID, tc.reason, tc.note); !errors.Is(err, certs.ErrBadInput) {
				t.Fatalf("revoke %q: %v", tc.reason, err)
			}
		}
		if err := f.svc.Revoke(ctx, f.handler.Actor, f.handler.Ring, ref.ID, "safety", ""); !errors.Is(err, certs.ErrForbidden) {
			t.Fatalf("handler revokes: %v", err)
		}
		if sum, _ := f.svc.Summary(ctx, ref.ID); sum.State != certs.StateIssued {
			t.Fatalf("refused revocations changed the state to %s", sum.State)
		}
		if _, err := f.svc.List(ctx, "nonsense", 0); !errors.Is(err, certs.ErrBadInput) {
			t.Fatalf("list: %v", err)
		}

		// Declining: only a request, once; the note is sealed; nothing is
		// signed and the number is unknown to verifiers.
		refD, err := f.svc.Request(ctx, f.handler.Actor, f.handler.Ring, f.verified, certs.RequestInput{})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Decline(ctx, f.handler.Actor, f.handler.Ring, refD.ID, ""); !errors.Is(err, certs.ErrForbidden) {
			t.Fatalf("handler declines: %v", err)
		}
		if err := f.svc.Decline(ctx, f.officer.Actor, f.officer.Ring, refD.ID, strings.Repeat("x", 2001)); !errors.Is(err, certs.ErrBadInput) {
			t.Fatalf("long note: %v", err)
		}
		if err := f.svc.Decline(ctx, f.officer.Actor, f.officer.Ring, ref.ID, ""); !errors.Is(err, certs.ErrState) {
			t.Fatalf("declining an issued certificate: %v", err)
		}
		if err := f.svc.Decline(ctx, f.officer.Actor, f.officer.Ring, refD.ID, "not enough evidence"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Issue(ctx, f.officer.Actor, f.officer.Ring, refD.ID); !errors.Is(err, certs.ErrState) {
			t.Fatalf("issuing a declined request: %v", err)
		}
		if n, err := f.svc.Note(ctx, f.officer.Ring, refD.ID); err != nil || n != "not enough evidence" {
			t.Fatalf("decline note %q %v", n, err)
		}
		if v, _ := f.svc.StatusOf(ctx, refD.Number); v.Status != certs.StatusUnknown {
			t.Fatalf("declined number: %+v", v)
		}
		if l, err := f.svc.List(ctx, certs.StateDeclined, 0); err != nil || len(l) != 1 {
			t.Fatalf("declined list: %d %v", len(l), err)
		}

		// A case that left the verified path gets no certificate issued.
		lead := f.w.Staff(t, "lead1", []auth.Role{auth.RoleVettingLead}, "vetting", "casework")
		ref2, err := f.svc.Request(ctx, f.handler.Actor, f.handler.Ring, f.verified, certs.RequestInput{})
		if err != nil {
			t.Fatal(err)
		}
		f.w.Move(t, f.verified, []string{casework.StateInfiltrate}, lead)
		if _, err := f.svc.Issue(ctx, f.officer.Actor, f.officer.Ring, ref2.ID); !errors.Is(err, certs.ErrNotVerified) {
			t.Fatalf("issued for a suspected infiltrator: %v", err)
		}
	})
}
