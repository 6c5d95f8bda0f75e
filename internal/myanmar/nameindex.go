package myanmar

import (
	"slices"
	"sync"
)

// NameIndex finds, among many prepared names, those that score at least a
// threshold against a query, without scoring them all: duplicate search
// over a hundred thousand cases. It is an inverted index from syllable
// class codes to the names holding them, with a count filter derived from
// Score, so that Match returns exactly what a full scan returns (Scan):
// the same names with the same scores.
//
// # Why nothing is lost
//
// Score pairs syllables one to one and returns 2·total/(a+b), where total
// is the sum of the paired similarities and a, b the syllables compared
// (with or without honorifics: the best of three variants). Whatever the
// variant and the pairing, each pair holds one distinct syllable i of the
// query, so total ≤ Σᵢ mᵢ, where mᵢ is the best similarity of query
// syllable i to any syllable of the candidate; and total ≤ min(a, b) ≤ the
// candidate's syllable count, since no pair is worth more than 1. The
// smallest a+b of any variant is the two names' counts without
// honorifics. So a candidate with
//
//	2·min(Σᵢ mᵢ, n) < threshold·(a₀ + b₀)
//
// (n its syllables, a₀ and b₀ the counts without honorifics) scores below
// the threshold in every variant and is skipped. Match computes mᵢ from
// postings: for every query syllable it enumerates the syllable codes whose
// similarity to it (computed by Score's own syllable similarity) exceeds
// neighbourCut, in decreasing order, and credits each name in their
// postings with the first (largest) one; a name with no such code gets
// credit θᵢ, the largest similarity of any code at or below the cut. A name
// the postings never reach thus has Σᵢ mᵢ ≤ Σᵢ θᵢ; when that cannot reach
// the threshold even against a one-syllable name, such names are skipped
// wholesale, and otherwise (a long query of low-similarity syllables, rare)
// Match scans everything. Names with syllables outside the onset and rhyme
// classes (foreign spellings, compared by edit distance) are not in the
// postings: they are always scored. A small margin absorbs float32
// rounding. The property is tested against the full scan on the labelled
// name sets, on a synthetic corpus and by a fuzz target.
//
// The index holds red data (it is derived from names): keep it only in
// memory, inside an authorised session's cache, and Wipe it with the cache.
// Add, Replace, Remove and Wipe must not run concurrently with anything
// else; Match and Scan may run concurrently with each other.
type NameIndex struct {
	names  []Name
	post   [numSylCodes][]uint32
	wild   []uint32 // ids of names with syllables outside the classes
	isWild []bool   // the name now has such syllables
	listed []bool   // the id is in wild
	lens   []nameLens
	live   int
	pool   sync.Pool // *matchScratch
}

// nameLens is a name's syllable count with and without honorifics, kept
// apart from the names so the filter reads two bytes, not a Name.
type nameLens struct{ n, n0 uint8 }

// NameHit is a name of the index scoring at least the threshold.
type NameHit struct {
	ID    int // as returned by Add
	Score float64
}

// numSylCodes is the number of known syllable codes: onset (class and
// medial w) times rhyme class (a test checks it against the class tables).
const (
	numRhymes   = 22
	numSylCodes = 2 * 19 * numRhymes
)

// neighbourCut is the similarity above which a syllable code is looked up
// in the postings for a query syllable; below it, a candidate is credited
// θᵢ without a look-up. Chosen by BenchmarkNameIndex on the synthetic
// corpus (p95 per query at 400,000 names, one core, a machine loaded 5 to
// 7, first version of Match: cut 0 14 ms, 0.1 8 ms, 0.3 3–8 ms, 0.45 6–12
// ms, 0.6 92 ms): lower cuts read more postings, higher ones let more
// names through to Score and, above about 0.5, make long queries fall back
// to the full scan.
const neighbourCut = 0.3

// boundMargin absorbs the float32 rounding of Score's sums.
const boundMargin = 1e-4

// codeIndex maps a known syllable code (onset<<8 | rhyme) to [0, numSylCodes).
func codeIndex(c uint16) int { return int(c>>8)*numRhymes + int(c&0xFF) }

// codeOf is the inverse of codeIndex.
func codeOf(i int) uint16 { return uint16(i/numRhymes)<<8 | uint16(i%numRhymes) }

// NewNameIndex returns an empty index.
func NewNameIndex() *NameIndex { return &NameIndex{} }

// Len returns how many names the index holds (not counting removed ones).
func (x *NameIndex) Len() int { return x.live }

// Add indexes n and returns its id: 0, 1, 2, … in the order of the calls.
// An empty name is held but never matches.
func (x *NameIndex) Add(n Name) int {
	id := len(x.names)
	x.names = append(x.names, Name{})
	x.isWild = append(x.isWild, false)
	x.listed = append(x.listed, false)
	x.lens = append(x.lens, nameLens{})
	x.Replace(id, n)
	return id
}

