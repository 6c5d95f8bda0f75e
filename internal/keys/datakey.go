package keys

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
)

// DataKeySize is the length of a data key in bytes.
const DataKeySize = 32

// HKDF info strings for the subkeys of a data key.
const (
	fieldKeyInfo  = "embrace.keys v1 field"
	streamKeyInfo = "embrace.keys v1 stream"
)

// DataKey is a random symmetric key for red data: one per case, or per
// shelter, leg or watch-list entry. It exists at rest only wrapped to
// principals ([Wrap]). It prints as "[redacted]"; it is safe for concurrent
// use.
type DataKey struct {
	redacted
	s *dataKeyState
}

type dataKeyState struct {
	mu     sync.RWMutex
	key    *secretBuf
	field  cipher.AEAD // XChaCha20-Poly1305 under the field subkey
	stream cipher.AEAD // XChaCha20-Poly1305 under the stream subkey
	wiped  bool
}

// NewDataKey returns a fresh random data key.
func NewDataKey() (*DataKey, error) {
	raw := make([]byte, DataKeySize)
	defer clear(raw)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("keys: new data key: %v", err)
	}
	return newDataKey(raw)
}

// newDataKey builds a data key from raw, which it copies.
func newDataKey(raw []byte) (*DataKey, error) {
	if len(raw) != DataKeySize {
		return nil, ErrMalformed
	}
	st := &dataKeyState{key: newSecretBuf(raw)}
	var err error
	protect(func() {
		st.field, err = deriveAEAD(raw, fieldKeyInfo)
		if err != nil {
			return
		}
		st.stream, err = deriveAEAD(raw, streamKeyInfo)
	})
	if err != nil {
		st.key.wipe()
		return nil, fmt.Errorf("keys: derive subkeys: %v", err)
	}
	return &DataKey{s: st}, nil
}

func deriveAEAD(key []byte, info string) (cipher.AEAD, error) {
	sub, err := hkdf.Key(sha256.New, key, nil, info, chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	defer clear(sub)
	return chacha20poly1305.NewX(sub)
}

// use runs f with the key's state under the read lock.
func (k *DataKey) use(f func(st *dataKeyState) error) error {
	if k == nil || k.s == nil {
		return ErrWiped
	}
	k.s.mu.RLock()
	defer k.s.mu.RUnlock()
	if k.s.wiped {
		return ErrWiped
	}
	return f(k.s)
}

// Wipe zeroes the key and drops its ciphers; every later use fails with
// ErrWiped.
func (k *DataKey) Wipe() {
	if k == nil || k.s == nil {
		return
	}
	k.s.mu.Lock()
	k.s.key.wipe()
	k.s.field, k.s.stream = nil, nil
	k.s.wiped = true
	k.s.mu.Unlock()
}

// IndexKeySize is the length of a blind index key in bytes.
const IndexKeySize = 32

// IndexKey is the secret of a team's blind indexes. It exists at rest only
// wrapped to principals ([WrapIndexKey]). It prints as "[redacted]"; it is
// safe for concurrent use.
type IndexKey struct {
	redacted
	s *indexKeyState
}

type indexKeyState struct {
	mu    sync.RWMutex
	key   *secretBuf
	wiped bool
}

// NewIndexKey returns a fresh random blind index key.
func NewIndexKey() (*IndexKey, error) {
	raw := make([]byte, IndexKeySize)
	defer clear(raw)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("keys: new index key: %v", err)
	}
	return newIndexKey(raw)
}

func newIndexKey(raw []byte) (*IndexKey, error) {
	if len(raw) != IndexKeySize {
		return nil, ErrMalformed
	}
	return &IndexKey{s: &indexKeyState{key: newSecretBuf(raw)}}, nil
}

func (k *IndexKey) use(f func(key []byte) error) error {
	if k == nil || k.s == nil {
		return ErrWiped
	}
	k.s.mu.RLock()
	defer k.s.mu.RUnlock()
	if k.s.wiped {
		return ErrWiped
	}
	return f(k.s.key.b)
}

// Wipe zeroes the key; every later use fails with ErrWiped.
func (k *IndexKey) Wipe() {
	if k == nil || k.s == nil {
		return
	}
	k.s.mu.Lock()
	k.s.key.wipe()
	k.s.wiped = true
	k.s.mu.Unlock()
}
