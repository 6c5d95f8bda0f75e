package myanmar

// An interpreter for the subset of ICU transform-rule syntax that the
// published Zawgyi→Unicode rules (data/myanmar-tools/my-t-my-s0-zawgyi.txt)
// use. The semantics follow ICU's RuleBasedTransliterator:
//
//   - "::Null;" lines split the rules into phases; each phase runs over the
//     whole text before the next starts.
//   - Within a phase a cursor walks the text. At each position the rules are
//     tried in file order; the first whose pattern matches at the cursor
//     replaces the matched text with its output and the cursor moves to the
//     end of the output (or to the "|" in the output). If no rule matches,
//     the cursor advances one code point. Output is therefore never
//     rescanned by the same phase unless a rule asks for it with "|".
//   - Quantifiers (*, +, ?) are greedy. ICU makes them possessive (they
//     never give back what they took); the regular-expression converters
//     that upstream generated from the same file (JavaScript, Java, …)
//     backtrack. The two readings differ for exactly one rule of the file,
//     "$wspace* \u200b $wspace* → \u200b;": $wspace contains U+200B, so
//     under ICU the rule can never match, while the generated converters
//     (and upstream's published test pairs) collapse spaces around a ZWSP.
//     We backtrack, so that both published test sets are reproduced. Rules
//     where the two readings cannot differ (a quantifier's set is disjoint
//     from whatever may follow it) run on a faster non-backtracking matcher;
//     which rules need backtracking is worked out when the rules are parsed.
//   - "^" matches only when the cursor is at the start of the text, "$" only
//     when the match ends at its end.
//   - Escapes are ICU's: \u with 4 hex digits, \U with 8, \x with 2, \x{…}, and an octal
//     escape for \0…\7 (which is how ICU reads the typo "\1u36" in the
//     file: U+0001 followed by the literals 'u', '3', '6').
//
// Supported syntax: variables ($name = a set, or a sequence;), sets with
// ranges, escapes, negation, nested sets and $variables, segments ( ),
// quantifiers, anchors, the arrows > and →, and in outputs literals, $n,
// $name and the cursor |. Anything else (contexts { }, reverse rules, other :: transforms,
// quoting) is rejected when the rules are parsed, so an unsupported rule can
// never be silently misread.

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// runeSet is a set of code points: sorted, merged, inclusive ranges plus a
// bitmap for the low code points the rules mostly use.
type runeSet struct {
	ranges []runeRange
	low    [lowLimit / 64]uint64
}

type runeRange struct{ lo, hi rune }

// lowLimit bounds the bitmap: everything below the end of the Myanmar block.
const lowLimit = 0x10C0

func newRuneSet(rs []runeRange) *runeSet {
	s := &runeSet{ranges: mergeRanges(rs)}
	for _, r := range s.ranges {
		for c := r.lo; c <= r.hi && c < lowLimit; c++ {
			s.low[c>>6] |= 1 << (c & 63)
		}
	}
	return s
}

