package keys

import (
	"bytes"
	"crypto/rand"
	"testing"
)

func TestGFMul(t *testing.T) {
	t.Parallel()
	// FIPS-197 section 4.2 examples and the inverse pair of section 5.1.1.
	for _, tc := range []struct{ a, b, want byte }{
		{0x57, 0x83, 0xc1},
		{0x57, 0x13, 0xfe},
		{0x57, 0x02, 0xae},
		{0x57, 0x04, 0x47},
		{0x57, 0x08, 0x8e},
		{0x57, 0x10, 0x07},
		{0x53, 0xca, 0x01},
		{0x00, 0xff, 0x00},
		{0x01, 0xab, 0xab},
	} {
		if got := gfMul(tc.a, tc.b); got != tc.want {
			t.Errorf("%#02x·%#02x = %#02x, want %#02x", tc.a, tc.b, got, tc.want)
		}
		if got := gfMul(tc.b, tc.a); got != tc.want {
			t.Errorf("%#02x·%#02x = %#02x, want %#02x (commuted)", tc.b, tc.a, got, tc.want)
		}
	}
	if gfInv(0x53) != 0xca || gfInv(0xca) != 0x53 || gfInv(0) != 0 || gfInv(1) != 1 {
		t.Error("gfInv known answers")
	}
	// Every non-zero element has an inverse; multiplication is associative
	// and distributes over xor (checked on a sample).
	for a := 1; a < 256; a++ {
		if gfMul(byte(a), gfInv(byte(a))) != 1 {
			t.Fatalf("%#02x·inv = %#02x", a, gfMul(byte(a), gfInv(byte(a))))
		}
	}
	for a := 0; a < 256; a += 7 {
		for b := 0; b < 256; b += 11 {
			for c := 0; c < 256; c += 13 {
				x, y, z := byte(a), byte(b), byte(c)
				if gfMul(gfMul(x, y), z) != gfMul(x, gfMul(y, z)) {
					t.Fatal("not associative")
				}
				if gfMul(x, y^z) != gfMul(x, y)^gfMul(x, z) {
					t.Fatal("not distributive")
				}
			}
		}
	}
}

// TestCombineKnownAnswer uses shares computed by hand: f(x) = 0x57 + 0x83·x,
// so f(1) = 0x57^0x83 = 0xd4, f(2) = 0x57^0x1d = 0x4a, f(3) = 0x57^0x9e = 0xc9;
// and g(x) = 0x01 + 0x01·x + 0x01·x², g(1) = 0x01, g(2) = 0x07, g(3) = 0x07.
func TestCombineKnownAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		shares [][]byte
		want   byte
	}{
		{"1,2", [][]byte{{1, 0xd4}, {2, 0x4a}}, 0x57},
		{"2,3", [][]byte{{2, 0x4a}, {3, 0xc9}}, 0x57},
		{"3,1", [][]byte{{3, 0xc9}, {1, 0xd4}}, 0x57},
		{"1,2,3 over-determined", [][]byte{{1, 0xd4}, {2, 0x4a}, {3, 0xc9}}, 0x57},
		{"degree 2", [][]byte{{1, 0x01}, {2, 0x07}, {3, 0x07}}, 0x01},
	} {
		got, err := Combine(tc.shares...)
		if err != nil || len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: Combine = %x, %v; want %02x", tc.name, got, err, tc.want)
		}
	}
}

func TestSplitCombine(t *testing.T) {
	t.Parallel()
	secret := make([]byte, 33)
	rand.Read(secret)
	for _, tc := range []struct{ n, k int }{{2, 2}, {3, 2}, {5, 3}, {7, 7}, {255, 2}, {255, 5}} {
		shares, err := Split(secret, tc.n, tc.k)
		if err != nil {
			t.Fatal(err)
		}
		if len(shares) != tc.n {
			t.Fatalf("%d shares", len(shares))
		}
		// Sliding windows of k shares, and all n, recover the secret.
		for start := 0; start+tc.k <= tc.n; start += max(1, tc.n/5) {
			got, err := Combine(shares[start : start+tc.k]...)
			if err != nil || !bytes.Equal(got, secret) {
				t.Fatalf("n=%d k=%d shares %d…: wrong secret (%v)", tc.n, tc.k, start+1, err)
			}
		}
		if got, _ := Combine(shares...); !bytes.Equal(got, secret) {
			t.Fatalf("n=%d k=%d: all shares give a wrong secret", tc.n, tc.k)
		}
		// k-1 shares (k > 2) give something else.
		if tc.k > 2 {
			if got, _ := Combine(shares[:tc.k-1]...); bytes.Equal(got, secret) {
				t.Fatalf("n=%d k=%d: k-1 shares recovered the secret", tc.n, tc.k)
			}
		}
	}
}

// TestSplitHides checks, for k = 2, that a single share byte is uniform:
// over many splits of the same secret, share 1's first byte takes many
// values, and is not the secret more often than chance.
func TestSplitHides(t *testing.T) {
	t.Parallel()
	var seen [256]int
	for range 2000 {
		s, _ := Split([]byte{0x42}, 3, 2)
		seen[s[0][1]]++
	}
	distinct := 0
	for _, c := range seen {
		if c > 0 {
			distinct++
		}
	}
	if distinct < 200 || seen[0x42] > 30 {
		t.Fatalf("share byte not uniform: %d distinct values, secret seen %d times", distinct, seen[0x42])
	}
}

func TestSplitCombineErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		secret []byte
		n, k   int
	}{
		{"k=1", []byte{1}, 3, 1},
		{"k>n", []byte{1}, 2, 3},
		{"n>255", []byte{1}, 256, 2},
		{"empty", nil, 3, 2},
	} {
		if _, err := Split(tc.secret, tc.n, tc.k); err == nil {
			t.Errorf("Split %s accepted", tc.name)
		}
	}
	for _, tc := range []struct {
		name   string
		shares [][]byte
	}{
		{"one", [][]byte{{1, 2}}},
		{"short", [][]byte{{1}, {2}}},
		{"lengths", [][]byte{{1, 2}, {2, 3, 4}}},
		{"x=0", [][]byte{{0, 2}, {2, 3}}},
		{"duplicate x", [][]byte{{1, 2}, {1, 3}}},
	} {
		if _, err := Combine(tc.shares...); err == nil {
			t.Errorf("Combine %s accepted", tc.name)
		}
	}
}
