package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"embrace/internal/keys"
)

// SessionKind tells a browser session (cookie) from an API token (bearer).
// Each is accepted only where it was issued.
type SessionKind string

// The kinds of session.
const (
	KindWeb SessionKind = "web"
	KindAPI SessionKind = "api"
)

// tokenSize is the length of a session token in bytes (256 bits).
const tokenSize = 32

// tokenLen is the length of a token's text: base64url without padding.
var tokenLen = base64.RawURLEncoding.EncodedLen(tokenSize)

// Session is a signed-in person, as loaded for one request. Its keyring
// holds the person's private key and their teams' keys, unlocked with the
// session token; in a duress session it is empty.
type Session struct {
	// Handle is the session's public name (for the owner's session list).
	Handle      string
	AccountID   int64
	PrincipalID int64
	Username    string
	Roles       []Role
	Teams       []Team
	Kind        SessionKind
	// Duress is true for a session opened with the duress password. It
	// looks like any other session to the person using it; handlers that
	// show state beyond the keyring (alerts, other accounts) must show an
	// empty view instead, and routes whose permission is not DuressSafe are
	// refused before their handler runs.
	Duress   bool
	Created  time.Time
	LastSeen time.Time
	Expires  time.Time

	id   string
	ring *keys.Keyring
}

// Keyring is the session's unlocked keys. Never keep it beyond the request:
// it is wiped at logout, expiry, duress and lockdown.
func (s *Session) Keyring() *keys.Keyring { return s.ring }

// Can reports whether the session's roles hold p.
func (s *Session) Can(p Permission) bool { return Can(s.Roles, p) }

// Actor is how the session's person is named in the audit log.
func (s *Session) Actor() string { return Actor(s.Username) }

// LogValue keeps sessions out of logs beyond their handle.
func (s *Session) LogValue() slog.Value { return slog.StringValue("session:" + s.Handle) }

// cached is a session's unlocked keyring in this process.
type cached struct {
	ring *keys.Keyring
}

// newToken returns a fresh token, its text and its session id.
func newToken() (token []byte, text, id string) {
	token = make([]byte, tokenSize)
	rand.Read(token)
	text = base64.RawURLEncoding.EncodeToString(token)
	return token, text, sessionID(token)
}

// sessionID is what the database keeps of a token: its SHA-256, in hex.
func sessionID(token []byte) string {
	h := sha256.Sum256(token)
	return hex.EncodeToString(h[:])
}

