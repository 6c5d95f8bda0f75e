package synth

import (
	"math/rand/v2"
	"strings"
)

// syllable is one element of a Burmese personal name and its romanisations:
// latin is the usual spelling, variants are other spellings people write
// (Htun/Tun, Myo/Myoe, Nay/Ne, ...). Burmese names have no surname; each
// syllable is one Latin token.
type syllable struct {
	my       string
	latin    string
	variants []string
}

// Name elements common for men. Read-only.
var maleSyllables = []syllable{
	{"အောင်", "Aung", nil},
	{"ကျော်", "Kyaw", nil},
	{"မင်း", "Min", []string{"Minn"}},
	{"ဇော်", "Zaw", nil},
	{"ထွန်း", "Htun", []string{"Tun", "Htoon"}},
	{"ဝင်း", "Win", []string{"Winn"}},
	{"နိုင်", "Naing", nil},
	{"သန့်", "Thant", nil},
	{"ထက်", "Htet", nil},
	{"လွင်", "Lwin", nil},
	{"မျိုး", "Myo", []string{"Myoe", "Myoh"}},
	{"စိုး", "Soe", []string{"So", "Soh"}},
	{"ဇင်", "Zin", []string{"Zinn"}},
	{"ပိုင်", "Paing", nil},
	{"သူ", "Thu", nil},
	{"ရဲ", "Ye", []string{"Yae", "Yei"}},
	{"ဆွေ", "Swe", []string{"Hswe"}},
	{"ရွှေ", "Shwe", nil},
	{"လင်း", "Lin", []string{"Linn", "Lynn"}},
	{"ထူး", "Htoo", []string{"Htu", "Tu"}},
	{"ညီ", "Nyi", []string{"Nyee"}},
	{"နေ", "Nay", []string{"Ne", "Nei"}},
	{"သိန်း", "Thein", nil},
	{"ဟိန်း", "Hein", nil},
	{"ဖြိုး", "Phyo", []string{"Pyo", "Phyoe"}},
	{"ဝေ", "Wai", []string{"Way", "Wei"}},
	{"မြတ်", "Myat", nil},
	{"သက်", "Thet", nil},
	{"ခန့်", "Khant", nil},
	{"ပြည့်", "Pyae", []string{"Pyay", "Pyai"}},
	{"လှ", "Hla", nil},
	{"ကောင်း", "Kaung", nil},
	{"ထိုက်", "Htike", []string{"Htaik"}},
	{"ဖုန်း", "Phone", []string{"Pone"}},
	{"ငြိမ်း", "Nyein", []string{"Nyane"}},
	{"မြင့်", "Myint", nil},
	{"ချစ်", "Chit", nil},
	{"အေး", "Aye", nil},
	{"ခိုင်", "Khaing", nil},
	{"ဟန်", "Han", nil},
	{"တင်", "Tin", []string{"Tinn"}},
	{"ထွေး", "Htwe", []string{"Htway"}},
	{"နောင်", "Naung", nil},
	{"ရန်", "Yan", nil},
	{"စံ", "San", []string{"Sann"}},
	{"ဘ", "Ba", nil},
	{"သာ", "Thar", []string{"Tha"}},
	{"ညွန့်", "Nyunt", nil},
	{"ကြည်", "Kyi", []string{"Kyee"}},
	{"ဇေ", "Zay", []string{"Ze"}},
	{"ဆန်း", "Hsan", []string{"San"}},
	{"သော်", "Thaw", nil},
}

// Name elements common for women. Read-only.
var femaleSyllables = []syllable{
	{"ခင်", "Khin", nil},
	{"မြင့်", "Myint", nil},
	{"နွယ်", "Nwe", []string{"Nway"}},
	{"ဆု", "Hsu", []string{"Su"}},
	{"မေ", "May", []string{"Me", "Mei"}},
	{"ဖြူ", "Phyu", nil},
	{"သင်း", "Thin", nil},
	{"ယု", "Yu", nil},
	{"နှင်း", "Hnin", []string{"Nhin"}},
	{"ဝေ", "Wai", []string{"Way", "Wei"}},
	{"အိ", "Ei", nil},
	{"ချို", "Cho", nil},
	{"ဇာ", "Zar", []string{"Za"}},
	{"ရီ", "Yi", []string{"Yee"}},
	{"လှိုင်", "Hlaing", nil},
	{"သီ", "Thi", []string{"Thee"}},
	{"နီ", "Ni", []string{"Nee"}},
	{"ပန်း", "Pan", nil},
	{"မြ", "Mya", nil},
	{"ကြည်", "Kyi", []string{"Kyee"}},
	{"ထား", "Htar", []string{"Hta"}},
	{"ငွေ", "Ngwe", nil},
	{"သဲ", "Thae", nil},
	{"စန်း", "San", []string{"Sann"}},
	{"အေး", "Aye", nil},
	{"ဖူး", "Phoo", []string{"Phu"}},
	{"ခိုင်", "Khaing", nil},
	{"ယဉ်", "Yin", nil},
	{"မွန်", "Mon", []string{"Mun"}},
	{"ထက်", "Htet", nil},
	{"သက်", "Thet", nil},
	{"ဇင်", "Zin", []string{"Zinn"}},
	{"ဝင်း", "Win", []string{"Winn"}},
	{"လွင်", "Lwin", nil},
}

