package auth

import (
	"errors"
	"fmt"
	"time"
)

// Errors callers test for with errors.Is. Their text is safe to show: it
// never names which part of a sign-in was wrong.
var (
	// ErrInvalid means input breaks a rule (a role name, a username); the
	// wrapped message says which rule, never a secret.
	ErrInvalid = errors.New("invalid input")

	// ErrBadCredentials is the one answer to a wrong username, password or
	// code, an unknown user and a suspended account alike.
	ErrBadCredentials = errors.New("the username, password or code is not right")

	// ErrPasswordTooLong means a password exceeds MaxPasswordLen characters;
	// it is refused before any hashing.
	ErrPasswordTooLong = errors.New("the password is too long")

	// ErrNoSession means there is no valid session for a token: none given,
	// forged, expired, ended by logout or lockdown.
	ErrNoSession = errors.New("no valid session")

	// ErrNotFound means an account, session or team does not exist (or is
	// not the caller's).
	ErrNotFound = errors.New("not found")

	// ErrBusy means too many sign-ins are being checked at once.
	ErrBusy = errors.New("too many sign-ins at once")

	// ErrNoEscrow means the deployment has no escrow principal yet.
	ErrNoEscrow = errors.New("the deployment has no escrow key (run 'embrace init')")
)

// PasswordError says why a new password was refused. Its Reason is a
// message id for translation: "too_short", "too_long", "common",
// "username", "mismatch", "same".
type PasswordError struct {
	Reason string
}

func (e *PasswordError) Error() string {
	switch e.Reason {
	case "too_short":
		return fmt.Sprintf("auth: the password must have at least %d characters", MinPasswordLen)
	case "too_long":
		return fmt.Sprintf("auth: the password must have at most %d characters", MaxPasswordLen)
	case "common":
		return "auth: the password is too common or too easy to guess; choose a longer phrase"
	case "username":
		return "auth: the password must not be the username or the name of the service"
	case "mismatch":
		return "auth: the two passwords differ"
	case "same":
		return "auth: the duress password must differ from the account password"
	}
	return "auth: the password is not acceptable"
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *PasswordError) Unwrap() error { return ErrInvalid }

// LockedError means sign-in is paused for an account (too many failures) or
// a client (too many failures from one place). Until says when it resumes.
type LockedError struct {
	Until time.Time
	// Wait is how long is left, by the service's clock.
	Wait time.Duration
	// Client is true when the pause is for the client, not the account.
	Client bool
}

func (e *LockedError) Error() string {
	return "auth: sign-in is paused after too many attempts; wait and try again"
}

// RetryAfter is how long to wait, rounded up to a whole second.
func (e *LockedError) RetryAfter() time.Duration {
	d := (e.Wait + time.Second - 1).Truncate(time.Second)
	if d < time.Second {
		d = time.Second
	}
	return d
}
