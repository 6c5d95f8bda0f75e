package cli

import (
	"context"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/certs"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func TestDemoCertificates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := caseworktest.New(t, s)
		var teams []string
		for _, tm := range auth.Teams() {
			teams = append(teams, string(tm))
		}
		steward := w.Staff(t, "steward", []auth.Role{auth.RoleAdministrator}, teams...)
		mover := w.Staff(t, "mover", []auth.Role{auth.RoleIntakeOfficer, auth.RoleVettingOfficer, auth.RoleCaseHandler, auth.RolePassageCoordinator}, teams...)
		for range demoCertCount + 1 {
			w.Move(t, w.OpenCase(t, caseworktest.Case()), []string{casework.StateScreening, casework.StateVetting, casework.StateVerified,
				casework.StateInPassage, casework.StateArrived, casework.StateSheltered}, mover)
		}
		if err := addDemoCertificates(ctx, s, steward.Ring, "user:steward", steward.P.ID); err != nil {
			t.Fatal(err)
		}
		svc := certs.New(s, w.CW)
		list, err := svc.List(ctx, "", 0)
		if err != nil || len(list) != demoCertCount {
			t.Fatalf("%d demo certificates (%v)", len(list), err)
		}
		if left, _ := w.CW.Find(ctx, casework.Filter{State: casework.StateSheltered}); len(left) != demoCertCount+1 {
			t.Fatalf("the demo moved cases: %d sheltered, want %d", len(left), demoCertCount+1)
		}
		seen := map[certs.Status]int{}
		for _, c := range list {
			d, err := svc.Get(ctx, steward.Ring, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			v, err := svc.Verify(ctx, d.Token)
			if err != nil {
				t.Fatal(err)
			}
			seen[v.Status]++
		}
		if seen[certs.StatusValid] != demoCertCount-1 || seen[certs.StatusRevoked] != 1 {
			t.Fatalf("demo certificates verify as %v", seen)
		}
	})
}
