package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestStatsCommand(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "d")
	if code, _, stderr := run(t, "", "init", "-data", dir); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := run(t, "", "seed", "-data", dir, "-cases", "300", "-seed", "3"); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := run(t, "", "stats", "-data", dir, "-breakdown", "month")
	if code != 0 || !strings.HasPrefix(out, "breakdown,row,military,police,unknown,total\n") || !strings.Contains(out, "month,total,") {
		t.Fatalf("stats: %d %s %s", code, out, stderr)
	}
	code, out, _ = run(t, "", "stats", "-data", dir, "-public", "-format", "json")
	var pub struct {
		Through string
		Tables  []struct{ Breakdown string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &pub) != nil || pub.Through == "" || len(pub.Tables) != 4 {
		t.Fatalf("stats -public: %d %s", code, out)
	}
	for _, bad := range [][]string{{"-threshold", "2", "-public"}, {"-breakdown", "township"}, {"-from", "2021-13"}, {"-format", "xml"}, {"-public", "-to", "2022-01"}} {
		if code, _, stderr := run(t, "", append([]string{"stats", "-data", dir}, bad...)...); code != 2 || stderr == "" {
			t.Errorf("%v: exit %d %q", bad, code, stderr)
		}
	}
}
