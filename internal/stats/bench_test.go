package stats

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"embrace/internal/store"
)

// BenchmarkDashboard100k measures the dashboard's server work at 100,000
// cases on SQLite: every breakdown and the public publication from the
// cache (p95-ms, median-ms: what a request costs), and, separately, the
// grouped query that fills the cache (load-median-ms), which requests do
// not wait for once the cache is warm.
func BenchmarkDashboard100k(b *testing.B) {
	ctx := context.Background()
	dir := filepath.Join(b.TempDir(), "d")
	_, s, err := store.CreateDeployment(ctx, dir, store.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(7, 7))
	services := []string{"army", "army", "navy", "air_force", "police", "police", "police", "police", "police", "police"}
	states := []string{"contacted", "screening", "vetting", "verified", "in_passage", "arrived", "sheltered", "resettled", "rejected", "withdrawn"}
	err = s.Tx(ctx, func(tx *sql.Tx) error {
		for i := range 100_000 {
			m := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC).AddDate(0, rng.IntN(60), 0).Format("2006-01")
			if _, err := tx.ExecContext(ctx, `INSERT INTO cases (state, service, rank_band, region, contact_month, with_arms, with_vehicle, created_day, updated_day)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, states[rng.IntN(len(states))], services[rng.IntN(len(services))], bands[rng.IntN(4)],
				fmt.Sprintf("MMR%03d", 1+rng.IntN(17)), m, i%9 == 0, i%40 == 0, m+"-01"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	// The load a cold cache pays, once a minute at most and then in the
	// background (Cache).
	var loads []time.Duration
	for range 5 {
		start := time.Now()
		if _, err := Load(ctx, s.DB()); err != nil {
			b.Fatal(err)
		}
		loads = append(loads, time.Since(start))
	}
	sort.Slice(loads, func(i, j int) bool { return loads[i] < loads[j] })
	cache := NewCache(s.DB(), time.Hour)
	var times []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		d, err := cache.Data(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, br := range append(PublicBreakdowns(), ByStage) {
			if _, err := d.Exact(Query{Breakdown: br}, now); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := d.Public(nil, "", Protection{}, DefaultDelay, now); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(loads[len(loads)/2].Microseconds())/1000, "load-median-ms")
}
