package keys

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

func benchIdentities(b *testing.B) []struct {
	name string
	id   *Identity
} {
	return []struct {
		name string
		id   *Identity
	}{{"hybrid", fixedIdentity(b, true)}, {"x25519", fixedIdentity(b, false)}}
}

func BenchmarkGenerateIdentity(b *testing.B) {
	for _, tc := range []struct {
		name string
		gen  func() (*Identity, error)
	}{{"hybrid", GenerateIdentity}, {"x25519", GenerateX25519Identity}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := tc.gen(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWrap(b *testing.B) {
	dk := fixedDataKey(b)
	for _, tc := range benchIdentities(b) {
		b.Run(tc.name, func(b *testing.B) {
			r := tc.id.Recipient()
			var size int
			for b.Loop() {
				w, err := Wrap(dk, r)
				if err != nil {
					b.Fatal(err)
				}
				size = len(w)
			}
			b.ReportMetric(float64(size), "bytes/wrap")
		})
	}
}

func BenchmarkUnwrap(b *testing.B) {
	dk := fixedDataKey(b)
	for _, tc := range benchIdentities(b) {
		b.Run(tc.name, func(b *testing.B) {
			w, err := Wrap(dk, tc.id.Recipient())
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := Unwrap(w, tc.id); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(w)), "bytes/wrap")
		})
	}
}

var benchSizes = []int{64, 1 << 10, 64 << 10}

func BenchmarkSealField(b *testing.B) {
	dk := fixedDataKey(b)
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			pt := make([]byte, size)
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := SealField(dk, testPlace, pt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpenField(b *testing.B) {
	dk := fixedDataKey(b)
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			ct, _ := SealField(dk, testPlace, make([]byte, size))
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := OpenField(dk, testPlace, ct); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFieldStream seals and opens a 10 MiB attachment.
func BenchmarkFieldStream(b *testing.B) {
	dk := fixedDataKey(b)
	pt := make([]byte, 10<<20)
	var ct bytes.Buffer
	w, _ := NewFieldWriter(&ct, dk, testPlace)
	w.Write(pt)
	w.Close()
	b.Run("seal", func(b *testing.B) {
		b.SetBytes(int64(len(pt)))
		for b.Loop() {
			w, _ := NewFieldWriter(io.Discard, dk, testPlace)
			w.Write(pt)
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("open", func(b *testing.B) {
		b.SetBytes(int64(len(pt)))
		for b.Loop() {
			r, err := NewFieldReader(bytes.NewReader(ct.Bytes()), dk, testPlace)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkBlindIndex(b *testing.B) {
	ik, _ := NewIndexKey()
	for b.Loop() {
		if _, err := ik.Index("person.national_id", "12/ABCDEF(N)123456"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSplitRecoverEscrow(b *testing.B) {
	id := fixedIdentity(b, true)
	for b.Loop() {
		shares, err := SplitEscrow(id, "dep", 5, 3)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := RecoverEscrow(shares[:3]); err != nil {
			b.Fatal(err)
		}
	}
}
