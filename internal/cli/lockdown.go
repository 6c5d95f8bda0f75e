package cli

import (
	"context"
	"fmt"
)

// runLockdown is `embrace lockdown`: end every session of every person at
// once. The sessions are deleted from the database, so every serve process
// refuses them at its next request and wipes their keys from its memory (and
// its periodic sweep wipes the keys of sessions nobody uses any more).
func runLockdown(ctx context.Context, std stdio, args []string) int {
	fs := newFlags(std, "lockdown", "lockdown -data DIR [-db URL]")
	var db dbFlags
	db.register(fs, "")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if db.data == "" {
		return usageError(std, "lockdown", "-data is required")
	}
	s, svc, err := openAuth(ctx, &db)
	if err != nil {
		return fail(std, "lockdown", err)
	}
	defer s.Close()
	n, err := svc.Lockdown(ctx, cliActor)
	if err != nil {
		return fail(std, "lockdown", err)
	}
	fmt.Fprintf(std.Out, "Lockdown: ended %d sessions. Every server refuses them from its next request on and wipes their keys; everyone must sign in again.\n", n)
	return 0
}
