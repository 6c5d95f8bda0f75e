package myanmar

import (
	"os"
	"slices"
	"testing"
	"time"

	"embrace/internal/synth"
)

// Budgets (DESIGN.md §10 and the package's own): Clean of a typical name
// under 20 µs, ZawgyiToUnicode at 5 MB/s or more, 200,000 prepared-pair
// scores a second per core or more. The benchmarks report the measures the
// budgets are stated in; TestBudgets checks them when EMBRACE_BUDGETS=1.

// benchNames is a spread of typical names in the three forms Clean sees.
var benchNames = []string{
	"ဒေါ်အောင်ဆန်းစုကြည်",     // Unicode
	"ဦးေက်ာ္လင္း",             // Zawgyi
	"Maung Maung Win",         // Latin
	"ဗိုလ်ကြီး ဇော်မင်းထွန်း", // Unicode with a rank
}

func BenchmarkClean(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Clean(benchNames[i%len(benchNames)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/name")
}

// runningText is the mmgov Zawgyi news text: the converter's real input.
func runningText(b testing.TB) string {
	t, err := os.ReadFile("testdata/myanmar-tools/mmgov_zawgyi_src.txt")
	if err != nil {
		b.Fatal(err)
	}
	return string(t)
}

func BenchmarkZawgyiToUnicode(b *testing.B) {
	text := runningText(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		_ = ZawgyiToUnicode(text)
	}
}

func BenchmarkZawgyiProbability(b *testing.B) {
	text := runningText(b)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = ZawgyiProbability(text)
	}
}

func BenchmarkNormalize(b *testing.B) {
	text := ZawgyiToUnicode(runningText(b))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = Normalize(text)
	}
}

func BenchmarkPrepareName(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = PrepareName(benchNames[i%len(benchNames)])
		i++
	}
}

// BenchmarkScore scores prepared pairs drawn from the labelled name set,
// as duplicate search does (one new name against many stored ones).
func BenchmarkScore(b *testing.B) {
	names := loadLabelledNames(b, "testdata/names/variants.tsv")
	prepared := make([]Name, len(names))
	for i, n := range names {
		prepared[i] = PrepareName(n.form)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i, j := 0, 7
	var sink float64
	for b.Loop() {
		sink += prepared[i].Score(prepared[j])
		i++
		if i == len(prepared) {
			i = 0
			j = (j + 1) % len(prepared)
		}
	}
	_ = sink
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

func TestBudgets(t *testing.T) {
	if os.Getenv("EMBRACE_BUDGETS") == "" {
		t.Skip("set EMBRACE_BUDGETS=1 to check the performance budgets")
	}
	clean := testing.Benchmark(BenchmarkClean)
	if us := float64(clean.NsPerOp()) / 1000; us >= 20 {
		t.Errorf("Clean: %.1f µs per name, budget 20 µs", us)
	}
	conv := testing.Benchmark(BenchmarkZawgyiToUnicode)
	if mbs := float64(conv.Bytes) * float64(conv.N) / conv.T.Seconds() / 1e6; mbs < 5 {
		t.Errorf("ZawgyiToUnicode: %.1f MB/s, budget 5 MB/s", mbs)
	}
	score := testing.Benchmark(BenchmarkScore)
	if ps := float64(score.N) / score.T.Seconds(); ps < 200000 {
		t.Errorf("Score: %.0f pairs/s, budget 200,000", ps)
	}
}

// benchIndexNames is the myanmar-level duplicate-search corpus: the names
// casework indexes for 100,000 synthetic cases (each defector's and each
// relative's Burmese name), about 400,000 names.
func benchIndexNames() []Name {
	g := synth.New(7, 100_000)
	var out []Name
	for i := range 100_000 {
		d := g.Defector(i)
		out = append(out, PrepareName(d.NameBurmese))
		for _, r := range d.Family {
			out = append(out, PrepareName(r.NameBurmese))
		}
	}
	return out
}

// BenchmarkNameIndex: one new name (Burmese or Latin, as typed) against
// the 100,000-case corpus, through the index (Match) and by the full scan
// (Scan), one core each. Reports the p95 per query and how many names
// Match scored.
func BenchmarkNameIndex(b *testing.B) {
	x := NewNameIndex()
	for _, n := range benchIndexNames() {
		x.Add(n)
	}
	g := synth.New(8, 10_000)
	var queries []Name
	for i := range 1000 {
		d := g.Defector(i)
		queries = append(queries, PrepareName(d.NameBurmese), PrepareName(d.NameLatin))
	}
	for _, bc := range []struct {
		name string
		f    func(Name, float64) []NameHit
	}{{"match", x.Match}, {"scan", x.Scan}} {
		b.Run(bc.name, func(b *testing.B) {
			var ds []time.Duration
			hits := 0
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				hits += len(bc.f(queries[i%len(queries)], MatchThreshold))
				ds = append(ds, time.Since(t0))
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(hits)/float64(b.N), "hits/query")
			b.ReportMetric(float64(x.Len()), "names")
		})
	}
}

// BenchmarkNameIndexBuild: what the index adds to a session's warm-up,
// indexing the 100,000-case corpus's prepared names (preparing them is
// measured by BenchmarkPrepareName).
func BenchmarkNameIndexBuild(b *testing.B) {
	names := benchIndexNames()
	for b.Loop() {
		x := NewNameIndex()
		for _, n := range names {
			x.Add(n)
		}
		x.Wipe()
	}
	b.ReportMetric(float64(len(names)), "names")
}
