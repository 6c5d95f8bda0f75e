package keys

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"sync"

	"filippo.io/age"
)

// Age secret key prefixes, as Bech32 human-readable parts plus separator.
const (
	hybridSecretPrefix = "AGE-SECRET-KEY-PQ-1"
	x25519SecretPrefix = "AGE-SECRET-KEY-1"
	hybridSecretHRP    = "age-secret-key-pq-"
	x25519SecretHRP    = "age-secret-key-"
	seedSize           = 32
	maxIdentityText    = 128
)

// Identity is a principal's private key: an age identity, hybrid
// post-quantum (ML-KEM-768 + X25519) or classic X25519. It prints as
// "[redacted]" everywhere; [Identity.Secret] is the only way to its text.
type Identity struct {
	redacted
	s   *identityState
	rcp *Recipient
}

type identityState struct {
	mu     sync.RWMutex
	text   *secretBuf // AGE-SECRET-KEY-… in upper case
	id     age.Identity
	hybrid bool
	wiped  bool
}

// Recipient is a principal's public key. It is safe to store, log and show.
type Recipient struct {
	r      age.Recipient
	text   string
	hybrid bool
}

// GenerateIdentity returns a new hybrid post-quantum identity
// (ML-KEM-768 + X25519), the default for every principal.
func GenerateIdentity() (*Identity, error) { return generateIdentity(true) }

// GenerateX25519Identity returns a new classic X25519 identity: smaller wraps
// and faster, but not safe against a future quantum computer.
func GenerateX25519Identity() (*Identity, error) { return generateIdentity(false) }

func generateIdentity(hybrid bool) (*Identity, error) {
	seed := make([]byte, seedSize)
	defer clear(seed)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("keys: generate identity: %v", err)
	}
	id, err := identityFromSeed(hybrid, seed)
	if err != nil {
		return nil, fmt.Errorf("keys: generate identity: %v", err)
	}
	return id, nil
}

// identityFromSeed builds the identity whose secret key bytes are seed (the
// ML-KEM-768 + X25519 seed, or the X25519 scalar).
func identityFromSeed(hybrid bool, seed []byte) (*Identity, error) {
	if len(seed) != seedSize {
		return nil, ErrMalformed
	}
	hrp := x25519SecretHRP
	if hybrid {
		hrp = hybridSecretHRP
	}
	var id *Identity
	var err error
	protect(func() {
		var text []byte
		text, err = bech32Encode(hrp, seed)
		if err != nil {
			return
		}
		upper := bytes.ToUpper(text)
		clear(text)
		id, err = parseIdentityText(upper)
		clear(upper)
	})
	return id, err
}

// ParseIdentity parses an age secret key ("AGE-SECRET-KEY-PQ-1…" or
// "AGE-SECRET-KEY-1…"). Errors never contain the text. The string itself
// cannot be wiped; prefer short-lived strings.
func ParseIdentity(s string) (*Identity, error) {
	if len(s) > maxIdentityText {
		return nil, fmt.Errorf("keys: parse identity: %w", ErrMalformed)
	}
	b := []byte(s)
	defer clear(b)
	id, err := parseIdentityText(b)
	if err != nil {
		return nil, fmt.Errorf("keys: parse identity: %w", ErrMalformed)
	}
	return id, nil
}

// parseIdentityText parses text, copying it; the caller keeps ownership of
// text. The error is ErrMalformed without detail.
func parseIdentityText(text []byte) (*Identity, error) {
	if len(text) > maxIdentityText {
		return nil, ErrMalformed
	}
	st := &identityState{text: newSecretBuf(text)}
	var err error
	protect(func() {
		switch {
		case bytes.HasPrefix(text, []byte(hybridSecretPrefix)):
			var h *age.HybridIdentity
			h, err = age.ParseHybridIdentity(string(text))
			if err == nil {
				st.id, st.hybrid = h, true
			}
		case bytes.HasPrefix(text, []byte(x25519SecretPrefix)):
			var x *age.X25519Identity
			x, err = age.ParseX25519Identity(string(text))
			if err == nil {
				st.id = x
			}
		default:
			err = ErrMalformed
		}
	})
	if err != nil {
		st.text.wipe()
		return nil, ErrMalformed
	}
	id := &Identity{s: st}
	switch a := st.id.(type) {
	case *age.HybridIdentity:
		r := a.Recipient()
		id.rcp = &Recipient{r: r, text: r.String(), hybrid: true}
	case *age.X25519Identity:
		r := a.Recipient()
		id.rcp = &Recipient{r: r, text: r.String()}
	}
	return id, nil
}

