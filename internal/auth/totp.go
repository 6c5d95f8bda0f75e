package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"

	"embrace/internal/keys"
)

// TOTP settings (RFC 6238): 30-second steps, 6 digits, HMAC-SHA-1, which
// every authenticator app supports. A code is accepted for the step before
// and after the current one (clock drift), and only once: the last accepted
// step is stored and every step at or before it is refused.
const (
	TOTPPeriod     = 30
	TOTPDigits     = 6
	totpSkew       = 1
	totpSecretSize = 20 // 160 bits, RFC 4226's recommendation
	// Issuer names the service in authenticator apps.
	Issuer = "Embrace"
)

// RecoveryCodeCount is how many one-time recovery codes an account gets.
const RecoveryCodeCount = 10

// recoveryCodeChars is the length of a recovery code in base32 characters:
// 16 × 5 = 80 bits.
const recoveryCodeChars = 16

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Enrolment is what a person needs to set up their second factor: the
// otpauth URI (for a QR code or to paste), the secret itself, and the
// recovery codes. It is shown once and never stored in the clear.
type Enrolment struct {
	Username      string
	Secret        string // base32, no padding
	URI           string
	RecoveryCodes []string
}

// String keeps an enrolment's secrets out of logs and error messages.
func (e Enrolment) String() string { return "[enrolment redacted]" }

// newTOTPSecret returns a fresh random secret in base32.
func newTOTPSecret() string {
	b := make([]byte, totpSecretSize)
	rand.Read(b)
	defer clear(b)
	return b32.EncodeToString(b)
}

// EnrolmentURI is the otpauth:// URI of a TOTP secret, in the Key URI
// format authenticator apps read.
func EnrolmentURI(username, secret string) string {
	// Parameters in the order authenticators document; url.Values would
	// sort them.
	return "otpauth://totp/" + url.PathEscape(Issuer+":"+username) +
		"?secret=" + secret + "&issuer=" + url.QueryEscape(Issuer) + "&algorithm=SHA1&digits=6&period=30"
}

// totpStep is the RFC 6238 time step of t.
func totpStep(t time.Time) int64 { return t.Unix() / TOTPPeriod }

// checkTOTP looks for a step within the skew of now, after lastStep, whose
// code is code. It compares every candidate in constant time.
func checkTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	if len(code) != TOTPDigits {
		return 0, false
	}
	cur := totpStep(now)
	found := int64(0)
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > lastStep && found == 0 {
			found = step
		}
	}
	return found, found != 0
}

// TOTPCode computes the code of secret at t; tests and tools use it.
func TOTPCode(secret string, t time.Time) (string, error) {
	return hotp.GenerateCodeCustom(secret, uint64(totpStep(t)), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// isTOTPShaped reports whether code looks like a TOTP code (six digits)
// rather than a recovery code.
func isTOTPShaped(code string) bool {
	if len(code) != TOTPDigits {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// normalizeCode trims spaces from a submitted code; a recovery code is
// also upper-cased and freed of dashes and spaces.
func normalizeCode(code string) string {
	code = strings.TrimSpace(code)
	if isTOTPShaped(code) {
		return code
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r == '-' || r == ' ' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// newRecoveryCodes returns RecoveryCodeCount fresh codes, formatted in
// groups of four (ABCD-EFGH-IJKL-MNOP), and their hashes.
func newRecoveryCodes() (codes []string, hashes [][]byte) {
	for range RecoveryCodeCount {
		b := make([]byte, recoveryCodeChars*5/8)
		rand.Read(b)
		raw := b32.EncodeToString(b)
		clear(b)
		hashes = append(hashes, recoveryHash(raw))
		codes = append(codes, raw[0:4]+"-"+raw[4:8]+"-"+raw[8:12]+"-"+raw[12:16])
	}
	return codes, hashes
}

// recoveryHash is what the database keeps of a normalised recovery code.
func recoveryHash(normalized string) []byte {
	h := sha256.Sum256([]byte("embrace.auth v1 recovery code\x00" + normalized))
	return h[:]
}

// sealTOTP encrypts the TOTP secret to the user's public key (and the
// duress key's, when there is one): a seized database cannot mint codes,
// and only a session that unlocked the identity can check them.
func sealTOTP(secret string, rs ...*keys.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := keys.Encrypt(&buf, rs...)
	if err != nil {
		return nil, fmt.Errorf("auth: seal totp secret: %w", err)
	}
	if _, err := io.WriteString(w, secret); err != nil {
		return nil, fmt.Errorf("auth: seal totp secret: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("auth: seal totp secret: %w", err)
	}
	return buf.Bytes(), nil
}

// openTOTP decrypts a sealed TOTP secret with id.
func openTOTP(sealed []byte, id *keys.Identity) (string, error) {
	r, err := keys.Decrypt(bytes.NewReader(sealed), id)
	if err != nil {
		return "", fmt.Errorf("auth: open totp secret: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(r, 256))
	if err != nil {
		return "", fmt.Errorf("auth: open totp secret: %w", keys.ErrDecrypt)
	}
	s := string(b)
	clear(b)
	return s, nil
}
