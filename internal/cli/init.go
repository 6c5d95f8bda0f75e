package cli

import (
	"context"
	"fmt"

	"embrace/internal/auth"
)

func runInit(ctx context.Context, std stdio, args []string) int {
	fs := newFlags(std, "init", "init -data DIR [-db URL] [-custodians N] [-threshold K] [-shares-dir OUT] [-argon2id t=N,m=KiB,p=N] [-admin NAME  (password on standard input)]")
	var db dbFlags
	db.register(fs, "")
	var plan escrowPlan
	fs.IntVar(&plan.custodians, "custodians", 5, "how many custodians receive a `share` of the escrow key")
	fs.IntVar(&plan.threshold, "threshold", 3, "how many shares recover the escrow key (`K` of N)")
	fs.StringVar(&plan.dir, "shares-dir", "", "`directory` for the custodian share files (default: DIR-escrow-shares beside the data directory)")
	kdf := kdfFlag(fs)
	admin := fs.String("admin", "", "create the first administrator, `username`, reading its password from standard input")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if db.data == "" {
		return usageError(std, "init", "-data is required")
	}
	if err := checkKDF(*kdf); err != nil {
		return usageError(std, "init", "%v", err)
	}
	var password string
	if *admin != "" {
		if !auth.ValidUsername(auth.NormalizeUsername(*admin)) {
			return usageError(std, "init", "-admin: a username is 3 to 32 of a-z, 0-9, '.', '_' and '-'")
		}
		var err error
		if password, err = readSecretLine(std.In); err != nil {
			return fail(std, "init", err)
		}
	}
	if plan.dir == "" {
		plan.dir = db.data + "-escrow-shares"
	}
	if err := plan.validate(); err != nil {
		return usageError(std, "init", "%v", err)
	}
	d, s, err := createDeployment(ctx, db.data, db.url(), false, plan, kdfSetup(*kdf))
	if err != nil {
		return fail(std, "init", err)
	}
	defer s.Close()
	var en auth.Enrolment
	if *admin != "" {
		// The deployment exists now; a refused password leaves it without
		// accounts, and `embrace user add` can create the first one.
		params, err := auth.LoadParams(ctx, s)
		if err != nil {
			return fail(std, "init", err)
		}
		svc, err := auth.New(auth.Config{Store: s, Params: params})
		if err != nil {
			return fail(std, "init", err)
		}
		if _, en, err = svc.CreateFirstAdmin(ctx, *admin, password, cliActor); err != nil {
			return fail(std, "init", fmt.Errorf("deployment created, but not the administrator (add one with `embrace user add -role administrator`): %w", err))
		}
	}
	fmt.Fprintf(std.Out, "Created deployment %s in %s (%s).\n", d.ID, d.Dir, d.Engine)
	fmt.Fprintf(std.Out, "Escrow key split into %d shares, any %d of which recover it, in %s.\n", plan.custodians, plan.threshold, plan.dir)
	fmt.Fprintln(std.Out, "Give each share file to its custodian on offline media now, then delete them from this machine.")
	if *admin != "" {
		fmt.Fprintf(std.Out, "Created the first administrator, %s: the bootstrap steward, holding every team key until each team has members.\n", auth.NormalizeUsername(*admin))
		printEnrolment(std.Out, en)
	} else {
		fmt.Fprintln(std.Out, "No accounts yet: create the first administrator with `embrace user add -data DIR -name NAME -role administrator`.")
	}
	return 0
}
