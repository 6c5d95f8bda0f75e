package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"embrace/internal/audit"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// Config holds what the service needs; cli builds it. Zero fields take the
// defaults named beside them.
type Config struct {
	Store *store.Store
	// Params are the Argon2id parameters for new passwords (DefaultParams).
	Params Params
	// IdleTimeout ends a session unused this long (30 minutes).
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after sign-in (12 hours).
	AbsoluteTimeout time.Duration
	// MaxConcurrentHashes caps Argon2id computations at once (2), so a
	// flood of sign-ins cannot exhaust memory.
	MaxConcurrentHashes int
	// HashWait is how long a sign-in waits for a hashing slot (10 s).
	HashWait time.Duration
	// MaxFailures failed sign-ins within FailureWindow lock an account for
	// LockFor (10 in 15 minutes, 15 minutes).
	MaxFailures   int
	FailureWindow time.Duration
	LockFor       time.Duration
	// ClientMaxFailures failed sign-ins from one client within ClientWindow
	// pause that client until the window ends (30 in 15 minutes).
	ClientMaxFailures int
	ClientWindow      time.Duration
	// Now is the clock (time.Now); tests set it.
	Now    func() time.Time
	Logger *slog.Logger
	// OnWipe, when set, is called (outside any lock) after this process
	// wipes every keyring it holds (WipeAll, Lockdown) and whenever ending
	// sessions — a logout, or a sweep noticing rows deleted by another
	// process's lockdown — leaves it holding none. Capabilities that keep
	// material opened by sessions (casework's name cache) drop it here.
	OnWipe func()
}

func (c *Config) defaults() {
	if c.Params == (Params{}) {
		c.Params = DefaultParams()
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.AbsoluteTimeout <= 0 {
		c.AbsoluteTimeout = 12 * time.Hour
	}
	if c.MaxConcurrentHashes <= 0 {
		c.MaxConcurrentHashes = 2
	}
	if c.HashWait <= 0 {
		c.HashWait = DefaultHashWait
	}
	if c.MaxFailures <= 0 {
		c.MaxFailures = 10
	}
	if c.FailureWindow <= 0 {
		c.FailureWindow = 15 * time.Minute
	}
	if c.LockFor <= 0 {
		c.LockFor = 15 * time.Minute
	}
	if c.ClientMaxFailures <= 0 {
		c.ClientMaxFailures = 30
	}
	if c.ClientWindow <= 0 {
		c.ClientWindow = 15 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Service is accounts, sign-in and sessions for one deployment. It is safe
// for concurrent use. Its in-memory state — unlocked keyrings, throttling
// counters, the key that hashes client addresses — lives and dies with the
// process.
type Service struct {
	cfg    Config
	st     *store.Store
	log    *slog.Logger
	common *commonList

	hashSem chan struct{}
	// dummy is the account an unknown username is checked against, so it
	// costs the same Argon2id run as a real one.
	dummySalt     []byte
	dummyVerifier []byte
	// memKey keys the hashes of client addresses and unknown usernames
	// kept for throttling; it never leaves memory, so those hashes cannot
	// be reversed by guessing from a dump of anything stored.
	memKey []byte

	mu        sync.Mutex
	cache     map[string]*cached     // session id → unlocked keyring
	clients   map[string]*failWindow // keyed hash of client address
	unknown   map[string]*failWindow // keyed hash of unknown username
	lastSweep time.Time
}

// New builds the service. It does not touch the database.
func New(cfg Config) (*Service, error) {
	cfg.defaults()
	if cfg.Store == nil {
		return nil, errors.New("auth: no store")
	}
	if !cfg.Params.valid() {
		return nil, errors.New("auth: Argon2id parameters out of range")
	}
	s := &Service{
		cfg: cfg, st: cfg.Store, log: cfg.Logger, common: newCommonList(),
		hashSem:   make(chan struct{}, cfg.MaxConcurrentHashes),
		dummySalt: newSalt(), dummyVerifier: make([]byte, sha256.Size), memKey: make([]byte, 32),
		cache: map[string]*cached{}, clients: map[string]*failWindow{}, unknown: map[string]*failWindow{},
	}
	rand.Read(s.dummyVerifier)
	rand.Read(s.memKey)
	return s, nil
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// keyed returns a hash of v under the in-memory key, for throttling tables.
func (s *Service) keyed(kind, v string) string {
	m := hmac.New(sha256.New, s.memKey)
	m.Write([]byte(kind + "\x00" + v))
	return string(m.Sum(nil))
}

// usernamePattern: 3–32 of a-z 0-9 . _ - starting with a letter or digit.
// Usernames are identifiers (they appear in the audit log as "user:NAME"),
// so they are ASCII; a person's real name never belongs here.
var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)

// NormalizeUsername lower-cases and trims a username as typed.
func NormalizeUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

// ValidUsername reports whether u (normalised) is an acceptable username.
func ValidUsername(u string) bool { return usernamePattern.MatchString(u) }

// Actor is how a user is named in the audit log.
func Actor(username string) string { return "user:" + username }

// ActorUnknown names an actor whose username does not exist: the attempted
// name is never written down (it may be a password typed in the wrong box).
const ActorUnknown = "unknown"

// identityAD and duressAD bind a sealed identity to its principal.
func identityAD(principalID int64) []byte {
	return fmt.Appendf(nil, "embrace.auth v1 identity principal:%d", principalID)
}

func duressAD(principalID int64) []byte {
	return fmt.Appendf(nil, "embrace.auth v1 duress identity principal:%d", principalID)
}

// account is an auth_accounts row.
type account struct {
	id              int64
	username        string
	principalID     int64
	status          string
	created         int64
	params          Params
	salt            []byte
	verifier        []byte
	sealedIdentity  []byte
	duressVerifier  []byte
	duressIdentity  []byte
	duressRecipient sql.NullString
	totpSecret      []byte
	totpDuress      bool
	totpLastStep    int64
	failCount       int
	failSince       int64
	lockedUntil     int64
}

const accountColumns = `id, username, principal_id, status, created, kdf_time, kdf_memory, kdf_threads, kdf_salt,
	verifier, sealed_identity, duress_verifier, duress_identity, duress_recipient, totp_secret, totp_duress,
	totp_last_step, fail_count, fail_since, locked_until`

func scanAccount(row interface{ Scan(...any) error }) (*account, error) {
	a := &account{}
	var t, m, p int64
	err := row.Scan(&a.id, &a.username, &a.principalID, &a.status, &a.created, &t, &m, &p, &a.salt,
		&a.verifier, &a.sealedIdentity, &a.duressVerifier, &a.duressIdentity, &a.duressRecipient, &a.totpSecret, &a.totpDuress,
		&a.totpLastStep, &a.failCount, &a.failSince, &a.lockedUntil)
	if err != nil {
		return nil, err
	}
	a.params = Params{Time: uint32(t), MemoryKiB: uint32(m), Threads: uint8(p)}
	return a, nil
}

// loadAccount reads an account by username; ErrNotFound when there is none.
func loadAccount(ctx context.Context, q store.Querier, username string) (*account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, "SELECT "+accountColumns+" FROM auth_accounts WHERE username = $1", username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("auth: account: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: read account: %w", err)
	}
	return a, nil
}

func loadAccountByID(ctx context.Context, q store.Querier, id int64) (*account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, "SELECT "+accountColumns+" FROM auth_accounts WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("auth: account: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: read account: %w", err)
	}
	return a, nil
}

// rolesOf and teamsOf read an account's roles and teams.
func rolesOf(ctx context.Context, q store.Querier, accountID int64) ([]Role, error) {
	rows, err := q.QueryContext(ctx, "SELECT role FROM auth_account_roles WHERE account_id = $1 ORDER BY role", accountID)
	if err != nil {
		return nil, fmt.Errorf("auth: read roles: %w", err)
	}
	defer rows.Close()
	var out []Role
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("auth: read roles: %w", err)
		}
		out = append(out, Role(r))
	}
	return out, rows.Err()
}

