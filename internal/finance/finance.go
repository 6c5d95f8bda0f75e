// Package finance keeps the network's money: payees, monthly stipends and
// their payment runs, rewards for leaving with arms or a vehicle, funding
// sources with budgets, exchange rates, a runway forecast and a
// double-entry ledger in integer minor units.
//
// # Money
//
// Every amount is a [Money]: an ISO 4217 currency and an int64 count of its
// minor unit. There is no floating point in this package (a test greps for
// it). Amounts are parsed by [ParseMoney] (ASCII or Burmese digits,
// thousands separators, at most the currency's decimal places) and refused
// when negative, zero where a payment is meant, above [MaxMinor] or in an
// unknown currency. Conversions between currencies use rational rates
// (numerator/denominator integers) and round half away from zero, once, at
// the end (see [Service.Convert]).
//
// # Ledger
//
// Every business action that moves money books a transaction of two or
// more lines summing to zero per currency (debits positive, credits
// negative), in the same database transaction as the action and its audit
// entry: a deposit (cash ← funding), a stipend paid (stipend expense ←
// cash), a reward confirmed (reward expense ← rewards payable), a reward
// paid (rewards payable ← cash). Nothing else writes to the ledger, so the
// sum of every account is zero per currency at all times, which
// [Service.TrialBalance] checks. Stipends are booked when paid (cash
// basis: the money leaves in hand), so a missed or refused line books
// nothing and a run reconciles when its paid lines equal its bookings.
//
// # What finance sees (DESIGN §2 invariants 1 and 3)
//
// A payee is an opaque code ("P-7Q4KXM") linked to a case. The payee's name
// and how to pay them are sealed under the payee's own key, wrapped to the
// finance team and escrow by the case handler who enrols them (they hold
// the case key; finance does not, and has no case.read). Finance officers
// see codes, amounts, months and statuses; names only when they open a
// payee or ask for a cash-distribution roster, each of which is audited.
// Nothing in this package reads or stores where a person is. Payment
// witnesses are sealed under the payee key; reward evidence and custody
// records (who received the items, when, where they are held) under the
// claim's own key, wrapped to the finance team and escrow. The recipient's
// code that confirms a payment is kept only as a blind index under the
// payee's own index key, so a seized database cannot be searched for it.
//
// # Rules
//
// A second payment for the same payee and month is refused (and a unique
// index makes it impossible). A reward is booked only after two different
// finance officers approved it; the same officer approving twice is
// refused and books nothing. Every refusal changes nothing.
package finance

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/store"
)

// Object kinds of the keys this package wraps.
const (
	ObjectPayee         = "finance_payee"
	ObjectClaim         = "finance_claim"
	ObjectRecipientCode = "finance_payee_code" // the index key of a payee's recipient's code
)

// Errors. Messages state the rule and what to do, never a red value.
var (
	ErrInvalid      = errors.New("finance: invalid input")
	ErrForbidden    = errors.New("finance: your role does not allow this")
	ErrDoublePay    = errors.New("finance: this payee has already been paid for that month")
	ErrNotPending   = errors.New("finance: this line has already been marked")
	ErrRunOpen      = errors.New("finance: an earlier payment run is still open; reconcile it first")
	ErrRunExists    = errors.New("finance: there is already a payment run for that month")
	ErrRunClosed    = errors.New("finance: the payment run is closed")
	ErrUnreconciled = errors.New("finance: the run does not reconcile")
	ErrSameOfficer  = errors.New("finance: a second, different finance officer must confirm this approval")
	ErrClaimState   = errors.New("finance: the claim is not in a state that allows this")
	ErrConfirm      = errors.New("finance: the recipient's code does not match")
	ErrUnbalanced   = errors.New("finance: the booking does not balance")
	ErrNoRate       = errors.New("finance: no exchange rate known for that day")
	ErrNotCleared   = errors.New("finance: the case is not verified by vetting")
	ErrFileType     = errors.New("finance: evidence must be a JPEG, PNG or WebP image or a PDF")
	ErrFileTooLarge = errors.New("finance: the evidence file is too large")
)

// FieldError is bad input in one field; it names the field, never its
// value.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return "finance: " + e.Field + ": " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldErr(field string, err error) error {
	return &FieldError{Field: field, Reason: strings.TrimPrefix(err.Error(), "finance: ")}
}

// Service is the finance capability on one store.
type Service struct {
	st  *store.Store
	now func() time.Time
}

// New returns the finance service on st; now is the clock (nil: time.Now).
func New(st *store.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, now: now}
}

