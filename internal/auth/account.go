package auth

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"embrace/internal/keys"
	"embrace/internal/store"
)

// Account statuses.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Account is what administrators see of an account: no secret.
type Account struct {
	ID       int64
	Username string
	Status   string
	Roles    []Role
	Teams    []Team
	// Pending lists the teams whose key is still to be wrapped to the
	// account by someone who holds it.
	Pending   []Team
	Created   time.Time
	DuressSet bool
}

// NewAccount describes an account to create.
type NewAccount struct {
	Username string
	Password string
	Roles    []Role
	Teams    []Team
}

// prepared is a new account's secrets, computed before the transaction so
// that no write lock is held while Argon2id runs.
type prepared struct {
	username   string
	identity   *keys.Identity
	params     Params
	salt       []byte
	verifier   []byte
	identKey   []byte
	totp       string
	codes      []string
	codeHashes [][]byte
}

func (p *prepared) wipe() {
	p.identity.Wipe()
	clear(p.identKey)
}

func (s *Service) prepare(ctx context.Context, spec NewAccount) (*prepared, error) {
	username := NormalizeUsername(spec.Username)
	if !ValidUsername(username) {
		return nil, fmt.Errorf("auth: %w: a username is 3 to 32 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit", ErrInvalid)
	}
	if len(spec.Roles) == 0 {
		return nil, fmt.Errorf("auth: %w: name at least one role", ErrInvalid)
	}
	for _, r := range spec.Roles {
		if !slices.Contains(Roles(), r) {
			return nil, fmt.Errorf("auth: %w: unknown role %q", ErrInvalid, r)
		}
	}
	for _, t := range spec.Teams {
		if !slices.Contains(Teams(), t) {
			return nil, fmt.Errorf("auth: %w: unknown team %q", ErrInvalid, t)
		}
	}
	pw, err := s.checkNewPassword(spec.Password, username)
	if err != nil {
		return nil, err
	}
	// Refuse a taken username before spending a hash on it (insert checks
	// again inside its transaction).
	var n int
	if err := s.st.DB().QueryRowContext(ctx, "SELECT count(*) FROM auth_accounts WHERE username = $1", username).Scan(&n); err != nil {
		return nil, fmt.Errorf("auth: create account: %w", err)
	}
	if n > 0 {
		return nil, fmt.Errorf("auth: account %s already exists: %w", username, store.ErrConflict)
	}
	id, err := keys.GenerateIdentity()
	if err != nil {
		return nil, err
	}
	p := &prepared{username: username, identity: id, params: s.cfg.Params, salt: newSalt(), totp: newTOTPSecret()}
	d, err := s.hash(ctx, pw, p.salt, p.params)
	if err != nil {
		id.Wipe()
		return nil, err
	}
	defer d.wipe()
	p.verifier, p.identKey = d.verifier(), d.identityKey()
	p.codes, p.codeHashes = newRecoveryCodes()
	return p, nil
}

