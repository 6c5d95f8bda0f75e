package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"embrace/internal/keys"
)

// maxShareFileSize bounds what is read from a share file; real shares are
// under 1 KB.
const maxShareFileSize = 64 << 10

const escrowSynopsis = "escrow recover [-o FILE] SHARE-FILE..."

func escrowUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: embrace %s\n", escrowSynopsis)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Recombines the custodians' shares of the escrow key, offline, and prints the")
	fmt.Fprintln(w, "escrow age identity (AGE-SECRET-KEY-…), which decrypts backups with")
	fmt.Fprintln(w, "'age -d -i FILE'. It needs at least the threshold number of shares and no")
	fmt.Fprintln(w, "data directory. Run it on an offline machine and keep the output off disk,")
	fmt.Fprintln(w, "or use -o to write it to a file readable only by you.")
}

// runEscrow implements `embrace escrow recover SHARE-FILE...`: it reads the
// share files, recombines them and prints the escrow identity as one line on
// stdout. On any failure it prints one line on stderr and nothing on stdout.
func runEscrow(ctx context.Context, std stdio, args []string) int {
	if len(args) == 0 {
		escrowUsage(std.Err)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		escrowUsage(std.Err)
		return 0
	case "recover":
		return runEscrowRecover(std, args[1:])
	}
	return usageError(std, "escrow", "unknown subcommand %q; run 'embrace escrow -h'", args[0])
}

func runEscrowRecover(std stdio, args []string) int {
	fset := newFlags(std, "escrow recover", escrowSynopsis)
	outFile := fset.String("o", "", "write the identity to `FILE` (created with mode 0600, must not exist) instead of standard output")
	if code, ok := parseFlags(fset, args, true); !ok {
		return code
	}
	paths := fset.Args()
	if len(paths) == 0 {
		return usageError(std, "escrow recover", "name the share files, at least as many as the threshold")
	}

	shares := make([]keys.Share, 0, len(paths))
	from := make(map[int]string, len(paths)) // share number → file
	for _, p := range paths {
		raw, err := readShareFile(p)
		if err != nil {
			return fail(std, "escrow", err)
		}
		s, err := keys.ParseShare(raw)
		clear(raw)
		if err != nil {
			return fail(std, "escrow", fmt.Errorf("%s: %w", p, err))
		}
		if prev, ok := from[s.Index]; ok {
			return fail(std, "escrow", fmt.Errorf("%s and %s are both share %d: give each share once", prev, p, s.Index))
		}
		from[s.Index] = p
		shares = append(shares, s)
	}
	defer func() {
		for _, s := range shares {
			clear(s.Data)
		}
	}()

	id, err := keys.RecoverEscrow(shares)
	if err != nil {
		return fail(std, "escrow", err)
	}
	defer id.Wipe()
	text, err := id.Secret()
	if err != nil {
		return fail(std, "escrow", err)
	}
	line := make([]byte, len(text)+1)
	copy(line, text)
	line[len(text)] = '\n'
	clear(text)
	defer clear(line)

	if *outFile != "" {
		if err := writeNewFile(*outFile, line); err != nil {
			return fail(std, "escrow", err)
		}
		fmt.Fprintf(std.Err, "embrace escrow: wrote the escrow identity of deployment %s to %s (from %d shares, threshold %d of %d)\n",
			shares[0].DeploymentID, *outFile, len(shares), shares[0].Threshold, shares[0].Total)
		return 0
	}
	if _, err := std.Out.Write(line); err != nil {
		return fail(std, "escrow", err)
	}
	fmt.Fprintf(std.Err, "embrace escrow: recovered the escrow identity of deployment %s (from %d shares, threshold %d of %d)\n",
		shares[0].DeploymentID, len(shares), shares[0].Threshold, shares[0].Total)
	return 0
}

// readShareFile reads a share file, refusing anything that is not a small
// regular file.
func readShareFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	raw, err := io.ReadAll(io.LimitReader(f, maxShareFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxShareFileSize {
		clear(raw)
		return nil, fmt.Errorf("%s: too large to be an escrow share", path)
	}
	return raw, nil
}

// writeEscrowShares generates the escrow identity, splits it into n shares
// of which any k recover it, writes them to dir as share-1.txt … share-N.txt
// (mode 0600) and returns the escrow recipient, the only part of the escrow
// key the deployment keeps. The identity is wiped before returning.
//
// Nothing is half-written: every share is generated and encoded before the
// first file is created; existing files are never overwritten; and if a write
// fails, the files already written (and dir, if this call created it) are
// removed. dir's parent must exist.
//
// The files are the escrow key: the caller must tell the operator to hand
// each to its custodian on offline media and delete them from this machine.
func writeEscrowShares(dir, deploymentID string, n, k int) (recipient string, err error) {
	id, err := keys.GenerateIdentity()
	if err != nil {
		return "", fmt.Errorf("escrow: %w", err)
	}
	defer id.Wipe()
	shares, err := keys.SplitEscrow(id, deploymentID, n, k)
	if err != nil {
		return "", fmt.Errorf("escrow: %w", err)
	}
	names := make([]string, len(shares))
	contents := make([][]byte, len(shares))
	defer func() {
		for i := range contents {
			clear(contents[i])
		}
		for _, s := range shares {
			clear(s.Data)
		}
	}()
	for i, s := range shares {
		names[i] = fmt.Sprintf("share-%d.txt", s.Index)
		if contents[i], err = keys.EncodeShare(s); err != nil {
			return "", fmt.Errorf("escrow: %w", err)
		}
	}
	if err := writeNewFiles(dir, names, contents); err != nil {
		return "", fmt.Errorf("escrow: %w", err)
	}
	return id.Recipient().String(), nil
}

// writeNewFiles creates dir if needed and writes each content to its name in
// dir, all or nothing: it checks first that no name exists, and on a failure
// removes what it wrote.
func writeNewFiles(dir string, names []string, contents [][]byte) (err error) {
	created := false
	switch st, serr := os.Stat(dir); {
	case errors.Is(serr, fs.ErrNotExist):
		created = true
	case serr != nil:
		return serr
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	paths := make([]string, len(names))
	for i, name := range names {
		paths[i] = filepath.Join(dir, name)
		if _, serr := os.Lstat(paths[i]); serr == nil {
			return fmt.Errorf("refusing to overwrite %s", paths[i])
		} else if !errors.Is(serr, fs.ErrNotExist) {
			return serr
		}
	}
	if created {
		if err := os.Mkdir(dir, 0o700); err != nil {
			return err
		}
	}
	var written []string
	defer func() {
		if err == nil {
			return
		}
		for _, p := range written {
			os.Remove(p)
		}
		if created {
			os.Remove(dir)
		}
	}()
	for i, p := range paths {
		if err := writeNewFile(p, contents[i]); err != nil {
			return err
		}
		written = append(written, p)
	}
	return syncDir(dir)
}

// writeNewFile writes b to a new file at path with mode 0600, refusing to
// replace an existing file, and removes it again if the write fails.
func writeNewFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("refusing to overwrite %s", path)
		}
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// syncDir makes the new directory entries durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
