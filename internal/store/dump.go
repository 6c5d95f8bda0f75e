package store

// # Logical dumps
//
// A dump is the whole database as plain, engine-independent records, so a
// deployment can move between SQLite and PostgreSQL by backup and restore.
// Dump writes one from inside a single read transaction (a consistent
// snapshot while writes go on); Load reads one into a freshly created
// deployment inside a single write transaction. Neither encrypts: the
// caller (embrace backup) streams the dump straight into an age writer, so
// no plaintext copy ever reaches a disk (DESIGN §2, invariant 1).
//
// # Format, version 1
//
// UTF-8 text, one JSON value per line, every line ended by "\n". Control
// records are JSON objects with a "kind"; rows are JSON arrays.
//
//	{"kind":"embrace-dump","version":1,"deployment":"ID","schema":4,"engine":"sqlite","taken":"2026-05-01T10:00:00Z","tables":["settings","cases",…]}
//	{"kind":"table","name":"cases","columns":[{"name":"id","type":"integer"},{"name":"state","type":"text"},…]}
//	[1,"contacted",…,true,null]
//	…
//	{"kind":"end-table","name":"cases","rows":10000}
//	… one such section per table, in the header's order …
//	{"kind":"end","tables":7,"rows":12345}
//
// The header names the deployment, the schema version (the newest goose
// migration applied; goose's own table is not dumped, restore recreates it
// by migrating) and every table, parents before children by their foreign
// keys, ties by name, so the rows can be inserted in that order with the
// constraints on. Each table section repeats its name, lists its columns in
// order with a logical type, and holds one array per row with one value per
// column, ordered by primary key:
//
//	integer  a JSON integer (int64)                 SQLite INTEGER, BIGINT…; PostgreSQL bigint, integer, smallint
//	text     a JSON string (valid UTF-8)            SQLite TEXT, VARCHAR…;   PostgreSQL text, character varying, character
//	boolean  true or false                          SQLite BOOLEAN (stored 0/1); PostgreSQL boolean
//	blob     a JSON string, standard padded base64  SQLite BLOB;             PostgreSQL bytea
//	real     a JSON number (float64, finite)        SQLite REAL, DOUBLE…;    PostgreSQL double precision, real
//
// and null for SQL NULL in any of them. A column of any other type makes
// Dump fail rather than write something Load would read back differently;
// so does text that is not valid UTF-8 and a line longer than 256 MiB. The
// end records carry counts that Load checks, and nothing may follow the
// final record: a dump cut short at a line boundary is still refused.
//
// # Loading
//
// Load refuses a dump whose schema version is newer than the binary's
// migrations, or whose deployment id differs from the target's. It empties
// the tables the dump names (a fresh deployment holds only the rows that
// CreateDeployment and migrations seed, which the dump carries too), inserts
// in the dump's order, checks the foreign keys, resets PostgreSQL's identity
// sequences past the loaded ids, and commits only after the reader has
// reached its end. A dump from an older schema loads when every table and
// column it names still exists; columns added since take their defaults.
// Migrations that rewrite existing rows are not replayed on such a dump.

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// DumpVersion is the version of the dump format that Dump writes and Load
// reads.
const DumpVersion = 1

const (
	dumpKind      = "embrace-dump"
	maxDumpLine   = 256 << 20 // longest line (one row) written or read
	maxDumpTables = 10000
	maxDumpCols   = 2000
	maxIdentifier = 128
	maxDumpID     = 64
	// Bound parameters per INSERT. PostgreSQL gains from large batches (one
	// round trip each); modernc's SQLite looks up every parameter's name when
	// binding, at a cost that grows with their number, so it gets small ones.
	batchParamsPostgres = 2000
	batchParamsSQLite   = 100
	batchRows           = 200     // rows per INSERT
	batchBytes          = 4 << 20 // text and blob bytes held before an INSERT is sent
)

// ErrDumpFormat is returned (wrapped) when a dump is malformed.
var ErrDumpFormat = errors.New("not a valid embrace dump")

// ErrDumpRead is returned (wrapped, in a [DumpReadError]) when the reader a
// dump comes from fails: for an encrypted backup, a file that is damaged or
// cut short.
var ErrDumpRead = errors.New("cannot read the dump")

// DumpReadError carries the error of the reader a dump comes from.
type DumpReadError struct{ Err error }

func (e *DumpReadError) Error() string { return "store: cannot read the dump: " + e.Err.Error() }

// Unwrap makes errors.Is match both ErrDumpRead and the reader's error.
func (e *DumpReadError) Unwrap() []error { return []error{ErrDumpRead, e.Err} }

// ErrNewerSchema is returned (wrapped) when a dump was taken from a schema
// newer than this binary's migrations.
var ErrNewerSchema = errors.New("the dump comes from a newer version of embrace")

// DumpInfo is what a dump says about itself.
type DumpInfo struct {
	Version      int       // format version
	DeploymentID string    // the deployment the dump was taken from
	Schema       int64     // schema version (newest migration applied)
	Engine       Engine    // the engine it was taken from
	Taken        time.Time // when the snapshot was taken
	Tables       []string  // in load order
	Rows         int64     // total rows over all tables
}