// insert stores a prepared account with its roles, inside tx, and returns
// its id and principal.
func (s *Service) insert(ctx context.Context, tx *sql.Tx, p *prepared, roles []Role) (int64, keys.Principal, error) {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM auth_accounts WHERE username = $1", p.username).Scan(&n); err != nil {
		return 0, keys.Principal{}, fmt.Errorf("auth: create account: %w", err)
	}
	if n > 0 {
		return 0, keys.Principal{}, fmt.Errorf("auth: account %s already exists: %w", p.username, store.ErrConflict)
	}
	if _, err := escrowPrincipal(ctx, tx); err != nil {
		return 0, keys.Principal{}, err
	}
	pr, err := keys.CreatePrincipal(ctx, tx, keys.KindUser, p.username, p.identity.Recipient())
	if err != nil {
		return 0, keys.Principal{}, err
	}
	sealed, err := keys.SealIdentity(p.identKey, p.identity, identityAD(pr.ID))
	if err != nil {
		return 0, keys.Principal{}, err
	}
	totp, err := sealTOTP(p.totp, p.identity.Recipient())
	if err != nil {
		return 0, keys.Principal{}, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO auth_accounts (username, principal_id, status, created, kdf_time, kdf_memory,
		kdf_threads, kdf_salt, verifier, sealed_identity, totp_secret) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		p.username, pr.ID, StatusActive, s.now().Unix(), int64(p.params.Time), int64(p.params.MemoryKiB), int64(p.params.Threads),
		p.salt, p.verifier, sealed, totp).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, keys.Principal{}, fmt.Errorf("auth: account %s already exists: %w", p.username, store.ErrConflict)
	}
	if err != nil {
		return 0, keys.Principal{}, fmt.Errorf("auth: create account: %w", err)
	}
	for _, r := range roles {
		if _, err := tx.ExecContext(ctx, "INSERT INTO auth_account_roles (account_id, role) VALUES ($1, $2)", id, string(r)); err != nil {
			return 0, keys.Principal{}, fmt.Errorf("auth: create account: %w", err)
		}
	}
	if err := storeRecoveryCodes(ctx, tx, id, p.codeHashes); err != nil {
		return 0, keys.Principal{}, err
	}
	return id, pr, nil
}

func storeRecoveryCodes(ctx context.Context, tx *sql.Tx, accountID int64, hashes [][]byte) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM auth_recovery_codes WHERE account_id = $1", accountID); err != nil {
		return fmt.Errorf("auth: recovery codes: %w", err)
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, "INSERT INTO auth_recovery_codes (account_id, hash) VALUES ($1, $2)", accountID, h); err != nil {
			return fmt.Errorf("auth: recovery codes: %w", err)
		}
	}
	return nil
}

func enrolment(p *prepared) Enrolment {
	return Enrolment{Username: p.username, Secret: p.totp, URI: EnrolmentURI(p.username, p.totp), RecoveryCodes: p.codes}
}

// CreateAccount creates an account with its key pair, TOTP secret and
// recovery codes, and puts it in its teams: each team key is wrapped to it
// at once when ring (the creator's keyring; may be nil) holds it, or when
// the team has no holder yet (see joinTeam), and is otherwise left as a
// pending grant for the next key holder who signs in. actor is audited
// ("cli", or the creator's Actor).
func (s *Service) CreateAccount(ctx context.Context, spec NewAccount, ring *keys.Keyring, actor string) (Account, Enrolment, error) {
	p, err := s.prepare(ctx, spec)
	if err != nil {
		return Account{}, Enrolment{}, err
	}
	defer p.wipe()
	var acct Account
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		id, pr, err := s.insert(ctx, tx, p, spec.Roles)
		if err != nil {
			return err
		}
		var pending []string
		for _, t := range spec.Teams {
			granted, err := s.joinTeam(ctx, tx, ring, id, pr, t)
			if err != nil {
				return err
			}
			if !granted {
				pending = append(pending, string(t))
			}
		}
		if err := appendAudit(ctx, tx, actor, "auth.account.create", Actor(p.username), map[string]string{
			"roles": joinRoles(spec.Roles), "teams": joinTeams(spec.Teams), "pending": strings.Join(pending, ","),
		}); err != nil {
			return err
		}
		acct, err = accountView(ctx, tx, id)
		return err
	})
	if err != nil {
		return Account{}, Enrolment{}, err
	}
	return acct, enrolment(p), nil
}

