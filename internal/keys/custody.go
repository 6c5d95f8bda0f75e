package keys

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"embrace/internal/store"
)

// Kind is the kind of a principal.
type Kind string

// The kinds of principal (DESIGN §4).
const (
	KindUser   Kind = "user"
	KindTeam   Kind = "team"
	KindEscrow Kind = "escrow"
)

// EscrowName is the name of the one escrow principal.
const EscrowName = "escrow"

// ErrNoAccess means no identity in a keyring opens the object: the holder
// has no wrap for it (or it was shredded).
var ErrNoAccess = errors.New("keys: no key for this object")

// Principal is a user, a team or escrow, known by its public key. The
// private key is never stored in the clear: a user's is sealed under their
// password, a team's is wrapped to its members and to escrow, and escrow's is
// split among custodians.
type Principal struct {
	ID        int64
	Kind      Kind
	Name      string
	Recipient *Recipient
}

// CreatePrincipal records a principal with its public key.
func CreatePrincipal(ctx context.Context, q store.Querier, kind Kind, name string, r *Recipient) (Principal, error) {
	var id int64
	err := q.QueryRowContext(ctx, "INSERT INTO principals (kind, name, recipient, created) VALUES ($1, $2, $3, $4) RETURNING id",
		string(kind), name, r.String(), time.Now().Unix()).Scan(&id)
	if store.IsUniqueViolation(err) {
		return Principal{}, fmt.Errorf("keys: %s %q already exists: %w", kind, name, store.ErrConflict)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("keys: create principal: %w", err)
	}
	return Principal{ID: id, Kind: kind, Name: name, Recipient: r}, nil
}

func scanPrincipal(row interface{ Scan(...any) error }) (Principal, error) {
	var p Principal
	var kind, rcp string
	if err := row.Scan(&p.ID, &kind, &p.Name, &rcp); err != nil {
		return Principal{}, err
	}
	p.Kind = Kind(kind)
	r, err := ParseRecipient(rcp)
	if err != nil {
		return Principal{}, fmt.Errorf("keys: principal %d has a damaged public key: %w", p.ID, err)
	}
	p.Recipient = r
	return p, nil
}

// LookupPrincipal finds a principal by kind and name.
func LookupPrincipal(ctx context.Context, q store.Querier, kind Kind, name string) (Principal, error) {
	p, err := scanPrincipal(q.QueryRowContext(ctx, "SELECT id, kind, name, recipient FROM principals WHERE kind = $1 AND name = $2", string(kind), name))
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, fmt.Errorf("keys: %s %q: %w", kind, name, store.ErrNotFound)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("keys: look up principal: %w", err)
	}
	return p, nil
}

