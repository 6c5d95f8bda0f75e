package myanmar

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TestDetectorOnSharedData checks the detector against the line-aligned
// government news text: every Zawgyi line with Myanmar in it scores at or
// above ZawgyiThreshold and every Unicode line at or below
// ZawgyiReviewThreshold.
func TestDetectorOnSharedData(t *testing.T) {
	t.Parallel()
	z := readLines(t, "testdata/myanmar-tools/mmgov_zawgyi_src.txt")
	u := readLines(t, "testdata/myanmar-tools/mmgov_unicode_out.txt")
	n := 0
	for i := range z {
		pz, pu := ZawgyiProbability(z[i]), ZawgyiProbability(u[i])
		if math.IsInf(pz, -1) {
			if !math.IsInf(pu, -1) {
				t.Errorf("line %d: Zawgyi has no Myanmar but Unicode does", i+1)
			}
			continue
		}
		n++
		if pz < ZawgyiThreshold {
			t.Errorf("line %d: Zawgyi scored %.4f", i+1, pz)
		}
		if pu > ZawgyiReviewThreshold {
			t.Errorf("line %d: Unicode scored %.4f", i+1, pu)
		}
	}
	if n != 63 {
		t.Errorf("%d lines with Myanmar, want 63", n)
	}
}

// TestDetectorOnNames checks the detector on the labelled names: every
// Zawgyi form that is not byte for byte the same as its Unicode form
// scores at least ZawgyiThreshold, and no Unicode form does.
func TestDetectorOnNames(t *testing.T) {
	t.Parallel()
	names := loadLabelledNames(t, "testdata/names/variants.tsv", "testdata/names/heldout.tsv")
	zawgyi, same, between := 0, 0, 0
	for i, n := range names {
		p := ZawgyiProbability(n.form)
		switch n.script {
		case "zawgyi":
			if n.form == names[i-1].form { // the Unicode form precedes it
				same++
				continue
			}
			zawgyi++
			if p < ZawgyiThreshold {
				t.Errorf("Zawgyi %q scored %.4f", n.form, p)
			}
		case "burmese":
			if p >= ZawgyiThreshold {
				t.Errorf("Unicode %q scored %.4f", n.form, p)
			}
			if p > ZawgyiReviewThreshold {
				between++
			}
		}
	}
	t.Logf("%d Zawgyi names (and %d spelt the same in both encodings); %d Unicode names between the thresholds", zawgyi, same, between)
	if zawgyi+same != 160 {
		t.Errorf("%d Zawgyi names, want 160", zawgyi+same)
	}
}

func TestZawgyiProbabilityEdges(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "abc", "123 ၁၂၃", "\xff\xfe"} {
		if p := ZawgyiProbability(s); !math.IsInf(p, -1) {
			t.Errorf("ZawgyiProbability(%q) = %v, want -Inf", s, p)
		}
	}
	if p := ZawgyiProbability("ျမန္မာ"); p < ZawgyiThreshold {
		t.Errorf("Zawgyi ျမန္မာ scored %v", p)
	}
	if p := ZawgyiProbability("မြန်မာ"); p > ZawgyiReviewThreshold {
		t.Errorf("Unicode မြန်မာ scored %v", p)
	}
}

func TestParseModelRejectsDamage(t *testing.T) {
	t.Parallel()
	good := zawgyiModelData
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"truncated", good[:len(good)/2]},
		{"trailing", append(append([]byte{}, good...), 0)},
		{"bad tag", append([]byte("XZMODEL "), good[8:]...)},
	} {
		if _, err := parseModel(tc.data); err == nil {
			t.Errorf("%s: parsed without error", tc.name)
		}
	}
}

// TestZawgyiNormalizeFixtures uses upstream's three Zawgyi normalisation
// cases: a Zawgyi string and its normalised Zawgyi form convert to the same
// Unicode.
func TestZawgyiNormalizeFixtures(t *testing.T) {
	t.Parallel()
	n := 0
	for _, line := range readLines(t, "testdata/myanmar-tools/zawgyi_normalize_tests_from_js_spec.tsv") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		z, nz, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		n++
		if a, b := ZawgyiToUnicode(z), ZawgyiToUnicode(nz); a != b {
			t.Errorf("%q → %q but its normal form %q → %q", z, a, nz, b)
		}
	}
	if n != 3 {
		t.Errorf("%d cases, want 3", n)
	}
}

