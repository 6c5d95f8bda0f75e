package cli

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"embrace/internal/auth"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// escrowPlan says how the escrow key of a new deployment is split.
type escrowPlan struct {
	dir        string // where the share files go
	custodians int
	threshold  int
}

func (p escrowPlan) validate() error {
	if p.threshold < 2 || p.custodians < p.threshold || p.custodians > 255 {
		return errors.New("need 2 <= -threshold <= -custodians <= 255")
	}
	if p.dir == "" {
		return errors.New("-shares-dir is required")
	}
	return nil
}

// createDeployment creates a deployment and everything it needs to start:
// the schema, the escrow principal (its private key split into custodian
// shares written to plan.dir, never kept) and the standard teams. Either all
// of it exists afterwards or none of it does.
func createDeployment(ctx context.Context, dir, dbURL string, demo bool, plan escrowPlan, setup func(ctx context.Context, tx *sql.Tx) error) (store.Deployment, *store.Store, error) {
	if err := plan.validate(); err != nil {
		return store.Deployment{}, nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, store.MarkerFile)); err == nil {
		return store.Deployment{}, nil, fmt.Errorf("%s: %w", dir, store.ErrExists)
	}
	_, statErr := os.Stat(plan.dir)
	sharesDirExisted := statErr == nil
	id := store.NewDeploymentID()
	recipient, err := writeEscrowShares(plan.dir, id, plan.custodians, plan.threshold)
	if err != nil {
		return store.Deployment{}, nil, err
	}
	r, err := keys.ParseRecipient(recipient)
	if err != nil {
		return store.Deployment{}, nil, err
	}
	d, s, err := store.CreateDeployment(ctx, dir, store.CreateOptions{
		DBURL: dbURL, Demo: demo, ID: id,
		Setup: func(ctx context.Context, tx *sql.Tx) error {
			if _, err := keys.CreatePrincipal(ctx, tx, keys.KindEscrow, keys.EscrowName, r); err != nil {
				return err
			}
			if setup != nil {
				return setup(ctx, tx)
			}
			return nil
		},
	})
	if err != nil {
		for i := 1; i <= plan.custodians; i++ {
			os.Remove(filepath.Join(plan.dir, fmt.Sprintf("share-%d.txt", i)))
		}
		if !sharesDirExisted {
			os.Remove(plan.dir)
		}
		return d, nil, err
	}
	return d, s, nil
}

// kdfFlag registers -argon2id: the Argon2id parameters a new deployment
// uses for passwords, for hardware where the defaults are too slow or too
// fast (aim for 250 ms to 1 s a sign-in).
func kdfFlag(fs *flag.FlagSet) *string {
	return fs.String("argon2id", "", "Argon2id `parameters` for passwords, as t=N,m=KiB,p=N (default "+auth.DefaultParams().String()+")")
}

// checkKDF validates an -argon2id value; empty means the defaults.
func checkKDF(v string) error {
	if v == "" {
		return nil
	}
	if _, err := auth.ParseParams(v); err != nil {
		return fmt.Errorf("-argon2id: %v", err)
	}
	return nil
}

// kdfSetup stores a non-default -argon2id value in the new deployment's
// settings, where every later command finds it.
func kdfSetup(v string) func(ctx context.Context, tx *sql.Tx) error {
	if v == "" {
		return nil
	}
	return func(ctx context.Context, tx *sql.Tx) error { return store.SetSetting(ctx, tx, auth.SettingParams, v) }
}
