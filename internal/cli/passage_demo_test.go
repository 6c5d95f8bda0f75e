package cli

import (
	"context"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/passage"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// TestDemoRoutes: the demo plans a route on each case in passage (up to
// four): one under way, one overdue, one with a problem, one for tomorrow.
func TestDemoRoutes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := caseworktest.New(t, s)
		in := w.Staff(t, "in", []auth.Role{auth.RoleIntakeOfficer}, "intake")
		vet := w.Staff(t, "vet", []auth.Role{auth.RoleVettingOfficer}, "vetting")
		hand := w.Staff(t, "hand", []auth.Role{auth.RoleCaseHandler}, "casework")
		coord := w.Staff(t, "coord", []auth.Role{auth.RolePassageCoordinator}, "passage")
		for range 5 {
			id := w.OpenCase(t, caseworktest.Case())
			w.Move(t, id, []string{casework.StateScreening, casework.StateVetting, casework.StateVerified, casework.StateInPassage}, in, vet, hand)
		}
		if err := planDemoRoutes(ctx, s, coord.Ring, coord.Actor); err != nil {
			t.Fatal(err)
		}
		pg := passage.New(s, w.CW, nil)
		plans, err := pg.List(ctx, 10)
		if err != nil || len(plans) != len(demoRoutes) {
			t.Fatalf("%d demo plans, %v", len(plans), err)
		}
		al, err := pg.Alerts(ctx, coord.Ring)
		if err != nil {
			t.Fatal(err)
		}
		problems, overduePlans := 0, map[string]bool{}
		for _, a := range al {
			switch a.Kind {
			case passage.AlertProblem:
				problems++
			case passage.AlertOverdue:
				overduePlans[a.PlanID] = true
			}
		}
		if problems != 1 || len(overduePlans) != 1 {
			t.Fatalf("demo alerts: %d problems, %d overdue routes", problems, len(overduePlans))
		}
		if c, _ := pg.Candidates(ctx, 10); len(c) != 1 {
			t.Fatalf("%d cases left without a route, want 1", len(c))
		}
	})
}
