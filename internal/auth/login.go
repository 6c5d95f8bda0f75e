package auth

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"embrace/internal/keys"
)

// LoginRequest is one sign-in attempt.
type LoginRequest struct {
	Username string
	Password string
	// Code is a six-digit TOTP code or a recovery code.
	Code string
	Kind SessionKind
	// Client is the remote address (host or host:port). It is hashed
	// under a key held only in memory, for throttling, and never stored.
	Client string
}

// maxCodeLen bounds what is read of a code; a recovery code with dashes is
// 19 characters.
const maxCodeLen = 64

// Login checks a sign-in and opens a session, returning it and the token
// for the cookie or bearer header (shown once; only its hash is stored).
//
// A wrong password, a wrong code, an unknown username and a suspended
// account all give ErrBadCredentials after the same single Argon2id run.
// A password over MaxPasswordLen gives ErrPasswordTooLong before any
// hashing. A paused account or client gives *LockedError. A duress
// password gives what looks like a success (see the package doc).
func (s *Service) Login(ctx context.Context, req LoginRequest) (*Session, string, error) {
	now := s.now()
	if req.Kind != KindWeb && req.Kind != KindAPI {
		return nil, "", fmt.Errorf("auth: login: unknown session kind")
	}
	username := NormalizeUsername(req.Username)
	if len(username) > 64 || !ValidUsername(username) {
		username = ""
	}
	code := req.Code
	if len(code) > maxCodeLen {
		code = ""
	}
	code = normalizeCode(code)
	client := s.keyed("client", clientHost(req.Client))

	var a *account
	if username != "" {
		var err error
		a, err = loadAccount(ctx, s.st.DB(), username)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, "", err
		}
	}
	actor := ActorUnknown
	if a != nil {
		actor = Actor(a.username)
	}
	refuse := func(reason string, err error) (*Session, string, error) {
		if aerr := s.Audit(ctx, actor, "auth.login.refused", "", map[string]string{"reason": reason, "kind": string(req.Kind)}); aerr != nil {
			return nil, "", aerr
		}
		return nil, "", err
	}

	pw, err := normalizePassword(req.Password)
	if err != nil {
		return refuse("password_too_long", ErrPasswordTooLong)
	}
	if until, locked := s.lockedIn(s.clients, client, now); locked {
		return refuse("client_paused", &LockedError{Until: until, Wait: until.Sub(now), Client: true})
	}
	unknownKey := s.keyed("user", username)
	if a == nil {
		if until, locked := s.lockedIn(s.unknown, unknownKey, now); locked {
			return refuse("locked", &LockedError{Until: until, Wait: until.Sub(now)})
		}
	} else if a.lockedUntil > now.Unix() {
		return refuse("locked", &LockedError{Until: time.Unix(a.lockedUntil, 0), Wait: time.Unix(a.lockedUntil, 0).Sub(now)})
	}

	// One Argon2id run answers both questions: the password, or the duress
	// password? An unknown user runs it too, against a dummy account.
	salt, params, verifier, duressVerifier := s.dummySalt, s.cfg.Params, s.dummyVerifier, s.dummyVerifier
	if a != nil {
		salt, params, verifier = a.salt, a.params, a.verifier
		if len(a.duressVerifier) > 0 {
			duressVerifier = a.duressVerifier
		}
	}
	d, err := s.hash(ctx, pw, salt, params)
	if err != nil {
		if errors.Is(err, ErrBusy) {
			return refuse("busy", ErrBusy)
		}
		return nil, "", err
	}
	defer d.wipe()
	isPassword := subtle.ConstantTimeCompare(d.verifier(), verifier) == 1
	isDuress := subtle.ConstantTimeCompare(d.duressVerifier(), duressVerifier) == 1

	fail := func(reason string) (*Session, string, error) {
		s.noteFailure(s.clients, client, now, s.cfg.ClientMaxFailures, s.cfg.ClientWindow, 0)
		if a == nil {
			s.noteFailure(s.unknown, unknownKey, now, s.cfg.MaxFailures, s.cfg.FailureWindow, s.cfg.LockFor)
			return refuse("unknown_user", ErrBadCredentials)
		}
		err := s.st.Tx(ctx, func(tx *sql.Tx) error {
			if reason != "suspended" {
				if err := s.accountFailure(ctx, tx, a, now); err != nil {
					return fmt.Errorf("auth: count failure: %w", err)
				}
			}
			return appendAudit(ctx, tx, actor, "auth.login.refused", "", map[string]string{"reason": reason, "kind": string(req.Kind)})
		})
		if err != nil {
			return nil, "", err
		}
		return nil, "", ErrBadCredentials
	}

	switch {
	case a == nil:
		return fail("unknown")
	case isDuress && len(a.duressVerifier) > 0 && !isPassword:
		return s.duressLogin(ctx, a, d, code, req.Kind, fail)
	case !isPassword:
		return fail("password")
	case a.status != StatusActive:
		return fail("suspended")
	}

	k := d.identityKey()
	uid, err := keys.OpenIdentity(k, a.sealedIdentity, identityAD(a.principalID))
	clear(k)
	if err != nil {
		return nil, "", fmt.Errorf("auth: the account's key does not open: %w", err)
	}
	secret, err := openTOTP(a.totpSecret, uid)
	if err != nil {
		uid.Wipe()
		return nil, "", err
	}
	step, totpOK := int64(0), false
	if isTOTPShaped(code) {
		step, totpOK = checkTOTP(secret, code, now, a.totpLastStep)
	}
	var sess *Session
	var text string
	var codeOK bool
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		codeOK, err = s.consumeCode(ctx, tx, a, code, step, totpOK)
		if err != nil || !codeOK {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE auth_accounts SET fail_count = 0, fail_since = 0, locked_until = 0 WHERE id = $1", a.id); err != nil {
			return fmt.Errorf("auth: login: %w", err)
		}
		// A duress password set from the CLI gets its copy of the TOTP
		// secret now that the secret is open.
		if a.duressRecipient.Valid && !a.totpDuress {
			dr, err := keys.ParseRecipient(a.duressRecipient.String)
			if err != nil {
				return err
			}
			sealed, err := sealTOTP(secret, uid.Recipient(), dr)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE auth_accounts SET totp_secret = $1, totp_duress = TRUE WHERE id = $2", sealed, a.id); err != nil {
				return fmt.Errorf("auth: login: %w", err)
			}
		}
		sess, text, err = s.newSessionRow(ctx, tx, a, req.Kind, uid)
		if err != nil {
			return err
		}
		ring := keys.NewKeyring()
		ring.Add(a.principalID, uid)
		sess.ring = ring
		if err := ring.UnlockHeld(ctx, tx); err != nil {
			return err
		}
		if err := s.fulfilPending(ctx, tx, ring, actor); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, "auth.login", "session:"+sess.Handle, map[string]string{"kind": string(req.Kind)})
	})
	if err != nil || !codeOK {
		if sess != nil {
			sess.ring.Wipe()
		} else {
			uid.Wipe()
		}
		if err != nil {
			return nil, "", err
		}
		return fail("code")
	}
	s.remember(sess.id, sess.ring)
	return sess, text, nil
}

