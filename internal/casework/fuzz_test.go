package casework_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"embrace/internal/casework"
)

// FuzzNormalize: the number normalisers never panic, are idempotent and
// return only ASCII letters and digits.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"09 123 456 789", "+95 9 123", "၀၉၁၂၃", "BC-12345", "\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, norm := range []func(string) string{casework.NormalizePhone, casework.NormalizeServiceNumber} {
			v := norm(s)
			if norm(v) != v {
				t.Fatalf("not idempotent: %q → %q → %q", s, v, norm(v))
			}
			if strings.IndexFunc(v, func(r rune) bool { return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') }) >= 0 {
				t.Fatalf("%q gave %q", s, v)
			}
		}
	})
}

// FuzzPrepare: any person input is either refused with a FieldError naming
// a field (never echoing the value) or sealed; Prepare never panics.
func FuzzPrepare(f *testing.F) {
	f.Add("အောင်မျိုးဇော်", "Aung Myo Zaw", "12/OuKaMa(N)123456", "1990-01-31", "spouse")
	f.Add("ေဒၚသီတာ", "", "bad", "1990-02-30", "self")
	f.Add("\xff", strings.Repeat("x", 600), "", "", "")
	f.Fuzz(func(t *testing.T, my, latin, nrc, dob, rel string) {
		nc := validCase()
		nc.Defector.NameMy, nc.Defector.NameLatin, nc.Defector.NRC, nc.Defector.DateOfBirth = my, latin, nrc, dob
		nc.Family[0].Relation = rel
		_, err := casework.Prepare(nc, testEscrow(t))
		if err == nil {
			if !utf8.ValidString(my) || !utf8.ValidString(latin) {
				t.Fatal("invalid UTF-8 accepted")
			}
			return
		}
		fe, ok := err.(*casework.FieldError)
		if !ok || fe.Field == "" {
			t.Fatalf("not a field error: %v", err)
		}
		for _, v := range []string{my, latin, nrc, dob} {
			if len(v) > 8 && strings.Contains(err.Error(), v) {
				t.Fatalf("error echoes input: %v", err)
			}
		}
	})
}
