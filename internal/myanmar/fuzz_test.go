package myanmar

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fuzz targets for every function that reads outside input. Seeds are the
// shared fixtures (news text, converter pairs, detector rows, names). Run
// one with, for example:
//
//	go test -run '^$' -fuzz '^FuzzClean$' -fuzztime 20s ./internal/myanmar/

func addFixtureSeeds(f *testing.F) {
	for _, s := range allFixtureTexts(f) {
		f.Add(s)
	}
	for _, s := range []string{"", " ", "\x00", "\xff\xfe", "\u200b", "က\u200d", "ေ", "္", "့်", "\u1039\u1037\u103a"} {
		f.Add(s)
	}
}

// FuzzClean: no panic; invalid UTF-8 is refused with ErrInvalidUTF8 and
// nothing else is; the Value is valid UTF-8, NFC, free of control and
// invisible characters, and a fixed point of Normalize; Original is the
// input exactly when the Value differs from it.
func FuzzClean(f *testing.F) {
	addFixtureSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Clean(s)
		if !utf8.ValidString(s) {
			if !errors.Is(err, ErrInvalidUTF8) {
				t.Fatalf("invalid UTF-8 accepted: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid UTF-8 refused: %v", err)
		}
		v := got.Value
		if !utf8.ValidString(v) || !norm.NFC.IsNormalString(v) {
			t.Fatalf("Value %+q not valid NFC UTF-8", v)
		}
		if Normalize(v) != v {
			t.Fatalf("Value %+q is not normalised", v)
		}
		for _, r := range v {
			if r < 0x20 && r != '\n' || r >= 0x7F && r < 0xA0 || isInvisible(r) {
				t.Fatalf("Value %+q keeps %U", v, r)
			}
		}
		if (got.Original != "") != (v != s) || got.Original != "" && got.Original != s {
			t.Fatalf("Original %+q for input %+q and Value %+q", got.Original, s, v)
		}
		if !got.Converted && v != Normalize(s) {
			t.Fatalf("unconverted Value %+q is not Normalize(input)", v)
		}
	})
}

// FuzzZawgyiToUnicode: no panic; the output is valid UTF-8; and the
// converter leaves its own output alone. Precisely: let u =
// Normalize(ZawgyiToUnicode(s)). If the detector scores u below
// ZawgyiThreshold, Clean(u) neither converts nor changes it
// (Clean(u) == Text{Value: u}). The detector may, rarely, score converted
// text high; the test counts on the seeds that it does not for real text.
func FuzzZawgyiToUnicode(f *testing.F) {
	addFixtureSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		z := ZawgyiToUnicode(s)
		if !utf8.ValidString(z) {
			t.Fatalf("ZawgyiToUnicode(%+q) = %+q is not valid UTF-8", s, z)
		}
		u := Normalize(z)
		if ZawgyiProbability(u) >= ZawgyiThreshold {
			return
		}
		got, err := Clean(u)
		if err != nil || got != (Text{Value: u}) {
			t.Fatalf("Clean of converted text %+q = %+v, %v", u, got, err)
		}
		if c, conv := ConvertIfZawgyi(u); conv || c != u {
			t.Fatalf("ConvertIfZawgyi changed converted text %+q", u)
		}
	})
}

// FuzzNormalize: no panic; valid UTF-8 and NFC out; Normalize and
// FoldForMatch idempotent; nothing but line breaks below U+0020.
func FuzzNormalize(f *testing.F) {
	addFixtureSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) || !norm.NFC.IsNormalString(n) {
			t.Fatalf("Normalize(%+q) = %+q is not valid NFC UTF-8", s, n)
		}
		if again := Normalize(n); again != n {
			t.Fatalf("Normalize not idempotent on %+q:\n%+q\n%+q", s, n, again)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%+q) = %+q has untrimmed spaces", s, n)
		}
		fo := FoldForMatch(s)
		if !utf8.ValidString(fo) {
			t.Fatalf("FoldForMatch(%+q) is not valid UTF-8", s)
		}
		if again := FoldForMatch(fo); again != fo {
			t.Fatalf("FoldForMatch not idempotent on %+q:\n%+q\n%+q", s, fo, again)
		}
		_ = Romanize(s)
		_ = LatinKey(s)
	})
}

// FuzzParseNRC: no panic; anything accepted prints in both forms that parse
// back to the same value.
func FuzzParseNRC(f *testing.F) {
	for _, s := range []string{
		"12/OuKaMa(N)123456", "၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆", "12 / Ou Ka Ma (Naing) 123456",
		"၁၂/ဥကမ(ႏိုင္)၁၂၃၄၅၆", "9/MaHaMa(E)000001", "12/ShaPaTha(T)111111", "1/(N)", "/()", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNRC(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidNRC) && !errors.Is(err, ErrInvalidUTF8) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if n.State < 1 || n.State > 14 || len(n.Number) != 6 || n.Township == "" || n.Type == "" {
			t.Fatalf("ParseNRC(%+q) = %+v", s, n)
		}
		for _, form := range []string{n.String(), n.Burmese()} {
			back, err := ParseNRC(form)
			if err != nil || back != n {
				t.Fatalf("ParseNRC(%+q) = %+v, but %+q parses as %+v, %v", s, n, form, back, err)
			}
		}
	})
}

// FuzzMatchNames: no panic; scores in [0, 1]; symmetric; a name with
// syllables matches itself fully.
func FuzzMatchNames(f *testing.F) {
	names := loadLabelledNames(f, "testdata/names/variants.tsv")
	for i := 0; i+1 < len(names); i += 3 {
		f.Add(names[i].form, names[i+1].form)
	}
	f.Add("", "")
	f.Add("\xff", "U")
	f.Fuzz(func(t *testing.T, a, b string) {
		s := MatchNames(a, b)
		if s < 0 || s > 1 || s != s {
			t.Fatalf("MatchNames(%+q, %+q) = %v", a, b, s)
		}
		if r := MatchNames(b, a); r != s {
			t.Fatalf("MatchNames not symmetric on %+q, %+q: %v vs %v", a, b, s, r)
		}
		if pa := PrepareName(a); !pa.Empty() {
			if self := pa.Score(pa); self != 1 {
				t.Fatalf("%+q scores %v against itself", a, self)
			}
		}
	})
}
