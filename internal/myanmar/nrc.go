package myanmar

import (
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrNotDigits reports a string that is not a number in Burmese or ASCII
// digits. Its message never contains the input.
var ErrNotDigits = errors.New("myanmar: not a number")

// ErrInvalidNRC reports a string that is not an NRC number. Its message
// never contains the input.
var ErrInvalidNRC = errors.New("myanmar: not an NRC number (expected state/township(type)number, like 12/OuKaMa(N)123456)")

// ParseDigits reads a number written in Burmese digits (၀–၉), ASCII digits
// or a mix, and returns it in ASCII digits, keeping leading zeros.
// Surrounding whitespace is ignored. The letter ဝ (WA), which Zawgyi-era
// typists often use for ၀ (zero), is read as 0 when the string has at least
// one real digit. Anything else is ErrNotDigits (so is an empty string).
func ParseDigits(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", ErrNotDigits
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrNotDigits
	}
	var b strings.Builder
	b.Grow(len(s))
	real := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			real = true
		case r >= '၀' && r <= '၉':
			b.WriteByte(byte('0' + r - '၀'))
			real = true
		case r == 'ဝ':
			b.WriteByte('0')
		default:
			return "", ErrNotDigits
		}
	}
	if !real {
		return "", ErrNotDigits
	}
	return b.String(), nil
}

// BurmeseDigits returns s with every ASCII digit replaced by the Burmese
// digit of the same value; everything else is kept.
func BurmeseDigits(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 3)
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = '၀' + (r - '0')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// NRC is a National Registration Card number: state/region number,
// township code, citizenship type and card number. An NRC is red data: it
// prints as [redacted] in logs.
type NRC struct {
	State    int    // 1–14 (see Region.NRC)
	Township string // normalised Latin code, upper case: "OUKAMA"
	Type     string // "N" နိုင် citizen, "E" ဧည့် associate, "P" ပြု naturalised, "T" သ (သာသနာ, religious)
	Number   string // six ASCII digits
}

// LogValue keeps the number out of logs.
func (n NRC) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// nrcTypes maps the citizenship types to their Burmese abbreviations.
var nrcTypes = []struct{ latin, burmese string }{
	{"N", "နိုင်"}, {"E", "ဧည့်"}, {"P", "ပြု"}, {"T", "သ"},
}

// nrcTypeNames maps what people write inside the brackets to a type.
var nrcTypeNames = map[string]string{
	"N": "N", "NAING": "N", "NAINGANGTHA": "N", "C": "N",
	"E": "E", "AE": "E", "EH": "E", "EI": "E", "AC": "E",
	"P": "P", "PYU": "P", "NC": "P",
	"T": "T", "TH": "T", "THA": "T", "S": "T",
}

// The township code alphabet: one Latin syllable per Burmese letter. NRC
// codes spell by sound, so letters that sound alike share a syllable: ဗ and
// ဘ are both BA, ယ and ရ both YA, စ and ဆ both SA, and the retroflex and
// aspirated Pali letters share the plain ones' syllables. That way the
// Latin and the Burmese form of one card give the same Township code. The
// Latin code cannot say which of two such letters was written: Burmese()
// uses the first letter listed (the one township codes use most), and other
// spellings listed are accepted on input.
var nrcLetters = []struct {
	latin   []string
	burmese []string
}{
	{[]string{"KA"}, []string{"က"}}, {[]string{"KHA"}, []string{"ခ"}}, {[]string{"GA", "GHA"}, []string{"ဂ", "ဃ"}},
	{[]string{"NGA"}, []string{"င"}}, {[]string{"SA", "HSA"}, []string{"စ", "ဆ"}}, {[]string{"ZA", "ZHA"}, []string{"ဇ", "ဈ"}},
	{[]string{"NYA"}, []string{"ည", "ဉ"}}, {[]string{"TA"}, []string{"တ", "ဋ"}}, {[]string{"HTA"}, []string{"ထ", "ဌ"}},
	{[]string{"DA", "DHA"}, []string{"ဒ", "ဓ", "ဍ", "ဎ"}}, {[]string{"NA"}, []string{"န", "ဏ"}}, {[]string{"PA"}, []string{"ပ"}},
	{[]string{"PHA", "HPA"}, []string{"ဖ"}}, {[]string{"BA", "BHA"}, []string{"ဗ", "ဘ"}}, {[]string{"MA"}, []string{"မ"}},
	{[]string{"YA", "RA"}, []string{"ရ", "ယ"}}, {[]string{"LA"}, []string{"လ", "ဠ"}}, {[]string{"WA"}, []string{"ဝ"}},
	{[]string{"THA"}, []string{"သ"}}, {[]string{"HA"}, []string{"ဟ"}}, {[]string{"AH", "A"}, []string{"အ"}},
	{[]string{"OU", "U", "OO"}, []string{"ဥ", "ဦ"}}, {[]string{"E", "AE"}, []string{"ဧ"}},
	{[]string{"SHA"}, []string{"ရှ", "ယှ"}}, {[]string{"HLA"}, []string{"လှ"}}, {[]string{"HMA"}, []string{"မှ"}},
	{[]string{"HNA"}, []string{"နှ"}},
}