func mergeRanges(rs []runeRange) []runeRange {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b runeRange) int { return int(a.lo - b.lo) })
	var out []runeRange
	for _, r := range rs {
		if n := len(out); n > 0 && r.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

func complementRanges(rs []runeRange) []runeRange {
	rs = mergeRanges(rs)
	var out []runeRange
	next := rune(0)
	for _, r := range rs {
		if r.lo > next {
			out = append(out, runeRange{next, r.lo - 1})
		}
		next = r.hi + 1
	}
	if next <= unicode.MaxRune {
		out = append(out, runeRange{next, unicode.MaxRune})
	}
	return out
}

func (s *runeSet) has(c rune) bool {
	if c >= 0 && c < lowLimit {
		return s.low[c>>6]&(1<<(c&63)) != 0
	}
	i, found := slices.BinarySearchFunc(s.ranges, c, func(r runeRange, c rune) int {
		switch {
		case r.hi < c:
			return -1
		case r.lo > c:
			return 1
		}
		return 0
	})
	_ = i
	return found
}

// hasHigh reports whether the set holds any code point at or above lowLimit.
func (s *runeSet) hasHigh() bool {
	return len(s.ranges) > 0 && s.ranges[len(s.ranges)-1].hi >= lowLimit
}

type elemKind uint8

const (
	elemLit   elemKind = iota // one code point
	elemSet                   // one code point from a set
	elemGroup                 // a segment "( … )", captured as $n
	elemSeq                   // a string variable: a sequence, not captured
	elemQuant                 // a quantified element
)

type elem struct {
	kind     elemKind
	lit      rune
	set      *runeSet
	children []elem // group, seq: the sequence; quant: the one element
	seg      int    // group: segment number, 1-based
	min, max int    // quant
}

// outPart is one piece of a rule's output: literal text or a segment.
type outPart struct {
	text []rune
	seg  int // > 0: the text captured by segment seg
}

type rule struct {
	pattern     []elem
	anchorStart bool
	anchorEnd   bool
	segments    int
	output      []outPart
	cursor      int // position of "|" in the output, in runes; -1 = at the end
	first       *runeSet
	second      *runeSet // when set, the code point after the first must be in it
	backtrack   bool     // possessive matching could differ: use matchBacktrack
	line        int
}

// phase is one block of rules between "::Null;" lines, with an index from
// the code point under the cursor to the rules that can start there.
type phase struct {
	rules []rule
	low   [][]int32 // low[c] for c < lowLimit: candidate rules in order
	high  []int32   // candidates for any c >= lowLimit
}

// transliterator is a compiled rule file: immutable after construction and
// safe for concurrent use.
type transliterator struct {
	phases []phase
}

var errRules = errors.New("transform rules")

// parseTransliterator compiles ICU transform rules (the subset described at
// the top of this file).
func parseTransliterator(src string) (*transliterator, error) {
	p := &ruleParser{vars: map[string]varValue{}}
	t := &transliterator{}
	cur := phase{}
	stmts, err := splitStatements(src)
	if err != nil {
		return nil, err
	}
	for _, st := range stmts {
		text := strings.TrimSpace(st.text)
		switch {
		case text == "":
			continue
		case strings.HasPrefix(text, "::"):
			id := strings.TrimSpace(text[2:])
			if id != "Null" {
				return nil, fmt.Errorf("%w: line %d: unsupported transform %q", errRules, st.line, id)
			}
			if len(cur.rules) > 0 {
				t.phases = append(t.phases, cur)
			}
			cur = phase{}
		case isVarDef(text):
			if err := p.defineVar(text, st.line); err != nil {
				return nil, err
			}
		default:
			r, err := p.parseRule(text, st.line)
			if err != nil {
				return nil, err
			}
			cur.rules = append(cur.rules, r)
		}
	}
	if len(cur.rules) > 0 {
		t.phases = append(t.phases, cur)
	}
	for i := range t.phases {
		t.phases[i].buildIndex()
	}
	return t, nil
}

type statement struct {
	text string
	line int
}

// splitStatements removes comments and splits the source at unescaped
// semicolons outside sets, remembering where each statement starts.
func splitStatements(src string) ([]statement, error) {
	var out []statement
	var b strings.Builder
	line, start := 1, 1
	blank := true // b holds nothing but whitespace so far
	depth := 0
	rs := []rune(src)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '#' && depth == 0:
			for i+1 < len(rs) && rs[i+1] != '\n' {
				i++
			}
			continue
		case c == '\'':
			return nil, fmt.Errorf("%w: line %d: quoting is not supported", errRules, line)
		case c == ';' && depth == 0:
			out = append(out, statement{b.String(), start})
			b.Reset()
			blank = true
			continue
		case c == '\n':
			line++
		case c == '[':
			depth++
		case c == ']':
			depth--
		}
		if blank && !unicode.IsSpace(c) {
			start, blank = line, false
		}
		b.WriteRune(c)
		if c == '\\' && i+1 < len(rs) {
			// An escaped character is never syntax.
			i++
			if rs[i] == '\n' {
				line++
			}
			b.WriteRune(rs[i])
		}
	}
	if !blank {
		return nil, fmt.Errorf("%w: line %d: statement without ';'", errRules, start)
	}
	return out, nil
}

func isVarDef(s string) bool {
	if !strings.HasPrefix(s, "$") {
		return false
	}
	name, rest := cutIdent(s[1:])
	return name != "" && strings.HasPrefix(strings.TrimSpace(rest), "=")
}

func cutIdent(s string) (name, rest string) {
	i := 0
	for i < len(s) {
		c := rune(s[i])
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			i++
			continue
		}
		break
	}
	return s[:i], s[i:]
}

