package finance

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"embrace/internal/myanmar"
)

// Currency is an ISO 4217 currency this deployment keeps books in, with
// its minor-unit exponent (the number of decimal places of its minor unit).
type Currency struct {
	Code     string
	Exponent int
}

// currencies is the table of ISO 4217 codes Embrace accepts, with the
// exponents ISO 4217 gives them. MMK keeps ISO's exponent 2 (pya) although
// pya are not used in practice: the ledger then agrees with banks' and
// accountants' tools, and a kyat amount is simply shown without its
// fraction when the fraction is zero (every amount is; see Money.String).
var currencies = map[string]Currency{
	"MMK": {"MMK", 2},
	"THB": {"THB", 2},
	"USD": {"USD", 2},
	"EUR": {"EUR", 2},
	"GBP": {"GBP", 2},
	"INR": {"INR", 2},
	"CNY": {"CNY", 2},
	"SGD": {"SGD", 2},
	"AUD": {"AUD", 2},
	"JPY": {"JPY", 0},
	"KRW": {"KRW", 0},
}

// Currencies lists the accepted currency codes, in a fixed order.
func Currencies() []string {
	return []string{"MMK", "THB", "USD", "EUR", "GBP", "INR", "CNY", "SGD", "AUD", "JPY", "KRW"}
}

// LookupCurrency returns the currency with code (upper case), or
// ErrCurrency.
func LookupCurrency(code string) (Currency, error) {
	c, ok := currencies[code]
	if !ok {
		return Currency{}, ErrCurrency
	}
	return c, nil
}

// MaxMinor is the ceiling of any one amount, in minor units (10^12: ten
// billion baht or dollars). A larger amount is a typo or an attack, and
// keeping every amount below it means sums of millions of lines still fit
// in an int64.
const MaxMinor int64 = 1_000_000_000_000

// Money is an amount in integer minor units of a currency. There is no
// floating point anywhere in this package.
type Money struct {
	Currency string
	Minor    int64
}

// Errors of the money parser. Messages name the rule, never the input.
var (
	ErrCurrency = errors.New("finance: unknown currency (use an ISO 4217 code such as MMK, THB or USD)")
	ErrAmount   = errors.New("finance: not an amount (write digits, optionally with thousands separators and a decimal point, like 1,000.50)")
	ErrFraction = errors.New("finance: the amount has more decimal places than the currency's smallest unit")
	ErrNegative = errors.New("finance: the amount must not be negative")
	ErrZero     = errors.New("finance: the amount must be more than zero")
	ErrTooLarge = errors.New("finance: the amount is larger than the ceiling of 10^12 minor units")
)

// ParseMoney reads an amount such as "1,000.50 THB", "1000" (with
// currency given) or "၁,၀၀၀ MMK" (Burmese digits). A currency written in s
// must agree with currency when both are given. Zero is refused unless
// allowZero; negative, fractional beyond the minor unit, absurd (over
// MaxMinor) and unknown currencies are refused.
func ParseMoney(s, currency string, allowZero bool) (Money, error) {
	s = strings.TrimSpace(s)
	if len(s) > 64 {
		return Money{}, ErrAmount
	}
	if i := strings.LastIndexByte(s, ' '); i >= 0 {
		code := strings.ToUpper(strings.TrimSpace(s[i+1:]))
		if currency != "" && code != currency {
			return Money{}, ErrCurrency
		}
		currency, s = code, strings.TrimSpace(s[:i])
	}
	c, err := LookupCurrency(currency)
	if err != nil {
		return Money{}, err
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		return Money{}, ErrNegative
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if hasPoint && frac == "" {
		return Money{}, ErrAmount
	}
	whole, err = parseWhole(whole)
	if err != nil {
		return Money{}, err
	}
	if hasPoint {
		if strings.TrimSpace(frac) != frac {
			return Money{}, ErrAmount
		}
		if frac, err = myanmar.ParseDigits(frac); err != nil {
			return Money{}, ErrAmount
		}
		if t := strings.TrimRight(frac, "0"); len(t) > c.Exponent {
			return Money{}, ErrFraction
		}
		if len(frac) > c.Exponent {
			frac = frac[:c.Exponent]
		}
	}
	frac += strings.Repeat("0", c.Exponent-len(frac))
	digits := strings.TrimLeft(whole+frac, "0")
	if len(digits) > 13 {
		return Money{}, ErrTooLarge
	}
	var v int64
	if digits != "" {
		if v, err = strconv.ParseInt(digits, 10, 64); err != nil {
			return Money{}, ErrAmount
		}
	}
	if v > MaxMinor {
		return Money{}, ErrTooLarge
	}
	if v == 0 && !allowZero {
		return Money{}, ErrZero
	}
	return Money{Currency: c.Code, Minor: v}, nil
}

// parseWhole reads the whole part: digits (ASCII or Burmese), with commas
// between groups of three when present at all.
func parseWhole(s string) (string, error) {
	if s == "" {
		return "", ErrAmount
	}
	if strings.Contains(s, ",") {
		groups := strings.Split(s, ",")
		for i, g := range groups {
			n := len([]rune(g))
			if (i == 0 && (n < 1 || n > 3)) || (i > 0 && n != 3) {
				return "", ErrAmount
			}
		}
		s = strings.Join(groups, "")
	}
	d, err := myanmar.ParseDigits(s)
	if err != nil {
		return "", ErrAmount
	}
	return d, nil
}

// NewMoney checks an amount given in minor units (from the API or a
// form's hidden field): known currency, not negative, not over MaxMinor,
// not zero unless allowZero.
func NewMoney(currency string, minor int64, allowZero bool) (Money, error) {
	if _, err := LookupCurrency(currency); err != nil {
		return Money{}, err
	}
	switch {
	case minor < 0:
		return Money{}, ErrNegative
	case minor > MaxMinor:
		return Money{}, ErrTooLarge
	case minor == 0 && !allowZero:
		return Money{}, ErrZero
	}
	return Money{Currency: currency, Minor: minor}, nil
}

// Decimal formats the amount without its currency and without thousands
// separators, always with the currency's decimal places ("1000.50",
// "-25.00"): the form accountants' tools read.
func (m Money) Decimal() string {
	c, ok := currencies[m.Currency]
	exp := 2
	if ok {
		exp = c.Exponent
	}
	neg := m.Minor < 0
	u := uint64(m.Minor)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	if exp > 0 {
		if len(s) <= exp {
			s = strings.Repeat("0", exp-len(s)+1) + s
		}
		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// String formats the amount for a person: thousands separated by commas,
// the fraction shown only when it is not zero, then the code ("1,000 THB",
// "1,000.50 THB"). ParseMoney reads it back to the same Money.
func (m Money) String() string {
	d := m.Decimal()
	neg := strings.HasPrefix(d, "-")
	d = strings.TrimPrefix(d, "-")
	whole, frac, _ := strings.Cut(d, ".")
	if strings.Trim(frac, "0") == "" {
		frac = ""
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	b.WriteString(" " + m.Currency)
	return b.String()
}

// Burmese is String with Burmese digits, for pages read in Burmese.
func (m Money) Burmese() string { return myanmar.BurmeseDigits(m.String()) }

// addMinor adds without overflowing.
func addMinor(a, b int64) (int64, error) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, fmt.Errorf("finance: %w", ErrTooLarge)
	}
	return s, nil
}