func teamsOf(ctx context.Context, q store.Querier, accountID int64) ([]Team, error) {
	rows, err := q.QueryContext(ctx, "SELECT team FROM auth_account_teams WHERE account_id = $1 ORDER BY team", accountID)
	if err != nil {
		return nil, fmt.Errorf("auth: read teams: %w", err)
	}
	defer rows.Close()
	var out []Team
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("auth: read teams: %w", err)
		}
		out = append(out, Team(t))
	}
	return out, rows.Err()
}

// appendAudit writes one audit entry in tx.
func appendAudit(ctx context.Context, tx *sql.Tx, actor, action, object string, detail map[string]string) error {
	if _, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: action, Object: object, Detail: detail}); err != nil {
		return fmt.Errorf("auth: audit %s: %w", action, err)
	}
	return nil
}

// Audit appends an entry in its own transaction, for decisions taken
// outside this package's methods (for example a route refusing a
// permission).
func (s *Service) Audit(ctx context.Context, actor, action, object string, detail map[string]string) error {
	return s.st.Tx(ctx, func(tx *sql.Tx) error { return appendAudit(ctx, tx, actor, action, object, detail) })
}

// AuditDenied records that sess was refused a route for lacking perm.
func (s *Service) AuditDenied(ctx context.Context, sess *Session, perm Permission, route string) {
	if err := s.Audit(ctx, sess.Actor(), "auth.denied", "", map[string]string{"permission": string(perm), "route": route}); err != nil {
		s.log.Error("audit failed", "action", "auth.denied", "err", err)
	}
}

// escrowPrincipal returns the escrow principal or ErrNoEscrow.
func escrowPrincipal(ctx context.Context, q store.Querier) (keys.Principal, error) {
	p, err := keys.Escrow(ctx, q)
	if errors.Is(err, store.ErrNotFound) {
		return keys.Principal{}, ErrNoEscrow
	}
	return p, err
}
