package audit

import (
	"errors"
	"math/bits"

	"golang.org/x/mod/sumdb/tlog"
)

// frontier is the right edge of a Merkle tree of a given size: the roots of
// its maximal perfect subtrees, largest first. It is all that is needed to
// append a leaf (tlog.StoredHashes reads only these) and to compute the tree
// hash (tlog.TreeHash reads exactly these), so appending and verifying need
// O(log n) hashes in memory, however long the log.
type frontier struct {
	size  int64
	nodes []storedHash
}

type storedHash struct {
	index int64 // tlog.StoredHashIndex
	hash  tlog.Hash
}

var errNotInFrontier = errors.New("audit: hash not in the tree's frontier")

// frontierIndexes lists the stored-hash indexes of the frontier of a tree of
// size n, in the order tlog.TreeHash asks for them.
func frontierIndexes(n int64) []int64 {
	var out []int64
	for level := 62; level >= 0; level-- {
		if n&(1<<level) != 0 {
			out = append(out, tlog.StoredHashIndex(level, n>>level-1))
		}
	}
	return out
}

// ReadHashes implements tlog.HashReader over the frontier.
func (f *frontier) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		found := false
		for _, n := range f.nodes {
			if n.index == idx {
				out[i], found = n.hash, true
				break
			}
		}
		if !found {
			return nil, errNotInFrontier
		}
	}
	return out, nil
}

// add appends the leaf with hash leaf as record f.size and returns the
// hashes tlog stores for it, from stored-hash index StoredHashIndex(0, n).
func (f *frontier) add(leaf tlog.Hash) ([]tlog.Hash, error) {
	n := f.size
	hs, err := tlog.StoredHashesForRecordHash(n, leaf, f)
	if err != nil {
		return nil, err
	}
	// Record n completes one subtree per trailing one bit of n, merging
	// that many frontier nodes into one of level m.
	m := bits.TrailingZeros64(uint64(n + 1))
	f.nodes = append(f.nodes[:len(f.nodes)-m], storedHash{tlog.StoredHashIndex(m, n>>m), hs[len(hs)-1]})
	f.size++
	return hs, nil
}

// root is the tree hash of the tree so far.
func (f *frontier) root() (tlog.Hash, error) {
	return tlog.TreeHash(f.size, f)
}
