package intake

import (
	"errors"
	"fmt"
	"time"

	"embrace/internal/store"
)

// Sentinel errors. None carries the input that caused it.
var (
	ErrBusy          = errors.New("intake: too many contacts right now; try again later")
	ErrTokenMissing  = errors.New("intake: the form has no token")
	ErrTokenInvalid  = errors.New("intake: the form token is not valid")
	ErrTokenExpired  = errors.New("intake: the form has expired")
	ErrTokenTooFresh = errors.New("intake: the form was sent too quickly")
	ErrTokenReplayed = errors.New("intake: the form was already sent")
	ErrTooLarge      = errors.New("intake: the request is too large")
	ErrFileTooLarge  = errors.New("intake: a file is too large")
	ErrFileType      = errors.New("intake: a file is not an image or a PDF")
	ErrTooManyFiles  = errors.New("intake: too many files")
	ErrMalformed     = errors.New("intake: the request is malformed")
	ErrInvalid       = errors.New("intake: invalid")
	ErrReceiptFormat = errors.New("intake: a receipt is 28 digits")
	ErrReceiptTypo   = errors.New("intake: the receipt has a typing mistake")
	ErrWrongReceipt  = errors.New("intake: no thread has this receipt")
	ErrNotFound      = fmt.Errorf("intake: contact %w", store.ErrNotFound)
	ErrNoCase        = fmt.Errorf("intake: case %w", store.ErrNotFound)
	ErrState         = errors.New("intake: the contact is not in a state that allows this")
)

// FieldError names the field that failed validation, never its value.
type FieldError struct {
	Field  string
	Reason string // too_long, required, not_text, unknown_value
}

func (e *FieldError) Error() string { return "intake: " + e.Field + ": " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// BusyError is a calm refusal under load: ErrBusy, with how long to wait
// and whether it is a rate limit (429) or a capacity limit (503).
type BusyError struct {
	RetryAfter time.Duration
	RateLimit  bool
}

func (e *BusyError) Error() string { return ErrBusy.Error() }

// Unwrap makes errors.Is(err, ErrBusy) true.
func (e *BusyError) Unwrap() error { return ErrBusy }

// Code names an error of this package for translation and for the API's
// error codes ("busy", "token_expired", "invalid", …); "internal" for
// anything else.
func Code(err error) string {
	var fe *FieldError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrBusy):
		return "busy"
	case errors.Is(err, ErrTokenMissing):
		return "token_missing"
	case errors.Is(err, ErrTokenInvalid):
		return "token_invalid"
	case errors.Is(err, ErrTokenExpired):
		return "token_expired"
	case errors.Is(err, ErrTokenTooFresh):
		return "token_too_fresh"
	case errors.Is(err, ErrTokenReplayed):
		return "token_replayed"
	case errors.Is(err, ErrFileTooLarge):
		return "file_too_large"
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	case errors.Is(err, ErrFileType):
		return "file_type"
	case errors.Is(err, ErrTooManyFiles):
		return "too_many_files"
	case errors.Is(err, ErrMalformed):
		return "malformed"
	case errors.As(err, &fe):
		return "invalid"
	case errors.Is(err, ErrInvalid):
		return "invalid"
	case errors.Is(err, ErrReceiptFormat):
		return "receipt_format"
	case errors.Is(err, ErrReceiptTypo):
		return "receipt_typo"
	case errors.Is(err, ErrWrongReceipt):
		return "wrong_receipt"
	case errors.Is(err, store.ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrState):
		return "conflict"
	}
	return "internal"
}

// Field returns the field a validation error names, or "".
func Field(err error) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}