// Actor is who acts (the same as casework's).
type Actor = casework.Actor

func (s *Service) today() string { return s.now().UTC().Format(time.DateOnly) }

// Today is the current day, "YYYY-MM-DD".
func (s *Service) Today() string { return s.today() }

// ThisMonth is the current month, "YYYY-MM".
func (s *Service) ThisMonth() string { return s.now().UTC().Format("2006-01") }

func requireFinance(a Actor) error {
	if !auth.Can(a.Roles, auth.PermFinance) {
		return ErrForbidden
	}
	return nil
}

// Month is a calendar month as a count of months since year 0.
type Month int

// ParseMonth reads "YYYY-MM" (ASCII or Burmese digits), years 2000–2200.
func ParseMonth(s string) (Month, error) {
	y, m, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok || len([]rune(y)) != 4 || len([]rune(m)) != 2 {
		return 0, fmt.Errorf("%w: a month is written YYYY-MM", ErrInvalid)
	}
	yd, err1 := digits(y)
	md, err2 := digits(m)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%w: a month is written YYYY-MM", ErrInvalid)
	}
	yy, _ := strconv.Atoi(yd)
	mm, _ := strconv.Atoi(md)
	if yy < 2000 || yy > 2200 || mm < 1 || mm > 12 {
		return 0, fmt.Errorf("%w: a month is written YYYY-MM, from 2000-01", ErrInvalid)
	}
	return Month(yy*12 + mm - 1), nil
}

func digits(s string) (string, error) {
	for _, r := range s {
		if !(r >= '0' && r <= '9') && !(r >= '၀' && r <= '၉') {
			return "", ErrInvalid
		}
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '၀' {
			r = '0' + (r - '၀')
		}
		b.WriteRune(r)
	}
	return b.String(), nil
}

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", int(m)/12, int(m)%12+1) }

// Add returns the month n months later.
func (m Month) Add(n int) Month { return m + Month(n) }

const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ" // no 0/O, 1/I

// randomCode returns prefix + n characters from codeAlphabet.
func randomCode(prefix string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return prefix + string(b)
}

// ErrorCode names the kind of a finance error for the web and API layers
// ("" for an internal error): each maps it to a status and a translated
// message. The codes are stable.
func ErrorCode(err error) string {
	var fe *FieldError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &fe):
		return "invalid"
	case errors.Is(err, store.ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrForbidden):
		return "forbidden"
	}
	for _, c := range []struct {
		err  error
		code string
	}{
		{ErrDoublePay, "double_payment"}, {ErrNotPending, "not_pending"}, {ErrRunOpen, "run_open"}, {ErrRunExists, "run_exists"},
		{ErrRunClosed, "run_closed"}, {ErrUnreconciled, "unreconciled"}, {ErrSameOfficer, "same_officer"}, {ErrClaimState, "claim_state"},
		{ErrConfirm, "confirm"}, {ErrNoRate, "no_rate"}, {ErrNotCleared, "not_cleared"}, {ErrFileType, "file_type"},
		{ErrFileTooLarge, "file_too_large"}, {ErrFunds, "funds"}, {ErrCurrency, "invalid"}, {ErrAmount, "invalid"},
		{ErrFraction, "invalid"}, {ErrNegative, "invalid"}, {ErrZero, "invalid"}, {ErrTooLarge, "invalid"}, {ErrInvalid, "invalid"},
	} {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}

// ErrorField is the field a FieldError names ("" for other errors).
func ErrorField(err error) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

// ErrNotFoundf is the not-found error for a kind of object (a malformed
// id is answered like a missing object).
func ErrNotFoundf(what string) error { return fmt.Errorf("finance: %s: %w", what, store.ErrNotFound) }

// LogValue keeps red values out of logs (slog marshals nested values as
// they are, so every type holding one answers for itself).
func (m Mark) LogValue() slog.Value { return slog.StringValue(m.String()) }

// LogValue keeps the file's name out of logs.
func (Evidence) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// LogValue keeps the file's name out of logs.
func (EvidenceInfo) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// LogValue names the line only.
func (l NamedLine) LogValue() slog.Value {
	return slog.StringValue("line:" + strconv.FormatInt(l.ID, 10))
}

// LogValue keeps the custody record and file names out of logs.
func (ClaimRecord) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// LogValue keeps the claim out of logs (its fields are unchecked input).
func (NewClaim) LogValue() slog.Value { return slog.StringValue("[redacted]") }