// Lookup tables derived from nrcLetters, built once and never changed.
var (
	nrcLatinToBurmese, nrcBurmeseToLatin, nrcMaxSyllable = buildNRCLetters()
)

func buildNRCLetters() (latinToBurmese, burmeseToLatin map[string]string, maxSyllable int) {
	latinToBurmese, burmeseToLatin = map[string]string{}, map[string]string{}
	for _, l := range nrcLetters {
		for _, lat := range l.latin {
			latinToBurmese[lat] = l.burmese[0]
			maxSyllable = max(maxSyllable, len(lat))
		}
		for _, b := range l.burmese {
			burmeseToLatin[b] = l.latin[0]
		}
	}
	return latinToBurmese, burmeseToLatin, maxSyllable
}

// splitTownshipLatin splits an upper-case Latin township code into
// syllables of the alphabet, preferring longer syllables; ok is false if it
// cannot be split.
func splitTownshipLatin(code string) ([]string, bool) {
	// best[i] holds a split of code[i:], computed from the end.
	best := make([][]string, len(code)+1)
	okAt := make([]bool, len(code)+1)
	okAt[len(code)] = true
	for i := len(code) - 1; i >= 0; i-- {
		for n := min(nrcMaxSyllable, len(code)-i); n >= 1; n-- {
			syl := code[i : i+n]
			if _, ok := nrcLatinToBurmese[syl]; ok && okAt[i+n] {
				best[i] = append([]string{syl}, best[i+n]...)
				okAt[i] = true
				break
			}
		}
	}
	return best[0], okAt[0]
}

// townshipFromLatin normalises a Latin township code: "OuKaMa", "Ou Ka Ma"
// and "U Ka Ma" all give "OUKAMA".
func townshipFromLatin(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r == ' ', r == '-', r == '.', r == '\'':
		default:
			return "", false
		}
	}
	syls, ok := splitTownshipLatin(b.String())
	if !ok || len(syls) == 0 || len(syls) > 6 {
		return "", false
	}
	var out strings.Builder
	for _, s := range syls {
		out.WriteString(nrcBurmeseToLatin[nrcLatinToBurmese[s]])
	}
	return out.String(), true
}

// townshipFromBurmese converts Burmese township letters (ဥကမ) to the Latin
// code (OUKAMA). Medial HA makes ရှ, လှ, မှ, နှ one letter; ဉ, typed for ဥ
// as often as not, is read as ဥ at the start of a code.
func townshipFromBurmese(s string) (string, bool) {
	rs := []rune(s)
	var out strings.Builder
	n := 0
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == ' ' {
			continue
		}
		letter := string(r)
		if i+1 < len(rs) && rs[i+1] == 0x103E {
			letter += string(rs[i+1])
			i++
		}
		lat, ok := nrcBurmeseToLatin[letter]
		if letter == "ဉ" && n == 0 {
			lat = "OU"
		}
		if !ok {
			return "", false
		}
		out.WriteString(lat)
		n++
	}
	if n == 0 || n > 6 {
		return "", false
	}
	return out.String(), true
}

// ParseNRC reads an NRC number written in Latin or Burmese, in Unicode or
// Zawgyi, with or without spaces: "12/OuKaMa(N)123456",
// "၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆", "12 / Ou Ka Ma (Naing) 123456". The type may be
// written N/E/P/T, Naing/Ae/Pyu/Tha, or နိုင်/ဧည့်/ပြု/သ; square brackets
// work like round ones. The state must be 1–14 and the number six digits.
// Anything else is ErrInvalidNRC (or ErrInvalidUTF8).
func ParseNRC(s string) (NRC, error) {
	if !utf8.ValidString(s) {
		return NRC{}, ErrInvalidUTF8
	}
	n, err := parseNRC(s)
	if err == nil {
		return n, nil
	}
	// Zawgyi that the detector could not be sure of in so short a text.
	if z := ZawgyiToUnicode(s); z != s {
		if n, err2 := parseNRC(z); err2 == nil {
			return n, nil
		}
	}
	return NRC{}, err
}

