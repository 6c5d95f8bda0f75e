package keys

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

var testPlace = Place{Table: "person", Column: "name", Row: "0b6f8a52-5f0e-4a8e-9a36-1d1f0c7e2a11"}

func TestFieldRoundTrip(t *testing.T) {
	t.Parallel()
	dk, _ := NewDataKey()
	for _, tc := range []struct {
		name string
		pt   []byte
	}{
		{"empty", []byte{}},
		{"name", []byte("မောင်မောင်")},
		{"binary", bytes.Repeat([]byte{0, 255}, 1000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ct, err := SealField(dk, testPlace, tc.pt)
			if err != nil {
				t.Fatal(err)
			}
			if len(ct) != len(tc.pt)+FieldOverhead || ct[0] != 0x11 {
				t.Fatalf("envelope: len %d, version %#x", len(ct), ct[0])
			}
			if len(tc.pt) > 4 && bytes.Contains(ct, tc.pt) {
				t.Fatal("plaintext visible in ciphertext")
			}
			pt, err := OpenField(dk, testPlace, ct)
			if err != nil || !bytes.Equal(pt, tc.pt) || pt == nil {
				t.Fatalf("OpenField = %q, %v", pt, err)
			}
		})
	}
	a, _ := SealField(dk, testPlace, []byte("same"))
	b, _ := SealField(dk, testPlace, []byte("same"))
	if bytes.Equal(a, b) {
		t.Error("sealing is deterministic")
	}
}

func TestFieldTamper(t *testing.T) {
	t.Parallel()
	dk, _ := NewDataKey()
	other, _ := NewDataKey()
	ct, _ := SealField(dk, testPlace, []byte("NRC 12/ABC(N)123456"))
	moved := func(f func(p *Place)) Place { p := testPlace; f(&p); return p }
	for _, tc := range []struct {
		name  string
		key   *DataKey
		place Place
		ct    []byte
		want  error
	}{
		{"other row", dk, moved(func(p *Place) { p.Row = "another-row" }), ct, ErrDecrypt},
		{"other column", dk, moved(func(p *Place) { p.Column = "phone" }), ct, ErrDecrypt},
		{"other table", dk, moved(func(p *Place) { p.Table = "family_member" }), ct, ErrDecrypt},
		// Length prefixes keep ("ab","c") and ("a","bc") apart.
		{"shifted boundary", dk, Place{Table: testPlace.Table + "n", Column: "ame", Row: testPlace.Row}, ct, ErrDecrypt},
		{"wrong key", other, testPlace, ct, ErrDecrypt},
		{"flipped nonce", dk, testPlace, flip(ct, 3), ErrDecrypt},
		{"flipped body", dk, testPlace, flip(ct, 30), ErrDecrypt},
		{"flipped tag", dk, testPlace, flip(ct, len(ct)-1), ErrDecrypt},
		{"truncated", dk, testPlace, ct[:len(ct)-1], ErrDecrypt},
		{"too short", dk, testPlace, ct[:FieldOverhead-1], ErrMalformed},
		{"unknown version", dk, testPlace, append([]byte{0x12}, ct[1:]...), ErrMalformed},
		{"stream envelope", dk, testPlace, append([]byte{streamV1}, ct[1:]...), ErrMalformed},
		{"nil", dk, testPlace, nil, ErrMalformed},
		{"empty row", dk, moved(func(p *Place) { p.Row = "" }), ct, ErrPlace},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pt, err := OpenField(tc.key, tc.place, tc.ct)
			if !errors.Is(err, tc.want) || pt != nil {
				t.Fatalf("OpenField = %q, %v; want %v", pt, err, tc.want)
			}
		})
	}
	if _, err := SealField(dk, Place{Table: "t", Column: "c"}, nil); !errors.Is(err, ErrPlace) {
		t.Errorf("empty row sealed: %v", err)
	}
}

// TestPlaceEncoding pins the associated data byte for byte.
func TestPlaceEncoding(t *testing.T) {
	t.Parallel()
	got := Place{Table: "ab", Column: "c", Row: "42"}.ad(fieldV1)
	want := []byte{0x11, 0, 0, 0, 2, 'a', 'b', 0, 0, 0, 1, 'c', 0, 0, 0, 2, '4', '2'}
	if !bytes.Equal(got, want) {
		t.Fatalf("ad = %x, want %x", got, want)
	}
}

