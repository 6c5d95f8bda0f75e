package vetting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"embrace/internal/casework"
	"embrace/internal/store"
)

// SettingQuarantineDays names the setting holding the quarantine period:
// the whole days that must pass after a case is verified before a
// shelter's location may be disclosed to it.
const SettingQuarantineDays = "vetting_quarantine_days"

// DefaultQuarantineDays is the quarantine when the setting is absent.
const DefaultQuarantineDays = 14

// MaxQuarantineDays bounds the setting (a year): a larger value is a typo.
const MaxQuarantineDays = 366

var (
	// ErrNotVerified: the case was never verified by vetting, or has left
	// the verified path since (rejected, suspected, withdrawn…).
	ErrNotVerified = errors.New("vetting: the case is not verified")
	// ErrBadQuarantine: a quarantine setting that is not a whole number of
	// days between 0 and MaxQuarantineDays.
	ErrBadQuarantine = errors.New("vetting: the quarantine must be a whole number of days from 0 to 366")
)

// QuarantineError says a verified case is still in quarantine, and until
// which day (the first day it is cleared).
type QuarantineError struct {
	Until time.Time
}

func (e *QuarantineError) Error() string {
	return "vetting: the case is in quarantine until " + e.Until.Format(time.DateOnly)
}

// clearedStates are the states on the verified path: a case in any other
// state is not cleared, whatever its history.
var clearedStates = map[string]bool{
	casework.StateVerified: true, casework.StateInPassage: true, casework.StateArrived: true,
	casework.StateSheltered: true, casework.StateResettled: true,
}

// QuarantineDays reads the quarantine period (DefaultQuarantineDays when
// unset).
func QuarantineDays(ctx context.Context, q store.Querier) (int, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = $1", SettingQuarantineDays).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultQuarantineDays, nil
	}
	if err != nil {
		return 0, fmt.Errorf("vetting: quarantine: %w", err)
	}
	return parseQuarantine(v)
}

func parseQuarantine(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > MaxQuarantineDays {
		return 0, ErrBadQuarantine
	}
	return n, nil
}

// SetQuarantineDays stores the quarantine period inside tx; a value out of
// range is refused and nothing is written.
func SetQuarantineDays(ctx context.Context, tx *sql.Tx, days int) error {
	if _, err := parseQuarantine(strconv.Itoa(days)); err != nil {
		return err
	}
	return store.SetSetting(ctx, tx, SettingQuarantineDays, strconv.Itoa(days))
}

// VerifiedDay is the day vetting last verified case id (its latest move
// from vetting to verified), read from the green timeline. ok is false
// when vetting never verified it.
func VerifiedDay(ctx context.Context, q store.Querier, caseID int64) (day time.Time, ok bool, err error) {
	var d sql.NullString
	err = q.QueryRowContext(ctx, "SELECT MAX(day) FROM case_events WHERE case_id = $1 AND from_state = $2 AND to_state = $3",
		caseID, casework.StateVetting, casework.StateVerified).Scan(&d)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("vetting: verified day: %w", err)
	}
	if !d.Valid || d.String == "" {
		return time.Time{}, false, nil
	}
	day, err = time.Parse(time.DateOnly, d.String)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("vetting: verified day: %w", err)
	}
	return day, true, nil
}

// Cleared reports whether a shelter's location may be disclosed to case
// id at now: it is on the verified path, vetting verified it, and the
// quarantine has passed. It returns nil, ErrNotVerified, a
// *QuarantineError or a storage error. Run it in the transaction that
// discloses, so the answer cannot change underneath.
func Cleared(ctx context.Context, q store.Querier, caseID int64, now time.Time) error {
	day, err := verifiedOn(ctx, q, caseID)
	if err != nil {
		return err
	}
	days, err := QuarantineDays(ctx, q)
	if err != nil {
		return err
	}
	until := day.AddDate(0, 0, days)
	today := now.UTC().Truncate(24 * time.Hour)
	if today.Before(until) {
		return &QuarantineError{Until: until}
	}
	return nil
}

// Verified reports whether case id is verified by vetting and still on the
// verified path, ignoring the quarantine (which matters for disclosing a
// shelter, not for certifying membership). It returns nil, ErrNotVerified,
// a store.ErrNotFound error or a storage error.
func Verified(ctx context.Context, q store.Querier, caseID int64) error {
	_, err := verifiedOn(ctx, q, caseID)
	return err
}

// verifiedOn is the day vetting verified case id, when the case is still
// on the verified path; else ErrNotVerified (or a not-found or storage
// error).
func verifiedOn(ctx context.Context, q store.Querier, caseID int64) (time.Time, error) {
	var state string
	err := q.QueryRowContext(ctx, "SELECT state FROM cases WHERE id = $1", caseID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("vetting: case: %w", store.ErrNotFound)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("vetting: case: %w", err)
	}
	if !clearedStates[state] {
		return time.Time{}, ErrNotVerified
	}
	day, ok, err := VerifiedDay(ctx, q, caseID)
	if err != nil {
		return time.Time{}, err
	}
	if !ok {
		return time.Time{}, ErrNotVerified
	}
	return day, nil
}
