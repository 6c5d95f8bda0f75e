package auth

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/argon2"

	"embrace/internal/store"
)

// Params are the Argon2id parameters of a password. They are stored with
// each account, so raising them later affects new passwords only and old
// ones keep working.
type Params struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // lanes
}

// DefaultParams are RFC 9106's second recommended option (§4: Argon2id,
// m=64 MiB, p=4) with the time cost raised from t=3 to t=16 passes. On the
// 2-core reference machine t=3 took 60–100 ms, too cheap against someone
// who guesses offline from a seized database; t=16 takes about 0.3 s (see
// BenchmarkArgon2id and BenchmarkLogin), inside the 250–1000 ms band, and
// uses the same 64 MiB. With MaxConcurrentHashes at 2, sign-ins use at most
// 128 MiB at once. Parameters are stored per account, so raising them later
// applies to new passwords only.
func DefaultParams() Params { return Params{Time: 16, MemoryKiB: 64 * 1024, Threads: 4} }

// CheapParams are for tests only: they make a hash take microseconds and
// protect nothing.
func CheapParams() Params { return Params{Time: 1, MemoryKiB: 64, Threads: 1} }

func (p Params) valid() bool {
	return p.Time >= 1 && p.Time <= 100 && p.Threads >= 1 && p.MemoryKiB >= 8*uint32(p.Threads) && p.MemoryKiB <= 4<<20
}

// saltSize is the Argon2id salt length (RFC 9106 recommends 16 bytes).
const saltSize = 16

// HKDF and HMAC labels: every key and verifier below comes from one
// Argon2id output (the "master"), so one hash answers both "is this the
// password?" and "is this the duress password?".
const (
	labelVerifier = "embrace.auth v1 login verifier"
	labelDuress   = "embrace.auth v1 duress verifier"
	labelIdentity = "embrace.auth v1 identity key"
	labelSession  = "embrace.auth v1 session key"
)

// derived is what one Argon2id computation yields. wipe clears it.
type derived struct {
	master []byte
}

func (d *derived) mac(label string) []byte {
	m := hmac.New(sha256.New, d.master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// verifier is compared with the stored login verifier.
func (d *derived) verifier() []byte { return d.mac(labelVerifier) }

// duressVerifier is compared with the stored duress verifier.
func (d *derived) duressVerifier() []byte { return d.mac(labelDuress) }

// identityKey seals the identity that this password unlocks.
func (d *derived) identityKey() []byte {
	k, err := hkdf.Key(sha256.New, d.master, nil, labelIdentity, 32)
	if err != nil {
		panic("auth: hkdf: " + err.Error()) // only for impossible lengths
	}
	return k
}

func (d *derived) wipe() { clear(d.master) }

// newSalt returns a random Argon2id salt.
func newSalt() []byte {
	b := make([]byte, saltSize)
	rand.Read(b)
	return b
}

// hash runs Argon2id on password under the service's concurrency cap. It
// waits at most hashWait for a slot and then gives up with ErrBusy, so a
// flood of sign-ins queues briefly instead of exhausting memory.
func (s *Service) hash(ctx context.Context, password string, salt []byte, p Params) (*derived, error) {
	if !p.valid() {
		return nil, fmt.Errorf("auth: stored password parameters are out of range")
	}
	wait, cancel := context.WithTimeout(ctx, s.cfg.HashWait)
	defer cancel()
	select {
	case s.hashSem <- struct{}{}:
	case <-wait.Done():
		return nil, ErrBusy
	}
	defer func() { <-s.hashSem }()
	pw := []byte(password)
	defer clear(pw)
	return &derived{master: argon2.IDKey(pw, salt, p.Time, p.MemoryKiB, p.Threads, 32)}, nil
}

// sessionKey derives the key that seals a session's copy of the user's
// identity from the session token (HKDF-SHA256): whoever holds the token can
// derive it, the database alone cannot.
func sessionKey(token []byte) []byte {
	k, err := hkdf.Key(sha256.New, token, nil, labelSession, 32)
	if err != nil {
		panic("auth: hkdf: " + err.Error())
	}
	return k
}

// DefaultHashWait bounds how long a sign-in waits for a free hashing slot.
const DefaultHashWait = 10 * time.Second

// SettingParams names the deployment setting that overrides DefaultParams
// for new passwords, as "t=16,m=65536,p=4" (m in KiB): an operator can
// calibrate the cost on their own hardware without a new build. Whoever can
// write the settings table could lower it for future passwords, but could
// as well replace an account's keys outright (see the keys package's
// non-guarantees), so this adds no power over the database.
const SettingParams = "auth_argon2id"

// String formats p as the setting stores it.
func (p Params) String() string {
	return fmt.Sprintf("t=%d,m=%d,p=%d", p.Time, p.MemoryKiB, p.Threads)
}

// ParseParams reads the form String writes.
func ParseParams(s string) (Params, error) {
	var p Params
	var t, m, th uint64
	if n, err := fmt.Sscanf(s, "t=%d,m=%d,p=%d", &t, &m, &th); err != nil || n != 3 || t > 1<<20 || m > 1<<32-1 || th > 255 {
		return Params{}, fmt.Errorf("auth: %w: Argon2id parameters must read t=N,m=KiB,p=N", ErrInvalid)
	}
	p = Params{Time: uint32(t), MemoryKiB: uint32(m), Threads: uint8(th)}
	if !p.valid() {
		return Params{}, fmt.Errorf("auth: %w: Argon2id parameters out of range", ErrInvalid)
	}
	return p, nil
}

// LoadParams returns the deployment's Argon2id parameters for new
// passwords: the SettingParams setting when there is one, else
// DefaultParams.
func LoadParams(ctx context.Context, st *store.Store) (Params, error) {
	v, err := st.Setting(ctx, SettingParams)
	if errors.Is(err, store.ErrNotFound) {
		return DefaultParams(), nil
	}
	if err != nil {
		return Params{}, err
	}
	return ParseParams(v)
}
