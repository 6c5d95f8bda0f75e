package myanmar

import (
	"strings"
)

// Romanisation into a matching key.
//
// Burmese names are romanised in many ways: ဝင်း is Win, Winn or Wynn; ခိုင်
// is Khine or Khaing; ထူး is Htoo or Htue. A key is built so that the
// usual variants coincide, syllable by syllable: each syllable becomes an
// onset class and a rhyme class, written in Latin letters.
//
// Onsets ignore what romanisations do not agree on: aspiration (k/kh,
// t/ht, p/hp/ph, s/hs), voicing, which Burmese changes inside compounds
// (k/g, t/d, p/b, s/z, ky/gy/ch/j), the Burmese letters that sound alike
// (ယ/ရ and Latin y/r), and a prefixed h on nasals and l (hm, hn, hl). They
// keep what distinguishes names: th (သ) against t, sh (ရှ) against s, the
// medials ky, py, my, ly, ny and the medial w.
//
// Rhymes are the vowel and final together, as pronounced: ို+င် is "ain"
// whether written -aing or -ine, ော+င် is "aun" (-aung, -oung), final
// stops merge (-t, -tt, -k, -p), final nasals merge (-n, -nn, -ng, -m, -nt),
// and tone marks are ignored. The rhyme classes are
//
//	a an at e et i in it ein eik ain aik u un ut o oun ok aw aun auk ie
//
// where "ie" is the rhyme of ည်, which is said and spelt i (ကြည် Kyi) or e
// (ပြည့် Pyae): it matches both, and keys write it "i". A Latin spelling
// outside the classes keeps its own letters.
//
// The keys are for matching only: they lose information on purpose and are
// not a romanisation to show anyone.

// Onset and rhyme classes. The order is the numbering used by Name.
var (
	onsetClasses = []string{"", "k", "ky", "ng", "s", "ny", "t", "th", "n", "p", "py", "m", "my", "y", "l", "ly", "w", "h", "sh"}
	rhymeClasses = []string{"a", "an", "at", "e", "et", "i", "in", "it", "ein", "eik", "ain", "aik", "u", "un", "ut", "o", "oun", "ok", "aw", "aun", "auk", "ie"}
)

// consonantOnset maps a Burmese consonant (U+1000..U+1021, U+103F) to its
// onset class.
func consonantOnset(c rune) string {
	switch c {
	case 'က', 'ခ', 'ဂ', 'ဃ':
		return "k"
	case 'င':
		return "ng"
	case 'စ', 'ဆ', 'ဇ', 'ဈ':
		return "s"
	case 'ဉ', 'ည':
		return "ny"
	case 'ဋ', 'ဌ', 'ဍ', 'ဎ', 'တ', 'ထ', 'ဒ', 'ဓ':
		return "t"
	case 'ဏ', 'န':
		return "n"
	case 'ပ', 'ဖ', 'ဗ', 'ဘ':
		return "p"
	case 'မ':
		return "m"
	case 'ယ', 'ရ':
		return "y"
	case 'လ', 'ဠ':
		return "l"
	case 'ဝ':
		return "w"
	case 'သ', 'ဿ':
		return "th"
	case 'ဟ':
		return "h"
	}
	return "" // အ and the independent vowels
}

// final classes of a Burmese syllable-final consonant.
type finalClass uint8

const (
	finNone   finalClass = iota
	finStop              // က် etc.: -k
	finNg                // င်
	finS                 // စ်: -it
	finNy                // ဉ်: -in
	finNyi               // ည်: -i
	finT                 // တ် ပ် and the retroflexes: -t
	finN                 // န် မ် ဏ်: -n
	finY                 // ယ်: -e
	finSilent            // လ် and others that are not pronounced
)

