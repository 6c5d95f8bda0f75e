package finance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"embrace/internal/audit"
	"embrace/internal/myanmar"
	"embrace/internal/store"
)

// Source is a funding source: a green label (not a donor's identity), the
// currency it is held in and its budget (what was pledged).
type Source struct {
	ID       int64
	Code     string
	Label    string
	Budget   Money
	Received int64 // deposits so far, minor units
	Cash     int64 // cash balance, minor units
}

const maxLabel = 100

// AddSource records a funding source with a budget.
func (s *Service) AddSource(ctx context.Context, a Actor, label string, budget Money) (Source, error) {
	if err := requireFinance(a); err != nil {
		return Source{}, err
	}
	t, err := myanmar.Clean(label)
	if err != nil || t.Value == "" || len([]rune(t.Value)) > maxLabel {
		return Source{}, &FieldError{"label", "must be 1 to 100 characters of text"}
	}
	if budget, err = NewMoney(budget.Currency, budget.Minor, true); err != nil {
		return Source{}, fieldErr("budget", err)
	}
	src := Source{Label: t.Value, Budget: budget}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var n int64
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM finance_sources").Scan(&n); err != nil {
			return err
		}
		src.Code = "F-" + strconv.FormatInt(n+1, 10)
		if err := tx.QueryRowContext(ctx, "INSERT INTO finance_sources (code, label, currency, budget, created_day) VALUES ($1, $2, $3, $4, $5) RETURNING id",
			src.Code, src.Label, budget.Currency, budget.Minor, s.today()).Scan(&src.ID); err != nil {
			return fmt.Errorf("finance: add source: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.source.add", Object: "source:" + src.Code,
			Detail: map[string]string{"budget": budget.Decimal(), "currency": budget.Currency}})
		return err
	})
	return src, err
}

func (s *Service) sourceByCode(ctx context.Context, q store.Querier, code string) (Source, error) {
	var src Source
	err := q.QueryRowContext(ctx, "SELECT id, code, label, currency, budget FROM finance_sources WHERE code = $1", code).
		Scan(&src.ID, &src.Code, &src.Label, &src.Budget.Currency, &src.Budget.Minor)
	if errors.Is(err, sql.ErrNoRows) {
		return Source{}, fmt.Errorf("finance: funding source: %w", store.ErrNotFound)
	}
	if err != nil {
		return Source{}, fmt.Errorf("finance: funding source: %w", err)
	}
	return src, nil
}

