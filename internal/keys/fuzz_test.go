package keys

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// fixedDataKey and fixedIdentity are deterministic, so corpus entries stay
// meaningful from run to run.
func fixedDataKey(t testing.TB) *DataKey {
	k, err := newDataKey(bytes.Repeat([]byte{0x5a}, DataKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func fixedIdentity(t testing.TB, hybrid bool) *Identity {
	id, err := identityFromSeed(hybrid, bytes.Repeat([]byte{0xa5}, seedSize))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func FuzzParseShare(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "share.golden"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	id := fixedIdentity(f, true)
	shares, _ := SplitEscrow(id, "x", 3, 2)
	for _, s := range shares {
		b, _ := EncodeShare(s)
		f.Add(b)
	}
	f.Add([]byte("EMBRACE ESCROW SHARE v1\n"))
	f.Add(bytes.ReplaceAll(golden, []byte("\n"), []byte("\r\n")))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseShare(b)
		if err != nil {
			if !errors.Is(err, ErrShareFormat) && !errors.Is(err, ErrShareDamaged) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		again, err := EncodeShare(s)
		if err != nil {
			t.Fatalf("parsed share does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("not canonical:\n%q\nre-encodes as\n%q", b, again)
		}
	})
}

func FuzzOpenField(f *testing.F) {
	dk := fixedDataKey(f)
	ct, _ := SealField(dk, testPlace, []byte("Ko Aung Min"))
	f.Add(ct, testPlace.Table, testPlace.Column, testPlace.Row)
	f.Add(ct[:FieldOverhead], "a", "b", "c")
	f.Add([]byte{fieldV1}, "", "", "")
	f.Fuzz(func(t *testing.T, ct []byte, table, column, row string) {
		p := Place{Table: table, Column: column, Row: row}
		pt, err := OpenField(dk, p, ct)
		if err != nil {
			if pt != nil {
				t.Fatal("plaintext returned with an error")
			}
			if !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrPlace) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		// Only a genuine ciphertext for this place opens; sealing the
		// plaintext again must open to the same.
		ct2, err := SealField(dk, p, pt)
		if err != nil {
			t.Fatal(err)
		}
		if pt2, err := OpenField(dk, p, ct2); err != nil || !bytes.Equal(pt, pt2) {
			t.Fatal("reseal does not round-trip")
		}
	})
}

func FuzzFieldReader(f *testing.F) {
	dk := fixedDataKey(f)
	for _, size := range []int{0, 10, ChunkSize + 10} {
		var buf bytes.Buffer
		w, _ := NewFieldWriter(&buf, dk, testPlace)
		w.Write(bytes.Repeat([]byte{'x'}, size))
		w.Close()
		f.Add(buf.Bytes())
	}
	f.Add([]byte{streamV1})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewFieldReader(bytes.NewReader(b), dk, testPlace)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		_, err = io.Copy(io.Discard, r)
		if err != nil && !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrMalformed) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}

func FuzzUnwrap(f *testing.F) {
	x := fixedIdentity(f, false)
	h := fixedIdentity(f, true)
	dk := fixedDataKey(f)
	for _, id := range []*Identity{x, h} {
		w, _ := Wrap(dk, id.Recipient())
		f.Add(w)
		wi, _ := WrapIdentity(id, id.Recipient())
		f.Add(wi)
	}
	f.Add([]byte(ageMagic))
	f.Add([]byte(ageMagic + "-> X25519 \n--- \n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, id := range []*Identity{x, h} {
			k, err := Unwrap(b, id)
			if err == nil {
				// Only the seeded wrap opens; its key must work.
				if _, err := SealField(k, testPlace, nil); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if _, err := UnwrapIdentity(b, id); err != nil && !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("unexpected error kind: %v", err)
			}
		}
	})
}
