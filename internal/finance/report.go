package finance

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"embrace/internal/store"
)

// RunwayCap bounds the forecast: beyond a hundred years it says "more".
const RunwayCap = 1200

// Runway is how long the money in hand of one currency lasts at the
// current enrolment.
type Runway struct {
	Currency  string
	Available int64 // cash in hand less rewards approved and not yet paid
	Monthly   int64 // stipends due in the first month
	Months    int   // full months the money covers
	// RunsOut is the first month whose stipends cannot be paid in full;
	// "" when the enrolments end (or none exist) before the money does.
	RunsOut string
}

// Runway forecasts, per currency, from month from on: available money is
// the cash in every funding source less rewards payable; each month in
// turn takes the stipends enrolled for it (start and end months
// respected, arrears and future enrolments not counted). Months is the
// number of whole months paid before the money falls short; RunsOut is
// that month. Everything is integer arithmetic.
func (s *Service) Runway(ctx context.Context, from string) ([]Runway, error) {
	m0, err := ParseMonth(from)
	if err != nil {
		return nil, &FieldError{"month", "must be a month written YYYY-MM"}
	}
	cash, err := sumAccounts(ctx, s.st.DB(), "cash:%")
	if err != nil {
		return nil, err
	}
	payable, err := sumAccounts(ctx, s.st.DB(), AccountRewardsPayable)
	if err != nil {
		return nil, err
	}
	byCur := map[string][]enrol{}
	rows, err := s.st.DB().QueryContext(ctx, "SELECT currency, amount, start_month, end_month FROM finance_stipends WHERE end_month = '' OR end_month >= $1", m0.String())
	if err != nil {
		return nil, fmt.Errorf("finance: runway: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c, sm, em string
		var e enrol
		if err := rows.Scan(&c, &e.amount, &sm, &em); err != nil {
			return nil, fmt.Errorf("finance: runway: %w", err)
		}
		e.start, _ = ParseMonth(sm)
		e.end = Month(1 << 30)
		if em != "" {
			e.end, _ = ParseMonth(em)
		}
		byCur[c] = append(byCur[c], e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	curs := map[string]int64{}
	for c, v := range cash {
		curs[c] = v
	}
	for c := range byCur {
		curs[c] += 0
	}
	var out []Runway
	for _, c := range sortedKeys(curs) {
		r := Runway{Currency: c, Available: cash[c] + payable[c]}
		due := func(m Month) int64 {
			var sum int64
			for _, e := range byCur[c] {
				if e.start <= m && m <= e.end {
					sum += e.amount
				}
			}
			return sum
		}
		r.Monthly = due(m0)
		left := r.Available
		for i := 0; i < RunwayCap; i++ {
			m := m0.Add(i)
			d := due(m)
			if !activeFrom(byCur[c], m) {
				break
			}
			if d > left {
				r.RunsOut = m.String()
				break
			}
			left -= d
			r.Months++
		}
		out = append(out, r)
	}
	return out, nil
}

type enrol struct {
	amount     int64
	start, end Month
}

// activeFrom reports whether some enrolment is still due in m or later.
func activeFrom(es []enrol, m Month) bool {
	for _, e := range es {
		if e.end >= m {
			return true
		}
	}
	return false
}

// MonthTotal is a green aggregate: what was paid in one month and
// currency, stipends and rewards apart. No names, no payees.
type MonthTotal struct {
	Month         string
	Currency      string
	StipendsPaid  int64 // minor units
	StipendsCount int
	RewardsPaid   int64
	RewardsCount  int
}

// Totals is the statistics view of finance: per month (of the booking)
// and currency, the stipends and rewards paid, summed in minor units and
// counted, for months from through to ("YYYY-MM", inclusive).
func Totals(ctx context.Context, q store.Querier, fromMonth, toMonth string) ([]MonthTotal, error) {
	f, err1 := ParseMonth(fromMonth)
	t, err2 := ParseMonth(toMonth)
	if err1 != nil || err2 != nil || t < f {
		return nil, &FieldError{"month", "must be two months written YYYY-MM, in order"}
	}
	rows, err := q.QueryContext(ctx, `SELECT t.month, e.currency, t.kind, SUM(e.amount), COUNT(*) FROM finance_tx t JOIN finance_entries e ON e.tx_id = t.id
		WHERE t.kind IN ('stipend', 'reward.pay') AND e.amount > 0 AND t.month >= $1 AND t.month <= $2
		GROUP BY t.month, e.currency, t.kind ORDER BY t.month, e.currency`, f.String(), t.String())
	if err != nil {
		return nil, fmt.Errorf("finance: totals: %w", err)
	}
	defer rows.Close()
	var out []MonthTotal
	for rows.Next() {
		var m, c, kind string
		var sum int64
		var n int
		if err := rows.Scan(&m, &c, &kind, &sum, &n); err != nil {
			return nil, fmt.Errorf("finance: totals: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Month != m || out[len(out)-1].Currency != c {
			out = append(out, MonthTotal{Month: m, Currency: c})
		}
		mt := &out[len(out)-1]
		if kind == "stipend" {
			mt.StipendsPaid, mt.StipendsCount = sum, n
		} else {
			mt.RewardsPaid, mt.RewardsCount = sum, n
		}
	}
	return out, rows.Err()
}

// csvCell guards a cell against formula injection in spreadsheets: a cell
// starting with = + - @ (or a tab or carriage return) gets a leading '.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func writeCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		for i := range r {
			r[i] = csvCell(r[i])
		}
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// LedgerCSV writes the ledger for accountants: one row per line, debit and
// credit in separate columns as decimals of the currency.
func (s *Service) LedgerCSV(ctx context.Context, w io.Writer) error {
	es, err := s.Entries(ctx)
	if err != nil {
		return err
	}
	var rows [][]string
	for _, e := range es {
		debit, credit := "", ""
		if e.Minor > 0 {
			debit = e.Decimal()
		} else {
			credit = Money{e.Currency, -e.Minor}.Decimal()
		}
		rows = append(rows, []string{strconv.FormatInt(e.Tx, 10), e.Day, e.Kind, e.Ref, e.Account, e.Currency, debit, credit})
	}
	return writeCSV(w, []string{"transaction", "day", "kind", "reference", "account", "currency", "debit", "credit"}, rows)
}

// RosterCSV writes run id's roster with payee codes, never names: the
// accountants' copy. (The cash-distribution list with names is CashRoster,
// shown on a page and audited, never exported.)
func (s *Service) RosterCSV(ctx context.Context, id int64, w io.Writer) error {
	r, lines, err := s.GetRun(ctx, id)
	if err != nil {
		return err
	}
	var rows [][]string
	for _, l := range lines {
		rows = append(rows, []string{r.Month, strconv.FormatInt(l.ID, 10), l.Payee, l.ForMonth, strconv.FormatBool(l.Arrears),
			l.Amount.Currency, l.Amount.Decimal(), l.Status, l.Confirm, l.Marked})
	}
	return writeCSV(w, []string{"run", "line", "payee", "for_month", "arrears", "currency", "amount", "status", "confirmed_by", "marked_day"}, rows)
}
