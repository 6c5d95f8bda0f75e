package certs

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"embrace/internal/audit"
	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/myanmar"
	"embrace/internal/store"
	"embrace/internal/vetting"
)

// Object kinds of the keys this package wraps (table key_wraps).
const (
	ObjectCert = "cert"     // a certificate's key, object id = its number
	ObjectKey  = "cert_key" // a signing key's sealing key, object id = kid
)

// Certificate states.
const (
	StateRequested = "requested"
	StateIssued    = "issued"
	StateRevoked   = "revoked"
	StateDeclined  = "declined"
)

// DefaultIssuer names the issuer in tokens when the deployment sets none.
const DefaultIssuer = "People's Embrace"

const maxNote = 2000

var (
	// ErrForbidden: the actor's roles do not allow the action.
	ErrForbidden = errors.New("certs: your role does not allow this")
	// ErrState: the certificate is not in a state that allows the action
	// (issuing twice, revoking a request …).
	ErrState = errors.New("certs: the certificate is not in a state that allows this")
	// ErrNotVerified: the case is not verified by vetting (or has left the
	// verified path); no certificate may be requested or issued for it.
	ErrNotVerified = fmt.Errorf("certs: %w", vetting.ErrNotVerified)
	// ErrBadInput is wrapped by every *InputError.
	ErrBadInput = errors.New("invalid input")
	// ErrNoTeamKey: signing needs the certification team's key, and the
	// actor's keyring does not hold it.
	ErrNoTeamKey = errors.New("certs: signing needs the certification team's key, which your keys do not include")
)

// InputError names the field that was refused, never its value.
type InputError struct{ Field, Reason string }

func (e *InputError) Error() string { return "certs: " + e.Field + ": " + e.Reason }

// Unwrap makes errors.Is(err, ErrBadInput) true.
func (e *InputError) Unwrap() error { return ErrBadInput }

// Revocation reasons (green codes; any detail goes in the sealed note).
var reasons = []string{"holder_request", "issued_in_error", "status_changed", "superseded", "safety"}

// Reasons lists the revocation reason codes.
func Reasons() []string { return slices.Clone(reasons) }

// ValidReason reports whether code is a revocation reason.
func ValidReason(code string) bool { return slices.Contains(reasons, code) }

// Service is the certificates capability.
type Service struct {
	st *store.Store
	cw *casework.Service
	// Issuer is the "iss" of every token (DefaultIssuer when empty).
	Issuer string
	// Now is the clock (time.Now when nil).
	Now   func() time.Time
	limit *limiter
}

// New returns the certificates capability on st, reading cases through cw.
func New(st *store.Store, cw *casework.Service) *Service {
	return &Service{st: st, cw: cw, limit: newLimiter(DefaultClientRate, DefaultGlobalRate)}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) issuer() string {
	if s.Issuer != "" {
		return s.Issuer
	}
	return DefaultIssuer
}

func (s *Service) today() string { return s.now().Format(time.DateOnly) }

// request is the sealed record of a certificate request.
type request struct {
	Claims Claims   `json:"claims"`
	Public []string `json:"public"`
}

func reqPlace(number string) keys.Place {
	return keys.Place{Table: "certificates", Column: "sealed_request", Row: number}
}
func tokenPlace(number string) keys.Place {
	return keys.Place{Table: "certificates", Column: "sealed_token", Row: number}
}
func notePlace(number string) keys.Place {
	return keys.Place{Table: "certificates", Column: "sealed_note", Row: number}
}
func seedPlace(kid string) keys.Place {
	return keys.Place{Table: "cert_keys", Column: "sealed_seed", Row: kid}
}

func certObject(id int64) string { return "cert:" + strconv.FormatInt(id, 10) }

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func newNumber() string {
	var b [12]byte
	rand.Read(b[:])
	out := []byte("EC-")
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, crockford[int(c)%len(crockford)])
	}
	return string(out)
}

// RequestInput is what a case handler chooses when requesting a
// certificate: the date the holder joined and which claims are public.
type RequestInput struct {
	// Joined is the day the holder joined the movement (YYYY-MM-DD), or "".
	Joined string
	// Public names the claims (ClaimNames) the holder agreed to show.
	Public []string
}

