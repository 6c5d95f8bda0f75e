package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"embrace/internal/store"
)

// Settings that hold the log's key pair (note key strings). The signer key
// signs tree heads only; it opens no red data.
const (
	settingSigner   = "audit_signer_key"
	settingVerifier = "audit_verifier_key"
)

// OriginPrefix starts the origin line of every checkpoint; the deployment id
// follows it. The origin is also the signing key's name.
const OriginPrefix = "embrace/audit/"

// MaxCheckpointSize bounds a signed checkpoint read from outside.
const MaxCheckpointSize = 16 << 10

// ErrEmpty is returned (wrapped) when the log has no entry yet, so there is
// no checkpoint to give.
var ErrEmpty = errors.New("the audit log is empty")

// ErrBadCheckpoint is returned (wrapped) when a checkpoint given from outside
// is malformed, is not signed by this deployment's audit key, or names
// another log.
var ErrBadCheckpoint = errors.New("checkpoint is not valid for this audit log")

// TreeHead is the content of a checkpoint: which log, how many entries, and
// the Merkle root of those entries.
type TreeHead struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Text is the checkpoint body in the C2SP tlog-checkpoint format: the origin
// line, the tree size in decimal and the root hash in base64, each ending in
// a newline.
func (h TreeHead) Text() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", h.Origin, h.Size, h.Root)
}

// ParseCheckpoint parses an (unsigned) checkpoint body in the C2SP
// tlog-checkpoint format. Extension lines after the root hash are allowed
// and ignored; they must not be empty.
func ParseCheckpoint(text []byte) (TreeHead, error) {
	bad := func(why string) (TreeHead, error) {
		return TreeHead{}, fmt.Errorf("audit: %w: %s", ErrBadCheckpoint, why)
	}
	if len(text) > MaxCheckpointSize {
		return bad("too large")
	}
	if len(text) == 0 || text[len(text)-1] != '\n' {
		return bad("the text must end in a newline")
	}
	lines := strings.Split(string(text[:len(text)-1]), "\n")
	if len(lines) < 3 {
		return bad("want an origin line, a tree size and a root hash")
	}
	origin := lines[0]
	if origin == "" || len(origin) > 256 || !utf8.ValidString(origin) || strings.TrimSpace(origin) != origin || strings.ContainsFunc(origin, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return bad("malformed origin line")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || lines[1] != strconv.FormatInt(n, 10) {
		return bad("malformed tree size")
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize || base64.StdEncoding.EncodeToString(raw) != lines[2] {
		return bad("malformed root hash")
	}
	for _, ext := range lines[3:] {
		if ext == "" {
			return bad("empty extension line")
		}
	}
	h := TreeHead{Origin: origin, Size: n}
	copy(h.Root[:], raw)
	return h, nil
}

// normalizeNote undoes what copying a file by hand tends to do to it:
// CRLF line ends and a missing final newline. Neither can change what was
// signed, since a note's text cannot contain a carriage return.
func normalizeNote(msg []byte) []byte {
	msg = bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\n"))
	msg = bytes.TrimRight(msg, " \t\n")
	return append(msg, '\n')
}

// OpenCheckpoint checks that msg is a checkpoint signed by the key vkey (a
// note verifier key) for the log that key belongs to, and returns its tree
// head.
func OpenCheckpoint(msg []byte, vkey string) (TreeHead, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return TreeHead{}, fmt.Errorf("audit: malformed verifier key")
	}
	return openCheckpoint(msg, v)
}

func openCheckpoint(msg []byte, v note.Verifier) (TreeHead, error) {
	h, problem := checkNote(msg, v)
	if problem != "" {
		return TreeHead{}, fmt.Errorf("audit: %w: %s", ErrBadCheckpoint, problem)
	}
	return h, nil
}

// checkNote opens a signed checkpoint and returns its tree head, or a short
// description of what is wrong with it.
func checkNote(msg []byte, v note.Verifier) (TreeHead, string) {
	if len(msg) > MaxCheckpointSize {
		return TreeHead{}, "it is too large"
	}
	n, err := note.Open(normalizeNote(msg), note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unverified):
			return TreeHead{}, "it is not signed by this log's key " + keyLabel(v) + " (it comes from another deployment, or the deployment's key was replaced)"
		case errors.As(err, &invalid):
			return TreeHead{}, "its signature by key " + keyLabel(v) + " is invalid (forged, or its text was edited)"
		default:
			return TreeHead{}, "it is not a signed note"
		}
	}
	h, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return TreeHead{}, "its text is malformed"
	}
	if h.Origin != v.Name() {
		return TreeHead{}, fmt.Sprintf("it is for log %q, not %q", h.Origin, v.Name())
	}
	return h, ""
}

func keyLabel(v note.Verifier) string {
	return fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash())
}

// keyPair is the log's signing key with its verifier key.
type keyPair struct {
	signer note.Signer
	vkey   string
}