// TestUnicodeZawgyiRoundTrip converts Unicode to Zawgyi with upstream's
// reverse rules (run by the same interpreter) and back.
func TestUnicodeZawgyiRoundTrip(t *testing.T) {
	t.Parallel()
	u2z := unicodeToZawgyi(t)
	lines := readLines(t, "testdata/myanmar-tools/mmgov_unicode_out.txt")
	for _, n := range loadLabelledNames(t, "testdata/names/variants.tsv", "testdata/names/heldout.tsv") {
		if n.script == "burmese" {
			lines = append(lines, n.form)
		}
	}
	for _, u := range lines {
		if got := ZawgyiToUnicode(u2z.transform(u)); got != u {
			t.Errorf("round trip of %q gave %q", u, got)
		}
	}
}

// TestConvertIfZawgyi checks that Unicode and non-Myanmar text pass through
// unchanged and Zawgyi is converted.
func TestConvertIfZawgyi(t *testing.T) {
	t.Parallel()
	z := readLines(t, "testdata/myanmar-tools/mmgov_zawgyi_src.txt")
	u := readLines(t, "testdata/myanmar-tools/mmgov_unicode_out.txt")
	for i := range u {
		if got, conv := ConvertIfZawgyi(u[i]); got != u[i] || conv {
			t.Errorf("Unicode line %d changed (converted=%v)", i+1, conv)
		}
		got, _ := ConvertIfZawgyi(z[i])
		if got != u[i] {
			t.Errorf("Zawgyi line %d not converted", i+1)
		}
	}
	for _, s := range []string{"", "plain ASCII", "Ünïcödé", "数字", "၁၂၃"} {
		if got, conv := ConvertIfZawgyi(s); got != s || conv {
			t.Errorf("ConvertIfZawgyi(%q) = %q, %v", s, got, conv)
		}
	}
}

func TestTransliteratorRejectsUnsupported(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"a { b } c > d;",      // contexts
		"a < b;",              // reverse rule
		"::NFC;",              // other transforms
		"a > b",               // no semicolon
		"$x = [ab; a > $x;",   // unclosed set
		"(a > b;",             // unclosed segment
		"a > $1;",             // no such segment
		"$undefined > b;",     // undefined variable
		"[[:WSpace:]] > b;",   // property sets
		"a > 'quoted';",       // quoting
		"$s = [ab]; a > $s;",  // set in output
		"> b;",                // empty pattern
		"a* > b; b > |c|d;",   // two cursors
		"a > b; c > \\u12G4;", // bad escape
	} {
		if _, err := parseTransliterator(src); err == nil {
			t.Errorf("parseTransliterator(%q) succeeded", src)
		}
	}
}

func TestTransliteratorSemantics(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ rules, in, want string }{
		{"a > b;", "aaa", "bbb"},
		{"a > bb; b > c;", "ab", "bbc"},           // output is not rescanned
		{"a > | b; b > c;", "a", "c"},             // unless the cursor says so
		{"^ a > x;", "aaa", "xaa"},                // start anchor
		{"a $ > x;", "aaa", "aax"},                // end anchor
		{"(a)(b) > $2 $1;", "abab", "baba"},       // segments
		{"a+ > x;", "aaab", "xb"},                 // greedy quantifier
		{"[^a] > x;", "abc", "axx"},               // negated set
		{"$v = [xy]; $v > z;", "xay", "zaz"},      // set variable
		{"$s = ab; $s > z;", "abab", "zz"},        // string variable
		{"a > b; ::Null; b > c;", "a", "c"},       // phases
		{"[ab]* b > x;", "aab", "x"},              // backtracking where it matters
		{"\\u0041 > \\x{42};", "A", "B"},          // escapes
		{"a > ; b > c;", "ab", "c"},               // deletion
		{"x? y > z;", "xyy", "zz"},                // optional
		{"[a-c] > x;", "abcd", "xxxd"},            // range
		{"[\\1u] > x;", "\u0001u1", "xx1"},        // ICU's octal escape
		{"a > b; # comment ; c > d;", "ac", "bc"}, // comments
	} {
		tr, err := parseTransliterator(tc.rules)
		if err != nil {
			t.Errorf("%q: %v", tc.rules, err)
			continue
		}
		if got := tr.transform(tc.in); got != tc.want {
			t.Errorf("rules %q on %q = %q, want %q", tc.rules, tc.in, got, tc.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", ""},
		{"ascii", "Aung San", "Aung San"},
		{"trim and collapse", "  Aung \t San  \u00a0 Suu ", "Aung San Suu"},
		{"zwsp", "ဝင်း\u200bနိုင်", "ဝင်းနိုင်"},
		{"word joiner and bom", "\ufeffက\u2060ခ", "ကခ"},
		{"zwj in burmese", "က\u200dခ\u200c", "ကခ"},
		{"zwj in emoji kept", "👩\u200d💻", "👩\u200d💻"},
		{"controls", "a\x00b\x07c\u0085d", "abc\nd"},
		{"crlf", "a\r\nb\rc", "a\nb\nc"},
		{"blank lines", "a\n\n\n\nb\n", "a\n\nb"},
		{"lines trimmed", " a \n b ", "a\nb"},
		{"space before mark", "က ါ", "ကါ"},
		{"space before latin mark", "e \u0301", "é"},
		{"doubled vowel", "ကိိ", "ကိ"},
		{"doubled asat", "က််", "က်"},
		{"u and i order", "ကုိ", "ကို"},
		{"anusvara and u", "ဘံု", "ဘုံ"},
		{"medials order", "ကွျ", "ကျွ"},
		{"dot below and asat", "င့််", "င့်"},
		{"e typed first", "ေက", "ကေ"},
		{"e and ra typed first", "ေြက", "ကြေ"},
		{"contraction asat kept", "ကျွန်ုပ်", "ကျွန်ုပ်"},
		{"kinzi kept", "သင်္ချိုင်း", "သင်္ချိုင်း"},
		{"stack before vowel", "မန္တလေး", "မန္တလေး"},
		{"u + ii composes", "ဥ\u102e", "ဦ"},
		{"nfc other scripts", "Cafe\u0301", "Café"},
		{"invalid utf8", "a\xffb", "a\ufffdb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Normalize(tc.in)
			if got != tc.want {
				t.Errorf("Normalize(%+q) = %+q, want %+q", tc.in, got, tc.want)
			}
			if again := Normalize(got); again != got {
				t.Errorf("not idempotent: %+q → %+q", got, again)
			}
		})
	}
}

