// Package testtool finds the outside programs that tests check the project
// against — Debian's oathtool for TOTP codes, Chromium for pages, the
// official age tool for backups — so that each such test is run against an
// independent implementation rather than only against our own code.
//
// On a developer's machine a missing tool skips the test that needs it,
// saying how to install it. In CI (EMBRACE_REQUIRE_TOOLS=1, set by .ci/run
// after it installs them) a missing tool fails the test: a check that
// silently stops running protects nothing.
package testtool

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// EnvRequire, when set to 1, turns a missing tool into a test failure.
const EnvRequire = "EMBRACE_REQUIRE_TOOLS"

// Path returns the path of the program name, or skips (fails, under
// EnvRequire) the test when it is not installed; install names the Debian
// package that provides it.
func Path(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("%s is not installed, and %s=1 requires it (apt-get install %s)", name, EnvRequire, install)
	}
	t.Skipf("%s is not installed (apt-get install %s): skipping the check against it", name, install)
	return ""
}

// Oathtool returns the TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) of the
// base32 secret at t, as Debian's oathtool computes it.
func Oathtool(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	bin := Path(t, "oathtool", "oathtool")
	out, err := exec.Command(bin, "--totp", "-b", "--now", at.UTC().Format("2006-01-02 15:04:05 UTC"), secret).Output()
	if err != nil {
		t.Fatalf("oathtool: %v", err)
	}
	return strings.TrimSpace(string(out))
}