// Column types in a dump.
const (
	typeInteger = "integer"
	typeText    = "text"
	typeBoolean = "boolean"
	typeBlob    = "blob"
	typeReal    = "real"
)

func knownType(t string) bool {
	switch t {
	case typeInteger, typeText, typeBoolean, typeBlob, typeReal:
		return true
	}
	return false
}

// columnInfo describes one column of the live schema.
type columnInfo struct {
	name     string
	declType string // as the engine declares it
	typ      string // logical dump type; "" when the format cannot carry it
	identity bool   // PostgreSQL identity or serial column
}

// tableInfo describes one table of the live schema.
type tableInfo struct {
	name    string
	cols    []columnInfo
	pk      []string
	parents []string // tables its foreign keys reference (not itself)
}

func (t *tableInfo) column(name string) (columnInfo, bool) {
	for _, c := range t.cols {
		if c.name == name {
			return c, true
		}
	}
	return columnInfo{}, false
}

// quoteIdent quotes an identifier for both engines.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// sqliteType maps a declared SQLite type to a dump type, following SQLite's
// affinity rules (with BOOLEAN, which has NUMERIC affinity, picked out first).
func sqliteType(decl string) string {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "BOOL"):
		return typeBoolean
	case strings.Contains(d, "INT"):
		return typeInteger
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return typeText
	case strings.Contains(d, "BLOB"), d == "":
		return typeBlob
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"):
		return typeReal
	}
	return ""
}

func postgresType(dataType string) string {
	switch dataType {
	case "bigint", "integer", "smallint":
		return typeInteger
	case "text", "character varying", "character":
		return typeText
	case "boolean":
		return typeBoolean
	case "bytea":
		return typeBlob
	case "double precision", "real":
		return typeReal
	}
	return ""
}

// schemaTables lists the tables of the live schema (all but goose's), with
// their columns, primary keys and foreign-key parents, parents first.
func schemaTables(ctx context.Context, q Querier, e Engine) ([]*tableInfo, error) {
	var tables []*tableInfo
	var err error
	if e == Postgres {
		tables, err = postgresTables(ctx, q)
	} else {
		tables, err = sqliteTables(ctx, q)
	}
	if err != nil {
		return nil, fmt.Errorf("store: read schema: %w", err)
	}
	return sortByForeignKeys(tables), nil
}

func sqliteTables(ctx context.Context, q Querier) ([]*tableInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, COALESCE(sql, '') FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'goose_db_version' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var tables []*tableInfo
	for rows.Next() {
		var t tableInfo
		var ddl string
		if err := rows.Scan(&t.name, &ddl); err != nil {
			rows.Close()
			return nil, err
		}
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(ddl)), "CREATE VIRTUAL") {
			rows.Close()
			return nil, fmt.Errorf("table %s is a virtual table, which dumps do not carry", t.name)
		}
		tables = append(tables, &t)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	for _, t := range tables {
		// pragma_table_info leaves out generated columns, which are never
		// inserted.
		rows, err := q.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid`, t.name)
		if err != nil {
			return nil, err
		}
		type pkCol struct {
			name string
			pos  int
		}
		var pks []pkCol
		for rows.Next() {
			var c columnInfo
			var pk int
			if err := rows.Scan(&c.name, &c.declType, &pk); err != nil {
				rows.Close()
				return nil, err
			}
			c.typ = sqliteType(c.declType)
			t.cols = append(t.cols, c)
			if pk > 0 {
				pks = append(pks, pkCol{c.name, pk})
			}
		}
		if err := closeRows(rows); err != nil {
			return nil, err
		}
		sort.Slice(pks, func(i, j int) bool { return pks[i].pos < pks[j].pos })
		for _, p := range pks {
			t.pk = append(t.pk, p.name)
		}
		rows, err = q.QueryContext(ctx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list($1)`, t.name)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return nil, err
			}
			if p != t.name {
				t.parents = append(t.parents, p)
			}
		}
		if err := closeRows(rows); err != nil {
			return nil, err
		}
	}
	return tables, nil
}

