// Package storetest runs a storage test on every engine: always on SQLite in
// a temporary directory, and again on PostgreSQL when EMBRACE_TEST_POSTGRES
// holds a connection URL. Each PostgreSQL run gets a schema of its own, which
// is dropped afterwards, so tests may run in parallel against one database.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"embrace/internal/store"
)

// EnvPostgres names the environment variable that holds the PostgreSQL URL.
const EnvPostgres = "EMBRACE_TEST_POSTGRES"

// Target is one place a test can run: a data directory and, for PostgreSQL,
// the URL of an isolated schema.
type Target struct {
	Engine store.Engine
	Dir    string
	DBURL  string // empty for SQLite
}

// Targets returns the engines to test on, creating an isolated PostgreSQL
// schema (dropped at cleanup) when EMBRACE_TEST_POSTGRES is set.
func Targets(t testing.TB) []Target {
	t.Helper()
	out := []Target{{Engine: store.SQLite, Dir: filepath.Join(t.TempDir(), "data")}}
	if base := os.Getenv(EnvPostgres); base != "" {
		out = append(out, Target{Engine: store.Postgres, Dir: filepath.Join(t.TempDir(), "data"), DBURL: IsolatedSchema(t, base)})
	}
	return out
}

// Each runs fn once per engine as a subtest named after the engine, with a
// freshly created deployment's store, closed afterwards.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, tg := range Targets(t) {
		t.Run(string(tg.Engine), func(t *testing.T) {
			s := New(t, tg)
			fn(t, s)
		})
	}
}

// New creates a deployment at the target and returns its store, closed when
// the test ends.
func New(t testing.TB, tg Target) *store.Store {
	t.Helper()
	_, s, err := store.CreateDeployment(context.Background(), tg.Dir, store.CreateOptions{DBURL: tg.DBURL})
	if err != nil {
		t.Fatalf("create deployment on %s: %v", tg.Engine, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// IsolatedSchema creates a schema of its own in the database at base and
// returns a URL whose connections use it; the schema is dropped at cleanup.
func IsolatedSchema(t testing.TB, base string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
