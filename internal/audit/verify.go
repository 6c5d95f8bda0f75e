package audit

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrTampered matches every *TamperError through errors.Is.
var ErrTampered = errors.New("the audit log has been tampered with")

// TamperError reports the first entry at which the log stops being what was
// written and signed.
type TamperError struct {
	// Index is the first bad entry: the one that was altered, the first
	// one missing, or for a truncated log the first index past its end.
	Index int64
	// Reason is one line that names the entry and says what is wrong, such
	// as "entry 17 was altered (…)" or "log truncated: checkpoint covers
	// 120 entries, log has 80".
	Reason string
}

func (e *TamperError) Error() string { return "audit: " + e.Reason }

// Is makes errors.Is(err, ErrTampered) true for a *TamperError.
func (e *TamperError) Is(target error) bool { return target == ErrTampered }

func tampered(index int64, format string, a ...any) error {
	return &TamperError{Index: index, Reason: fmt.Sprintf(format, a...)}
}

// Report is what Verify found in an intact log.
type Report struct {
	// Origin names the log (and its key); empty when no key exists yet.
	Origin string
	// Entries is the number of entries verified.
	Entries int64
	// Checkpoints is the number of stored signed checkpoints verified.
	Checkpoints int64
	// Root is the Merkle root of all the entries.
	Root tlog.Hash
	// External is the external checkpoint the log was checked against, or
	// nil when none was given.
	External *TreeHead
}

// String is a one-line summary.
func (r Report) String() string {
	s := fmt.Sprintf("audit log intact: %d entries, %d signed checkpoints, root %s", r.Entries, r.Checkpoints, r.Root)
	if r.External != nil {
		s += fmt.Sprintf("; its first %d entries match the given checkpoint", r.External.Size)
	}
	return s
}

// verifyPage is how many entries Verify reads at a time.
const verifyPage = 2048

type entryRow struct {
	idx                           int64
	at                            int64
	actor, action, object, detail string
	leaf                          []byte
}

// Verify checks the whole log: it recomputes every leaf hash from the stored
// fields, rebuilds the Merkle tree and compares the stored tree hashes,
// checks that every tree size has a stored checkpoint with a valid signature
// by the deployment's audit key and the rebuilt root, and that no entry,
// hash or checkpoint lies beyond the end of the log.
//
// When external is not nil it must be a checkpoint signed by the
// deployment's audit key (as printed by Checkpoint earlier): the log's first
// N entries must produce its root, and a log shorter than N fails as
// truncated. A malformed, foreign or forged external checkpoint is an error
// wrapping ErrBadCheckpoint.
//
// The first problem found, in index order, is returned as a *TamperError.
// db should be the read pool: Verify reads in one read-only transaction, a
// consistent snapshot on both engines, and does not hold up appends.
func Verify(ctx context.Context, db *sql.DB, external []byte) (Report, error) {
	var rep Report
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return rep, fmt.Errorf("audit: verify: %w", err)
	}
	defer tx.Rollback()

	var head int64
	if err := tx.QueryRowContext(ctx, "SELECT size FROM audit_head WHERE id = 1").Scan(&head); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return rep, tampered(0, "the log's head row is missing")
		}
		return rep, fmt.Errorf("audit: verify: %w", err)
	}
	var verifier note.Verifier
	var vkey string
	switch err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = $1", settingVerifier).Scan(&vkey); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return rep, fmt.Errorf("audit: verify: %w", err)
	default:
		if verifier, err = note.NewVerifier(vkey); err != nil {
			return rep, tampered(0, "the log's verifier key is malformed")
		}
		rep.Origin = verifier.Name()
	}

	if external != nil {
		if verifier == nil {
			return rep, fmt.Errorf("audit: %w: this deployment has no audit key yet", ErrBadCheckpoint)
		}
		h, err := openCheckpoint(external, verifier)
		if err != nil {
			return rep, err
		}
		rep.External = &h
	}

	f := &frontier{}
	root, _ := f.root()
	if rep.External != nil && rep.External.Size == 0 && rep.External.Root != root {
		return rep, tampered(0, "the given checkpoint of 0 entries has a wrong root")
	}
	next := int64(0)
	from := int64(math.MinInt64) // the first page also finds negative indexes
	for {
		page, err := readEntries(ctx, tx, from, verifyPage)
		if err != nil {
			return rep, err
		}
		if len(page) == 0 {
			break
		}
		last := page[len(page)-1].idx
		if last < next {
			last = next
		}
		hashes, err := readHashes(ctx, tx, tlog.StoredHashIndex(0, next), tlog.StoredHashCount(last+1))
		if err != nil {
			return rep, err
		}
		cps, err := readCheckpoints(ctx, tx, next+1, last+1, verifier)
		if err != nil {
			return rep, err
		}
		for _, r := range page {
			switch {
			case r.idx < next:
				return rep, tampered(next, "entry %d is preceded by an inserted entry with index %d", next, r.idx)
			case r.idx > next:
				return rep, tampered(next, "entry %d is missing", next)
			}
			n := next
			leaf := leafHash(n, r.at, r.actor, r.action, r.object, r.detail)
			if !bytes.Equal(r.leaf, leaf[:]) {
				return rep, tampered(n, "entry %d was altered (its fields or its position do not match its leaf hash)", n)
			}
			stored, err := f.add(leaf)
			if err != nil {
				return rep, fmt.Errorf("audit: verify: %w", err)
			}
			first := tlog.StoredHashIndex(0, n)
			for k, h := range stored {
				if got, ok := hashes[first+int64(k)]; !ok || got != h {
					return rep, tampered(n, "entry %d was altered (the stored tree hashes do not match it)", n)
				}
			}
			if root, err = f.root(); err != nil {
				return rep, fmt.Errorf("audit: verify: %w", err)
			}
			cp, ok := cps[n+1]
			switch {
			case !ok:
				return rep, tampered(n, "entry %d has no signed checkpoint (checkpoint %d is missing)", n, n+1)
			case cp.problem != "":
				return rep, tampered(n, "entry %d's signed checkpoint is not valid: %s", n, cp.problem)
			case cp.head.Size != n+1:
				return rep, tampered(n, "entry %d's signed checkpoint covers %d entries, not %d", n, cp.head.Size, n+1)
			case cp.head.Root != root:
				return rep, tampered(n, "entry %d was altered (the log no longer matches the checkpoint signed when it was written)", n)
			}
			if x := rep.External; x != nil && x.Size == n+1 && x.Root != root {
				return rep, tampered(n, "entry %d or an earlier one was rewritten: the log's first %d entries do not match the given checkpoint", n, x.Size)
			}
			rep.Checkpoints++
			next++
		}
		from = next
	}
	rep.Entries, rep.Root = next, root

	// Nothing may lie beyond the end: a deleted tail leaves its
	// checkpoints, hashes or head count behind unless all were removed.
	if x := rep.External; x != nil && x.Size > next {
		return rep, tampered(next, "log truncated: checkpoint covers %d entries, log has %d", x.Size, next)
	}
	var maxCP int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(size), 0) FROM audit_checkpoints").Scan(&maxCP); err != nil {
		return rep, fmt.Errorf("audit: verify: %w", err)
	}
	if maxCP > next {
		return rep, tampered(next, "log truncated: a stored checkpoint covers %d entries, log has %d", maxCP, next)
	}
	var extra int64
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_hashes WHERE id >= $1 OR id < 0", tlog.StoredHashCount(next)).Scan(&extra); err != nil {
		return rep, fmt.Errorf("audit: verify: %w", err)
	}
	if extra > 0 {
		return rep, tampered(next, "log truncated: tree hashes remain for entries after the last one (%d)", next)
	}
	switch {
	case head > next:
		return rep, tampered(next, "log truncated: the head counts %d entries, log has %d", head, next)
	case head < next:
		return rep, tampered(head, "entry %d was inserted: the head counts %d entries, log has %d", head, head, next)
	}
	if next > 0 && verifier == nil {
		return rep, tampered(0, "the log's verifier key is missing")
	}
	return rep, nil
}

