package myanmar

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize puts text in the form Embrace stores and compares:
//
//   - control characters are removed, except line breaks (CR LF and lone CR
//     become LF; U+0085, U+2028 and U+2029 too); a tab is whitespace;
//   - invisible characters are removed: ZWSP, word joiner, BOM, soft hyphen,
//     bidirectional marks and embeddings, invisible operators, and zero-width
//     (non-)joiners except between two letters of a script that uses them
//     (a ZWJ inside an emoji sequence survives, one beside Myanmar, Latin,
//     a space or the end of the text does not);
//   - every run of horizontal whitespace becomes one ASCII space; lines are
//     trimmed, at most one blank line is kept between paragraphs and the
//     text is trimmed;
//   - a space directly before a combining mark is removed (Zawgyi-era text
//     often has " ါ" or " ့");
//   - the text is put in Unicode NFC;
//   - every Myanmar syllable is put in canonical storage order (UTN #11:
//     kinzi, consonant, stacked consonant, medials ya, ra, wa, ha, vowel E,
//     upper vowels, lower vowels, AA, anusvara, dot below, asat, visarga),
//     keeping an asat where it separates a contracted syllable (ကျွန်ုပ်);
//     a vowel E or medial RA typed before its consonant (visual order) is
//     moved after it; doubled marks are collapsed (ကိိ → ကိ).
//
// Normalize never converts Zawgyi (Clean does that first, when the detector
// says so) and is idempotent: Normalize(Normalize(s)) == Normalize(s).
// Invalid UTF-8 bytes become U+FFFD.
func Normalize(s string) string {
	if isPlainASCII(s) {
		return s
	}
	rs := cleanRunes(s)
	rs = resolveJoiners(rs)
	rs = collapseSpace(rs)
	t := string(rs)
	if !norm.NFC.IsNormalString(t) {
		t = norm.NFC.String(t)
	}
	if hasMyanmar(t) {
		t = string(normalizeMyanmar([]rune(t)))
	}
	return t
}

// isPlainASCII reports whether s is printable ASCII with single inner
// spaces and no space at either end: text Normalize leaves alone.
func isPlainASCII(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7F {
			return false
		}
		sp := c == ' '
		if sp && prevSpace {
			return false
		}
		prevSpace = sp
	}
	return true
}

func hasMyanmar(s string) bool {
	for _, r := range s {
		if isMyanmarRune(r) {
			return true
		}
	}
	return false
}

// isMyanmarRune reports whether r is in the Myanmar block or its extensions.
func isMyanmarRune(r rune) bool {
	return r >= 0x1000 && r <= 0x109F || r >= 0xAA60 && r <= 0xAA7F || r >= 0xA9E0 && r <= 0xA9FF
}

const (
	zwnj = '\u200C'
	zwj  = '\u200D'
)

// isInvisible reports code points that are removed outright.
func isInvisible(r rune) bool {
	switch {
	case r == '\u200B', r == '\u2060', r == '\uFEFF', r == '\u00AD', r == '\u180E', r == '\u034F':
		return true
	case r == '\u200E', r == '\u200F': // LRM, RLM
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2061' && r <= '\u2064', r >= '\u2066' && r <= '\u2069':
		return true
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE: // noncharacters
		return true
	}
	return false
}

// cleanRunes decodes s, drops controls and invisible characters, and maps
// whitespace to ' ' (horizontal) or '\n' (line breaks).
func cleanRunes(s string) []rune {
	rs := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				i++
			}
			rs = append(rs, '\n')
		case r == '\n', r == '\u0085', r == '\u2028', r == '\u2029':
			rs = append(rs, '\n')
		case r == '\t', r == '\v', r == '\f':
			rs = append(rs, ' ')
		case r < 0x20, r >= 0x7F && r < 0xA0:
			// other C0 and C1 controls and DEL: dropped
		case isInvisible(r):
		case r == ' ', r > 0x7F && unicode.IsSpace(r):
			rs = append(rs, ' ')
		default:
			rs = append(rs, r)
		}
	}
	return rs
}

// joinerNeighbour reports whether r may sit beside a kept ZWJ/ZWNJ: a
// letter or symbol of a script other than Myanmar and ASCII (emoji, Indic,
// Arabic, …), where joiners change rendering on purpose.
func joinerNeighbour(r rune) bool {
	return r > 0x7F && !isMyanmarRune(r) && r != zwj && r != zwnj && !unicode.IsSpace(r)
}