// allFixtureTexts returns every text of the shared data and the name sets.
func allFixtureTexts(t testing.TB) []string {
	var out []string
	out = append(out, readLines(t, "testdata/myanmar-tools/mmgov_zawgyi_src.txt")...)
	out = append(out, readLines(t, "testdata/myanmar-tools/mmgov_unicode_out.txt")...)
	for _, line := range readLines(t, "testdata/myanmar-tools/z2u_pairs_from_js_spec.tsv") {
		f := strings.Split(line, "\t")
		if len(f) == 3 {
			out = append(out, unescapeTSV(f[1]), unescapeTSV(f[2]))
		}
	}
	for _, line := range readLines(t, "testdata/myanmar-tools/compatibility.tsv") {
		if _, text, ok := strings.Cut(line, "\t"); ok {
			out = append(out, text)
		}
	}
	for _, n := range loadLabelledNames(t, "testdata/names/variants.tsv", "testdata/names/heldout.tsv") {
		out = append(out, n.form)
	}
	return out
}

func TestNormalizeInvariantsOnFixtures(t *testing.T) {
	t.Parallel()
	for _, s := range allFixtureTexts(t) {
		checkNormalizeInvariants(t, s)
		checkNormalizeInvariants(t, ZawgyiToUnicode(s))
	}
}

func checkNormalizeInvariants(t *testing.T, s string) {
	t.Helper()
	n := Normalize(s)
	if !utf8.ValidString(n) {
		t.Fatalf("Normalize(%+q) is not valid UTF-8", s)
	}
	if again := Normalize(n); again != n {
		t.Fatalf("Normalize not idempotent on %+q:\n%+q\n%+q", s, n, again)
	}
	if !norm.NFC.IsNormalString(n) {
		t.Fatalf("Normalize(%+q) = %+q is not NFC", s, n)
	}
	f := FoldForMatch(s)
	if again := FoldForMatch(f); again != f {
		t.Fatalf("FoldForMatch not idempotent on %+q:\n%+q\n%+q", s, f, again)
	}
	for _, r := range n {
		if r < 0x20 && r != '\n' || r == 0x7F || isInvisible(r) {
			t.Fatalf("Normalize(%+q) kept %U", s, r)
		}
	}
}

func TestFoldForMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"ဒုတိယ၀န်ကြီး", "ဒုတိယဝန်ကြီး"}, // zero used as WA
		{"၀င်း", "ဝင်း"},
		{"၁၀", "၁၀"}, // a number stays
		{"အမှတ် ၁၀", "အမှတ် ၁၀"},
		{"၇ွာ", "ရွာ"},   // seven used as RA
		{"၄င်း", "၎င်း"}, // four used as ၎
		{"ဦး", "ဉီး"},    // ဦ folds with ဥ/ဉ
		{"ဥက္ကဋ္ဌ", "ဉက္ကဋ္ဌ"},
		{"စျေး", "ဈေး"},
		{"ဩ", "သြ"},
		{"Aung SAN", "aung san"},
		{"Zoë", "zoe"},
	} {
		if got := FoldForMatch(tc.in); got != tc.want {
			t.Errorf("FoldForMatch(%+q) = %+q, want %+q", tc.in, got, tc.want)
		}
	}
	if FoldForMatch("ဦးဝင်း") != FoldForMatch("ဥ\u102eး၀င်း") {
		t.Error("look-alike spellings of ဦးဝင်း fold differently")
	}
}

func TestClean(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		in        string
		value     string
		original  bool
		converted bool
	}{
		{"unicode unchanged", "မြန်မာ", "မြန်မာ", false, false},
		{"zawgyi converted", "ျမန္မာႏိုင္ငံ", "မြန်မာနိုင်ငံ", true, true},
		{"spaces trimmed", " Aung  San ", "Aung San", true, false},
		{"controls stripped", "a\x1bb\tc\nd", "ab c\nd", true, false},
		{"ascii unchanged", "Daw Aung San Suu Kyi", "Daw Aung San Suu Kyi", false, false},
		{"empty", "", "", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Clean(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Value != tc.value || got.Converted != tc.converted || (got.Original != "") != tc.original {
				t.Errorf("Clean(%+q) = %+v", tc.in, got)
			}
			if tc.original && got.Original != tc.in {
				t.Errorf("Original = %+q, want the input", got.Original)
			}
			again, _ := Clean(got.Value)
			if again.Value != got.Value || again.Original != "" || again.Converted {
				t.Errorf("Clean(Clean(x).Value) = %+v", again)
			}
		})
	}
}

func TestCleanInvalidUTF8(t *testing.T) {
	t.Parallel()
	secret := "Kyaw Kyaw \xff 12/OuKaMa(N)123456"
	_, err := Clean(secret)
	if !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("err = %v, want ErrInvalidUTF8", err)
	}
	if strings.Contains(err.Error(), "Kyaw") || strings.Contains(err.Error(), "123456") {
		t.Errorf("error message leaks the input: %q", err)
	}
}

func TestRomanizeVariants(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		burmese string
		latin   []string
	}{
		{"ဝင်း", []string{"Win", "Winn", "Wynn"}},
		{"ခိုင်", []string{"Khine", "Khaing"}},
		{"ထူး", []string{"Htoo", "Htue"}},
		{"ဦး", []string{"Oo", "U"}},
		{"အောင်", []string{"Aung", "Oung"}},
		{"ကျော်", []string{"Kyaw"}},
		{"သက်", []string{"Thet", "Thett"}},
		{"ဒေါ်အောင်ဆန်းစုကြည်", []string{"Daw Aung San Suu Kyi", "daw aung san su kyi"}},
		{"သန္တာ", []string{"Thandar", "Thanda", "Than Dar"}},
		{"လှိုင်", []string{"Hlaing"}},
		{"ရွှေ", []string{"Shwe"}},
		{"ငြိမ်း", []string{"Nyein"}},
		{"ဘုန်း", []string{"Phone", "Hpone"}},
		{"ထွန်း", []string{"Tun", "Htun"}},
		{"မြင့်", []string{"Myint"}},
		{"ဥမ္မာ", []string{"Ohnmar", "Ohmar"}},
	} {
		want := Romanize(tc.burmese)
		if want == "" {
			t.Errorf("Romanize(%q) is empty", tc.burmese)
		}
		for _, l := range tc.latin {
			if got := LatinKey(l); got != want {
				t.Errorf("LatinKey(%q) = %q, Romanize(%q) = %q", l, got, tc.burmese, want)
			}
			if got := Romanize(l); got != want {
				t.Errorf("Romanize(%q) = %q, want %q", l, got, want)
			}
		}
		// Zawgyi gives the same key.
		if z := unicodeToZawgyi(t).transform(tc.burmese); ZawgyiProbability(z) >= ZawgyiThreshold {
			if got := Romanize(z); got != want {
				t.Errorf("Romanize(Zawgyi %q) = %q, want %q", z, got, want)
			}
		}
	}
	if got := LatinKey("ဝင်း Win"); got != "win" {
		t.Errorf("LatinKey keeps Burmese: %q", got)
	}
	for _, s := range []string{"", "123", "!!", "数字"} {
		if got := Romanize(s); got != "" {
			t.Errorf("Romanize(%q) = %q, want empty", s, got)
		}
	}
}

func TestMatchNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b  string
		match bool
	}{
		{"ဒေါ်အောင်ဆန်းစုကြည်", "Aung San Suu Kyi", true},
		{"ေဒၚေအာင္ဆန္းစုၾကည္", "Daw Aung San Suu Kyi", true}, // Zawgyi
		{"U Kyaw Lin", "ဦးကျော်လင်း", true},
		{"Mg Mg Win", "မောင်မောင်ဝင်း", true},
		{"Capt. Zaw Min Tun", "ဗိုလ်ကြီး ဇော်မင်းထွန်း", true},
		{"Lt-Col Soe Naing", "ဒုဗိုလ်မှူးကြီးစိုးနိုင်", true},
		{"Police Major Aung Myo", "ရဲမှူးအောင်မျိုး", true},
		{"Dr. Myint Htwe", "Myint Htway", true},
		{"Kyaw Aung", "Aung Kyaw", true}, // order does not matter
		{"Thidar Win", "Thida Winn", true},
		{"Bo Bo", "ဘိုဘို", true}, // a name, not the title Bo
		{"Aung Aung", "Kyaw Kyaw", false},
		{"Min Aung Hlaing", "Min Thu", false},
		{"Win Naing", "Zaw Win Naing", false},
		{"Daw Khin Kyi", "Daw Khin Lay", false},
		{"", "Aung", false},
		{"123", "123", false},
	} {
		s := MatchNames(tc.a, tc.b)
		if got := s >= MatchThreshold; got != tc.match {
			t.Errorf("MatchNames(%q, %q) = %.3f, match %v, want %v", tc.a, tc.b, s, got, tc.match)
		}
		if r := MatchNames(tc.b, tc.a); r != s {
			t.Errorf("not symmetric: %.3f vs %.3f", s, r)
		}
		if s < 0 || s > 1 {
			t.Errorf("score %v out of range", s)
		}
	}
	if !PrepareName("").Empty() || PrepareName("Aung").Empty() {
		t.Error("Empty is wrong")
	}
	if got := PrepareName("Daw Aung San Suu Kyi").Syllables(); got != "aun san su kyi" {
		t.Errorf("Syllables = %q", got)
	}
}

func TestDigits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"၁၂၃၄၅၆", "123456", true},
		{"123456", "123456", true},
		{" ၀၁2 ", "012", true},
		{"၁ဝ", "10", true}, // WA typed for zero
		{"ဝ", "", false},
		{"", "", false},
		{"12a", "", false},
		{"၁ ၂", "", false},
		{"\xff", "", false},
		{"-1", "", false},
	} {
		got, err := ParseDigits(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseDigits(%q) = %q, %v", tc.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrNotDigits) {
			t.Errorf("error %v is not ErrNotDigits", err)
		}
	}
	if got := BurmeseDigits("NRC 12/345, ၆"); got != "NRC ၁၂/၃၄၅, ၆" {
		t.Errorf("BurmeseDigits = %q", got)
	}
	for _, s := range []string{"0", "0123456789", "999"} {
		if back, err := ParseDigits(BurmeseDigits(s)); err != nil || back != s {
			t.Errorf("round trip of %q gave %q, %v", s, back, err)
		}
	}
}

