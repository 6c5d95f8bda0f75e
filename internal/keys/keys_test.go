package keys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"
)

// testIdentities returns one identity of each kind, made once per test.
func testIdentities(t testing.TB) map[string]*Identity {
	t.Helper()
	h, err := GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	x, err := GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*Identity{"hybrid": h, "x25519": x}
}

func TestIdentityRoundTrip(t *testing.T) {
	t.Parallel()
	for name, id := range testIdentities(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			text, err := id.Secret()
			if err != nil {
				t.Fatal(err)
			}
			wantPrefix := map[string]string{"hybrid": "AGE-SECRET-KEY-PQ-1", "x25519": "AGE-SECRET-KEY-1"}[name]
			if !bytes.HasPrefix(text, []byte(wantPrefix)) {
				t.Fatalf("secret text has wrong prefix: %.20s", text)
			}
			if id.PostQuantum() != (name == "hybrid") || id.Recipient().PostQuantum() != (name == "hybrid") {
				t.Errorf("PostQuantum = %v", id.PostQuantum())
			}
			// The text is what the age library (and so the age CLI) accepts.
			ai, err := age.ParseIdentities(bytes.NewReader(text))
			if err != nil {
				t.Fatalf("age does not parse the identity: %v", err)
			}
			var buf bytes.Buffer
			w, err := age.Encrypt(&buf, id.Recipient().r)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, "hello")
			w.Close()
			r, err := age.Decrypt(&buf, ai...)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := io.ReadAll(r); string(got) != "hello" {
				t.Fatalf("decrypted %q", got)
			}

			id2, err := ParseIdentity(string(text))
			if err != nil {
				t.Fatal(err)
			}
			if !id2.Recipient().Equal(id.Recipient()) {
				t.Error("parsed identity has another recipient")
			}
			r2, err := ParseRecipient(id.Recipient().String())
			if err != nil {
				t.Fatal(err)
			}
			if r2.String() != id.Recipient().String() || r2.PostQuantum() != id.PostQuantum() {
				t.Error("recipient does not round-trip")
			}
		})
	}
}

func TestParseIdentityErrors(t *testing.T) {
	t.Parallel()
	x, _ := GenerateX25519Identity()
	good, _ := x.Secret()
	bad := bytes.Clone(good)
	bad[len(bad)-3] ^= 1 // breaks the Bech32 checksum
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"public key", x.Recipient().String()},
		{"lower case", strings.ToLower(string(good))},
		{"bad checksum", string(bad)},
		{"redacted text", fmt.Sprint(x)},
		{"too long", strings.Repeat("A", 500)},
		{"trailing newline", string(good) + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseIdentity(tc.in)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			if len(tc.in) > 10 && strings.Contains(err.Error(), tc.in[10:]) {
				t.Fatal("error repeats the input")
			}
		})
	}
	for _, in := range []string{"", "age1", "age1pq1xyz", "AGE-SECRET-KEY-1", string(good), "age1" + strings.Repeat("q", 5000)} {
		if _, err := ParseRecipient(in); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseRecipient(%.20q) err = %v, want ErrMalformed", in, err)
		}
	}
}

// TestRedaction checks that no way of printing or logging a secret-bearing
// value shows its bytes.
func TestRedaction(t *testing.T) {
	t.Parallel()
	id, _ := GenerateX25519Identity()
	text, _ := id.Secret()
	dk, _ := NewDataKey()
	ik, _ := NewIndexKey()
	var dkRaw, ikRaw []byte
	dk.use(func(st *dataKeyState) error { dkRaw = bytes.Clone(st.key.b); return nil })
	ik.use(func(k []byte) error { ikRaw = bytes.Clone(k); return nil })

	type holder struct {
		ID      *Identity
		DK      *DataKey
		IK      *IndexKey
		id      Identity
		dk      DataKey
		ik      IndexKey
		private *DataKey
	}
	h := holder{ID: id, DK: dk, IK: ik, id: *id, dk: *dk, ik: *ik, private: dk}
	var out bytes.Buffer
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, v := range []any{id, dk, ik, *id, *dk, *ik, h, &h} {
			fmt.Fprintf(&out, f+"\n", v)
		}
	}
	fmt.Fprintln(&out, id, dk, ik, id.String(), dk.String(), ik.String())
	logger := slog.New(slog.NewJSONHandler(&out, nil))
	logger.Info("keys", "id", id, "dk", dk, "ik", ik, "holder", h)
	slog.New(slog.NewTextHandler(&out, nil)).Info("keys", "id", id, "dk", dk, "ik", ik)
	if j, err := json.Marshal(h); err == nil {
		out.Write(j)
	}

	s := out.String()
	for name, secret := range map[string][]byte{"identity": text, "data key": dkRaw, "index key": ikRaw} {
		for _, enc := range []string{string(secret), fmt.Sprintf("%x", secret), fmt.Sprintf("%X", secret), fmt.Sprint(secret)[1:20]} {
			if strings.Contains(s, enc) {
				i := strings.Index(s, enc)
				t.Errorf("%s leaked in output as %q: %s", name, enc, s[max(0, i-300):i+50])
			}
		}
	}
	if !strings.Contains(s, "[redacted]") {
		t.Error("no [redacted] marker in output")
	}
}

