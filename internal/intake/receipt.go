package intake

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"strings"

	"embrace/internal/myanmar"
)

// ReceiptDigits is the length of a receipt: 27 random digits (89.7 bits)
// and one check digit.
const ReceiptDigits = 28

// Labels of the two derivations of a receipt. They differ, so the stored
// lookup value opens nothing.
const (
	lookupLabel    = "embrace.intake v1 receipt lookup"
	threadKeyLabel = "embrace.intake v1 receipt thread key"
)

// Receipt is what an applicant keeps to come back to their thread. It
// prints as [redacted]; Digits, Groups and Burmese show it.
type Receipt struct{ d string }

// String keeps a receipt out of logs and error messages.
func (Receipt) String() string { return "[redacted]" }

// LogValue keeps a receipt out of logs.
func (Receipt) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Digits is the receipt in ASCII digits, without separators.
func (r Receipt) Digits() string { return r.d }

// Groups is the receipt in ASCII digits, in groups of four.
func (r Receipt) Groups() string {
	var b strings.Builder
	for i := 0; i < len(r.d); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(r.d[i:min(i+4, len(r.d))])
	}
	return b.String()
}

// Burmese is Groups in Burmese digits.
func (r Receipt) Burmese() string { return myanmar.BurmeseDigits(r.Groups()) }

// dammTable is the quasigroup of the Damm algorithm: one check digit catches
// every single-digit error and every swap of adjacent digits.
var dammTable = [10][10]byte{
	{0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
	{7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
	{4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
	{1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
	{6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
	{3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
	{5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
	{8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
	{9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
	{2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}

func damm(digits string) byte {
	var i byte
	for j := 0; j < len(digits); j++ {
		i = dammTable[i][digits[j]-'0']
	}
	return i
}

// NewReceipt returns a fresh random receipt.
func NewReceipt() (Receipt, error) {
	b := make([]byte, 0, ReceiptDigits)
	var buf [64]byte
	for len(b) < ReceiptDigits-1 {
		if _, err := rand.Read(buf[:]); err != nil {
			return Receipt{}, fmt.Errorf("intake: new receipt: %v", err)
		}
		for _, x := range buf {
			// 250 is a multiple of 10: rejecting above it keeps digits uniform.
			if x < 250 && len(b) < ReceiptDigits-1 {
				b = append(b, '0'+x%10)
			}
		}
	}
	b = append(b, '0'+damm(string(b)))
	return Receipt{d: string(b)}, nil
}

// ParseReceipt reads a receipt typed in Burmese or Latin digits, with any
// spaces, dashes or dots between them. A string that is not 28 digits is
// ErrReceiptFormat; 28 digits whose check digit fails are ErrReceiptTypo
// (a typing mistake, told apart from a wrong receipt).
func ParseReceipt(s string) (Receipt, error) {
	if len(s) > 256 {
		return Receipt{}, ErrReceiptFormat
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '\t', '\n', '\r', '\u00a0', '\u200b', '\u104a', '\u104b':
			return -1
		}
		return r
	}, s)
	d, err := myanmar.ParseDigits(s)
	if err != nil || len(d) != ReceiptDigits {
		return Receipt{}, ErrReceiptFormat
	}
	if damm(d) != 0 {
		return Receipt{}, ErrReceiptTypo
	}
	return Receipt{d: d}, nil
}

func (r Receipt) derive(label string) []byte {
	k, err := hkdf.Key(sha256.New, []byte(r.d), nil, label, 32)
	if err != nil {
		panic("intake: hkdf: " + err.Error()) // only for a bad length, fixed here
	}
	return k
}

// lookup is what the database keeps to find a receipt's contact.
func (r Receipt) lookup() []byte { return r.derive(lookupLabel) }

// threadKey seals the contact's data key for the receipt holder.
func (r Receipt) threadKey() []byte { return r.derive(threadKeyLabel) }
