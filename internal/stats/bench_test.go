package stats

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
	"time"

	"golang.org/x/sys/unix"

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
			state := rng.IntN(len(states))
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO cases (state, service, rank_band, region, contact_month, with_arms, with_vehicle, created_day, updated_day)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, states[state], services[rng.IntN(len(services))], bands[rng.IntN(4)],
				fmt.Sprintf("MMR%03d", 1+rng.IntN(17)), m, i%9 == 0, i%40 == 0, m+"-01").Scan(&id); err != nil {
				return err
			}
			// The moves that led there, each with its stage's length.
			for k := range min(state, len(funnel)-1) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (ref, case_id, day, actor, kind, from_state, to_state, stage_days)
					VALUES ($1, $2, $3, 'import', 'transition', $4, $5, $6)`, fmt.Sprintf("%d-%d", id, k), id, m+"-01", funnel[k], funnel[k+1], rng.IntN(60)); err != nil {
					return err
				}
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
	var times, cpus []time.Duration
	// The request's CPU time is read from this goroutine's own thread, so
	// it counts the dashboard's work and not what else the machine runs.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for b.Loop() {
		start, cpu := time.Now(), threadCPU()
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
		if len(d.StageTimes()) == 0 {
			b.Fatal("no stage times")
		}
		times, cpus = append(times, time.Since(start)), append(cpus, threadCPU()-cpu)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	sort.Slice(cpus, func(i, j int) bool { return cpus[i] < cpus[j] })
	b.ReportMetric(float64(cpus[len(cpus)*95/100].Microseconds())/1000, "p95-cpu-ms")
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(loads[len(loads)/2].Microseconds())/1000, "load-median-ms")
}

// threadCPU is the CPU time the calling OS thread has used.
func threadCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