func (in *RequestInput) clean(now time.Time) error {
	seen := map[string]bool{}
	for _, p := range in.Public {
		if !slices.Contains(ClaimNames(), p) {
			return &InputError{"public", "names an unknown claim"}
		}
		if seen[p] {
			return &InputError{"public", "names a claim twice"}
		}
		seen[p] = true
	}
	if in.Joined != "" {
		d, err := time.Parse(time.DateOnly, in.Joined)
		if err != nil || len(in.Joined) != 10 || d.Year() < 2021 || d.After(now) {
			return &InputError{"joined", "must be a day (YYYY-MM-DD) from 2021 to today"}
		}
	}
	return nil
}

// Ref names a certificate: its row id and number.
type Ref struct {
	ID     int64
	Number string
}

// Request records a certificate request for case id by a case handler
// whose ring opens the case. The claims come from the case (the
// defector's names and rank, the case's service) and in; the request is
// sealed under a new certificate key wrapped to the certification team
// and escrow, so the certifying officer can review it without reading the
// case. The case must be verified by vetting (quarantine does not matter).
func (s *Service) Request(ctx context.Context, a casework.Actor, ring *keys.Keyring, caseID int64, in RequestInput) (Ref, error) {
	if !auth.Can(a.Roles, auth.PermCaseHandle) {
		return Ref{}, ErrForbidden
	}
	if err := in.clean(s.now()); err != nil {
		return Ref{}, err
	}
	c, err := s.cw.Get(ctx, ring, caseID)
	if err != nil {
		return Ref{}, err
	}
	if err := vetting.Verified(ctx, s.st.DB(), caseID); err != nil {
		if errors.Is(err, vetting.ErrNotVerified) {
			return Ref{}, ErrNotVerified
		}
		return Ref{}, err
	}
	var self *casework.Person
	for i := range c.People {
		if c.People[i].Relation == "self" {
			self = &c.People[i]
			break
		}
	}
	if self == nil {
		return Ref{}, &InputError{"case", "has no defector record"}
	}
	rank := self.Rank
	if rank == "" {
		rank = c.RankBand
	}
	r := request{Claims: Claims{NameMy: self.NameMy, NameEn: self.NameLatin, Service: c.Service, Rank: rank, Joined: in.Joined}, Public: in.Public}
	for _, n := range ClaimNames() {
		v := r.Claims.Get(n)
		t, err := myanmar.Clean(v)
		if err != nil || len(t.Value) > maxClaim {
			return Ref{}, &InputError{n, "is not valid text or too long for a certificate"}
		}
		r.Claims.set(n, t.Value)
	}
	if r.Public == nil {
		r.Public = []string{}
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return Ref{}, fmt.Errorf("certs: request: %w", err)
	}
	defer clear(raw)
	team, err := keys.LookupPrincipal(ctx, s.st.DB(), keys.KindTeam, string(auth.TeamCertification))
	if err != nil {
		return Ref{}, fmt.Errorf("certs: certification team: %w", err)
	}
	esc, err := keys.Escrow(ctx, s.st.DB())
	if err != nil {
		return Ref{}, fmt.Errorf("certs: escrow: %w", err)
	}
	k, err := keys.NewDataKey()
	if err != nil {
		return Ref{}, err
	}
	defer k.Wipe()
	ref := Ref{Number: newNumber()}
	sealed, err := keys.SealField(k, reqPlace(ref.Number), raw)
	if err != nil {
		return Ref{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO certificates (number, case_id, state, requested_day, requested_by, sealed_request)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, ref.Number, caseID, StateRequested, s.today(), a.Name, sealed).Scan(&ref.ID); err != nil {
			return fmt.Errorf("certs: request: %w", err)
		}
		if err := keys.WrapObjectKey(ctx, tx, ObjectCert, ref.Number, k, team, esc); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "cert.request", Object: certObject(ref.ID),
			Detail: map[string]string{"case": strconv.FormatInt(caseID, 10), "public": strings.Join(r.Public, ",")}})
		return err
	})
	if err != nil {
		return Ref{}, err
	}
	return ref, nil
}

