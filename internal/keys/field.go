package keys

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Envelope version bytes: kind in the high nibble, version in the low one.
const (
	fieldV1  byte = 0x11
	streamV1 byte = 0x21
	sealedV1 byte = 0x31
)

const (
	nonceSize = chacha20poly1305.NonceSizeX // 24
	tagSize   = chacha20poly1305.Overhead   // 16

	// FieldOverhead is how many bytes SealField adds to a plaintext.
	FieldOverhead = 1 + nonceSize + tagSize

	maxPlacePart = 1024
)

// Place is where a value is stored: its table, column and row id. A sealed
// value opens only at the place it was sealed for, so a ciphertext copied to
// another row, column or table is refused. All three parts must be non-empty
// (use a row id chosen before the insert, not one the database assigns).
type Place struct {
	Table  string
	Column string
	Row    string
}

func (p Place) validate() error {
	for _, part := range [...]string{p.Table, p.Column, p.Row} {
		if part == "" || len(part) > maxPlacePart {
			return ErrPlace
		}
	}
	return nil
}

// ad returns version || place encoding, the associated data of an envelope.
func (p Place) ad(version byte) []byte {
	b := make([]byte, 0, 1+12+len(p.Table)+len(p.Column)+len(p.Row))
	b = append(b, version)
	for _, part := range [...]string{p.Table, p.Column, p.Row} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(part)))
		b = append(b, part...)
	}
	return b
}

// SealField encrypts plaintext under k for place p (see "Formats" in the
// package doc). The output is FieldOverhead bytes longer than plaintext.
func SealField(k *DataKey, p Place, plaintext []byte) ([]byte, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("keys: seal field: %w", err)
	}
	var nonce [nonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("keys: seal field: %v", err)
	}
	out := make([]byte, 0, FieldOverhead+len(plaintext))
	out = append(append(out, fieldV1), nonce[:]...)
	err := k.use(func(st *dataKeyState) error {
		out = st.field.Seal(out, nonce[:], plaintext, p.ad(fieldV1))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("keys: seal field: %w", err)
	}
	return out, nil
}

// OpenField decrypts a value sealed by SealField for the same key and place.
// A wrong key, a different place or any altered byte gives ErrDecrypt.
func OpenField(k *DataKey, p Place, ct []byte) ([]byte, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("keys: open field: %w", err)
	}
	if len(ct) < FieldOverhead {
		return nil, fmt.Errorf("keys: open field: %w: too short", ErrMalformed)
	}
	if ct[0] != fieldV1 {
		return nil, fmt.Errorf("keys: open field: %w: unknown envelope 0x%02x", ErrMalformed, ct[0])
	}
	var pt []byte
	err := k.use(func(st *dataKeyState) error {
		var err error
		pt, err = st.field.Open(nil, ct[1:1+nonceSize], ct[1+nonceSize:], p.ad(fieldV1))
		if err != nil {
			return ErrDecrypt
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("keys: open field: %w", err)
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}

// SealSecret encrypts plaintext under a 32-byte key the caller derived (for
// example with Argon2id from a password, or from an API token), binding ad.
// Format: 0x31 || nonce[24] || XChaCha20-Poly1305(key32, AD = 0x31 || ad).
func SealSecret(key32, plaintext, ad []byte) ([]byte, error) {
	if len(key32) != chacha20poly1305.KeySize {
		return nil, fmt.Errorf("keys: seal secret: key must be %d bytes", chacha20poly1305.KeySize)
	}
	var nonce [nonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("keys: seal secret: %v", err)
	}
	out := make([]byte, 0, FieldOverhead+len(plaintext))
	out = append(append(out, sealedV1), nonce[:]...)
	var err error
	protect(func() {
		aead, aerr := chacha20poly1305.NewX(key32)
		if aerr != nil {
			err = aerr
			return
		}
		out = aead.Seal(out, nonce[:], plaintext, sealedAD(ad))
	})
	if err != nil {
		return nil, fmt.Errorf("keys: seal secret: %v", err)
	}
	return out, nil
}

// OpenSecret decrypts the output of SealSecret with the same key and ad.
func OpenSecret(key32, sealed, ad []byte) ([]byte, error) {
	if len(key32) != chacha20poly1305.KeySize {
		return nil, fmt.Errorf("keys: open secret: key must be %d bytes", chacha20poly1305.KeySize)
	}
	if len(sealed) < FieldOverhead {
		return nil, fmt.Errorf("keys: open secret: %w: too short", ErrMalformed)
	}
	if sealed[0] != sealedV1 {
		return nil, fmt.Errorf("keys: open secret: %w: unknown envelope 0x%02x", ErrMalformed, sealed[0])
	}
	var pt []byte
	var err error
	protect(func() {
		aead, aerr := chacha20poly1305.NewX(key32)
		if aerr != nil {
			err = aerr
			return
		}
		pt, err = aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], sealedAD(ad))
	})
	if err != nil {
		return nil, fmt.Errorf("keys: open secret: %w", ErrDecrypt)
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}

func sealedAD(ad []byte) []byte {
	b := make([]byte, 0, 1+len(ad))
	b = append(b, sealedV1)
	return append(b, ad...)
}

// SealIdentity seals id under a 32-byte key the caller derived from a
// password (Argon2id) or token, binding ad (for example the user id), for
// storage beside the account.
func SealIdentity(key32 []byte, id *Identity, ad []byte) ([]byte, error) {
	text, err := id.Secret()
	if err != nil {
		return nil, fmt.Errorf("keys: seal identity: %w", err)
	}
	pt := make([]byte, 0, 1+len(text))
	pt = append(append(pt, kindIdentity), text...)
	clear(text)
	defer clear(pt)
	return SealSecret(key32, pt, ad)
}

// OpenIdentity opens the output of SealIdentity. A wrong key (wrong password)
// or different ad gives ErrDecrypt.
func OpenIdentity(key32, sealed, ad []byte) (*Identity, error) {
	pt, err := OpenSecret(key32, sealed, ad)
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	if len(pt) < 2 || pt[0] != kindIdentity {
		return nil, fmt.Errorf("keys: open identity: %w: not a sealed identity", ErrMalformed)
	}
	id, err := parseIdentityText(pt[1:])
	if err != nil {
		return nil, fmt.Errorf("keys: open identity: %w", err)
	}
	return id, nil
}
