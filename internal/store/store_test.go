package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func TestSettingsRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.Setting(ctx, "deployment_id"); err != nil {
			t.Fatalf("deployment_id: %v", err)
		}
		if _, err := s.Setting(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing setting: got %v, want ErrNotFound", err)
		}
		for _, v := range []string{"one", "two"} {
			if err := s.Tx(ctx, func(tx *sql.Tx) error { return store.SetSetting(ctx, tx, "k", v) }); err != nil {
				t.Fatal(err)
			}
			got, err := s.Setting(ctx, "k")
			if err != nil || got != v {
				t.Fatalf("Setting = %q, %v; want %q", got, err, v)
			}
		}
	})
}

func TestTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := s.Tx(ctx, func(tx *sql.Tx) error {
			if err := store.SetSetting(ctx, tx, "half", "x"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx error = %v", err)
		}
		if _, err := s.Setting(ctx, "half"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("rolled-back write is visible: %v", err)
		}
		func() {
			defer func() { recover() }()
			s.Tx(ctx, func(tx *sql.Tx) error {
				store.SetSetting(ctx, tx, "panicked", "x")
				panic("boom")
			})
		}()
		if _, err := s.Setting(ctx, "panicked"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("write before panic is visible: %v", err)
		}
	})
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, err := s.Exec(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2)", "deployment_id", "again")
		if !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate key: %v is not recognised as a unique violation", err)
		}
	})
}

func TestConcurrentWritesSerialise(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.Tx(ctx, func(tx *sql.Tx) error {
					var n int
					if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&n); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, `INSERT INTO cases (state, service, rank_band, region, contact_month, created_day, updated_day)
						VALUES ($1, 'army', 'enlisted', 'MMR001', '2021-06', '2021-06-01', '2021-06-01')`, "contacted")
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent write: %v", err)
			}
		}
		var n int
		if err := s.DB().QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&n); err != nil || n != 40 {
			t.Fatalf("count = %d, %v; want 40", n, err)
		}
	})
}

func TestSQLiteReadPoolIsReadOnly(t *testing.T) {
	t.Parallel()
	s := storetest.New(t, storetest.Target{Engine: store.SQLite, Dir: filepath.Join(t.TempDir(), "d")})
	if _, err := s.DB().Exec("INSERT INTO settings (name, value) VALUES ('x', 'y')"); err == nil {
		t.Fatal("a write through the read pool succeeded")
	}
}

func TestDeploymentLifecycle(t *testing.T) {
	t.Parallel()
	for _, tg := range storetest.Targets(t) {
		t.Run(string(tg.Engine), func(t *testing.T) {
			ctx := context.Background()
			d, s, err := store.CreateDeployment(ctx, tg.Dir, store.CreateOptions{DBURL: tg.DBURL})
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			if _, _, err := store.CreateDeployment(ctx, tg.Dir, store.CreateOptions{DBURL: tg.DBURL}); !errors.Is(err, store.ErrExists) {
				t.Fatalf("second create: %v, want ErrExists", err)
			}
			if tg.DBURL != "" {
				// Another directory pointed at the same database is refused too.
				other := filepath.Join(t.TempDir(), "other")
				if _, _, err := store.CreateDeployment(ctx, other, store.CreateOptions{DBURL: tg.DBURL}); !errors.Is(err, store.ErrExists) {
					t.Fatalf("create over a used database: %v, want ErrExists", err)
				}
				if _, err := os.Stat(other); !os.IsNotExist(err) {
					t.Fatalf("a refused create left %s behind", other)
				}
			}
			d2, s2, err := store.OpenDeployment(ctx, tg.Dir, tg.DBURL)
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			if d2.ID != d.ID || d2.Engine != tg.Engine {
				t.Fatalf("reopened %+v, created %+v", d2, d)
			}
			if v, err := s2.SchemaVersion(ctx); err != nil || v < 1 {
				t.Fatalf("schema version %d, %v", v, err)
			}
		})
	}
}

func TestOpenRefusesWhatIsNotADeployment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	empty := t.TempDir()
	if _, _, err := store.OpenDeployment(ctx, empty, ""); !errors.Is(err, store.ErrNotDeployment) {
		t.Fatalf("empty dir: %v", err)
	}
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, store.MarkerFile), []byte("{not json"), 0o600)
	if _, _, err := store.OpenDeployment(ctx, bad, ""); err == nil {
		t.Fatal("damaged marker accepted")
	}
	dir := filepath.Join(t.TempDir(), "d")
	_, s, err := store.CreateDeployment(ctx, dir, store.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, _, err := store.OpenDeployment(ctx, dir, "postgres://x@127.0.0.1:1/y"); err == nil {
		t.Fatal("a SQLite deployment opened with -db")
	}
	if _, _, err := store.OpenDeployment(ctx, dir, "mysql://x"); err == nil {
		t.Fatal("non-postgres URL accepted")
	}
}

func TestPostgresPasswordNotInErrors(t *testing.T) {
	t.Parallel()
	_, err := store.OpenPostgres(context.Background(), "postgres://someone:Sup3rSecretPw@127.0.0.1:1/db?connect_timeout=1")
	if err == nil {
		t.Fatal("connected to a closed port")
	}
	if strings.Contains(err.Error(), "Sup3rSecretPw") {
		t.Fatalf("password leaked in error: %v", err)
	}
}
