package vetting

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/myanmar"
	"embrace/internal/store"
)

// Service is the vetting capability: checks, evidence, decisions, the
// watch list, screening and alerts.
type Service struct {
	st  *store.Store
	cw  *casework.Service
	now func() time.Time
}

// New returns the vetting capability on st. Vetting's verdict moves
// (vetting → verified, rejected, suspected infiltrator) are decision moves
// of casework's lifecycle: a plain transition refuses them, and
// Confirm makes them, so one officer alone cannot verify anyone.
func New(st *store.Store, cw *casework.Service) *Service {
	return &Service{st: st, cw: cw, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() string { return s.now().UTC().Format(time.DateOnly) }

// ErrInvalid is wrapped by every InputError.
var ErrInvalid = errors.New("invalid")

// InputError names the field that was refused and why, never its value.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return "vetting: " + e.Field + ": " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *InputError) Unwrap() error { return ErrInvalid }

var (
	// ErrNotInVetting: checks, evidence and decisions need the case to be
	// in state vetting.
	ErrNotInVetting = errors.New("vetting: the case is not in vetting")
	// ErrSameOfficer: the officer who proposed a decision cannot confirm it.
	ErrSameOfficer = errors.New("vetting: a decision must be confirmed by a different officer")
	// ErrClosed: the decision was already confirmed or withdrawn.
	ErrClosed = errors.New("vetting: the decision is no longer open")
	// ErrPending: a decision already waits for confirmation on this case.
	ErrPending = errors.New("vetting: a decision already waits for confirmation; confirm or withdraw it first")
	// ErrForbidden: the actor's roles do not allow the step.
	ErrForbidden = errors.New("vetting: your role does not allow this")
	// ErrNoWatchList: the session does not hold the watch list's key.
	ErrNoWatchList = errors.New("vetting: only vetting leads holding the watch-list key can do this")
	// ErrTooLarge: evidence over MaxEvidence.
	ErrTooLarge = errors.New("vetting: the file is larger than 10 MiB")
	// ErrFileType: evidence that is not JPEG, PNG, PDF or plain text.
	ErrFileType = errors.New("vetting: the file must be a JPEG or PNG image, a PDF or plain text")
)

// newRef returns a random row reference (so a row is sealed before it is
// inserted).
func newRef() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func caseObject(id int64) string { return "case:" + strconv.FormatInt(id, 10) }

// cleanText passes v through the Myanmar text boundary and bounds it.
func cleanText(field, v string, limit int, required bool) (string, error) {
	if len(v) > limit {
		return "", &InputError{field, "is too long (at most " + strconv.Itoa(limit) + " bytes)"}
	}
	t, err := myanmar.Clean(v)
	if err != nil {
		return "", &InputError{field, "is not valid text"}
	}
	if required && t.Value == "" {
		return "", &InputError{field, "is required"}
	}
	return t.Value, nil
}

// caseKey opens case id's key with ring; no key (or no case) is
// store.ErrNotFound.
func (s *Service) caseKey(ctx context.Context, ring *keys.Keyring, id int64) (*keys.DataKey, error) {
	if ring == nil {
		return nil, fmt.Errorf("vetting: case %d: %w", id, store.ErrNotFound)
	}
	k, err := ring.OpenObjectKey(ctx, s.st.DB(), casework.ObjectCase, strconv.FormatInt(id, 10))
	if errors.Is(err, keys.ErrNoAccess) {
		return nil, fmt.Errorf("vetting: case %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("vetting: open case key: %w", err)
	}
	return k, nil
}

// caseState reads the state of case id inside q.
func caseState(ctx context.Context, q store.Querier, id int64) (string, error) {
	var st string
	err := q.QueryRowContext(ctx, "SELECT state FROM cases WHERE id = $1", id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("vetting: case %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("vetting: case: %w", err)
	}
	return st, nil
}

// inVetting opens the case key and checks, inside tx, that the case is in
// vetting.
func requireVetting(ctx context.Context, q store.Querier, id int64) error {
	st, err := caseState(ctx, q, id)
	if err != nil {
		return err
	}
	if st != casework.StateVetting {
		return ErrNotInVetting
	}
	return nil
}

func can(a casework.Actor, p auth.Permission) error {
	if !auth.Can(a.Roles, p) {
		return fmt.Errorf("%w (needs %s)", ErrForbidden, p)
	}
	return nil
}

// SettingChecklist names the setting holding the check kinds every case's
// checklist has, comma separated.
const SettingChecklist = "vetting_checklist"

// DefaultChecklist is the checklist when the setting is absent.
var DefaultChecklist = []string{"identity_document", "service_record", "commanding_officer", "vouched", "allied_check", "interview"}

var kindRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// ParseChecklist parses a comma-separated list of check kinds (lowercase
// identifiers, 1–20 of them, no repeats).
func ParseChecklist(v string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !kindRE.MatchString(f) {
			return nil, &InputError{"checklist", "must be lowercase identifiers (a-z, 0-9, _) separated by commas"}
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 || len(out) > 20 {
		return nil, &InputError{"checklist", "must name 1 to 20 checks"}
	}
	return out, nil
}

// Checklist returns the configured check kinds.
func Checklist(ctx context.Context, q store.Querier) ([]string, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = $1", SettingChecklist).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return slices.Clone(DefaultChecklist), nil
	}
	if err != nil {
		return nil, fmt.Errorf("vetting: checklist: %w", err)
	}
	return ParseChecklist(v)
}

// SetChecklist stores the check kinds inside tx; a bad list is refused
// and nothing is written.
func SetChecklist(ctx context.Context, tx *sql.Tx, v string) error {
	ks, err := ParseChecklist(v)
	if err != nil {
		return err
	}
	return store.SetSetting(ctx, tx, SettingChecklist, strings.Join(ks, ","))
}