func consonantFinal(c rune) finalClass {
	switch c {
	case 'က', 'ခ', 'ဂ', 'ဃ':
		return finStop
	case 'င':
		return finNg
	case 'စ', 'ဆ', 'ဇ', 'ဈ':
		return finS
	case 'ဉ':
		return finNy
	case 'ည':
		return finNyi
	case 'ဋ', 'ဌ', 'ဍ', 'ဎ', 'တ', 'ထ', 'ဒ', 'ဓ', 'ပ', 'ဖ', 'ဗ', 'ဘ', 'သ':
		return finT
	case 'ဏ', 'န', 'မ':
		return finN
	case 'ယ':
		return finY
	}
	return finSilent
}

type vowelClass uint8

const (
	vA  vowelClass = iota // inherent, ာ
	vI                    // ိ ီ
	vU                    // ု ူ
	vE                    // ေ
	vAI                   // ဲ
	vAW                   // ော
	vO                    // ို
)

// bsyl is one Burmese syllable being read.
type bsyl struct {
	onset              rune // consonant or independent vowel
	medY, medW, medH   bool
	e, aa, i, u, ai, m bool // vowel signs; m is the anusvara ံ
	final              rune
	start, end         int // where the syllable is in the run
}

func (s *bsyl) vowel() vowelClass {
	switch s.onset {
	case 'ဣ', 'ဤ':
		return vI
	case 'ဥ', 'ဦ':
		return vU
	case 'ဧ':
		return vE
	case 'ဩ', 'ဪ':
		return vAW
	}
	switch {
	case s.e && s.aa:
		return vAW
	case s.i && s.u:
		return vO
	case s.e:
		return vE
	case s.ai:
		return vAI
	case s.i:
		return vI
	case s.u:
		return vU
	}
	return vA
}

// key returns the syllable's onset and rhyme classes.
func (s *bsyl) key() (onset, rhyme string) {
	v := s.vowel()
	fin := finNone
	if s.final != 0 {
		fin = consonantFinal(s.final)
	}
	keepW := s.medW
	switch {
	case s.m: // anusvara
		switch {
		case v == vU:
			rhyme = "oun"
		case v == vI:
			rhyme = "ein"
		case s.medW && v == vA:
			rhyme, keepW = "un", false
		default:
			rhyme = "an"
		}
	case fin == finNone || fin == finSilent:
		rhyme = [...]string{vA: "a", vI: "i", vU: "u", vE: "e", vAI: "e", vAW: "aw", vO: "o"}[v]
	default:
		rhyme = closedRhyme(v, fin)
		if v == vA && s.medW && (fin == finT || fin == finN) {
			rhyme = map[finalClass]string{finT: "ut", finN: "un"}[fin]
			keepW = false
		}
	}
	onset = burmeseOnset(s.onset, s.medY, s.medH)
	if keepW && onset != "w" {
		onset += "w"
	}
	return onset, rhyme
}

func closedRhyme(v vowelClass, f finalClass) string {
	switch f {
	case finY:
		return "e"
	case finNyi:
		if v == vA {
			return rhymeNyi
		}
	}
	nasal := f == finNg || f == finN || f == finNy
	switch v {
	case vA, vE, vAI:
		switch f {
		case finStop:
			return "et"
		case finNg, finNy:
			return "in"
		case finS:
			return "it"
		case finT:
			return "at"
		case finN:
			return "an"
		}
	case vI:
		if nasal {
			return "ein"
		}
		return "eik"
	case vU:
		if nasal {
			return "oun"
		}
		return "ok"
	case vAW:
		if nasal {
			return "aun"
		}
		return "auk"
	case vO:
		if nasal {
			return "ain"
		}
		return "aik"
	}
	return "a"
}

func burmeseOnset(c rune, medY, medH bool) string {
	base := consonantOnset(c)
	if medY {
		switch base {
		case "k":
			base = "ky"
		case "p":
			base = "py"
		case "m":
			base = "my"
		case "l":
			base = "ly"
		case "ng", "n":
			base = "ny"
		}
	}
	if medH {
		switch base {
		case "y", "ly":
			base = "sh"
		}
	}
	return base
}

