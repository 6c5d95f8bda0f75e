package finance

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

func TestParseMoney(t *testing.T) {
	t.Parallel()
	good := []struct {
		in, cur string
		zero    bool
		want    Money
	}{
		{"1,000.50 THB", "", false, Money{"THB", 100050}},
		{"1000", "THB", false, Money{"THB", 100000}},
		{"1000 thb", "THB", false, Money{"THB", 100000}},
		{"၁,၀၀၀ MMK", "", false, Money{"MMK", 100000}},
		{"၁၂.၅", "USD", false, Money{"USD", 1250}},
		{"0.01 USD", "", false, Money{"USD", 1}},
		{"5.10", "USD", false, Money{"USD", 510}},
		{"5.100", "USD", false, Money{"USD", 510}}, // trailing zeros are not a fraction of a cent
		{"1500 JPY", "", false, Money{"JPY", 1500}},
		{"0", "THB", true, Money{"THB", 0}},
		{"10,000,000,000 THB", "", false, Money{"THB", MaxMinor}},
		{"  25 USD ", "", false, Money{"USD", 2500}},
	}
	for _, tc := range good {
		got, err := ParseMoney(tc.in, tc.cur, tc.zero)
		if err != nil || got != tc.want {
			t.Errorf("ParseMoney(%q, %q) = %v, %v; want %v", tc.in, tc.cur, got, err, tc.want)
		}
	}
	bad := []struct {
		in, cur string
		want    error
	}{
		{"1.005 THB", "", ErrFraction},
		{"1.5 JPY", "", ErrFraction},
		{"-5 THB", "", ErrNegative},
		{"−5 THB", "", ErrNegative},
		{"0 THB", "", ErrZero},
		{"0.00", "USD", ErrZero},
		{"10,000,000,000.01 THB", "", ErrTooLarge},
		{"99999999999999999999999 THB", "", ErrTooLarge},
		{"9223372036854775807 USD", "", ErrTooLarge},
		{"100 XYZ", "", ErrCurrency},
		{"100", "", ErrCurrency},
		{"100 USD", "THB", ErrCurrency},
		{"", "THB", ErrAmount},
		{"1,00 THB", "", ErrAmount},
		{"1,0000 THB", "", ErrAmount},
		{",100 THB", "", ErrAmount},
		{"1. THB", "", ErrAmount},
		{".5 THB", "", ErrAmount},
		{"1e5 THB", "", ErrAmount},
		{"1.2.3 THB", "", ErrAmount},
		{"+5 THB", "", ErrAmount},
		{"NaN THB", "", ErrAmount},
		{"Inf", "USD", ErrAmount},
		{"0x10 USD", "", ErrAmount},
		{"\xff USD", "", ErrAmount},
		{strings.Repeat("1", 100), "USD", ErrAmount},
	}
	for _, tc := range bad {
		if got, err := ParseMoney(tc.in, tc.cur, false); !errors.Is(err, tc.want) {
			t.Errorf("ParseMoney(%q, %q) = %v, %v; want %v", tc.in, tc.cur, got, err, tc.want)
		}
	}
}

func TestMoneyFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		m        Money
		str, dec string
		burmese  string
	}{
		{Money{"THB", 100050}, "1,000.50 THB", "1000.50", "၁,၀၀၀.၅၀ THB"},
		{Money{"MMK", 500000000}, "5,000,000 MMK", "5000000.00", "၅,၀၀၀,၀၀၀ MMK"},
		{Money{"USD", 5}, "0.05 USD", "0.05", "၀.၀၅ USD"},
		{Money{"JPY", 1234}, "1,234 JPY", "1234", "၁,၂၃၄ JPY"},
		{Money{"USD", -2500}, "-25 USD", "-25.00", "-၂၅ USD"},
	} {
		if got := tc.m.String(); got != tc.str {
			t.Errorf("%v String = %q, want %q", tc.m.Minor, got, tc.str)
		}
		if got := tc.m.Decimal(); got != tc.dec {
			t.Errorf("%v Decimal = %q, want %q", tc.m.Minor, got, tc.dec)
		}
		if got := tc.m.Burmese(); got != tc.burmese {
			t.Errorf("%v Burmese = %q, want %q", tc.m.Minor, got, tc.burmese)
		}
	}
}

