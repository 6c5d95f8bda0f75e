package audit

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// BenchmarkAppend measures appends on the embedded SQLite store, each in a
// transaction of its own, as the intake path does once per submission.
func BenchmarkAppend(b *testing.B) {
	s := storetest.New(b, storetest.Target{Engine: store.SQLite, Dir: filepath.Join(b.TempDir(), "data")})
	ctx := context.Background()
	e := sample(1)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		err := s.Tx(ctx, func(tx *sql.Tx) error {
			_, err := Append(ctx, tx, e)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
}

// BenchmarkVerify measures a full verification of a 10,000-entry log.
func BenchmarkVerify(b *testing.B) {
	s := storetest.New(b, storetest.Target{Engine: store.SQLite, Dir: filepath.Join(b.TempDir(), "data")})
	ctx := context.Background()
	const n = 10000
	err := s.Tx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			if _, err := Append(ctx, tx, sample(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Verify(ctx, s.DB(), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "entries/s")
}
