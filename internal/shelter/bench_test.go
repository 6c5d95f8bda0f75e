package shelter_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"embrace/internal/casework/caseworktest"
	"embrace/internal/shelter"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// fillDashboard gives s houses houses, stays stays (one in four current)
// and 3 needs a house, inserted directly: the dashboard reads green
// columns only, so the sealed columns hold placeholders.
func fillDashboard(tb testing.TB, s *store.Store, houses, stays int) {
	tb.Helper()
	w := caseworktest.New(tb, s)
	caseID := w.OpenCase(tb, caseworktest.Case())
	db := s.Writer()
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	for h := 1; h <= houses; h++ {
		if _, err := tx.Exec("INSERT INTO shelter_houses (id, ref, code, area, beds, created_day, sealed) VALUES ($1, $2, $3, 'Mae Sot', 40, '2026-01-01', $4)",
			h, fmt.Sprintf("ref%d", h), fmt.Sprintf("MS-%d", h), []byte{1}); err != nil {
			tb.Fatal(err)
		}
		for n := range 3 {
			status := "met"
			if n == 0 {
				status = "open"
			}
			if _, err := tx.Exec("INSERT INTO shelter_needs (ref, house_id, kind, status, opened_day, sealed) VALUES ($1, $2, 'food', $3, '2026-01-01', $4)",
				fmt.Sprintf("need%d-%d", h, n), h, status, []byte{1}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	for i := range stays {
		status := shelter.StatusLeft
		if i%4 == 0 {
			status = shelter.StatusStaying
		}
		if _, err := tx.Exec("INSERT INTO shelter_stays (ref, case_id, house_id, status, headcount, people, requested_day, sealed) VALUES ($1, $2, $3, $4, 2, '', '2026-01-01', $5)",
			fmt.Sprintf("stay%d", i), caseID, 1+i%houses, status, []byte{1}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkDashboard measures occupancy at a glance: 300 houses, 20,000
// stays (5,000 current), 900 needs, one query.
func BenchmarkDashboard(b *testing.B) {
	for _, tg := range storetest.Targets(b) {
		b.Run(string(tg.Engine), func(b *testing.B) {
			s := storetest.New(b, tg)
			fillDashboard(b, s, 300, 20000)
			sv := shelter.New(s, nil, nil)
			ctx := context.Background()
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				d, err := sv.Dashboard(ctx)
				if err != nil || len(d) != 300 {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
