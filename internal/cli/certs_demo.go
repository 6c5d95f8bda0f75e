package cli

import (
	"context"
	"fmt"
	"slices"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/certs"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// demoCertCount is how many demo cases are verified and certified (one
// of them then revoked).
const demoCertCount = 4

// addDemoCertificates gives the demo membership certificates through the
// real paths: for the oldest synthetic cases now sheltered (vetting
// verified them in their history; at most demoCertCount) a certificate is
// requested with a public choice and issued, and the last one revoked. The
// keyring must hold every team key (the steward's does); the work is done
// in the roles each step needs (case handling, certification) under the
// given actor's name, so the audit log shows who did it. It changes no
// case.
func addDemoCertificates(ctx context.Context, s *store.Store, ring *keys.Keyring, actor string, principal int64) error {
	a := casework.Actor{Name: actor, Principal: principal,
		Roles: []auth.Role{auth.RoleCaseHandler, auth.RoleCertifyingOfficer}}
	cw := casework.New(s)
	list, err := cw.Find(ctx, casework.Filter{State: casework.StateSheltered, Limit: 500})
	if err != nil {
		return fmt.Errorf("demo certificates: %w", err)
	}
	// Find lists newest first; take the oldest.
	slices.Reverse(list)
	list = list[:min(len(list), demoCertCount)]
	svc := certs.New(s, cw)
	publics := [][]string{
		{certs.ClaimNameMy, certs.ClaimNameEn, certs.ClaimService, certs.ClaimRank, certs.ClaimJoined},
		{certs.ClaimNameEn, certs.ClaimService},
		{certs.ClaimJoined},
		{certs.ClaimNameMy, certs.ClaimService, certs.ClaimJoined},
	}
	for i, c := range list {
		joined := ""
		if m, err := time.Parse("2006-01", c.ContactMonth); err == nil && m.Year() >= 2021 {
			joined = m.AddDate(0, 1, 0).Format(time.DateOnly)
		}
		ref, err := svc.Request(ctx, a, ring, c.ID, certs.RequestInput{Joined: joined, Public: publics[i%len(publics)]})
		if err != nil {
			return fmt.Errorf("demo certificates: request: %w", err)
		}
		if _, err := svc.Issue(ctx, a, ring, ref.ID); err != nil {
			return fmt.Errorf("demo certificates: issue: %w", err)
		}
		if i == len(list)-1 && i > 0 {
			if err := svc.Revoke(ctx, a, ring, ref.ID, "status_changed", "demo: the holder went back to the regime's forces"); err != nil {
				return fmt.Errorf("demo certificates: revoke: %w", err)
			}
		}
	}
	return nil
}
