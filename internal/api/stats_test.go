package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// plantGreen inserts n cases of one kind in month (green columns only).
func plantGreen(t *testing.T, st *store.Store, n int, month, service, band string) {
	t.Helper()
	for range n {
		if _, err := st.Writer().ExecContext(context.Background(), `INSERT INTO cases (state, service, rank_band, region, contact_month, created_day, updated_day)
			VALUES ('verified', $1, $2, 'MMR013', $3, $4, $4)`, service, band, month, month+"-01"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStatsAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAPIEnv(t, st)
		plantGreen(t, st, 40, "2021-07", "army", "nco")
		plantGreen(t, st, 60, "2021-07", "police", "enlisted")
		plantGreen(t, st, 2, "2021-08", "navy", "junior_officer")
		plantGreen(t, st, 30, "2021-08", "police", "enlisted")
		// One case left screening after 4 days.
		if _, err := st.Writer().Exec(`INSERT INTO case_events (ref, case_id, day, actor, kind, from_state, to_state, stage_days)
			VALUES ('e1', (SELECT min(id) FROM cases), '2021-08-01', 'import', 'transition', 'screening', 'vetting', 4)`); err != nil {
			t.Fatal(err)
		}

		rec := e.do(t, "GET", "/api/v1/stats/public?breakdown=month", "", "")
		if rec.Code != 200 {
			t.Fatalf("public stats: %d %s", rec.Code, rec.Body.String())
		}
		var pub struct {
			Tables []struct {
				Rows         []string
				Cells        [][]*int
				RowTotals    []*int `json:"row_totals"`
				ColumnTotals []*int `json:"column_totals"`
			}
		}
		json.Unmarshal(rec.Body.Bytes(), &pub)
		if len(pub.Tables) != 1 || pub.Tables[0].Rows[0] != "2021-07" || pub.Tables[0].RowTotals[0] == nil || *pub.Tables[0].RowTotals[0] != 100 {
			t.Fatalf("public table: %s", rec.Body.String())
		}
		// The two navy defectors of August are hidden, and so is what
		// would give them away by subtraction.
		aug, jul := pub.Tables[0].Cells[1], pub.Tables[0].Cells[0]
		if aug[0] != nil || aug[1] != nil || jul[0] != nil {
			t.Fatalf("a small count can be worked out: %s", rec.Body.String())
		}
		csv := e.do(t, "GET", "/api/v1/stats/public?breakdown=month&format=csv", "", "")
		if csv.Code != 200 || !strings.HasPrefix(csv.Header().Get("Content-Type"), "text/csv") || !strings.Contains(csv.Body.String(), "month,2021-08,x,x,") {
			t.Fatalf("csv: %d %s", csv.Code, csv.Body.String())
		}
		for _, bad := range []string{"?breakdown=township", "?breakdown=stage", "?from=1999-01", "?from=2021-13", "?to=2022-01", "?from=2999-01"} {
			if r := e.do(t, "GET", "/api/v1/stats/public"+bad, "", ""); r.Code != http.StatusBadRequest || errorCode(t, r) != "invalid" {
				t.Errorf("%s: %d %s", bad, r.Code, r.Body.String())
			}
		}

		// Staff see exact counts, the funnel included.
		tok := e.token(t, e.account(t, "analyst-a", auth.RoleAnalyst))
		exact := e.do(t, "GET", "/api/v1/stats?breakdown=month,stage", tok, "")
		if exact.Code != 200 || !strings.Contains(exact.Body.String(), `[2,30,0]`) || !strings.Contains(exact.Body.String(), `"verified"`) {
			t.Fatalf("staff stats: %d %s", exact.Code, exact.Body.String())
		}
		if !strings.Contains(exact.Body.String(), `{"longest_days":4,"median_days":4,"moves":1,"p90_days":4,"stage":"screening"}`) {
			t.Fatalf("stage times: %s", exact.Body.String())
		}
	})
}
