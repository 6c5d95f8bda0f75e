package cli

import "context"

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
	_ = seed
	return 0
}
