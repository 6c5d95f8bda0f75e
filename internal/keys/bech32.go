package keys

import (
	"errors"
	"strings"
)

// This file implements the Bech32 encoding of BIP 173 (without its 90
// character limit, as age uses it). It is needed only to move between an age
// secret key's text and its 32 raw bytes, which is what the escrow shares
// carry; age keeps its own encoder internal.

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

var errBech32 = errors.New("invalid bech32 string")

func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		b := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := range 5 {
			chk ^= -(b >> uint(i) & 1) & gen[i]
		}
	}
	return chk
}

// bech32Values returns the human-readable part expanded as BIP 173 requires,
// followed by the 5-bit data values.
func bech32Values(hrp string, data []byte) []byte {
	v := make([]byte, 0, 2*len(hrp)+1+len(data)+6)
	for i := 0; i < len(hrp); i++ {
		v = append(v, hrp[i]>>5)
	}
	v = append(v, 0)
	for i := 0; i < len(hrp); i++ {
		v = append(v, hrp[i]&31)
	}
	return append(v, data...)
}

// regroup converts between bit group sizes (8→5 with padding, 5→8 without),
// rejecting non-zero or excess padding when decoding.
func regroup(in []byte, from, to uint, pad bool) ([]byte, error) {
	var acc uint32
	var bits uint
	out := make([]byte, 0, len(in)*int(from)/int(to)+1)
	maxv := uint32(1)<<to - 1
	for _, b := range in {
		if uint32(b)>>from != 0 {
			return nil, errBech32
		}
		acc = acc<<from | uint32(b)
		bits += from
		for bits >= to {
			bits -= to
			out = append(out, byte(acc>>bits&maxv))
		}
	}
	if pad {
		if bits > 0 {
			out = append(out, byte(acc<<(to-bits)&maxv))
		}
	} else if bits >= from || acc<<(to-bits)&maxv != 0 {
		return nil, errBech32
	}
	return out, nil
}

// bech32Encode returns the lower-case Bech32 encoding of data under hrp,
// which must be lower case.
func bech32Encode(hrp string, data []byte) ([]byte, error) {
	if hrp == "" || hrp != strings.ToLower(hrp) {
		return nil, errBech32
	}
	for i := 0; i < len(hrp); i++ {
		if hrp[i] < 33 || hrp[i] > 126 {
			return nil, errBech32
		}
	}
	d, err := regroup(data, 8, 5, true)
	if err != nil {
		return nil, err
	}
	pm := bech32Polymod(append(bech32Values(hrp, d), 0, 0, 0, 0, 0, 0)) ^ 1
	out := make([]byte, 0, len(hrp)+1+len(d)+6)
	out = append(out, hrp...)
	out = append(out, '1')
	for _, v := range d {
		out = append(out, bech32Charset[v])
	}
	for i := range 6 {
		out = append(out, bech32Charset[pm>>uint(5*(5-i))&31])
	}
	clear(d)
	return out, nil
}

// bech32Decode returns the human-readable part (in lower case) and the data
// of s, which must be all lower case or all upper case and carry a valid
// checksum.
func bech32Decode(s []byte) (hrp string, data []byte, err error) {
	var lower, upper bool
	for _, c := range s {
		switch {
		case c < 33 || c > 126:
			return "", nil, errBech32
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upper = true
		}
	}
	if lower && upper {
		return "", nil, errBech32
	}
	pos := -1
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '1' {
			pos = i
			break
		}
	}
	if pos < 1 || pos+7 > len(s) {
		return "", nil, errBech32
	}
	hrp = strings.ToLower(string(s[:pos]))
	vals := make([]byte, 0, len(s)-pos-1)
	for _, c := range s[pos+1:] {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		i := strings.IndexByte(bech32Charset, c)
		if i < 0 {
			return "", nil, errBech32
		}
		vals = append(vals, byte(i))
	}
	if bech32Polymod(bech32Values(hrp, vals)) != 1 {
		return "", nil, errBech32
	}
	data, err = regroup(vals[:len(vals)-6], 5, 8, false)
	clear(vals)
	if err != nil {
		return "", nil, err
	}
	return hrp, data, nil
}
