package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

var errRollback = errors.New("roll back on purpose")

// sample is a valid entry, different for each i.
func sample(i int) Entry {
	return Entry{
		Actor:  fmt.Sprintf("user:%d", i%5),
		Action: []string{"case.open", "case.read", "vetting.decide", "user.login"}[i%4],
		Object: fmt.Sprintf("case:C-%04d", i),
		Detail: map[string]string{"n": fmt.Sprint(i), "decision": "accepted"},
		Time:   time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
	}
}

// appendOne appends e in a transaction of its own.
func appendOne(t testing.TB, s *store.Store, e Entry) int64 {
	t.Helper()
	var idx int64
	err := s.Tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		idx, err = Append(context.Background(), tx, e)
		return err
	})
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return idx
}

// appendN appends sample(0) … sample(n-1), each in a transaction of its own.
func appendN(t testing.TB, s *store.Store, n int) {
	t.Helper()
	for i := range n {
		if got := appendOne(t, s, sample(i)); got != int64(i) {
			t.Fatalf("append %d got index %d", i, got)
		}
	}
}

func mustVerify(t *testing.T, s *store.Store, external []byte) Report {
	t.Helper()
	rep, err := Verify(context.Background(), s.DB(), external)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}

func count(t testing.TB, s *store.Store, table string) int64 {
	t.Helper()
	var n int64
	if err := s.DB().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAppendInTransactionsAndVerify(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if rep := mustVerify(t, s, nil); rep.Entries != 0 {
			t.Fatalf("empty log: %+v", rep)
		}
		want := int64(0)
		for i := range 30 {
			rollback := i%4 == 3
			var got []int64
			err := s.Tx(ctx, func(tx *sql.Tx) error {
				// Two entries per transaction: a decision can need more than one.
				for j := range 2 {
					idx, err := Append(ctx, tx, sample(2*i+j))
					if err != nil {
						return err
					}
					got = append(got, idx)
				}
				if rollback {
					return errRollback
				}
				return nil
			})
			if rollback {
				if !errors.Is(err, errRollback) {
					t.Fatalf("tx %d: %v", i, err)
				}
				if got[0] != want || got[1] != want+1 {
					t.Fatalf("rolled-back tx %d got %v, want %d…", i, got, want)
				}
				continue
			}
			if err != nil {
				t.Fatalf("tx %d: %v", i, err)
			}
			if got[0] != want || got[1] != want+1 {
				t.Fatalf("tx %d got indexes %v, want %d and %d (a rollback left a gap?)", i, got, want, want+1)
			}
			want += 2
		}
		rep := mustVerify(t, s, nil)
		if rep.Entries != want || rep.Checkpoints != want {
			t.Fatalf("report %+v, want %d entries and checkpoints", rep, want)
		}
		for table, n := range map[string]int64{"audit_entries": want, "audit_checkpoints": want, "audit_hashes": tlog.StoredHashCount(want)} {
			if got := count(t, s, table); got != n {
				t.Errorf("%s holds %d rows, want %d (rolled-back appends left a trace?)", table, got, n)
			}
		}
		if !strings.Contains(rep.String(), fmt.Sprintf("intact: %d entries", want)) {
			t.Errorf("summary %q", rep.String())
		}

		// The latest checkpoint is for the whole log and opens with the
		// deployment's verifier key.
		cp, err := Checkpoint(ctx, s.DB())
		if err != nil {
			t.Fatal(err)
		}
		vkey, err := VerifierKey(ctx, s.DB())
		if err != nil {
			t.Fatal(err)
		}
		h, err := OpenCheckpoint(cp, vkey)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := s.Setting(ctx, "deployment_id")
		if h.Size != want || h.Root != rep.Root || h.Origin != OriginPrefix+id {
			t.Fatalf("checkpoint %+v, report %+v", h, rep)
		}
		if rep := mustVerify(t, s, cp); rep.External == nil || rep.External.Size != want {
			t.Fatalf("verify with the checkpoint: %+v", rep)
		}
	})
}

