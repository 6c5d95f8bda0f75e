package cli

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"embrace/internal/casework"
	"embrace/internal/shelter"
	"embrace/internal/store/storetest"
	"embrace/internal/vetting"
)

// TestShelterDemo fills a small demo and checks its shelters: every house,
// families staying within each house's beds in cases vetting has cleared
// and moved to sheltered, requests left waiting, needs open and met, and
// the quarantine back to what it was.
func TestShelterDemo(t *testing.T) {
	t.Parallel()
	for _, tg := range storetest.Targets(t) {
		t.Run(string(tg.Engine), func(t *testing.T) {
			ctx := context.Background()
			_, s, err := createDeployment(ctx, tg.Dir, tg.DBURL, true, escrowPlan{dir: filepath.Join(t.TempDir(), "shares"), custodians: 3, threshold: 2}, kdfSetup(cheapKDF))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := fillDemo(ctx, tg.Dir, s, 200); err != nil {
				t.Fatal(err)
			}
			sv := shelter.New(s, casework.New(s), nil)
			occ, err := sv.Dashboard(ctx)
			if err != nil || len(occ) != len(demoHouses) {
				t.Fatalf("demo houses: %d, %v", len(occ), err)
			}
			t.Logf("demo occupancy: %+v", occ)
			used, needs := 0, 0
			for _, o := range occ {
				if o.Used > o.Beds {
					t.Errorf("house %s over capacity: %+v", o.Code, o)
				}
				used += o.Used
				needs += o.OpenNeeds
			}
			if used == 0 || needs != 4 {
				t.Fatalf("demo occupancy: %d people, %d open needs", used, needs)
			}
			var staying, waiting, notSheltered int
			s.DB().QueryRow("SELECT COUNT(*) FROM shelter_stays WHERE status = 'staying'").Scan(&staying)
			s.DB().QueryRow("SELECT COUNT(*) FROM shelter_stays WHERE status = 'requested'").Scan(&waiting)
			s.DB().QueryRow("SELECT COUNT(*) FROM shelter_stays st JOIN cases c ON c.id = st.case_id WHERE st.status = 'staying' AND c.state <> 'sheltered'").Scan(&notSheltered)
			if staying < 3 || waiting == 0 || notSheltered != 0 {
				t.Fatalf("demo stays: %d staying, %d waiting, %d staying but not sheltered", staying, waiting, notSheltered)
			}
			rows, err := s.DB().Query("SELECT case_id FROM shelter_stays WHERE status = 'staying'")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				if err := vetting.Cleared(ctx, s.DB(), id, time.Now().AddDate(0, 0, 400)); err != nil {
					t.Errorf("demo case %d is staying but not cleared by vetting: %v", id, err)
				}
			}
			if days, err := vetting.QuarantineDays(ctx, s.DB()); err != nil || days != vetting.DefaultQuarantineDays {
				t.Fatalf("quarantine after the demo: %d, %v", days, err)
			}
		})
	}
}