// CreateFirstAdmin creates the deployment's first account, an
// administrator who is the bootstrap steward: it becomes a member and key
// holder of every standard team, creating the teams that do not exist yet
// (wrapped to escrow and to it). It refuses when any account exists. init
// calls it; the steward then adds the real members (whose grants it
// fulfils when it next signs in) and should leave the teams once each has
// other holders (leaving rotates the team key).
func (s *Service) CreateFirstAdmin(ctx context.Context, username, password, actor string) (Account, Enrolment, error) {
	spec := NewAccount{Username: username, Password: password, Roles: []Role{RoleAdministrator}, Teams: Teams()}
	p, err := s.prepare(ctx, spec)
	if err != nil {
		return Account{}, Enrolment{}, err
	}
	defer p.wipe()
	var acct Account
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM auth_accounts").Scan(&n); err != nil {
			return fmt.Errorf("auth: first admin: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("auth: the deployment already has accounts: %w", store.ErrConflict)
		}
		id, pr, err := s.insert(ctx, tx, p, spec.Roles)
		if err != nil {
			return err
		}
		var pending []string
		for _, t := range spec.Teams {
			granted, err := s.joinTeam(ctx, tx, nil, id, pr, t)
			if err != nil {
				return err
			}
			if !granted {
				pending = append(pending, string(t))
			}
		}
		if err := appendAudit(ctx, tx, actor, "auth.account.create", Actor(p.username), map[string]string{
			"roles": joinRoles(spec.Roles), "teams": joinTeams(spec.Teams), "pending": strings.Join(pending, ","), "steward": "true",
		}); err != nil {
			return err
		}
		acct, err = accountView(ctx, tx, id)
		return err
	})
	if err != nil {
		return Account{}, Enrolment{}, err
	}
	return acct, enrolment(p), nil
}

// HasAccounts reports whether any account exists.
func (s *Service) HasAccounts(ctx context.Context) (bool, error) {
	var n int
	if err := s.st.DB().QueryRowContext(ctx, "SELECT count(*) FROM auth_accounts").Scan(&n); err != nil {
		return false, fmt.Errorf("auth: count accounts: %w", err)
	}
	return n > 0, nil
}

// EnsureTeams creates every standard team that does not exist yet, its key
// wrapped to escrow only. The escrow principal must exist. A team made here
// has no online holder; the first member to join it (joinTeam) gets a fresh
// key instead, which is safe because nothing has been encrypted to the team
// yet.
func EnsureTeams(ctx context.Context, q store.Querier) error {
	if _, err := escrowPrincipal(ctx, q); err != nil {
		return err
	}
	for _, t := range Teams() {
		_, err := keys.LookupPrincipal(ctx, q, keys.KindTeam, string(t))
		if err == nil {
			continue
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		_, id, err := keys.CreateTeam(ctx, q, string(t))
		if err != nil {
			return err
		}
		id.Wipe()
	}
	return nil
}

// AddToTeam makes user a member of team inside tx. When ring holds the team
// key (the caller is a member or the steward), the key is wrapped to the
// user at once (keys.GrantPrincipal); otherwise the membership is recorded
// with a pending grant, fulfilled the next time anyone holding the key
// signs in. It reports whether the key was granted now.
func (s *Service) AddToTeam(ctx context.Context, tx *sql.Tx, ring *keys.Keyring, user string, team Team, actor string) (bool, error) {
	if !slices.Contains(Teams(), team) {
		return false, fmt.Errorf("auth: %w: unknown team %q", ErrInvalid, team)
	}
	a, err := loadAccount(ctx, tx, NormalizeUsername(user))
	if err != nil {
		return false, err
	}
	pr, err := keys.PrincipalByID(ctx, tx, a.principalID)
	if err != nil {
		return false, err
	}
	granted, err := s.joinTeam(ctx, tx, ring, a.id, pr, team)
	if err != nil {
		return false, err
	}
	err = appendAudit(ctx, tx, actor, "auth.team.add", Actor(a.username), map[string]string{"team": string(team), "granted": fmt.Sprint(granted)})
	return granted, err
}

// joinTeam records membership and gives the member the team key when it
// can: the team does not exist yet (it is created, wrapped to escrow and
// the member); ring holds its key; or its only holder is escrow and nothing
// is wrapped to it yet (it is re-keyed, for the same reason). Otherwise it
// records a pending grant.
func (s *Service) joinTeam(ctx context.Context, tx *sql.Tx, ring *keys.Keyring, accountID int64, member keys.Principal, team Team) (bool, error) {
	if _, err := tx.ExecContext(ctx, "INSERT INTO auth_account_teams (account_id, team) VALUES ($1, $2) ON CONFLICT DO NOTHING", accountID, string(team)); err != nil {
		return false, fmt.Errorf("auth: join team: %w", err)
	}
	tp, err := keys.LookupPrincipal(ctx, tx, keys.KindTeam, string(team))
	switch {
	case errors.Is(err, store.ErrNotFound):
		_, id, err := keys.CreateTeam(ctx, tx, string(team), member)
		if err != nil {
			return false, err
		}
		id.Wipe()
		return true, s.clearPending(ctx, tx, accountID, team)
	case err != nil:
		return false, err
	}
	if ring != nil {
		if id := ring.Identity(tp.ID); id != nil {
			if err := keys.GrantPrincipal(ctx, tx, tp, id, member); err != nil {
				return false, err
			}
			return true, s.clearPending(ctx, tx, accountID, team)
		}
	}
	fresh, err := freshTeam(ctx, tx, tp)
	if err != nil {
		return false, err
	}
	if fresh {
		if err := rekeyFreshTeam(ctx, tx, tp, member); err != nil {
			return false, err
		}
		return true, s.clearPending(ctx, tx, accountID, team)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO auth_pending_grants (account_id, team, created) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
		accountID, string(team), s.now().Unix()); err != nil {
		return false, fmt.Errorf("auth: pending grant: %w", err)
	}
	return false, nil
}

func (s *Service) clearPending(ctx context.Context, tx *sql.Tx, accountID int64, team Team) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM auth_pending_grants WHERE account_id = $1 AND team = $2", accountID, string(team)); err != nil {
		return fmt.Errorf("auth: pending grant: %w", err)
	}
	return nil
}