// isBurmeseLetter reports consonants and independent vowels.
func isBurmeseLetter(r rune) bool {
	return r >= 0x1000 && r <= 0x102A || r == 0x103F
}

// splitBurmese splits a run of Burmese (Unicode, normalised) into
// syllables; each records where it starts and ends in rs.
func splitBurmese(rs []rune) []bsyl {
	var syls []bsyl
	var cur *bsyl
	flush := func(end int) {
		if cur != nil {
			cur.end = end
			syls = append(syls, *cur)
			cur = nil
		}
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		if isBurmeseLetter(r) {
			if cur != nil && cur.final == 0 && !isIndependentVowel(r) {
				// Kinzi: င်္ closes the syllable before it.
				if r == 'င' && i+2 < len(rs) && rs[i+1] == 0x103A && rs[i+2] == 0x1039 {
					cur.final = r
					i += 3
					continue
				}
				// A stacked consonant's upper half closes the syllable.
				if i+1 < len(rs) && rs[i+1] == 0x1039 {
					cur.final = r
					i += 2
					continue
				}
				j := i + 1
				for j < len(rs) && rs[j] == 0x1037 {
					j++
				}
				if j < len(rs) && rs[j] == 0x103A {
					cur.final = r
					i = j + 1
					continue
				}
			}
			flush(i)
			cur = &bsyl{onset: r, start: i}
			i++
			continue
		}
		if r < 0x102B || r > 0x103E || cur == nil {
			i++
			continue // digits, punctuation and other signs carry no sound here
		}
		isVowel := r >= 0x102B && r <= 0x1032 || r == 0x1036
		if cur.final != 0 && isVowel {
			// A vowel after a final (ကျွန်ုပ်): the final also starts a
			// new syllable.
			f := cur.final
			flush(i)
			cur = &bsyl{onset: f, start: i}
		}
		switch r {
		case 0x103B, 0x103C:
			cur.medY = true
		case 0x103D:
			cur.medW = true
		case 0x103E:
			cur.medH = true
		case 0x1031:
			cur.e = true
		case 0x102B, 0x102C:
			cur.aa = true
		case 0x102D, 0x102E:
			cur.i = true
		case 0x102F, 0x1030:
			cur.u = true
		case 0x1032:
			cur.ai = true
		case 0x1036:
			cur.m = true
		}
		i++
	}
	flush(len(rs))
	return syls
}

func isIndependentVowel(r rune) bool {
	switch r {
	case 'အ', 'ဣ', 'ဤ', 'ဥ', 'ဦ', 'ဧ', 'ဩ', 'ဪ':
		return true
	}
	return false
}

// burmeseSyllables appends the keys of the syllables of a Burmese run.
func burmeseSyllables(rs []rune, dst []sylKey) []sylKey {
	for _, s := range splitBurmese(rs) {
		o, r := s.key()
		dst = append(dst, sylKey{o, r})
	}
	return dst
}

// sylKey is one syllable of a key: onset class and rhyme class (or, for a
// Latin spelling outside the classes, its own letters).
type sylKey struct{ onset, rhyme string }

// String writes the key as Romanize does.
func (k sylKey) String() string {
	if k.rhyme == rhymeNyi {
		return k.onset + "i"
	}
	return k.onset + k.rhyme
}

// rhymeNyi is the class of the rhyme ည်, written "i".
const rhymeNyi = "ie"

// Latin.