// resolveJoiners drops ZWJ and ZWNJ unless both neighbours are joinerNeighbours;
// of a run of joiners only the first is kept.
func resolveJoiners(rs []rune) []rune {
	if !slices.ContainsFunc(rs, func(r rune) bool { return r == zwj || r == zwnj }) {
		return rs
	}
	out := rs[:0]
	for i := 0; i < len(rs); {
		r := rs[i]
		if r != zwj && r != zwnj {
			out = append(out, r)
			i++
			continue
		}
		j := i
		for j < len(rs) && (rs[j] == zwj || rs[j] == zwnj) {
			j++
		}
		if len(out) > 0 && joinerNeighbour(out[len(out)-1]) && j < len(rs) && joinerNeighbour(rs[j]) {
			out = append(out, r)
		}
		i = j
	}
	return out
}

// isMark reports combining marks (general categories Mn, Mc, Me).
func isMark(r rune) bool {
	if r < 0x300 {
		return false
	}
	if r >= 0x1000 && r <= 0x109F {
		return isMyanmarMark(r) || unicode.IsMark(r)
	}
	return unicode.IsMark(r)
}

// collapseSpace collapses whitespace runs, trims lines and the text, keeps
// at most one blank line, and drops a space before a combining mark.
func collapseSpace(rs []rune) []rune {
	out := rs[:0]
	pendingSpace := false
	newlines := 0
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch r {
		case ' ':
			pendingSpace = true
			continue
		case '\n':
			pendingSpace = false
			if len(out) > 0 {
				newlines++
			}
			continue
		}
		if newlines > 0 {
			out = append(out, '\n')
			if newlines > 1 {
				out = append(out, '\n')
			}
			newlines = 0
			pendingSpace = false
		}
		if pendingSpace && len(out) > 0 && out[len(out)-1] != '\n' && !isMark(r) {
			out = append(out, ' ')
		}
		pendingSpace = false
		out = append(out, r)
	}
	return out
}

// Myanmar syllable order.

func isConsonant(r rune) bool { return r >= 0x1000 && r <= 0x1021 }

// isMyanmarMark reports the Burmese dependent signs that take part in
// syllable reordering.
func isMyanmarMark(r rune) bool { return r >= 0x102B && r <= 0x103E }

// markWeight orders the signs of one syllable (UTN #11). A stacked
// consonant (U+1039 + consonant) is one unit with the weight of U+1039.
func markWeight(r rune) int {
	switch r {
	case 0x1039: // a stacked consonant (a lone U+1039 is weighed as an asat)
		return 1
	case 0x103B:
		return 2
	case 0x103C:
		return 3
	case 0x103D:
		return 4
	case 0x103E:
		return 5
	case 0x1031:
		return 6
	case 0x102D, 0x102E, 0x1032:
		return 7
	case 0x102F, 0x1030:
		return 8
	case 0x102B, 0x102C:
		return 9
	case 0x1033, 0x1034, 0x1035: // Mon and other-language vowels
		return 9
	case 0x1036:
		return 10
	case 0x1037:
		return 11
	case 0x103A:
		return 12
	case 0x1038:
		return 13
	}
	return 14
}

// unit is one reorderable piece of a syllable: a sign, or a stacked
// consonant (U+1039 and the consonant under it).
type unit struct {
	a, b rune // b == 0 unless a == U+1039 with a consonant under it
}

