package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// MarkerFile is the file that makes a directory a deployment.
const MarkerFile = "deployment.json"

// ErrNotDeployment is returned when a directory holds no deployment.
var ErrNotDeployment = errors.New("not an embrace deployment (run 'embrace init' first)")

// ErrExists is returned when init is pointed at an existing deployment.
var ErrExists = errors.New("a deployment already exists there")

// Deployment is what a data directory records about itself. It holds no
// secret: the database URL (which may carry a password) is given on every
// start instead.
type Deployment struct {
	ID      string    `json:"id"`
	Engine  Engine    `json:"engine"`
	Created time.Time `json:"created"`
	Demo    bool      `json:"demo,omitempty"`
	Dir     string    `json:"-"`
}

// NewDeploymentID returns a random deployment identifier.
func NewDeploymentID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ReadDeployment reads the marker of the deployment in dir.
func ReadDeployment(dir string) (Deployment, error) {
	raw, err := os.ReadFile(filepath.Join(dir, MarkerFile))
	if errors.Is(err, os.ErrNotExist) {
		return Deployment{}, fmt.Errorf("%s: %w", dir, ErrNotDeployment)
	}
	if err != nil {
		return Deployment{}, fmt.Errorf("store: read deployment: %w", err)
	}
	var d Deployment
	if err := json.Unmarshal(raw, &d); err != nil || d.ID == "" || (d.Engine != SQLite && d.Engine != Postgres) {
		return Deployment{}, fmt.Errorf("%s: %s is damaged", dir, MarkerFile)
	}
	d.Dir = dir
	return d, nil
}

// CreateOptions are the choices made when a deployment is created.
type CreateOptions struct {
	// DBURL selects PostgreSQL; empty means SQLite inside the directory.
	DBURL string
	Demo  bool
	// ID is the deployment id; empty picks a random one.
	ID string
	// Setup, when set, runs inside the transaction that writes the first
	// settings, before the marker file: what it writes is part of the new
	// deployment, and its failure leaves nothing behind.
	Setup func(ctx context.Context, tx *sql.Tx) error
}

// CreateDeployment makes a new deployment in dir: the directory, the schema
// and the marker file, written last so that a failure leaves no half-made
// deployment behind. It refuses a directory that already holds one, or a
// PostgreSQL database that already holds one.
func CreateDeployment(ctx context.Context, dir string, opt CreateOptions) (d Deployment, s *Store, err error) {
	if _, err := os.Stat(filepath.Join(dir, MarkerFile)); err == nil {
		return Deployment{}, nil, fmt.Errorf("%s: %w", dir, ErrExists)
	}
	if _, err := os.Stat(filepath.Join(dir, SQLiteFile)); err == nil && opt.DBURL == "" {
		return Deployment{}, nil, fmt.Errorf("%s: %w (a database file is present)", dir, ErrExists)
	}
	createdDir := false
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return Deployment{}, nil, fmt.Errorf("store: create %s: %w", dir, err)
		}
		createdDir = true
	}
	d = Deployment{ID: opt.ID, Engine: SQLite, Created: time.Now().UTC().Truncate(24 * time.Hour), Demo: opt.Demo, Dir: dir}
	if d.ID == "" {
		d.ID = NewDeploymentID()
	}
	if opt.DBURL != "" {
		d.Engine = Postgres
	}
	defer func() {
		if err == nil {
			return
		}
		if s != nil {
			s.Close()
			s = nil
		}
		if d.Engine == SQLite {
			for _, f := range []string{SQLiteFile, SQLiteFile + "-wal", SQLiteFile + "-shm"} {
				os.Remove(filepath.Join(dir, f))
			}
		}
		if createdDir {
			os.RemoveAll(dir)
		}
	}()
	s, err = openEngine(ctx, dir, opt.DBURL)
	if err != nil {
		return d, nil, err
	}
	if s.engine == Postgres {
		var n int
		qerr := s.read.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'settings'").Scan(&n)
		if qerr != nil {
			return d, s, fmt.Errorf("store: inspect database: %w", qerr)
		}
		if n > 0 {
			return d, s, fmt.Errorf("the database: %w", ErrExists)
		}
	}
	if err = s.Migrate(ctx); err != nil {
		return d, s, err
	}
	err = s.Tx(ctx, func(tx *sql.Tx) error {
		for k, v := range map[string]string{"deployment_id": d.ID, "created": d.Created.Format(time.DateOnly)} {
			if _, err := tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2)", k, v); err != nil {
				return fmt.Errorf("store: write settings: %w", err)
			}
		}
		if opt.Setup != nil {
			return opt.Setup(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return d, s, err
	}
	raw, _ := json.MarshalIndent(d, "", "  ")
	tmp := filepath.Join(dir, MarkerFile+".tmp")
	if err = os.WriteFile(tmp, append(raw, '\n'), 0o600); err != nil {
		return d, s, fmt.Errorf("store: write marker: %w", err)
	}
	if err = os.Rename(tmp, filepath.Join(dir, MarkerFile)); err != nil {
		os.Remove(tmp)
		return d, s, fmt.Errorf("store: write marker: %w", err)
	}
	return d, s, nil
}

// OpenDeployment opens the deployment in dir, migrating its schema forward.
// dbURL must be given for a PostgreSQL deployment; it must name the database
// that was created with this directory.
func OpenDeployment(ctx context.Context, dir, dbURL string) (Deployment, *Store, error) {
	d, err := ReadDeployment(dir)
	if err != nil {
		return d, nil, err
	}
	switch {
	case d.Engine == Postgres && dbURL == "":
		return d, nil, errors.New("this deployment runs on PostgreSQL: give its URL with -db or EMBRACE_DB")
	case d.Engine == SQLite && dbURL != "":
		return d, nil, errors.New("this deployment runs on SQLite: do not give -db")
	}
	s, err := openEngine(ctx, dir, dbURL)
	if err != nil {
		return d, nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return d, nil, err
	}
	var id string
	if err := s.read.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = 'deployment_id'").Scan(&id); err != nil {
		s.Close()
		return d, nil, fmt.Errorf("store: read deployment id: %w", err)
	}
	if id != d.ID {
		s.Close()
		return d, nil, fmt.Errorf("the database belongs to deployment %s, not to %s (%s)", id, d.ID, dir)
	}
	return d, s, nil
}

func openEngine(ctx context.Context, dir, dbURL string) (*Store, error) {
	if dbURL == "" {
		return OpenSQLite(ctx, filepath.Join(dir, SQLiteFile))
	}
	if !IsPostgresURL(dbURL) {
		return nil, errors.New("the database URL must start with postgres:// or postgresql://")
	}
	return OpenPostgres(ctx, dbURL)
}

// Setting reads one setting; ErrNotFound when it is not set.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.read.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = $1", name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: setting %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", name, err)
	}
	return v, nil
}

// SetSetting writes one setting inside tx.
func SetSetting(ctx context.Context, tx *sql.Tx, name, value string) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, value)
	if err != nil {
		return fmt.Errorf("store: set %s: %w", name, err)
	}
	return nil
}
