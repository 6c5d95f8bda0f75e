package shelter

import (
	"fmt"
	"io"
	"log/slog"
)

// redactedText is how every value carrying red or amber shelter data
// prints, so that a careless log line or error cannot leak an address or
// a name.
const redactedText = "[redacted]"

// Format prints Details (and a House or NewHouse, which embed it) as
// [redacted].
func (Details) Format(f fmt.State, _ rune) { io.WriteString(f, redactedText) }

// LogValue keeps Details out of logs.
func (Details) LogValue() slog.Value { return slog.StringValue(redactedText) }

// Format prints a Resident as [redacted].
func (Resident) Format(f fmt.State, _ rune) { io.WriteString(f, redactedText) }

// LogValue keeps a Resident out of logs.
func (Resident) LogValue() slog.Value { return slog.StringValue(redactedText) }

// Format prints a Disclosure as [redacted].
func (Disclosure) Format(f fmt.State, _ rune) { io.WriteString(f, redactedText) }

// LogValue keeps a Disclosure out of logs.
func (Disclosure) LogValue() slog.Value { return slog.StringValue(redactedText) }

// Format prints a Need as [redacted] (its note is amber).
func (Need) Format(f fmt.State, _ rune) { io.WriteString(f, redactedText) }

// LogValue keeps a Need out of logs.
func (Need) LogValue() slog.Value { return slog.StringValue(redactedText) }

// LogValue keeps a Stay's residents and address out of logs.
func (s Stay) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", s.ID), slog.Int64("case", s.CaseID), slog.String("status", s.Status))
}
