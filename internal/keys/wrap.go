package keys

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
)

// Kinds of secret a wrap or sealed secret carries (its first plaintext byte).
const (
	kindDataKey  byte = 0x01
	kindIdentity byte = 0x02
	kindIndexKey byte = 0x03
)

// ageMagic starts every binary age v1 file.
const ageMagic = "age-encryption.org/v1\n"

// maxWrapPayload bounds the plaintext of a wrap: a kind byte and at most an
// identity text.
const maxWrapPayload = 1 + maxIdentityText

func kindName(kind byte) string {
	switch kind {
	case kindDataKey:
		return "data key"
	case kindIdentity:
		return "identity"
	case kindIndexKey:
		return "index key"
	}
	return "unknown secret"
}

// Wrap encrypts k to r, returning a binary age file to store beside the key's
// owner (for example one row per case and principal). Wrap once per
// recipient, so one principal's access can be removed without touching the
// others'.
func Wrap(k *DataKey, r *Recipient) ([]byte, error) {
	var out []byte
	err := k.use(func(st *dataKeyState) error {
		var err error
		out, err = wrapPayload(kindDataKey, st.key.b, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("keys: wrap data key: %w", err)
	}
	return out, nil
}

// Unwrap opens a wrap made by [Wrap] with the identity it was made for. A
// wrap to another principal fails with ErrDecrypt; bytes that are not a wrap,
// or a wrap of another kind of secret, fail with ErrMalformed.
func Unwrap(wrapped []byte, id *Identity) (*DataKey, error) {
	raw, err := unwrapPayload(kindDataKey, wrapped, id)
	if err != nil {
		return nil, fmt.Errorf("keys: unwrap data key: %w", err)
	}
	defer clear(raw)
	k, err := newDataKey(raw)
	if err != nil {
		return nil, fmt.Errorf("keys: unwrap data key: %w", err)
	}
	return k, nil
}

// WrapIdentity encrypts the identity id (for example a team's) to r (for
// example a member's).
func WrapIdentity(id *Identity, r *Recipient) ([]byte, error) {
	text, err := id.Secret()
	if err != nil {
		return nil, fmt.Errorf("keys: wrap identity: %w", err)
	}
	defer clear(text)
	out, err := wrapPayload(kindIdentity, text, r)
	if err != nil {
		return nil, fmt.Errorf("keys: wrap identity: %w", err)
	}
	return out, nil
}

// UnwrapIdentity opens a wrap made by [WrapIdentity] with the holder's
// identity.
func UnwrapIdentity(wrapped []byte, holder *Identity) (*Identity, error) {
	text, err := unwrapPayload(kindIdentity, wrapped, holder)
	if err != nil {
		return nil, fmt.Errorf("keys: unwrap identity: %w", err)
	}
	defer clear(text)
	id, err := parseIdentityText(text)
	if err != nil {
		return nil, fmt.Errorf("keys: unwrap identity: %w", err)
	}
	return id, nil
}

// WrapIndexKey encrypts a blind index key to r.
func WrapIndexKey(k *IndexKey, r *Recipient) ([]byte, error) {
	var out []byte
	err := k.use(func(key []byte) error {
		var err error
		out, err = wrapPayload(kindIndexKey, key, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("keys: wrap index key: %w", err)
	}
	return out, nil
}

// UnwrapIndexKey opens a wrap made by [WrapIndexKey].
func UnwrapIndexKey(wrapped []byte, id *Identity) (*IndexKey, error) {
	raw, err := unwrapPayload(kindIndexKey, wrapped, id)
	if err != nil {
		return nil, fmt.Errorf("keys: unwrap index key: %w", err)
	}
	defer clear(raw)
	k, err := newIndexKey(raw)
	if err != nil {
		return nil, fmt.Errorf("keys: unwrap index key: %w", err)
	}
	return k, nil
}

func wrapPayload(kind byte, secret []byte, r *Recipient) ([]byte, error) {
	if r == nil || r.r == nil {
		return nil, errors.New("no recipient")
	}
	pt := make([]byte, 0, 1+len(secret))
	pt = append(pt, kind)
	pt = append(pt, secret...)
	defer clear(pt)
	var buf bytes.Buffer
	buf.Grow(256)
	w, err := age.Encrypt(&buf, r.r)
	if err != nil {
		return nil, fmt.Errorf("encrypt: %v", err)
	}
	if _, err := w.Write(pt); err != nil {
		return nil, fmt.Errorf("encrypt: %v", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypt: %v", err)
	}
	return buf.Bytes(), nil
}

// unwrapPayload decrypts wrapped with id and returns the secret after the kind
// byte, which must be kind. The age library's own error text is not passed
// on: it says nothing a caller can act on.
func unwrapPayload(kind byte, wrapped []byte, id *Identity) ([]byte, error) {
	if !bytes.HasPrefix(wrapped, []byte(ageMagic)) {
		return nil, fmt.Errorf("%w: not an age wrap", ErrMalformed)
	}
	var pt []byte
	err := id.ageIdentity(func(ai age.Identity) error {
		var err error
		protect(func() {
			var r io.Reader
			r, err = age.Decrypt(bytes.NewReader(wrapped), ai)
			if err != nil {
				var noMatch *age.NoIdentityMatchError
				if errors.As(err, &noMatch) {
					err = fmt.Errorf("%w: not wrapped to this identity", ErrDecrypt)
				} else {
					err = fmt.Errorf("%w: wrap damaged or altered", ErrDecrypt)
				}
				return
			}
			buf := make([]byte, maxWrapPayload+1)
			n, rerr := io.ReadFull(r, buf)
			switch {
			case rerr == io.ErrUnexpectedEOF || rerr == io.EOF:
				// Whole payload read and authenticated.
			case rerr != nil:
				clear(buf)
				err = fmt.Errorf("%w: wrap damaged or altered", ErrDecrypt)
				return
			default:
				clear(buf)
				err = fmt.Errorf("%w: wrap payload too long", ErrMalformed)
				return
			}
			pt = make([]byte, n)
			copy(pt, buf)
			clear(buf)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(pt) < 2 || pt[0] != kind {
		got := "nothing"
		if len(pt) > 0 {
			got = "a " + kindName(pt[0])
		}
		clear(pt)
		return nil, fmt.Errorf("%w: wrap holds %s, not a %s", ErrMalformed, got, kindName(kind))
	}
	secret := bytes.Clone(pt[1:])
	clear(pt)
	return secret, nil
}

// Encrypt returns a writer that encrypts to every recipient as a binary age
// file written to dst, for backups (always including the escrow recipient)
// and exports. The caller must Close it. age refuses to mix hybrid and X25519
// recipients, so that a file is post-quantum for all or none.
func Encrypt(dst io.Writer, rs ...*Recipient) (io.WriteCloser, error) {
	ars := make([]age.Recipient, 0, len(rs))
	for _, r := range rs {
		if r == nil || r.r == nil {
			return nil, errors.New("keys: encrypt: nil recipient")
		}
		ars = append(ars, r.r)
	}
	w, err := age.Encrypt(dst, ars...)
	if err != nil {
		return nil, fmt.Errorf("keys: encrypt: %v", err)
	}
	return w, nil
}

// Decrypt returns a reader of the plaintext of the age file src, decrypted
// with id. Read errors after the first byte mean the file was truncated or
// altered: discard everything read.
func Decrypt(src io.Reader, id *Identity) (io.Reader, error) {
	var r io.Reader
	err := id.ageIdentity(func(ai age.Identity) error {
		var err error
		r, err = age.Decrypt(src, ai)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrWiped) {
			return nil, fmt.Errorf("keys: decrypt: %w", err)
		}
		return nil, fmt.Errorf("keys: decrypt: %w: %v", ErrDecrypt, err)
	}
	return r, nil
}
