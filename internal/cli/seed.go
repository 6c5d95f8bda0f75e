package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"embrace/internal/keys"
	"embrace/internal/store"
)

func runSeed(ctx context.Context, std stdio, args []string) int {
	fs := newFlags(std, "seed", "seed -data DIR [-db URL] -cases N [-seed S]")
	var db dbFlags
	db.register(fs, "")
	n := fs.Int("cases", 0, "how many synthetic `cases` to add")
	seed := fs.Uint64("seed", 1, "the generator's `seed`: the same seed gives the same cases")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if db.data == "" {
		return usageError(std, "seed", "-data is required")
	}
	if *n <= 0 || *n > 10_000_000 {
		return usageError(std, "seed", "-cases must be between 1 and 10000000")
	}
	_, s, err := db.open(ctx)
	if err != nil {
		return fail(std, "seed", err)
	}
	defer s.Close()
	to, err := intakeHolders(ctx, s)
	if err != nil {
		return fail(std, "seed", err)
	}
	start := time.Now()
	if err := addSynthetic(ctx, s, *seed, *n, to, std.Err); err != nil {
		return fail(std, "seed", err)
	}
	fmt.Fprintf(std.Out, "Added %d synthetic cases in %s.\n", *n, time.Since(start).Round(time.Millisecond))
	return 0
}

// intakeHolders are the principals a new contact's key is wrapped to
// besides escrow: the intake team, when it exists.
func intakeHolders(ctx context.Context, s *store.Store) ([]keys.Principal, error) {
	team, err := keys.LookupPrincipal(ctx, s.DB(), keys.KindTeam, "intake")
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []keys.Principal{team}, nil
}