// Summary is a certificate as lists show it: green data only.
type Summary struct {
	ID           int64
	Number       string
	CaseID       int64
	State        string
	RequestedDay string
	IssuedDay    string
	RevokedDay   string
	Reason       string
	Kid          string
}

const summaryCols = `id, number, case_id, state, requested_day, issued_day, revoked_day, revoke_reason, kid`

func scanSummary(r interface{ Scan(...any) error }) (Summary, error) {
	var c Summary
	err := r.Scan(&c.ID, &c.Number, &c.CaseID, &c.State, &c.RequestedDay, &c.IssuedDay, &c.RevokedDay, &c.Reason, &c.Kid)
	return c, err
}

// List returns certificates in state (all when ""), newest first, at most
// limit (1–500, default 100).
func (s *Service) List(ctx context.Context, state string, limit int) ([]Summary, error) {
	if state != "" && state != StateRequested && state != StateIssued && state != StateRevoked && state != StateDeclined {
		return nil, &InputError{"state", "must be requested, issued, revoked or declined"}
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.st.DB().QueryContext(ctx, `SELECT `+summaryCols+` FROM certificates WHERE ($1 = '' OR state = $1) ORDER BY id DESC LIMIT `+strconv.Itoa(limit), state)
	if err != nil {
		return nil, fmt.Errorf("certs: list: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		c, err := scanSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("certs: list: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Summary returns one certificate's green data.
func (s *Service) Summary(ctx context.Context, id int64) (Summary, error) {
	c, err := scanSummary(s.st.DB().QueryRowContext(ctx, `SELECT `+summaryCols+` FROM certificates WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Summary{}, fmt.Errorf("certs: certificate %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return Summary{}, fmt.Errorf("certs: read: %w", err)
	}
	return c, nil
}

// Detail is a certificate opened with the certification team's key.
type Detail struct {
	Summary
	Claims Claims
	Public []string
	// Token is the signed certificate (once issued).
	Token string
}

// certKey opens a certificate's key with ring; no wrap is ErrNotFound.
func (s *Service) certKey(ctx context.Context, ring *keys.Keyring, number string) (*keys.DataKey, error) {
	if ring == nil {
		return nil, fmt.Errorf("certs: certificate: %w", store.ErrNotFound)
	}
	k, err := ring.OpenObjectKey(ctx, s.st.DB(), ObjectCert, number)
	if errors.Is(err, keys.ErrNoAccess) {
		return nil, fmt.Errorf("certs: certificate: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("certs: open certificate key: %w", err)
	}
	return k, nil
}

// Get opens certificate id with ring (the certification team's key or
// escrow). A certificate the ring cannot open is store.ErrNotFound.
func (s *Service) Get(ctx context.Context, ring *keys.Keyring, id int64) (Detail, error) {
	sum, err := s.Summary(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	k, err := s.certKey(ctx, ring, sum.Number)
	if err != nil {
		return Detail{}, err
	}
	defer k.Wipe()
	var sealedReq, sealedTok []byte
	if err := s.st.DB().QueryRowContext(ctx, "SELECT sealed_request, sealed_token FROM certificates WHERE id = $1", id).Scan(&sealedReq, &sealedTok); err != nil {
		return Detail{}, fmt.Errorf("certs: read: %w", err)
	}
	r, err := openRequest(k, sum.Number, sealedReq)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Summary: sum, Claims: r.Claims, Public: r.Public}
	if len(sealedTok) > 0 {
		t, err := keys.OpenField(k, tokenPlace(sum.Number), sealedTok)
		if err != nil {
			return Detail{}, fmt.Errorf("certs: token of certificate %d does not open: %w", id, err)
		}
		d.Token = string(t)
	}
	return d, nil
}

func openRequest(k *keys.DataKey, number string, sealed []byte) (request, error) {
	raw, err := keys.OpenField(k, reqPlace(number), sealed)
	if err != nil {
		return request{}, fmt.Errorf("certs: request does not open: %w", err)
	}
	defer clear(raw)
	var r request
	if err := json.Unmarshal(raw, &r); err != nil {
		return request{}, errors.New("certs: request record is damaged")
	}
	return r, nil
}

// Issue signs certificate id: the certifying officer's ring must open the
// request (certification team) and the current signing key. The token
// carries the number, issuer, issue time and only the public claims; it is
// stored sealed under the certificate key.
func (s *Service) Issue(ctx context.Context, a casework.Actor, ring *keys.Keyring, id int64) (string, error) {
	if !auth.Can(a.Roles, auth.PermCertify) {
		return "", ErrForbidden
	}
	d, err := s.Get(ctx, ring, id)
	if err != nil {
		return "", err
	}
	if d.State != StateRequested {
		return "", ErrState
	}
	if err := vetting.Verified(ctx, s.st.DB(), d.CaseID); err != nil {
		if errors.Is(err, vetting.ErrNotVerified) {
			return "", ErrNotVerified
		}
		return "", err
	}
	kid, priv, err := s.signingKey(ctx, a.Name, ring)
	if err != nil {
		return "", err
	}
	defer clear(priv)
	now := s.now()
	payload := map[string]any{"iss": s.issuer(), "jti": d.Number, "iat": now.Unix()}
	for _, n := range d.Public {
		if v := d.Claims.Get(n); v != "" {
			payload[n] = v
		}
	}
	pb, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("certs: issue: %w", err)
	}
	token, err := sign(priv, kid, TypeCertificate, pb)
	if err != nil {
		return "", fmt.Errorf("certs: issue: %w", err)
	}
	k, err := s.certKey(ctx, ring, d.Number)
	if err != nil {
		return "", err
	}
	defer k.Wipe()
	sealed, err := keys.SealField(k, tokenPlace(d.Number), []byte(token))
	if err != nil {
		return "", err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE certificates SET state = $1, issued_day = $2, issued_by = $3, kid = $4, sealed_token = $5
			WHERE id = $6 AND state = $7`, StateIssued, now.Format(time.DateOnly), a.Name, kid, sealed, id, StateRequested)
		if err != nil {
			return fmt.Errorf("certs: issue: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrState
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "cert.issue", Object: certObject(id),
			Detail: map[string]string{"kid": kid, "case": strconv.FormatInt(d.CaseID, 10)}})
		return err
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Revoke revokes issued certificate id for reason (a Reasons code), with
// an optional note sealed under the certificate key, and publishes a new
// signed revocation list, all in one transaction.
func (s *Service) Revoke(ctx context.Context, a casework.Actor, ring *keys.Keyring, id int64, reason, note string) error {
	if !auth.Can(a.Roles, auth.PermCertify) {
		return ErrForbidden
	}
	if !ValidReason(reason) {
		return &InputError{"reason", "is not a known revocation reason"}
	}
	if len(note) > maxNote {
		return &InputError{"note", "is too long (at most 2000 bytes)"}
	}
	t, err := myanmar.Clean(note)
	if err != nil {
		return &InputError{"note", "is not valid text"}
	}
	sum, err := s.Summary(ctx, id)
	if err != nil {
		return err
	}
	k, err := s.certKey(ctx, ring, sum.Number)
	if err != nil {
		return err
	}
	defer k.Wipe()
	if sum.State != StateIssued {
		return ErrState
	}
	var sealedNote []byte
	if t.Value != "" {
		if sealedNote, err = keys.SealField(k, notePlace(sum.Number), []byte(t.Value)); err != nil {
			return err
		}
	}
	kid, priv, err := s.signingKey(ctx, a.Name, ring)
	if err != nil {
		return err
	}
	defer clear(priv)
	day := s.today()
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE certificates SET state = $1, revoked_day = $2, revoked_by = $3, revoke_reason = $4, sealed_note = $5
			WHERE id = $6 AND state = $7`, StateRevoked, day, a.Name, reason, sealedNote, id, StateIssued)
		if err != nil {
			return fmt.Errorf("certs: revoke: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrState
		}
		if _, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "cert.revoke", Object: certObject(id),
			Detail: map[string]string{"reason": reason, "note": strconv.FormatBool(t.Value != "")}}); err != nil {
			return err
		}
		return s.publishRevocations(ctx, tx, kid, priv)
	})
}

// Decline refuses requested certificate id, with an optional note sealed
// under the certificate key (read back with Note). Nothing is signed.
func (s *Service) Decline(ctx context.Context, a casework.Actor, ring *keys.Keyring, id int64, note string) error {
	if !auth.Can(a.Roles, auth.PermCertify) {
		return ErrForbidden
	}
	if len(note) > maxNote {
		return &InputError{"note", "is too long (at most 2000 bytes)"}
	}
	t, err := myanmar.Clean(note)
	if err != nil {
		return &InputError{"note", "is not valid text"}
	}
	sum, err := s.Summary(ctx, id)
	if err != nil {
		return err
	}
	k, err := s.certKey(ctx, ring, sum.Number)
	if err != nil {
		return err
	}
	defer k.Wipe()
	if sum.State != StateRequested {
		return ErrState
	}
	var sealedNote []byte
	if t.Value != "" {
		if sealedNote, err = keys.SealField(k, notePlace(sum.Number), []byte(t.Value)); err != nil {
			return err
		}
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE certificates SET state = $1, revoked_day = $2, revoked_by = $3, sealed_note = $4
			WHERE id = $5 AND state = $6`, StateDeclined, s.today(), a.Name, sealedNote, id, StateRequested)
		if err != nil {
			return fmt.Errorf("certs: decline: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrState
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "cert.decline", Object: certObject(id),
			Detail: map[string]string{"note": strconv.FormatBool(t.Value != "")}})
		return err
	})
}

// Note opens the note of a revoked or declined certificate id ("" when
// none).
func (s *Service) Note(ctx context.Context, ring *keys.Keyring, id int64) (string, error) {
	sum, err := s.Summary(ctx, id)
	if err != nil {
		return "", err
	}
	k, err := s.certKey(ctx, ring, sum.Number)
	if err != nil {
		return "", err
	}
	defer k.Wipe()
	var sealed []byte
	if err := s.st.DB().QueryRowContext(ctx, "SELECT sealed_note FROM certificates WHERE id = $1", id).Scan(&sealed); err != nil {
		return "", fmt.Errorf("certs: read: %w", err)
	}
	if len(sealed) == 0 {
		return "", nil
	}
	b, err := keys.OpenField(k, notePlace(sum.Number), sealed)
	if err != nil {
		return "", fmt.Errorf("certs: note does not open: %w", err)
	}
	return string(b), nil
}

// Verify answers for a token presented by anyone: invalid (form,
// algorithm, key or signature), unknown (well signed but not a certificate
// this deployment holds as issued), revoked (with day and reason) or
// valid. It needs no key but the public ones and reveals only the token's
// own public claims.
func (s *Service) Verify(ctx context.Context, token string) (Verdict, error) {
	ks, err := s.KeySet(ctx)
	if err != nil {
		return Verdict{}, err
	}
	c, err := VerifyToken(token, ks)
	if err != nil {
		return Verdict{Status: StatusInvalid, Problem: problem(err)}, nil
	}
	v := Verdict{Certificate: c}
	var state, day, reason, kid string
	err = s.st.DB().QueryRowContext(ctx, "SELECT state, revoked_day, revoke_reason, kid FROM certificates WHERE number = $1", c.Number).Scan(&state, &day, &reason, &kid)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		v.Status = StatusUnknown
	case err != nil:
		return Verdict{}, fmt.Errorf("certs: verify: %w", err)
	case state == StateRevoked:
		v.Status, v.Revoked = StatusRevoked, Revoked{Number: c.Number, Day: day, Reason: reason}
	case state == StateIssued && kid == c.Kid:
		v.Status = StatusValid
	default:
		v.Status = StatusUnknown
	}
	return v, nil
}

// StatusOf answers for a certificate number alone (the short reference a
// QR code carries when the token is too long): valid, revoked or unknown,
// with no claims.
func (s *Service) StatusOf(ctx context.Context, number string) (Verdict, error) {
	if !ValidNumber(number) {
		return Verdict{Status: StatusInvalid, Problem: "malformed certificate number"}, nil
	}
	var state, day, reason string
	err := s.st.DB().QueryRowContext(ctx, "SELECT state, revoked_day, revoke_reason FROM certificates WHERE number = $1", number).Scan(&state, &day, &reason)
	v := Verdict{Certificate: Certificate{Number: number}}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		v.Status = StatusUnknown
	case err != nil:
		return Verdict{}, fmt.Errorf("certs: status: %w", err)
	case state == StateRevoked:
		v.Status, v.Revoked = StatusRevoked, Revoked{Number: number, Day: day, Reason: reason}
	case state == StateIssued:
		v.Status = StatusValid
	default:
		v.Status = StatusUnknown
	}
	return v, nil
}

// signingKey opens the current signing key with ring; it makes the first
// key when there is none.
func (s *Service) signingKey(ctx context.Context, actor string, ring *keys.Keyring) (string, ed25519.PrivateKey, error) {
	var kid string
	var sealed []byte
	err := s.st.DB().QueryRowContext(ctx, "SELECT kid, sealed_seed FROM cert_keys WHERE retired_day = '' ORDER BY created_seq DESC LIMIT 1").Scan(&kid, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return s.newKey(ctx, actor, ring)
	}
	if err != nil {
		return "", nil, fmt.Errorf("certs: signing key: %w", err)
	}
	k, err := ring.OpenObjectKey(ctx, s.st.DB(), ObjectKey, kid)
	if errors.Is(err, keys.ErrNoAccess) {
		return "", nil, ErrNoTeamKey
	}
	if err != nil {
		return "", nil, fmt.Errorf("certs: signing key: %w", err)
	}
	defer k.Wipe()
	seed, err := keys.OpenField(k, seedPlace(kid), sealed)
	if err != nil {
		return "", nil, fmt.Errorf("certs: signing key does not open: %w", err)
	}
	defer clear(seed)
	if len(seed) != ed25519.SeedSize {
		return "", nil, errors.New("certs: signing key is damaged")
	}
	return kid, ed25519.NewKeyFromSeed(seed), nil
}

// newKey makes a signing key (retiring the current one, which stays in
// the key set), audited as actor's, and returns it.
func (s *Service) newKey(ctx context.Context, actor string, ring *keys.Keyring) (string, ed25519.PrivateKey, error) {
	if ring == nil || ring.Identity(s.teamID(ctx)) == nil {
		return "", nil, ErrNoTeamKey
	}
	team, err := keys.LookupPrincipal(ctx, s.st.DB(), keys.KindTeam, string(auth.TeamCertification))
	if err != nil {
		return "", nil, fmt.Errorf("certs: certification team: %w", err)
	}
	esc, err := keys.Escrow(ctx, s.st.DB())
	if err != nil {
		return "", nil, fmt.Errorf("certs: escrow: %w", err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", nil, err
	}
	var kb [9]byte
	rand.Read(kb[:])
	kid := s.now().Format("2006-01") + "-" + b64.EncodeToString(kb[:])
	k, err := keys.NewDataKey()
	if err != nil {
		return "", nil, err
	}
	defer k.Wipe()
	sealed, err := keys.SealField(k, seedPlace(kid), priv.Seed())
	if err != nil {
		return "", nil, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var seq int64
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(created_seq), 0) + 1 FROM cert_keys").Scan(&seq); err != nil {
			return fmt.Errorf("certs: new key: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE cert_keys SET retired_day = $1 WHERE retired_day = ''", s.today()); err != nil {
			return fmt.Errorf("certs: new key: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO cert_keys (kid, public_key, sealed_seed, created_day, created_seq) VALUES ($1, $2, $3, $4, $5)",
			kid, []byte(pub), sealed, s.today(), seq); err != nil {
			return fmt.Errorf("certs: new key: %w", err)
		}
		if err := keys.WrapObjectKey(ctx, tx, ObjectKey, kid, k, team, esc); err != nil {
			return err
		}
		if _, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "cert.key.new", Object: "cert_key:" + kid,
			Detail: map[string]string{"seq": strconv.FormatInt(seq, 10)}}); err != nil {
			return err
		}
		return s.publishRevocations(ctx, tx, kid, priv)
	})
	if err != nil {
		clear(priv)
		return "", nil, err
	}
	return kid, priv, nil
}