func sealStream(t testing.TB, dk *DataKey, p Place, pt []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewFieldWriter(&buf, dk, p)
	if err != nil {
		t.Fatal(err)
	}
	// Odd write sizes, so chunking does not depend on the caller's writes.
	for rest := pt; len(rest) > 0; {
		n := min(len(rest), 10007)
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Fatal("write after close accepted")
	}
	return buf.Bytes()
}

func openStream(dk *DataKey, p Place, ct []byte) ([]byte, error) {
	r, err := NewFieldReader(bytes.NewReader(ct), dk, p)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestStreamRoundTrip(t *testing.T) {
	t.Parallel()
	dk, _ := NewDataKey()
	for _, size := range []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 3 * ChunkSize, 10<<20 + 123} {
		pt := make([]byte, size)
		rand.Read(pt)
		ct := sealStream(t, dk, testPlace, pt)
		chunks := max(1, (size+ChunkSize-1)/ChunkSize)
		if want := streamHeaderSize + size + chunks*tagSize; len(ct) != want {
			t.Errorf("size %d: stream is %d bytes, want %d", size, len(ct), want)
		}
		got, err := openStream(dk, testPlace, ct)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("size %d: round trip failed: %v", size, err)
		}
		// Reading one byte at a time gives the same.
		r, _ := NewFieldReader(iotest.OneByteReader(bytes.NewReader(ct)), dk, testPlace)
		if size < 5*ChunkSize {
			if err := iotest.TestReader(r, pt); err != nil {
				t.Fatalf("size %d: %v", size, err)
			}
		}
	}
}