func postgresTables(ctx context.Context, q Querier) ([]*tableInfo, error) {
	byName := map[string]*tableInfo{}
	var tables []*tableInfo
	rows, err := q.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version'
		ORDER BY table_name`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		t := &tableInfo{}
		if err := rows.Scan(&t.name); err != nil {
			rows.Close()
			return nil, err
		}
		byName[t.name] = t
		tables = append(tables, t)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}

	rows, err = q.QueryContext(ctx, `SELECT table_name, column_name, data_type,
			is_identity = 'YES' OR COALESCE(column_default, '') LIKE 'nextval(%'
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_generated = 'NEVER'
		ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table string
		var c columnInfo
		if err := rows.Scan(&table, &c.name, &c.declType, &c.identity); err != nil {
			rows.Close()
			return nil, err
		}
		if t := byName[table]; t != nil {
			c.typ = postgresType(c.declType)
			t.cols = append(t.cols, c)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}

	rows, err = q.QueryContext(ctx, `SELECT tc.table_name, kcu.column_name
		FROM information_schema.table_constraints tc
		JOIN information_schema.key_column_usage kcu
			ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name AND kcu.table_name = tc.table_name
		WHERE tc.table_schema = current_schema() AND tc.constraint_type = 'PRIMARY KEY'
		ORDER BY tc.table_name, kcu.ordinal_position`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			rows.Close()
			return nil, err
		}
		if t := byName[table]; t != nil {
			t.pk = append(t.pk, col)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}

	rows, err = q.QueryContext(ctx, `SELECT DISTINCT child.relname, parent.relname
		FROM pg_constraint c
		JOIN pg_class child ON child.oid = c.conrelid
		JOIN pg_class parent ON parent.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = child.relnamespace
		WHERE c.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			rows.Close()
			return nil, err
		}
		if t := byName[child]; t != nil && parent != child {
			t.parents = append(t.parents, parent)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	return tables, nil
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// sortByForeignKeys orders tables so that every table comes after the tables
// its foreign keys reference, ties broken by name. Tables caught in a cycle
// follow in name order (SQLite still loads them, with its foreign-key checks
// deferred to commit; PostgreSQL refuses).
func sortByForeignKeys(tables []*tableInfo) []*tableInfo {
	byName := map[string]*tableInfo{}
	for _, t := range tables {
		byName[t.name] = t
	}
	indegree := map[string]int{}
	children := map[string][]string{}
	for _, t := range tables {
		for _, p := range dedupe(t.parents) {
			if _, ok := byName[p]; ok {
				indegree[t.name]++
				children[p] = append(children[p], t.name)
			}
		}
	}
	var ready []string
	for _, t := range tables {
		if indegree[t.name] == 0 {
			ready = append(ready, t.name)
		}
	}
	sort.Strings(ready)
	out := make([]*tableInfo, 0, len(tables))
	done := map[string]bool{}
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		out = append(out, byName[n])
		done[n] = true
		for _, c := range children[n] {
			indegree[c]--
			if indegree[c] == 0 {
				ready = append(ready, c)
			}
		}
		sort.Strings(ready)
	}
	var rest []string
	for _, t := range tables {
		if !done[t.name] {
			rest = append(rest, t.name)
		}
	}
	sort.Strings(rest)
	for _, n := range rest {
		out = append(out, byName[n])
	}
	return out
}

func dedupe(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// LatestSchemaVersion is the newest migration this binary carries.
func LatestSchemaVersion() (int64, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return 0, fmt.Errorf("store: migrations: %w", err)
	}
	var latest int64
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			continue
		}
		latest = max(latest, v)
	}
	return latest, nil
}

// dumpHeader is the first line of a dump.
type dumpHeader struct {
	Kind       string    `json:"kind"`
	Version    int       `json:"version"`
	Deployment string    `json:"deployment"`
	Schema     int64     `json:"schema"`
	Engine     Engine    `json:"engine"`
	Taken      time.Time `json:"taken"`
	Tables     []string  `json:"tables"`
}

// dumpColumn is a column as a dump lists it.
type dumpColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// dumpRecord is any control line after the header.
type dumpRecord struct {
	Kind    string       `json:"kind"`
	Name    string       `json:"name,omitempty"`
	Columns []dumpColumn `json:"columns,omitempty"`
	Rows    *int64       `json:"rows,omitempty"`
	Tables  *int         `json:"tables,omitempty"`
}

// Dump writes a logical dump of the whole database to w, in the format
// described at the top of dump.go (and read back by Load and CheckDump). It
// reads every table inside one read-only transaction, so the dump is one
// consistent snapshot even while other connections keep writing: on SQLite
// the transaction pins a WAL snapshot at its first read, on PostgreSQL it
// runs at REPEATABLE READ. Errors name tables and columns, never values.
func (s *Store) Dump(ctx context.Context, w io.Writer) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: dump: begin: %w", err)
	}
	defer tx.Rollback()

	h := dumpHeader{Kind: dumpKind, Version: DumpVersion, Engine: s.engine, Taken: time.Now().UTC().Truncate(time.Second)}
	// The first read fixes the SQLite snapshot; everything below sees it.
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&h.Schema); err != nil {
		return fmt.Errorf("store: dump: schema version: %w", err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = 'deployment_id'").Scan(&h.Deployment); err != nil {
		return fmt.Errorf("store: dump: deployment id: %w", err)
	}
	if !validDeploymentID(h.Deployment) {
		return errors.New("store: dump: the deployment id in settings is not valid")
	}
	tables, err := schemaTables(ctx, tx, s.engine)
	if err != nil {
		return err
	}
	for _, t := range tables {
		for _, c := range t.cols {
			if c.typ == "" {
				return fmt.Errorf("store: dump: column %s.%s has type %s, which dumps do not carry", t.name, c.name, c.declType)
			}
		}
		h.Tables = append(h.Tables, t.name)
	}

	bw := bufio.NewWriterSize(w, 64<<10)
	if err := writeJSONLine(bw, h); err != nil {
		return err
	}
	var total int64
	for _, t := range tables {
		n, err := dumpTable(ctx, tx, bw, t)
		if err != nil {
			return err
		}
		total += n
	}
	ntables := len(tables)
	if err := writeJSONLine(bw, dumpRecord{Kind: "end", Rows: &total, Tables: &ntables}); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("store: dump: write: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: dump: end transaction: %w", err)
	}
	return nil
}

func writeJSONLine(w *bufio.Writer, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: dump: encode: %w", err)
	}
	if _, err := w.Write(append(raw, '\n')); err != nil {
		return fmt.Errorf("store: dump: write: %w", err)
	}
	return nil
}

// transient reports whether a table holds rows that must not outlive the running servers:
// signed-in sessions (a restored deployment starts with everyone signed
// out, and a backup never carries a live session token's hash). A dump
// names them, so that a load empties them, but carries none of their rows.
func transient(table string) bool {
	switch table {
	case "auth_sessions":
		return true
	}
	return false
}

func dumpTable(ctx context.Context, tx *sql.Tx, w *bufio.Writer, t *tableInfo) (int64, error) {
	rec := dumpRecord{Kind: "table", Name: t.name}
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		rec.Columns = append(rec.Columns, dumpColumn{Name: c.name, Type: c.typ})
		names[i] = quoteIdent(c.name)
	}
	if err := writeJSONLine(w, rec); err != nil {
		return 0, err
	}
	q := "SELECT " + strings.Join(names, ", ") + " FROM " + quoteIdent(t.name)
	if transient(t.name) {
		// Named, so that loading empties it, but carrying no rows.
		q += " WHERE 1 = 0"
	}
	if len(t.pk) > 0 {
		pk := make([]string, len(t.pk))
		for i, c := range t.pk {
			pk[i] = quoteIdent(c)
		}
		q += " ORDER BY " + strings.Join(pk, ", ")
	}
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("store: dump table %s: %w", t.name, err)
	}
	defer rows.Close()
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	var line []byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, fmt.Errorf("store: dump table %s: %w", t.name, err)
		}
		line = append(line[:0], '[')
		for i, c := range t.cols {
			if i > 0 {
				line = append(line, ',')
			}
			if line, err = appendValue(line, c.typ, vals[i]); err != nil {
				return n, fmt.Errorf("store: dump: table %s, column %s, row %d: %w", t.name, c.name, n+1, err)
			}
		}
		line = append(line, ']', '\n')
		if len(line) > maxDumpLine {
			return n, fmt.Errorf("store: dump: table %s, row %d is larger than a dump line may be (%d MiB)", t.name, n+1, maxDumpLine>>20)
		}
		if _, err := w.Write(line); err != nil {
			return n, fmt.Errorf("store: dump: write: %w", err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("store: dump table %s: %w", t.name, err)
	}
	if err := writeJSONLine(w, dumpRecord{Kind: "end-table", Name: t.name, Rows: &n}); err != nil {
		return n, err
	}
	return n, nil
}

// appendValue encodes one value of a column of type typ. It refuses values
// the type cannot carry faithfully, without naming them.
func appendValue(b []byte, typ string, v any) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	switch typ {
	case typeInteger:
		switch x := v.(type) {
		case int64:
			return strconv.AppendInt(b, x, 10), nil
		case int32:
			return strconv.AppendInt(b, int64(x), 10), nil
		case int:
			return strconv.AppendInt(b, int64(x), 10), nil
		}
	case typeBoolean:
		switch x := v.(type) {
		case bool:
			return strconv.AppendBool(b, x), nil
		case int64:
			if x == 0 || x == 1 {
				return strconv.AppendBool(b, x == 1), nil
			}
			return b, errors.New("a boolean column holds a number other than 0 or 1")
		}
	case typeText:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			s = string(x)
		default:
			return b, fmt.Errorf("a text column holds a %T", v)
		}
		if !utf8.ValidString(s) {
			return b, errors.New("text is not valid UTF-8")
		}
		return appendJSONString(b, s), nil
	case typeBlob:
		var raw []byte
		switch x := v.(type) {
		case []byte:
			raw = x
		case string:
			raw = []byte(x)
		default:
			return b, fmt.Errorf("a blob column holds a %T", v)
		}
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, raw)
		return append(b, '"'), nil
	case typeReal:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		case int64:
			f = float64(x)
		default:
			return b, fmt.Errorf("a real column holds a %T", v)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return b, errors.New("a real column holds NaN or an infinity")
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64), nil
	}
	return b, fmt.Errorf("a %s column holds a %T", typ, v)
}

// appendJSONString appends s, which must be valid UTF-8, as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// dumpSink receives what readDump parses, in order.
type dumpSink interface {
	begin(h *dumpHeader) error
	table(name string, cols []dumpColumn) error
	row(vals []any) error
	endTable() error
}

// lineReader splits a dump into lines, refusing over-long ones and a last
// line without its newline (a dump cut short).
type lineReader struct {
	br  *bufio.Reader
	n   int
	buf []byte
}

func (l *lineReader) next() ([]byte, error) {
	l.buf = l.buf[:0]
	for {
		frag, err := l.br.ReadSlice('\n')
		if len(l.buf)+len(frag) > maxDumpLine+1 {
			return nil, fmt.Errorf("%w: line %d is too long", ErrDumpFormat, l.n+1)
		}
		switch {
		case err == nil:
			l.n++
			if len(l.buf) == 0 {
				return frag[:len(frag)-1], nil
			}
			l.buf = append(l.buf, frag[:len(frag)-1]...)
			return l.buf, nil
		case errors.Is(err, bufio.ErrBufferFull):
			l.buf = append(l.buf, frag...)
		case errors.Is(err, io.EOF):
			if len(l.buf)+len(frag) == 0 {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("%w: the dump ends in the middle of line %d", ErrDumpFormat, l.n+1)
		default:
			return nil, &DumpReadError{Err: err}
		}
	}
}

// expectLine is next with io.EOF turned into a format error.
func (l *lineReader) expectLine() ([]byte, error) {
	line, err := l.next()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: the dump ends early, after line %d", ErrDumpFormat, l.n)
	}
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(line) {
		return nil, fmt.Errorf("%w: line %d is not valid UTF-8", ErrDumpFormat, l.n)
	}
	return line, nil
}

func validIdentifier(s string) bool {
	return s != "" && len(s) <= maxIdentifier && !strings.ContainsRune(s, 0)
}

func validDeploymentID(s string) bool {
	if s == "" || len(s) > maxDumpID {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// readDump parses and checks a whole dump, handing each part to sink (which
// may be nil), and returns only after r has reported its end: whatever
// authenticates r (age does, chunk by chunk and at its end) has then
// vouched for every byte.
func readDump(r io.Reader, sink dumpSink) (DumpInfo, error) {
	latest, err := LatestSchemaVersion()
	if err != nil {
		return DumpInfo{}, err
	}
	lr := &lineReader{br: bufio.NewReaderSize(r, 64<<10)}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: line %d: %s", ErrDumpFormat, lr.n, fmt.Sprintf(format, a...))
	}

	line, err := lr.expectLine()
	if err != nil {
		return DumpInfo{}, err
	}
	var h dumpHeader
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &h) != nil || h.Kind != dumpKind {
		return DumpInfo{}, fmt.Errorf("%w: no dump header", ErrDumpFormat)
	}
	switch {
	case h.Version > DumpVersion:
		return DumpInfo{}, fmt.Errorf("%w (dump format %d; this binary reads format %d)", ErrNewerSchema, h.Version, DumpVersion)
	case h.Version != DumpVersion:
		return DumpInfo{}, bad("unknown format version %d", h.Version)
	case h.Schema > latest:
		return DumpInfo{}, fmt.Errorf("%w (schema version %d; this binary knows up to %d): restore it with that version or newer", ErrNewerSchema, h.Schema, latest)
	case h.Schema < 1:
		return DumpInfo{}, bad("invalid schema version %d", h.Schema)
	case !validDeploymentID(h.Deployment):
		return DumpInfo{}, bad("invalid deployment id")
	case h.Engine != SQLite && h.Engine != Postgres:
		return DumpInfo{}, bad("unknown engine")
	case len(h.Tables) > maxDumpTables:
		return DumpInfo{}, bad("too many tables")
	}
	seen := map[string]bool{}
	for _, t := range h.Tables {
		if !validIdentifier(t) || seen[t] {
			return DumpInfo{}, bad("invalid or repeated table name")
		}
		seen[t] = true
	}
	if sink != nil {
		if err := sink.begin(&h); err != nil {
			return DumpInfo{}, err
		}
	}

	info := DumpInfo{Version: h.Version, DeploymentID: h.Deployment, Schema: h.Schema, Engine: h.Engine, Taken: h.Taken, Tables: h.Tables}
	var raws []json.RawMessage
	for _, name := range h.Tables {
		line, err := lr.expectLine()
		if err != nil {
			return info, err
		}
		var rec dumpRecord
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &rec) != nil || rec.Kind != "table" {
			return info, bad("expected the start of table %s", name)
		}
		if rec.Name != name {
			return info, bad("expected table %s, found another", name)
		}
		if len(rec.Columns) == 0 || len(rec.Columns) > maxDumpCols {
			return info, bad("table %s: invalid column list", name)
		}
		cols := map[string]bool{}
		for _, c := range rec.Columns {
			if !validIdentifier(c.Name) || cols[c.Name] || !knownType(c.Type) {
				return info, bad("table %s: invalid column", name)
			}
			cols[c.Name] = true
		}
		if sink != nil {
			if err := sink.table(name, rec.Columns); err != nil {
				return info, err
			}
		}
		var n int64
		for {
			line, err := lr.expectLine()
			if err != nil {
				return info, err
			}
			if len(line) > 0 && line[0] == '{' {
				var end dumpRecord
				if json.Unmarshal(line, &end) != nil || end.Kind != "end-table" || end.Name != name || end.Rows == nil {
					return info, bad("expected a row or the end of table %s", name)
				}
				if *end.Rows != n {
					return info, bad("table %s has %d rows, its end record says %d", name, n, *end.Rows)
				}
				break
			}
			if len(line) == 0 || line[0] != '[' {
				return info, bad("expected a row of table %s", name)
			}
			raws = raws[:0]
			if err := json.Unmarshal(line, &raws); err != nil {
				return info, bad("table %s: malformed row", name)
			}
			if len(raws) != len(rec.Columns) {
				return info, bad("table %s: a row has %d values for %d columns", name, len(raws), len(rec.Columns))
			}
			vals := make([]any, len(raws))
			for i, raw := range raws {
				v, err := parseValue(rec.Columns[i].Type, raw)
				if err != nil {
					return info, bad("table %s, column %s: %v", name, rec.Columns[i].Name, err)
				}
				vals[i] = v
			}
			n++
			if sink != nil {
				if err := sink.row(vals); err != nil {
					return info, err
				}
			}
		}
		if sink != nil {
			if err := sink.endTable(); err != nil {
				return info, err
			}
		}
		info.Rows += n
	}

	line, err = lr.expectLine()
	if err != nil {
		return info, err
	}
	var end dumpRecord
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &end) != nil || end.Kind != "end" || end.Rows == nil || end.Tables == nil {
		return info, bad("expected the end of the dump")
	}
	if *end.Rows != info.Rows || *end.Tables != len(h.Tables) {
		return info, bad("the end record's counts do not match the dump")
	}
	// Read to the very end: only then has the source authenticated it all.
	if _, err := lr.next(); !errors.Is(err, io.EOF) {
		if err != nil {
			return info, err
		}
		return info, bad("data after the end of the dump")
	}
	return info, nil
}

// parseValue decodes one JSON value of type typ into the Go value bound
// when inserting it.
func parseValue(typ string, raw json.RawMessage) (any, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	switch typ {
	case typeInteger:
		v, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return nil, errors.New("not an integer")
		}
		return v, nil
	case typeBoolean:
		switch string(raw) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, errors.New("not a boolean")
	case typeText:
		if len(raw) == 0 || raw[0] != '"' {
			return nil, errors.New("not a string")
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, errors.New("not a string")
		}
		return s, nil
	case typeBlob:
		if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
			return nil, errors.New("not base64")
		}
		b, err := base64.StdEncoding.Strict().DecodeString(string(raw[1 : len(raw)-1]))
		if err != nil {
			return nil, errors.New("not base64")
		}
		return b, nil
	case typeReal:
		if len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
			return nil, errors.New("not a number")
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, errors.New("not a number")
		}
		return f, nil
	}
	return nil, errors.New("unknown type")
}

// CheckDump reads a whole dump from r and checks it without a database: its
// format, its counts, its schema version against this binary's migrations,
// and that r ends cleanly. It is how a restore validates an encrypted backup
// end to end before it creates anything.
func CheckDump(r io.Reader) (DumpInfo, error) {
	return readDump(r, nil)
}

// Load reads a dump from r into this store, which must be a freshly created
// deployment with the dump's deployment id (see CreateDeployment), in one
// write transaction that commits only after r has been read to its end and
// every check has passed; on any error nothing is changed. The tables the
// dump names are emptied first.
func (s *Store) Load(ctx context.Context, r io.Reader) error {
	return s.Tx(ctx, func(tx *sql.Tx) error {
		if s.engine == SQLite {
			// Foreign keys are checked at commit (and by foreign_key_check
			// below), so rows that reference their own table load in any order.
			if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
				return fmt.Errorf("store: load: %w", err)
			}
		}
		tables, err := schemaTables(ctx, tx, s.engine)
		if err != nil {
			return err
		}
		l := &loader{ctx: ctx, tx: tx, engine: s.engine, target: map[string]*tableInfo{}}
		for _, t := range tables {
			l.target[t.name] = t
		}
		defer l.closeStmt()
		info, err := readDump(r, l)
		if errors.Is(err, ErrDumpFormat) || errors.Is(err, ErrNewerSchema) {
			return fmt.Errorf("store: load: %w", err)
		}
		if err != nil {
			return err
		}
		return l.finish(info)
	})
}

// loader is the dumpSink that inserts into a database.
type loader struct {
	ctx    context.Context
	tx     *sql.Tx
	engine Engine
	target map[string]*tableInfo
	loaded []*tableInfo

	// the table being loaded
	cur      *tableInfo
	insert   string // INSERT … VALUES prefix
	ncols    int
	perBatch int
	stmt     *sql.Stmt // for a full batch
	batch    []any
	rows     int
	bytes    int
}

func (l *loader) begin(h *dumpHeader) error {
	var id string
	err := l.tx.QueryRowContext(l.ctx, "SELECT value FROM settings WHERE name = 'deployment_id'").Scan(&id)
	if err != nil {
		return fmt.Errorf("store: load: read the target's deployment id: %w", err)
	}
	if id != h.Deployment {
		return fmt.Errorf("store: load: the dump belongs to deployment %s, the target is %s", h.Deployment, id)
	}
	pos := map[string]int{}
	for i, name := range h.Tables {
		t := l.target[name]
		if t == nil {
			return fmt.Errorf("store: load: table %s is not in this schema", name)
		}
		pos[name] = i
	}
	if l.engine == Postgres {
		// PostgreSQL checks foreign keys row by row: parents must come first.
		for i, name := range h.Tables {
			for _, p := range l.target[name].parents {
				if j, ok := pos[p]; ok && j > i {
					return fmt.Errorf("store: load: the dump lists table %s before %s, which it references", name, p)
				}
			}
		}
	}
	for i := len(h.Tables) - 1; i >= 0; i-- {
		if _, err := l.tx.ExecContext(l.ctx, "DELETE FROM "+quoteIdent(h.Tables[i])); err != nil {
			return fmt.Errorf("store: load: empty table %s: %w", h.Tables[i], err)
		}
	}
	return nil
}

func (l *loader) table(name string, cols []dumpColumn) error {
	t := l.target[name]
	names := make([]string, len(cols))
	identity := false
	for i, dc := range cols {
		c, ok := t.column(dc.Name)
		if !ok {
			return fmt.Errorf("store: load: column %s.%s is not in this schema", name, dc.Name)
		}
		if c.typ != dc.Type {
			return fmt.Errorf("store: load: column %s.%s is %s in the dump but %s here", name, dc.Name, dc.Type, c.declType)
		}
		identity = identity || c.identity
		names[i] = quoteIdent(c.name)
	}
	l.cur = t
	l.loaded = append(l.loaded, t)
	l.ncols = len(cols)
	l.insert = "INSERT INTO " + quoteIdent(name) + " (" + strings.Join(names, ", ") + ")"
	if identity && l.engine == Postgres {
		l.insert += " OVERRIDING SYSTEM VALUE"
	}
	l.insert += " VALUES "
	params := batchParamsSQLite
	if l.engine == Postgres {
		params = batchParamsPostgres
	}
	l.perBatch = max(1, min(batchRows, params/l.ncols))
	l.batch = l.batch[:0]
	l.rows, l.bytes = 0, 0
	l.closeStmt()
	return nil
}

// valuesSQL is the VALUES list for n rows of the current table.
func (l *loader) valuesSQL(n int) string {
	var b strings.Builder
	p := 1
	for r := range n {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range l.ncols {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(p))
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

func (l *loader) row(vals []any) error {
	l.batch = append(l.batch, vals...)
	l.rows++
	for _, v := range vals {
		switch x := v.(type) {
		case string:
			l.bytes += len(x)
		case []byte:
			l.bytes += len(x)
		}
	}
	if l.rows >= l.perBatch || l.bytes >= batchBytes {
		return l.flush()
	}
	return nil
}

func (l *loader) flush() error {
	if l.rows == 0 {
		return nil
	}
	var err error
	if l.rows == l.perBatch {
		if l.stmt == nil {
			l.stmt, err = l.tx.PrepareContext(l.ctx, l.insert+l.valuesSQL(l.perBatch))
			if err != nil {
				return fmt.Errorf("store: load table %s: %w", l.cur.name, err)
			}
		}
		_, err = l.stmt.ExecContext(l.ctx, l.batch...)
	} else {
		_, err = l.tx.ExecContext(l.ctx, l.insert+l.valuesSQL(l.rows), l.batch...)
	}
	if err != nil {
		return fmt.Errorf("store: load table %s: %w", l.cur.name, err)
	}
	clear(l.batch)
	l.batch = l.batch[:0]
	l.rows, l.bytes = 0, 0
	return nil
}

func (l *loader) endTable() error {
	err := l.flush()
	l.closeStmt()
	return err
}

func (l *loader) closeStmt() {
	if l.stmt != nil {
		l.stmt.Close()
		l.stmt = nil
	}
}

// finish runs once the whole dump has been read and authenticated.
func (l *loader) finish(info DumpInfo) error {
	ctx, tx := l.ctx, l.tx
	var id string
	if err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = 'deployment_id'").Scan(&id); err != nil || id != info.DeploymentID {
		return fmt.Errorf("store: load: the dump's settings do not name deployment %s", info.DeploymentID)
	}
	if l.engine == SQLite {
		var child, parent string
		err := tx.QueryRowContext(ctx, `SELECT "table", parent FROM pragma_foreign_key_check LIMIT 1`).Scan(&child, &parent)
		switch {
		case err == nil:
			return fmt.Errorf("store: load: rows of table %s reference rows of %s that the dump does not hold", child, parent)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("store: load: check foreign keys: %w", err)
		}
		return nil
	}
	// Move each identity sequence past the loaded ids, so the next insert
	// does not collide.
	for _, t := range l.loaded {
		for _, c := range t.cols {
			if !c.identity {
				continue
			}
			q := `SELECT setval(pg_get_serial_sequence(quote_ident(current_schema()) || '.' || quote_ident($1), $2),
				GREATEST(COALESCE(MAX(` + quoteIdent(c.name) + `), 0), 0) + 1, false) FROM ` + quoteIdent(t.name)
			if _, err := tx.ExecContext(ctx, q, t.name, c.name); err != nil {
				return fmt.Errorf("store: load: reset the sequence of %s.%s: %w", t.name, c.name, err)
			}
		}
	}
	return nil
}

// Restore creates a new deployment in dir (on SQLite, or on the PostgreSQL
// database opt.DBURL names) and loads the dump read from r into it. dir
// must not exist or be empty. opt.ID must be the dump's deployment id;
// created, when not zero, is recorded as the deployment's creation day in
// its marker (the original deployment's, from its backup).
//
// Restore is all or nothing: the marker that makes dir a deployment is
// written only after the load has committed, and on any failure Restore
// removes what it made — dir (or its contents, if dir existed empty) and, on
// PostgreSQL, every relation the failed attempt created in the schema.
func Restore(ctx context.Context, dir string, opt CreateOptions, created time.Time, r io.Reader) (d Deployment, err error) {
	entries, rerr := os.ReadDir(dir)
	existed := true
	switch {
	case errors.Is(rerr, fs.ErrNotExist):
		existed = false
	case rerr != nil:
		return Deployment{}, fmt.Errorf("store: restore: %w", rerr)
	case len(entries) > 0:
		return Deployment{}, fmt.Errorf("%s: %w (the directory is not empty)", dir, ErrExists)
	}
	var before map[string]byte
	if opt.DBURL != "" {
		if !IsPostgresURL(opt.DBURL) {
			return Deployment{}, errors.New("the database URL must start with postgres:// or postgresql://")
		}
		if before, err = postgresRelations(ctx, opt.DBURL); err != nil {
			return Deployment{}, err
		}
	}
	var s *Store
	defer func() {
		if err == nil {
			return
		}
		if s != nil {
			s.Close()
		}
		if existed {
			if entries, rerr := os.ReadDir(dir); rerr == nil {
				for _, e := range entries {
					os.RemoveAll(filepath.Join(dir, e.Name()))
				}
			}
		} else {
			os.RemoveAll(dir)
		}
		if opt.DBURL != "" {
			if cerr := dropNewRelations(context.WithoutCancel(ctx), opt.DBURL, before); cerr != nil {
				err = fmt.Errorf("%w; cleaning up the database also failed: %v", err, cerr)
			}
		}
	}()
	d, s, err = CreateDeployment(ctx, dir, opt)
	if err != nil {
		s = nil
		return d, err
	}
	// Until the load has committed, dir must not look like a deployment.
	if err = os.Remove(filepath.Join(dir, MarkerFile)); err != nil {
		return d, fmt.Errorf("store: restore: %w", err)
	}
	if err = s.Load(ctx, r); err != nil {
		return d, err
	}
	if !created.IsZero() {
		d.Created = created.UTC()
	}
	if err = writeMarker(d); err != nil {
		return d, err
	}
	err = s.Close()
	s = nil
	return d, err
}

// writeMarker writes dir's marker file atomically.
func writeMarker(d Deployment) error {
	raw, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("store: write marker: %w", err)
	}
	tmp := filepath.Join(d.Dir, MarkerFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("store: write marker: %w", err)
	}
	_, err = f.Write(append(raw, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(d.Dir, MarkerFile))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: write marker: %w", err)
	}
	if dh, err := os.Open(d.Dir); err == nil {
		dh.Sync()
		dh.Close()
	}
	return nil
}

// postgresRelations lists the relations (tables, views, sequences …) in the
// current schema of the database at dbURL, by name and kind.
func postgresRelations(ctx context.Context, dbURL string) (map[string]byte, error) {
	s, err := OpenPostgres(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return listRelations(ctx, s.write)
}

func listRelations(ctx context.Context, db *sql.DB) (map[string]byte, error) {
	rows, err := db.QueryContext(ctx, `SELECT c.relname, c.relkind::text FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')`)
	if err != nil {
		return nil, fmt.Errorf("store: inspect database: %w", err)
	}
	out := map[string]byte{}
	for rows.Next() {
		var name, kind string
		if err := rows.Scan(&name, &kind); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: inspect database: %w", err)
		}
		if kind != "" {
			out[name] = kind[0]
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("store: inspect database: %w", err)
	}
	return out, nil
}

// dropNewRelations drops the relations of the current schema that are not
// in before: what a failed restore created there.
func dropNewRelations(ctx context.Context, dbURL string, before map[string]byte) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := OpenPostgres(ctx, dbURL)
	if err != nil {
		return err
	}
	defer s.Close()
	var schema string
	if err := s.write.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("store: inspect database: %w", err)
	}
	now, err := listRelations(ctx, s.write)
	if err != nil {
		return err
	}
	var names []string
	for name := range now {
		if _, ok := before[name]; !ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	// Tables first (CASCADE takes their views, indexes and owned sequences
	// with them), then whatever is left.
	for _, pass := range []string{"rpf", "vmS"} {
		for _, name := range names {
			kind := now[name]
			if !strings.ContainsRune(pass, rune(kind)) {
				continue
			}
			what := map[byte]string{'r': "TABLE", 'p': "TABLE", 'f': "FOREIGN TABLE", 'v': "VIEW", 'm': "MATERIALIZED VIEW", 'S': "SEQUENCE"}[kind]
			q := "DROP " + what + " IF EXISTS " + quoteIdent(schema) + "." + quoteIdent(name) + " CASCADE"
			if _, err := s.write.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("store: drop %s: %w", name, err)
			}
		}
	}
	return nil
}
