package cli

import (
	"context"
	"path/filepath"
	"testing"
)

// TestDemoVetting: a new demo holds vetting histories — a watch list of
// synthetic informers, checks and evidence, decisions by two different
// accounts, cases verified (so in quarantine), one waiting for a second
// officer, and caught infiltrators whose alerts only leads can open.
func TestDemoVetting(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	_, s, _, err := openOrCreateDemo(context.Background(), dir, 400, cheapKDF)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	count := func(q string) int {
		t.Helper()
		var n int
		if err := s.DB().QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	checks := []struct {
		what string
		q    string
		min  int
	}{
		{"watch-list entries", "SELECT count(*) FROM watchlist", demoInformers},
		{"checks", "SELECT count(*) FROM vetting_checks", 20},
		{"evidence", "SELECT count(*) FROM vetting_evidence", 2},
		{"confirmed by a second officer", "SELECT count(*) FROM vetting_decisions WHERE status = 'confirmed' AND confirmer <> proposer", 5},
		{"caught infiltrators", "SELECT count(*) FROM vetting_decisions WHERE status = 'confirmed' AND decision = 'suspected_infiltrator'", 3},
		{"waiting proposals", "SELECT count(*) FROM vetting_decisions WHERE status = 'proposed'", 1},
		{"alerts", "SELECT count(*) FROM vetting_alerts", 3},
		{"verified by vetting", "SELECT count(*) FROM case_events WHERE from_state = 'vetting' AND to_state = 'verified'", 5},
	}
	for _, c := range checks {
		if n := count(c.q); n < c.min {
			t.Errorf("%s: %d, want at least %d", c.what, n, c.min)
		}
	}
	if n := count("SELECT count(*) FROM vetting_screening"); n != 0 {
		t.Errorf("%d screening records left unmatched by the demo's sweep", n)
	}
}