// latinOnsets maps Latin consonant clusters to onset classes.
var latinOnsets = map[string]string{
	"k": "k", "kh": "k", "g": "k", "gh": "k", "c": "k", "q": "k",
	"ky": "ky", "gy": "ky", "khy": "ky", "ch": "ky", "chy": "ky", "j": "ky", "jy": "ky", "kj": "ky",
	"kr": "ky", "gr": "ky", "khr": "ky",
	"ng": "ng", "hng": "ng",
	"s": "s", "hs": "s", "z": "s", "ts": "s", "x": "s", "zh": "s",
	"ny": "ny", "hny": "ny",
	"t": "t", "ht": "t", "d": "t", "dh": "t",
	"th": "th",
	"n":  "n", "hn": "n",
	"p": "p", "hp": "p", "ph": "p", "b": "p", "bh": "p", "f": "p",
	"py": "py", "hpy": "py", "phy": "py", "by": "py", "bhy": "py", "pr": "py", "br": "py", "phr": "py",
	"m": "m", "hm": "m",
	"my": "my", "hmy": "my", "mr": "my",
	"y": "y", "r": "y",
	"l": "l", "hl": "l",
	"ly": "ly", "hly": "sh",
	"w": "w", "hw": "w", "v": "w", "wh": "w",
	"h":  "h",
	"sh": "sh", "hsh": "sh", "shy": "sh",
}

// latinOnset returns the onset class of a consonant cluster, with a
// trailing medial w, and whether the cluster is a known onset.
func latinOnset(c string) (string, bool) {
	if o, ok := latinOnsets[c]; ok {
		return o, true
	}
	if len(c) > 1 && c[len(c)-1] == 'w' {
		if o, ok := latinOnsets[c[:len(c)-1]]; ok && o != "w" {
			return o + "w", true
		}
	}
	return c, false
}

func isLatinVowel(c byte) bool {
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'
}

// latinWordSyllables splits one lower-case ASCII word into syllables and
// appends their keys.
func latinWordSyllables(w string, dst []sylKey) []sylKey {
	if w == "" {
		return dst
	}
	if x, ok := latinAbbrev[w]; ok {
		w = x
	}
	// Classify letters: vowel or consonant. y and w are consonants before a
	// vowel; y elsewhere is a vowel, w after a vowel is part of it.
	n := len(w)
	vowel := make([]bool, n)
	for i := 0; i < n; i++ {
		c := w[i]
		switch {
		case isLatinVowel(c):
			vowel[i] = true
		case c == 'y':
			next := i+1 < n && isLatinVowel(w[i+1])
			// "aye" at the end: the y belongs to the vowel (Aye, Htaye).
			yeEnd := i > 0 && vowel[i-1] && i+2 == n && w[i+1] == 'e'
			vowel[i] = !next || yeEnd
			if yeEnd {
				vowel[i+1] = true
				i++
			}
		case c == 'w':
			next := i+1 < n && (isLatinVowel(w[i+1]) || w[i+1] == 'y')
			vowel[i] = i > 0 && vowel[i-1] && !next
		}
	}
	// A word with no vowel (an initial, an abbreviation) is kept as it is.
	hasVowel := false
	for _, v := range vowel {
		hasVowel = hasVowel || v
	}
	if !hasVowel {
		return append(dst, sylKey{onset: w})
	}
	i := 0
	onsetStart := 0
	for i < n {
		// onset: consonants up to the vowel
		for i < n && !vowel[i] {
			i++
		}
		onset := w[onsetStart:i]
		vs := i
		for i < n && vowel[i] {
			i++
		}
		nucleus := w[vs:i]
		cs := i
		for i < n && !vowel[i] {
			i++
		}
		cons := w[cs:i]
		var coda string
		switch {
		case i == n:
			coda = cons
			onsetStart = i
		case i == n-1 && w[i] == 'e' && len(cons) >= 1 && len(cons) <= 2 && len(nucleus) == 1:
			// A silent e: Khine, Thane, Phone, Htike.
			coda = cons
			nucleus = silentE(nucleus)
			i = n
			onsetStart = n
		default:
			coda, onsetStart = splitCluster(w, cs, i)
		}
		o, _ := latinOnset(onset)
		dst = append(dst, sylKey{o, latinRhyme(nucleus, coda)})
		i = onsetStart
	}
	return dst
}