// ParseToken decodes a session token's text, accepting only the canonical
// form (43 base64url characters, no padding).
func ParseToken(text string) ([]byte, bool) {
	if len(text) != tokenLen {
		return nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(text)
	if err != nil || len(b) != tokenSize {
		return nil, false
	}
	return b, true
}

// ParseBearer extracts the token text from an Authorization header value
// ("Bearer TOKEN"; the scheme is case-insensitive). It does not check the
// token.
func ParseBearer(header string) (string, bool) {
	scheme, tok, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	if tok == "" || strings.ContainsAny(tok, " \t") {
		return "", false
	}
	return tok, true
}

// sessionAD binds a session's sealed identity to its id.
func sessionAD(id string) []byte { return []byte("embrace.auth v1 session " + id) }

// newSessionRow inserts a session for account a inside tx. uid is the
// user's identity, sealed under the token's key; nil makes a duress
// session with no key at all. It returns the token's text.
func (s *Service) newSessionRow(ctx context.Context, tx *sql.Tx, a *account, kind SessionKind, uid *keys.Identity) (sess *Session, text string, err error) {
	token, text, id := newToken()
	defer clear(token)
	var sealed []byte
	if uid != nil {
		k := sessionKey(token)
		sealed, err = keys.SealIdentity(k, uid, sessionAD(id))
		clear(k)
		if err != nil {
			return nil, "", err
		}
	}
	hb := make([]byte, 8)
	rand.Read(hb)
	now := s.now()
	sess = &Session{
		Handle: hex.EncodeToString(hb), AccountID: a.id, PrincipalID: a.principalID, Username: a.username,
		Kind: kind, Duress: uid == nil, Created: now, LastSeen: now, Expires: now.Add(s.cfg.AbsoluteTimeout), id: id,
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO auth_sessions (id, handle, account_id, kind, created, last_seen, expires, idle_seconds, sealed_identity, duress)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, id, sess.Handle, a.id, string(kind), now.Unix(), now.Unix(),
		sess.Expires.Unix(), int64(s.cfg.IdleTimeout/time.Second), sealed, sess.Duress)
	if err != nil {
		return nil, "", fmt.Errorf("auth: create session: %w", err)
	}
	if sess.Roles, err = rolesOf(ctx, tx, a.id); err != nil {
		return nil, "", err
	}
	if sess.Teams, err = teamsOf(ctx, tx, a.id); err != nil {
		return nil, "", err
	}
	return sess, text, nil
}

// lastSeenEvery is how stale last_seen may get before a request writes it:
// idle expiry is exact to this much, and most requests write nothing.
const lastSeenEvery = 15 * time.Second

// sweepEvery is how often a process checks its cached keyrings against
// the database (a logout, lockdown or expiry seen by another process).
const sweepEvery = time.Minute

// Authenticate loads the session whose token is text and of kind kind,
// checking the database on every call so that a logout, suspension or
// lockdown in any process takes effect at once. On the first call in this
// process it opens the session's sealed identity with the token and unlocks
// the team keys the person holds. Any failure is ErrNoSession (wrapped),
// and when the row is gone its keyring is wiped here.
func (s *Service) Authenticate(ctx context.Context, text string, kind SessionKind) (*Session, error) {
	s.maybeSweep(ctx)
	token, ok := ParseToken(text)
	if !ok {
		return nil, ErrNoSession
	}
	defer clear(token)
	id := sessionID(token)
	now := s.now()
	var (
		sess                    Session
		sk, status              string
		created, seen, exp, idl int64
		sealed                  []byte
	)
	err := s.st.DB().QueryRowContext(ctx, `SELECT s.handle, s.account_id, s.kind, s.created, s.last_seen, s.expires, s.idle_seconds,
		s.sealed_identity, s.duress, a.username, a.principal_id, a.status
		FROM auth_sessions s JOIN auth_accounts a ON a.id = s.account_id WHERE s.id = $1`, id).Scan(
		&sess.Handle, &sess.AccountID, &sk, &created, &seen, &exp, &idl, &sealed, &sess.Duress, &sess.Username, &sess.PrincipalID, &status)
	if errors.Is(err, sql.ErrNoRows) {
		s.forget(id)
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("auth: read session: %w", err)
	}
	sess.id, sess.Kind = id, SessionKind(sk)
	sess.Created, sess.LastSeen, sess.Expires = time.Unix(created, 0), time.Unix(seen, 0), time.Unix(exp, 0)
	if sess.Kind != kind {
		return nil, ErrNoSession
	}
	if now.Unix() >= exp || now.Unix() >= seen+idl || (status != StatusActive && !sess.Duress) {
		if _, err := s.st.Exec(ctx, "DELETE FROM auth_sessions WHERE id = $1", id); err != nil {
			return nil, fmt.Errorf("auth: end session: %w", err)
		}
		s.forget(id)
		return nil, ErrNoSession
	}
	if sess.Roles, err = rolesOf(ctx, s.st.DB(), sess.AccountID); err != nil {
		return nil, err
	}
	if sess.Teams, err = teamsOf(ctx, s.st.DB(), sess.AccountID); err != nil {
		return nil, err
	}
	if now.Sub(sess.LastSeen) >= lastSeenEvery {
		if _, err := s.st.Exec(ctx, "UPDATE auth_sessions SET last_seen = $1 WHERE id = $2", now.Unix(), id); err != nil {
			return nil, fmt.Errorf("auth: touch session: %w", err)
		}
		sess.LastSeen = now
	}
	ring, err := s.ringFor(ctx, id, token, sealed, sess.PrincipalID, sess.Duress)
	if err != nil {
		return nil, err
	}
	sess.ring = ring
	return &sess, nil
}

// ringFor returns the cached keyring of session id, unlocking it from the
// sealed identity when this process has none yet.
func (s *Service) ringFor(ctx context.Context, id string, token, sealed []byte, principalID int64, duress bool) (*keys.Keyring, error) {
	s.mu.Lock()
	c := s.cache[id]
	s.mu.Unlock()
	if c != nil {
		return c.ring, nil
	}
	ring := keys.NewKeyring()
	if !duress {
		k := sessionKey(token)
		uid, err := keys.OpenIdentity(k, sealed, sessionAD(id))
		clear(k)
		if err != nil {
			// A token whose hash matches but whose key does not open the
			// identity means the row was tampered with.
			s.log.Warn("session identity does not open", "err", err)
			return nil, ErrNoSession
		}
		ring.Add(principalID, uid)
		if err := ring.UnlockHeld(ctx, s.st.DB()); err != nil {
			ring.Wipe()
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.cache[id]; c != nil {
		ring.Wipe() // another request unlocked it first
		return c.ring, nil
	}
	s.cache[id] = &cached{ring: ring}
	return ring, nil
}

// remember caches a freshly unlocked keyring.
func (s *Service) remember(id string, ring *keys.Keyring) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.cache[id]; old != nil && old.ring != ring {
		old.ring.Wipe()
	}
	s.cache[id] = &cached{ring: ring}
}

// forget wipes and drops the cached keyrings of the given sessions; when
// that leaves none, OnWipe runs.
func (s *Service) forget(ids ...string) {
	s.mu.Lock()
	dropped := false
	for _, id := range ids {
		if c := s.cache[id]; c != nil {
			c.ring.Wipe()
			delete(s.cache, id)
			dropped = true
		}
	}
	empty := len(s.cache) == 0
	s.mu.Unlock()
	if dropped && empty {
		s.onWipe()
	}
}

// onWipe runs Config.OnWipe, if any. It is called without s.mu held, so
// the hook may call back into the service.
func (s *Service) onWipe() {
	if s.cfg.OnWipe != nil {
		s.cfg.OnWipe()
	}
}

// WipeAll wipes every keyring this process holds (shutdown, lockdown),
// then runs OnWipe.
func (s *Service) WipeAll() {
	s.mu.Lock()
	for id, c := range s.cache {
		c.ring.Wipe()
		delete(s.cache, id)
	}
	s.mu.Unlock()
	s.onWipe()
}

// CachedSessions is how many sessions have keys unlocked in this process.
func (s *Service) CachedSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.cache)
}

