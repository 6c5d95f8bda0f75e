package myanmar

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// labelledName is one spelling of one person's name from
// testdata/names/variants.tsv.
type labelledName struct {
	id     string
	form   string
	script string // "burmese", "zawgyi" or "latin"
}

// unicodeToZawgyi compiles upstream's Unicode→Zawgyi rules (a test fixture,
// not embedded) with the same interpreter as the converter.
func unicodeToZawgyi(t testing.TB) *transliterator {
	t.Helper()
	b, err := os.ReadFile("testdata/myanmar-tools/my-t-my-d0-zawgyi.txt")
	if err != nil {
		t.Fatal(err)
	}
	u2z, err := parseTransliterator(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return u2z
}

func loadLabelledNames(t testing.TB, files ...string) []labelledName {
	t.Helper()
	u2z := unicodeToZawgyi(t)
	var lines []string
	for _, f := range files {
		lines = append(lines, readLines(t, f)...)
	}
	var out []labelledName
	for _, line := range lines {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			t.Fatalf("bad line %q", line)
		}
		if hasMyanmar(f[2]) {
			out = append(out, labelledName{f[0], f[2], "burmese"})
			out = append(out, labelledName{f[0], u2z.transform(f[2]), "zawgyi"})
		} else {
			out = append(out, labelledName{f[0], f[2], "latin"})
		}
	}
	return out
}

type scoredPair struct {
	a, b  labelledName
	score float64
}

// namePairs scores every pair of the labelled set: same id (true variant
// pairs) and different ids (random pairs).
func namePairs(t testing.TB, files ...string) (same, diff []scoredPair) {
	names := loadLabelledNames(t, files...)
	prepared := make([]Name, len(names))
	for i, n := range names {
		prepared[i] = PrepareName(n.form)
	}
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			p := scoredPair{names[i], names[j], prepared[i].Score(prepared[j])}
			if names[i].id == names[j].id {
				if names[i].form != names[j].form {
					same = append(same, p)
				}
			} else {
				diff = append(diff, p)
			}
		}
	}
	return same, diff
}

func rateAtLeast(ps []scoredPair, th float64) float64 {
	n := 0
	for _, p := range ps {
		if p.score >= th-1e-9 {
			n++
		}
	}
	return float64(n) / float64(len(ps))
}

func quantiles(ps []scoredPair) string {
	s := make([]float64, len(ps))
	for i, p := range ps {
		s[i] = p.score
	}
	sort.Float64s(s)
	q := func(f float64) float64 { return s[int(f*float64(len(s)-1))] }
	return fmt.Sprintf("min %.3f p1 %.3f p5 %.3f p25 %.3f median %.3f p75 %.3f p95 %.3f p99 %.3f max %.3f",
		s[0], q(0.01), q(0.05), q(0.25), q(0.5), q(0.75), q(0.95), q(0.99), s[len(s)-1])
}

// TestMatchThresholdSeparation measures how MatchThreshold separates true
// variant pairs from random pairs in the labelled set, and fails if the
// rates at the threshold get worse than the figures the package
// documentation reports. Run with -v to see the distributions.
func TestMatchThresholdSeparation(t *testing.T) {
	t.Parallel()
	const tuning, heldout = "testdata/names/variants.tsv", "testdata/names/heldout.tsv"
	for _, tc := range []struct {
		name           string
		files          []string
		maxMiss, maxFM float64
	}{
		{"tuning", []string{tuning}, 0.005, 0.0005},
		{"heldout", []string{heldout}, 0.03, 0.005},
		{"all", []string{tuning, heldout}, 0.01, 0.001},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkSeparation(t, tc.files, tc.maxMiss, tc.maxFM)
		})
	}
}

func checkSeparation(t *testing.T, files []string, maxMiss, maxFM float64) {
	same, diff := namePairs(t, files...)
	t.Logf("true variant pairs: %d; %s", len(same), quantiles(same))
	t.Logf("random pairs:       %d; %s", len(diff), quantiles(diff))
	for th := 0.5; th <= 1.0001; th += 0.05 {
		t.Logf("threshold %.2f: miss %.2f%%  false match %.3f%%", th, 100*(1-rateAtLeast(same, th)), 100*rateAtLeast(diff, th))
	}
	miss := 1 - rateAtLeast(same, MatchThreshold)
	fm := rateAtLeast(diff, MatchThreshold)
	t.Logf("at MatchThreshold %.2f: miss %.2f%% (%d of %d), false match %.3f%% (%d of %d)", MatchThreshold,
		100*miss, int(miss*float64(len(same))+0.5), len(same), 100*fm, int(fm*float64(len(diff))+0.5), len(diff))
	slices.SortFunc(same, func(a, b scoredPair) int { return cmpFloat(a.score, b.score) })
	for _, p := range same {
		if p.score >= MatchThreshold {
			break
		}
		t.Logf("miss %.3f: %q (%s) ~ %q (%s)", p.score, p.a.form, p.a.script, p.b.form, p.b.script)
	}
	slices.SortFunc(diff, func(a, b scoredPair) int { return cmpFloat(b.score, a.score) })
	seen := map[[2]string]bool{}
	for _, p := range diff {
		if p.score < MatchThreshold {
			break
		}
		k := [2]string{p.a.id, p.b.id}
		if seen[k] {
			continue
		}
		seen[k] = true
		t.Logf("false match %.3f: %q ~ %q", p.score, p.a.form, p.b.form)
	}
	if miss > maxMiss {
		t.Errorf("miss rate %.2f%% at MatchThreshold, want at most %.2f%%", 100*miss, 100*maxMiss)
	}
	if fm > maxFM {
		t.Errorf("false-match rate %.3f%% at MatchThreshold, want at most %.3f%%", 100*fm, 100*maxFM)
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
