package stats

import (
	"errors"
	"fmt"
)

// Cell states in a protected table.
const (
	// Shown: the value is published.
	Shown = iota
	// Primary: the value is below the threshold (and above zero).
	Primary
	// Secondary: the value is hidden only so that a Primary cell cannot be
	// worked out from the totals. A published table shows both kinds
	// alike: showing which hidden cells are the small ones would tell an
	// attacker that they lie between 1 and threshold-1 and the others do
	// not, which is often enough to work them out.
	Secondary
)

// Protection is the disclosure control applied to everything that leaves
// the staff pages.
type Protection struct {
	// Threshold: counts from 1 to Threshold-1 are suppressed (default 5;
	// below MinThreshold is refused).
	Threshold int
	// Round, when above 1, rounds every published count to the nearest
	// multiple of Round (suppression is decided on the true counts).
	Round int
}

// Disclosure-control bounds.
const (
	DefaultThreshold = 5
	MinThreshold     = 3
	MaxRound         = 100
)

// ErrInvalid is wrapped by every refusal of a bad request: an unknown
// breakdown, a date range out of bounds, a threshold below MinThreshold.
var ErrInvalid = errors.New("invalid statistics request")

// Validate checks p, filling in the default threshold.
func (p *Protection) Validate() error {
	if p.Threshold == 0 {
		p.Threshold = DefaultThreshold
	}
	if p.Threshold < MinThreshold || p.Threshold > 1000 {
		return fmt.Errorf("stats: %w: the threshold must be at least %d (and at most 1000)", ErrInvalid, MinThreshold)
	}
	if p.Round < 0 || p.Round > MaxRound {
		return fmt.Errorf("stats: %w: rounding must be between 0 and %d", ErrInvalid, MaxRound)
	}
	return nil
}

// grid is a table with its margins: rows × cols interior cells, a last
// column of row totals, a last row of column totals and the grand total in
// the corner. Every row and every column of the grid is a line whose last
// cell is the sum of the others: the equations an attacker works with.
type grid struct {
	v     [][]int
	state [][]int
}

// newGrid makes the grid of interior, a table of rows of c counts each.
func newGrid(interior [][]int, c int) *grid {
	r := len(interior)
	g := &grid{v: make([][]int, r+1), state: make([][]int, r+1)}
	for i := range g.v {
		g.v[i] = make([]int, c+1)
		g.state[i] = make([]int, c+1)
	}
	for i, row := range interior {
		for j, x := range row {
			g.v[i][j] = x
			g.v[i][c] += x
			g.v[r][j] += x
			g.v[r][c] += x
		}
	}
	return g
}

func (g *grid) rows() int { return len(g.v) }
func (g *grid) cols() int { return len(g.v[0]) }

// cellRef names a cell of the grid.
type cellRef struct{ i, j int }

// lines lists every equation of the grid: each row and each column, as
// the cells on it, the total (the sum of the others) last.
func (g *grid) lines() [][]cellRef {
	var out [][]cellRef
	for i := 0; i < g.rows(); i++ {
		var l []cellRef
		for j := 0; j < g.cols(); j++ {
			l = append(l, cellRef{i, j})
		}
		out = append(out, l)
	}
	for j := 0; j < g.cols(); j++ {
		var l []cellRef
		for i := 0; i < g.rows(); i++ {
			l = append(l, cellRef{i, j})
		}
		out = append(out, l)
	}
	return out
}

func (g *grid) hidden(c cellRef) bool { return g.state[c.i][c.j] != Shown }

// protect applies primary suppression, then complementary suppression
// until no line has a single hidden cell and no hidden cell's value can be
// pinned down from the published ones (see bounds).
func (g *grid) protect(threshold int) {
	for i := range g.v {
		for j, x := range g.v[i] {
			if x > 0 && x < threshold {
				g.state[i][j] = Primary
			}
		}
	}
	for {
		changed := false
		for _, l := range g.lines() {
			n := 0
			for _, c := range l {
				if g.hidden(c) {
					n++
				}
			}
			if n == 1 {
				g.hideAnother(l)
				changed = true
			}
		}
		if changed {
			continue
		}
		// Lines with two or more hidden cells can still pin a value down
		// (two cells of "<5" summing to 2 are both 1). Hide more around
		// any cell whose bounds meet.
		lo, hi := g.bounds()
		for _, l := range g.lines() {
			for _, c := range l {
				if g.hidden(c) && lo[c.i][c.j] >= hi[c.i][c.j] && g.hideAnother(l) {
					changed = true
					break
				}
			}
		}
		if !changed {
			return
		}
	}
}

