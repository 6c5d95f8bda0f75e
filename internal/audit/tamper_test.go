package audit

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// The tampering below is done the way an attacker with the database would
// do it: plain SQL, plus, for the stronger attacks, recomputing what the
// log stores from what it stores.

func mustExec(t *testing.T, s *store.Store, q string, args ...any) {
	t.Helper()
	if _, err := s.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// recomputeLeaves rewrites every stored leaf hash from the stored fields.
func recomputeLeaves(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.Writer().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := readEntries(ctx, tx, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		h := leafHash(r.idx, r.at, r.actor, r.action, r.object, r.detail)
		if _, err := tx.ExecContext(ctx, "UPDATE audit_entries SET leaf = $1 WHERE idx = $2", h[:], r.idx); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// rebuildTree rewrites the leaves and every stored tree hash from the
// stored fields. With resignFrom > 0 it also re-signs the checkpoints of
// sizes from resignFrom on with the deployment's own key, as someone who
// holds the live server can.
func rebuildTree(t *testing.T, s *store.Store, resignFrom int64) {
	t.Helper()
	recomputeLeaves(t, s)
	ctx := context.Background()
	tx, err := s.Writer().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := readEntries(ctx, tx, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var skey string
	if err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = $1", settingSigner).Scan(&skey); err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM audit_hashes"); err != nil {
		t.Fatal(err)
	}
	f := &frontier{}
	for _, r := range rows {
		hs, err := f.add(leafHash(r.idx, r.at, r.actor, r.action, r.object, r.detail))
		if err != nil {
			t.Fatal(err)
		}
		for k, h := range hs {
			if _, err := tx.ExecContext(ctx, "INSERT INTO audit_hashes (id, hash) VALUES ($1, $2)", tlog.StoredHashIndex(0, r.idx)+int64(k), h[:]); err != nil {
				t.Fatal(err)
			}
		}
		if resignFrom > 0 && f.size >= resignFrom {
			root, _ := f.root()
			msg, err := note.Sign(&note.Note{Text: string(TreeHead{signer.Name(), f.size, root}.Text())}, signer)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE audit_checkpoints SET note = $1 WHERE size = $2", string(msg), f.size); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// truncate drops every trace of the entries from n on, as a careful
// attacker would.
func truncate(t *testing.T, s *store.Store, n int64) {
	t.Helper()
	mustExec(t, s, "DELETE FROM audit_entries WHERE idx >= $1", n)
	mustExec(t, s, "DELETE FROM audit_hashes WHERE id >= $1", tlog.StoredHashCount(n))
	mustExec(t, s, "DELETE FROM audit_checkpoints WHERE size > $1", n)
	mustExec(t, s, "UPDATE audit_head SET size = $1", n)
}

// otherKeyNote signs text with a fresh key under name.
func otherKeyNote(t *testing.T, name string, text []byte) []byte {
	t.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := note.Sign(&note.Note{Text: string(text)}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func storedCheckpoint(t *testing.T, s *store.Store, size int64) string {
	t.Helper()
	var msg string
	if err := s.DB().QueryRow("SELECT note FROM audit_checkpoints WHERE size = $1", size).Scan(&msg); err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestTamperingIsFound(t *testing.T) {
	t.Parallel()
	const size = 20
	cases := []struct {
		name     string
		external int64 // take an external checkpoint of this size first (0: none)
		tamper   func(t *testing.T, s *store.Store)
		index    int64
		reason   string
	}{
		{"edit actor", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_entries SET actor = 'user:9' WHERE idx = 7")
		}, 7, "entry 7 was altered"},
		{"edit action", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_entries SET action = 'case.close' WHERE idx = 17")
		}, 17, "entry 17 was altered"},
		{"edit object", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_entries SET object = 'case:C-9999' WHERE idx = 0")
		}, 0, "entry 0 was altered"},
		{"edit detail", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, `UPDATE audit_entries SET detail = '{"decision":"rejected","n":"7"}' WHERE idx = 7`)
		}, 7, "entry 7 was altered"},
		{"edit time", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_entries SET at = at - 86400 WHERE idx = 19")
		}, 19, "entry 19 was altered"},
		{"edit two entries: the first is named", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_entries SET actor = 'user:9' WHERE idx IN (5, 12)")
		}, 5, "entry 5 was altered"},
		{"edit and recompute its leaf hash", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_entries SET actor = 'user:9' WHERE idx = 7")
			recomputeLeaves(t, s)
		}, 7, "entry 7 was altered"},
		{"edit and recompute leaf and tree hashes", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_entries SET actor = 'user:9' WHERE idx = 7")
			rebuildTree(t, s, 0)
		}, 7, "checkpoint signed when it was written"},
		{"edit, recompute and drop later checkpoints", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_entries SET actor = 'user:9' WHERE idx = 7")
			rebuildTree(t, s, 0)
			mustExec(t, s, "DELETE FROM audit_checkpoints WHERE size > 7")
		}, 7, "checkpoint 8 is missing"},
		{"edit, recompute and re-sign with the server's key: caught by an external checkpoint", size, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_entries SET actor = 'user:9' WHERE idx = 7")
			rebuildTree(t, s, 8)
		}, size - 1, "do not match the given checkpoint"},
		{"delete an entry", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "DELETE FROM audit_entries WHERE idx = 9")
		}, 9, "entry 9 is missing"},
		{"delete the first entry", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "DELETE FROM audit_entries WHERE idx = 0")
		}, 0, "entry 0 is missing"},
		{"delete an entry and renumber the rest", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "DELETE FROM audit_entries WHERE idx = 9")
			for i := 10; i < size; i++ {
				mustExec(t, s, "UPDATE audit_entries SET idx = idx - 1 WHERE idx = $1", i)
			}
		}, 9, "entry 9 was altered"},
		{"swap two entries' indexes", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_entries SET idx = -100 WHERE idx = 4")
			mustExec(t, s, "UPDATE audit_entries SET idx = 4 WHERE idx = 12")
			mustExec(t, s, "UPDATE audit_entries SET idx = 12 WHERE idx = -100")
		}, 4, "entry 4 was altered"},
		{"swap two entries and recompute all hashes", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_entries SET idx = -100 WHERE idx = 4")
			mustExec(t, s, "UPDATE audit_entries SET idx = 4 WHERE idx = 12")
			mustExec(t, s, "UPDATE audit_entries SET idx = 12 WHERE idx = -100")
			rebuildTree(t, s, 0)
		}, 4, "entry 4 was altered"},
		{"insert an entry before the first", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "INSERT INTO audit_entries (idx, at, actor, action, object, detail, leaf) VALUES (-1, 0, 'x', 'y', '', '{}', $1)", make([]byte, 32))
		}, 0, "inserted entry with index -1"},
		{"append an unsigned entry", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "INSERT INTO audit_entries (idx, at, actor, action, object, detail, leaf) VALUES ($1, 0, 'user:1', 'case.read', '', '{}', $2)", size, make([]byte, 32))
			mustExec(t, s, "UPDATE audit_head SET size = size + 1")
			rebuildTree(t, s, 0)
		}, size, "checkpoint 21 is missing"},
		{"truncate the tail crudely", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "DELETE FROM audit_entries WHERE idx >= 15")
		}, 15, "log truncated: a stored checkpoint covers 20 entries, log has 15"},
		{"truncate entries, checkpoints and head but not tree hashes", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "DELETE FROM audit_entries WHERE idx >= 15")
			mustExec(t, s, "DELETE FROM audit_checkpoints WHERE size > 15")
			mustExec(t, s, "UPDATE audit_head SET size = 15")
		}, 15, "log truncated"},
		{"truncate everything about the tail: caught by an external checkpoint", 18, func(t *testing.T, s *store.Store) {
			truncate(t, s, 12)
		}, 12, "log truncated: checkpoint covers 18 entries, log has 12"},
		{"truncate to nothing: caught by an external checkpoint", 5, func(t *testing.T, s *store.Store) {
			truncate(t, s, 0)
		}, 0, "log truncated: checkpoint covers 5 entries, log has 0"},
		{"lower the head", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_head SET size = 10")
		}, 10, "entry 10 was inserted"},
		{"raise the head", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_head SET size = 30")
		}, 20, "log truncated: the head counts 30 entries"},
		{"forged signature on a stored checkpoint", 0, func(t *testing.T, s *store.Store) {
			msg := storedCheckpoint(t, s, 11)
			i := strings.LastIndex(msg, " ") + 10
			c := byte('A')
			if msg[i] == 'A' {
				c = 'B'
			}
			mustExec(t, s, "UPDATE audit_checkpoints SET note = $1 WHERE size = 11", msg[:i]+string(c)+msg[i+1:])
		}, 10, "signature by key"},
		{"stored checkpoint edited to another root", 0, func(t *testing.T, s *store.Store) {
			msg := storedCheckpoint(t, s, 11)
			lines := strings.Split(msg, "\n")
			lines[2] = tlog.RecordHash([]byte("other")).String()
			mustExec(t, s, "UPDATE audit_checkpoints SET note = $1 WHERE size = 11", strings.Join(lines, "\n"))
		}, 10, "invalid"},
		{"stored checkpoint signed by another key of the same name", 0, func(t *testing.T, s *store.Store) {
			msg := storedCheckpoint(t, s, 11)
			text := msg[:strings.Index(msg, "\n\n")+1]
			origin := text[:strings.Index(text, "\n")]
			mustExec(t, s, "UPDATE audit_checkpoints SET note = $1 WHERE size = 11", string(otherKeyNote(t, origin, []byte(text))))
		}, 10, "not signed by this log's key"},
		{"stored checkpoint replaced by a malformed one", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "UPDATE audit_checkpoints SET note = 'junk' WHERE size = 3")
		}, 2, "not a signed note"},
		{"verifier key deleted", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "DELETE FROM settings WHERE name = $1", settingVerifier)
		}, 0, "verifier key is missing"},
		{"tree hash deleted", 0, func(t *testing.T, s *store.Store) {
			mustExec(t, s, "DELETE FROM audit_hashes WHERE id = $1", tlog.StoredHashIndex(1, 3))
		}, 7, "stored tree hashes do not match"},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		// Each case tampers with a log of its own on this engine.
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				s := freshStore(t, s)
				ctx := context.Background()
				var external []byte
				for i := range size {
					appendOne(t, s, sample(i))
					if int64(i+1) == tc.external {
						cp, err := Checkpoint(ctx, s.DB())
						if err != nil {
							t.Fatal(err)
						}
						external = cp
					}
				}
				mustVerify(t, s, external)
				tc.tamper(t, s)
				_, err := Verify(ctx, s.DB(), external)
				var te *TamperError
				if !errors.As(err, &te) {
					t.Fatalf("got %v, want a TamperError", err)
				}
				if !errors.Is(err, ErrTampered) {
					t.Fatal("TamperError does not match ErrTampered")
				}
				if te.Index != tc.index || !strings.Contains(te.Reason, tc.reason) {
					t.Fatalf("got index %d %q, want index %d and %q", te.Index, te.Reason, tc.index, tc.reason)
				}
			})
		}
	})
}

