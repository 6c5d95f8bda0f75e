package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"embrace/internal/certs"
)

const certSynopsis = `cert verify -keys JWKS-FILE [-revocations FILE] JWS-OR-FILE

Verifies a membership certificate offline: no database, no network. The
keys are the issuer's JWKS (GET /api/v1/certificates/keys); the optional
revocation list is the signed list (GET /api/v1/certificates/revocations),
itself checked against the same keys. JWS-OR-FILE is the token, a file
holding it, or - for standard input.

Prints the status and the certificate's public claims. Exit status: 0 valid,
1 not valid or revoked, 2 usage (including a key set or revocation list
that cannot be read or does not verify: nothing can then be said).`

// runCert implements `embrace cert`.
func runCert(ctx context.Context, std stdio, args []string) int {
	if len(args) == 0 || args[0] != "verify" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fmt.Fprintf(std.Err, "Usage: embrace %s\n", certSynopsis)
			return 0
		}
		fmt.Fprintf(std.Err, "Usage: embrace %s\n", certSynopsis)
		return usageError(std, "cert", "missing subcommand: verify")
	}
	const cmd = "cert verify"
	fs := newFlags(std, cmd, certSynopsis)
	keysFile := fs.String("keys", "", "the issuer's JWKS file (required)")
	revFile := fs.String("revocations", "", "the signed revocation list file")
	if code, ok := parseFlags(fs, args[1:], true); !ok {
		return code
	}
	if *keysFile == "" {
		return usageError(std, cmd, "-keys JWKS-FILE is required")
	}
	if fs.NArg() != 1 {
		return usageError(std, cmd, "give exactly one token, file or -")
	}
	raw, err := readLimited(std, *keysFile, certs.MaxJWKS)
	if err != nil {
		return usageError(std, cmd, "keys: %v", err)
	}
	ks, err := certs.ParseJWKS(raw)
	if err != nil {
		return usageError(std, cmd, "keys: %v", err)
	}
	var rl *certs.RevocationList
	if *revFile != "" {
		raw, err := readLimited(std, *revFile, certs.MaxRevocations)
		if err != nil {
			return usageError(std, cmd, "revocations: %v", err)
		}
		if rl, err = certs.VerifyRevocations(string(raw), ks); err != nil {
			return usageError(std, cmd, "revocations: %v", err)
		}
	}
	token, err := tokenArg(std, fs.Arg(0))
	if err != nil {
		return usageError(std, cmd, "token: %v", err)
	}
	v := certs.VerifyOffline(token, ks, rl)
	switch v.Status {
	case certs.StatusInvalid:
		fmt.Fprintf(std.Out, "status: not valid (%s)\n", v.Problem)
		return 1
	case certs.StatusRevoked:
		fmt.Fprintf(std.Out, "status: revoked on %s (%s)\n", v.Revoked.Day, v.Revoked.Reason)
	default:
		fmt.Fprintln(std.Out, "status: valid")
	}
	c := v.Certificate
	fmt.Fprintf(std.Out, "number: %s\nissuer: %s\nissued: %s\nkey: %s\n", c.Number, c.Issuer, c.Issued.Format(time.DateOnly), c.Kid)
	for _, n := range certs.ClaimNames() {
		if val := c.Public.Get(n); val != "" {
			fmt.Fprintf(std.Out, "%s: %s\n", n, val)
		}
	}
	if rl != nil {
		fmt.Fprintf(std.Out, "revocations as of: %s\n", rl.Issued.Format(time.DateOnly))
	} else {
		fmt.Fprintln(std.Out, "revocations: not checked (no -revocations list)")
	}
	if v.Status != certs.StatusValid {
		return 1
	}
	return 0
}

// readLimited reads a file (or standard input for "-") of at most limit
// bytes.
func readLimited(std stdio, name string, limit int) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = std.In
	} else {
		f, err := os.Open(name)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("cannot read %s: %v", name, pe.Err)
			}
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s", name)
	}
	if len(b) > limit {
		return nil, fmt.Errorf("%s is too long", name)
	}
	return b, nil
}

// tokenArg is the contents of file arg (standard input for "-") when that
// file exists, else arg itself, taken as the token.
func tokenArg(std stdio, arg string) (string, error) {
	if arg != "-" {
		if st, err := os.Stat(arg); err != nil || st.IsDir() {
			return arg, nil
		}
	}
	b, err := readLimited(std, arg, certs.MaxToken+2)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}
