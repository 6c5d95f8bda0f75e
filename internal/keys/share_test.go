package keys

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// fixedShare is a share with known content, for the golden file. The line
// checks and checksum in testdata/share.golden were recomputed independently
// (Python hashlib and base64) when it was written.
func fixedShare() Share {
	data := make([]byte, escrowSecretSize)
	for i := range data {
		data[i] = byte(i * 7)
	}
	return Share{
		DeploymentID: "demo-2026.a_b",
		Index:        3,
		Threshold:    3,
		Total:        5,
		Check:        []byte("0123456789ab"),
		Data:         data,
	}
}

func TestEncodeShareGolden(t *testing.T) {
	t.Parallel()
	got, err := EncodeShare(fixedShare())
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "share.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("EncodeShare =\n%s\nwant\n%s", got, want)
	}
	s, err := ParseShare(want)
	if err != nil {
		t.Fatal(err)
	}
	f := fixedShare()
	if s.DeploymentID != f.DeploymentID || s.Index != f.Index || s.Threshold != f.Threshold ||
		s.Total != f.Total || !bytes.Equal(s.Check, f.Check) || !bytes.Equal(s.Data, f.Data) {
		t.Fatalf("ParseShare = %+v", s)
	}
}

func TestEscrowRoundTrip(t *testing.T) {
	t.Parallel()
	for name, id := range testIdentities(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			shares, err := SplitEscrow(id, "dep-1", 5, 3)
			if err != nil {
				t.Fatal(err)
			}
			var parsed []Share
			for _, s := range shares {
				b, err := EncodeShare(s)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Count(string(b), "\nkey-") != 4 {
					t.Errorf("share has %d key lines, want 4:\n%s", strings.Count(string(b), "\nkey-"), b)
				}
				p, err := ParseShare(b)
				if err != nil {
					t.Fatal(err)
				}
				parsed = append(parsed, p)
			}
			for _, pick := range [][]int{{0, 1, 2}, {4, 2, 0}, {1, 3, 4}, {0, 1, 2, 3, 4}} {
				var sel []Share
				for _, i := range pick {
					sel = append(sel, parsed[i])
				}
				got, err := RecoverEscrow(sel)
				if err != nil {
					t.Fatalf("shares %v: %v", pick, err)
				}
				if !got.Recipient().Equal(id.Recipient()) || got.PostQuantum() != id.PostQuantum() {
					t.Fatalf("shares %v: recovered another identity", pick)
				}
				a, _ := got.Secret()
				b, _ := id.Secret()
				if !bytes.Equal(a, b) {
					t.Fatal("recovered text differs")
				}
			}
		})
	}
}

func TestRecoverEscrowErrors(t *testing.T) {
	t.Parallel()
	id, _ := GenerateX25519Identity()
	shares, _ := SplitEscrow(id, "dep-1", 5, 3)
	again, _ := SplitEscrow(id, "dep-1", 5, 3) // a second split of the same key
	otherDep, _ := SplitEscrow(id, "dep-2", 5, 3)
	otherK, _ := SplitEscrow(id, "dep-1", 5, 2)
	forged := shares[2]
	forged.Data = bytes.Clone(forged.Data)
	forged.Data[3] ^= 1
	for _, tc := range []struct {
		name   string
		shares []Share
		want   error
		msg    string
	}{
		{"none", nil, ErrShareTooFew, "no shares"},
		{"two of three", shares[:2], ErrShareTooFew, "need 3 shares, have 2"},
		{"duplicate", []Share{shares[0], shares[1], shares[1]}, ErrShareDuplicate, "share 2 given twice"},
		{"other deployment", []Share{shares[0], otherDep[1], shares[2]}, ErrShareMismatch, `share 2 is for deployment "dep-2"`},
		{"other threshold", []Share{shares[0], otherK[1], shares[2]}, ErrShareMismatch, "share 2 says 2 of 5"},
		{"other split", []Share{shares[0], again[1], shares[2]}, ErrShareMismatch, "different splits"},
		{"altered data", []Share{shares[0], shares[1], forged}, ErrShareCheck, "not genuine"},
		{"index out of range", []Share{shares[0], shares[1], {DeploymentID: "dep-1", Index: 9, Threshold: 3, Total: 5, Check: shares[0].Check, Data: shares[0].Data}}, ErrShareFormat, "share 9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := RecoverEscrow(tc.shares)
			if !errors.Is(err, tc.want) || got != nil {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %q, want it to mention %q", err, tc.msg)
			}
		})
	}
}