func (s *Service) teamID(ctx context.Context) int64 {
	p, err := keys.LookupPrincipal(ctx, s.st.DB(), keys.KindTeam, string(auth.TeamCertification))
	if err != nil {
		return 0
	}
	return p.ID
}

// RotateKey makes a new signing key for the certifying officer a; the old
// keys stay in the key set so the certificates they signed still verify.
// A new revocation list is signed with the new key. It returns the new kid.
func (s *Service) RotateKey(ctx context.Context, a casework.Actor, ring *keys.Keyring) (string, error) {
	if !auth.Can(a.Roles, auth.PermCertify) {
		return "", ErrForbidden
	}
	kid, priv, err := s.newKey(ctx, a.Name, ring)
	if err != nil {
		return "", err
	}
	clear(priv)
	return kid, nil
}

// JWKS returns every signing key's public half, oldest first.
func (s *Service) JWKS(ctx context.Context) (JWKS, error) {
	rows, err := s.st.DB().QueryContext(ctx, "SELECT kid, public_key FROM cert_keys ORDER BY created_seq")
	if err != nil {
		return JWKS{}, fmt.Errorf("certs: keys: %w", err)
	}
	defer rows.Close()
	out := JWKS{Keys: []JWK{}}
	for rows.Next() {
		var kid string
		var pub []byte
		if err := rows.Scan(&kid, &pub); err != nil {
			return JWKS{}, fmt.Errorf("certs: keys: %w", err)
		}
		out.Keys = append(out.Keys, PublicJWK(kid, pub))
	}
	return out, rows.Err()
}