type varValue struct {
	set   *runeSet // a set variable, or
	elems []elem   // a sequence (of literals, sets, segments…)
	lits  []rune   // the sequence as text, when it is all literals
	text  bool     // lits is valid
}

type ruleParser struct {
	vars map[string]varValue
}

func (p *ruleParser) defineVar(text string, line int) error {
	name, rest := cutIdent(text[1:])
	rest = strings.TrimSpace(rest)[1:] // drop '='
	sc := &scanner{rs: []rune(rest), line: line, p: p}
	elems, _, _, err := sc.pattern(false)
	if err != nil {
		return err
	}
	if sc.segs > 0 {
		return fmt.Errorf("%w: line %d: segment in variable $%s", errRules, line, name)
	}
	if len(elems) == 1 && elems[0].kind == elemSet {
		p.vars[name] = varValue{set: elems[0].set}
		return nil
	}
	v := varValue{elems: elems, text: true}
	for _, e := range flatten(elems) {
		if e.kind != elemLit {
			v.text = false
			break
		}
		v.lits = append(v.lits, e.lit)
	}
	p.vars[name] = v
	return nil
}

// flatten expands nested sequences (string variables inside variables).
func flatten(elems []elem) []elem {
	var out []elem
	for _, e := range elems {
		if e.kind == elemSeq {
			out = append(out, flatten(e.children)...)
		} else {
			out = append(out, e)
		}
	}
	return out
}

func (p *ruleParser) parseRule(text string, line int) (rule, error) {
	rs := []rune(text)
	arrow := -1
	depth := 0
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '\\':
			i++
		case '[':
			depth++
		case ']':
			depth--
		case '<', '←', '↔':
			if depth == 0 {
				return rule{}, fmt.Errorf("%w: line %d: only forward rules are supported", errRules, line)
			}
		case '>', '→':
			if depth == 0 && arrow < 0 {
				arrow = i
			}
		}
	}
	if arrow < 0 {
		return rule{}, fmt.Errorf("%w: line %d: rule without an arrow", errRules, line)
	}
	sc := &scanner{rs: rs[:arrow], line: line, p: p}
	pat, aStart, aEnd, err := sc.pattern(true)
	if err != nil {
		return rule{}, err
	}
	if len(pat) == 0 {
		return rule{}, fmt.Errorf("%w: line %d: empty pattern", errRules, line)
	}
	r := rule{pattern: pat, anchorStart: aStart, anchorEnd: aEnd, segments: sc.segs, line: line}
	r.output, r.cursor, err = p.parseOutput(rs[arrow+1:], line, sc.segs)
	if err != nil {
		return rule{}, err
	}
	r.first, _ = firstSet(pat)
	if _, single := singleCharSet(pat[0]); single && pat[0].kind != elemQuant {
		if f2, nullable := firstSet(pat[1:]); !nullable {
			r.second = f2
		}
	}
	r.backtrack = needsBacktrack(pat, nil, aEnd)
	return r, nil
}

func (p *ruleParser) parseOutput(rs []rune, line, segs int) ([]outPart, int, error) {
	var parts []outPart
	cursor := -1
	n := 0 // runes of literal output so far, for the cursor
	addLit := func(c ...rune) {
		if k := len(parts); k > 0 && parts[k-1].seg == 0 {
			parts[k-1].text = append(parts[k-1].text, c...)
		} else {
			parts = append(parts, outPart{text: slices.Clone(c)})
		}
		n += len(c)
	}
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '|':
			if cursor >= 0 {
				return nil, 0, fmt.Errorf("%w: line %d: two cursors", errRules, line)
			}
			for _, pt := range parts {
				if pt.seg != 0 {
					return nil, 0, fmt.Errorf("%w: line %d: cursor after a segment is not supported", errRules, line)
				}
			}
			cursor = n
			i++
		case c == '$':
			rest := string(rs[i+1:])
			if len(rest) > 0 && rest[0] >= '1' && rest[0] <= '9' {
				k := 0
				for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
					k++
				}
				seg, _ := strconv.Atoi(rest[:k])
				if seg > segs {
					return nil, 0, fmt.Errorf("%w: line %d: $%d has no segment", errRules, line, seg)
				}
				parts = append(parts, outPart{seg: seg})
				i += 1 + k
				continue
			}
			name, _ := cutIdent(rest)
			v, ok := p.vars[name]
			if name == "" || !ok || !v.text {
				return nil, 0, fmt.Errorf("%w: line %d: bad reference in output", errRules, line)
			}
			addLit(v.lits...)
			i += 1 + len([]rune(name))
		case c == '\\':
			r, k, err := unescape(rs[i:])
			if err != nil {
				return nil, 0, fmt.Errorf("%w: line %d: %v", errRules, line, err)
			}
			addLit(r)
			i += k
		case strings.ContainsRune("[](){}*+?^'", c):
			return nil, 0, fmt.Errorf("%w: line %d: unsupported %q in output", errRules, line, c)
		default:
			addLit(c)
			i++
		}
	}
	return parts, cursor, nil
}

