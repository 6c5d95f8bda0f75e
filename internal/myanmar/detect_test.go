package myanmar

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestZawgyiProbabilityCompatibility checks every row of upstream's
// compatibility.tsv to within 1e-9.
func TestZawgyiProbabilityCompatibility(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/myanmar-tools/compatibility.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	rows := 0
	for sc.Scan() {
		want, text, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		rows++
		got := ZawgyiProbability(text)
		if want == "-Infinity" {
			if !math.IsInf(got, -1) {
				t.Errorf("ZawgyiProbability(%q) = %v, want -Inf", text, got)
			}
			continue
		}
		w, err := strconv.ParseFloat(want, 64)
		if err != nil {
			t.Fatalf("row %d: %v", rows, err)
		}
		if math.Abs(got-w) > 1e-9 {
			t.Errorf("ZawgyiProbability(%q) = %v, want %v", text, got, w)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if rows != 50 {
		t.Errorf("read %d rows, want 50", rows)
	}
}
