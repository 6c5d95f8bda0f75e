package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"

	"embrace/internal/audit"
)

const auditSynopsis = "audit verify|checkpoint|key -data DIR [-db URL] [flags]"

// runAudit is `embrace audit`: verify the tamper-evident audit log, print its
// latest signed checkpoint (to copy off the server), or print the key that
// verifies checkpoints.
func runAudit(ctx context.Context, std stdio, args []string) int {
	if len(args) == 0 {
		auditUsage(std.Err)
		return usageError(std, "audit", "name a subcommand: verify, checkpoint or key")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		auditUsage(std.Err)
		return 0
	case "verify":
		return runAuditVerify(ctx, std, args[1:])
	case "checkpoint":
		return runAuditCheckpoint(ctx, std, args[1:])
	case "key":
		return runAuditKey(ctx, std, args[1:])
	}
	auditUsage(std.Err)
	return usageError(std, "audit", "unknown subcommand %q: want verify, checkpoint or key", args[0])
}

func auditUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: embrace %s\n\n", auditSynopsis)
	fmt.Fprintln(w, "Subcommands:")
	fmt.Fprintln(w, "  verify      check the whole log; with -checkpoint FILE, also that it still holds a checkpoint copied off earlier")
	fmt.Fprintln(w, "  checkpoint  print the latest signed checkpoint, to copy off the server")
	fmt.Fprintln(w, "  key         print the key that verifies checkpoints (making it if there is none), to copy off the server")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'embrace audit SUBCOMMAND -h' for its flags.")
}

func runAuditVerify(ctx context.Context, std stdio, args []string) int {
	const name = "audit verify"
	fs := newFlags(std, name, "audit verify -data DIR [-db URL] [-checkpoint FILE]")
	var db dbFlags
	db.register(fs, "")
	cpFile := fs.String("checkpoint", "", "a checkpoint `file` copied off earlier with 'embrace audit checkpoint': the log must still contain it")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if db.data == "" {
		return usageError(std, name, "-data is required")
	}
	var external []byte
	if *cpFile != "" {
		var err error
		if external, err = readCheckpointFile(*cpFile); err != nil {
			return fail(std, name, err)
		}
	}
	_, s, err := db.open(ctx)
	if err != nil {
		return fail(std, name, err)
	}
	defer s.Close()
	rep, err := audit.Verify(ctx, s.DB(), external)
	if err != nil {
		var te *audit.TamperError
		if errors.As(err, &te) {
			fmt.Fprintf(std.Err, "embrace %s: %s\n", name, te.Reason)
			return 1
		}
		return fail(std, name, err)
	}
	fmt.Fprintln(std.Out, rep.String())
	return 0
}

// readCheckpointFile reads a checkpoint file, refusing anything larger than
// a checkpoint can be.
func readCheckpointFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, audit.MaxCheckpointSize+1))
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	if len(raw) > audit.MaxCheckpointSize {
		return nil, fmt.Errorf("%s is too large to be a checkpoint", path)
	}
	return raw, nil
}

func runAuditCheckpoint(ctx context.Context, std stdio, args []string) int {
	const name = "audit checkpoint"
	fs := newFlags(std, name, "audit checkpoint -data DIR [-db URL] > FILE")
	var db dbFlags
	db.register(fs, "")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if db.data == "" {
		return usageError(std, name, "-data is required")
	}
	_, s, err := db.open(ctx)
	if err != nil {
		return fail(std, name, err)
	}
	defer s.Close()
	cp, err := audit.Checkpoint(ctx, s.DB())
	if errors.Is(err, audit.ErrEmpty) {
		return fail(std, name, errors.New("the audit log is empty: there is no checkpoint to copy yet"))
	}
	if err != nil {
		return fail(std, name, err)
	}
	std.Out.Write(cp)
	return 0
}

func runAuditKey(ctx context.Context, std stdio, args []string) int {
	const name = "audit key"
	fs := newFlags(std, name, "audit key -data DIR [-db URL]")
	var db dbFlags
	db.register(fs, "")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if db.data == "" {
		return usageError(std, name, "-data is required")
	}
	_, s, err := db.open(ctx)
	if err != nil {
		return fail(std, name, err)
	}
	defer s.Close()
	vkey, err := audit.VerifierKey(ctx, s.DB())
	if errors.Is(err, audit.ErrEmpty) {
		// No entry yet: make the key now, so it can be copied off before
		// the first one is written.
		err = s.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			vkey, err = audit.InitKey(ctx, tx)
			return err
		})
	}
	if err != nil {
		return fail(std, name, err)
	}
	fmt.Fprintln(std.Out, vkey)
	return 0
}
