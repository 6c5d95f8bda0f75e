package stats

import (
	"math/rand/v2"
	"testing"
)

// solutions enumerates every way to fill the hidden cells of g that agrees
// with what is published — shown cells, every row and column sum, hidden
// cells at least 0 (they are published alike, so nothing tells a small one
// from another) — and returns, for each hidden cell, the set of values it
// takes across them. It gives up (ok false) after limit search steps.
func solutions(g *grid, max, limit int) (values map[cellRef]map[int]bool, ok bool) {
	var hidden []cellRef
	for i := range g.v {
		for j := range g.v[i] {
			if g.hidden(cellRef{i, j}) {
				hidden = append(hidden, cellRef{i, j})
			}
		}
	}
	values = map[cellRef]map[int]bool{}
	for _, c := range hidden {
		values[c] = map[int]bool{}
	}
	guess := make([][]int, g.rows())
	known := make([][]bool, g.rows())
	for i := range guess {
		guess[i] = append([]int(nil), g.v[i]...)
		known[i] = make([]bool, g.cols())
		for j := range known[i] {
			known[i][j] = !g.hidden(cellRef{i, j})
		}
	}
	lines := g.lines()
	// consistent checks every line whose cells are all known, and that no
	// known total is exceeded by its known parts.
	consistent := func() bool {
		for _, l := range lines {
			last := l[len(l)-1]
			sum, all := 0, true
			for _, c := range l[:len(l)-1] {
				if known[c.i][c.j] {
					sum += guess[c.i][c.j]
				} else {
					all = false
				}
			}
			if known[last.i][last.j] {
				if sum > guess[last.i][last.j] || (all && sum != guess[last.i][last.j]) {
					return false
				}
			}
		}
		return true
	}
	steps := 0
	var try func(k int) bool
	try = func(k int) bool {
		steps++
		if steps > limit {
			return false
		}
		if k == len(hidden) {
			for _, c := range hidden {
				values[c][guess[c.i][c.j]] = true
			}
			return true
		}
		c := hidden[k]
		known[c.i][c.j] = true
		defer func() { known[c.i][c.j] = false }()
		for v := 0; v <= max; v++ {
			guess[c.i][c.j] = v
			if consistent() && !try(k+1) {
				return false
			}
		}
		return true
	}
	return values, try(0)
}

// TestSuppressedCellsCannotBeRecovered builds many small random tables
// full of small counts, protects them, and then searches exhaustively for
// every filling of the hidden cells consistent with the published ones: no
// primary cell may have a single possible value.
func TestSuppressedCellsCannotBeRecovered(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	const threshold = 5
	tried := 0
	for trial := range 400 {
		r, c := 1+rng.IntN(3), 1+rng.IntN(2)
		interior := make([][]int, r)
		for i := range interior {
			interior[i] = make([]int, c)
			for j := range interior[i] {
				switch rng.IntN(3) {
				case 0:
					interior[i][j] = rng.IntN(threshold) // 0 or small
				case 1:
					interior[i][j] = 1 + rng.IntN(threshold-1)
				default:
					interior[i][j] = threshold + rng.IntN(6)
				}
			}
		}
		g := newGrid(interior, c)
		g.protect(threshold)
		max := g.v[g.rows()-1][g.cols()-1]
		values, ok := solutions(g, max, 200000)
		if !ok {
			continue
		}
		tried++
		for cell, vs := range values {
			if g.state[cell.i][cell.j] == Primary && len(vs) < 2 {
				t.Fatalf("trial %d: table %v: the primary cell %v can only be %v (states %v)", trial, interior, cell, vs, g.state)
			}
		}
		// Published cells are the true ones, and every primary cell is
		// hidden.
		for i := range g.v {
			for j, x := range g.v[i] {
				if x > 0 && x < threshold && g.state[i][j] != Primary {
					t.Fatalf("trial %d: small count %d at %d,%d is published", trial, x, i, j)
				}
			}
		}
	}
	if tried < 100 {
		t.Fatalf("only %d tables were small enough to search", tried)
	}
}

// TestNoLineWithOneHiddenCell: the classic attack (a row or column with a
// single hidden cell gives it away by subtraction) never works.
func TestNoLineWithOneHiddenCell(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		r, c := 1+rng.IntN(40), 1+rng.IntN(3)
		interior := make([][]int, r)
		for i := range interior {
			interior[i] = make([]int, c)
			for j := range interior[i] {
				interior[i][j] = rng.IntN(30) * rng.IntN(2)
			}
		}
		g := newGrid(interior, c)
		g.protect(DefaultThreshold)
		for _, l := range g.lines() {
			n := 0
			for _, cell := range l {
				if g.hidden(cell) {
					n++
				}
			}
			if n == 1 {
				t.Fatalf("a line of %v has one hidden cell", interior)
			}
		}
		lo, hi := g.bounds()
		for i := range g.v {
			for j := range g.v[i] {
				if g.state[i][j] == Primary && lo[i][j] >= hi[i][j] {
					t.Fatalf("interval attack pins cell %d,%d of %v", i, j, interior)
				}
			}
		}
	}
}

func TestProtectTogetherSharesTotals(t *testing.T) {
	t.Parallel()
	// The police total (3) is small: hidden in both tables, and each
	// table then hides another total so the two cannot be subtracted.
	a := newGrid([][]int{{40, 1}, {30, 2}}, 2)
	b := newGrid([][]int{{70, 3}}, 2)
	protectTogether([]*grid{a, b}, DefaultThreshold)
	for _, g := range []*grid{a, b} {
		if !g.hidden(cellRef{g.rows() - 1, 1}) {
			t.Fatalf("the shared small total is published: %v %v", g.v, g.state)
		}
		n := 0
		for _, l := range g.lines() {
			for _, c := range l {
				if g.hidden(c) {
					n++
				}
			}
			_ = n
		}
	}
	// Shown margins agree across the tables.
	for j := 0; j < 3; j++ {
		ha, hb := a.hidden(cellRef{a.rows() - 1, j}), b.hidden(cellRef{b.rows() - 1, j})
		if ha != hb {
			t.Fatalf("column %d total hidden in one table only", j)
		}
	}
}

func TestRoundAndValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ x, base, want int }{{12, 5, 10}, {13, 5, 15}, {7, 0, 7}, {7, 1, 7}, {25, 10, 30}} {
		if got := roundTo(c.x, c.base); got != c.want {
			t.Errorf("roundTo(%d, %d) = %d", c.x, c.base, got)
		}
	}
	for _, p := range []Protection{{Threshold: 2}, {Threshold: -1}, {Round: -1}, {Round: 1000}} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v accepted", p)
		}
	}
	p := Protection{}
	if err := p.Validate(); err != nil || p.Threshold != DefaultThreshold {
		t.Fatalf("default: %+v %v", p, err)
	}
}
