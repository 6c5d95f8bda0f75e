package myanmar

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// ZawgyiThreshold is the detector probability at or above which Clean
// converts text from Zawgyi to Unicode without asking anyone. Upstream
// measured that under 1% of Unicode text scores this high.
const ZawgyiThreshold = 0.95

// ZawgyiReviewThreshold is the probability above which text may be Zawgyi
// and a person should be asked to confirm (upstream: under 1% of Zawgyi
// text scores below it).
const ZawgyiReviewThreshold = 0.05

//go:embed data/myanmar-tools/zawgyiUnicodeModel.dat
var zawgyiModelData []byte

// The detector's states: 0 stands for every code point outside the model's
// alphabet (and for the start and end of the text); the others are the
// Myanmar block without its digits, Extended-A, Extended-B and the spaces
// U+2000..U+200B, in the order the published model numbers them.
const (
	stdLo, stdHi = 0x1000, 0x103F // Myanmar letters and signs before the digits
	aftLo, aftHi = 0x104A, 0x109F // after the digits
	exaLo, exaHi = 0xAA60, 0xAA7F // Myanmar Extended-A
	exbLo, exbHi = 0xA9E0, 0xA9FF // Myanmar Extended-B
	spcLo, spcHi = 0x2000, 0x200B // general punctuation spaces and ZWSP

	stdOff = 1
	aftOff = stdOff + stdHi - stdLo + 1
	exaOff = aftOff + aftHi - aftLo + 1
	exbOff = exaOff + exaHi - exaLo + 1
	spcOff = exbOff + exbHi - exbLo + 1
	// modelStates is the size of the transition matrix: 227.
	modelStates = spcOff + spcHi - spcLo + 1
)

// markovModel holds the published detector: delta[i*modelStates+j] is the
// log-probability of the transition i→j under the Unicode chain minus that
// under the Zawgyi chain, stored as float32 exactly as the file has it.
type markovModel struct {
	delta []float32
	// withSpaces is the model's "state set" flag: when false the
	// U+2000..U+200B states are not used.
	withSpaces bool
}

// detector is parsed once from the embedded model; the model is immutable
// after init.
var detector = mustParseModel(zawgyiModelData)

func mustParseModel(b []byte) *markovModel {
	m, err := parseModel(b)
	if err != nil {
		panic("myanmar: embedded Zawgyi model: " + err.Error())
	}
	return m
}

var errModel = errors.New("malformed model")

// parseModel reads the big-endian model format documented in
// data/myanmar-tools (SOURCES.md): a "UZMODEL " header, version and
// state-set flag, then one sparse "BMARKOV " matrix.
func parseModel(b []byte) (*markovModel, error) {
	r := &beReader{b: b}
	if tag := r.u64(); tag != 0x555A4D4F44454C20 { // "UZMODEL "
		return nil, fmt.Errorf("%w: bad model tag", errModel)
	}
	m := &markovModel{withSpaces: true}
	switch v := r.i32(); v {
	case 1:
	case 2:
		switch r.i32() {
		case 0:
		case 1:
			m.withSpaces = false
		default:
			return nil, fmt.Errorf("%w: bad state-set flag", errModel)
		}
	default:
		return nil, fmt.Errorf("%w: unsupported version %d", errModel, v)
	}
	if tag := r.u64(); tag != 0x424D41524B4F5620 { // "BMARKOV "
		return nil, fmt.Errorf("%w: bad matrix tag", errModel)
	}
	if v := r.i32(); v != 0 {
		return nil, fmt.Errorf("%w: unsupported matrix version %d", errModel, v)
	}
	size := int(r.i16())
	want := modelStates
	if !m.withSpaces {
		want = spcOff
	}
	if size != want {
		return nil, fmt.Errorf("%w: matrix size %d, want %d", errModel, size, want)
	}
	m.delta = make([]float32, modelStates*modelStates)
	for i := range size {
		n := int(r.i16())
		if n < 0 || n > size {
			return nil, fmt.Errorf("%w: row %d has %d entries", errModel, i, n)
		}
		if n == 0 {
			continue // the default is 0.0 and is not stored
		}
		def := r.f32()
		row := m.delta[i*modelStates : i*modelStates+size]
		for j := range row {
			row[j] = def
		}
		for range n {
			col := int(r.i16())
			v := r.f32()
			if col < 0 || col >= size {
				return nil, fmt.Errorf("%w: row %d column %d", errModel, i, col)
			}
			row[col] = v
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != r.off {
		return nil, fmt.Errorf("%w: %d trailing bytes", errModel, len(r.b)-r.off)
	}
	return m, nil
}

type beReader struct {
	b   []byte
	off int
	err error
}

func (r *beReader) take(n int) []byte {
	if r.err != nil || r.off+n > len(r.b) {
		r.err = fmt.Errorf("%w: truncated", errModel)
		return make([]byte, n)
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

func (r *beReader) u64() uint64 { return binary.BigEndian.Uint64(r.take(8)) }
func (r *beReader) i32() int32  { return int32(binary.BigEndian.Uint32(r.take(4))) }
func (r *beReader) i16() int16  { return int16(binary.BigEndian.Uint16(r.take(2))) }
func (r *beReader) f32() float32 {
	return math.Float32frombits(binary.BigEndian.Uint32(r.take(4)))
}

// state maps a code point to its model state (0 = outside the alphabet).
func (m *markovModel) state(r rune) int {
	switch {
	case r >= stdLo && r <= stdHi:
		return int(r-stdLo) + stdOff
	case r >= aftLo && r <= aftHi:
		return int(r-aftLo) + aftOff
	case r >= exaLo && r <= exaHi:
		return int(r-exaLo) + exaOff
	case r >= exbLo && r <= exbHi:
		return int(r-exbLo) + exbOff
	case m.withSpaces && r >= spcLo && r <= spcHi:
		return int(r-spcLo) + spcOff
	}
	return 0
}

// ZawgyiProbability returns the probability, in [0, 1], that s is Myanmar
// text encoded in Zawgyi rather than Unicode (or negative infinity when s
// has no Myanmar letters: see below), using the published Markov
// model (google/myanmar-tools) with the same arithmetic as its reference
// implementation: the float32 log-ratios of every transition between model
// states are summed in float64, counting the transitions from and to the
// start and end of the text but not those between two code points outside
// the model (Latin, digits, punctuation).
//
// When s holds no code point of the model's alphabet (no Myanmar letter or
// sign; Myanmar digits do not count) there is no evidence either way and
// ZawgyiProbability returns negative infinity, like the reference
// implementation. Every comparison such as p >= ZawgyiThreshold is then
// false, so such text is treated as not Zawgyi; use math.IsInf(p, -1) to
// tell "no evidence" apart from "Unicode".
//
// Invalid UTF-8 bytes count as code points outside the model.
func ZawgyiProbability(s string) float64 {
	m := detector
	prev := 0
	var total float64
	seen := false
	for i := 0; i < len(s); {
		var cur int
		if c := s[i]; c < utf8.RuneSelf {
			i++ // ASCII is always state 0
		} else {
			r, n := utf8.DecodeRuneInString(s[i:])
			i += n
			cur = m.state(r)
		}
		if prev != 0 || cur != 0 {
			total += float64(m.delta[prev*modelStates+cur])
			seen = true
		}
		prev = cur
	}
	if prev != 0 {
		total += float64(m.delta[prev*modelStates])
		seen = true
	}
	if !seen {
		return math.Inf(-1)
	}
	return 1 / (1 + math.Exp(total))
}