// normalizeMyanmar reorders the signs of every Myanmar syllable in rs.
func normalizeMyanmar(rs []rune) []rune {
	out := make([]rune, 0, len(rs)+4)
	var units []unit
	for i := 0; i < len(rs); {
		r := rs[i]
		// Kinzi: NGA, asat, virama before a consonant. Keep it as written;
		// the consonant after it starts the syllable.
		if r == 0x1004 && i+3 < len(rs) && rs[i+1] == 0x103A && rs[i+2] == 0x1039 && isConsonant(rs[i+3]) {
			out = append(out, rs[i:i+3]...)
			i += 3
			continue
		}
		// A vowel E and/or medial RA typed before its consonant (visual
		// order): only where nothing precedes them that they could belong
		// to.
		pre := 0
		if (r == 0x1031 || r == 0x103C) && (len(out) == 0 || !isMyanmarRune(out[len(out)-1]) || isMyanmarDigitOrPunct(out[len(out)-1])) {
			j := i
			for j < len(rs) && (rs[j] == 0x1031 || rs[j] == 0x103C) {
				j++
			}
			if j < len(rs) && isConsonant(rs[j]) {
				pre = j - i
			}
		}
		base := i + pre
		if !isMyanmarBase(rs[base]) {
			out = append(out, r)
			i++
			continue
		}
		units = units[:0]
		for _, p := range rs[i:base] {
			units = append(units, unit{a: p})
		}
		j := base + 1
		for j < len(rs) {
			c := rs[j]
			if c == 0x1039 && j+1 < len(rs) && isConsonant(rs[j+1]) {
				units = append(units, unit{a: c, b: rs[j+1]})
				j += 2
				continue
			}
			if c == 0x103A && j+2 < len(rs) && rs[j+1] == 0x1039 && isConsonant(rs[j+2]) && rs[j-1] == 0x1004 {
				break // a kinzi on the next syllable
			}
			if !isMyanmarMark(c) {
				break
			}
			units = append(units, unit{a: c})
			j++
		}
		out = append(out, rs[base])
		out = appendUnits(out, rs[base], orderUnits(units))
		i = j
	}
	return out
}

func isMyanmarDigitOrPunct(r rune) bool { return r >= 0x1040 && r <= 0x104F }

// isMyanmarBase reports code points that can carry Burmese signs.
func isMyanmarBase(r rune) bool {
	return r >= 0x1000 && r <= 0x102A || r == 0x103F || r >= 0x1040 && r <= 0x1049 ||
		r >= 0x1050 && r <= 0x1055 || r >= 0x105A && r <= 0x105D || r == 0x1061 ||
		r == 0x1065 || r == 0x1066 || r >= 0x106E && r <= 0x1070 || r >= 0x1075 && r <= 0x1081 ||
		r == 0x108E || r == 0x104E
}

// orderUnits sorts the signs of one syllable. Asats (and stray viramas,
// which are asats in Zawgyi) split the signs into groups that are sorted
// separately, so an asat that ends a contracted syllable inside a word (န်
// in ကျွန်ုပ်) stays where it is, and a stray virama never ends up before a
// consonant it would then stack; a dot below
// goes before an adjacent asat (as NFC requires); identical neighbours are
// collapsed. The steps are repeated until nothing changes, which makes the
// result a fixed point.
func orderUnits(units []unit) []unit {
	for range 4 {
		changed := false
		start := 0
		for k := 0; k <= len(units); k++ {
			if k == len(units) || units[k].killer() {
				seg := units[start:k]
				if !slices.IsSortedFunc(seg, cmpUnit) {
					slices.SortStableFunc(seg, cmpUnit)
					changed = true
				}
				start = k + 1
			}
		}
		for k := 0; k+1 < len(units); k++ {
			if units[k].killer() && units[k+1] == (unit{a: 0x1037}) {
				units[k], units[k+1] = units[k+1], units[k]
				changed = true
			}
		}
		dedup := slices.Compact(units)
		if len(dedup) != len(units) {
			changed = true
		}
		units = dedup
		if !changed {
			break
		}
	}
	return units
}

func cmpUnit(x, y unit) int { return unitWeight(x) - unitWeight(y) }

func unitWeight(u unit) int {
	if u.a == 0x1039 && u.b == 0 {
		return markWeight(0x103A) // a virama with nothing under it
	}
	return markWeight(u.a)
}

// killer reports an asat or a lone virama: canonical combining class 9,
// which NFC puts after a dot below (class 7).
func (u unit) killer() bool { return (u.a == 0x103A || u.a == 0x1039) && u.b == 0 }

func appendUnits(out []rune, base rune, units []unit) []rune {
	for k, u := range units {
		// ဥ + ီ is canonically ဦ (NFC composes it).
		if k == 0 && base == 0x1025 && u == (unit{a: 0x102E}) {
			out[len(out)-1] = 0x1026
			continue
		}
		out = append(out, u.a)
		if u.b != 0 {
			out = append(out, u.b)
		}
	}
	return out
}