func TestWrapUnwrap(t *testing.T) {
	t.Parallel()
	ids := testIdentities(t)
	for name, id := range ids {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dk, _ := NewDataKey()
			w, err := Wrap(dk, id.Recipient())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(w, []byte(ageMagic)) || bytes.Contains(w, []byte("-----BEGIN")) {
				t.Fatal("wrap is not a binary age file")
			}
			got, err := Unwrap(w, id)
			if err != nil {
				t.Fatal(err)
			}
			ct, _ := SealField(dk, testPlace, []byte("Ko Aung"))
			if pt, err := OpenField(got, testPlace, ct); err != nil || string(pt) != "Ko Aung" {
				t.Fatalf("unwrapped key does not open: %q %v", pt, err)
			}

			// Another principal of the same kind cannot unwrap.
			other, _ := generateIdentity(id.PostQuantum())
			if _, err := Unwrap(w, other); !errors.Is(err, ErrDecrypt) {
				t.Errorf("wrong identity: err = %v, want ErrDecrypt", err)
			}
			// Nor one of the other kind.
			for _, o := range ids {
				if o != id {
					if _, err := Unwrap(w, o); !errors.Is(err, ErrDecrypt) {
						t.Errorf("other kind: err = %v, want ErrDecrypt", err)
					}
				}
			}
			// A flipped bit anywhere fails (header, MAC, nonce, payload).
			for _, i := range []int{len(ageMagic) + 5, len(w) - 70, len(w) - 40, len(w) - 1} {
				bad := bytes.Clone(w)
				bad[i] ^= 0x01
				if _, err := Unwrap(bad, id); err == nil {
					t.Errorf("flipped byte %d of %d: unwrap succeeded", i, len(w))
				}
			}
			// Truncated.
			if _, err := Unwrap(w[:len(w)-1], id); !errors.Is(err, ErrDecrypt) {
				t.Errorf("truncated: err = %v, want ErrDecrypt", err)
			}
			if _, err := Unwrap([]byte("not a wrap"), id); !errors.Is(err, ErrMalformed) {
				t.Errorf("garbage: err = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestWrapKindsDoNotMix(t *testing.T) {
	t.Parallel()
	id, _ := GenerateX25519Identity()
	team, _ := GenerateIdentity()
	dk, _ := NewDataKey()
	ik, _ := NewIndexKey()
	wd, _ := Wrap(dk, id.Recipient())
	wi, _ := WrapIndexKey(ik, id.Recipient())
	wt, err := WrapIdentity(team, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Unwrap(wi, id); !errors.Is(err, ErrMalformed) {
		t.Errorf("index key wrap opened as data key: %v", err)
	}
	if _, err := UnwrapIndexKey(wd, id); !errors.Is(err, ErrMalformed) {
		t.Errorf("data key wrap opened as index key: %v", err)
	}
	if _, err := UnwrapIdentity(wd, id); !errors.Is(err, ErrMalformed) {
		t.Errorf("data key wrap opened as identity: %v", err)
	}
	if _, err := Unwrap(wt, id); !errors.Is(err, ErrMalformed) {
		t.Errorf("identity wrap opened as data key: %v", err)
	}

	team2, err := UnwrapIdentity(wt, id)
	if err != nil {
		t.Fatal(err)
	}
	if !team2.Recipient().Equal(team.Recipient()) || !team2.PostQuantum() {
		t.Error("unwrapped team identity differs")
	}
	ik2, err := UnwrapIndexKey(wi, id)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := ik.Index("person.phone", "959420000000")
	b, _ := ik2.Index("person.phone", "959420000000")
	if !bytes.Equal(a, b) {
		t.Error("unwrapped index key computes other indexes")
	}
	// A wrap of a non-age stream of the right kind but a foreign payload.
	var buf bytes.Buffer
	w, _ := age.Encrypt(&buf, id.Recipient().r)
	w.Write([]byte{kindDataKey, 1, 2, 3})
	w.Close()
	if _, err := Unwrap(buf.Bytes(), id); !errors.Is(err, ErrMalformed) {
		t.Errorf("short data key: err = %v, want ErrMalformed", err)
	}
}

func TestSealSecret(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, 32)
	other := bytes.Repeat([]byte{8}, 32)
	id, _ := GenerateIdentity()
	sealed, err := SealIdentity(key, id, []byte("user:42"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenIdentity(key, sealed, []byte("user:42"))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Recipient().Equal(id.Recipient()) {
		t.Fatal("identity differs")
	}
	for _, tc := range []struct {
		name   string
		key    []byte
		sealed []byte
		ad     string
		want   error
	}{
		{"wrong key", other, sealed, "user:42", ErrDecrypt},
		{"wrong ad", key, sealed, "user:43", ErrDecrypt},
		{"flipped", key, flip(sealed, len(sealed)/2), "user:42", ErrDecrypt},
		{"short", key, sealed[:FieldOverhead-1], "user:42", ErrMalformed},
		{"field envelope", key, append([]byte{fieldV1}, sealed[1:]...), "user:42", ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := OpenIdentity(tc.key, tc.sealed, []byte(tc.ad)); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := SealSecret(key[:16], []byte("x"), nil); err == nil {
		t.Error("short key accepted")
	}
	// A sealed secret that is not an identity.
	s, _ := SealSecret(key, []byte("plain"), nil)
	if _, err := OpenIdentity(key, s, nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("err = %v, want ErrMalformed", err)
	}
	if pt, err := OpenSecret(key, s, nil); err != nil || string(pt) != "plain" {
		t.Errorf("OpenSecret = %q, %v", pt, err)
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x80
	return c
}

func TestWipe(t *testing.T) {
	t.Parallel()
	id, _ := GenerateIdentity()
	rcp := id.Recipient()
	dk, _ := NewDataKey()
	ik, _ := NewIndexKey()
	w, _ := Wrap(dk, rcp)
	ct, _ := SealField(dk, testPlace, []byte("x"))

	clone, err := id.Clone()
	if err != nil || !clone.Recipient().Equal(rcp) || clone.s == id.s {
		t.Fatalf("Clone: %v", err)
	}
	st := id.s
	dst := dk.s
	ist := ik.s
	id.Wipe()
	dk.Wipe()
	ik.Wipe()
	id.Wipe() // idempotent
	if st.text.b != nil || st.id != nil || dst.key.b != nil || dst.field != nil || ist.key.b != nil {
		t.Fatal("wipe left references to secrets")
	}
	if rcp.String() == "" || id.Recipient() != rcp {
		t.Error("recipient lost on wipe")
	}
	if _, err := Unwrap(w, clone); err != nil {
		t.Errorf("clone stopped working when the original was wiped: %v", err)
	}
	checks := map[string]error{}
	_, checks["Clone"] = id.Clone()
	_, checks["Secret"] = id.Secret()
	_, checks["Unwrap"] = Unwrap(w, id)
	_, checks["Wrap"] = Wrap(dk, rcp)
	_, checks["SealField"] = SealField(dk, testPlace, []byte("x"))
	_, checks["OpenField"] = OpenField(dk, testPlace, ct)
	_, checks["NewFieldWriter"] = NewFieldWriter(io.Discard, dk, testPlace)
	_, checks["Index"] = ik.Index("d", "v")
	_, checks["WrapIndexKey"] = WrapIndexKey(ik, rcp)
	_, checks["WrapIdentity"] = WrapIdentity(id, rcp)
	_, checks["SplitEscrow"] = SplitEscrow(id, "dep", 3, 2)
	_, checks["Decrypt"] = Decrypt(bytes.NewReader(w), id)
	for name, err := range checks {
		if !errors.Is(err, ErrWiped) {
			t.Errorf("%s after wipe: err = %v, want ErrWiped", name, err)
		}
	}
	var nilKey *DataKey
	nilKey.Wipe()
	if _, err := SealField(nilKey, testPlace, nil); !errors.Is(err, ErrWiped) {
		t.Errorf("nil key: %v", err)
	}
}

// TestWipeConcurrent runs Wipe while other goroutines use the keys; run with
// -race. Every use either succeeds with the real key or fails with ErrWiped.
func TestWipeConcurrent(t *testing.T) {
	t.Parallel()
	dk, _ := NewDataKey()
	ik, _ := NewIndexKey()
	ct, _ := SealField(dk, testPlace, []byte("secret"))
	want, _ := ik.Index("d", "v")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				if pt, err := OpenField(dk, testPlace, ct); err == nil && string(pt) != "secret" {
					t.Error("wrong plaintext during wipe")
				} else if err != nil && !errors.Is(err, ErrWiped) {
					t.Errorf("OpenField: %v", err)
				}
				if x, err := ik.Index("d", "v"); err == nil && !bytes.Equal(x, want) {
					t.Error("index computed with a half-wiped key")
				}
			}
		})
	}
	dk.Wipe()
	ik.Wipe()
	wg.Wait()
}

func TestEncryptDecrypt(t *testing.T) {
	t.Parallel()
	escrow, _ := GenerateIdentity()
	admin, _ := GenerateIdentity()
	var buf bytes.Buffer
	w, err := Encrypt(&buf, escrow.Recipient(), admin.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "backup")
	w.Close()
	for _, id := range []*Identity{escrow, admin} {
		r, err := Decrypt(bytes.NewReader(buf.Bytes()), id)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(r); string(got) != "backup" {
			t.Fatalf("got %q", got)
		}
	}
	stranger, _ := GenerateIdentity()
	if _, err := Decrypt(bytes.NewReader(buf.Bytes()), stranger); !errors.Is(err, ErrDecrypt) {
		t.Errorf("stranger: err = %v", err)
	}
	x, _ := GenerateX25519Identity()
	if _, err := Encrypt(io.Discard, escrow.Recipient(), x.Recipient()); err == nil {
		t.Error("mixing hybrid and X25519 recipients was accepted")
	}
}