// ensureKey returns the log's key pair, creating and storing it on first
// use. The caller holds the head lock, so two processes cannot both create
// one.
func ensureKey(ctx context.Context, tx *sql.Tx) (keyPair, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name, value FROM settings WHERE name IN ($1, $2, $3)", settingSigner, settingVerifier, "deployment_id")
	if err != nil {
		return keyPair{}, fmt.Errorf("audit: read key: %w", err)
	}
	vals := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return keyPair{}, fmt.Errorf("audit: read key: %w", err)
		}
		vals[k] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return keyPair{}, fmt.Errorf("audit: read key: %w", err)
	}
	skey, vkey := vals[settingSigner], vals[settingVerifier]
	if skey == "" {
		id := vals["deployment_id"]
		if id == "" || strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r == '+' || r >= 0x7f }) {
			// The id becomes the key's name, which may hold no space or "+".
			return keyPair{}, errors.New("audit: the deployment id is missing or cannot name a key")
		}
		skey, vkey, err = note.GenerateKey(rand.Reader, OriginPrefix+id)
		if err != nil {
			return keyPair{}, fmt.Errorf("audit: make key: %v", err)
		}
		if err := store.SetSetting(ctx, tx, settingSigner, skey); err != nil {
			return keyPair{}, fmt.Errorf("audit: store key: %w", err)
		}
		if err := store.SetSetting(ctx, tx, settingVerifier, vkey); err != nil {
			return keyPair{}, fmt.Errorf("audit: store key: %w", err)
		}
	}
	signer, err := newSigner(skey, vkey)
	if err != nil {
		// Not err itself: the message must not carry the key.
		return keyPair{}, errors.New("audit: the stored signing key is malformed")
	}
	return keyPair{signer: signer, vkey: vkey}, nil
}

// ed25519Signer is a note.Signer built from the stored signer key and its
// verifier key. note.NewSigner derives the public key from the seed, a
// scalar multiplication that would cost more than the signature itself on
// every append; the public key is read from the verifier key instead. A
// verifier key that does not match the seed yields signatures that Verify
// rejects, and whoever can change the settings table can read the seed
// anyway.
type ed25519Signer struct {
	name string
	hash uint32
	key  ed25519.PrivateKey
}

func (s *ed25519Signer) Name() string    { return s.name }
func (s *ed25519Signer) KeyHash() uint32 { return s.hash }
func (s *ed25519Signer) Sign(msg []byte) ([]byte, error) {
	return ed25519.Sign(s.key, msg), nil
}

// newSigner parses a note signer key ("PRIVATE+KEY+name+hash+base64(1‖seed)")
// and its verifier key ("name+hash+base64(1‖public key)").
func newSigner(skey, vkey string) (note.Signer, error) {
	errMalformed := errors.New("malformed key")
	v, err := note.NewVerifier(vkey) // checks the name and the key hash
	if err != nil {
		return nil, errMalformed
	}
	rest, ok := strings.CutPrefix(skey, "PRIVATE+KEY+")
	if !ok {
		return nil, errMalformed
	}
	parts := strings.SplitN(rest, "+", 3) // base64 may hold "+"
	vparts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 || len(vparts) != 3 || parts[0] != vparts[0] || parts[1] != vparts[1] {
		return nil, errMalformed
	}
	seed, err1 := base64.StdEncoding.DecodeString(parts[2])
	pub, err2 := base64.StdEncoding.DecodeString(vparts[2])
	const algEd25519 = 1
	if err1 != nil || err2 != nil || len(seed) != 1+ed25519.SeedSize || len(pub) != 1+ed25519.PublicKeySize || seed[0] != algEd25519 || pub[0] != algEd25519 {
		return nil, errMalformed
	}
	key := make(ed25519.PrivateKey, 0, ed25519.PrivateKeySize)
	key = append(append(key, seed[1:]...), pub[1:]...)
	return &ed25519Signer{name: v.Name(), hash: v.KeyHash(), key: key}, nil
}

// InitKey makes the log's signing key if there is none yet, inside tx, and
// returns its verifier key, so that the key can be copied off the server
// before the first entry is written. Append does the same on first use.
func InitKey(ctx context.Context, tx *sql.Tx) (string, error) {
	if _, err := lockHead(ctx, tx, 0); err != nil {
		return "", err
	}
	kp, err := ensureKey(ctx, tx)
	if err != nil {
		return "", err
	}
	return kp.vkey, nil
}

// VerifierKey returns the note verifier key that checks this deployment's
// checkpoints; ErrEmpty when no key has been made yet (see InitKey).
func VerifierKey(ctx context.Context, db *sql.DB) (string, error) {
	var vkey string
	err := db.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = $1", settingVerifier).Scan(&vkey)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("audit: no verifier key yet: %w", ErrEmpty)
	}
	if err != nil {
		return "", fmt.Errorf("audit: read verifier key: %w", err)
	}
	return vkey, nil
}

// Checkpoint returns the latest signed checkpoint, for copying off the
// server; ErrEmpty when the log has no entry yet.
func Checkpoint(ctx context.Context, db *sql.DB) ([]byte, error) {
	var msg string
	err := db.QueryRowContext(ctx, "SELECT note FROM audit_checkpoints ORDER BY size DESC LIMIT 1").Scan(&msg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("audit: no checkpoint yet: %w", ErrEmpty)
	}
	if err != nil {
		return nil, fmt.Errorf("audit: read checkpoint: %w", err)
	}
	return []byte(msg), nil
}