func parseNRC(s string) (NRC, error) {
	if ZawgyiProbability(s) >= ZawgyiThreshold {
		s = ZawgyiToUnicode(s)
	}
	s = Normalize(s)
	s = strings.NewReplacer("[", "(", "]", ")", "（", "(", "）", ")", "／", "/").Replace(s)
	state, rest, ok := strings.Cut(s, "/")
	if !ok {
		return NRC{}, ErrInvalidNRC
	}
	st, err := ParseDigits(state)
	if err != nil || len(st) > 2 {
		return NRC{}, ErrInvalidNRC
	}
	stateN, _ := strconv.Atoi(st)
	if stateN < 1 || stateN > 14 {
		return NRC{}, ErrInvalidNRC
	}
	town, rest, ok := strings.Cut(rest, "(")
	if !ok {
		return NRC{}, ErrInvalidNRC
	}
	typ, num, ok := strings.Cut(rest, ")")
	if !ok {
		return NRC{}, ErrInvalidNRC
	}
	n := NRC{State: stateN}
	town = strings.TrimSpace(town)
	if town == "" {
		return NRC{}, ErrInvalidNRC
	}
	if isMyanmarRune([]rune(town)[0]) {
		n.Township, ok = townshipFromBurmese(foldNRCLetters(town))
	} else {
		n.Township, ok = townshipFromLatin(town)
	}
	if !ok {
		return NRC{}, ErrInvalidNRC
	}
	if n.Type, ok = parseNRCType(typ); !ok {
		return NRC{}, ErrInvalidNRC
	}
	num = strings.ReplaceAll(strings.TrimSpace(num), " ", "")
	if n.Number, err = ParseDigits(num); err != nil || len(n.Number) != 6 {
		return NRC{}, ErrInvalidNRC
	}
	return n, nil
}

// foldNRCLetters folds the look-alikes of township letters (၀ for ဝ, ၇
// for ရ, ဦ and ဉ for ဥ).
func foldNRCLetters(s string) string {
	return strings.NewReplacer("၀", "ဝ", "၇", "ရ").Replace(s)
}

func parseNRCType(s string) (string, bool) {
	s = strings.TrimSpace(s)
	up := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if t, ok := nrcTypeNames[up]; ok {
		return t, true
	}
	f := FoldForMatch(s)
	for _, t := range nrcTypes {
		if f == FoldForMatch(t.burmese) {
			return t.latin, true
		}
	}
	switch f {
	case FoldForMatch("နိုင်ငံသား"):
		return "N", true
	case FoldForMatch("ဧ"), FoldForMatch("ဧည့်နိုင်ငံသား"):
		return "E", true
	case FoldForMatch("ပြုနိုင်ငံသား"):
		return "P", true
	}
	return "", false
}

// String returns the canonical Latin form, "12/OuKaMa(N)123456".
func (n NRC) String() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(n.State))
	b.WriteByte('/')
	syls, ok := splitTownshipLatin(n.Township)
	if !ok {
		b.WriteString(n.Township)
	}
	for _, s := range syls {
		b.WriteString(s[:1])
		b.WriteString(strings.ToLower(s[1:]))
	}
	b.WriteByte('(')
	b.WriteString(n.Type)
	b.WriteByte(')')
	b.WriteString(n.Number)
	return b.String()
}

// Burmese returns the Burmese form, "၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆".
func (n NRC) Burmese() string {
	var b strings.Builder
	b.WriteString(BurmeseDigits(strconv.Itoa(n.State)))
	b.WriteByte('/')
	syls, ok := splitTownshipLatin(n.Township)
	if !ok {
		b.WriteString(n.Township)
	}
	for _, s := range syls {
		b.WriteString(nrcLatinToBurmese[s])
	}
	b.WriteByte('(')
	typ := n.Type
	for _, t := range nrcTypes {
		if t.latin == n.Type {
			typ = t.burmese
		}
	}
	b.WriteString(typ)
	b.WriteByte(')')
	b.WriteString(BurmeseDigits(n.Number))
	return b.String()
}
