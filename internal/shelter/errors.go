package shelter

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalid is wrapped by every validation error; the message names
	// the field, never its value.
	ErrInvalid = errors.New("invalid")
	// ErrForbidden: the actor's roles do not allow the action.
	ErrForbidden = errors.New("shelter: your role does not allow this")
	// ErrNotRequested: the stay is not waiting for a house (already
	// assigned, ended or withdrawn).
	ErrNotRequested = errors.New("shelter: this request is no longer waiting for a house")
	// ErrNotStaying: a check-out of a stay that is not current.
	ErrNotStaying = errors.New("shelter: nobody of this stay is staying in a house now")
	// ErrAlreadyHoused: a person asked for who already has a current
	// request or stay.
	ErrAlreadyHoused = errors.New("shelter: a person asked for already has a place or a request")
)

// FieldError names the field that failed validation.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("shelter: %s: %s", e.Field, e.Reason) }

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// CapacityError refuses an assignment that would exceed a house's beds.
// Code is the house's green code.
type CapacityError struct {
	Code string
	Free int
	Need int
}

func (e *CapacityError) Error() string {
	return fmt.Sprintf("shelter: house %s has %d free %s; this family needs %d", e.Code, e.Free, beds(e.Free), e.Need)
}

// OccupancyError refuses setting a house's beds below the people staying.
type OccupancyError struct {
	Code string
	Used int
	Beds int
}

func (e *OccupancyError) Error() string {
	return fmt.Sprintf("shelter: house %s has %d people staying; its beds cannot be reduced to %d", e.Code, e.Used, e.Beds)
}

// ClearanceError refuses a place to a case vetting has not cleared; it
// wraps vetting.ErrNotVerified or a *vetting.QuarantineError.
type ClearanceError struct {
	Err error
}

func (e *ClearanceError) Error() string {
	return "shelter: this case cannot be given a shelter: " + trimPrefix(e.Err.Error(), "vetting: ")
}

// Unwrap returns the vetting answer.
func (e *ClearanceError) Unwrap() error { return e.Err }

func trimPrefix(s, p string) string {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

func beds(n int) string {
	if n == 1 {
		return "bed"
	}
	return "beds"
}