// TestTreeMatchesTlog checks the frontier against tlog's own tree hash over
// every stored hash, for sizes that cross several power-of-two boundaries.
func TestTreeMatchesTlog(t *testing.T) {
	t.Parallel()
	stored := map[int64]tlog.Hash{}
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			h, ok := stored[x]
			if !ok {
				return nil, fmt.Errorf("no hash %d", x)
			}
			out[i] = h
		}
		return out, nil
	})
	f := &frontier{}
	for n := int64(0); n < 300; n++ {
		data := []byte(fmt.Sprint(n))
		want, err := tlog.StoredHashes(n, data, reader)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.add(tlog.RecordHash(data))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("record %d: stored hashes differ", n)
		}
		for i, h := range want {
			stored[tlog.StoredHashIndex(0, n)+int64(i)] = h
		}
		wantRoot, err := tlog.TreeHash(n+1, reader)
		if err != nil {
			t.Fatal(err)
		}
		if root, err := f.root(); err != nil || root != wantRoot {
			t.Fatalf("size %d: root %v, %v", n+1, root, err)
		}
		if len(f.nodes) != len(frontierIndexes(n+1)) {
			t.Fatalf("size %d: frontier holds %d nodes", n+1, len(f.nodes))
		}
	}
}

func TestLeafEncodingIsUnambiguous(t *testing.T) {
	t.Parallel()
	base := leafHash(1, 2, "ab", "c", "d", "{}")
	for name, h := range map[string]tlog.Hash{
		"field boundary moved": leafHash(1, 2, "a", "bc", "d", "{}"),
		"other index":          leafHash(2, 2, "ab", "c", "d", "{}"),
		"other time":           leafHash(1, 3, "ab", "c", "d", "{}"),
		"object into detail":   leafHash(1, 2, "ab", "c", "", "d{}"),
	} {
		if h == base {
			t.Errorf("%s: same leaf hash", name)
		}
	}
}

// TestConcurrentAppends appends from many goroutines through two separate
// store handles on one database, as two server processes would, with some
// transactions rolled back: indexes stay dense and unique and the log
// verifies.
func TestConcurrentAppends(t *testing.T) {
	t.Parallel()
	for _, tg := range storetest.Targets(t) {
		t.Run(string(tg.Engine), func(t *testing.T) {
			ctx := context.Background()
			first := storetest.New(t, tg)
			var second *store.Store
			var err error
			if tg.Engine == store.Postgres {
				second, err = store.OpenPostgres(ctx, tg.DBURL)
			} else {
				second, err = store.OpenSQLite(ctx, filepath.Join(tg.Dir, store.SQLiteFile))
			}
			if err != nil {
				t.Fatal(err)
			}
			defer second.Close()
			stores := []*store.Store{first, second}

			const workers, each = 8, 25
			var mu sync.Mutex
			seen := map[int64]bool{}
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for w := range workers {
				s := stores[w%2]
				wg.Go(func() {
					for i := range each {
						var idx int64
						err := s.Tx(ctx, func(tx *sql.Tx) error {
							var err error
							idx, err = Append(ctx, tx, sample(w*each+i))
							if err == nil && i%5 == 4 {
								return errRollback
							}
							return err
						})
						if errors.Is(err, errRollback) {
							continue
						}
						if err != nil {
							errs <- err
							return
						}
						mu.Lock()
						if seen[idx] {
							errs <- fmt.Errorf("index %d handed out twice", idx)
						}
						seen[idx] = true
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			const committed = workers * (each - each/5)
			for i := range int64(committed) {
				if !seen[i] {
					t.Fatalf("index %d never committed: indexes are not dense", i)
				}
			}
			if rep := mustVerify(t, first, nil); rep.Entries != committed {
				t.Fatalf("verify: %+v, want %d entries", rep, committed)
			}
		})
	}
}

func TestInvalidEntriesAreRefused(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("x", n) }
	ok := sample(1)
	cases := []struct {
		name   string
		edit   func(e *Entry)
		secret string // must not appear in the error
	}{
		{"empty actor", func(e *Entry) { e.Actor = "" }, ""},
		{"empty action", func(e *Entry) { e.Action = "" }, ""},
		{"oversize actor", func(e *Entry) { e.Actor = long(MaxActor + 1) }, ""},
		{"oversize object", func(e *Entry) { e.Object = "case:" + long(MaxObject) }, ""},
		{"name with spaces as actor", func(e *Entry) { e.Actor = "U Aung Kyaw Moe" }, "Aung Kyaw"},
		{"burmese name as object", func(e *Entry) { e.Object = "ဦးအောင်ကျော်" }, "ဦးအောင်"},
		{"newline in action", func(e *Entry) { e.Action = "case.read\nforged line" }, "forged"},
		{"nul in object", func(e *Entry) { e.Object = "case:1\x00" }, ""},
		{"escape in actor", func(e *Entry) { e.Actor = "user:1\x1b[2J" }, ""},
		{"too many detail pairs", func(e *Entry) {
			e.Detail = map[string]string{}
			for i := range MaxDetailKeys + 1 {
				e.Detail[fmt.Sprintf("k%d", i)] = "v"
			}
		}, ""},
		{"oversize detail value", func(e *Entry) { e.Detail = map[string]string{"note": "Ko Zaw " + long(MaxDetailValue)} }, "Ko Zaw"},
		{"phone number with newline in detail", func(e *Entry) { e.Detail = map[string]string{"phone": "09 7654 3210\n"} }, "7654"},
		{"burmese in detail", func(e *Entry) { e.Detail = map[string]string{"name": "မောင်မောင်"} }, "မောင်"},
		{"bad detail key", func(e *Entry) { e.Detail = map[string]string{"Full Name": "x"} }, "Full Name"},
		{"empty detail key", func(e *Entry) { e.Detail = map[string]string{"": "x"} }, ""},
		{"oversize detail key", func(e *Entry) { e.Detail = map[string]string{long(MaxDetailKey + 1): "x"} }, ""},
		{"time before 1970", func(e *Entry) { e.Time = time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC) }, ""},
		{"time after 9999", func(e *Entry) { e.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, ""},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				e := ok
				e.Detail = map[string]string{"decision": "accepted"}
				tc.edit(&e)
				err := s.Tx(ctx, func(tx *sql.Tx) error {
					_, err := Append(ctx, tx, e)
					return err
				})
				if !errors.Is(err, ErrInvalidEntry) {
					t.Fatalf("got %v, want ErrInvalidEntry", err)
				}
				if tc.secret != "" && strings.Contains(err.Error(), tc.secret) {
					t.Fatalf("the error repeats the refused value: %v", err)
				}
				if strings.ContainsAny(err.Error(), "\n\x00\x1b") {
					t.Fatalf("the error carries control characters: %q", err)
				}
			})
		}
		if n := count(t, s, "audit_entries"); n != 0 {
			t.Fatalf("%d entries appended", n)
		}
		var head int64
		s.DB().QueryRow("SELECT size FROM audit_head").Scan(&head)
		if head != 0 {
			t.Fatalf("head moved to %d", head)
		}
		// A valid entry at the limits still goes in, as entry 0.
		edge := Entry{Actor: long(MaxActor), Action: long(MaxAction), Object: long(MaxObject), Detail: map[string]string{long(MaxDetailKey): strings.Repeat(" ~", MaxDetailValue/2)}}
		if idx := appendOne(t, s, edge); idx != 0 {
			t.Fatalf("index %d", idx)
		}
		mustVerify(t, s, nil)
	})
}