func TestNewMoney(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cur   string
		minor int64
		want  error
	}{
		{"THB", -1, ErrNegative}, {"THB", 0, ErrZero}, {"THB", MaxMinor + 1, ErrTooLarge}, {"ABC", 5, ErrCurrency}, {"thb", 5, ErrCurrency},
	} {
		if _, err := NewMoney(tc.cur, tc.minor, false); !errors.Is(err, tc.want) {
			t.Errorf("NewMoney(%s, %d) = %v, want %v", tc.cur, tc.minor, err, tc.want)
		}
	}
}

// TestConvertRounding checks conversion against hand calculations: exact
// fractions, rounded once, half away from zero.
func TestConvertRounding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		minor, num, den int64
		fromExp, toExp  int
		want            int64
	}{
		// 1,000.00 THB at 1 THB = 1/35 USD: 100000/35 = 2857.142… cents → 2857.
		{100000, 1, 35, 2, 2, 2857},
		// 0.70 THB at 1/35: 70/35 = 2 cents exactly.
		{70, 1, 35, 2, 2, 2},
		// 0.35 THB at 1/70: 35/70 = 0.5 cent → 1 (half away from zero).
		{35, 1, 70, 2, 2, 1},
		// −0.35 THB → −1.
		{-35, 1, 70, 2, 2, -1},
		// 100.00 USD at 1 USD = 2100 MMK: 10000 × 2100 = 21,000,000 pya.
		{10000, 2100, 1, 2, 2, 21000000},
		// 1,234 JPY (exp 0) at 1 JPY = 0.2367 THB (2367/10000), to satang (exp 2):
		// 1234 × 2367 × 100 / 10000 = 29208.78 → 29209.
		{1234, 2367, 10000, 0, 2, 29209},
		// 5.55 USD to JPY at 150: 555 × 150 / 100 = 832.5 → 833.
		{555, 150, 1, 2, 0, 833},
	} {
		got, err := convert(tc.minor, tc.num, tc.den, tc.fromExp, tc.toExp, "X")
		if err != nil || got.Minor != tc.want {
			t.Errorf("convert(%d × %d/%d, 10^%d→10^%d) = %d, %v; want %d", tc.minor, tc.num, tc.den, tc.fromExp, tc.toExp, got.Minor, err, tc.want)
		}
	}
	if r := roundHalfAway(big.NewInt(-5), big.NewInt(2)); r.Int64() != -3 {
		t.Errorf("round(-2.5) = %d", r.Int64())
	}
}

func TestParseRate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in       string
		num, den int64
	}{
		{"35.12", 878, 25}, {"0.0275", 11, 400}, {"2100", 2100, 1}, {"၃၅", 35, 1},
	} {
		n, d, err := ParseRate(tc.in)
		if err != nil || n != tc.num || d != tc.den {
			t.Errorf("ParseRate(%q) = %d/%d %v", tc.in, n, d, err)
		}
	}
	for _, in := range []string{"", "0", "-1", "1.", "abc", "1.0000000001", "1e3", "9999999999999"} {
		if _, _, err := ParseRate(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseRate(%q) = %v", in, err)
		}
	}
}

func TestCSVCell(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"=SUM(A1)": "'=SUM(A1)", "+1": "'+1", "-1": "'-1", "@x": "'@x", "\tx": "'\tx", "P-7Q4K": "P-7Q4K", "": ""} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseMoney: whatever parses formats back to text that parses to the
// same amount, and nothing parses outside the rules.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"1,000.50 THB", "1000", "၁,၀၀၀ MMK", "0.01 USD", "-5 THB", "1.005 THB", "99999999999999 USD", "1500 JPY", ",,", "1,0,0"} {
		f.Add(s, "THB")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, s, cur string) {
		m, err := ParseMoney(s, cur, true)
		if err != nil {
			return
		}
		if m.Minor < 0 || m.Minor > MaxMinor {
			t.Fatalf("ParseMoney(%q) = %d out of range", s, m.Minor)
		}
		for _, text := range []string{m.String(), m.Burmese(), m.Decimal() + " " + m.Currency} {
			back, err := ParseMoney(text, "", true)
			if err != nil || back != m {
				t.Fatalf("round trip %q → %v → %q → %v, %v", s, m, text, back, err)
			}
		}
	})
}