// freshTeam reports whether a team's key is held by escrow alone and opens
// nothing yet.
func freshTeam(ctx context.Context, q store.Querier, team keys.Principal) (bool, error) {
	holders, err := keys.Holders(ctx, q, team)
	if err != nil {
		return false, err
	}
	for _, h := range holders {
		if h.Kind != keys.KindEscrow {
			return false, nil
		}
	}
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM key_wraps WHERE principal_id = $1", team.ID).Scan(&n); err != nil {
		return false, fmt.Errorf("auth: inspect team: %w", err)
	}
	return n == 0, nil
}

// rekeyFreshTeam gives a fresh team (see freshTeam) a new key pair wrapped
// to escrow and to member. Nothing was encrypted to the old one, so nothing
// is lost; the old key stays openable only by escrow.
func rekeyFreshTeam(ctx context.Context, tx *sql.Tx, team keys.Principal, member keys.Principal) error {
	esc, err := escrowPrincipal(ctx, tx)
	if err != nil {
		return err
	}
	id, err := keys.GenerateIdentity()
	if err != nil {
		return err
	}
	defer id.Wipe()
	if _, err := tx.ExecContext(ctx, "UPDATE principals SET recipient = $1 WHERE id = $2", id.Recipient().String(), team.ID); err != nil {
		return fmt.Errorf("auth: re-key team: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM principal_wraps WHERE principal_id = $1", team.ID); err != nil {
		return fmt.Errorf("auth: re-key team: %w", err)
	}
	team.Recipient = id.Recipient()
	for _, h := range []keys.Principal{esc, member} {
		if err := keys.GrantPrincipal(ctx, tx, team, id, h); err != nil {
			return err
		}
	}
	return nil
}

// fulfilPending wraps to their members the keys of teams ring holds that
// members are still waiting for, and audits each grant with holder as the
// actor. It runs at every sign-in.
func (s *Service) fulfilPending(ctx context.Context, tx *sql.Tx, ring *keys.Keyring, holder string) error {
	rows, err := tx.QueryContext(ctx, `SELECT g.account_id, g.team, a.principal_id, a.username FROM auth_pending_grants g
		JOIN auth_accounts a ON a.id = g.account_id WHERE a.status = $1 ORDER BY g.account_id, g.team`, StatusActive)
	if err != nil {
		return fmt.Errorf("auth: pending grants: %w", err)
	}
	type grant struct {
		account, principal int64
		team, username     string
	}
	var gs []grant
	for rows.Next() {
		var g grant
		if err := rows.Scan(&g.account, &g.team, &g.principal, &g.username); err != nil {
			rows.Close()
			return fmt.Errorf("auth: pending grants: %w", err)
		}
		gs = append(gs, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("auth: pending grants: %w", err)
	}
	teams := map[string]*keys.Principal{}
	for _, g := range gs {
		tp, ok := teams[g.team]
		if !ok {
			p, err := keys.LookupPrincipal(ctx, tx, keys.KindTeam, g.team)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err == nil {
				tp = &p
			}
			teams[g.team] = tp
		}
		if tp == nil {
			continue
		}
		tid := ring.Identity(tp.ID)
		if tid == nil {
			continue
		}
		member, err := keys.PrincipalByID(ctx, tx, g.principal)
		if err != nil {
			return err
		}
		if err := keys.GrantPrincipal(ctx, tx, *tp, tid, member); err != nil {
			return err
		}
		if err := s.clearPending(ctx, tx, g.account, Team(g.team)); err != nil {
			return err
		}
		if err := appendAudit(ctx, tx, holder, "auth.team.grant", Actor(g.username), map[string]string{"team": g.team}); err != nil {
			return err
		}
	}
	return nil
}

// accountView reads an account as administrators see it.
func accountView(ctx context.Context, q store.Querier, id int64) (Account, error) {
	a, err := loadAccountByID(ctx, q, id)
	if err != nil {
		return Account{}, err
	}
	return view(ctx, q, a)
}

func view(ctx context.Context, q store.Querier, a *account) (Account, error) {
	out := Account{ID: a.id, Username: a.username, Status: a.status, Created: time.Unix(a.created, 0).UTC(), DuressSet: len(a.duressVerifier) > 0}
	var err error
	if out.Roles, err = rolesOf(ctx, q, a.id); err != nil {
		return Account{}, err
	}
	if out.Teams, err = teamsOf(ctx, q, a.id); err != nil {
		return Account{}, err
	}
	rows, err := q.QueryContext(ctx, "SELECT team FROM auth_pending_grants WHERE account_id = $1 ORDER BY team", a.id)
	if err != nil {
		return Account{}, fmt.Errorf("auth: pending grants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return Account{}, fmt.Errorf("auth: pending grants: %w", err)
		}
		out.Pending = append(out.Pending, Team(t))
	}
	return out, rows.Err()
}

// ListAccounts lists every account by username.
func (s *Service) ListAccounts(ctx context.Context) ([]Account, error) {
	rows, err := s.st.DB().QueryContext(ctx, "SELECT "+accountColumns+" FROM auth_accounts ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("auth: list accounts: %w", err)
	}
	var as []*account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("auth: list accounts: %w", err)
		}
		as = append(as, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list accounts: %w", err)
	}
	out := make([]Account, 0, len(as))
	for _, a := range as {
		v, err := view(ctx, s.st.DB(), a)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// GetAccount reads one account by username.
func (s *Service) GetAccount(ctx context.Context, username string) (Account, error) {
	a, err := loadAccount(ctx, s.st.DB(), NormalizeUsername(username))
	if err != nil {
		return Account{}, err
	}
	return view(ctx, s.st.DB(), a)
}

// Suspend stops an account from signing in and ends its sessions, wiping
// their keys in this process (other processes wipe theirs when they next
// see the rows gone).
func (s *Service) Suspend(ctx context.Context, username, actor string) error {
	return s.setStatus(ctx, username, StatusSuspended, actor)
}

// Activate lets a suspended account sign in again and clears its lock.
func (s *Service) Activate(ctx context.Context, username, actor string) error {
	return s.setStatus(ctx, username, StatusActive, actor)
}

func (s *Service) setStatus(ctx context.Context, username, status, actor string) error {
	var ended []string
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		a, err := loadAccount(ctx, tx, NormalizeUsername(username))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE auth_accounts SET status = $1, fail_count = 0, fail_since = 0, locked_until = 0 WHERE id = $2", status, a.id); err != nil {
			return fmt.Errorf("auth: set status: %w", err)
		}
		action := "auth.account.activate"
		if status == StatusSuspended {
			action = "auth.account.suspend"
			if ended, err = deleteSessions(ctx, tx, "account_id = $1", a.id); err != nil {
				return err
			}
		}
		return appendAudit(ctx, tx, actor, action, Actor(a.username), map[string]string{"sessions_ended": fmt.Sprint(len(ended))})
	})
	if err != nil {
		return err
	}
	s.forget(ended...)
	return nil
}