func TestZeroTimeMeansNow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		before := time.Now().Add(-time.Second)
		appendOne(t, s, Entry{Actor: "system", Action: "backup.run"})
		recs, err := List(context.Background(), s.DB(), ListFilter{})
		if err != nil || len(recs) != 1 {
			t.Fatalf("list: %v %v", recs, err)
		}
		if r := recs[0]; r.Time.Before(before) || r.Time.After(time.Now()) || r.Time.Location() != time.UTC || r.Detail != nil || r.Object != "" {
			t.Fatalf("record %+v", r)
		}
	})
}

func TestList(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		appendN(t, s, 40)
		cases := []struct {
			name string
			f    ListFilter
			want []int64
		}{
			{"newest first", ListFilter{Limit: 3}, []int64{39, 38, 37}},
			{"next page", ListFilter{Limit: 3, Before: 37}, []int64{36, 35, 34}},
			{"actor", ListFilter{Actor: "user:2", Limit: 4}, []int64{37, 32, 27, 22}},
			{"actor and action", ListFilter{Actor: "user:2", Action: "case.read"}, []int64{37, 17}},
			{"object", ListFilter{Object: "case:C-0007"}, []int64{7}},
			{"object page past it", ListFilter{Object: "case:C-0007", Before: 7}, nil},
			{"no match", ListFilter{Actor: "user:99"}, nil},
			{"last page", ListFilter{Before: 2}, []int64{1, 0}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				recs, err := List(ctx, s.DB(), tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, r := range recs {
					got = append(got, r.Index)
					want := sample(int(r.Index))
					if r.Actor != want.Actor || r.Action != want.Action || r.Object != want.Object || !r.Time.Equal(want.Time) || fmt.Sprint(r.Detail) != fmt.Sprint(want.Detail) {
						t.Fatalf("record %d = %+v, want %+v", r.Index, r.Entry, want)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Fatalf("indexes %v, want %v", got, tc.want)
				}
			})
		}
		recs, _ := List(ctx, s.DB(), ListFilter{})
		if len(recs) != 40 {
			t.Fatalf("default page holds %d", len(recs))
		}
		recs, _ = List(ctx, s.DB(), ListFilter{Limit: 1 << 30})
		if len(recs) != 40 {
			t.Fatalf("huge limit page holds %d", len(recs))
		}
	})
}