// Recipient returns the public key of id. It keeps working after Wipe.
func (id *Identity) Recipient() *Recipient { return id.rcp }

// PostQuantum reports whether id is a hybrid ML-KEM-768 + X25519 identity.
func (id *Identity) PostQuantum() bool { return id.rcp.hybrid }

// Secret returns a copy of the age secret key text ("AGE-SECRET-KEY-…"). It
// exists to seal or wrap the identity and to hand the escrow key to a
// custodian; never log it. The caller should clear the slice after use.
func (id *Identity) Secret() ([]byte, error) {
	id.s.mu.RLock()
	defer id.s.mu.RUnlock()
	if id.s.wiped {
		return nil, ErrWiped
	}
	return bytes.Clone(id.s.text.b), nil
}

// Clone returns an independent copy of id, so that two owners (a keyring
// and the code that made the identity) can each wipe their own without going
// through the secret text as a string.
func (id *Identity) Clone() (*Identity, error) {
	if id == nil || id.s == nil {
		return nil, ErrWiped
	}
	id.s.mu.RLock()
	defer id.s.mu.RUnlock()
	if id.s.wiped {
		return nil, ErrWiped
	}
	c, err := parseIdentityText(id.s.text.b)
	if err != nil {
		return nil, fmt.Errorf("keys: clone identity: %w", err)
	}
	return c, nil
}

// seed returns the 32 secret key bytes and whether id is hybrid.
func (id *Identity) seed() (seed []byte, hybrid bool, err error) {
	id.s.mu.RLock()
	defer id.s.mu.RUnlock()
	if id.s.wiped {
		return nil, false, ErrWiped
	}
	protect(func() {
		var hrp string
		hrp, seed, err = bech32Decode(id.s.text.b)
		if err == nil && (len(seed) != seedSize || (hrp != hybridSecretHRP && hrp != x25519SecretHRP)) {
			clear(seed)
			seed, err = nil, ErrMalformed
		}
	})
	return seed, id.s.hybrid, err
}

// ageIdentity runs f with the age identity under the read lock, so that Wipe
// waits for f to finish.
func (id *Identity) ageIdentity(f func(age.Identity) error) error {
	if id == nil || id.s == nil {
		return ErrWiped
	}
	id.s.mu.RLock()
	defer id.s.mu.RUnlock()
	if id.s.wiped {
		return ErrWiped
	}
	return f(id.s.id)
}

// Wipe zeroes the secret key text held by id and drops its age identity; every
// later use fails with ErrWiped. See "Wiping secrets" in the package doc for
// what this cannot reach.
func (id *Identity) Wipe() {
	if id == nil || id.s == nil {
		return
	}
	id.s.mu.Lock()
	id.s.text.wipe()
	id.s.id = nil
	id.s.wiped = true
	id.s.mu.Unlock()
}

// ParseRecipient parses an age public key ("age1pq1…" hybrid or "age1…"
// X25519).
func ParseRecipient(s string) (*Recipient, error) {
	if len(s) > 4096 {
		return nil, fmt.Errorf("keys: parse recipient: %w", ErrMalformed)
	}
	switch {
	case len(s) > 7 && s[:7] == "age1pq1":
		r, err := age.ParseHybridRecipient(s)
		if err != nil {
			return nil, fmt.Errorf("keys: parse recipient: %w", ErrMalformed)
		}
		return &Recipient{r: r, text: r.String(), hybrid: true}, nil
	case len(s) > 4 && s[:4] == "age1":
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return nil, fmt.Errorf("keys: parse recipient: %w", ErrMalformed)
		}
		return &Recipient{r: r, text: r.String()}, nil
	}
	return nil, fmt.Errorf("keys: parse recipient: %w", ErrMalformed)
}

// String returns the age public key text ("age1pq1…" or "age1…").
func (r *Recipient) String() string { return r.text }

// PostQuantum reports whether r is a hybrid ML-KEM-768 + X25519 recipient.
// age refuses to mix hybrid and classic recipients in one file.
func (r *Recipient) PostQuantum() bool { return r.hybrid }

// Equal reports whether r and o are the same public key.
func (r *Recipient) Equal(o *Recipient) bool {
	return r != nil && o != nil && r.text == o.text
}