// ResetTOTP gives an account a new TOTP secret and new recovery codes, for
// when a person has lost their authenticator. The secret is encrypted to
// the account's public key (and its duress key), which needs no private
// key, so an administrator can do this without holding any. The account's
// sessions end.
func (s *Service) ResetTOTP(ctx context.Context, username, actor string) (Enrolment, error) {
	secret := newTOTPSecret()
	codes, hashes := newRecoveryCodes()
	var ended []string
	var name string
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		a, err := loadAccount(ctx, tx, NormalizeUsername(username))
		if err != nil {
			return err
		}
		name = a.username
		pr, err := keys.PrincipalByID(ctx, tx, a.principalID)
		if err != nil {
			return err
		}
		rs := []*keys.Recipient{pr.Recipient}
		if a.duressRecipient.Valid {
			dr, err := keys.ParseRecipient(a.duressRecipient.String)
			if err != nil {
				return err
			}
			rs = append(rs, dr)
		}
		sealed, err := sealTOTP(secret, rs...)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE auth_accounts SET totp_secret = $1, totp_duress = $2, totp_last_step = 0 WHERE id = $3",
			sealed, len(rs) > 1, a.id); err != nil {
			return fmt.Errorf("auth: reset totp: %w", err)
		}
		if err := storeRecoveryCodes(ctx, tx, a.id, hashes); err != nil {
			return err
		}
		if ended, err = deleteSessions(ctx, tx, "account_id = $1", a.id); err != nil {
			return err
		}
		return appendAudit(ctx, tx, actor, "auth.account.reset_2fa", Actor(a.username), map[string]string{"sessions_ended": fmt.Sprint(len(ended))})
	})
	if err != nil {
		return Enrolment{}, err
	}
	s.forget(ended...)
	return Enrolment{Username: name, Secret: secret, URI: EnrolmentURI(name, secret), RecoveryCodes: codes}, nil
}