// latinAbbrev expands abbreviations common in Burmese names.
var latinAbbrev = map[string]string{"mg": "maung"}

func silentE(nucleus string) string {
	switch nucleus {
	case "i", "y":
		return "ai"
	case "a":
		return "ei"
	}
	return nucleus
}

// splitCluster splits the consonants w[cs:ce] between two vowels into the
// coda of one syllable and the onset of the next, preferring the longest
// onset that is a known cluster. It returns the coda and where the next
// onset starts.
func splitCluster(w string, cs, ce int) (string, int) {
	c := w[cs:ce]
	if c == "ng" {
		return "ng", ce // Aungaung: "ng" before a vowel ends the syllable
	}
	if (c == "hm" || c == "hn") && cs > 0 && w[cs-1] == 'o' {
		// Ohmar, Ohnmar (ဥမ္မာ): the nasal closes one syllable and opens
		// the next, as the stacked consonant does in Burmese.
		return c, ce - 1
	}
	for k := 0; k < len(c); k++ {
		if _, ok := latinOnset(c[k:]); ok && (k == 0 || knownCoda(c[:k])) {
			return c[:k], cs + k
		}
	}
	return c[:len(c)-1], ce - 1
}

func knownCoda(c string) bool {
	_, ok := codaClass(c)
	return ok
}

// codaClass classifies a Latin final: "" (none, or a silent r/h/l), "n"
// (nasal), "ng", "t" (t, d, p) or "k".
func codaClass(c string) (string, bool) {
	switch c {
	case "", "r", "h", "l", "rr", "hh":
		return "", true
	case "n", "nn", "m", "mm", "nt", "nd", "hn", "hm", "rn", "mp", "nh", "ns":
		return "n", true
	case "ng", "nng", "ngg", "ngh":
		return "ng", true
	case "t", "tt", "d", "dd", "p", "pp", "th", "tte":
		return "t", true
	case "k", "kk", "q", "c", "ck", "g", "ik":
		return "k", true
	}
	return c, false
}

// latinRhyme maps a Latin nucleus and coda to a rhyme class.
func latinRhyme(nucleus, coda string) string {
	cc, ok := codaClass(coda)
	if !ok {
		return nucleus + coda
	}
	var v string
	switch nucleus {
	case "a", "aa":
		v = "A"
	case "e", "eh":
		v = "E"
	case "ai", "ay", "ae", "aye", "ey", "aie", "aey":
		v = "AI"
	case "ei", "eiy", "eii":
		v = "EI"
	case "i", "ee", "ii", "y", "ie", "yi", "iy", "ea":
		v = "I"
	case "u", "oo", "uu", "ue", "ooh", "oou":
		v = "U"
	case "ou", "ow", "oun":
		v = "OU"
	case "o", "oe", "oa", "oh":
		v = "O"
	case "aw", "au", "ao", "aou", "aw'":
		v = "AU"
	default:
		return nucleus + coda
	}
	r, found := latinRhymes[vowelCoda{v, cc}]
	if !found {
		return nucleus + coda
	}
	return r
}

type vowelCoda struct{ v, c string }

