package synth

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// burmeseDigits writes the ASCII digits of s as Myanmar digits (U+1040–1049),
// leaving every other character alone.
func burmeseDigits(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 3)
	for _, c := range s {
		if c >= '0' && c <= '9' {
			c = '၀' + (c - '0')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// digits returns n random decimal digits.
func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for k := range b {
		b[k] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// phone returns a Myanmar mobile number as "09" followed by 7 to 9 digits,
// with the prefixes of the four operators (ATOM, formerly Telenor: 097;
// Ooredoo: 099; Mytel: 096; MPT: 092, 094 and the old seven-digit 095).
func phone(r *rand.Rand) string {
	switch x := r.IntN(100); {
	case x < 30:
		return "097" + digits(r, 8)
	case x < 55:
		return "099" + digits(r, 8)
	case x < 75:
		return "0969" + digits(r, 7)
	case x < 87:
		return "0925" + digits(r, 7)
	case x < 95:
		return "094" + strconv.Itoa(r.IntN(10)) + digits(r, 6)
	}
	return "095" + digits(r, 6)
}

// Base towns of the navy and the air force, by township English name in
// places.csv. Read-only.
var (
	navalBases = []string{"Thanlyin", "Kyaukpyu", "Sittwe", "Myeik", "Kawthoung", "Hainggyikyun", "Mawlamyine"}
	airBases   = []string{"Meiktila", "Magway", "Hmawbi", "Pathein", "Mingaladon", "Myitkyina", "Lashio", "Tada-U", "Taungoo", "Nansang"}
)

// unit returns the person's unit in English and Burmese. Army units are
// light infantry (LIB, ခမရ) and infantry (IB, ခလရ) battalions; navy and air
// force people name their base; police name their township station, a police
// battalion or the township traffic police.
func (g *Generator) unit(r *rand.Rand, rk *rank, tw township) (en, my string) {
	switch rk.service {
	case ServiceArmy:
		if r.IntN(100) < 60 {
			n := strconv.Itoa(1 + r.IntN(599))
			return "LIB " + n, "ခမရ " + burmeseDigits(n)
		}
		n := strconv.Itoa(1 + r.IntN(299))
		return "IB " + n, "ခလရ " + burmeseDigits(n)
	case ServiceNavy:
		b := g.navalBases[r.IntN(len(g.navalBases))]
		return b.english + " Naval Base", b.burmese + " ရေတပ်စခန်း"
	case ServiceAirForce:
		b := g.airBases[r.IntN(len(g.airBases))]
		return b.english + " Air Base", b.burmese + " လေတပ်စခန်း"
	}
	switch x := r.IntN(100); {
	case x < 62:
		return tw.english + " Township Police Station", tw.burmese + " ရဲစခန်း"
	case x < 90:
		n := strconv.Itoa(1 + r.IntN(40))
		return "Police Battalion " + n, "ရဲတပ်ရင်း (" + burmeseDigits(n) + ")"
	}
	return "Traffic Police, " + tw.english, tw.burmese + " ယာဉ်ထိန်းရဲ"
}

// serviceNumber returns a service number in the forms people write them:
// officers of the armed forces by their BC number (lower for older
// officers), other ranks by a plain number; police officers "PO-" and five
// digits, police other ranks six digits. The formats are plausible, not
// official.
func serviceNumber(r *rand.Rand, rk *rank, age int) string {
	officer := rk.officer()
	switch {
	case rk.service == ServicePolice && officer:
		return "PO-" + strconv.Itoa(10000+r.IntN(90000))
	case rk.service == ServicePolice:
		return digits(r, 6)
	case officer:
		bc := 52000 - (age-22)*1100 + r.IntN(1500)
		bc = max(10001, min(bc, 59999))
		return "BC-" + strconv.Itoa(bc)
	case r.IntN(2) == 0:
		return strconv.Itoa(100000 + r.IntN(900000))
	}
	return strconv.Itoa(1000000 + r.IntN(9000000))
}

// forceName is how a person names the force they want to leave.
func forceName(service string) (en, my string) {
	switch service {
	case ServiceArmy:
		return "army", "တပ်"
	case ServiceNavy:
		return "navy", "ရေတပ်"
	case ServiceAirForce:
		return "air force", "လေတပ်"
	}
	return "police force", "ရဲတပ်ဖွဲ့"
}

func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOU", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

// message writes a first-contact message: short, practical and non-graphic,
// three in four in Burmese. It mentions red data (unit, township, sometimes
// the phone number) as real first messages do, so it must be treated as red.
func message(r *rand.Rand, d *Defector) (text, lang string) {
	inside := 0
	for _, rel := range d.Family {
		if rel.StillInside {
			inside++
		}
	}
	n := len(d.Family) + 1
	forceEn, forceMy := forceName(d.Service)
	if r.IntN(100) < 75 {
		me := "ကျွန်တော်"
		if d.Sex == SexFemale {
			me = "ကျွန်မ"
		}
		switch pick(r, 6, d.WithArms, inside > 0) {
		case 0:
			return "မင်္ဂလာပါ။ " + me + " " + d.UnitBurmese + "က " + d.RankBurmese + "ပါ။ CDM ဝင်ချင်လို့ ဆက်သွယ်တာပါ။ ဘယ်လိုလုပ်ရမလဲ ပြောပြပေးပါ။", "my"
		case 1:
			if len(d.Family) == 0 {
				return me + " " + forceMy + "ကနေ ထွက်ချင်ပါတယ်။ တစ်ယောက်တည်းပါ။ အကူအညီ လိုအပ်ပါတယ်။", "my"
			}
			return me + " " + forceMy + "ကနေ ထွက်ချင်ပါတယ်။ မိသားစု " + burmeseDigits(strconv.Itoa(n)) + " ယောက် ရှိပါတယ်။ အကူအညီ လိုအပ်ပါတယ်။", "my"
		case 2:
			return "ပြည်သူ့ရင်ခွင်ကို ဆက်သွယ်ချင်ပါတယ်။ အခု " + d.TownshipBurmese + "မှာ ရှိနေပါတယ်။ " + burmeseDigits(d.Phone) + " ကို ပြန်ဆက်ပေးပါ။", "my"
		case 3:
			return me + " စစ်ကောင်စီရဲ့ အမိန့်တွေကို မလိုက်နာချင်တော့ပါ။ " + d.UnitBurmese + "ကနေ ထွက်ဖို့ အကူအညီ တောင်းပါတယ်။", "my"
		case 4: // only with arms
			return me + "က " + d.RankBurmese + "ပါ။ လက်နက်ပါ ယူပြီး ထွက်လာချင်ပါတယ်။ လုံခြုံတဲ့ လမ်းကြောင်း သိချင်ပါတယ်။", "my"
		default: // only with family inside
			return me + "ရဲ့ မိသားစုက " + d.TownshipBurmese + "မှာ ကျန်နေပါသေးတယ်။ သူတို့ကို ဘေးကင်းတဲ့ နေရာကို အရင် ပို့ပေးနိုင်မလား။", "my"
		}
	}
	switch pick(r, 6, d.WithArms, inside > 0) {
	case 0:
		return "Hello, I am " + article(d.RankEnglish) + " from " + d.Unit + ". I want to join the CDM. Please tell me what to do.", "en"
	case 1:
		if len(d.Family) == 0 {
			return "I want to leave the " + forceEn + ". I am alone and now in " + d.TownshipEnglish + ". I need help.", "en"
		}
		return "I want to leave the " + forceEn + ". My family (" + strconv.Itoa(n) + " people) is in " + d.TownshipEnglish + ". We need help.", "en"
	case 2:
		return "Good evening. I saw People's Embrace on Facebook. I want to leave but I worry about my family in " + d.TownshipEnglish + ". Can you help?", "en"
	case 3:
		return "I no longer want to follow the orders of the military council. I am in " + d.TownshipEnglish + " and need a safe way out.", "en"
	case 4:
		return "I am " + article(d.RankEnglish) + " from " + d.Unit + ". I can bring my weapon when I leave. Please contact me on " + d.Phone + ".", "en"
	default:
		return "My family is still in " + d.TownshipEnglish + ". Can you help them reach a safe place first? Then I will leave my unit.", "en"
	}
}

// pick chooses a template among n: template n-2 needs arms and n-1 needs
// relatives still inside; without them the choice falls back to the others.
func pick(r *rand.Rand, n int, arms, inside bool) int {
	k := r.IntN(n)
	if (k == n-2 && !arms) || (k == n-1 && !inside) {
		k = r.IntN(n - 2)
	}
	return k
}