// unescape reads one ICU escape at rs[0] == '\\' and returns the code point
// and the number of runes consumed.
func unescape(rs []rune) (rune, int, error) {
	if len(rs) < 2 {
		return 0, 0, errors.New("dangling backslash")
	}
	hex := func(start, minD, maxD int) (rune, int, error) {
		v, k := rune(0), 0
		for k < maxD && start+k < len(rs) {
			d := hexVal(rs[start+k])
			if d < 0 {
				break
			}
			v = v*16 + rune(d)
			k++
		}
		if k < minD || v > unicode.MaxRune {
			return 0, 0, errors.New("bad hex escape")
		}
		return v, start + k, nil
	}
	switch c := rs[1]; {
	case c == 'u':
		return hex(2, 4, 4)
	case c == 'U':
		return hex(2, 8, 8)
	case c == 'x' && len(rs) > 2 && rs[2] == '{':
		v, end, err := hex(3, 1, 8)
		if err != nil || end >= len(rs) || rs[end] != '}' {
			return 0, 0, errors.New("bad \\x{} escape")
		}
		return v, end + 1, nil
	case c == 'x':
		return hex(2, 1, 2)
	case c >= '0' && c <= '7':
		v, k := rune(0), 1
		for k <= 3 && k < len(rs) && rs[k] >= '0' && rs[k] <= '7' {
			v = v*8 + rs[k] - '0'
			k++
		}
		return v, k, nil
	case c == 't':
		return '\t', 2, nil
	case c == 'n':
		return '\n', 2, nil
	case c == 'r':
		return '\r', 2, nil
	default:
		return c, 2, nil
	}
}

func hexVal(c rune) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// scanner parses a pattern (or a variable's value).
type scanner struct {
	rs   []rune
	i    int
	line int
	p    *ruleParser
	segs int
}

func (s *scanner) errf(format string, a ...any) error {
	return fmt.Errorf("%w: line %d: %s", errRules, s.line, fmt.Sprintf(format, a...))
}

// pattern parses a whole pattern; anchors are allowed only in rules.
func (s *scanner) pattern(anchors bool) (elems []elem, aStart, aEnd bool, err error) {
	s.skipSpace()
	if anchors && s.i < len(s.rs) && s.rs[s.i] == '^' {
		aStart = true
		s.i++
	}
	elems, err = s.sequence(false)
	if err != nil {
		return nil, false, false, err
	}
	s.skipSpace()
	if s.i < len(s.rs) && s.rs[s.i] == '$' {
		if !anchors {
			return nil, false, false, s.errf("anchor in a variable")
		}
		aEnd = true
		s.i++
		s.skipSpace()
	}
	if s.i != len(s.rs) {
		return nil, false, false, s.errf("unexpected %q", s.rs[s.i])
	}
	return elems, aStart, aEnd, nil
}

func (s *scanner) skipSpace() {
	for s.i < len(s.rs) && unicode.IsSpace(s.rs[s.i]) {
		s.i++
	}
}

