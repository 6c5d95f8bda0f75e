package keys

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
)

// redactedText is what every secret-bearing type prints as.
const redactedText = "[redacted]"

// redacted is embedded in every secret-bearing type so that fmt (every verb,
// including %#v and %x), slog and Stringer users see "[redacted]". Secret
// bytes are always held behind a pointer, so printing a struct that contains
// one of these types by value shows an address, never key bytes.
type redacted struct{}

// Format implements fmt.Formatter; it takes precedence over String and
// GoString for every verb.
func (redacted) Format(f fmt.State, _ rune) { io.WriteString(f, redactedText) }

// String implements fmt.Stringer.
func (redacted) String() string { return redactedText }

// GoString implements fmt.GoStringer.
func (redacted) GoString() string { return redactedText }

// LogValue implements slog.LogValuer.
func (redacted) LogValue() slog.Value { return slog.StringValue(redactedText) }

var (
	_ fmt.Formatter  = redacted{}
	_ slog.LogValuer = redacted{}
)

// secretBuf holds secret bytes one pointer away from the state that owns
// them. fmt follows at most one pointer of a value it cannot format with the
// verb given (it prints "%!s(*T=&{…})" and the fields behind it with %v),
// and prints pointers below that as addresses; with this extra hop the bytes
// are never reached, whatever struct a key ends up in.
type secretBuf struct{ b []byte }

func newSecretBuf(b []byte) *secretBuf { return &secretBuf{b: bytes.Clone(b)} }

// wipe zeroes the bytes.
func (s *secretBuf) wipe() {
	if s != nil {
		clear(s.b)
		s.b = nil
	}
}
