package cli

import (
	"context"
	"path/filepath"
	"testing"

	"embrace/internal/finance"
	"embrace/internal/store"
)

// TestDemoFinance: a demo holds a year of reconciled payment runs with
// missed, refused and arrears lines, a paid reward and one waiting for its
// second approval, two funding sources and rates, in a balanced ledger.
func TestDemoFinance(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	var errb syncBuffer
	_, stop := startServeTo(t, &errb, "demo", "-data", dir, "-addr", "127.0.0.1:0", "-cases", "200", "-argon2id", cheapKDF)
	if code := stop(); code != 0 {
		t.Fatalf("demo exit %d: %s", code, errb.String())
	}
	ctx := context.Background()
	_, s, err := store.OpenDeployment(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	count := func(q string) int {
		var n int
		if err := s.DB().QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for q, min := range map[string]int{
		"SELECT count(*) FROM finance_runs WHERE status = 'closed'":       12,
		"SELECT count(*) FROM finance_payees":                             20,
		"SELECT count(*) FROM finance_run_lines WHERE status = 'missed'":  1,
		"SELECT count(*) FROM finance_run_lines WHERE status = 'refused'": 1,
		"SELECT count(*) FROM finance_run_lines WHERE arrears":            1,
		"SELECT count(*) FROM finance_claims WHERE status = 'paid'":       1,
		"SELECT count(*) FROM finance_claims WHERE status = 'approved'":   1,
		"SELECT count(*) FROM finance_sources":                            2,
		"SELECT count(*) FROM finance_rates":                              12,
	} {
		if n := count(q); n < min {
			t.Errorf("%s: %d, want at least %d", q, n, min)
		}
	}
	f := finance.New(s, nil)
	if off, err := f.TrialBalance(ctx); err != nil {
		t.Fatalf("the demo ledger does not balance: %v %v", off, err)
	}
}