// freshStore returns a new, empty deployment on the same engine as s.
func freshStore(t *testing.T, s *store.Store) *store.Store {
	t.Helper()
	tg := storetest.Targets(t)
	for _, x := range tg {
		if x.Engine == s.Engine() {
			return storetest.New(t, x)
		}
	}
	t.Fatalf("no target for %s", s.Engine())
	return nil
}

// TestCarefulTruncationNeedsAnExternalCheckpoint pins down the documented
// limit: whoever removes every trace of the tail (or holds the key) is only
// caught by a checkpoint copied off earlier.
func TestCarefulTruncationNeedsAnExternalCheckpoint(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		appendN(t, s, 10)
		early, _ := Checkpoint(ctx, s.DB())
		appendN2 := func(from, to int) {
			for i := from; i < to; i++ {
				appendOne(t, s, sample(i))
			}
		}
		appendN2(10, 25)
		external, _ := Checkpoint(ctx, s.DB())
		truncate(t, s, 16)
		if rep := mustVerify(t, s, nil); rep.Entries != 16 {
			t.Fatalf("%+v", rep)
		}
		// An older checkpoint still inside the log passes...
		mustVerify(t, s, early)
		// ...the newer one does not.
		_, err := Verify(ctx, s.DB(), external)
		var te *TamperError
		if !errors.As(err, &te) || te.Index != 16 || te.Reason != "log truncated: checkpoint covers 25 entries, log has 16" {
			t.Fatalf("got %v", err)
		}
		// Appending other entries after the truncation does not hide it:
		// they give the tree a different root at size 25.
		appendN2(116, 130)
		_, err = Verify(ctx, s.DB(), external)
		if !errors.As(err, &te) || te.Index != 24 {
			t.Fatalf("after re-growing the log: %v", err)
		}
	})
}

