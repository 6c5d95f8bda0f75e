package keys

import (
	"bytes"
	"strings"
	"testing"
)

func TestBech32Vectors(t *testing.T) {
	t.Parallel()
	// Valid checksums from BIP 173.
	for _, s := range []string{
		"A12UEL5L",
		"a12uel5l",
		"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
		"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"11" + strings.Repeat("q", 82) + "c8247j",
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
		"?1ezyfcl",
	} {
		hrp, vals := splitBech32(t, s)
		if bech32Polymod(bech32Values(hrp, vals)) != 1 {
			t.Errorf("%s: checksum rejected", s)
		}
	}
	// Invalid ones from BIP 173: bad checksum, mixed case, no separator,
	// empty HRP, too short checksum, invalid character.
	for _, s := range []string{
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e2w",
		"A1G7SGD8",
		"pzry9x0s0muk",
		"1pzry9x0s0muk",
		"li1dgmt3",
		"x1b4n0q5v",
		"10a06t8",
		"1qzzfhee",
		"abcdef1QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7LMQQQXW",
	} {
		if _, _, err := bech32Decode([]byte(s)); err == nil {
			t.Errorf("%s: accepted", s)
		}
	}
}

// splitBech32 returns the lower-case HRP and 5-bit values of a valid string.
func splitBech32(t *testing.T, s string) (string, []byte) {
	t.Helper()
	l := strings.ToLower(s)
	i := strings.LastIndexByte(l, '1')
	var vals []byte
	for _, c := range l[i+1:] {
		vals = append(vals, byte(strings.IndexRune(bech32Charset, c)))
	}
	return l[:i], vals
}

func TestBech32AgeKeys(t *testing.T) {
	t.Parallel()
	for name, id := range testIdentities(t) {
		text, _ := id.Secret()
		hrp, seed, err := bech32Decode(text)
		if err != nil || len(seed) != 32 {
			t.Fatalf("%s: decode: %v (%d bytes)", name, err, len(seed))
		}
		enc, err := bech32Encode(hrp, seed)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(bytes.ToUpper(enc), text) {
			t.Errorf("%s: re-encoding differs", name)
		}
		again, err := identityFromSeed(id.PostQuantum(), seed)
		if err != nil || !again.Recipient().Equal(id.Recipient()) {
			t.Errorf("%s: identity from seed differs: %v", name, err)
		}
	}
}
