package passage

import (
	"errors"
	"fmt"
)

// Errors. Messages name fields and reasons, never values.
var (
	// ErrInvalid is wrapped by every *FieldError.
	ErrInvalid = errors.New("passage: invalid")
	// ErrNotFound: no such plan or leg, or the session's keys do not open it.
	ErrNotFound = errors.New("passage: not found")
	// ErrCaseState: the case is not in a state a route can be planned for.
	ErrCaseState = errors.New("passage: the case is not in passage")
	// ErrLinkUnknown: the link is not (or no longer) a guide link.
	ErrLinkUnknown = errors.New("passage: unknown link")
	// ErrLinkExpired: the link's leg window ended too long ago.
	ErrLinkExpired = errors.New("passage: link expired")
	// ErrLegComplete: the leg was handed over; its link is used up.
	ErrLegComplete = errors.New("passage: leg already complete")
	// ErrOutOfOrder: the check-in does not follow the route's order.
	ErrOutOfOrder = errors.New("passage: check-in out of order")
	// ErrWrongLeg: the form was for another leg than the link's.
	ErrWrongLeg = errors.New("passage: form for another leg")
	// ErrRouteExists: the case already has a route under way.
	ErrRouteExists = errors.New("passage: the case already has a route under way")
	// ErrPurged: the route's details were destroyed after arrival.
	ErrPurged = errors.New("passage: route details purged")
)

// FieldError is bad input in one field; Reason says what is wrong.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("passage: %s: %s", e.Field, e.Reason) }

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Code names an error for the web and API layers ("invalid", "not_found",
// …, "internal").
func Code(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrInvalid):
		return "invalid"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrCaseState):
		return "case_state"
	case errors.Is(err, ErrLinkUnknown):
		return "link_unknown"
	case errors.Is(err, ErrLinkExpired):
		return "link_expired"
	case errors.Is(err, ErrLegComplete):
		return "leg_complete"
	case errors.Is(err, ErrOutOfOrder):
		return "out_of_order"
	case errors.Is(err, ErrWrongLeg):
		return "wrong_leg"
	case errors.Is(err, ErrRouteExists):
		return "route_exists"
	case errors.Is(err, ErrPurged):
		return "purged"
	}
	return "internal"
}

// Field is the field a *FieldError names, or "".
func Field(err error) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}