// KeySet returns the verification keys.
func (s *Service) KeySet(ctx context.Context) (KeySet, error) {
	j, err := s.JWKS(ctx)
	if err != nil {
		return nil, err
	}
	ks := KeySet{}
	for _, k := range j.Keys {
		x, _ := b64.DecodeString(k.X)
		ks[k.Kid] = x
	}
	return ks, nil
}

// publishRevocations signs the list of every revoked certificate with
// the key (kid, priv) and stores it, inside tx.
func (s *Service) publishRevocations(ctx context.Context, tx *sql.Tx, kid string, priv ed25519.PrivateKey) error {
	rows, err := tx.QueryContext(ctx, "SELECT number, revoked_day, revoke_reason FROM certificates WHERE state = $1 ORDER BY revoked_day, number", StateRevoked)
	if err != nil {
		return fmt.Errorf("certs: revocation list: %w", err)
	}
	list := []Revoked{}
	for rows.Next() {
		var r Revoked
		if err := rows.Scan(&r.Number, &r.Day, &r.Reason); err != nil {
			rows.Close()
			return fmt.Errorf("certs: revocation list: %w", err)
		}
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("certs: revocation list: %w", err)
	}
	pb, err := json.Marshal(struct {
		Iss     string    `json:"iss"`
		Iat     int64     `json:"iat"`
		Revoked []Revoked `json:"revoked"`
	}{s.issuer(), s.now().Unix(), list})
	if err != nil {
		return fmt.Errorf("certs: revocation list: %w", err)
	}
	tok, err := sign(priv, kid, TypeRevocations, pb)
	if err != nil {
		return fmt.Errorf("certs: revocation list: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO cert_revocation_lists (issued_day, kid, token) VALUES ($1, $2, $3)", s.today(), kid, tok); err != nil {
		return fmt.Errorf("certs: revocation list: %w", err)
	}
	return nil
}

// Revocations returns the newest signed revocation list;
// store.ErrNotFound before the first signing key exists.
func (s *Service) Revocations(ctx context.Context) (string, error) {
	var tok string
	err := s.st.DB().QueryRowContext(ctx, "SELECT token FROM cert_revocation_lists ORDER BY id DESC LIMIT 1").Scan(&tok)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("certs: revocation list: %w", store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("certs: revocation list: %w", err)
	}
	return tok, nil
}