// Sources lists the funding sources with what was received and is in hand.
func (s *Service) Sources(ctx context.Context) ([]Source, error) {
	rows, err := s.st.DB().QueryContext(ctx, `SELECT s.id, s.code, s.label, s.currency, s.budget,
		COALESCE((SELECT -SUM(e.amount) FROM finance_entries e JOIN finance_accounts a ON a.id = e.account_id WHERE a.code = 'funding:' || s.code AND e.currency = s.currency), 0),
		COALESCE((SELECT SUM(e.amount) FROM finance_entries e JOIN finance_accounts a ON a.id = e.account_id WHERE a.code = 'cash:' || s.code AND e.currency = s.currency), 0)
		FROM finance_sources s ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("finance: sources: %w", err)
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		var src Source
		if err := rows.Scan(&src.ID, &src.Code, &src.Label, &src.Budget.Currency, &src.Budget.Minor, &src.Received, &src.Cash); err != nil {
			return nil, fmt.Errorf("finance: sources: %w", err)
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// Deposit books money received from a funding source into its cash
// account. The deposit must be in the source's currency and keep the total
// received within the budget.
func (s *Service) Deposit(ctx context.Context, a Actor, code string, m Money, day string) error {
	if err := requireFinance(a); err != nil {
		return err
	}
	if _, err := NewMoney(m.Currency, m.Minor, false); err != nil {
		return fieldErr("amount", err)
	}
	d, err := parseDay(day)
	if err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		src, err := s.sourceByCode(ctx, tx, code)
		if err != nil {
			return err
		}
		if m.Currency != src.Budget.Currency {
			return &FieldError{"amount", "must be in the funding source's currency"}
		}
		got, err := sumAccounts(ctx, tx, FundingAccount(src.Code))
		if err != nil {
			return err
		}
		total, err := addMinor(-got[m.Currency], m.Minor)
		if err != nil || total > src.Budget.Minor {
			return &FieldError{"amount", "would take the deposits beyond the source's budget"}
		}
		if _, err := post(ctx, tx, Booking{Day: d.Format(time.DateOnly), Month: d.Format("2006-01"), Kind: "deposit", Ref: "source:" + src.Code, Actor: a.Name,
			Lines: []Line{{CashAccount(src.Code), m.Currency, m.Minor}, {FundingAccount(src.Code), m.Currency, -m.Minor}}}); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.deposit", Object: "source:" + src.Code,
			Detail: map[string]string{"amount": m.Decimal(), "currency": m.Currency}})
		return err
	})
}

func parseDay(day string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil || d.Year() < 2000 || d.Year() > 2200 {
		return time.Time{}, &FieldError{"day", "must be a date written YYYY-MM-DD"}
	}
	return d, nil
}

// Rate is an exchange rate from Day on: 1 Base is Num/Den Quote (in major
// units). Rates are rational so that no rate is ever rounded.
type Rate struct {
	Day         string
	Base, Quote string
	Num, Den    int64
}

// maxRatePart bounds a rate's numerator and denominator.
const maxRatePart = 1_000_000_000_000

// ParseRate reads a decimal rate such as "0.0275" or "35.12" (ASCII or
// Burmese digits) into an exact fraction.
func ParseRate(s string) (num, den int64, err error) {
	bad := &FieldError{"rate", "must be a positive decimal number such as 35.12, with at most 9 decimal places"}
	whole, frac, dot := cutDot(s)
	if dot && frac == "" {
		return 0, 0, bad
	}
	w, err1 := myanmar.ParseDigits(whole)
	f := ""
	if frac != "" {
		var err2 error
		if f, err2 = myanmar.ParseDigits(frac); err2 != nil {
			return 0, 0, bad
		}
	}
	if err1 != nil || len(f) > 9 || len(w) > 12 {
		return 0, 0, bad
	}
	n, err := strconv.ParseInt(w+f, 10, 64)
	if err != nil || n <= 0 {
		return 0, 0, bad
	}
	d := int64(1)
	for range len(f) {
		d *= 10
	}
	g := new(big.Int).GCD(nil, nil, big.NewInt(n), big.NewInt(d)).Int64()
	return n / g, d / g, nil
}

func cutDot(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// SetRate records a rate for a day (replacing that day's rate).
func (s *Service) SetRate(ctx context.Context, a Actor, r Rate) error {
	if err := requireFinance(a); err != nil {
		return err
	}
	if _, err := LookupCurrency(r.Base); err != nil {
		return fieldErr("base", err)
	}
	if _, err := LookupCurrency(r.Quote); err != nil {
		return fieldErr("quote", err)
	}
	if r.Base == r.Quote {
		return &FieldError{"quote", "must differ from the base currency"}
	}
	if r.Num <= 0 || r.Den <= 0 || r.Num > maxRatePart || r.Den > maxRatePart {
		return &FieldError{"rate", "must be a positive fraction"}
	}
	if _, err := parseDay(r.Day); err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM finance_rates WHERE day = $1 AND base = $2 AND quote = $3", r.Day, r.Base, r.Quote); err != nil {
			return fmt.Errorf("finance: rate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO finance_rates (day, base, quote, num, den) VALUES ($1, $2, $3, $4, $5)",
			r.Day, r.Base, r.Quote, r.Num, r.Den); err != nil {
			return fmt.Errorf("finance: rate: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.rate", Object: "rate:" + r.Base + r.Quote,
			Detail: map[string]string{"day": r.Day, "rate": strconv.FormatInt(r.Num, 10) + "/" + strconv.FormatInt(r.Den, 10)}})
		return err
	})
}

// rateOn returns the rate base→quote in force on day (the latest on or
// before it), trying the inverse of quote→base when there is none.
func (s *Service) rateOn(ctx context.Context, base, quote, day string) (num, den int64, err error) {
	q := `SELECT num, den FROM finance_rates WHERE base = $1 AND quote = $2 AND day <= $3 ORDER BY day DESC LIMIT 1`
	err = s.st.DB().QueryRowContext(ctx, q, base, quote, day).Scan(&num, &den)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.st.DB().QueryRowContext(ctx, q, quote, base, day).Scan(&den, &num)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, ErrNoRate
	}
	if err != nil {
		return 0, 0, fmt.Errorf("finance: rate: %w", err)
	}
	return num, den, nil
}

// Convert expresses m in currency to at the rate in force on day. The
// result is m.Minor × num/den × 10^(exp(to) − exp(from)), computed exactly
// in integers and rounded once, half away from zero, to to's minor unit.
func (s *Service) Convert(ctx context.Context, m Money, to, day string) (Money, error) {
	if m.Currency == to {
		return m, nil
	}
	from, err := LookupCurrency(m.Currency)
	if err != nil {
		return Money{}, err
	}
	dst, err := LookupCurrency(to)
	if err != nil {
		return Money{}, err
	}
	num, den, err := s.rateOn(ctx, m.Currency, to, day)
	if err != nil {
		return Money{}, err
	}
	return convert(m.Minor, num, den, from.Exponent, dst.Exponent, to)
}

func convert(minor, num, den int64, fromExp, toExp int, to string) (Money, error) {
	n := new(big.Int).Mul(big.NewInt(minor), big.NewInt(num))
	d := big.NewInt(den)
	if e := toExp - fromExp; e > 0 {
		n.Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil))
	} else if e < 0 {
		d.Mul(d, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-e)), nil))
	}
	r := roundHalfAway(n, d)
	if !r.IsInt64() {
		return Money{}, ErrTooLarge
	}
	return Money{Currency: to, Minor: r.Int64()}, nil
}

// roundHalfAway returns n/d rounded to the nearest integer, halves away
// from zero (d > 0).
func roundHalfAway(n, d *big.Int) *big.Int {
	neg := n.Sign() < 0
	a := new(big.Int).Abs(n)
	q, r := new(big.Int).QuoRem(a, d, new(big.Int))
	if new(big.Int).Mul(r, big.NewInt(2)).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q
}

// DefaultReportingCurrency is the currency totals are reported in when
// none is asked for.
const DefaultReportingCurrency = "THB"

// ReportTotal expresses amounts (minor units by currency) in currency to
// at the rates in force on day: each currency's total is converted once
// (see Convert: exact, rounded half away from zero) and the results are
// summed. Currencies without a rate are left out and listed in missing.
func (s *Service) ReportTotal(ctx context.Context, amounts map[string]int64, to, day string) (total Money, missing []string, err error) {
	if _, err := LookupCurrency(to); err != nil {
		return Money{}, nil, fieldErr("currency", err)
	}
	total.Currency = to
	for _, c := range sortedKeys(amounts) {
		if amounts[c] == 0 {
			continue
		}
		m, err := s.Convert(ctx, Money{Currency: c, Minor: amounts[c]}, to, day)
		if errors.Is(err, ErrNoRate) {
			missing = append(missing, c)
			continue
		}
		if err != nil {
			return Money{}, nil, err
		}
		if total.Minor, err = addMinor(total.Minor, m.Minor); err != nil {
			return Money{}, nil, err
		}
	}
	return total, missing, nil
}
