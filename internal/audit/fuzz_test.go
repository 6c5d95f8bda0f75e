package audit

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// FuzzParseCheckpoint feeds arbitrary bytes to what reads a checkpoint file
// from outside: the body parser and the signed-note opener. Neither may
// panic; what the parser accepts must format back to the same head.
func FuzzParseCheckpoint(f *testing.F) {
	skey, vkey, err := note.GenerateKey(rand.Reader, OriginPrefix+"fuzz")
	if err != nil {
		f.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	head := TreeHead{Origin: OriginPrefix + "fuzz", Size: 7, Root: tlog.RecordHash([]byte("seed"))}
	signed, err := note.Sign(&note.Note{Text: string(head.Text())}, signer)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(head.Text())
	f.Add(signed)
	f.Add(append(head.Text(), "extension\n"...))
	f.Add([]byte(strings.ReplaceAll(string(signed), "\n", "\r\n")))
	f.Add([]byte("embrace/audit/x\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— embrace/audit/x AAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if h, err := ParseCheckpoint(data); err == nil {
			again, err := ParseCheckpoint(h.Text())
			if err != nil || again != h {
				t.Fatalf("round trip: %+v -> %q -> %+v, %v", h, h.Text(), again, err)
			}
			if !bytes.HasPrefix(data, h.Text()) {
				t.Fatalf("parsed %+v from %q, which does not start with its text", h, data)
			}
		}
		if h, err := openCheckpoint(data, verifier); err == nil {
			if h.Origin != verifier.Name() {
				t.Fatalf("accepted origin %q", h.Origin)
			}
			if _, err := ParseCheckpoint(h.Text()); err != nil {
				t.Fatalf("opened a head that does not format: %v", err)
			}
		}
	})
}

// TestSignerMatchesNote checks that the signer built from the stored keys
// signs exactly as note's own signer does (Ed25519 is deterministic), and
// that it refuses keys that do not belong together.
func TestSignerMatchesNote(t *testing.T) {
	t.Parallel()
	msg := []byte("embrace/audit/test\n1\n" + tlog.RecordHash(nil).String() + "\n")
	// Many keys, so that some have "+" and "/" in their base64.
	var skey, vkey string
	for range 64 {
		var err error
		skey, vkey, err = note.GenerateKey(rand.Reader, OriginPrefix+"test")
		if err != nil {
			t.Fatal(err)
		}
		ours, err := newSigner(skey, vkey)
		if err != nil {
			t.Fatalf("%v (key %s)", err, vkey)
		}
		theirs, _ := note.NewSigner(skey)
		a, _ := ours.Sign(msg)
		b, _ := theirs.Sign(msg)
		if !bytes.Equal(a, b) || ours.Name() != theirs.Name() || ours.KeyHash() != theirs.KeyHash() {
			t.Fatal("signatures differ from note's")
		}
	}
	_, otherV, _ := note.GenerateKey(rand.Reader, OriginPrefix+"test")
	_, otherName, _ := note.GenerateKey(rand.Reader, OriginPrefix+"other")
	for _, bad := range [][2]string{
		{skey, otherV},
		{skey, otherName},
		{vkey, vkey},
		{"PRIVATE+KEY+x", vkey},
		{strings.TrimSuffix(skey, "=") + "A", vkey},
		{skey, ""},
	} {
		if _, err := newSigner(bad[0], bad[1]); err == nil {
			t.Errorf("newSigner accepted %q with %q", bad[0], bad[1])
		}
	}
}
