package myanmar

import (
	"log/slog"
	"slices"
	"strings"
)

// MatchThreshold is the Score at or above which two names are reported as
// possibly the same person. How it was chosen is in the package
// documentation ("Choosing MatchThreshold").
const MatchThreshold = 0.85

// maxNameSyllables bounds the syllables kept of a name; longer names are
// cut (no real name comes close).
const maxNameSyllables = 16

// Name is a name prepared for matching: converted, normalised, split into
// syllables and keyed once, so that comparing it with many others is cheap.
// The zero Name matches nothing. A Name holds red data: it prints as
// [redacted] in logs.
type Name struct {
	n    uint8 // syllables
	skip uint8 // leading syllables that are honorifics or titles
	syl  [maxNameSyllables]uint16
	// raw holds the keys of syllables whose onset or rhyme is outside the
	// classes (foreign or unusual spellings); nil when there are none.
	raw []sylKey
}

// LogValue keeps the name out of logs.
func (Name) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Empty reports whether the name has no syllable to match (it had no
// Burmese or Latin letters, or only honorifics).
func (n Name) Empty() bool { return n.n == 0 }

// Syllables returns the matching key of the name without its honorifics,
// as Romanize would write it: "aun san su kyi".
func (n Name) Syllables() string {
	var ks []sylKey
	for i := int(n.skip); i < int(n.n); i++ {
		ks = append(ks, n.keyAt(i))
	}
	return joinKeys(ks)
}

func (n *Name) keyAt(i int) sylKey {
	c := n.syl[i]
	if c>>8 == unknownClass || c&0xFF == unknownClass {
		return n.raw[i]
	}
	return decodeSyl(c)
}

const unknownClass = 0xFF

var (
	onsetID = classIDs(onsetClasses)
	rhymeID = classIDs(rhymeClasses)
)

func classIDs(cs []string) map[string]uint16 {
	m := make(map[string]uint16, len(cs))
	for i, c := range cs {
		m[c] = uint16(i)
	}
	return m
}

// encodeSyl packs a key as onset<<8 | rhyme, where the onset number is
// twice the class number plus one for a medial w.
func encodeSyl(k sylKey) (uint16, bool) {
	o, w := k.onset, uint16(0)
	if len(o) > 1 && o[len(o)-1] == 'w' {
		o, w = o[:len(o)-1], 1
	}
	oid, ok1 := onsetID[o]
	rid, ok2 := rhymeID[k.rhyme]
	code := uint16(unknownClass)<<8 | unknownClass
	if ok1 {
		code = (oid*2+w)<<8 | code&0xFF
	}
	if ok2 {
		code = code&0xFF00 | rid
	}
	return code, ok1 && ok2
}

func decodeSyl(c uint16) sylKey {
	o := onsetClasses[(c>>8)/2]
	if (c>>8)%2 == 1 {
		o += "w"
	}
	return sylKey{o, rhymeClasses[c&0xFF]}
}

// Honorifics and titles, removed from the front of a name before matching.
var latinHonorifics = map[string]bool{
	"u": true, "daw": true, "ko": true, "ma": true, "maung": true, "mg": true, "saya": true, "sayama": true,
	"sayadaw": true, "bo": true, "bogyoke": true, "naw": true, "saw": true, "sai": true, "nang": true, "nan": true,
	"khun": true, "mahn": true, "mi": true, "nai": true, "thakin": true, "ashin": true, "ven": true, "venerable": true,
	"dr": true, "doctor": true, "prof": true, "professor": true, "mr": true, "mrs": true, "ms": true, "miss": true,
	"pvt": true, "pte": true, "private": true, "lance": true, "cpl": true, "corporal": true, "sgt": true,
	"sergeant": true, "staff": true, "warrant": true, "officer": true, "wo": true, "second": true, "lt": true,
	"lieut": true, "lieutenant": true, "capt": true, "cpt": true, "captain": true, "maj": true, "major": true,
	"col": true, "colonel": true, "ltc": true, "brig": true, "brigadier": true, "gen": true, "general": true,
	"snr": true, "sr": true, "senior": true, "vice": true, "deputy": true, "police": true, "pol": true,
	"constable": true, "inspector": true, "sub": true, "superintendent": true, "commander": true, "cdr": true,
	"adm": true, "admiral": true, "commodore": true, "seaman": true, "airman": true, "comrade": true,
}

var burmeseHonorifics = buildBurmeseHonorifics()

func buildBurmeseHonorifics() map[string]bool {
	m := map[string]bool{}
	add := func(s string) {
		m[string(foldRunes([]rune(Normalize(s)), false))] = true
	}
	for _, h := range []string{
		"ဦး", "ဒေါ်", "ကို", "မ", "မောင်", "ဆရာ", "ဆရာမ", "ဆရာတော်", "ဗိုလ်", "ဗိုလ်ချုပ်", "နော်", "စော", "စိုင်း",
		"နန်း", "ဒေါက်တာ", "ခွန်", "မန်း", "သခင်", "ရှင်", "ဦးဇင်း", "ရဲဘော်", "ပါမောက္ခ",
	} {
		add(h)
	}
	for _, svc := range Services() {
		for _, d := range rankTables[svc] {
			add(d.burmese)
		}
	}
	return m
}

// maxHonorificSyllables bounds how many syllables one Burmese title has
// (ဒုတိယဗိုလ်ချုပ်မှူးကြီး has seven).
const maxHonorificSyllables = 8

// nameUnit is one piece of a name while honorifics are removed: a Latin
// word or a Burmese syllable.
type nameUnit struct {
	latin string // the word, for a Latin unit
	text  string // the syllable's text, for a Burmese unit
	keys  []sylKey
}

// PrepareName prepares s for matching: invalid UTF-8 is repaired, Zawgyi
// converted when the detector is sure, the text normalised and folded,
// split into Burmese syllables and Latin words (which are split into
// syllables too), honorifics and ranks removed from the front (each kind
// once: "Daw", "U", "Dr.", "ဗိုလ်ကြီး", "Lt Col", …), and every syllable
// keyed as Romanize does.
func PrepareName(s string) Name {
	var units []nameUnit
	for _, t := range tokens(s) {
		if t.burmese {
			for _, b := range splitBurmese(t.runes) {
				o, r := b.key()
				units = append(units, nameUnit{text: string(t.runes[b.start:b.end]), keys: []sylKey{{o, r}}})
			}
			continue
		}
		units = append(units, nameUnit{latin: t.latin, keys: latinWordSyllables(t.latin, nil)})
	}
	// Strip leading honorifics, each at most once, never the whole name.
	skipUnits := 0
	var used []string
	for skipUnits < len(units)-1 {
		u := units[skipUnits]
		if u.latin != "" {
			if !latinHonorifics[u.latin] || slices.Contains(used, u.latin) {
				break
			}
			used = append(used, u.latin)
			skipUnits++
			continue
		}
		found := 0
		var b strings.Builder
		for k := 0; k < maxHonorificSyllables && skipUnits+k < len(units)-1; k++ {
			v := units[skipUnits+k]
			if v.latin != "" {
				break
			}
			b.WriteString(v.text)
			if h := b.String(); burmeseHonorifics[h] && !slices.Contains(used, h) {
				found = k + 1
			}
		}
		if found == 0 {
			break
		}
		var h strings.Builder
		for k := range found {
			h.WriteString(units[skipUnits+k].text)
		}
		used = append(used, h.String())
		skipUnits += found
	}
	var n Name
	for ui, u := range units {
		for _, k := range u.keys {
			if int(n.n) == maxNameSyllables {
				break
			}
			code, known := encodeSyl(k)
			if !known {
				if n.raw == nil {
					n.raw = make([]sylKey, maxNameSyllables)
				}
				n.raw[n.n] = k
			}
			n.syl[n.n] = code
			n.n++
		}
		if ui == skipUnits-1 {
			n.skip = n.n
		}
	}
	if n.skip >= n.n {
		n.skip = 0
	}
	return n
}

// Score compares two prepared names and returns a similarity in [0, 1]: 1
// when their syllables (after honorifics) are the same in any order. Each
// syllable of one name is paired with at most one of the other, best pairs
// first; a pair counts by how alike the two syllables are (onset class
// times rhyme class similarity); the sum is divided by the mean syllable
// count. The comparison is also made with either name's removed honorifics
// put back, and the best result counts: "Bo Bo" (a name) and ဘိုဘို still
// match although "Bo" was taken for a title. Score is symmetric.
func (n Name) Score(o Name) float64 {
	if n.n == 0 || o.n == 0 {
		return 0
	}
	// The greedy pairing breaks ties by position: always pair the same way
	// round so that Score is exactly symmetric.
	if nameLess(o, n) {
		n, o = o, n
	}
	// Same syllables in the same order: done.
	if n.n-n.skip == o.n-o.skip && n.raw == nil && o.raw == nil &&
		slices.Equal(n.syl[n.skip:n.n], o.syl[o.skip:o.n]) {
		return 1
	}
	var sim [maxNameSyllables][maxNameSyllables]float32
	for i := 0; i < int(n.n); i++ {
		for j := 0; j < int(o.n); j++ {
			sim[i][j] = n.sylSim(i, &o, j)
		}
	}
	best := assign(&sim, int(n.skip), int(n.n), int(o.skip), int(o.n))
	if n.skip > 0 {
		best = max(best, assign(&sim, 0, int(n.n), int(o.skip), int(o.n)))
	}
	if o.skip > 0 {
		best = max(best, assign(&sim, int(n.skip), int(n.n), 0, int(o.n)))
	}
	return best
}

// nameLess orders names by syllable count, skip, then codes.
func nameLess(a, b Name) bool {
	if a.n != b.n {
		return a.n < b.n
	}
	if a.skip != b.skip {
		return a.skip < b.skip
	}
	for i := range int(a.n) {
		if a.syl[i] != b.syl[i] {
			return a.syl[i] < b.syl[i]
		}
		if a.raw != nil && b.raw != nil {
			if c := strings.Compare(a.raw[i].String(), b.raw[i].String()); c != 0 {
				return c < 0
			}
		}
	}
	return false
}

// assign pairs rows [r0,r1) with columns [c0,c1) greedily, best first, and
// returns twice the total similarity over the number of syllables.
func assign(sim *[maxNameSyllables][maxNameSyllables]float32, r0, r1, c0, c1 int) float64 {
	var rowUsed, colUsed uint32
	var total float32
	for range min(r1-r0, c1-c0) {
		bi, bj := -1, -1
		var bv float32
		for i := r0; i < r1; i++ {
			if rowUsed&(1<<i) != 0 {
				continue
			}
			for j := c0; j < c1; j++ {
				if colUsed&(1<<j) == 0 && sim[i][j] > bv {
					bi, bj, bv = i, j, sim[i][j]
				}
			}
		}
		if bi < 0 {
			break
		}
		total += bv
		rowUsed |= 1 << bi
		colUsed |= 1 << bj
	}
	return float64(2*total) / float64(r1-r0+c1-c0)
}

func (n *Name) sylSim(i int, o *Name, j int) float32 {
	a, b := n.syl[i], o.syl[j]
	ao, bo := a>>8, b>>8
	ar, br := a&0xFF, b&0xFF
	var os, rs float32
	if ao != unknownClass && bo != unknownClass {
		os = onsetSim[ao][bo]
	} else {
		os = float32(stringSim(n.keyAt(i).onset, o.keyAt(j).onset))
	}
	if os == 0 {
		return 0
	}
	if ar != unknownClass && br != unknownClass {
		rs = rhymeSim[ar][br]
	} else {
		rs = float32(stringSim(n.keyAt(i).rhyme, o.keyAt(j).rhyme))
	}
	return os * rs
}

// stringSim is 1 minus the edit distance over the longer length.
func stringSim(a, b string) float64 {
	if a == b {
		return 1
	}
	ra, rb := []rune(a), []rune(b)
	l := max(len(ra), len(rb))
	d := editDistance(ra, rb, l)
	return 1 - float64(d)/float64(l)
}

// MatchNames returns how alike two names are, in [0, 1], whatever their
// scripts (Unicode Burmese, Zawgyi, Latin, or a mix): it is
// PrepareName(a).Score(PrepareName(b)). Names at or above MatchThreshold
// are possibly the same person. To compare one name with many, prepare
// each once and use Score.
func MatchNames(a, b string) float64 {
	return PrepareName(a).Score(PrepareName(b))
}

// Similarity of onset and rhyme classes: 1 for the same class, partial
// credit for classes that spellings and speakers confuse, 0 otherwise.
var (
	onsetSim = buildOnsetSim()
	rhymeSim = buildRhymeSim()
)

type classPair struct {
	a, b string
	v    float32
}

var onsetPairs = []classPair{
	{"t", "th", 0.6}, {"s", "sh", 0.6}, {"s", "th", 0.4}, {"k", "ky", 0.5}, {"p", "py", 0.5},
	{"m", "my", 0.5}, {"n", "ny", 0.5}, {"ng", "n", 0.5}, {"ng", "ny", 0.4}, {"l", "ly", 0.5},
	{"y", "ny", 0.4}, {"y", "ly", 0.4}, {"sh", "ly", 0.4}, {"", "h", 0.6}, {"", "y", 0.4},
	{"", "w", 0.4}, {"ky", "s", 0.3}, {"y", "l", 0.3},
}

var rhymePairs = []classPair{
	// the same vowel, nasal against stop final
	{"an", "at", 0.5}, {"in", "it", 0.5}, {"ein", "eik", 0.5}, {"ain", "aik", 0.5},
	{"un", "ut", 0.5}, {"oun", "ok", 0.5}, {"aun", "auk", 0.5},
	// the same vowel, open against closed
	{"a", "an", 0.5}, {"a", "at", 0.5}, {"i", "in", 0.5}, {"i", "it", 0.5}, {"u", "un", 0.5},
	{"u", "ut", 0.5}, {"e", "et", 0.5}, {"o", "oun", 0.5}, {"o", "ok", 0.5}, {"aw", "aun", 0.5},
	{"aw", "auk", 0.5}, {"e", "in", 0.3},
	// neighbouring vowels
	{"in", "ein", 0.7}, {"it", "eik", 0.6}, {"i", "e", 0.6}, {"u", "o", 0.6}, {"un", "oun", 0.7},
	{"ut", "ok", 0.6}, {"o", "aw", 0.6}, {"oun", "aun", 0.5}, {"ain", "ein", 0.6}, {"ain", "aun", 0.5},
	{"aik", "eik", 0.6}, {"aik", "auk", 0.5}, {"an", "in", 0.4}, {"an", "aun", 0.5}, {"at", "et", 0.6},
	{"a", "aw", 0.5}, {"a", "e", 0.3}, {"et", "it", 0.5}, {"an", "un", 0.4},
	// ည် is i or e
	{"ie", "i", 1}, {"ie", "e", 1}, {"ie", "in", 0.5}, {"ie", "it", 0.5}, {"ie", "et", 0.5},
}

func buildOnsetSim() [2 * 19][2 * 19]float32 {
	var m [2 * 19][2 * 19]float32
	base := map[[2]int]float32{}
	for i := range onsetClasses {
		base[[2]int{i, i}] = 1
	}
	for _, p := range onsetPairs {
		a, b := int(onsetID[p.a]), int(onsetID[p.b])
		base[[2]int{a, b}], base[[2]int{b, a}] = p.v, p.v
	}
	for x := range 2 * len(onsetClasses) {
		for y := range 2 * len(onsetClasses) {
			v := base[[2]int{x / 2, y / 2}]
			if x%2 != y%2 {
				v *= 0.8 // a medial w more or less
			}
			m[x][y] = v
		}
	}
	return m
}

func buildRhymeSim() [22][22]float32 {
	var m [22][22]float32
	for i := range rhymeClasses {
		m[i][i] = 1
	}
	for _, p := range rhymePairs {
		a, oka := rhymeID[p.a]
		b, okb := rhymeID[p.b]
		if !oka || !okb {
			continue
		}
		m[a][b], m[b][a] = p.v, p.v
	}
	return m
}
