package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrDamaged is returned (wrapped) when Append finds the stored tree
// inconsistent; `embrace audit verify` says where.
var ErrDamaged = errors.New("the audit log is damaged (run 'embrace audit verify')")

// Append validates e and appends it to the log inside tx, the caller's
// transaction, so that the audited action and its entry commit together; if
// tx rolls back, the entry leaves no trace and its index is reused. It signs
// a checkpoint of the new tree in the same transaction and returns the
// entry's index.
//
// Append locks the log's head row until tx ends, serialising appends across
// processes: call it as late in the transaction as possible. Never put red
// data in e (see Entry).
func Append(ctx context.Context, tx *sql.Tx, e Entry) (index int64, err error) {
	e, err = e.validate(time.Now())
	if err != nil {
		return 0, err
	}
	size, err := lockHead(ctx, tx, 1)
	if err != nil {
		return 0, err
	}
	n := size - 1
	kp, err := ensureKey(ctx, tx)
	if err != nil {
		return 0, err
	}
	f, err := loadFrontier(ctx, tx, n)
	if err != nil {
		return 0, err
	}

	detail := detailJSON(e.Detail)
	unix := e.Time.Unix()
	leaf := leafHash(n, unix, e.Actor, e.Action, e.Object, detail)
	hashes, err := f.add(leaf)
	if err != nil {
		return 0, fmt.Errorf("audit: append: %w", err)
	}
	root, err := f.root()
	if err != nil {
		return 0, fmt.Errorf("audit: append: %w", err)
	}
	msg, err := note.Sign(&note.Note{Text: string(TreeHead{Origin: kp.signer.Name(), Size: n + 1, Root: root}.Text())}, kp.signer)
	if err != nil {
		return 0, fmt.Errorf("audit: sign checkpoint: %v", err)
	}

	if _, err := tx.ExecContext(ctx,
		"INSERT INTO audit_entries (idx, at, actor, action, object, detail, leaf) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		n, unix, e.Actor, e.Action, e.Object, detail, leaf[:]); err != nil {
		return 0, fmt.Errorf("audit: append entry: %w", err)
	}
	if err := insertHashes(ctx, tx, tlog.StoredHashIndex(0, n), hashes); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx,
		"INSERT INTO audit_checkpoints (size, created, note) VALUES ($1, $2, $3)",
		n+1, time.Now().Unix(), string(msg)); err != nil {
		return 0, fmt.Errorf("audit: store checkpoint: %w", err)
	}
	return n, nil
}

// lockHead adds delta to the log's size and returns the new size. The
// UPDATE takes the head row's lock on PostgreSQL (held until tx ends) and
// the write lock on SQLite; RETURNING works on both engines.
func lockHead(ctx context.Context, tx *sql.Tx, delta int64) (int64, error) {
	var size int64
	err := tx.QueryRowContext(ctx, "UPDATE audit_head SET size = size + $1 WHERE id = 1 RETURNING size", delta).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("audit: %w: the head row is missing", ErrDamaged)
	}
	if err != nil {
		return 0, fmt.Errorf("audit: lock the log: %w", err)
	}
	return size, nil
}

// loadFrontier reads the frontier of the tree of size n: at most 63 hashes
// in one query.
func loadFrontier(ctx context.Context, tx *sql.Tx, n int64) (*frontier, error) {
	f := &frontier{size: n}
	idx := frontierIndexes(n)
	if len(idx) == 0 {
		return f, nil
	}
	args := make([]any, len(idx))
	ph := make([]string, len(idx))
	for i, x := range idx {
		args[i] = x
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, hash FROM audit_hashes WHERE id IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return nil, fmt.Errorf("audit: read tree: %w", err)
	}
	defer rows.Close()
	got := make(map[int64]tlog.Hash, len(idx))
	for rows.Next() {
		var id int64
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, fmt.Errorf("audit: read tree: %w", err)
		}
		if len(raw) != tlog.HashSize {
			return nil, fmt.Errorf("audit: %w: a stored hash has the wrong size", ErrDamaged)
		}
		got[id] = tlog.Hash(raw)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: read tree: %w", err)
	}
	for _, x := range idx {
		h, ok := got[x]
		if !ok {
			return nil, fmt.Errorf("audit: %w: tree hashes are missing", ErrDamaged)
		}
		f.nodes = append(f.nodes, storedHash{x, h})
	}
	return f, nil
}

// insertHashes stores hashes at consecutive stored-hash indexes from first,
// in one statement.
func insertHashes(ctx context.Context, tx *sql.Tx, first int64, hashes []tlog.Hash) error {
	var q strings.Builder
	q.WriteString("INSERT INTO audit_hashes (id, hash) VALUES ")
	args := make([]any, 0, 2*len(hashes))
	for i, h := range hashes {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "($%d, $%d)", 2*i+1, 2*i+2)
		args = append(args, first+int64(i), h[:])
	}
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("audit: append tree hashes: %w", err)
	}
	return nil
}
