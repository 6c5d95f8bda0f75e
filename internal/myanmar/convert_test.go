package myanmar

import (
	"os"
	"strings"
	"testing"
)

func readLines(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func unescapeTSV(s string) string {
	r := strings.NewReplacer(`\\`, `\`, `\t`, "\t", `\n`, "\n")
	return r.Replace(s)
}

func TestZawgyiToUnicodeMMGov(t *testing.T) {
	t.Parallel()
	src := readLines(t, "testdata/myanmar-tools/mmgov_zawgyi_src.txt")
	want := readLines(t, "testdata/myanmar-tools/mmgov_unicode_out.txt")
	if len(src) != len(want) || len(src) != 67 {
		t.Fatalf("line counts %d, %d", len(src), len(want))
	}
	bad := 0
	for i := range src {
		if got := ZawgyiToUnicode(src[i]); got != want[i] {
			bad++
			t.Errorf("line %d:\n got %q\nwant %q", i+1, got, want[i])
		}
	}
	t.Logf("%d/%d lines differ", bad, len(src))
}

func TestZawgyiToUnicodePairs(t *testing.T) {
	t.Parallel()
	n := 0
	for _, line := range readLines(t, "testdata/myanmar-tools/z2u_pairs_from_js_spec.tsv") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			t.Fatalf("bad line %q", line)
		}
		n++
		z, u := unescapeTSV(f[1]), unescapeTSV(f[2])
		if got := ZawgyiToUnicode(z); got != u {
			t.Errorf("pair %s: ZawgyiToUnicode(%+q)\n got %+q\nwant %+q", f[0], z, got, u)
		}
	}
	if n != 126 {
		t.Errorf("%d pairs, want 126", n)
	}
}

// TestBacktrackingRules checks the claim of the package documentation: of
// the published rules only the ZWSP rule can match differently under ICU's
// possessive quantifiers, so only it runs on the backtracking matcher.
func TestBacktrackingRules(t *testing.T) {
	t.Parallel()
	var got []int
	for _, ph := range zawgyiToUnicodeRules.phases {
		for _, r := range ph.rules {
			if r.backtrack {
				got = append(got, r.line)
			}
		}
	}
	lines := strings.Split(zawgyiRules, "\n")
	if len(got) != 1 || !strings.HasPrefix(lines[got[0]-1], "$wspace* \\u200b $wspace*") {
		t.Errorf("backtracking rules at lines %v", got)
	}
}