func TestParseNRC(t *testing.T) {
	t.Parallel()
	want := NRC{State: 12, Township: "OUKAMA", Type: "N", Number: "123456"}
	for _, in := range []string{
		"12/OuKaMa(N)123456",
		"12/OUKAMA(N)123456",
		"12/oukama(n)123456",
		"12 / Ou Ka Ma (N) 123456",
		"12/OuKaMa(Naing)123456",
		"12/OuKaMa[N]123456",
		"12/UKaMa(N)123456",
		"၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆",
		"၁၂ / ဥကမ (နိုင်) ၁၂၃၄၅၆",
		"၁၂/ဥကမ(ႏိုင္)၁၂၃၄၅၆", // Zawgyi
		"၁၂/ဉကမ(နိုင်)၁၂၃၄၅၆", // ဉ typed for ဥ
		"  12/OuKaMa(N)123456\n",
	} {
		got, err := ParseNRC(in)
		if err != nil || got != want {
			t.Errorf("ParseNRC(%q) = %+v, %v", in, got, err)
		}
	}
	if s := want.String(); s != "12/OuKaMa(N)123456" {
		t.Errorf("String = %q", s)
	}
	if s := want.Burmese(); s != "၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆" {
		t.Errorf("Burmese = %q", s)
	}
	for _, tc := range []struct {
		in   string
		want NRC
	}{
		{"9/MaHaMa(E)000001", NRC{9, "MAHAMA", "E", "000001"}},
		{"12/AhLaNa(P)654321", NRC{12, "AHLANA", "P", "654321"}},
		{"12/ShaPaTha(T)111111", NRC{12, "SHAPATHA", "T", "111111"}},
		{"၁၂/ရှပသ(သ)၁၁၁၁၁၁", NRC{12, "SHAPATHA", "T", "111111"}},
		{"၁၂/မရက(ဧည့်)၂၂၂၂၂၂", NRC{12, "MAYAKA", "E", "222222"}},
		{"၁၂/ဗဟန(ပြု)၃၃၃၃၃၃", NRC{12, "BAHANA", "P", "333333"}},
		{"5/MaYaNa(N)123456", NRC{5, "MAYANA", "N", "123456"}},
		{"13/TaKaNa(N)123456", NRC{13, "TAKANA", "N", "123456"}},
		{"14/PaThaNa(N)123456", NRC{14, "PATHANA", "N", "123456"}},
		{"1/MaKaNa(N)123456", NRC{1, "MAKANA", "N", "123456"}},
		{"12/KaMaYa(N)123456", NRC{12, "KAMAYA", "N", "123456"}},
		{"12/DaGaNa(N)123456", NRC{12, "DAGANA", "N", "123456"}},
		{"12/HtaTaPa(N)123456", NRC{12, "HTATAPA", "N", "123456"}},
		{"12/BaTaHta(N)123456", NRC{12, "BATAHTA", "N", "123456"}},
	} {
		got, err := ParseNRC(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseNRC(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		for _, form := range []string{got.String(), got.Burmese()} {
			back, err := ParseNRC(form)
			if err != nil || back != got {
				t.Errorf("ParseNRC(%q) = %+v, %v; want %+v", form, back, err, got)
			}
		}
	}
	for _, in := range []string{
		"", "12", "12/OuKaMa", "12/OuKaMa(N)", "12/OuKaMa(N)12345", "12/OuKaMa(N)1234567",
		"15/OuKaMa(N)123456", "0/OuKaMa(N)123456", "12/OuKaMa(X)123456", "12/Q(N)123456",
		"12/(N)123456", "12/OuKaMa(N)12345a", "a/OuKaMa(N)123456", "12/KaKaKaKaKaKaKa(N)123456",
	} {
		if _, err := ParseNRC(in); !errors.Is(err, ErrInvalidNRC) {
			t.Errorf("ParseNRC(%q) error = %v, want ErrInvalidNRC", in, err)
		}
	}
	if _, err := ParseNRC("12/OuKaMa(N)\xff23456"); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("invalid UTF-8: %v", err)
	}
	_, err := ParseNRC("12/OuKaMa(N)99999x")
	if strings.Contains(err.Error(), "99999") {
		t.Errorf("error leaks input: %v", err)
	}
}

func TestTownshipLetters(t *testing.T) {
	t.Parallel()
	// Real township codes: Latin and Burmese spellings agree.
	for _, tc := range []struct{ latin, burmese string }{
		{"OuKaMa", "ဥကမ"},    // North Okkalapa
		{"OuKaTa", "ဥကတ"},    // South Okkalapa
		{"MaYaKa", "မရက"},    // Mayangone
		{"KaMaYa", "ကမရ"},    // Kamayut
		{"BaHaNa", "ဗဟန"},    // Bahan
		{"AhLaNa", "အလန"},    // Ahlone
		{"LaMaNa", "လမန"},    // Lanmadaw
		{"SaKhaNa", "စခန"},   // Sanchaung
		{"ThaKaTa", "သကတ"},   // Thaketa
		{"ShaPaTha", "ရှပသ"}, // Shwepyithar
		{"MaHaMa", "မဟမ"},    // Mahaaungmye
		{"KhaAhZa", "ခအဇ"},   // Chanayethazan
		{"HtaTaPa", "ထတပ"},   // Htantabin
		{"PaBaTa", "ပဘတ"},    // Pabedan
	} {
		l, ok1 := townshipFromLatin(tc.latin)
		b, ok2 := townshipFromBurmese(tc.burmese)
		if !ok1 || !ok2 || l != b {
			t.Errorf("%s → %q (%v), %s → %q (%v)", tc.latin, l, ok1, tc.burmese, b, ok2)
		}
		n := NRC{State: 12, Township: l, Type: "N", Number: "123456"}
		if !strings.Contains(n.String(), tc.latin) {
			t.Errorf("%+v prints as %q", n, n.String())
		}
		// Burmese() may spell a shared syllable with the other letter (ဘ
		// and ဗ are both BA) but must read back as the same code.
		if back, err := ParseNRC(n.Burmese()); err != nil || back != n {
			t.Errorf("%+v → %q → %+v, %v", n, n.Burmese(), back, err)
		}
	}
}

func TestRegions(t *testing.T) {
	t.Parallel()
	rs := Regions()
	if len(rs) != 15 {
		t.Fatalf("%d regions, want 15", len(rs))
	}
	nrc := map[int]bool{}
	for _, r := range rs {
		if r.Code == "" || r.ISO == "" || r.English == "" || r.Burmese == "" || len(r.MIMU) == 0 {
			t.Errorf("incomplete region %+v", r)
		}
		if r.NRC != 0 {
			nrc[r.NRC] = true
		}
	}
	if len(nrc) != 14 {
		t.Errorf("%d NRC numbers, want 14", len(nrc))
	}
	if len(Districts()) != 74 {
		t.Errorf("%d districts, want 74", len(Districts()))
	}
	n := 0
	for _, tw := range Townships() {
		if tw.Parent == "" {
			n++
		}
	}
	if n != 330 {
		t.Errorf("%d townships, want 330", n)
	}
	bago, _ := LookupRegion("Bago")
	if bago.Code != "MMR111" || strings.Join(bago.MIMU, ",") != "MMR007,MMR008" {
		t.Errorf("Bago = %+v", bago)
	}
	shan, _ := LookupRegion("Shan")
	if shan.Code != "MMR222" || strings.Join(shan.MIMU, ",") != "MMR014,MMR015,MMR016" {
		t.Errorf("Shan = %+v", shan)
	}
	rs[0].MIMU[0] = "changed"
	if Regions()[0].MIMU[0] == "changed" {
		t.Error("Regions shares its slices")
	}
}

func TestLookupRegion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Yangon", "Yangon"},
		{"yangon region", "Yangon"},
		{"Rangoon", "Yangon"},
		{"ရန်ကုန်", "Yangon"},
		{"ရန်ကုန်တိုင်းဒေသကြီး", "Yangon"},
		{"ရန္ကုန္", "Yangon"}, // Zawgyi
		{"Shan State", "Shan"},
		{"ရှမ်းပြည်နယ်", "Shan"},
		{"Mandaly", "Mandalay"},
		{"Mandalay Division", "Mandalay"},
		{"မန္တလေး", "Mandalay"},
		{"Ayeyarwaddy", "Ayeyarwady"},
		{"Irrawaddy", "Ayeyarwady"},
		{"Nay Pyi Taw", "Nay Pyi Taw"},
		{"Naypyidaw", "Nay Pyi Taw"},
		{"MMR007", "Bago"},
		{"MM-06", "Yangon"},
		{"KAYIN STATE", "Kayin"},
		{"Karen", "Kayin"},
	} {
		got, ok := LookupRegion(tc.in)
		if !ok || got.English != tc.want {
			t.Errorf("LookupRegion(%q) = %q, %v; want %q", tc.in, got.English, ok, tc.want)
		}
	}
	for _, in := range []string{"", "Paris", "Yangonnnnn", "\xff", "ab"} {
		if got, ok := LookupRegion(in); ok {
			t.Errorf("LookupRegion(%q) = %q", in, got.English)
		}
	}
	if r, ok := RegionForNRC(12); !ok || r.English != "Yangon" {
		t.Errorf("RegionForNRC(12) = %+v", r)
	}
	if r, ok := RegionByCode("mmr015"); !ok || r.English != "Shan" {
		t.Errorf("RegionByCode(mmr015) = %+v", r)
	}
}