// sequence parses elements until the end, a ')' (when inGroup) or an end
// anchor.
func (s *scanner) sequence(inGroup bool) ([]elem, error) {
	var out []elem
	for {
		s.skipSpace()
		if s.i >= len(s.rs) {
			if inGroup {
				return nil, s.errf("unclosed segment")
			}
			return out, nil
		}
		c := s.rs[s.i]
		var e elem
		switch {
		case c == ')':
			if !inGroup {
				return nil, s.errf("unbalanced ')'")
			}
			s.i++
			return out, nil
		case c == '(':
			s.i++
			s.segs++
			seg := s.segs
			kids, err := s.sequence(true)
			if err != nil {
				return nil, err
			}
			e = elem{kind: elemGroup, children: kids, seg: seg}
		case c == '[':
			set, err := s.set()
			if err != nil {
				return nil, err
			}
			e = elem{kind: elemSet, set: newRuneSet(set)}
		case c == '$':
			name, _ := cutIdent(string(s.rs[s.i+1:]))
			if name == "" {
				// An end anchor: only valid as the last thing in the pattern.
				if inGroup {
					return nil, s.errf("anchor inside a segment")
				}
				return out, nil
			}
			v, ok := s.p.vars[name]
			if !ok {
				return nil, s.errf("undefined variable $%s", name)
			}
			s.i += 1 + len([]rune(name))
			if v.set != nil {
				e = elem{kind: elemSet, set: v.set}
			} else {
				e = elem{kind: elemSeq, children: v.elems}
			}
		case c == '\\':
			r, k, err := unescape(s.rs[s.i:])
			if err != nil {
				return nil, s.errf("%v", err)
			}
			s.i += k
			e = elem{kind: elemLit, lit: r}
		case strings.ContainsRune("*+?{}|^'.&", c):
			return nil, s.errf("unsupported %q in pattern", c)
		default:
			s.i++
			e = elem{kind: elemLit, lit: c}
		}
		// Quantifiers bind to the element just read.
		for {
			s.skipSpace()
			if s.i >= len(s.rs) {
				break
			}
			mn, mx := -1, -1
			switch s.rs[s.i] {
			case '*':
				mn, mx = 0, -2
			case '+':
				mn, mx = 1, -2
			case '?':
				mn, mx = 0, 1
			}
			if mn < 0 {
				break
			}
			s.i++
			if mx == -2 {
				mx = int(^uint(0) >> 1)
			}
			e = elem{kind: elemQuant, children: []elem{e}, min: mn, max: mx}
		}
		out = append(out, e)
	}
}

// set parses a bracketed set starting at s.rs[s.i] == '['. Spaces inside are
// ignored, as in ICU rule files.
func (s *scanner) set() ([]runeRange, error) {
	s.i++ // '['
	neg := false
	if s.i < len(s.rs) && s.rs[s.i] == '^' {
		neg = true
		s.i++
	}
	var rs []runeRange
	prev := rune(-1) // last single code point, a candidate range start
	for {
		if s.i >= len(s.rs) {
			return nil, s.errf("unclosed set")
		}
		c := s.rs[s.i]
		switch {
		case unicode.IsSpace(c):
			s.i++
			continue
		case c == ']':
			s.i++
			if neg {
				rs = complementRanges(rs)
			}
			return rs, nil
		case c == '[':
			if s.i+1 < len(s.rs) && s.rs[s.i+1] == ':' {
				return nil, s.errf("property sets are not supported")
			}
			inner, err := s.set()
			if err != nil {
				return nil, err
			}
			rs = append(rs, inner...)
			prev = -1
			continue
		case c == '$':
			name, _ := cutIdent(string(s.rs[s.i+1:]))
			v, ok := s.p.vars[name]
			if name == "" || !ok {
				return nil, s.errf("bad variable in set")
			}
			s.i += 1 + len([]rune(name))
			switch {
			case v.set != nil:
				rs = append(rs, v.set.ranges...)
			case v.text:
				for _, r := range v.lits {
					rs = append(rs, runeRange{r, r})
				}
			default:
				return nil, s.errf("variable $%s in a set is not a set or a string", name)
			}
			prev = -1
			continue
		case c == '-' && prev >= 0:
			s.i++
			hi, err := s.setChar()
			if err != nil {
				return nil, err
			}
			if hi < prev {
				return nil, s.errf("bad range")
			}
			rs[len(rs)-1].hi = hi
			prev = -1
			continue
		}
		r, err := s.setChar()
		if err != nil {
			return nil, err
		}
		rs = append(rs, runeRange{r, r})
		prev = r
	}
}

func (s *scanner) setChar() (rune, error) {
	for s.i < len(s.rs) && unicode.IsSpace(s.rs[s.i]) {
		s.i++
	}
	if s.i >= len(s.rs) {
		return 0, s.errf("unclosed set")
	}
	c := s.rs[s.i]
	if c == '\\' {
		r, k, err := unescape(s.rs[s.i:])
		if err != nil {
			return 0, s.errf("%v", err)
		}
		s.i += k
		return r, nil
	}
	if c == ']' || c == '[' {
		return 0, s.errf("bad set")
	}
	s.i++
	return c, nil
}