func TestExternalCheckpointMustBeOurs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		appendN(t, s, 5)
		cp, _ := Checkpoint(ctx, s.DB())
		text := cp[:strings.Index(string(cp), "\n\n")+1]
		origin := string(text[:strings.Index(string(text), "\n")])

		other := freshStore(t, s)
		appendN(t, other, 5)
		foreign, _ := Checkpoint(ctx, other.DB())

		flipped := []byte(string(cp))
		i := strings.LastIndex(string(flipped), " ") + 12
		flipped[i] ^= 1 // still base64: flips one bit of one character

		editedText := strings.Replace(string(cp), "\n5\n", "\n4\n", 1)

		cases := []struct {
			name string
			cp   []byte
			want string
		}{
			{"another deployment's checkpoint", foreign, "not signed by this log's key"},
			{"forged signature", flipped, ""},
			{"edited text under a good signature", []byte(editedText), "invalid"},
			{"our origin, another key", otherKeyNote(t, origin, text), "not signed by this log's key"},
			{"not a note", []byte("hello\n"), "not a signed note"},
			{"empty", []byte{}, "not a signed note"},
			{"oversize", []byte(strings.Repeat("a", MaxCheckpointSize+1)), "too large"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := Verify(ctx, s.DB(), tc.cp)
				if !errors.Is(err, ErrBadCheckpoint) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want ErrBadCheckpoint with %q", err, tc.want)
				}
				if errors.Is(err, ErrTampered) {
					t.Fatal("a bad external checkpoint is not tampering of the log")
				}
			})
		}
		// What copying by hand does to a file is forgiven.
		crlf := strings.ReplaceAll(string(cp), "\n", "\r\n")
		for _, v := range []string{crlf, strings.TrimSuffix(string(cp), "\n"), string(cp) + "\n\n"} {
			if _, err := Verify(ctx, s.DB(), []byte(v)); err != nil {
				t.Fatalf("%q: %v", v, err)
			}
		}
	})
}

// TestVerifyIsReadOnly checks that Verify works from the read-only pool and
// changes nothing.
func TestVerifyIsReadOnly(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		appendN(t, s, 3)
		before := count(t, s, "audit_checkpoints")
		mustVerify(t, s, nil)
		if count(t, s, "audit_checkpoints") != before {
			t.Fatal("verify wrote")
		}
	})
}