func TestKeyAndCheckpointBeforeFirstEntry(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := Checkpoint(ctx, s.DB()); !errors.Is(err, ErrEmpty) {
			t.Fatalf("checkpoint of an empty log: %v", err)
		}
		if _, err := VerifierKey(ctx, s.DB()); !errors.Is(err, ErrEmpty) {
			t.Fatalf("key before any: %v", err)
		}
		var vkey string
		for range 2 { // the second call finds the key the first made
			err := s.Tx(ctx, func(tx *sql.Tx) error {
				k, err := InitKey(ctx, tx)
				if vkey != "" && k != vkey {
					t.Errorf("InitKey made a second key")
				}
				vkey = k
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if got, err := VerifierKey(ctx, s.DB()); err != nil || got != vkey {
			t.Fatalf("VerifierKey %q, %v; want %q", got, err, vkey)
		}
		appendOne(t, s, sample(0))
		cp, _ := Checkpoint(ctx, s.DB())
		if _, err := OpenCheckpoint(cp, vkey); err != nil {
			t.Fatalf("first checkpoint with the key made before: %v", err)
		}
		mustVerify(t, s, cp)
	})
}

func TestCheckpointParsing(t *testing.T) {
	t.Parallel()
	root := tlog.RecordHash([]byte("x"))
	good := TreeHead{Origin: "embrace/audit/abc", Size: 42, Root: root}
	if h, err := ParseCheckpoint(good.Text()); err != nil || h != good {
		t.Fatalf("round trip: %+v, %v", h, err)
	}
	if h, err := ParseCheckpoint(append(good.Text(), "ext line\n"...)); err != nil || h != good {
		t.Fatalf("with an extension line: %+v, %v", h, err)
	}
	bad := []string{
		"",
		"embrace/audit/abc\n42\n",
		"embrace/audit/abc\n42\n" + root.String(),
		"embrace/audit/abc\n042\n" + root.String() + "\n",
		"embrace/audit/abc\n-1\n" + root.String() + "\n",
		"embrace/audit/abc\n+1\n" + root.String() + "\n",
		"embrace/audit/abc\n1\n" + root.String()[:40] + "\n",
		"embrace/audit/abc\n1\nnot base64!\n",
		"\n1\n" + root.String() + "\n",
		" padded\n1\n" + root.String() + "\n",
		"embrace/audit/abc\n1\n" + root.String() + "\n\n",
		"embrace/audit/abc\n99999999999999999999\n" + root.String() + "\n",
	}
	for _, b := range bad {
		if _, err := ParseCheckpoint([]byte(b)); !errors.Is(err, ErrBadCheckpoint) {
			t.Errorf("ParseCheckpoint(%q) = %v, want ErrBadCheckpoint", b, err)
		}
	}
}

// TestVerifyHandlesPages appends more entries than one verification page
// holds, so that paging and its boundaries are exercised.
func TestVerifyHandlesPages(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("slow")
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		n := verifyPage + verifyPage/2
		err := s.Tx(ctx, func(tx *sql.Tx) error {
			for i := range n {
				if _, err := Append(ctx, tx, sample(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if rep := mustVerify(t, s, nil); rep.Entries != int64(n) {
			t.Fatalf("%+v", rep)
		}
		// A change just past the first page is still found.
		bad := int64(verifyPage + rand.IntN(10))
		if _, err := s.Exec(ctx, "UPDATE audit_entries SET actor = 'user:666' WHERE idx = $1", bad); err != nil {
			t.Fatal(err)
		}
		_, err = Verify(ctx, s.DB(), nil)
		var te *TamperError
		if !errors.As(err, &te) || te.Index != bad {
			t.Fatalf("got %v, want entry %d", err, bad)
		}
	})
}