// consumeCode accepts a TOTP step (already checked, and stored only if it
// is still after the last accepted one, so two processes cannot both take
// it) or an unused recovery code, and uses it up.
func (s *Service) consumeCode(ctx context.Context, tx *sql.Tx, a *account, code string, step int64, totpOK bool) (bool, error) {
	if totpOK {
		res, err := tx.ExecContext(ctx, "UPDATE auth_accounts SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1", step, a.id)
		if err != nil {
			return false, fmt.Errorf("auth: use code: %w", err)
		}
		n, _ := res.RowsAffected()
		return n == 1, nil
	}
	if isTOTPShaped(code) || len(code) != recoveryCodeChars {
		return false, nil
	}
	res, err := tx.ExecContext(ctx, "UPDATE auth_recovery_codes SET used = $1 WHERE account_id = $2 AND hash = $3 AND used = 0",
		s.now().Unix(), a.id, recoveryHash(code))
	if err != nil {
		return false, fmt.Errorf("auth: use recovery code: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// wellFormedCode reports whether code has the shape of a TOTP or recovery
// code.
func wellFormedCode(code string) bool {
	if isTOTPShaped(code) {
		return true
	}
	if len(code) != recoveryCodeChars {
		return false
	}
	_, err := b32.DecodeString(code)
	return err == nil
}

// duressLogin answers a sign-in with the duress password. It checks the
// code like a normal sign-in (with the duress key's copy of the TOTP
// secret), then, in one transaction: suspends the account, ends its other
// sessions, raises an alert, audits, and opens a session with no key. To
// the person at the keyboard it is a normal sign-in into an empty
// workspace.
func (s *Service) duressLogin(ctx context.Context, a *account, d *derived, code string, kind SessionKind,
	fail func(string) (*Session, string, error)) (*Session, string, error) {
	now := s.now()
	step, totpOK := int64(0), false
	k := d.identityKey()
	did, err := keys.OpenIdentity(k, a.duressIdentity, duressAD(a.principalID))
	clear(k)
	if err != nil {
		return nil, "", fmt.Errorf("auth: the duress key does not open: %w", err)
	}
	anyCode := !a.totpDuress // set from the CLI, no copy of the secret yet
	if a.totpDuress && isTOTPShaped(code) {
		secret, err := openTOTP(a.totpSecret, did)
		if err != nil {
			did.Wipe()
			return nil, "", err
		}
		step, totpOK = checkTOTP(secret, code, now, a.totpLastStep)
	}
	did.Wipe()

	var sess *Session
	var text string
	var ended []string
	codeOK := false
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		codeOK, err = s.consumeCode(ctx, tx, a, code, step, totpOK)
		if err != nil {
			return err
		}
		if !codeOK && anyCode && wellFormedCode(code) {
			codeOK = true
		}
		if !codeOK {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE auth_accounts SET status = $1, fail_count = 0, fail_since = 0, locked_until = 0 WHERE id = $2",
			StatusSuspended, a.id); err != nil {
			return fmt.Errorf("auth: duress: %w", err)
		}
		if ended, err = deleteSessions(ctx, tx, "account_id = $1", a.id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO alerts (kind, account_id, created) VALUES ($1, $2, $3)", AlertDuress, a.id, now.Unix()); err != nil {
			return fmt.Errorf("auth: alert: %w", err)
		}
		if sess, text, err = s.newSessionRow(ctx, tx, a, kind, nil); err != nil {
			return err
		}
		sess.ring = keys.NewKeyring()
		return appendAudit(ctx, tx, Actor(a.username), "auth.duress", "session:"+sess.Handle, map[string]string{
			"kind": string(kind), "sessions_ended": fmt.Sprint(len(ended)),
		})
	})
	if err != nil {
		return nil, "", err
	}
	if !codeOK {
		return fail("code")
	}
	s.forget(ended...)
	s.remember(sess.id, sess.ring)
	s.log.Warn("duress sign-in: account suspended, alert raised")
	return sess, text, nil
}