func TestLookupTownship(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, code string }{
		{"Insein", "MMR013001"},
		{"insein township", "MMR013001"},
		{"အင်းစိန်", "MMR013001"},
		{"အင်းစိန်မြို့နယ်", "MMR013001"},
		{"Hlaing Tharyar", "MMR013008"},
		{"Kamayut", "MMR013041"},
		{"Mayangone", "MMR013042"},
		{"Minhla, Magway", "MMR009013"},
		{"Minhla (Bago)", "MMR008009"},
		{"Myothit", "MMR009005"}, // the township, not the sub-township
		{"Dagon Myothit (South)", "MMR013018"},
		{"Myitkyina", "MMR001001"},
		{"MMR013001", "MMR013001"},
	} {
		got, ok := LookupTownship(tc.in)
		if !ok || got.Code != tc.code {
			t.Errorf("LookupTownship(%q) = %+v, %v; want %s", tc.in, got, ok, tc.code)
		}
	}
	for _, in := range []string{"Minhla", "Htantabin", "", "Nowhere", "South"} {
		if got, ok := LookupTownship(in); ok {
			t.Errorf("LookupTownship(%q) = %+v, want not found", in, got)
		}
	}
	ygn, _ := LookupRegion("Yangon")
	if got, ok := LookupTownshipIn(ygn, "Htantabin"); !ok || got.Code != "MMR013006" {
		t.Errorf("LookupTownshipIn(Yangon, Htantabin) = %+v, %v", got, ok)
	}
}