// TestParseShareErrors damages a valid share file in the ways a custodian's
// copy can be damaged, and checks each error names the share and line.
func TestParseShareErrors(t *testing.T) {
	t.Parallel()
	good, err := EncodeShare(fixedShare())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(good), "\n")
	edit := func(line int, f func(string) string) []byte {
		c := bytes.Clone([]byte(strings.Join(lines[:line-1], "")))
		c = append(c, f(lines[line-1])...)
		return append(c, strings.Join(lines[line:], "")...)
	}
	swapChar := func(from, to string) func(string) string {
		return func(l string) string { return strings.Replace(l, from, to, 1) }
	}
	keyLine := func(n int) string { return lines[4+n-1] }
	firstChar := string(keyLine(2)[len("key-2: ")])
	other := "A"
	if firstChar == "A" {
		other = "B"
	}
	for _, tc := range []struct {
		name string
		in   []byte
		want error
		msg  string
	}{
		{"empty", nil, ErrShareFormat, "not an Embrace escrow share"},
		{"foreign", []byte("-----BEGIN PGP MESSAGE-----\n"), ErrShareFormat, "not an Embrace escrow share"},
		{"binary", []byte{0, 1, 2, 3}, ErrShareFormat, "not an Embrace escrow share"},
		{"age key", []byte("AGE-SECRET-KEY-1QQQQ\n"), ErrShareFormat, "not an Embrace escrow share"},
		{"future version", edit(1, swapChar("v1", "v2")), ErrShareFormat, "unsupported share version"},
		{"typo in key line", edit(6, swapChar(firstChar, other)), ErrShareDamaged, "share 3: line 6: check mismatch"},
		{"typo in line check", edit(5, func(l string) string { return l[:len(l)-2] + flipChar(l[len(l)-2]) + "\n" }), ErrShareDamaged, "share 3: line 5: check mismatch"},
		{"lower case", edit(5, func(l string) string { return "key-1: " + strings.ToLower(l[7:len(l)-6]) + l[len(l)-6:] }), ErrShareFormat, "share 3: line 5: character"},
		{"digit zero", edit(6, func(l string) string { return "key-2: 0" + l[8:] }), ErrShareFormat, "did you mean the letter O"},
		{"threshold changed", edit(4, swapChar("3", "2")), ErrShareDamaged, "share 3: line 9: checksum mismatch"},
		{"deployment changed", edit(2, swapChar("demo", "dema")), ErrShareDamaged, "checksum mismatch"},
		{"share number changed", edit(3, swapChar("3 of", "4 of")), ErrShareDamaged, "share 4: line 3: share number does not match the key lines, which check as share 3's"},
		{"checksum typo", edit(9, func(l string) string { return l[:12] + flipChar(l[12]) + l[13:] }), ErrShareDamaged, "line 9: checksum mismatch"},
		{"line missing", edit(6, func(string) string { return "" }), ErrShareFormat, `line 6: expected "key-2`},
		{"CRLF", []byte(strings.ReplaceAll(string(good), "\n", "\r\n")), ErrShareFormat, "line 1: Windows line ending"},
		{"no final newline", good[:len(good)-1], ErrShareFormat, "does not end with a newline"},
		{"truncated", []byte(strings.Join(lines[:5], "")), ErrShareFormat, "incomplete"},
		{"extra blank line", append(bytes.Clone(good), '\n'), ErrShareFormat, "share 3: line 9: checksum line must be the last line"},
		{"trailing space", edit(2, func(l string) string { return strings.TrimSuffix(l, "\n") + " \n" }), ErrShareFormat, "line 2"},
		{"double space", edit(5, swapChar(" ", "  ")), ErrShareFormat, "line 5"},
		{"leading zero", edit(3, swapChar("3 of", "03 of")), ErrShareFormat, "line 3"},
		{"index above total", edit(3, swapChar("3 of 5", "6 of 5")), ErrShareFormat, "line 3"},
		{"threshold 1", edit(4, swapChar("3", "1")), ErrShareFormat, "share 3: line 4"},
		{"too large", bytes.Repeat([]byte("A"), maxShareFile+1), ErrShareFormat, "too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseShare(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %q, want it to contain %q", err, tc.msg)
			}
		})
	}

	// Swapped key lines: the numbers give it away.
	swapped := edit(5, func(string) string { return keyLine(2) })
	swapped = []byte(strings.Replace(string(swapped), keyLine(2)+keyLine(2), keyLine(2)+keyLine(1), 1))
	if _, err := ParseShare(swapped); !errors.Is(err, ErrShareFormat) || !strings.Contains(err.Error(), `line 5: expected "key-1`) {
		t.Errorf("swapped lines: %v", err)
	}
	// A key line of share 3 copied into share 4 fails its line check.
	four := fixedShare()
	four.Index = 4
	b4, _ := EncodeShare(four)
	l4 := strings.SplitAfter(string(b4), "\n")
	l4[4] = lines[4]
	if _, err := ParseShare([]byte(strings.Join(l4, ""))); !errors.Is(err, ErrShareDamaged) {
		t.Errorf("line from another share: %v", err)
	}
}

func flipChar(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestEncodeShareRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		f    func(*Share)
	}{
		{"deployment with space", func(s *Share) { s.DeploymentID = "a b" }},
		{"deployment with newline", func(s *Share) { s.DeploymentID = "a\nb" }},
		{"empty deployment", func(s *Share) { s.DeploymentID = "" }},
		{"long deployment", func(s *Share) { s.DeploymentID = strings.Repeat("a", 65) }},
		{"index 0", func(s *Share) { s.Index = 0 }},
		{"index > total", func(s *Share) { s.Index = 6 }},
		{"threshold 1", func(s *Share) { s.Threshold = 1 }},
		{"threshold > total", func(s *Share) { s.Threshold = 6 }},
		{"total 256", func(s *Share) { s.Total = 256 }},
		{"check size", func(s *Share) { s.Check = s.Check[:9] }},
		{"no data", func(s *Share) { s.Data = nil }},
		{"too much data", func(s *Share) { s.Data = make([]byte, maxShareData+1) }},
	} {
		s := fixedShare()
		tc.f(&s)
		if _, err := EncodeShare(s); !errors.Is(err, ErrShareFormat) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
	if _, err := SplitEscrow(&Identity{}, "bad id", 3, 2); err == nil {
		t.Error("bad deployment id accepted")
	}
}
