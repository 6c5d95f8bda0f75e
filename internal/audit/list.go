package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ListFilter selects entries for the administrators' log page. Empty fields
// match everything.
type ListFilter struct {
	Actor  string
	Action string
	Object string
	// Before, when positive, keeps entries with an index below it: pass the
	// last index of one page to get the next (older) one.
	Before int64
	// Limit is the page size: DefaultListLimit when zero or less, at most
	// MaxListLimit.
	Limit int
}

// Page sizes for List.
const (
	DefaultListLimit = 50
	MaxListLimit     = 500
)

// Record is a stored entry with its index.
type Record struct {
	Index int64
	Entry
}

// List returns the entries that match f, newest (highest index) first. It
// reads the stored fields as they are; Verify says whether they can be
// trusted.
func List(ctx context.Context, db *sql.DB, f ListFilter) ([]Record, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.Object != "" {
		add("object = ?", f.Object)
	}
	if f.Before > 0 {
		add("idx < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, MaxListLimit)
	q := "SELECT idx, at, actor, action, object, detail FROM audit_entries"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	q += " ORDER BY idx DESC LIMIT $" + strconv.Itoa(len(args))

	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		var r Record
		var at int64
		var detail string
		if err := rows.Scan(&r.Index, &at, &r.Actor, &r.Action, &r.Object, &detail); err != nil {
			return nil, fmt.Errorf("audit: list: %w", err)
		}
		r.Time = time.Unix(at, 0).UTC()
		if r.Detail, err = parseDetail(detail); err != nil {
			return nil, fmt.Errorf("audit: list: entry %d: detail is not valid JSON (run 'embrace audit verify')", r.Index)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return out, nil
}
