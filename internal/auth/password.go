package auth

import (
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Password length limits (NIST SP 800-63B §3.1.1.2), in Unicode characters
// after NFC normalisation. There are no composition rules.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 256
)

// maxPasswordBytes refuses absurd inputs before even normalising them: 256
// characters are at most 1024 bytes of UTF-8, and NFC of valid input never
// grows beyond a small factor.
const maxPasswordBytes = 4 * MaxPasswordLen

// normalizePassword returns the NFC form of pw, or ErrPasswordTooLong when it
// is longer than MaxPasswordLen characters. It never hashes anything, so an
// oversized password is refused before any work is spent on it.
func normalizePassword(pw string) (string, error) {
	if len(pw) > maxPasswordBytes {
		return "", ErrPasswordTooLong
	}
	n := norm.NFC.String(pw)
	if utf8.RuneCountInString(n) > MaxPasswordLen {
		return "", ErrPasswordTooLong
	}
	return n, nil
}

// checkNewPassword applies the rules for a password being chosen: 8–256
// characters after NFC, not invalid UTF-8, not common or guessable, not the
// username. It returns the normalised password.
func (s *Service) checkNewPassword(pw, username string) (string, error) {
	if len(pw) > maxPasswordBytes {
		return "", &PasswordError{Reason: "too_long"}
	}
	if !utf8.ValidString(pw) {
		return "", &PasswordError{Reason: "common"}
	}
	n := norm.NFC.String(pw)
	switch c := utf8.RuneCountInString(n); {
	case c > MaxPasswordLen:
		return "", &PasswordError{Reason: "too_long"}
	case c < MinPasswordLen:
		return "", &PasswordError{Reason: "too_short"}
	}
	if s.common.weak(n, username) {
		return "", &PasswordError{Reason: "common"}
	}
	return n, nil
}

// CheckPassword tells whether pw would be accepted as username's new
// password, without storing anything; the error is a *PasswordError.
func (s *Service) CheckPassword(pw, username string) error {
	_, err := s.checkNewPassword(pw, username)
	return err
}