// Replace puts n in place of the name with that id (an edited name). The
// old name's postings stay (they can only let a name through to Score,
// never keep one out).
func (x *NameIndex) Replace(id int, n Name) {
	if x.names[id].n == 0 && n.n > 0 {
		x.live++
	} else if x.names[id].n > 0 && n.n == 0 {
		x.live--
	}
	x.names[id] = n
	x.lens[id] = nameLens{n.n, n.n - n.skip}
	if n.n == 0 {
		return
	}
	if n.raw != nil {
		x.isWild[id] = true
		if !x.listed[id] {
			x.listed[id] = true
			x.wild = append(x.wild, uint32(id))
		}
		return
	}
	x.isWild[id] = false
	var seen [maxNameSyllables]int
	for i := 0; i < int(n.n); i++ {
		c := codeIndex(n.syl[i])
		if slices.Contains(seen[:i], c) {
			seen[i] = c
			continue
		}
		seen[i] = c
		x.post[c] = append(x.post[c], uint32(id))
	}
}

// Remove drops the name with that id; the id is not reused.
func (x *NameIndex) Remove(id int) { x.Replace(id, Name{}) }

// Wipe drops every name and posting.
func (x *NameIndex) Wipe() {
	clear(x.names)
	x.names = nil
	for i := range x.post {
		clear(x.post[i])
		x.post[i] = nil
	}
	x.wild, x.isWild, x.listed, x.lens, x.live = nil, nil, nil, nil, 0
	x.pool = sync.Pool{}
}

// Scan scores q against every name: the reference Match is tested against.
func (x *NameIndex) Scan(q Name, threshold float64) []NameHit {
	var out []NameHit
	if q.n == 0 {
		return nil
	}
	for id := range x.names {
		if x.names[id].n == 0 {
			continue
		}
		if sc := q.Score(x.names[id]); sc >= threshold {
			out = append(out, NameHit{id, sc})
		}
	}
	return out
}

// matchScratch is one Match's working memory, a cell per name id.
type matchScratch struct {
	cell    []matchCell
	touched []uint32
	gen     uint32
}

// matchCell is a name's credit in one Match: stamp is gen<<5 | row when
// the name was last credited (rows < 32), acc the sum of its gains. One
// cell, so a posting costs one memory access.
type matchCell struct {
	stamp uint32
	acc   float32
}

// neighbour is a syllable code and its similarity to a query syllable.
type neighbour struct {
	code int
	v    float32
}

// Match returns the names scoring at least threshold against q, in id
// order, with their scores: exactly what Scan returns, usually reading a
// small part of the index.
func (x *NameIndex) Match(q Name, threshold float64) []NameHit {
	if q.n == 0 {
		return nil
	}
	// Neighbourhoods of the query's syllables, and the credit θᵢ of a name
	// outside them.
	rows := make([][]neighbour, q.n)
	thetas := make([]float32, q.n)
	var theta float64
	var probe Name
	probe.n = 1
	for i := 0; i < int(q.n); i++ {
		var low float32
		for c := range numSylCodes {
			probe.syl[0] = codeOf(c)
			v := q.sylSim(i, &probe, 0)
			if v > neighbourCut {
				rows[i] = append(rows[i], neighbour{c, v})
			} else {
				low = max(low, v)
			}
		}
		slices.SortFunc(rows[i], func(a, b neighbour) int {
			switch {
			case a.v > b.v:
				return -1
			case a.v < b.v:
				return 1
			}
			return a.code - b.code
		})
		thetas[i] = low
		theta += float64(low)
	}
	a0 := float64(q.n - q.skip)
	// A name the postings never reach has Σ mᵢ ≤ theta and at least one
	// syllable: if that can pass, scan.
	if 2*theta >= threshold*(a0+1)-boundMargin {
		return x.Scan(q, threshold)
	}
	s, _ := x.pool.Get().(*matchScratch)
	if s == nil {
		s = &matchScratch{}
	}
	defer x.pool.Put(s)
	if len(s.cell) < len(x.names) {
		s.cell = make([]matchCell, len(x.names)+len(x.names)/4)
		s.gen = 0
	}
	s.gen++
	if s.gen >= 1<<27 {
		clear(s.cell)
		s.gen = 1
	}
	s.touched = s.touched[:0]
	for i, nb := range rows {
		mark := s.gen<<5 | uint32(i)
		for _, e := range nb {
			gain := e.v - thetas[i] // mᵢ - θᵢ, on top of the base theta
			for _, id := range x.post[e.code] {
				c := &s.cell[id]
				if c.stamp == mark {
					continue
				}
				if c.stamp>>5 != s.gen {
					c.acc = 0
					s.touched = append(s.touched, id)
				}
				c.stamp = mark
				c.acc += gain
			}
		}
	}
	var out []NameHit
	// Every candidate has at least one syllable: most fail on their
	// credit alone, before their lengths are read.
	floor := threshold*(a0+1) - boundMargin
	for _, id := range s.touched {
		ub := theta + float64(s.cell[id].acc)
		if 2*ub < floor {
			continue
		}
		l := x.lens[id]
		if l.n == 0 || x.isWild[id] {
			continue
		}
		if 2*min(ub, float64(l.n)) < threshold*(a0+float64(l.n0))-boundMargin {
			continue
		}
		n := &x.names[id]
		if sc := q.Score(*n); sc >= threshold {
			out = append(out, NameHit{int(id), sc})
		}
	}
	for _, id := range x.wild {
		n := &x.names[id]
		if n.n == 0 || !x.isWild[id] {
			continue
		}
		if sc := q.Score(*n); sc >= threshold {
			out = append(out, NameHit{int(id), sc})
		}
	}
	slices.SortFunc(out, func(a, b NameHit) int { return a.ID - b.ID })
	return out
}