// FoldForMatch returns the form of s used only for comparing and indexing,
// never for display or storage: Normalize, then
//
//   - Myanmar digits used as letters become the letters they imitate: ၀
//     (zero) → ဝ (WA), ၇ (seven) → ရ (RA), ၄ (four) → ၎ — but only beside
//     a Myanmar letter or sign and not beside another digit, so numbers are
//     kept;
//   - ဥ (U+1025) and ဉ (U+1009) fold together to ဉ, ဦ to ဉ + ီ;
//   - စျ → ဈ, ဩ → သြ, ဪ → သြော်;
//   - Latin letters are lower-cased and lose their diacritics (é → e).
//
// FoldForMatch is idempotent.
func FoldForMatch(s string) string {
	t := Normalize(s)
	f := foldRunes([]rune(t), true)
	if hasMyanmar(string(f)) {
		f = normalizeMyanmar(f)
	}
	return string(f)
}

// foldRunes applies the look-alike folds; withVowelU folds ဥ/ဉ together
// (FoldForMatch does, the romaniser does not, because it needs to tell the
// vowel ဥ from the final ဉ်).
func foldRunes(rs []rune, withVowelU bool) []rune {
	out := make([]rune, 0, len(rs)+2)
	for i, r := range rs {
		switch {
		case r < 0x80:
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			out = append(out, r)
		case r == 0x1040 || r == 0x1047 || r == 0x1044:
			if digitAsLetter(rs, i) {
				switch r {
				case 0x1040:
					r = 0x101D
				case 0x1047:
					r = 0x101B
				case 0x1044:
					r = 0x104E
				}
			}
			out = append(out, r)
		case r == 0x1025 && withVowelU:
			out = append(out, 0x1009)
		case r == 0x1026 && withVowelU:
			out = append(out, 0x1009, 0x102E)
		case r == 0x103B && len(out) > 0 && out[len(out)-1] == 0x1005:
			out[len(out)-1] = 0x1008
		case r == 0x1029:
			out = append(out, 0x101E, 0x103C)
		case r == 0x102A:
			out = append(out, 0x101E, 0x103C, 0x1031, 0x102C, 0x103A)
		case r >= 0x300 && r <= 0x36F && len(out) > 0 && out[len(out)-1] < 0x80:
			// a combining diacritic on a Latin letter: dropped
		case r < 0x250:
			out = append(out, foldLatin(r)...)
		default:
			out = append(out, unicode.ToLower(r))
		}
	}
	return out
}

// foldLatin lower-cases a Latin-1 or Latin Extended-A/B letter and strips
// its diacritics.
func foldLatin(r rune) []rune {
	r = unicode.ToLower(r)
	switch r {
	case 'ß':
		return []rune("ss")
	case 'æ':
		return []rune("ae")
	case 'ø':
		return []rune{'o'}
	case 'đ', 'ð':
		return []rune{'d'}
	case 'ł':
		return []rune{'l'}
	}
	d := norm.NFD.String(string(r))
	if d != "" && d[0] < 0x80 && (d[0] >= 'a' && d[0] <= 'z') {
		return []rune{rune(d[0])}
	}
	return []rune{r}
}

// digitAsLetter reports whether the Myanmar digit at rs[i] stands for a
// letter: it touches a Myanmar letter or sign and no digit.
func digitAsLetter(rs []rune, i int) bool {
	isDigit := func(r rune) bool { return r >= '0' && r <= '9' || r >= 0x1040 && r <= 0x1049 }
	isLetter := func(r rune) bool {
		return isMyanmarRune(r) && !(r >= 0x1040 && r <= 0x104F)
	}
	var prev, next rune = -1, -1
	if i > 0 {
		prev = rs[i-1]
	}
	if i+1 < len(rs) {
		next = rs[i+1]
	}
	if isDigit(prev) || isDigit(next) {
		return false
	}
	return isLetter(prev) || isLetter(next)
}

// foldKey is FoldForMatch for internal lookups that also ignore spaces and
// punctuation.
func foldKey(s string) string {
	f := FoldForMatch(s)
	var b strings.Builder
	b.Grow(len(f))
	for _, r := range f {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || isMark(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
