package cli

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"embrace/internal/audit"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// auditDeployment creates a deployment through `embrace init` and returns
// the flags that name it.
func auditDeployment(t *testing.T, tg storetest.Target) []string {
	t.Helper()
	args := []string{"-data", tg.Dir}
	if tg.DBURL != "" {
		args = append(args, "-db", tg.DBURL)
	}
	if code, _, stderr := run(t, "", append([]string{"init"}, args...)...); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	return args
}

// withStore opens the deployment, runs fn and closes it again, so the CLI
// finds the database as a separate process would.
func withStore(t *testing.T, tg storetest.Target, fn func(s *store.Store)) {
	t.Helper()
	_, s, err := store.OpenDeployment(context.Background(), tg.Dir, tg.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fn(s)
}

// appendEntries appends entries from..to-1, each in its own transaction.
func appendEntries(t *testing.T, tg storetest.Target, from, to int) {
	t.Helper()
	withStore(t, tg, func(s *store.Store) {
		ctx := context.Background()
		for i := from; i < to; i++ {
			err := s.Tx(ctx, func(tx *sql.Tx) error {
				_, err := audit.Append(ctx, tx, audit.Entry{Actor: fmt.Sprintf("user:%d", i%3), Action: "case.read", Object: fmt.Sprintf("case:C-%04d", i)})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

func sqlExec(t *testing.T, tg storetest.Target, q string, args ...any) {
	t.Helper()
	withStore(t, tg, func(s *store.Store) {
		if _, err := s.Exec(context.Background(), q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	})
}

func TestAuditVerifyAndCheckpoint(t *testing.T) {
	t.Parallel()
	for _, tg := range storetest.Targets(t) {
		t.Run(string(tg.Engine), func(t *testing.T) {
			t.Parallel()
			dep := auditDeployment(t, tg)
			audited := func(sub string, extra ...string) (int, string, string) {
				return run(t, "", append(append([]string{"audit", sub}, dep...), extra...)...)
			}

			// An empty log verifies; there is no checkpoint yet, but the key
			// can already be copied off.
			if code, out, stderr := audited("verify"); code != 0 || !strings.Contains(out, "intact: 0 entries") {
				t.Fatalf("verify empty: %d %q %q", code, out, stderr)
			}
			if code, _, stderr := audited("checkpoint"); code != 1 || !strings.Contains(stderr, "empty") {
				t.Fatalf("checkpoint of an empty log: %d %q", code, stderr)
			}
			code, key, stderr := audited("key")
			if code != 0 || !strings.HasPrefix(key, audit.OriginPrefix) {
				t.Fatalf("key: %d %q %q", code, key, stderr)
			}

			appendEntries(t, tg, 0, 20)
			code, out, stderr := audited("verify")
			if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "intact: 20 entries") {
				t.Fatalf("verify: %d %q %q", code, out, stderr)
			}

			// Copy a checkpoint off, keep writing, and the log still holds it.
			code, cp, stderr := audited("checkpoint")
			if code != 0 || !strings.Contains(cp, "\n20\n") {
				t.Fatalf("checkpoint: %d %q %q", code, cp, stderr)
			}
			if _, err := audit.OpenCheckpoint([]byte(cp), strings.TrimSpace(key)); err != nil {
				t.Fatalf("the printed checkpoint does not verify with the printed key: %v", err)
			}
			if code, again, _ := audited("key"); code != 0 || again != key {
				t.Fatalf("key changed: %q then %q", key, again)
			}
			cpFile := filepath.Join(t.TempDir(), "checkpoint.txt")
			if err := os.WriteFile(cpFile, []byte(cp), 0o600); err != nil {
				t.Fatal(err)
			}
			appendEntries(t, tg, 20, 30)
			if code, out, stderr := audited("verify", "-checkpoint", cpFile); code != 0 || !strings.Contains(out, "first 20 entries match") {
				t.Fatalf("verify with checkpoint: %d %q %q", code, out, stderr)
			}

			// Someone who holds the server drops the last 18 entries and
			// every trace of them: only the copied-off checkpoint tells.
			sqlExec(t, tg, "DELETE FROM audit_entries WHERE idx >= 12")
			sqlExec(t, tg, "DELETE FROM audit_hashes WHERE id >= $1", tlog.StoredHashCount(12))
			sqlExec(t, tg, "DELETE FROM audit_checkpoints WHERE size > 12")
			sqlExec(t, tg, "UPDATE audit_head SET size = 12")
			if code, _, stderr := audited("verify"); code != 0 {
				t.Fatalf("a careful truncation is not visible without a checkpoint (the documented limit), yet: %q", stderr)
			}
			code, out, stderr = audited("verify", "-checkpoint", cpFile)
			if code != 1 || out != "" || strings.TrimSpace(stderr) != "embrace audit verify: log truncated: checkpoint covers 20 entries, log has 12" {
				t.Fatalf("verify truncated log: %d %q %q", code, out, stderr)
			}
		})
	}
}

func TestAuditVerifyNamesTheAlteredEntry(t *testing.T) {
	t.Parallel()
	for _, tg := range storetest.Targets(t) {
		t.Run(string(tg.Engine), func(t *testing.T) {
			t.Parallel()
			dep := auditDeployment(t, tg)
			appendEntries(t, tg, 0, 25)
			cases := []struct {
				name, sql, want string
			}{
				{"altered", "UPDATE audit_entries SET actor = 'user:9' WHERE idx = 17", "entry 17 was altered"},
				{"missing", "DELETE FROM audit_entries WHERE idx = 9", "entry 9 is missing"},
			}
			for _, tc := range cases {
				sqlExec(t, tg, tc.sql)
				code, out, stderr := run(t, "", append([]string{"audit", "verify"}, dep...)...)
				if code != 1 || out != "" || !strings.HasPrefix(stderr, "embrace audit verify: "+tc.want) || strings.Count(stderr, "\n") != 1 {
					t.Fatalf("%s: %d %q %q", tc.name, code, out, stderr)
				}
			}
		})
	}
}

func TestAuditUsageAndBadInput(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "dep")
	if code, _, stderr := run(t, "", "init", "-data", dir); code != 0 {
		t.Fatal(stderr)
	}
	appendEntries(t, storetest.Target{Engine: store.SQLite, Dir: dir}, 0, 3)
	other := filepath.Join(t.TempDir(), "other")
	if code, _, stderr := run(t, "", "init", "-data", other); code != 0 {
		t.Fatal(stderr)
	}
	appendEntries(t, storetest.Target{Engine: store.SQLite, Dir: other}, 0, 3)
	_, foreign, _ := run(t, "", "audit", "checkpoint", "-data", other)
	write := func(name, content string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no subcommand", []string{"audit"}, 2, "name a subcommand"},
		{"unknown subcommand", []string{"audit", "rewrite"}, 2, "unknown subcommand"},
		{"help", []string{"audit", "-h"}, 0, "Usage: embrace audit"},
		{"verify help", []string{"audit", "verify", "-h"}, 0, "-checkpoint"},
		{"verify without data", []string{"audit", "verify"}, 2, "-data is required"},
		{"checkpoint without data", []string{"audit", "checkpoint"}, 2, "-data is required"},
		{"key without data", []string{"audit", "key"}, 2, "-data is required"},
		{"stray argument", []string{"audit", "verify", "-data", dir, "extra"}, 2, "unexpected argument"},
		{"not a deployment", []string{"audit", "verify", "-data", t.TempDir()}, 1, "not an embrace deployment"},
		{"missing checkpoint file", []string{"audit", "verify", "-data", dir, "-checkpoint", filepath.Join(dir, "nope")}, 1, "read checkpoint"},
		{"junk checkpoint file", []string{"audit", "verify", "-data", dir, "-checkpoint", write("junk", "hello\n")}, 1, "not a signed note"},
		{"oversize checkpoint file", []string{"audit", "verify", "-data", dir, "-checkpoint", write("big", strings.Repeat("x", audit.MaxCheckpointSize+1))}, 1, "too large"},
		{"another deployment's checkpoint", []string{"audit", "verify", "-data", dir, "-checkpoint", write("foreign", foreign)}, 1, "not signed by this log's key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, "", tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d %q, want %d and %q", code, stderr, tc.code, tc.stderr)
			}
			if code == 1 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("failure is not one line: %q", stderr)
			}
		})
	}
}