// hideAnother hides one more shown cell of line l: the smallest positive
// interior cell, else the smallest interior cell, else the total. It
// reports false when every cell of the line is already hidden.
func (g *grid) hideAnother(l []cellRef) bool {
	best := -1
	rank := func(k int) (int, int) {
		c := l[k]
		interior := c.i < g.rows()-1 && c.j < g.cols()-1
		tier := 2
		switch {
		case interior && g.v[c.i][c.j] > 0:
			tier = 0
		case interior:
			tier = 1
		}
		return tier, g.v[c.i][c.j]
	}
	for k, c := range l {
		if g.hidden(c) {
			continue
		}
		if best < 0 {
			best = k
			continue
		}
		t1, v1 := rank(k)
		t2, v2 := rank(best)
		if t1 < t2 || (t1 == t2 && v1 < v2) {
			best = k
		}
	}
	if best < 0 {
		return false
	}
	c := l[best]
	g.state[c.i][c.j] = Secondary
	return true
}

// bounds is what an attacker can learn of each cell from the published
// grid: intervals narrowed by every line equation until nothing changes.
// A shown cell is its value; a hidden one lies in [0, grand total]: a
// published table marks every hidden cell alike (Count.Format), so nobody
// can tell a small count from a cell hidden to protect one.
func (g *grid) bounds() (lo, hi [][]int) {
	lo = make([][]int, g.rows())
	hi = make([][]int, g.rows())
	top := g.v[g.rows()-1][g.cols()-1]
	if g.hidden(cellRef{g.rows() - 1, g.cols() - 1}) {
		top = 1 << 30
	}
	for i := range g.v {
		lo[i] = make([]int, g.cols())
		hi[i] = make([]int, g.cols())
		for j := range g.v[i] {
			switch g.state[i][j] {
			case Shown:
				lo[i][j], hi[i][j] = g.v[i][j], g.v[i][j]
			default:
				lo[i][j], hi[i][j] = 0, top
			}
		}
	}
	narrowLines(g.lines(), lo, hi)
	return lo, hi
}

// narrowLines applies each line equation (the last cell is the sum of the
// others) to the intervals until they stop changing.
func narrowLines(lines [][]cellRef, lo, hi [][]int) {
	for range 1000 {
		changed := false
		set := func(c cellRef, l, h int) {
			ol, oh := lo[c.i][c.j], hi[c.i][c.j]
			lo[c.i][c.j], hi[c.i][c.j] = max(l, ol), min(h, oh)
			if lo[c.i][c.j] != ol || hi[c.i][c.j] != oh {
				changed = true
			}
		}
		for _, line := range lines {
			total := line[len(line)-1]
			parts := line[:len(line)-1]
			sumLo, sumHi := 0, 0
			for _, c := range parts {
				sumLo += lo[c.i][c.j]
				sumHi += hi[c.i][c.j]
			}
			set(total, sumLo, sumHi)
			for _, c := range parts {
				set(c, lo[total.i][total.j]-(sumHi-hi[c.i][c.j]), hi[total.i][total.j]-(sumLo-lo[c.i][c.j]))
			}
		}
		if !changed {
			return
		}
	}
}

// roundTo rounds x to the nearest multiple of base (base ≤ 1: unchanged).
func roundTo(x, base int) int {
	if base <= 1 {
		return x
	}
	return (x + base/2) / base * base
}

// protectTogether protects tables that publish the same totals by service
// group and the same grand total (their last rows): a total hidden in one
// is hidden in all, and each is protected again, until they agree. Without
// it, a total hidden in one table could be read off another.
func protectTogether(gs []*grid, threshold int) {
	for _, g := range gs {
		g.protect(threshold)
	}
	if len(gs) == 0 {
		return
	}
	cols := gs[0].cols()
	for {
		hide := make([]bool, cols)
		for _, g := range gs {
			r := g.rows() - 1
			for j := range cols {
				if g.hidden(cellRef{r, j}) {
					hide[j] = true
				}
			}
		}
		changed := false
		for _, g := range gs {
			r, mine := g.rows()-1, false
			for j, h := range hide {
				if h && !g.hidden(cellRef{r, j}) {
					g.state[r][j] = Secondary
					mine = true
				}
			}
			if mine {
				g.protect(threshold)
				changed = true
			}
		}
		if !changed {
			return
		}
	}
}