func TestRanks(t *testing.T) {
	t.Parallel()
	bandOrder := map[RankBand]int{}
	for i, b := range RankBands() {
		bandOrder[b] = i
	}
	for _, svc := range Services() {
		rs := Ranks(svc)
		if len(rs) < 10 {
			t.Errorf("%s: only %d ranks", svc, len(rs))
		}
		codes := map[string]bool{}
		for i, r := range rs {
			if r.Order != i+1 || r.Service != svc || codes[r.Code] {
				t.Errorf("%s: bad rank %+v", svc, r)
			}
			codes[r.Code] = true
			if i > 0 && bandOrder[r.Band] < bandOrder[rs[i-1].Band] {
				t.Errorf("%s: band goes down at %s", svc, r.Code)
			}
			for _, name := range []string{r.Code, r.English, r.Burmese, strings.ToLower(r.English)} {
				got, ok := LookupRank(svc, name)
				if !ok || got.Code != r.Code {
					t.Errorf("LookupRank(%s, %q) = %+v, %v; want %s", svc, name, got, ok, r.Code)
				}
			}
		}
	}
	if Ranks("marines") != nil {
		t.Error("unknown service has ranks")
	}
}

func TestLookupRank(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		svc        Service
		name, code string
	}{
		{Army, "Capt.", "CAPT"},
		{Army, "Lt-Col", "LTCOL"},
		{Army, "lt col", "LTCOL"},
		{Army, "Leiutenant Colonel", "LTCOL"}, // two letters swapped
		{Army, "Lieutenant Colonl", "LTCOL"},  // one missing
		{Army, "ဗိုလ်မှူးကြီး", "COL"},
		{Army, "ဗိုလ္မႉးႀကီး", "COL"}, // Zawgyi
		{Army, "ဒုတိယဗိုလ်ချုပ်ကြီး", "LTGEN"},
		{Army, "Senior General", "SNRGEN"},
		{Army, "တပ်ကြပ်ကြီး", "SGT"},
		{Army, "တပ်သား", "PVT"},
		{Navy, "ရေတပ်ဗိုလ်မှူးကြီး", "CAPT"},
		{Navy, "Rear Admiral", "RADM"},
		{AirForce, "Squadron Leader", "SQNLDR"},
		{AirForce, "လေတပ်ဗိုလ်မှူး", "SQNLDR"},
		{Police, "Police Major", "PMAJ"},
		{Police, "Major", "PMAJ"},
		{Police, "Pol. Maj.", "PMAJ"},
		{Police, "ရဲမှူး", "PMAJ"},
		{Police, "ရဲအုပ်", "PCAPT"},
		{Police, "Police Captain", "PCAPT"},
		{Police, "Inspector", "PCAPT"},
		{Police, "ဒုရဲအုပ်", "PLT"},
		{Police, "ရဲတပ်သား", "PPVT"},
	} {
		got, ok := LookupRank(tc.svc, tc.name)
		if !ok || got.Code != tc.code {
			t.Errorf("LookupRank(%s, %q) = %+v, %v; want %s", tc.svc, tc.name, got, ok, tc.code)
		}
	}
	for _, tc := range []struct {
		svc  Service
		name string
	}{{Army, ""}, {Army, "Admiral"}, {Police, "Colonel Sanders"}, {"space", "Captain"}, {Army, "\xff"}} {
		if got, ok := LookupRank(tc.svc, tc.name); ok {
			t.Errorf("LookupRank(%s, %q) = %+v", tc.svc, tc.name, got)
		}
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	if s := (Text{Value: "x"}).LogValue().String(); s != "[redacted]" {
		t.Errorf("Text logs as %q", s)
	}
	if s := (NRC{State: 12}).LogValue().String(); s != "[redacted]" {
		t.Errorf("NRC logs as %q", s)
	}
	if s := PrepareName("Aung").LogValue().String(); s != "[redacted]" {
		t.Errorf("Name logs as %q", s)
	}
}