// readEntries reads up to limit entries with index >= from, in order.
func readEntries(ctx context.Context, tx *sql.Tx, from int64, limit int) ([]entryRow, error) {
	rows, err := tx.QueryContext(ctx,
		"SELECT idx, at, actor, action, object, detail, leaf FROM audit_entries WHERE idx >= $1 ORDER BY idx LIMIT $2", from, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: read entries: %w", err)
	}
	defer rows.Close()
	var out []entryRow
	for rows.Next() {
		var r entryRow
		if err := rows.Scan(&r.idx, &r.at, &r.actor, &r.action, &r.object, &r.detail, &r.leaf); err != nil {
			return nil, fmt.Errorf("audit: read entries: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: read entries: %w", err)
	}
	return out, nil
}

// readHashes reads the stored hashes with ids in [lo, hi).
func readHashes(ctx context.Context, tx *sql.Tx, lo, hi int64) (map[int64]tlog.Hash, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, hash FROM audit_hashes WHERE id >= $1 AND id < $2", lo, hi)
	if err != nil {
		return nil, fmt.Errorf("audit: read tree: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]tlog.Hash, hi-lo)
	for rows.Next() {
		var id int64
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, fmt.Errorf("audit: read tree: %w", err)
		}
		if len(raw) == tlog.HashSize {
			out[id] = tlog.Hash(raw)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: read tree: %w", err)
	}
	return out, nil
}

// openedCheckpoint is a stored checkpoint after its signature check.
type openedCheckpoint struct {
	head    TreeHead
	problem string // empty when the checkpoint opened
}

// readCheckpoints reads and opens the stored checkpoints for sizes in
// [lo, hi], checking signatures on all CPUs: an Ed25519 verification costs
// more than everything else Verify does for an entry.
func readCheckpoints(ctx context.Context, tx *sql.Tx, lo, hi int64, v note.Verifier) (map[int64]openedCheckpoint, error) {
	rows, err := tx.QueryContext(ctx, "SELECT size, note FROM audit_checkpoints WHERE size >= $1 AND size <= $2", lo, hi)
	if err != nil {
		return nil, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	defer rows.Close()
	var sizes []int64
	var msgs []string
	for rows.Next() {
		var size int64
		var msg string
		if err := rows.Scan(&size, &msg); err != nil {
			return nil, fmt.Errorf("audit: read checkpoints: %w", err)
		}
		sizes, msgs = append(sizes, size), append(msgs, msg)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	opened := make([]openedCheckpoint, len(msgs))
	if v == nil {
		for i := range opened {
			opened[i].problem = "the log's verifier key is missing"
		}
	} else {
		workers := min(runtime.GOMAXPROCS(0), 1+len(msgs)/64)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := w; i < len(msgs); i += workers {
					h, problem := checkNote([]byte(msgs[i]), v)
					opened[i] = openedCheckpoint{h, problem}
				}
			})
		}
		wg.Wait()
	}
	out := make(map[int64]openedCheckpoint, len(msgs))
	for i, s := range sizes {
		out[s] = opened[i]
	}
	return out, nil
}