// firstSet returns the code points a sequence can start with and whether it
// can match the empty string.
func firstSet(seq []elem) (*runeSet, bool) {
	var rs []runeRange
	for _, e := range seq {
		f, nullable := elemFirst(e)
		rs = append(rs, f...)
		if !nullable {
			return newRuneSet(rs), false
		}
	}
	return newRuneSet(rs), true
}

func elemFirst(e elem) ([]runeRange, bool) {
	switch e.kind {
	case elemLit:
		return []runeRange{{e.lit, e.lit}}, false
	case elemSet:
		return e.set.ranges, false
	case elemQuant:
		f, nullable := elemFirst(e.children[0])
		return f, nullable || e.min == 0
	default: // group, seq
		f, nullable := firstSet(e.children)
		return f.ranges, nullable
	}
}

func (ph *phase) buildIndex() {
	ph.low = make([][]int32, lowLimit)
	for i, r := range ph.rules {
		_, nullable := firstSet(r.pattern)
		for c := rune(0); c < lowLimit; c++ {
			if nullable || r.first.has(c) {
				ph.low[c] = append(ph.low[c], int32(i))
			}
		}
		if nullable || r.first.hasHigh() {
			ph.high = append(ph.high, int32(i))
		}
	}
}

// needsBacktrack reports whether possessive matching of seq, followed by
// the code points in follow (nil: the end of the pattern), could miss a
// match that backtracking finds: that is, whether some quantifier could
// give back a code point that what follows it could use, or a quantifier's
// element has more than one way to match.
func needsBacktrack(seq []elem, follow []runeRange, anchorEnd bool) bool {
	for i, e := range seq {
		// What can follow e: the rest of this sequence, then follow.
		f, nullable := firstSet(seq[i+1:])
		after := f.ranges
		if nullable {
			after = append(slices.Clone(after), follow...)
		}
		switch e.kind {
		case elemGroup, elemSeq:
			if needsBacktrack(e.children, after, anchorEnd) {
				return true
			}
		case elemQuant:
			child := e.children[0]
			set, single := singleCharSet(child)
			if !single {
				return true
			}
			if e.max > 1 || e.min == 0 {
				if overlaps(set, after) {
					return true
				}
			}
		}
	}
	return false
}

// singleCharSet returns the code points an element matching exactly one
// code point can match.
func singleCharSet(e elem) ([]runeRange, bool) {
	switch e.kind {
	case elemLit:
		return []runeRange{{e.lit, e.lit}}, true
	case elemSet:
		return e.set.ranges, true
	case elemGroup, elemSeq:
		if len(e.children) == 1 {
			return singleCharSet(e.children[0])
		}
	}
	return nil, false
}

func overlaps(a, b []runeRange) bool {
	for _, x := range a {
		for _, y := range b {
			if x.lo <= y.hi && y.lo <= x.hi {
				return true
			}
		}
	}
	return false
}

// matchBacktrack matches seq at pos like a backtracking regular expression
// (greedy quantifiers that give back repetitions when the rest fails) and
// calls k with each candidate end position until k accepts one.
func (m *matchState) matchBacktrack(seq []elem, text []rune, pos int, k func(int) bool) bool {
	if len(seq) == 0 {
		return k(pos)
	}
	e := &seq[0]
	next := func(p int) bool { return m.matchBacktrack(seq[1:], text, p, k) }
	switch e.kind {
	case elemLit:
		return pos < len(text) && text[pos] == e.lit && next(pos+1)
	case elemSet:
		return pos < len(text) && e.set.has(text[pos]) && next(pos+1)
	case elemSeq:
		return m.matchBacktrack(e.children, text, pos, next)
	case elemGroup:
		return m.matchBacktrack(e.children, text, pos, func(p int) bool {
			if e.seg >= len(m.segStart) {
				return next(p)
			}
			s0, e0 := m.segStart[e.seg], m.segEnd[e.seg]
			m.segStart[e.seg], m.segEnd[e.seg] = pos, p
			if next(p) {
				return true
			}
			m.segStart[e.seg], m.segEnd[e.seg] = s0, e0
			return false
		})
	default: // elemQuant
		return m.repeat(e, 0, text, pos, next)
	}
}

