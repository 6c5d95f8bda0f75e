package keys

import "errors"

// Errors callers can test for with errors.Is. Their text is deliberately
// vague: it never says which part of a ciphertext or key failed.
var (
	// ErrDecrypt means a ciphertext or wrap did not open: the key or identity
	// is the wrong one, or the bytes were altered, truncated or moved to
	// another place.
	ErrDecrypt = errors.New("cannot decrypt: wrong key, or the data was altered or moved")

	// ErrMalformed means input is not in the expected format (unknown
	// version, too short, a wrap of another kind of secret, a bad key text).
	ErrMalformed = errors.New("malformed input")

	// ErrWiped means a key was used after its Wipe method ran.
	ErrWiped = errors.New("key has been wiped")

	// ErrPlace means a Place has an empty or oversized part.
	ErrPlace = errors.New("invalid place")

	// ErrIndexInput means a blind index was asked for an empty domain or value.
	ErrIndexInput = errors.New("invalid blind index input")

	// ErrShareFormat means a file is not an Embrace escrow share, or does not
	// follow the share format exactly.
	ErrShareFormat = errors.New("not a valid escrow share")

	// ErrShareDamaged means a share's line check or checksum does not match:
	// a typing error, or a damaged file.
	ErrShareDamaged = errors.New("escrow share damaged")

	// ErrShareMismatch means shares belong to different deployments or
	// splits, or disagree on the threshold.
	ErrShareMismatch = errors.New("escrow shares do not belong together")

	// ErrShareDuplicate means the same share was given more than once.
	ErrShareDuplicate = errors.New("escrow share given twice")

	// ErrShareTooFew means fewer shares than the threshold were given.
	ErrShareTooFew = errors.New("too few escrow shares")

	// ErrShareCheck means shares were combined but the result does not match
	// the check value they carry: at least one share is not genuine.
	ErrShareCheck = errors.New("recombined escrow key fails its check")
)

// shareError carries a message that names the share and line at fault while
// unwrapping to one of the ErrShare sentinels.
type shareError struct {
	kind error
	msg  string
}

func (e *shareError) Error() string { return e.msg }
func (e *shareError) Unwrap() error { return e.kind }