func TestStreamTamper(t *testing.T) {
	t.Parallel()
	dk, _ := NewDataKey()
	other, _ := NewDataKey()
	pt := make([]byte, 3*ChunkSize+100)
	rand.Read(pt)
	ct := sealStream(t, dk, testPlace, pt)
	ct2 := sealStream(t, dk, testPlace, pt) // same key, place and plaintext
	chunk := func(b []byte, i int) []byte {
		start := streamHeaderSize + i*encChunkSize
		return b[start:min(start+encChunkSize, len(b))]
	}
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	hdr := ct[:streamHeaderSize]
	full := ChunkSize + tagSize
	for _, tc := range []struct {
		name  string
		key   *DataKey
		place Place
		ct    []byte
		want  error
	}{
		{"truncated at chunk boundary", dk, testPlace, ct[:streamHeaderSize+3*full], ErrDecrypt},
		{"truncated mid chunk", dk, testPlace, ct[:len(ct)-50], ErrDecrypt},
		{"last chunk dropped to one byte", dk, testPlace, ct[:streamHeaderSize+3*full+1], ErrDecrypt},
		{"reordered chunks", dk, testPlace, join(hdr, chunk(ct, 1), chunk(ct, 0), chunk(ct, 2), chunk(ct, 3)), ErrDecrypt},
		{"duplicated chunk", dk, testPlace, join(hdr, chunk(ct, 0), chunk(ct, 0), chunk(ct, 2), chunk(ct, 3)), ErrDecrypt},
		{"chunk from another stream", dk, testPlace, join(hdr, chunk(ct, 0), chunk(ct2, 1), chunk(ct, 2), chunk(ct, 3)), ErrDecrypt},
		{"appended garbage", dk, testPlace, join(ct, []byte("x")), ErrDecrypt},
		{"flipped bit", dk, testPlace, flip(ct, streamHeaderSize+full+10), ErrDecrypt},
		{"flipped prefix", dk, testPlace, flip(ct, 5), ErrDecrypt},
		{"wrong key", other, testPlace, ct, ErrDecrypt},
		{"other row", dk, Place{Table: "person", Column: "name", Row: "x"}, ct, ErrDecrypt},
		{"header only", dk, testPlace, hdr, ErrDecrypt},
		{"short header", dk, testPlace, hdr[:5], ErrMalformed},
		{"field envelope", dk, testPlace, append([]byte{fieldV1}, ct[1:]...), ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := openStream(tc.key, tc.place, tc.ct); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}

	// The first chunk of a truncated stream is still returned before the
	// error: the caller must discard what it read (documented).
	r, _ := NewFieldReader(bytes.NewReader(ct[:streamHeaderSize+2*full]), dk, testPlace)
	got, err := io.ReadAll(r)
	if !errors.Is(err, ErrDecrypt) || len(got) != ChunkSize {
		t.Errorf("truncated: read %d bytes, err %v", len(got), err)
	}
	// Errors are sticky.
	if _, err2 := r.Read(make([]byte, 10)); !errors.Is(err2, ErrDecrypt) {
		t.Errorf("second read: %v", err2)
	}
}

// TestStreamEmptyLastChunk checks that a stream of two full chunks is not
// accepted with an extra empty last chunk (it is never written).
func TestStreamEmptyLastChunk(t *testing.T) {
	t.Parallel()
	dk, _ := NewDataKey()
	var buf bytes.Buffer
	w, _ := NewFieldWriter(&buf, dk, testPlace)
	fw := w.(*fieldWriter)
	w.Write(make([]byte, ChunkSize))
	fw.flush(false)
	fw.flush(true) // an empty last chunk
	if _, err := openStream(dk, testPlace, buf.Bytes()); !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

func TestStreamWriteError(t *testing.T) {
	t.Parallel()
	dk, _ := NewDataKey()
	if _, err := NewFieldWriter(&failWriter{0}, dk, testPlace); err == nil {
		t.Fatal("header write error ignored")
	}
	w, err := NewFieldWriter(&failWriter{1}, dk, testPlace)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Write(make([]byte, 2*ChunkSize))
	if err == nil {
		t.Fatal("chunk write error ignored")
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close after failed write succeeded")
	}
}

func TestSealDataKeyRoundTrip(t *testing.T) {
	t.Parallel()
	k, err := NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	defer k.Wipe()
	secret := bytes.Repeat([]byte{7}, 32)
	sealed, err := SealDataKey(secret, k, []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	back, err := OpenDataKey(secret, sealed, []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	p := Place{"t", "c", "1"}
	ct, _ := SealField(k, p, []byte("x"))
	if pt, err := OpenField(back, p, ct); err != nil || string(pt) != "x" {
		t.Fatalf("reopened key does not open: %v", err)
	}
	if _, err := OpenDataKey(bytes.Repeat([]byte{8}, 32), sealed, []byte("ad")); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := OpenDataKey(secret, sealed, []byte("other")); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("wrong ad: %v", err)
	}
}

func TestSealDataKeyUnderRoundTrip(t *testing.T) {
	t.Parallel()
	outer, _ := NewDataKey()
	defer outer.Wipe()
	k, _ := NewDataKey()
	defer k.Wipe()
	p := Place{"intake_contacts", "key_sealed", "c1"}
	sealed, err := SealDataKeyUnder(outer, p, k)
	if err != nil {
		t.Fatal(err)
	}
	back, err := OpenDataKeyUnder(outer, p, sealed)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Wipe()
	q := Place{"t", "c", "1"}
	ct, _ := SealField(k, q, []byte("x"))
	if pt, err := OpenField(back, q, ct); err != nil || string(pt) != "x" {
		t.Fatalf("reopened key does not open: %v", err)
	}
	other, _ := NewDataKey()
	defer other.Wipe()
	if _, err := OpenDataKeyUnder(other, p, sealed); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("wrong outer key: %v", err)
	}
	if _, err := OpenDataKeyUnder(outer, Place{"intake_contacts", "key_sealed", "c2"}, sealed); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("moved to another row: %v", err)
	}
	// A field that is not a sealed key is refused, not taken for one.
	notKey, _ := SealField(outer, p, []byte("not a key"))
	if _, err := OpenDataKeyUnder(outer, p, notKey); !errors.Is(err, ErrMalformed) {
		t.Fatalf("a sealed non-key: %v", err)
	}
}