// ethnicPrefix is a name prefix used in some states: Shan Sai/Nang, Karen
// Saw/Naw, Mon Nai/Mi. Mon Nai and Burmese Naing share one spelling, နိုင်,
// which is exactly the kind of pair a cross-script matcher must cope with.
type ethnicPrefix struct {
	region       string // RegionEnglish where the prefix is common
	male, female syllable
}

var ethnicPrefixes = []ethnicPrefix{
	{"Shan", syllable{"စိုင်း", "Sai", nil}, syllable{"နန်း", "Nang", nil}},
	{"Kayin", syllable{"စော", "Saw", nil}, syllable{"နော်", "Naw", nil}},
	{"Mon", syllable{"နိုင်", "Nai", nil}, syllable{"မိ", "Mi", nil}},
}

// Honorifics used in aliases (Ko, Ma, U, Daw, Bo).
var (
	honKo  = syllable{"ကို", "Ko", nil}
	honMa  = syllable{"မ", "Ma", nil}
	honU   = syllable{"ဦး", "U", nil}
	honDaw = syllable{"ဒေါ်", "Daw", nil}
	honBo  = syllable{"ဗိုလ်", "Bo", nil}
)

// name is a generated name as syllables, so the same name can be spelled
// again (a duplicate contact romanises it differently).
type name struct {
	parts []*syllable
}

// newName draws a name of 2–4 syllables (plus an ethnic prefix for some
// people from Shan, Kayin and Mon states). Some names repeat one syllable
// (Aye Aye, Myo Myo), as Burmese names often do.
func newName(r *rand.Rand, female bool, region string) name {
	table := maleSyllables
	if female {
		table = femaleSyllables
	}
	var n name
	n.parts = make([]*syllable, 0, 5)
	for k := range ethnicPrefixes {
		ep := &ethnicPrefixes[k]
		if ep.region == region && r.IntN(100) < 35 {
			if female {
				n.parts = append(n.parts, &ep.female)
			} else {
				n.parts = append(n.parts, &ep.male)
			}
		}
	}
	length := 2
	switch x := r.IntN(100); {
	case x < 50:
		length = 3
	case x < 55:
		length = 4
	}
	if len(n.parts) > 0 && length > 2 {
		length-- // prefixed names tend to be shorter: Sai Min Htet
	}
	if length == 2 && r.IntN(100) < 8 {
		s := &table[r.IntN(len(table))]
		return name{parts: append(n.parts, s, s)}
	}
	for length > 0 {
		s := &table[r.IntN(len(table))]
		if last := len(n.parts) - 1; last >= 0 && n.parts[last] == s {
			continue
		}
		n.parts = append(n.parts, s)
		length--
	}
	return n
}

// burmese returns the name in Burmese script, syllables run together as
// Burmese names are written.
func (n name) burmese() string {
	var b strings.Builder
	for _, s := range n.parts {
		b.WriteString(s.my)
	}
	return b.String()
}

// latin returns the romanised name, one token per syllable. Each syllable
// that has variant spellings uses one with probability variantPct/100.
func (n name) latin(r *rand.Rand, variantPct int) string {
	var b strings.Builder
	for k, s := range n.parts {
		if k > 0 {
			b.WriteByte(' ')
		}
		if len(s.variants) > 0 && r.IntN(100) < variantPct {
			b.WriteString(s.variants[r.IntN(len(s.variants))])
		} else {
			b.WriteString(s.latin)
		}
	}
	return b.String()
}

// alias builds a nickname the way people are addressed: an honorific and the
// last syllable of the name (Ko Htet, Ma Hnin, U Thein, Bo Min), both scripts.
func alias(r *rand.Rand, n name, female, officer bool, age int) (my, latin string) {
	hon := &honKo
	switch {
	case female && age >= 40:
		hon = &honDaw
	case female:
		hon = &honMa
	case officer && r.IntN(2) == 0:
		hon = &honBo
	case age >= 45:
		hon = &honU
	}
	last := n.parts[len(n.parts)-1]
	return hon.my + last.my, hon.latin + " " + last.latin
}
