package cli

import (
	"context"
	"fmt"
)

func runInit(ctx context.Context, std stdio, args []string) int {
	fs := newFlags(std, "init", "init -data DIR [-db URL]")
	var db dbFlags
	db.register(fs, "")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if db.data == "" {
		return usageError(std, "init", "-data is required")
	}
	d, s, err := createDeployment(ctx, db.data, db.url(), false)
	if err != nil {
		return fail(std, "init", err)
	}
	defer s.Close()
	fmt.Fprintf(std.Out, "Created deployment %s in %s (%s).\n", d.ID, d.Dir, d.Engine)
	return 0
}
