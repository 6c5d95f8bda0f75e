package keys

import (
	"crypto/rand"
	"errors"
	"fmt"
)

// Shamir secret sharing over GF(2^8) with the AES polynomial
// x^8 + x^4 + x^3 + x + 1. Each byte of the secret is the constant term of its
// own random polynomial of degree k-1; share x holds the polynomials' values
// at x. Arithmetic is table-free and branch-free on secret data, so timing
// does not depend on share or secret bytes.

// gfMul multiplies in GF(2^8) in constant time.
func gfMul(a, b byte) byte {
	var p byte
	for range 8 {
		p ^= -(b & 1) & a
		b >>= 1
		carry := -(a >> 7)
		a = a<<1 ^ 0x1b&carry
	}
	return p
}

// gfInv returns the multiplicative inverse of a (a^254), and 0 for 0.
func gfInv(a byte) byte {
	sq := gfMul(a, a) // a^2
	r := sq
	for range 6 {
		sq = gfMul(sq, sq) // a^4, a^8, …, a^128
		r = gfMul(r, sq)   // a^(2+4+…)
	}
	return r // a^(2+4+8+16+32+64+128) = a^254
}

// Split cuts secret into n shares of which any k recover it and any k-1
// reveal nothing, with 2 ≤ k ≤ n ≤ 255. Share i (0-based) is the byte i+1 (its
// x coordinate) followed by len(secret) bytes.
func Split(secret []byte, n, k int) ([][]byte, error) {
	if k < 2 || k > n || n > 255 {
		return nil, fmt.Errorf("keys: split: need 2 ≤ k ≤ n ≤ 255, got k=%d n=%d", k, n)
	}
	if len(secret) == 0 {
		return nil, errors.New("keys: split: empty secret")
	}
	shares := make([][]byte, n)
	for i := range shares {
		shares[i] = make([]byte, 1+len(secret))
		shares[i][0] = byte(i + 1)
	}
	coef := make([]byte, k)
	defer clear(coef)
	for j, s := range secret {
		coef[0] = s
		if _, err := rand.Read(coef[1:]); err != nil {
			return nil, fmt.Errorf("keys: split: %v", err)
		}
		for i := range shares {
			x := shares[i][0]
			// Horner's rule: f(x) = (…(c[k-1]·x + c[k-2])·x + …)·x + c[0].
			y := coef[k-1]
			for d := k - 2; d >= 0; d-- {
				y = gfMul(y, x) ^ coef[d]
			}
			shares[i][1+j] = y
		}
	}
	return shares, nil
}

// Combine recovers the secret from shares made by Split (x coordinate byte
// first). It needs at least the threshold number of shares but cannot tell
// when it has fewer: it then returns a wrong secret. Callers must check the
// result (the escrow share files carry a check value for this).
func Combine(shares ...[]byte) ([]byte, error) {
	if len(shares) < 2 {
		return nil, errors.New("keys: combine: need at least two shares")
	}
	size := len(shares[0])
	if size < 2 {
		return nil, errors.New("keys: combine: share too short")
	}
	var seen [256]bool
	for i, s := range shares {
		if len(s) != size {
			return nil, fmt.Errorf("keys: combine: share %d has length %d, share 1 has %d", i+1, len(s), size)
		}
		if s[0] == 0 {
			return nil, fmt.Errorf("keys: combine: share %d has x coordinate 0", i+1)
		}
		if seen[s[0]] {
			return nil, fmt.Errorf("keys: combine: x coordinate %d given twice", s[0])
		}
		seen[s[0]] = true
	}
	// Lagrange basis at 0: L_i = Π_{j≠i} x_j / (x_i + x_j); in GF(2^8)
	// subtraction is addition (xor).
	basis := make([]byte, len(shares))
	for i, si := range shares {
		num, den := byte(1), byte(1)
		for j, sj := range shares {
			if i == j {
				continue
			}
			num = gfMul(num, sj[0])
			den = gfMul(den, si[0]^sj[0])
		}
		basis[i] = gfMul(num, gfInv(den))
	}
	secret := make([]byte, size-1)
	protect(func() {
		for b := range secret {
			var v byte
			for i, s := range shares {
				v ^= gfMul(s[1+b], basis[i])
			}
			secret[b] = v
		}
	})
	return secret, nil
}