// SetDuressFor sets an account's duress password without the account's
// keys (from the CLI, with the person present). A duress sign-in then
// checks the TOTP code only after the person's next normal sign-in, which
// gives the duress key its copy of the TOTP secret; until then any
// well-formed code is taken.
func (s *Service) SetDuressFor(ctx context.Context, username, duress, actor string) error {
	a, err := loadAccount(ctx, s.st.DB(), NormalizeUsername(username))
	if err != nil {
		return err
	}
	dv, sealed, rcp, err := s.prepareDuress(ctx, a, duress)
	if err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE auth_accounts SET duress_verifier = $1, duress_identity = $2, duress_recipient = $3,
			totp_duress = FALSE WHERE id = $4`, dv, sealed, rcp, a.id); err != nil {
			return fmt.Errorf("auth: set duress: %w", err)
		}
		return appendAudit(ctx, tx, actor, "auth.duress.set", Actor(a.username), nil)
	})
}

// prepareDuress checks a new duress password for account a and returns its
// verifier, a fresh duress identity sealed under it, and that identity's
// recipient. The duress password must differ from the account's password.
func (s *Service) prepareDuress(ctx context.Context, a *account, duress string) (verifier, sealed []byte, recipient string, err error) {
	pw, err := s.checkNewPassword(duress, a.username)
	if err != nil {
		return nil, nil, "", err
	}
	d, err := s.hash(ctx, pw, a.salt, a.params)
	if err != nil {
		return nil, nil, "", err
	}
	defer d.wipe()
	if subtle.ConstantTimeCompare(d.verifier(), a.verifier) == 1 {
		return nil, nil, "", &PasswordError{Reason: "same"}
	}
	did, err := keys.GenerateIdentity()
	if err != nil {
		return nil, nil, "", err
	}
	defer did.Wipe()
	k := d.identityKey()
	defer clear(k)
	sealed, err = keys.SealIdentity(k, did, duressAD(a.principalID))
	if err != nil {
		return nil, nil, "", err
	}
	return d.duressVerifier(), sealed, did.Recipient().String(), nil
}

// SetDuress sets the signed-in person's duress password. current must be
// their account password. The TOTP secret is re-encrypted to the new duress
// key as well, so a duress sign-in checks codes like a normal one. In a
// duress session it changes nothing and reports success.
func (s *Service) SetDuress(ctx context.Context, sess *Session, current, duress, confirm string) error {
	if sess.Duress {
		return nil
	}
	if duress != confirm {
		return &PasswordError{Reason: "mismatch"}
	}
	cur, err := normalizePassword(current)
	if err != nil {
		return ErrBadCredentials
	}
	a, err := loadAccountByID(ctx, s.st.DB(), sess.AccountID)
	if err != nil {
		return err
	}
	if _, err := s.checkNewPassword(duress, a.username); err != nil {
		return err
	}
	d, err := s.hash(ctx, cur, a.salt, a.params)
	if err != nil {
		return err
	}
	ok := subtle.ConstantTimeCompare(d.verifier(), a.verifier) == 1
	d.wipe()
	if !ok {
		err := s.st.Tx(ctx, func(tx *sql.Tx) error {
			if err := s.accountFailure(ctx, tx, a, s.now()); err != nil {
				return err
			}
			return appendAudit(ctx, tx, sess.Actor(), "auth.duress.set.refused", "", map[string]string{"reason": "password"})
		})
		if err != nil {
			return err
		}
		return ErrBadCredentials
	}
	dv, sealed, rcp, err := s.prepareDuress(ctx, a, duress)
	if err != nil {
		return err
	}
	uid := sess.ring.Identity(a.principalID)
	if uid == nil {
		return fmt.Errorf("auth: set duress: %w", keys.ErrNoAccess)
	}
	secret, err := openTOTP(a.totpSecret, uid)
	if err != nil {
		return err
	}
	dr, err := keys.ParseRecipient(rcp)
	if err != nil {
		return err
	}
	totp, err := sealTOTP(secret, uid.Recipient(), dr)
	if err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE auth_accounts SET duress_verifier = $1, duress_identity = $2, duress_recipient = $3,
			totp_secret = $4, totp_duress = TRUE WHERE id = $5`, dv, sealed, rcp, totp, a.id); err != nil {
			return fmt.Errorf("auth: set duress: %w", err)
		}
		return appendAudit(ctx, tx, sess.Actor(), "auth.duress.set", Actor(a.username), nil)
	})
}

// DuressSet reports whether the signed-in person has a duress password.
func (s *Service) DuressSet(ctx context.Context, sess *Session) (bool, error) {
	var n int
	err := s.st.DB().QueryRowContext(ctx, "SELECT count(*) FROM auth_accounts WHERE id = $1 AND duress_verifier IS NOT NULL", sess.AccountID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("auth: duress: %w", err)
	}
	return n > 0, nil
}

func joinRoles(rs []Role) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return strings.Join(out, ",")
}

func joinTeams(ts []Team) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return strings.Join(out, ",")
}
