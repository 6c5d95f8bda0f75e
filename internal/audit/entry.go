package audit

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Entry is one audited event: who did what to which object, and when.
//
// Callers must never put red data in an Entry — no names, ID, service or
// phone numbers, places, messages or evidence — and never an IP address.
// Name people and things by their identifiers ("user:42", "case:C-0042").
// [Append] refuses entries that break the limits below, but it cannot
// recognise red data that looks like an identifier.
type Entry struct {
	// Actor is who acted: 1 to 64 printable ASCII characters, no spaces
	// (e.g. "user:42", "system", "applicant").
	Actor string
	// Action is what was done: 1 to 64 printable ASCII characters, no
	// spaces (e.g. "case.open", "vetting.decide").
	Action string
	// Object is what it was done to: up to 128 printable ASCII characters,
	// no spaces; empty when the action has no object (e.g. "user.login").
	Object string
	// Detail holds at most 16 non-red pairs: keys of 1 to 32 characters from
	// [a-z0-9_.-], values of up to 200 printable ASCII characters (spaces
	// allowed), e.g. {"decision": "accepted"}.
	Detail map[string]string
	// Time is when it happened; the zero time means now. It is kept in UTC
	// to the second.
	Time time.Time
}

// Limits on an entry's fields.
const (
	MaxActor       = 64
	MaxAction      = 64
	MaxObject      = 128
	MaxDetailKeys  = 16
	MaxDetailKey   = 32
	MaxDetailValue = 200
)

// maxUnix is 9999-12-31T23:59:59Z: times are kept as unix seconds and must
// format as RFC 3339.
const maxUnix = 253402300799

// ErrInvalidEntry is returned (wrapped) when an entry breaks a limit. The
// message names the field and the rule, never the refused value.
var ErrInvalidEntry = errors.New("invalid audit entry")

func invalid(format string, a ...any) error {
	return fmt.Errorf("audit: %w: %s", ErrInvalidEntry, fmt.Sprintf(format, a...))
}

// isToken reports whether s is printable ASCII without spaces.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// isText reports whether s is printable ASCII, spaces allowed.
func isText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

func isDetailKey(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// validate checks e against the limits and returns it normalised: the time
// set (now when zero) and truncated to the second in UTC.
func (e Entry) validate(now time.Time) (Entry, error) {
	switch {
	case len(e.Actor) == 0 || len(e.Actor) > MaxActor || !isToken(e.Actor):
		return e, invalid("actor must be 1 to %d printable ASCII characters without spaces", MaxActor)
	case len(e.Action) == 0 || len(e.Action) > MaxAction || !isToken(e.Action):
		return e, invalid("action must be 1 to %d printable ASCII characters without spaces", MaxAction)
	case len(e.Object) > MaxObject || !isToken(e.Object):
		return e, invalid("object must be at most %d printable ASCII characters without spaces", MaxObject)
	case len(e.Detail) > MaxDetailKeys:
		return e, invalid("detail may hold at most %d pairs", MaxDetailKeys)
	}
	for k, v := range e.Detail {
		if len(k) == 0 || len(k) > MaxDetailKey || !isDetailKey(k) {
			return e, invalid("a detail key must be 1 to %d characters from a-z, 0-9, '_', '.', '-'", MaxDetailKey)
		}
		if len(v) > MaxDetailValue || !isText(v) {
			return e, invalid("a detail value must be at most %d printable ASCII characters", MaxDetailValue)
		}
	}
	if e.Time.IsZero() {
		e.Time = now
	}
	if u := e.Time.Unix(); u < 0 || u > maxUnix {
		return e, invalid("time must fall between 1970 and 9999")
	}
	e.Time = time.Unix(e.Time.Unix(), 0).UTC()
	return e, nil
}

// detailJSON is the stored form of a detail map: canonical JSON (keys
// sorted, no spaces), "{}" when empty. The leaf hash covers these bytes.
func detailJSON(d map[string]string) string {
	if len(d) == 0 {
		return "{}"
	}
	raw, err := json.Marshal(d)
	if err != nil {
		// A map[string]string always marshals.
		panic("audit: marshal detail: " + err.Error())
	}
	return string(raw)
}

// parseDetail reads a stored detail field back into a map.
func parseDetail(s string) (map[string]string, error) {
	var d map[string]string
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return nil, err
	}
	if len(d) == 0 {
		return nil, nil
	}
	return d, nil
}

// leafDomain starts every leaf encoding, so an audit leaf cannot be mistaken
// for any other structure hashed the same way, and so a later encoding can
// be told apart from this one.
const leafDomain = "embrace audit entry v1\x00"

// leafData is an entry's canonical encoding, the input of its leaf hash:
// the domain string, the index and the unix time as 8-byte big-endian
// integers, then actor, action, object and the stored detail JSON, each
// preceded by its length as a 4-byte big-endian integer. Lengths make it
// unambiguous: no two different entries encode to the same bytes.
func leafData(index, unix int64, actor, action, object, detail string) []byte {
	b := make([]byte, 0, len(leafDomain)+16+16+len(actor)+len(action)+len(object)+len(detail))
	b = append(b, leafDomain...)
	b = binary.BigEndian.AppendUint64(b, uint64(index))
	b = binary.BigEndian.AppendUint64(b, uint64(unix))
	for _, s := range []string{actor, action, object, detail} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

// leafHash is the RFC 6962 leaf hash of an entry.
func leafHash(index, unix int64, actor, action, object, detail string) tlog.Hash {
	return tlog.RecordHash(leafData(index, unix, actor, action, object, detail))
}
