package cli

import (
	"context"
	"fmt"
)

func runInit(ctx context.Context, std stdio, args []string) int {
	fs := newFlags(std, "init", "init -data DIR [-db URL] [-custodians N] [-threshold K] [-shares-dir OUT]")
	var db dbFlags
	db.register(fs, "")
	var plan escrowPlan
	fs.IntVar(&plan.custodians, "custodians", 5, "how many custodians receive a `share` of the escrow key")
	fs.IntVar(&plan.threshold, "threshold", 3, "how many shares recover the escrow key (`K` of N)")
	fs.StringVar(&plan.dir, "shares-dir", "", "`directory` for the custodian share files (default: DIR-escrow-shares beside the data directory)")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if db.data == "" {
		return usageError(std, "init", "-data is required")
	}
	if plan.dir == "" {
		plan.dir = db.data + "-escrow-shares"
	}
	if err := plan.validate(); err != nil {
		return usageError(std, "init", "%v", err)
	}
	d, s, err := createDeployment(ctx, db.data, db.url(), false, plan, nil)
	if err != nil {
		return fail(std, "init", err)
	}
	defer s.Close()
	fmt.Fprintf(std.Out, "Created deployment %s in %s (%s).\n", d.ID, d.Dir, d.Engine)
	fmt.Fprintf(std.Out, "Escrow key split into %d shares, any %d of which recover it, in %s.\n", plan.custodians, plan.threshold, plan.dir)
	fmt.Fprintln(std.Out, "Give each share file to its custodian on offline media now, then delete them from this machine.")
	return 0
}
