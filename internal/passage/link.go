package passage

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
)

// linkBytes is the entropy of a guide link's secret: 256 bits.
const linkBytes = 32

// LinkLen is the length of a link's secret in URL-safe base64.
const LinkLen = 43

// Labels of the two derivations of a link secret. They differ, so the
// stored lookup opens nothing.
const (
	lookupLabel   = "embrace.passage v1 guide link lookup"
	guideKeyLabel = "embrace.passage v1 guide link leg key"
)

// Link is a guide's capability for one leg: the only way in. It prints as
// [redacted]; Secret and Path show it.
type Link struct{ s string }

// String keeps a link out of logs and error messages.
func (Link) String() string { return "[redacted]" }

// GoString keeps a link out of %#v.
func (Link) GoString() string { return "[redacted]" }

// LogValue keeps a link out of logs.
func (Link) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Secret is the link's secret, URL-safe.
func (l Link) Secret() string { return l.s }

// Path is the link's path on the server: /g/{secret}.
func (l Link) Path() string { return "/g/" + l.s }

// IsZero reports whether l holds no secret.
func (l Link) IsZero() bool { return l.s == "" }

func newLink() (Link, error) {
	var b [linkBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Link{}, err
	}
	return Link{s: base64.RawURLEncoding.EncodeToString(b[:])}, nil
}

// ParseLink reads a link's secret as it appears in the path. Anything
// that is not exactly 43 URL-safe base64 characters encoding 32 bytes is
// ErrLinkUnknown (the answer is the same as for a well-formed unknown
// link).
func ParseLink(s string) (Link, error) {
	if len(s) != LinkLen {
		return Link{}, ErrLinkUnknown
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != linkBytes {
		return Link{}, ErrLinkUnknown
	}
	return Link{s: s}, nil
}

func (l Link) derive(label string) []byte {
	k, err := hkdf.Key(sha256.New, []byte(l.s), nil, label, 32)
	if err != nil {
		panic("passage: hkdf: " + err.Error()) // only for a bad length, fixed here
	}
	return k
}

// lookup is what the database keeps to find a link's leg.
func (l Link) lookup() []byte { return l.derive(lookupLabel) }

// guideKey seals the leg's data key for the link holder.
func (l Link) guideKey() []byte { return l.derive(guideKeyLabel) }
