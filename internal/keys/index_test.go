package keys

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
)

// TestBlindIndexKnownAnswer checks the framing around HMAC-SHA256 and the
// HMAC itself against RFC 4231 test case 2 (key "Jefe"): with a 32-byte key
// and our framing, Index must equal HMAC-SHA256 over the framed input.
func TestBlindIndexKnownAnswer(t *testing.T) {
	t.Parallel()
	m := hmac.New(sha256.New, []byte("Jefe"))
	m.Write([]byte("what do ya want for nothing?"))
	want4231 := "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got := hex.EncodeToString(m.Sum(nil)); got != want4231 {
		t.Fatalf("HMAC-SHA256 RFC 4231 case 2 = %s", got)
	}

	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	ik, err := newIndexKey(key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ik.Index("person.phone", "959420000000")
	if err != nil {
		t.Fatal(err)
	}
	framed := []byte("\x00\x00\x00\x0cperson.phone\x00\x00\x00\x0c959420000000")
	m = hmac.New(sha256.New, key)
	m.Write(framed)
	if want := m.Sum(nil)[:16]; !bytes.Equal(got, want) {
		t.Fatalf("Index = %x, want %x", got, want)
	}
	// Pinned value, so a change of framing is noticed.
	if hex.EncodeToString(got) != pinnedIndex {
		t.Errorf("Index = %x, pinned %s", got, pinnedIndex)
	}
}

func TestBlindIndexProperties(t *testing.T) {
	t.Parallel()
	ik, _ := NewIndexKey()
	other, _ := NewIndexKey()
	a, _ := ik.Index("person.phone", "959420000000")
	for _, tc := range []struct {
		name          string
		k             *IndexKey
		domain, value string
		same          bool
	}{
		{"same input", ik, "person.phone", "959420000000", true},
		{"other value", ik, "person.phone", "959420000001", false},
		{"other domain", ik, "person.national_id", "959420000000", false},
		{"shifted boundary", ik, "person.phone9", "59420000000", false},
		{"other key", other, "person.phone", "959420000000", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := tc.k.Index(tc.domain, tc.value)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != IndexSize {
				t.Fatalf("len %d", len(b))
			}
			if bytes.Equal(a, b) != tc.same {
				t.Fatalf("equal = %v, want %v", !tc.same, tc.same)
			}
		})
	}
	for _, in := range [][2]string{{"", "x"}, {"d", ""}} {
		if _, err := ik.Index(in[0], in[1]); !errors.Is(err, ErrIndexInput) {
			t.Errorf("Index(%q, %q) err = %v", in[0], in[1], err)
		}
	}
}

// pinnedIndex was computed independently (Python's hmac module) for key
// 00 01 … 1f, domain "person.phone", value "959420000000".
const pinnedIndex = "575c08757b9db9b0bfbe40f6b9e34ec6"
