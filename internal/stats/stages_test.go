package stats

import (
	"context"
	"database/sql"
	"strconv"
	"testing"

	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// addMoves stores one case with transition events leaving from after the
// given numbers of days.
func addMoves(t *testing.T, s *store.Store, from string, days ...int) {
	t.Helper()
	ctx := context.Background()
	err := s.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO cases (state, service, rank_band, region, contact_month, created_day, updated_day)
			VALUES ('verified', 'army', 'nco', 'MMR013', '2021-07', '2021-07-01', '2021-07-01') RETURNING id`).Scan(&id); err != nil {
			return err
		}
		for i, d := range days {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (ref, case_id, day, actor, kind, from_state, to_state, stage_days)
				VALUES ($1, $2, '2021-08-01', 'import', 'transition', $3, 'x', $4)`, from+string(rune('a'+i))+strconv.FormatInt(id, 10), id, from, d); err != nil {
				return err
			}
		}
		// A note is not a move, and a move of unknown length is not counted.
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (ref, case_id, day, actor, kind, from_state, to_state, stage_days)
			VALUES ($1, $2, '2021-08-01', 'u', 'note', $3, '', 99)`, "n"+strconv.FormatInt(id, 10), id, from); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO case_events (ref, case_id, day, actor, kind, from_state, to_state)
			VALUES ($1, $2, '2021-08-01', 'u', 'transition', $3, 'y')`, "u"+strconv.FormatInt(id, 10), id, from)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestStageTimes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		// Vetting: ten moves of 1..10 days. Median: the 5th (5 days); 90th
		// percentile: the 9th (9 days); longest 10.
		addMoves(t, s, "vetting", 3, 1, 4, 10, 5, 9, 2, 6, 8, 7)
		// Screening: 2, 2, 2, 30 — median 2, p90 30 (4 × 0.9 = 3.6 → the 4th).
		addMoves(t, s, "screening", 2, 2, 2, 30)
		d, err := Load(context.Background(), s.DB())
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]StageTime{}
		for _, st := range d.StageTimes() {
			got[st.Stage] = st
		}
		if len(got) != len(funnel)-1 {
			t.Fatalf("stages %v", got)
		}
		want := map[string]StageTime{
			"vetting":   {Stage: "vetting", Moves: 10, Median: 5, P90: 9, Longest: 10},
			"screening": {Stage: "screening", Moves: 4, Median: 2, P90: 30, Longest: 30},
			"contacted": {Stage: "contacted"},
		}
		for st, w := range want {
			if got[st] != w {
				t.Errorf("%s: got %+v, want %+v", st, got[st], w)
			}
		}
	})
}