func (m *matchState) repeat(e *elem, count int, text []rune, pos int, k func(int) bool) bool {
	if count < e.max {
		more := m.matchBacktrack(e.children[:1], text, pos, func(p int) bool {
			return p != pos && m.repeat(e, count+1, text, p, k)
		})
		if more {
			return true
		}
	}
	return count >= e.min && k(pos)
}

// matchState holds the segment captures of one rule attempt.
type matchState struct {
	segStart, segEnd [10]int
}

// matchSeq matches seq against text at pos with possessive quantifiers and
// returns the end position.
func (m *matchState) matchSeq(seq []elem, text []rune, pos int) (int, bool) {
	for i := range seq {
		var ok bool
		pos, ok = m.matchElem(&seq[i], text, pos)
		if !ok {
			return 0, false
		}
	}
	return pos, true
}

func (m *matchState) matchElem(e *elem, text []rune, pos int) (int, bool) {
	switch e.kind {
	case elemLit:
		if pos < len(text) && text[pos] == e.lit {
			return pos + 1, true
		}
		return 0, false
	case elemSet:
		if pos < len(text) && e.set.has(text[pos]) {
			return pos + 1, true
		}
		return 0, false
	case elemSeq:
		return m.matchSeq(e.children, text, pos)
	case elemGroup:
		end, ok := m.matchSeq(e.children, text, pos)
		if ok && e.seg < len(m.segStart) {
			m.segStart[e.seg], m.segEnd[e.seg] = pos, end
		}
		return end, ok
	default: // elemQuant
		n := 0
		for n < e.max {
			end, ok := m.matchElem(&e.children[0], text, pos)
			if !ok {
				break
			}
			n++
			if end == pos {
				break // a zero-width match: do not loop on it
			}
			pos = end
		}
		if n < e.min {
			return 0, false
		}
		return pos, true
	}
}

// transform runs every phase over s.
func (t *transliterator) transform(s string) string {
	buf := []rune(s)
	var out []rune
	for i := range t.phases {
		out = t.phases[i].run(buf, out[:0])
		buf, out = out, buf
	}
	return string(buf)
}

// run applies one phase to in, appending the result to out.
func (ph *phase) run(in, out []rune) []rune {
	var m matchState
	var scratch []rune // reused for outputs built from segments
	pos := 0
	// ICU stops a phase that keeps matching without advancing; the same
	// bound keeps a pathological rule set from looping here.
	budget := 16*len(in) + 16
	for pos < len(in) {
		if budget--; budget < 0 {
			return append(out, in[pos:]...)
		}
		c := in[pos]
		var cands []int32
		if c >= 0 && c < lowLimit {
			cands = ph.low[c]
		} else {
			cands = ph.high
		}
		matched := false
		for _, ri := range cands {
			r := &ph.rules[ri]
			if r.anchorStart && len(out) != 0 {
				continue
			}
			if r.second != nil && (pos+1 >= len(in) || !r.second.has(in[pos+1])) {
				continue
			}
			var end int
			if r.backtrack {
				ok := m.matchBacktrack(r.pattern, in, pos, func(p int) bool {
					end = p
					return !r.anchorEnd || p == len(in)
				})
				if !ok {
					continue
				}
			} else {
				var ok bool
				end, ok = m.matchSeq(r.pattern, in, pos)
				if !ok || r.anchorEnd && end != len(in) {
					continue
				}
			}
			matched = true
			// Build the replacement.
			var rep []rune
			if len(r.output) == 1 && r.output[0].seg == 0 {
				rep = r.output[0].text
			} else {
				rep = scratch[:0]
				for _, pt := range r.output {
					if pt.seg > 0 {
						rep = append(rep, in[m.segStart[pt.seg]:m.segEnd[pt.seg]]...)
					} else {
						rep = append(rep, pt.text...)
					}
				}
				scratch = rep
			}
			if r.cursor < 0 || r.cursor >= len(rep) {
				out = append(out, rep...)
				pos = end
			} else {
				// The text after the cursor is scanned again: put it back in
				// front of the unread input.
				out = append(out, rep[:r.cursor]...)
				tail := rep[r.cursor:]
				rest := make([]rune, 0, len(tail)+len(in)-end)
				rest = append(append(rest, tail...), in[end:]...)
				in, pos = rest, 0
			}
			break
		}
		if !matched {
			out = append(out, c)
			pos++
		}
	}
	return out
}
