package cli

import (
	"context"
	"slices"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/certs"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// Canaries of certificates: private claims (names and rank the holder
// chose not to show) and a revocation note. Public claims are published
// by the holder's choice, so none is planted there (the one public claim
// here is the green service).
const (
	canaryCertNameLatin = "CertPrivate-Qzcn Hidden"
	canaryCertRank      = "CertRank-Qzcr-Warrant-Officer"
	canaryCertNote      = "CertNote-Qzcv-Informer-Suspected-7731"
	canaryDeclineNote   = "DeclineNote-Qzdn-Unit-Denies-Service-4410"
)

// plantCerts opens a verified case whose defector carries certificate
// canaries, requests a certificate showing only the service, issues it and
// revokes it with a canary note; a second request is declined with one.
// The certification team (and any team the deployment lacks) is made with
// a planting user as holder, as joining a team nobody holds yet does, so
// the user can sign. It returns the canaries.
func plantCerts(t *testing.T, ctx context.Context, s *store.Store) []string {
	t.Helper()
	db := s.Writer()
	uid, err := keys.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	u, err := keys.CreatePrincipal(ctx, db, keys.KindUser, "cert-planter", uid.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	ring := keys.NewKeyring()
	defer ring.Wipe()
	ring.Add(u.ID, uid)
	// The teams a case passes through must exist; the certification team
	// is made afresh with the planter as holder, so the planter can sign.
	if _, err := db.ExecContext(ctx, "DELETE FROM principals WHERE kind = 'team' AND name = $1", string(auth.TeamCertification)); err != nil {
		t.Fatal(err)
	}
	var team keys.Principal
	for _, tm := range auth.Teams() {
		if _, err := keys.LookupPrincipal(ctx, db, keys.KindTeam, string(tm)); err == nil {
			continue
		}
		p, tid, err := keys.CreateTeam(ctx, db, string(tm), u)
		if err != nil {
			t.Fatal(err)
		}
		ring.Add(p.ID, tid)
		if tm == auth.TeamCertification {
			team = p
		}
	}

	nc, _ := canaries()
	nc.Defector = casework.Person{NameMy: "စီအာတီ", NameLatin: canaryCertNameLatin, Rank: canaryCertRank}
	nc.Family = nil
	a := casework.Actor{Name: "user:cert-planter", Principal: u.ID,
		Roles: []auth.Role{auth.RoleIntakeOfficer, auth.RoleVettingOfficer, auth.RoleCaseHandler, auth.RoleCertifyingOfficer}}
	cw := casework.New(s)
	id, err := cw.OpenAs(ctx, a, nc, u)
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{casework.StateScreening, casework.StateVetting} {
		if err := cw.Transition(ctx, a, ring, id, to, "plant"); err != nil {
			t.Fatal(err)
		}
	}
	// vetting's verdict, as its confirmation makes it
	if err := cw.TransitionDecided(ctx, a, ring, id, casework.StateVetting, casework.StateVerified, "plant", nil); err != nil {
		t.Fatal(err)
	}
	svc := certs.New(s, cw)
	ref, err := svc.Request(ctx, a, ring, id, certs.RequestInput{Joined: "2021-04-01", Public: []string{certs.ClaimService}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Issue(ctx, a, ring, ref.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Revoke(ctx, a, ring, ref.ID, "safety", canaryCertNote); err != nil {
		t.Fatal(err)
	}
	declined, err := svc.Request(ctx, a, ring, id, certs.RequestInput{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Decline(ctx, a, ring, declined.ID, canaryDeclineNote); err != nil {
		t.Fatal(err)
	}
	// The canaries are really stored: the team reads them back, and the
	// certificate key is wrapped to escrow too.
	d, err := svc.Get(ctx, ring, ref.ID)
	if err != nil || d.Claims.NameEn != canaryCertNameLatin || d.Claims.Rank != canaryCertRank {
		t.Fatalf("planted claims do not read back: %v", err)
	}
	if note, err := svc.Note(ctx, ring, ref.ID); err != nil || note != canaryCertNote {
		t.Fatalf("planted note does not read back: %v", err)
	}
	esc, err := keys.Escrow(ctx, s.DB())
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range [][2]string{{certs.ObjectCert, ref.Number}, {certs.ObjectKey, d.Kid}} {
		w, err := keys.WrappedTo(ctx, s.DB(), obj[0], obj[1])
		if err != nil || !slices.Contains(w, esc.ID) || !slices.Contains(w, team.ID) {
			t.Fatalf("%s %s is wrapped to %v, want escrow and the certification team", obj[0], obj[1], w)
		}
	}
	if note, err := svc.Note(ctx, ring, declined.ID); err != nil || note != canaryDeclineNote {
		t.Fatalf("planted decline note does not read back: %v", err)
	}
	return []string{canaryCertNameLatin, canaryCertRank, canaryCertNote, canaryDeclineNote}
}
