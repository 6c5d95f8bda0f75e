package myanmar

import (
	"errors"
	"log/slog"
	"unicode/utf8"
)

// ErrInvalidUTF8 reports input that is not valid UTF-8. Its message never
// contains the input.
var ErrInvalidUTF8 = errors.New("myanmar: text is not valid UTF-8")

// Text is a piece of incoming text after it has passed the boundary.
//
// Value is what Embrace stores, shows, indexes and compares. Original is the
// raw input, kept only when it differs from Value (for example when Zawgyi
// was converted), so that nothing the person wrote is lost; it is red data
// like Value and callers encrypt it beside Value. Converted reports that the
// detector judged the input to be Zawgyi and it was converted.
type Text struct {
	Value     string
	Original  string
	Converted bool
}

// LogValue keeps the text out of logs.
func (t Text) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Clean is the boundary every incoming text passes before it is stored,
// indexed or compared:
//
//  1. invalid UTF-8 is refused with ErrInvalidUTF8 (nothing is guessed);
//  2. if the Zawgyi detector gives ZawgyiThreshold (0.95) or more, the text
//     is converted from Zawgyi to Unicode;
//  3. the result is normalised (see Normalize): control characters other
//     than line breaks and tabs are stripped, invisible characters removed,
//     whitespace collapsed, Myanmar syllables put in storage order, NFC.
//
// Clean(Clean(s).Value) returns the same Value with no Original.
func Clean(s string) (Text, error) {
	if !utf8.ValidString(s) {
		return Text{}, ErrInvalidUTF8
	}
	v := s
	converted := false
	if ZawgyiProbability(s) >= ZawgyiThreshold {
		v = ZawgyiToUnicode(s)
		converted = true
	}
	v = Normalize(v)
	t := Text{Value: v, Converted: converted}
	if v != s {
		t.Original = s
	}
	return t, nil
}

// ConvertIfZawgyi converts s from Zawgyi to Unicode when the detector gives
// ZawgyiThreshold or more, and otherwise returns s unchanged: Unicode text,
// and text with no Myanmar in it, pass through as they are. It reports
// whether it converted.
func ConvertIfZawgyi(s string) (string, bool) {
	if ZawgyiProbability(s) >= ZawgyiThreshold {
		return ZawgyiToUnicode(s), true
	}
	return s, false
}
