package myanmar

import (
	"os"

	"testing"
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
