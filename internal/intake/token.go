package intake

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"embrace/internal/store"
)

// formKeySetting names the settings row of the anti-abuse key that signs
// form tokens. It protects nothing red: knowing it lets one skip the fill
// time, nothing more.
const formKeySetting = "intake.form_key"

const (
	tokenNonceSize = 16
	tokenMACSize   = 16
	tokenRawSize   = 8 + tokenNonceSize + tokenMACSize
)

// loadFormKey reads the deployment's form key, creating it on first use.
func loadFormKey(ctx context.Context, st *store.Store) ([]byte, error) {
	var fresh [32]byte
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, fmt.Errorf("intake: form key: %v", err)
	}
	if _, err := st.Writer().ExecContext(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
		formKeySetting, hex.EncodeToString(fresh[:])); err != nil {
		return nil, fmt.Errorf("intake: form key: %w", err)
	}
	var v string
	if err := st.Writer().QueryRowContext(ctx, "SELECT value FROM settings WHERE name = $1", formKeySetting).Scan(&v); err != nil {
		return nil, fmt.Errorf("intake: form key: %w", err)
	}
	k, err := hex.DecodeString(v)
	if err != nil || len(k) != 32 {
		return nil, errors.New("intake: form key setting is damaged")
	}
	return k, nil
}

func (s *Service) tokenMAC(issued []byte, nonce []byte) []byte {
	m := hmac.New(sha256.New, s.formKey)
	m.Write([]byte("embrace.intake v1 form token"))
	m.Write(issued)
	m.Write(nonce)
	return m.Sum(nil)[:tokenMACSize]
}

// IssueToken returns a fresh form token for a contact form.
func (s *Service) IssueToken() (string, error) {
	var raw [tokenRawSize]byte
	binary.BigEndian.PutUint64(raw[:8], uint64(s.now().Unix()))
	if _, err := rand.Read(raw[8 : 8+tokenNonceSize]); err != nil {
		return "", fmt.Errorf("intake: token: %v", err)
	}
	copy(raw[8+tokenNonceSize:], s.tokenMAC(raw[:8], raw[8:8+tokenNonceSize]))
	return base64.RawURLEncoding.EncodeToString(raw[:]), nil
}

// formToken is a checked token: its nonce (to consume) and expiry.
type formToken struct {
	nonce   string
	expires int64
}

// checkToken verifies a token's MAC and age; it does not consume it.
func (s *Service) checkToken(tok string) (formToken, error) {
	if tok == "" {
		return formToken{}, ErrTokenMissing
	}
	if len(tok) > 128 {
		return formToken{}, ErrTokenInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) != tokenRawSize {
		return formToken{}, ErrTokenInvalid
	}
	if !hmac.Equal(raw[8+tokenNonceSize:], s.tokenMAC(raw[:8], raw[8:8+tokenNonceSize])) {
		return formToken{}, ErrTokenInvalid
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(raw[:8])), 0)
	age := s.now().Sub(issued)
	switch {
	case age < -time.Minute:
		return formToken{}, ErrTokenInvalid
	case age < s.cfg.MinFill:
		return formToken{}, ErrTokenTooFresh
	case age > s.cfg.TokenLifetime:
		return formToken{}, ErrTokenExpired
	}
	return formToken{nonce: hex.EncodeToString(raw[8 : 8+tokenNonceSize]), expires: issued.Add(s.cfg.TokenLifetime).Unix() + 60}, nil
}