// PrincipalByID finds a principal by id.
func PrincipalByID(ctx context.Context, q store.Querier, id int64) (Principal, error) {
	p, err := scanPrincipal(q.QueryRowContext(ctx, "SELECT id, kind, name, recipient FROM principals WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, fmt.Errorf("keys: principal %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("keys: look up principal: %w", err)
	}
	return p, nil
}

// Escrow returns the escrow principal, created at init.
func Escrow(ctx context.Context, q store.Querier) (Principal, error) {
	return LookupPrincipal(ctx, q, KindEscrow, EscrowName)
}

// CreateTeam makes a team principal with a fresh identity, wrapped to each
// holder and always to escrow. It returns the identity for the caller to use
// (and wipe).
func CreateTeam(ctx context.Context, q store.Querier, name string, holders ...Principal) (Principal, *Identity, error) {
	esc, err := Escrow(ctx, q)
	if err != nil {
		return Principal{}, nil, err
	}
	id, err := GenerateIdentity()
	if err != nil {
		return Principal{}, nil, err
	}
	team, err := CreatePrincipal(ctx, q, KindTeam, name, id.Recipient())
	if err != nil {
		id.Wipe()
		return Principal{}, nil, err
	}
	for _, h := range append([]Principal{esc}, holders...) {
		if err := GrantPrincipal(ctx, q, team, id, h); err != nil {
			id.Wipe()
			return Principal{}, nil, err
		}
	}
	return team, id, nil
}

// GrantPrincipal wraps the private key of p (a team's, which the caller has
// unlocked) to holder, so holder can open everything p can: joining a team.
func GrantPrincipal(ctx context.Context, q store.Querier, p Principal, pid *Identity, holder Principal) error {
	if !pid.Recipient().Equal(p.Recipient) {
		return fmt.Errorf("keys: grant %s: the identity given is not the %s's", p.Name, p.Kind)
	}
	w, err := WrapIdentity(pid, holder.Recipient)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO principal_wraps (principal_id, holder_id, wrapped) VALUES ($1, $2, $3)
		ON CONFLICT (principal_id, holder_id) DO UPDATE SET wrapped = excluded.wrapped`, p.ID, holder.ID, w)
	if err != nil {
		return fmt.Errorf("keys: grant: %w", err)
	}
	return nil
}

// Holders lists the principals holding p's private key.
func Holders(ctx context.Context, q store.Querier, p Principal) ([]Principal, error) {
	rows, err := q.QueryContext(ctx, `SELECT h.id, h.kind, h.name, h.recipient FROM principal_wraps w JOIN principals h ON h.id = w.holder_id
		WHERE w.principal_id = $1 ORDER BY h.id`, p.ID)
	if err != nil {
		return nil, fmt.Errorf("keys: holders: %w", err)
	}
	defer rows.Close()
	var out []Principal
	for rows.Next() {
		h, err := scanPrincipal(rows)
		if err != nil {
			return nil, fmt.Errorf("keys: holders: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// RotateTeam replaces a team's key pair after holder leaves: every object key
// wrapped to the team is re-wrapped to the new key, the new private key is
// wrapped to the remaining holders (and escrow), and the leaver's copy of
// the old key opens nothing new. ring must hold the team's current identity.
func RotateTeam(ctx context.Context, q store.Querier, ring *Keyring, team Principal, leaving Principal) error {
	old := ring.Identity(team.ID)
	if old == nil {
		return fmt.Errorf("keys: rotate %s: %w", team.Name, ErrNoAccess)
	}
	holders, err := Holders(ctx, q, team)
	if err != nil {
		return err
	}
	next, err := GenerateIdentity()
	if err != nil {
		return err
	}
	defer next.Wipe()
	rows, err := q.QueryContext(ctx, "SELECT object_kind, object_id, wrapped FROM key_wraps WHERE principal_id = $1", team.ID)
	if err != nil {
		return fmt.Errorf("keys: rotate: %w", err)
	}
	type wrapRow struct {
		kind, id string
		w        []byte
	}
	var all []wrapRow
	for rows.Next() {
		var r wrapRow
		if err := rows.Scan(&r.kind, &r.id, &r.w); err != nil {
			rows.Close()
			return fmt.Errorf("keys: rotate: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("keys: rotate: %w", err)
	}
	for _, r := range all {
		nw, err := rewrap(r.w, old, next.Recipient())
		if err != nil {
			return fmt.Errorf("keys: rotate %s: re-wrap %s %s: %w", team.Name, r.kind, r.id, err)
		}
		if _, err := q.ExecContext(ctx, "UPDATE key_wraps SET wrapped = $1 WHERE object_kind = $2 AND object_id = $3 AND principal_id = $4", nw, r.kind, r.id, team.ID); err != nil {
			return fmt.Errorf("keys: rotate: %w", err)
		}
	}
	if _, err := q.ExecContext(ctx, "UPDATE principals SET recipient = $1 WHERE id = $2", next.Recipient().String(), team.ID); err != nil {
		return fmt.Errorf("keys: rotate: %w", err)
	}
	if _, err := q.ExecContext(ctx, "DELETE FROM principal_wraps WHERE principal_id = $1", team.ID); err != nil {
		return fmt.Errorf("keys: rotate: %w", err)
	}
	team.Recipient = next.Recipient()
	for _, h := range holders {
		if h.ID == leaving.ID {
			continue
		}
		if err := GrantPrincipal(ctx, q, team, next, h); err != nil {
			return err
		}
	}
	nid, err := next.Clone()
	if err != nil {
		return err
	}
	ring.Add(team.ID, nid)
	return nil
}

// rewrap opens a wrapped secret of any kind with old and wraps it to r.
func rewrap(w []byte, old *Identity, r *Recipient) ([]byte, error) {
	k, err := Unwrap(w, old)
	if err == nil {
		defer k.Wipe()
		return Wrap(k, r)
	}
	ik, ierr := UnwrapIndexKey(w, old)
	if ierr == nil {
		defer ik.Wipe()
		return WrapIndexKey(ik, r)
	}
	return nil, err
}

// WrapObjectKey wraps an object's data key to each principal given,
// replacing any wrap that principal already had.
func WrapObjectKey(ctx context.Context, q store.Querier, kind, objectID string, k *DataKey, to ...Principal) error {
	for _, p := range to {
		w, err := Wrap(k, p.Recipient)
		if err != nil {
			return err
		}
		if err := putWrap(ctx, q, kind, objectID, p.ID, w); err != nil {
			return err
		}
	}
	return nil
}

func putWrap(ctx context.Context, q store.Querier, kind, objectID string, principalID int64, w []byte) error {
	_, err := q.ExecContext(ctx, `INSERT INTO key_wraps (object_kind, object_id, principal_id, wrapped) VALUES ($1, $2, $3, $4)
		ON CONFLICT (object_kind, object_id, principal_id) DO UPDATE SET wrapped = excluded.wrapped`, kind, objectID, principalID, w)
	if err != nil {
		return fmt.Errorf("keys: store wrap: %w", err)
	}
	return nil
}

// RemoveObjectWrap takes one principal's wrap of an object's key away (for
// example when a case is unassigned).
func RemoveObjectWrap(ctx context.Context, q store.Querier, kind, objectID string, principalID int64) error {
	if _, err := q.ExecContext(ctx, "DELETE FROM key_wraps WHERE object_kind = $1 AND object_id = $2 AND principal_id = $3", kind, objectID, principalID); err != nil {
		return fmt.Errorf("keys: remove wrap: %w", err)
	}
	return nil
}

// ShredObject deletes every wrap of an object's key, escrow's included: the
// object's ciphertext can never be opened again. It reports how many wraps
// it destroyed.
func ShredObject(ctx context.Context, q store.Querier, kind, objectID string) (int64, error) {
	res, err := q.ExecContext(ctx, "DELETE FROM key_wraps WHERE object_kind = $1 AND object_id = $2", kind, objectID)
	if err != nil {
		return 0, fmt.Errorf("keys: shred: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// WrappedTo lists the principals an object's key is wrapped to.
func WrappedTo(ctx context.Context, q store.Querier, kind, objectID string) ([]int64, error) {
	rows, err := q.QueryContext(ctx, "SELECT principal_id FROM key_wraps WHERE object_kind = $1 AND object_id = $2 ORDER BY principal_id", kind, objectID)
	if err != nil {
		return nil, fmt.Errorf("keys: wraps: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("keys: wraps: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Keyring holds the private keys unlocked in one session: the user's own and
// those of the teams the user belongs to. It lives only in memory and is
// wiped at logout, timeout, duress and lockdown. It is safe for concurrent
// use and prints as [redacted].
type Keyring struct {
	redacted
	mu  sync.RWMutex
	ids map[int64]*Identity
}

// NewKeyring returns an empty keyring.
func NewKeyring() *Keyring { return &Keyring{ids: map[int64]*Identity{}} }

// Add puts principal p's identity in the ring; the ring now owns it.
func (r *Keyring) Add(p int64, id *Identity) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.ids[p]; ok && old != id {
		old.Wipe()
	}
	r.ids[p] = id
}

// Identity returns principal p's identity, or nil.
func (r *Keyring) Identity(p int64) *Identity {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.ids[p]
}

// Principals lists the principals whose keys the ring holds, in order.
func (r *Keyring) Principals() []int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]int64, 0, len(r.ids))
	for p := range r.ids {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Wipe destroys every key in the ring; the ring is empty afterwards.
func (r *Keyring) Wipe() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for p, id := range r.ids {
		id.Wipe()
		delete(r.ids, p)
	}
}

// LogValue keeps a keyring out of logs.
func (r *Keyring) LogValue() slog.Value { return slog.StringValue(redactedText) }

// UnlockHeld unwraps every principal key (a team's) wrapped to a principal
// already in the ring, and adds it.
func (r *Keyring) UnlockHeld(ctx context.Context, q store.Querier) error {
	for _, holder := range r.Principals() {
		hid := r.Identity(holder)
		rows, err := q.QueryContext(ctx, "SELECT principal_id, wrapped FROM principal_wraps WHERE holder_id = $1", holder)
		if err != nil {
			return fmt.Errorf("keys: unlock: %w", err)
		}
		type held struct {
			id int64
			w  []byte
		}
		var hs []held
		for rows.Next() {
			var h held
			if err := rows.Scan(&h.id, &h.w); err != nil {
				rows.Close()
				return fmt.Errorf("keys: unlock: %w", err)
			}
			hs = append(hs, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("keys: unlock: %w", err)
		}
		for _, h := range hs {
			if r.Identity(h.id) != nil {
				continue
			}
			id, err := UnwrapIdentity(h.w, hid)
			if err != nil {
				return fmt.Errorf("keys: unlock principal %d: %w", h.id, err)
			}
			r.Add(h.id, id)
		}
	}
	return nil
}

// OpenObjectKey unwraps an object's data key with any identity in the ring
// that it is wrapped to; ErrNoAccess when there is none.
func (r *Keyring) OpenObjectKey(ctx context.Context, q store.Querier, kind, objectID string) (*DataKey, error) {
	w, id, err := r.findWrap(ctx, q, kind, objectID)
	if err != nil {
		return nil, err
	}
	return Unwrap(w, id)
}

// OpenIndexKey unwraps an index key (kept in key_wraps like a data key).
func (r *Keyring) OpenIndexKey(ctx context.Context, q store.Querier, kind, objectID string) (*IndexKey, error) {
	w, id, err := r.findWrap(ctx, q, kind, objectID)
	if err != nil {
		return nil, err
	}
	return UnwrapIndexKey(w, id)
}

func (r *Keyring) findWrap(ctx context.Context, q store.Querier, kind, objectID string) ([]byte, *Identity, error) {
	rows, err := q.QueryContext(ctx, "SELECT principal_id, wrapped FROM key_wraps WHERE object_kind = $1 AND object_id = $2", kind, objectID)
	if err != nil {
		return nil, nil, fmt.Errorf("keys: open key: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p int64
		var w []byte
		if err := rows.Scan(&p, &w); err != nil {
			return nil, nil, fmt.Errorf("keys: open key: %w", err)
		}
		if id := r.Identity(p); id != nil {
			return w, id, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("keys: open key: %w", err)
	}
	return nil, nil, ErrNoAccess
}

// WrapObjectIndexKey wraps an index key to each principal given.
func WrapObjectIndexKey(ctx context.Context, q store.Querier, kind, objectID string, k *IndexKey, to ...Principal) error {
	for _, p := range to {
		w, err := WrapIndexKey(k, p.Recipient)
		if err != nil {
			return err
		}
		if err := putWrap(ctx, q, kind, objectID, p.ID, w); err != nil {
			return err
		}
	}
	return nil
}
