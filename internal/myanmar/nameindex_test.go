package myanmar

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"embrace/internal/synth"
)

// synthNames returns the names of n synthetic defectors and their
// families, as casework indexes them (Burmese where known, else Latin),
// plus every Latin spelling and alias, so the corpus mixes scripts.
func synthNames(seed uint64, n int) []string {
	g := synth.New(seed, n)
	var out []string
	for i := range n {
		d := g.Defector(i)
		out = append(out, d.NameBurmese, d.NameLatin)
		if d.Alias != "" {
			out = append(out, d.Alias, d.AliasBurmese)
		}
		for _, r := range d.Family {
			out = append(out, r.NameBurmese)
			if i%4 == 0 {
				out = append(out, r.NameLatin)
			}
		}
	}
	return out
}

// labelledForms returns every spelling of the two labelled name sets
// (Burmese, Zawgyi and Latin).
func labelledForms(t testing.TB) []string {
	var out []string
	for _, n := range loadLabelledNames(t, "testdata/names/variants.tsv", "testdata/names/heldout.tsv") {
		out = append(out, n.form)
	}
	return out
}

// queryVariants turns a name into the forms a person might type: as is,
// with an honorific or a rank, and with a syllable dropped or doubled.
func queryVariants(s string) []string {
	out := []string{s, "Ko " + s, "ဦး" + s, "Daw " + s, "ဗိုလ်ကြီး " + s}
	if r := []rune(s); len(r) > 3 {
		out = append(out, string(r[:len(r)-2]), s+" "+string(r[:2]))
	}
	return out
}

// checkSame fails unless Match and Scan agree exactly on q; it returns the
// number of hits.
func checkSame(t *testing.T, x *NameIndex, q string, threshold float64) int {
	t.Helper()
	p := PrepareName(q)
	got, want := x.Match(p, threshold), x.Scan(p, threshold)
	if !slices.Equal(got, want) {
		t.Fatalf("query of %d syllables at %.2f: Match gave %d hits, the full scan %d (%s)", p.n, threshold, len(got), len(want), diffHits(got, want))
	}
	return len(got)
}

// diffHits names the first disagreement by id and score (no name).
func diffHits(got, want []NameHit) string {
	for _, w := range want {
		if !slices.Contains(got, w) {
			return fmt.Sprintf("missed id %d score %.3f", w.ID, w.Score)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			return fmt.Sprintf("extra id %d score %.3f", g.ID, g.Score)
		}
	}
	return "same hits, different order"
}

func buildIndex(names []string) *NameIndex {
	x := NewNameIndex()
	for _, n := range names {
		x.Add(PrepareName(n))
	}
	return x
}

// TestNameIndexMatchesScan: on the labelled sets and a synthetic corpus,
// Match returns exactly what the full scan returns, for every labelled
// spelling and for variants of synthetic names, at the match threshold and
// at lower ones (a looser bound is exercised).
func TestNameIndexMatchesScan(t *testing.T) {
	t.Parallel()
	labelled := labelledForms(t)
	corpus := append(slices.Clone(labelled), synthNames(11, 1000)...)
	x := buildIndex(corpus)
	queries := slices.Clone(labelled)
	for i, s := range synthNames(12, 100) {
		if i%3 == 0 {
			queries = append(queries, queryVariants(s)...)
		}
	}
	for i := 0; i < len(corpus); i += 97 {
		queries = append(queries, queryVariants(corpus[i])...)
	}
	queries = append(queries, "", "x", "Smith-Jones O'Brien", "ဦး", "a e i o u")
	hits := 0
	for i, q := range queries {
		hits += checkSame(t, x, q, MatchThreshold)
		if i%5 == 0 {
			checkSame(t, x, q, 0.6)
		}
	}
	if hits < len(labelled) {
		t.Fatalf("only %d hits over %d queries: the test compares empty results", hits, len(queries))
	}
}

// TestNameIndexFullCorpus runs the comparison on the benchmark's corpus
// size (100,000 defectors and their families, about 450,000 names); it is
// slow, so it runs only when EMBRACE_NAMEINDEX_FULL is set.
func TestNameIndexFullCorpus(t *testing.T) {
	if os.Getenv("EMBRACE_NAMEINDEX_FULL") == "" {
		t.Skip("set EMBRACE_NAMEINDEX_FULL=1 to compare Match with the full scan on 100,000 synthetic defectors")
	}
	corpus := append(labelledForms(t), synthNames(7, 100_000)...)
	x := buildIndex(corpus)
	g := synth.New(8, 10_000)
	hits, queries := 0, 0
	for i := range 1000 {
		d := g.Defector(i)
		for _, q := range []string{d.NameBurmese, d.NameLatin, "Ko " + d.NameLatin, "ဦး" + d.NameBurmese} {
			hits += checkSame(t, x, q, MatchThreshold)
			queries++
		}
	}
	t.Logf("%d names, %d queries, %d hits, all identical to the full scan", x.Len(), queries, hits)
}

