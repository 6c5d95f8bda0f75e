// Package store is embrace's database handle: SQLite (embedded, the default)
// or PostgreSQL (for several machines), behind the same database/sql code.
//
// # Engines
//
// SQLite runs through modernc.org/sqlite (pure Go) in WAL mode with a busy
// timeout, foreign keys on, and two pools: one writer connection, through
// which every transaction that changes data goes, and a pool of read-only
// connections. PostgreSQL runs through pgx's database/sql adapter; there the
// two pools are the same.
//
// # SQL
//
// Queries use $1 placeholders, which both engines accept. Migrations are
// embedded goose files written once for both engines: the few words that
// differ ({{id}}, {{blob}}, …) are template functions expanded per engine
// before goose sees them.
//
// # Invariants
//
// The store holds only what the capabilities give it. It keeps no red data of
// its own and logs no query arguments, so it cannot leak what it stores
// (DESIGN §2, invariant 1); errors it returns name the operation, never the
// values.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Engine names a database engine.
type Engine string

// The engines embrace runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// ErrNotFound is returned (wrapped) when a row that was asked for by its key
// does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned (wrapped) when a write would break a uniqueness or
// state rule.
var ErrConflict = errors.New("conflict")

// SQLiteFile is the database file's name inside a data directory.
const SQLiteFile = "embrace.db"

// Store is an open database. It is safe for concurrent use.
type Store struct {
	engine Engine
	read   *sql.DB
	write  *sql.DB
}

// Engine reports which engine the store runs on.
func (s *Store) Engine() Engine { return s.engine }

// DB is the pool for reads. Writes go through Tx or Exec.
func (s *Store) DB() *sql.DB { return s.read }

// Writer is the pool for writes (the single writer connection on SQLite).
// Prefer Tx; Writer exists for tools such as migrations and backups.
func (s *Store) Writer() *sql.DB { return s.write }

// IsPostgresURL reports whether u names a PostgreSQL database.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// OpenSQLite opens (creating if needed) the SQLite database at path.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	base := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	write, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", filepath.Base(abs), err)
	}
	read, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	read.SetConnMaxIdleTime(5 * time.Minute)
	return &Store{engine: SQLite, read: read, write: write}, nil
}

// OpenPostgres connects to the PostgreSQL database at dbURL.
func OpenPostgres(ctx context.Context, dbURL string) (*Store, error) {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %v", redactURLError(err, dbURL))
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to postgres: %v", redactURLError(err, dbURL))
	}
	return &Store{engine: Postgres, read: db, write: db}, nil
}

// redactURLError keeps a connection URL's password out of an error message.
func redactURLError(err error, dbURL string) error {
	u, perr := url.Parse(dbURL)
	if perr != nil || u.User == nil {
		return err
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
	}
	return err
}

// Close closes both pools; on SQLite it checkpoints the WAL first so the
// database file is complete on its own.
func (s *Store) Close() error {
	var errs []error
	if s.engine == SQLite {
		if _, err := s.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, s.read.Close())
	}
	errs = append(errs, s.write.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Tx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise (or when fn panics).
func (s *Store) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Exec runs one statement on the writer.
func (s *Store) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.write.ExecContext(ctx, query, args...)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.read.PingContext(ctx)
}

// IsUniqueViolation reports whether err is a uniqueness-constraint failure on
// either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}
