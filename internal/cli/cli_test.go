package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"embrace/internal/casework"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// run runs the CLI with args and returns exit code, stdout and stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"no command", nil, 2},
		{"unknown command", []string{"frobnicate"}, 2},
		{"unknown flag", []string{"init", "-nope"}, 2},
		{"init without data", []string{"init"}, 2},
		{"serve without data", []string{"serve"}, 2},
		{"stray argument", []string{"version", "extra"}, 2},
		{"seed without cases", []string{"seed", "-data", "x"}, 2},
		{"help for unknown", []string{"help", "nope"}, 2},
		{"help", []string{"help"}, 0},
		{"command help", []string{"serve", "-h"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if code == 2 && tc.name != "command help" && strings.TrimSpace(stderr) == "" {
				t.Fatal("usage error with nothing on stderr")
			}
		})
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	t.Parallel()
	_, out, _ := run(t, "", "help")
	for _, c := range commands() {
		if !strings.Contains(out, c.name) {
			t.Errorf("help does not list %s", c.name)
		}
		if code, _, _ := run(t, "", c.name, "-h"); code != 0 {
			t.Errorf("%s -h exits %d", c.name, code)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "", "version")
	if code != 0 || strings.TrimSpace(out) != "embrace "+Version {
		t.Fatalf("version: %d %q", code, out)
	}
}

func TestInitRefusesExistingAndReportsOneLine(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "dep")
	if code, _, stderr := run(t, "", "init", "-data", dir); code != 0 {
		t.Fatalf("init: %d %s", code, stderr)
	}
	code, _, stderr := run(t, "", "init", "-data", dir)
	if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "already exists") {
		t.Fatalf("second init: %d %q", code, stderr)
	}
}

func TestInitWithBadDatabaseLeavesNothing(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "dep")
	code, _, stderr := run(t, "", "init", "-data", dir, "-db", "postgres://u:pw@127.0.0.1:1/x?connect_timeout=1")
	if code != 1 || strings.Contains(stderr, ":pw@") {
		t.Fatalf("init with unreachable db: %d %q", code, stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("failed init left a directory behind")
	}
	code, _, _ = run(t, "", "init", "-data", dir, "-db", "mysql://x")
	if code != 1 {
		t.Fatalf("wrong URL scheme: exit %d", code)
	}
}

func TestServeRefusesNonDeploymentAndBusyPort(t *testing.T) {
	t.Parallel()
	if code, _, stderr := run(t, "", "serve", "-data", t.TempDir()); code != 1 || !strings.Contains(stderr, "not an embrace deployment") {
		t.Fatalf("serve on an empty dir: %d %q", code, stderr)
	}
	dir := filepath.Join(t.TempDir(), "dep")
	run(t, "", "init", "-data", dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, stderr := run(t, "", "serve", "-data", dir, "-addr", ln.Addr().String())
	if code != 1 || !strings.Contains(stderr, "cannot listen") {
		t.Fatalf("serve on a busy port: %d %q", code, stderr)
	}
}

var servingRE = regexp.MustCompile(`http://(127\.0\.0\.1:\d+)/`)

// startServe runs `embrace serve` (or demo) in the background and returns its
// address and a function that stops it and returns its exit code.
func startServe(t *testing.T, args ...string) (addr string, stop func() int) {
	t.Helper()
	return startServeTo(t, &syncBuffer{}, args...)
}

// startServeTo is startServe writing the server's stderr to errb.
func startServeTo(t *testing.T, errb *syncBuffer, args ...string) (addr string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan int, 1)
	go func() { done <- Main(ctx, args, strings.NewReader(""), &out, errb) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingRE.FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("%v exited %d: %s", args, code, errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if addr == "" {
		cancel()
		t.Fatalf("%v did not start: %s", args, errb.String())
	}
	// stop may be called more than once (say, deferred and explicitly);
	// each call answers the one exit code.
	var once sync.Once
	code := -1
	return addr, func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(30 * time.Second):
				t.Error("server did not shut down")
			}
		})
		return code
	}
}

func healthz(t *testing.T, addr string) map[string]string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestServeAndShutDownGracefully(t *testing.T) {
	t.Parallel()
	for _, tg := range storetest.Targets(t) {
		t.Run(string(tg.Engine), func(t *testing.T) {
			args := []string{"-data", tg.Dir}
			if tg.DBURL != "" {
				args = append(args, "-db", tg.DBURL)
			}
			if code, _, stderr := run(t, "", append([]string{"init"}, args...)...); code != 0 {
				t.Fatalf("init: %s", stderr)
			}
			addr, stop := startServe(t, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
			if got := healthz(t, addr); got["status"] != "ok" || got["store"] != string(tg.Engine) {
				t.Fatalf("healthz: %v", got)
			}
			if tg.DBURL != "" {
				// A second process shares the same PostgreSQL database.
				addr2, stop2 := startServe(t, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
				if got := healthz(t, addr2); got["status"] != "ok" || got["store"] != "postgres" {
					t.Fatalf("second process healthz: %v", got)
				}
				if code := stop2(); code != 0 {
					t.Fatalf("second process exit %d", code)
				}
			}
			if code := stop(); code != 0 {
				t.Fatalf("serve exit %d after shutdown", code)
			}
		})
	}
}

func TestDemoCreatesServesAndReopens(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	// A smaller demo than the default keeps the test quick under -race.
	const demoCases = 400
	addr, stop := startServe(t, "demo", "-data", dir, "-addr", "127.0.0.1:0", "-cases", "400", "-argon2id", cheapKDF)
	if got := healthz(t, addr); got["status"] != "ok" || got["store"] != "sqlite" {
		t.Fatalf("healthz: %v", got)
	}
	resp, err := http.Get("http://" + addr + "/?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if !strings.Contains(body.String(), "Demo data") {
		t.Fatal("demo page lacks the demo banner")
	}
	if code := stop(); code != 0 {
		t.Fatalf("demo exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "escrow-shares", "share-1.txt")); err != nil {
		t.Fatalf("demo escrow shares: %v", err)
	}
	// Reopening keeps the data and does not fill it again.
	addr, stop = startServe(t, "demo", "-data", dir, "-addr", "127.0.0.1:0")
	healthz(t, addr)
	stop()
	code, out, _ := run(t, "", "audit", "verify", "-data", dir)
	if code != 0 {
		t.Fatalf("audit verify on the demo: %s", out)
	}
	_, s, err := store.OpenDeployment(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	n, err := casework.New(s).Count(context.Background())
	// Some demo intake contacts were opened as cases of their own.
	var fromIntake int64
	if err := s.DB().QueryRow("SELECT count(DISTINCT case_id) FROM intake_contacts WHERE status = 'case'").Scan(&fromIntake); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err != nil || fromIntake == 0 || n != demoCases+fromIntake {
		t.Fatalf("demo holds %d cases (%v), want %d and %d opened from intake", n, err, demoCases, fromIntake)
	}
	// A real deployment is never used as a demo.
	real := filepath.Join(t.TempDir(), "real")
	run(t, "", "init", "-data", real)
	if code, _, stderr := run(t, "", "demo", "-data", real, "-addr", "127.0.0.1:0"); code != 1 || !strings.Contains(stderr, "real deployment") {
		t.Fatalf("demo on a real deployment: %d %q", code, stderr)
	}
}
