package synth

import "sort"

// apportion shares n out over len(weights) cells in proportion to weights by
// the largest-remainder (Hamilton) method: every cell gets the floor of its
// exact share, and the units left over go to the largest fractional parts,
// ties to the lower index. The result always sums to n (for n ≥ 0 and a
// positive weight sum).
func apportion(n int, weights []int) []int {
	out := make([]int, len(weights))
	var sum int64
	for _, w := range weights {
		sum += int64(w)
	}
	if n <= 0 || sum == 0 {
		return out
	}
	rem := make([]int64, len(weights))
	left := n
	for k, w := range weights {
		q := int64(n) * int64(w)
		out[k] = int(q / sum)
		rem[k] = q % sum
		left -= out[k]
	}
	order := make([]int, len(weights))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]] > rem[order[b]] })
	for k := 0; left > 0; k++ {
		out[order[k%len(order)]]++
		left--
	}
	return out
}

// cumulative turns counts into running ends: ends[k] is one past the last
// position that belongs to cell k.
func cumulative(counts []int) []int {
	ends := make([]int, len(counts))
	sum := 0
	for k, c := range counts {
		sum += c
		ends[k] = sum
	}
	return ends
}

// cellOf returns the cell that position p (0 ≤ p < ends[len-1]) falls in.
func cellOf(ends []int, p int) int {
	return sort.SearchInts(ends, p+1)
}

// cellStart is the first position of cell k.
func cellStart(ends []int, k int) int {
	if k == 0 {
		return 0
	}
	return ends[k-1]
}

// mix64 is the SplitMix64 finaliser: a fast, well-distributed 64-bit hash
// used to derive keys and per-record seeds from the generator's seed.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// permutation is a keyed pseudo-random bijection of [0, n): a four-round
// Feistel network over the smallest even-bit domain that holds n, with cycle
// walking to stay inside [0, n). It lets a record's place in the quota
// tables be computed from its index alone, in O(1) time and memory, so that
// quotas are exact while every record stays independent of the others.
type permutation struct {
	n    uint64
	half uint
	mask uint64
	keys [4]uint64
}

func newPermutation(n int, key uint64) permutation {
	half := uint(1)
	for uint64(1)<<(2*half) < uint64(n) {
		half++
	}
	p := permutation{n: uint64(n), half: half, mask: 1<<half - 1}
	for k := range p.keys {
		key = mix64(key)
		p.keys[k] = key
	}
	return p
}

func (p *permutation) round(k int, x uint64) uint64 {
	return mix64(x^p.keys[k]) & p.mask
}

// forward maps x (< n) to its position.
func (p *permutation) forward(x uint64) uint64 {
	for {
		l, r := x>>p.half, x&p.mask
		for k := 0; k < len(p.keys); k++ {
			l, r = r, l^p.round(k, r)
		}
		x = l<<p.half | r
		if x < p.n {
			return x
		}
	}
}

// inverse maps a position (< n) back to the index it came from.
func (p *permutation) inverse(x uint64) uint64 {
	for {
		l, r := x>>p.half, x&p.mask
		for k := len(p.keys) - 1; k >= 0; k-- {
			l, r = r^p.round(k, l), l
		}
		x = l<<p.half | r
		if x < p.n {
			return x
		}
	}
}