// deleteSessions deletes the sessions matching where (with args) in tx and
// returns their ids, for the caller to forget after commit.
func deleteSessions(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id FROM auth_sessions WHERE "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("auth: end sessions: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("auth: end sessions: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: end sessions: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM auth_sessions WHERE "+where, args...); err != nil {
		return nil, fmt.Errorf("auth: end sessions: %w", err)
	}
	return ids, nil
}

// Logout ends sess: its row is deleted and its keyring wiped.
func (s *Service) Logout(ctx context.Context, sess *Session) error {
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM auth_sessions WHERE id = $1", sess.id); err != nil {
			return fmt.Errorf("auth: logout: %w", err)
		}
		return appendAudit(ctx, tx, sess.Actor(), "auth.logout", "session:"+sess.Handle, map[string]string{"kind": string(sess.Kind)})
	})
	s.forget(sess.id)
	sess.ring.Wipe()
	return err
}

// SessionInfo is one of a person's sessions, as their session list shows it.
type SessionInfo struct {
	Handle   string
	Kind     SessionKind
	Created  time.Time
	LastSeen time.Time
	Expires  time.Time
	Current  bool
}

// ListSessions lists the sessions of sess's person, newest first.
func (s *Service) ListSessions(ctx context.Context, sess *Session) ([]SessionInfo, error) {
	rows, err := s.st.DB().QueryContext(ctx, `SELECT id, handle, kind, created, last_seen, expires FROM auth_sessions
		WHERE account_id = $1 ORDER BY created DESC, handle`, sess.AccountID)
	if err != nil {
		return nil, fmt.Errorf("auth: list sessions: %w", err)
	}
	defer rows.Close()
	var out []SessionInfo
	for rows.Next() {
		var id, handle, kind string
		var c, l, e int64
		if err := rows.Scan(&id, &handle, &kind, &c, &l, &e); err != nil {
			return nil, fmt.Errorf("auth: list sessions: %w", err)
		}
		out = append(out, SessionInfo{Handle: handle, Kind: SessionKind(kind), Created: time.Unix(c, 0), LastSeen: time.Unix(l, 0),
			Expires: time.Unix(e, 0), Current: id == sess.id})
	}
	return out, rows.Err()
}