// latinRhymes maps a vowel group and coda class to a rhyme class.
var latinRhymes = map[vowelCoda]string{
	{"A", ""}: "a", {"E", ""}: "e", {"AI", ""}: "e", {"EI", ""}: "i", {"I", ""}: "i",
	{"U", ""}: "u", {"OU", ""}: "u", {"O", ""}: "o", {"AU", ""}: "aw",

	{"A", "n"}: "an", {"E", "n"}: "in", {"AI", "n"}: "ain", {"EI", "n"}: "ein", {"I", "n"}: "in",
	{"U", "n"}: "un", {"OU", "n"}: "oun", {"O", "n"}: "oun", {"AU", "n"}: "aun",

	{"A", "ng"}: "an", {"E", "ng"}: "in", {"AI", "ng"}: "ain", {"EI", "ng"}: "ein", {"I", "ng"}: "in",
	{"U", "ng"}: "un", {"OU", "ng"}: "aun", {"O", "ng"}: "aun", {"AU", "ng"}: "aun",

	{"A", "t"}: "at", {"E", "t"}: "et", {"AI", "t"}: "aik", {"EI", "t"}: "eik", {"I", "t"}: "it",
	{"U", "t"}: "ut", {"OU", "t"}: "ok", {"O", "t"}: "ok", {"AU", "t"}: "auk",

	{"A", "k"}: "et", {"E", "k"}: "et", {"AI", "k"}: "aik", {"EI", "k"}: "eik", {"I", "k"}: "it",
	{"U", "k"}: "ok", {"OU", "k"}: "auk", {"O", "k"}: "ok", {"AU", "k"}: "auk",
}

// keys returns the syllable keys of s: Burmese runs (Zawgyi converted when
// the detector is sure) and Latin words; digits and other scripts are
// skipped.
func keys(s string, dst []sylKey) []sylKey {
	for _, tok := range tokens(s) {
		dst = tok.appendKeys(dst)
	}
	return dst
}

// token is one word of a name: a run of Burmese or of Latin letters.
type token struct {
	burmese bool
	runes   []rune // Burmese, normalised
	latin   string // Latin, folded to lower-case ASCII
}

func (t token) appendKeys(dst []sylKey) []sylKey {
	if t.burmese {
		return burmeseSyllables(t.runes, dst)
	}
	return latinWordSyllables(t.latin, dst)
}

// tokens prepares s (UTF-8 repaired, Zawgyi converted, normalised, digit
// look-alikes folded) and splits it into Burmese and Latin words.
func tokens(s string) []token {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if ZawgyiProbability(s) >= ZawgyiThreshold {
		s = ZawgyiToUnicode(s)
	}
	rs := foldRunes([]rune(Normalize(s)), false)
	var out []token
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isMyanmarRune(r) && !(r >= 0x1040 && r <= 0x104F):
			j := i
			for j < len(rs) && isMyanmarRune(rs[j]) && !(rs[j] >= 0x1040 && rs[j] <= 0x104F && rs[j] != 0x104E) {
				j++
			}
			out = append(out, token{burmese: true, runes: rs[i:j]})
			i = j
		case r < 0x80 && (r >= 'a' && r <= 'z'):
			j := i
			for j < len(rs) && rs[j] >= 'a' && rs[j] <= 'z' {
				j++
			}
			out = append(out, token{latin: string(rs[i:j])})
			i = j
		default:
			i++
		}
	}
	return out
}

// Romanize returns the matching key of s (see the package documentation):
// one key per syllable, separated by single spaces, in the order of s.
// Burmese (Unicode, or Zawgyi the detector is sure of) is keyed syllable by
// syllable; Latin words in s are keyed as LatinKey does, so
// Romanize("ဝင်း") == LatinKey("Wynn") == "win". Digits, punctuation and
// other scripts are dropped. Honorifics are kept: MatchNames removes them.
func Romanize(s string) string {
	return joinKeys(keys(s, nil))
}

// LatinKey returns the matching key of a Latin spelling, in the same key
// space as Romanize: LatinKey("Khaing") == LatinKey("Khine") ==
// Romanize("ခိုင်") == "kain". Words are split into syllables (Thandar →
// than + dar); letters other than Latin ones are ignored.
func LatinKey(s string) string {
	var ks []sylKey
	for _, tok := range tokens(s) {
		if !tok.burmese {
			ks = tok.appendKeys(ks)
		}
	}
	return joinKeys(ks)
}

func joinKeys(ks []sylKey) string {
	var b strings.Builder
	for i, k := range ks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k.String())
	}
	return b.String()
}
