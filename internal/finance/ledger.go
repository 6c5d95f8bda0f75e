package finance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"embrace/internal/store"
)

// Account codes and kinds of the ledger.
const (
	AccountStipendExpense = "expense:stipends"
	AccountRewardExpense  = "expense:rewards"
	AccountRewardsPayable = "payable:rewards"
)

// CashAccount and FundingAccount name a funding source's two accounts:
// the money in hand, and where it came from.
func CashAccount(source string) string    { return "cash:" + source }
func FundingAccount(source string) string { return "funding:" + source }

func accountKind(code string) string {
	switch {
	case len(code) > 5 && code[:5] == "cash:":
		return "asset"
	case len(code) > 8 && code[:8] == "funding:":
		return "equity"
	case len(code) > 8 && code[:8] == "payable:":
		return "liability"
	default:
		return "expense"
	}
}

// Line is one line of a booking: debit positive, credit negative.
type Line struct {
	Account  string
	Currency string
	Amount   int64
}

// Booking is one ledger transaction.
type Booking struct {
	Day, Month string // when ("YYYY-MM-DD", "YYYY-MM")
	Kind       string // deposit, stipend, reward.confirm, reward.pay
	Ref        string // the object: "line:12", "claim:3", "deposit:F-1"
	Actor      string
	Lines      []Line
}

// post books b inside tx after checking it: two or more lines, each a known
// currency and a non-zero amount within MaxMinor, summing to zero per
// currency. It returns the transaction's id.
func post(ctx context.Context, tx *sql.Tx, b Booking) (int64, error) {
	if len(b.Lines) < 2 {
		return 0, fmt.Errorf("%w: fewer than two lines", ErrUnbalanced)
	}
	sums := map[string]int64{}
	for _, l := range b.Lines {
		if _, err := LookupCurrency(l.Currency); err != nil {
			return 0, err
		}
		if l.Amount == 0 || l.Amount > MaxMinor || l.Amount < -MaxMinor {
			return 0, fmt.Errorf("%w: a line's amount is zero or beyond the ceiling", ErrUnbalanced)
		}
		s, err := addMinor(sums[l.Currency], l.Amount)
		if err != nil {
			return 0, err
		}
		sums[l.Currency] = s
	}
	for _, v := range sums {
		if v != 0 {
			return 0, ErrUnbalanced
		}
	}
	var id int64
	if err := tx.QueryRowContext(ctx, "INSERT INTO finance_tx (day, month, kind, ref, actor) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		b.Day, b.Month, b.Kind, b.Ref, b.Actor).Scan(&id); err != nil {
		return 0, fmt.Errorf("finance: book: %w", err)
	}
	for _, l := range b.Lines {
		acc, err := accountID(ctx, tx, l.Account)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO finance_entries (tx_id, account_id, currency, amount) VALUES ($1, $2, $3, $4)",
			id, acc, l.Currency, l.Amount); err != nil {
			return 0, fmt.Errorf("finance: book: %w", err)
		}
	}
	return id, nil
}

// accountID returns the id of account code, creating it on first use.
func accountID(ctx context.Context, tx *sql.Tx, code string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM finance_accounts WHERE code = $1", code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, "INSERT INTO finance_accounts (code, kind) VALUES ($1, $2) RETURNING id", code, accountKind(code)).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("finance: account: %w", err)
	}
	return id, nil
}

// Balance is one account's balance in one currency (debit positive).
type Balance struct {
	Account string
	Kind    string
	Money
}

// Balances lists every account's balance per currency, by account code.
func (s *Service) Balances(ctx context.Context) ([]Balance, error) {
	return balances(ctx, s.st.DB())
}

func balances(ctx context.Context, q store.Querier) ([]Balance, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.code, a.kind, e.currency, SUM(e.amount) FROM finance_entries e
		JOIN finance_accounts a ON a.id = e.account_id GROUP BY a.code, a.kind, e.currency ORDER BY a.code, e.currency`)
	if err != nil {
		return nil, fmt.Errorf("finance: balances: %w", err)
	}
	defer rows.Close()
	var out []Balance
	for rows.Next() {
		var b Balance
		if err := rows.Scan(&b.Account, &b.Kind, &b.Currency, &b.Minor); err != nil {
			return nil, fmt.Errorf("finance: balances: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// TrialBalance sums every account per currency; a balanced ledger returns
// an empty map. It also checks each transaction on its own and returns
// ErrUnbalanced naming the first that does not sum to zero.
func (s *Service) TrialBalance(ctx context.Context) (map[string]int64, error) {
	bs, err := s.Balances(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, b := range bs {
		if out[b.Currency], err = addMinor(out[b.Currency], b.Minor); err != nil {
			return nil, err
		}
	}
	for c, v := range out {
		if v == 0 {
			delete(out, c)
		}
	}
	var bad int64
	err = s.st.DB().QueryRowContext(ctx, `SELECT COALESCE(MIN(tx_id), 0) FROM (SELECT tx_id, currency FROM finance_entries
		GROUP BY tx_id, currency HAVING SUM(amount) <> 0) u`).Scan(&bad)
	if err != nil {
		return nil, fmt.Errorf("finance: trial balance: %w", err)
	}
	var short int64
	err = s.st.DB().QueryRowContext(ctx, `SELECT COALESCE(MIN(t.id), 0) FROM finance_tx t
		WHERE (SELECT COUNT(*) FROM finance_entries e WHERE e.tx_id = t.id) < 2`).Scan(&short)
	if err != nil {
		return nil, fmt.Errorf("finance: trial balance: %w", err)
	}
	if bad != 0 || short != 0 || len(out) > 0 {
		return out, fmt.Errorf("%w: transaction %d", ErrUnbalanced, max(bad, short))
	}
	return out, nil
}

// Cash returns the money in hand per currency (every cash account summed).
func (s *Service) Cash(ctx context.Context) (map[string]int64, error) {
	return sumAccounts(ctx, s.st.DB(), "cash:%")
}

func sumAccounts(ctx context.Context, q store.Querier, like string) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.currency, SUM(e.amount) FROM finance_entries e JOIN finance_accounts a ON a.id = e.account_id
		WHERE a.code LIKE $1 GROUP BY e.currency`, like)
	if err != nil {
		return nil, fmt.Errorf("finance: sum accounts: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var c string
		var v int64
		if err := rows.Scan(&c, &v); err != nil {
			return nil, fmt.Errorf("finance: sum accounts: %w", err)
		}
		out[c] = v
	}
	return out, rows.Err()
}

// Entry is one ledger line as the export shows it.
type Entry struct {
	Tx      int64
	Day     string
	Kind    string
	Ref     string
	Account string
	Money
}

// Entries lists the ledger, oldest first.
func (s *Service) Entries(ctx context.Context) ([]Entry, error) {
	rows, err := s.st.DB().QueryContext(ctx, `SELECT t.id, t.day, t.kind, t.ref, a.code, e.currency, e.amount FROM finance_entries e
		JOIN finance_tx t ON t.id = e.tx_id JOIN finance_accounts a ON a.id = e.account_id ORDER BY t.id, e.id`)
	if err != nil {
		return nil, fmt.Errorf("finance: ledger: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Tx, &e.Day, &e.Kind, &e.Ref, &e.Account, &e.Currency, &e.Minor); err != nil {
			return nil, fmt.Errorf("finance: ledger: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func sortedKeys(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