// RevokeSession ends one of sess's person's own sessions by its handle.
// Another person's session, or none, is ErrNotFound (and audited).
func (s *Service) RevokeSession(ctx context.Context, sess *Session, handle string) error {
	var ended []string
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if len(handle) > 32 {
			handle = ""
		}
		ended, err = deleteSessions(ctx, tx, "handle = $1 AND account_id = $2", handle, sess.AccountID)
		if err != nil {
			return err
		}
		if len(ended) == 0 {
			return nil
		}
		return appendAudit(ctx, tx, sess.Actor(), "auth.session.revoke", "session:"+handle, nil)
	})
	if err != nil {
		return err
	}
	if len(ended) == 0 {
		if err := s.Audit(ctx, sess.Actor(), "auth.session.revoke.refused", "", map[string]string{"reason": "not_own_or_gone"}); err != nil {
			return err
		}
		return fmt.Errorf("auth: session: %w", ErrNotFound)
	}
	s.forget(ended...)
	return nil
}

// Lockdown ends every session of every person at once: the rows are
// deleted (so every process refuses them at the next request and wipes
// their keys) and this process's keyrings are wiped now. It records an
// alert and an audit entry and returns how many sessions it ended.
func (s *Service) Lockdown(ctx context.Context, actor string) (int, error) {
	var ended []string
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if ended, err = deleteSessions(ctx, tx, "1 = 1"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO alerts (kind, account_id, created) VALUES ($1, NULL, $2)", AlertLockdown, s.now().Unix()); err != nil {
			return fmt.Errorf("auth: alert: %w", err)
		}
		return appendAudit(ctx, tx, actor, "auth.lockdown", "", map[string]string{"sessions_ended": fmt.Sprint(len(ended))})
	})
	s.WipeAll()
	if err != nil {
		return 0, err
	}
	return len(ended), nil
}

// maybeSweep runs Sweep when the last one is older than sweepEvery.
func (s *Service) maybeSweep(ctx context.Context) {
	s.mu.Lock()
	due := s.now().Sub(s.lastSweep) >= sweepEvery
	if due {
		s.lastSweep = s.now()
	}
	s.mu.Unlock()
	if due {
		if err := s.Sweep(ctx); err != nil {
			s.log.Warn("session sweep failed", "err", err)
		}
	}
}

// Sweep deletes expired sessions and wipes every cached keyring whose
// session is gone — ended by another process, or expired — so keys do not
// linger in memory for sessions nobody uses any more.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.now().Unix()
	if _, err := s.st.Exec(ctx, "DELETE FROM auth_sessions WHERE expires <= $1 OR last_seen + idle_seconds <= $1", now); err != nil {
		return fmt.Errorf("auth: sweep: %w", err)
	}
	rows, err := s.st.DB().QueryContext(ctx, "SELECT id FROM auth_sessions")
	if err != nil {
		return fmt.Errorf("auth: sweep: %w", err)
	}
	live := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("auth: sweep: %w", err)
		}
		live[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("auth: sweep: %w", err)
	}
	s.mu.Lock()
	dropped := false
	for id, c := range s.cache {
		if !live[id] {
			c.ring.Wipe()
			delete(s.cache, id)
			dropped = true
		}
	}
	empty := len(s.cache) == 0
	s.mu.Unlock()
	if dropped && empty {
		s.onWipe()
	}
	return nil
}

// Run sweeps every interval until ctx ends, then wipes every keyring. serve
// runs it beside the HTTP server.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = sweepEvery
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	defer s.WipeAll()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("session sweep failed", "err", err)
			}
		}
	}
}

// Alert kinds.
const (
	AlertDuress   = "duress"
	AlertLockdown = "lockdown"
)

// Alert is an event administrators must see.
type Alert struct {
	ID       int64
	Kind     string
	Username string // empty for a lockdown
	Created  time.Time
}

// Alerts lists the newest alerts first, at most limit (100 when ≤ 0). In
// a duress session it lists none: the person under duress must not be made
// to show the alert they raised.
func (s *Service) Alerts(ctx context.Context, sess *Session, limit int) ([]Alert, error) {
	if sess != nil && sess.Duress {
		return nil, nil
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.st.DB().QueryContext(ctx, `SELECT al.id, al.kind, COALESCE(a.username, ''), al.created FROM alerts al
		LEFT JOIN auth_accounts a ON a.id = al.account_id ORDER BY al.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("auth: alerts: %w", err)
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		var al Alert
		var c int64
		if err := rows.Scan(&al.ID, &al.Kind, &al.Username, &c); err != nil {
			return nil, fmt.Errorf("auth: alerts: %w", err)
		}
		al.Created = time.Unix(c, 0)
		out = append(out, al)
	}
	return out, rows.Err()
}
