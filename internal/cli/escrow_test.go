package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"embrace/internal/keys"
)

// runEscrowCmd runs `embrace escrow args...` and returns exit code, stdout
// and stderr.
func runEscrowCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runEscrow(context.Background(), stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, args)
	return code, out.String(), errb.String()
}

// escrowFixture writes a 3-of-5 split for deployment "0123abcd" to a temp
// dir and returns the dir and the recipient.
func escrowFixture(t *testing.T) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "shares")
	rcp, err := writeEscrowShares(dir, "0123abcd", 5, 3)
	if err != nil {
		t.Fatal(err)
	}
	return dir, rcp
}

func TestEscrowEndToEnd(t *testing.T) {
	t.Parallel()
	dir, rcp := escrowFixture(t)

	// Five share files, private to the owner, each a valid share.
	for i := 1; i <= 5; i++ {
		p := filepath.Join(dir, "share-"+string(rune('0'+i))+".txt")
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, st.Mode().Perm())
		}
		raw, _ := os.ReadFile(p)
		s, err := keys.ParseShare(raw)
		if err != nil || s.Index != i || s.Threshold != 3 || s.Total != 5 || s.DeploymentID != "0123abcd" {
			t.Fatalf("share %d: %+v %v", i, s, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 5 {
		t.Errorf("%d files in the share directory, want 5", len(entries))
	}

	// A backup encrypted to the recipient with the age library alone.
	r, err := keys.ParseRecipient(rcp)
	if err != nil || !r.PostQuantum() {
		t.Fatalf("recipient %.20s…: %v (post-quantum %v)", rcp, err, r != nil && r.PostQuantum())
	}
	ageRcps, err := age.ParseRecipients(strings.NewReader(rcp))
	if err != nil {
		t.Fatal(err)
	}
	var backup bytes.Buffer
	w, err := age.Encrypt(&backup, ageRcps...)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "the whole database")
	w.Close()
	backupFile := filepath.Join(t.TempDir(), "backup.age")
	os.WriteFile(backupFile, backup.Bytes(), 0o600)

	for _, pick := range [][]string{{"1", "3", "5"}, {"5", "4", "2"}, {"1", "2", "3", "4", "5"}} {
		var files []string
		for _, n := range pick {
			files = append(files, filepath.Join(dir, "share-"+n+".txt"))
		}
		code, stdout, stderr := runEscrowCmd(t, append([]string{"recover"}, files...)...)
		if code != 0 {
			t.Fatalf("shares %v: exit %d: %s", pick, code, stderr)
		}
		if !strings.HasPrefix(stdout, "AGE-SECRET-KEY-PQ-1") || strings.Count(stdout, "\n") != 1 || !strings.HasSuffix(stdout, "\n") {
			t.Fatalf("stdout is not one identity line: %d bytes", len(stdout))
		}
		if strings.Contains(stderr, "AGE-SECRET-KEY") || !strings.Contains(stderr, "0123abcd") {
			t.Errorf("stderr: %q", stderr)
		}
		// The printed identity, parsed as `age -d -i FILE` parses it,
		// decrypts the backup.
		ids, err := age.ParseIdentities(strings.NewReader(stdout))
		if err != nil {
			t.Fatal(err)
		}
		pr, err := age.Decrypt(bytes.NewReader(backup.Bytes()), ids...)
		if err != nil {
			t.Fatalf("recovered identity does not decrypt the backup: %v", err)
		}
		if got, _ := io.ReadAll(pr); string(got) != "the whole database" {
			t.Fatalf("decrypted %q", got)
		}
	}

	// The official age command (at the version go.mod pins: a distribution's
	// older age cannot read hybrid post-quantum identities).
	{
		agePath := buildAge(t)
		_, stdout, _ := runEscrowCmd(t, "recover", filepath.Join(dir, "share-1.txt"), filepath.Join(dir, "share-2.txt"), filepath.Join(dir, "share-4.txt"))
		keyFile := filepath.Join(t.TempDir(), "escrow.key")
		os.WriteFile(keyFile, []byte(stdout), 0o600)
		out, err := exec.Command(agePath, "-d", "-i", keyFile, backupFile).Output()
		if err != nil || string(out) != "the whole database" {
			t.Fatalf("age -d: %q %v", out, err)
		}
	}

	// -o writes a private file and refuses to overwrite it.
	outFile := filepath.Join(t.TempDir(), "escrow.key")
	shares := []string{filepath.Join(dir, "share-1.txt"), filepath.Join(dir, "share-2.txt"), filepath.Join(dir, "share-3.txt")}
	code, stdout, stderr := runEscrowCmd(t, append([]string{"recover", "-o", outFile}, shares...)...)
	if code != 0 || stdout != "" {
		t.Fatalf("-o: exit %d, stdout %d bytes, stderr %q", code, len(stdout), stderr)
	}
	if st, err := os.Stat(outFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("-o file: %v %v", st, err)
	}
	if ids, err := age.ParseIdentities(mustOpen(t, outFile)); err != nil || len(ids) != 1 {
		t.Fatalf("-o file does not hold an identity: %v", err)
	}
	code, stdout, _ = runEscrowCmd(t, append([]string{"recover", "-o", outFile}, shares...)...)
	if code != 1 || stdout != "" {
		t.Errorf("-o over an existing file: exit %d", code)
	}
}

func mustOpen(t *testing.T, p string) io.Reader {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}

