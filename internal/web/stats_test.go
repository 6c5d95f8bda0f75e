package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func TestStatsPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAuthEnv(t, st, auth.Config{})
		for _, c := range []struct {
			n              int
			month, service string
		}{{300, "2021-07", "army"}, {700, "2021-07", "police"}, {3, "2022-06", "army"}, {7, "2022-06", "police"}} {
			for range c.n {
				if _, err := st.Writer().ExecContext(context.Background(), `INSERT INTO cases (state, service, rank_band, region, contact_month, created_day, updated_day)
					VALUES ('sheltered', $1, 'nco', 'MMR017', $2, '2022-01-01', '2022-01-01')`, c.service, c.month); err != nil {
					t.Fatal(err)
				}
			}
		}
		// One case left vetting after 12 days, another after 40.
		for i, days := range []int{12, 40} {
			if _, err := st.Writer().ExecContext(context.Background(), `INSERT INTO case_events (ref, case_id, day, actor, kind, from_state, to_state, stage_days)
				VALUES ($1, (SELECT min(id) FROM cases), '2022-01-01', 'import', 'transition', 'vetting', 'verified', $2)`, "ev"+strconv.Itoa(i), days); err != nil {
				t.Fatal(err)
			}
		}
		en := e.get(t, "/stats?lang=en")
		body := en.Body.String()
		if en.Code != 200 || !strings.Contains(body, "2021-07") || !strings.Contains(body, ">1000<") || !strings.Contains(body, "<svg") {
			t.Fatalf("public stats page: %d %s", en.Code, body)
		}
		// June 2022's three soldiers are hidden, in the table and the chart.
		if !strings.Contains(body, `<td class="num">x</td>`) || strings.Contains(body, ">3<") || strings.Contains(body, ">7<") {
			t.Fatalf("a small count is published: %s", body)
		}
		my := e.get(t, "/stats?lang=my").Body.String()
		if !strings.Contains(my, "၂၀၂၁-၀၇") || !strings.Contains(my, "စစ်သား") || !strings.Contains(my, "ဧရာဝတီ") {
			t.Fatal("the Burmese page lacks Burmese labels or digits")
		}
		if r := e.get(t, "/stats?lang=en&from=2021-13"); r.Code != http.StatusBadRequest || !strings.Contains(r.Body.String(), "not valid") {
			t.Fatalf("bad month: %d", r.Code)
		}
		// A stipend of 1,000 THB paid this month: the dashboard sums it.
		month := time.Now().UTC().Format("2006-01")
		var txID int64
		if _, err := st.Writer().ExecContext(context.Background(), `INSERT INTO finance_accounts (code, kind) VALUES ('expense:stipends', 'expense'), ('asset:cash', 'asset')`); err != nil {
			t.Fatal(err)
		}
		if err := st.Writer().QueryRowContext(context.Background(), `INSERT INTO finance_tx (day, month, kind, ref, actor)
			VALUES ($1, $2, 'stipend', 'line:1', 'user:fin') RETURNING id`, month+"-01", month).Scan(&txID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Writer().ExecContext(context.Background(), `INSERT INTO finance_entries (tx_id, account_id, currency, amount)
			VALUES ($1, (SELECT min(id) FROM finance_accounts), 'THB', 100000), ($1, (SELECT max(id) FROM finance_accounts), 'THB', -100000)`, txID); err != nil {
			t.Fatal(err)
		}
		// Staff see exact counts, the funnel, the time in each stage and
		// the payments.
		c := e.login(t, e.account(t, "analyst-w", auth.RoleAnalyst), webTestPassword)
		dash := e.get(t, "/stats/dashboard?lang=en", c)
		body = dash.Body.String()
		if dash.Code != 200 || !strings.Contains(body, ">3<") || !strings.Contains(body, "Case funnel") {
			t.Fatalf("dashboard: %d", dash.Code)
		}
		stage := body[strings.Index(body, "Time in each stage"):]
		if !strings.Contains(stage, `Vetting</th><td class="num">2</td><td class="num">12</td><td class="num">40</td><td class="num">40</td>`) {
			t.Fatalf("time in vetting: %s", stage)
		}
		if !strings.Contains(body, month+` THB</th><td class="num">1,000 THB</td><td class="num">1</td><td class="num">–</td><td class="num">0</td>`) {
			t.Fatalf("payments: %s", body[strings.Index(body, "Stipends and rewards"):])
		}
		if my := e.get(t, "/stats/dashboard?lang=my", c).Body.String(); !strings.Contains(my, "<td class=\"num\">၁၂</td>") {
			t.Fatal("the Burmese dashboard lacks the stage times in Burmese digits")
		}
	})
}
