package keys

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// IndexSize is the length of a blind index in bytes.
const IndexSize = 16

// Index returns the blind index of value in domain: the first 16 bytes of
// HMAC-SHA256 under k of uint32 len(domain) || domain || uint32 len(value) ||
// value. Store it beside the encrypted value and look rows up by it.
//
// The domain names what is indexed ("person.national_id", "person.phone"), so
// the same number in two fields gives unrelated indexes and rows cannot be
// linked across fields. The value must already be normalised (through
// internal/myanmar for text, digits only for numbers): equal indexes need
// byte-equal inputs.
//
// Never index a low-cardinality field alone (sex, rank band, service, region,
// a birth year). An index is deterministic, so it shows which rows share a
// value: with a handful of possible values, whoever holds the database groups
// every row into a handful of buckets and, knowing one row or the rough
// distribution, names every bucket; and anyone holding the key can simply try
// every value. Index only values with many possible values (identity numbers,
// phone numbers), or a rare value combined with one in the same input.
// Truncating to 128 bits leaves collisions negligible (about 2^-64 after 2^32
// distinct values) while halving the storage.
//
// Empty domains and values are refused with ErrIndexInput, so a missing value
// is stored as no index rather than as one index shared by every row without
// a value.
func (k *IndexKey) Index(domain, value string) ([]byte, error) {
	if domain == "" || value == "" {
		return nil, fmt.Errorf("keys: blind index: %w", ErrIndexInput)
	}
	var out []byte
	err := k.use(func(key []byte) error {
		m := hmac.New(sha256.New, key)
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(domain)))
		m.Write(n[:])
		m.Write([]byte(domain))
		binary.BigEndian.PutUint32(n[:], uint32(len(value)))
		m.Write(n[:])
		m.Write([]byte(value))
		var sum [sha256.Size]byte
		out = m.Sum(sum[:0])[:IndexSize:IndexSize]
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("keys: blind index: %w", err)
	}
	return out, nil
}