// TestNameIndexEdits: replaced, removed and foreign names are found or
// not found exactly as the full scan says, and Wipe empties the index.
func TestNameIndexEdits(t *testing.T) {
	t.Parallel()
	if len(rhymeClasses) != numRhymes || numSylCodes != 2*len(onsetClasses)*len(rhymeClasses) {
		t.Fatalf("numSylCodes %d does not fit %d onset and %d rhyme classes", numSylCodes, len(onsetClasses), len(rhymeClasses))
	}
	for c := range numSylCodes {
		if codeIndex(codeOf(c)) != c {
			t.Fatalf("code %d does not round-trip", c)
		}
	}
	x := NewNameIndex()
	aung := x.Add(PrepareName("Aung Myo Zaw"))
	hla := x.Add(PrepareName("ဒေါ်လှလှဝင်း"))
	foreign := x.Add(PrepareName("Xavier Quintrell")) // syllables outside the classes
	empty := x.Add(PrepareName("123"))
	if x.Len() != 3 {
		t.Fatalf("Len %d, want 3 (the empty name does not count)", x.Len())
	}
	if !x.isWild[foreign] || x.isWild[aung] || x.isWild[hla] {
		t.Fatalf("foreign syllables: %v, want only the foreign name outside the postings", x.isWild)
	}
	find := func(q string) []int {
		t.Helper()
		checkSame(t, x, q, MatchThreshold)
		var ids []int
		for _, h := range x.Match(PrepareName(q), MatchThreshold) {
			ids = append(ids, h.ID)
		}
		return ids
	}
	cases := []struct {
		name string
		edit func()
		q    string
		want []int
	}{
		{"romanised", nil, "ေအာင္မ်ိဳးေဇာ္", []int{aung}},
		{"Latin for Burmese", nil, "Hla Hla Win", []int{hla}},
		{"foreign name", nil, "Xavier Quintrell", []int{foreign}},
		{"nothing", nil, "Kyaw Kyaw", nil},
		{"replaced: old name gone", func() { x.Replace(aung, PrepareName("Kyaw Kyaw")) }, "Aung Myo Zaw", nil},
		{"replaced: new name found", nil, "Kyaw Kyaw", []int{aung}},
		{"replaced by a foreign name", func() { x.Replace(aung, PrepareName("Quintrell Xavier")) }, "Xavier Quintrell", []int{aung, foreign}},
		{"back to a Burmese name", func() { x.Replace(aung, PrepareName("Aung Myo Zaw")) }, "Quintrell Xavier", []int{foreign}},
		{"and found by it", nil, "Ko Aung Myo Zaw", []int{aung}},
		{"removed", func() { x.Remove(hla) }, "Hla Hla Win", nil},
		{"empty query", nil, "", nil},
		{"empty name replaced", func() { x.Replace(empty, PrepareName("Hla Hla Win")) }, "Hla Hla Win", []int{empty}},
	}
	for _, tc := range cases {
		if tc.edit != nil {
			tc.edit()
		}
		if got := find(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("%s: ids %v, want %v", tc.name, got, tc.want)
		}
	}
	if x.Len() != 3 {
		t.Errorf("Len %d after edits, want 3", x.Len())
	}
	x.Wipe()
	if x.Len() != 0 || len(x.Match(PrepareName("Hla Hla Win"), MatchThreshold)) != 0 {
		t.Errorf("wiped index still matches")
	}
	if id := x.Add(PrepareName("Hla Hla Win")); id != 0 || len(x.Match(PrepareName("Hla Hla Win"), MatchThreshold)) != 1 {
		t.Errorf("index unusable after Wipe")
	}
}

// FuzzNameIndex: for any names and query, Match returns exactly what the
// full scan returns, at any threshold.
func FuzzNameIndex(f *testing.F) {
	forms := labelledForms(f)
	for i := 0; i+2 < len(forms); i += 7 {
		f.Add(forms[i], forms[i+1], forms[i+2], uint8(85))
	}
	f.Add("Xavier", "ဦးဦး", "U U U U U U U U U U U U U U U U U U", uint8(30))
	base := buildIndex(append(forms[:200:200], synthNames(13, 50)...))
	f.Fuzz(func(t *testing.T, a, b, q string, th uint8) {
		threshold := float64(th%101) / 100
		x := NewNameIndex()
		for _, n := range base.names {
			x.Add(n)
		}
		x.Add(PrepareName(a))
		x.Add(PrepareName(b))
		checkSame(t, x, q, threshold)
		checkSame(t, x, a, threshold)
	})
}

// TestNameIndexConcurrentMatch: Matches running at once (each with its own
// scratch from the pool) give the full scan's answer; run with -race.
func TestNameIndexConcurrentMatch(t *testing.T) {
	t.Parallel()
	forms := labelledForms(t)
	x := buildIndex(forms)
	want := make([][]NameHit, len(forms))
	for i, q := range forms {
		want[i] = x.Scan(PrepareName(q), MatchThreshold)
	}
	errs := make(chan int, 4)
	for w := range 4 {
		go func() {
			bad := -1
			for i := w; i < len(forms); i += 2 {
				if !slices.Equal(x.Match(PrepareName(forms[i]), MatchThreshold), want[i]) {
					bad = i
				}
			}
			errs <- bad
		}()
	}
	for range 4 {
		if i := <-errs; i >= 0 {
			t.Errorf("concurrent Match of labelled form #%d differs from the scan", i)
		}
	}
}