func TestEscrowRecoverFailures(t *testing.T) {
	t.Parallel()
	dir, _ := escrowFixture(t)
	otherDep := filepath.Join(t.TempDir(), "other")
	if _, err := writeEscrowShares(otherDep, "fedcba98", 5, 3); err != nil {
		t.Fatal(err)
	}
	resplit := filepath.Join(t.TempDir(), "again")
	if _, err := writeEscrowShares(resplit, "0123abcd", 5, 3); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	share := func(d string, n int) string { return filepath.Join(d, "share-"+string(rune('0'+n))+".txt") }

	// A copy of share 2 with a typing error in its second key line (line 6).
	raw, _ := os.ReadFile(share(dir, 2))
	lines := strings.Split(string(raw), "\n")
	c := lines[5][len("key-2: ")]
	repl := byte('A')
	if c == 'A' {
		repl = 'B'
	}
	lines[5] = "key-2: " + string(repl) + lines[5][len("key-2: ")+1:]
	damaged := filepath.Join(tmp, "damaged.txt")
	os.WriteFile(damaged, []byte(strings.Join(lines, "\n")), 0o600)
	copyOf2 := filepath.Join(tmp, "copy-of-2.txt")
	os.WriteFile(copyOf2, raw, 0o600)
	foreign := filepath.Join(tmp, "notes.txt")
	os.WriteFile(foreign, []byte("shopping list\n"), 0o600)

	for _, tc := range []struct {
		name  string
		files []string
		want  []string
	}{
		{"fewer than k", []string{share(dir, 1), share(dir, 2)}, []string{"need 3 shares, have 2"}},
		{"same file twice", []string{share(dir, 1), share(dir, 2), share(dir, 2)}, []string{"are both share 2"}},
		{"copy of a share", []string{share(dir, 1), share(dir, 2), copyOf2}, []string{"copy-of-2.txt", "both share 2"}},
		{"other deployment", []string{share(dir, 1), share(otherDep, 2), share(dir, 3)}, []string{"deployment", "fedcba98"}},
		{"other split", []string{share(dir, 1), share(resplit, 2), share(dir, 3)}, []string{"different splits"}},
		{"damaged share", []string{share(dir, 1), damaged, share(dir, 3)}, []string{"damaged.txt", "share 2", "line 6", "check mismatch"}},
		{"foreign file", []string{share(dir, 1), foreign, share(dir, 3)}, []string{"notes.txt", "not an Embrace escrow share"}},
		{"missing file", []string{share(dir, 1), filepath.Join(tmp, "nope.txt"), share(dir, 3)}, []string{"nope.txt"}},
		{"directory", []string{share(dir, 1), tmp, share(dir, 3)}, []string{"not a regular file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runEscrowCmd(t, append([]string{"recover"}, tc.files...)...)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if stdout != "" {
				t.Errorf("stdout not empty (%d bytes)", len(stdout))
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "embrace escrow: ") {
				t.Errorf("stderr is not one line: %q", stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not mention %q", stderr, w)
				}
			}
		})
	}
}

func TestEscrowUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"no subcommand", nil, 2},
		{"unknown subcommand", []string{"split"}, 2},
		{"no files", []string{"recover"}, 2},
		{"unknown flag", []string{"recover", "-x", "a"}, 2},
		{"help", []string{"-h"}, 0},
		{"recover help", []string{"recover", "-h"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runEscrowCmd(t, tc.args...)
			if code != tc.code || stdout != "" || !strings.Contains(stderr, "escrow") {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q", code, tc.code, stdout, stderr)
			}
		})
	}
}

func TestWriteEscrowSharesAllOrNothing(t *testing.T) {
	t.Parallel()
	// An existing share file: nothing is written, the file is untouched.
	dir := t.TempDir()
	existing := filepath.Join(dir, "share-3.txt")
	os.WriteFile(existing, []byte("keep me"), 0o600)
	if _, err := writeEscrowShares(dir, "0123abcd", 5, 3); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
		t.Fatalf("err = %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files after refusal, want 1", len(entries))
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Error("existing file changed")
	}

	// Bad parameters: nothing is created.
	for _, tc := range []struct {
		id   string
		n, k int
	}{{"0123abcd", 3, 1}, {"0123abcd", 2, 3}, {"0123abcd", 256, 2}, {"bad id", 3, 2}} {
		d := filepath.Join(t.TempDir(), "shares")
		if _, err := writeEscrowShares(d, tc.id, tc.n, tc.k); err == nil {
			t.Errorf("%q %d of %d accepted", tc.id, tc.k, tc.n)
		}
		if _, err := os.Stat(d); err == nil {
			t.Errorf("%q %d of %d: directory created", tc.id, tc.k, tc.n)
		}
	}

	// A write failing halfway (the third name cannot be created) removes the
	// files already written and the directory this call created.
	d := filepath.Join(t.TempDir(), "shares")
	err := writeNewFiles(d, []string{"a.txt", "b.txt", "missing/c.txt"}, [][]byte{[]byte("a"), []byte("b"), []byte("c")})
	if err == nil {
		t.Fatal("write into a missing subdirectory succeeded")
	}
	if _, err := os.Stat(d); err == nil {
		t.Error("directory left behind after a failed write")
	}
	// Same, in a directory that already existed: it stays, empty.
	d = t.TempDir()
	if err := writeNewFiles(d, []string{"a.txt", "missing/c.txt"}, [][]byte{[]byte("a"), []byte("c")}); err == nil {
		t.Fatal("write into a missing subdirectory succeeded")
	}
	if entries, _ := os.ReadDir(d); len(entries) != 0 {
		t.Errorf("%d files left behind after a failed write", len(entries))
	}
}
