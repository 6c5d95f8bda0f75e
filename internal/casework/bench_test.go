package casework_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/synth"
)

// benchCases is the size of the benchmark deployment (DESIGN §10).
const benchCases = 100_000

// benchSeed is the synthetic generator's seed; the fixture is cached in
// the temp dir under it.
const benchSeed = 7

// benchFixture returns a SQLite deployment with benchCases synthetic cases
// (families, a mix of states, duplicate indexes) and a keyring holding every
// stage team's key. It is built once and kept in the temp dir, keyed by
// schema version, seed and size.
func benchFixture(b *testing.B) (*store.Store, *keys.Keyring) {
	b.Helper()
	ctx := context.Background()
	schema, err := store.LatestSchemaVersion()
	if err != nil {
		b.Fatal(err)
	}
	// The schema version is in the name: a fixture built by older code is
	// never reused after a migration is added.
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("embrace-casework-bench-v%d-s%d-n%d", schema, benchSeed, benchCases))
	if _, err := os.Stat(filepath.Join(dir, "done")); err != nil {
		os.RemoveAll(dir)
		b.Logf("building the %d-case fixture in %s (once)", benchCases, dir)
		if err := buildFixture(ctx, dir); err != nil {
			os.RemoveAll(dir)
			b.Fatal(err)
		}
	}
	_, st, err := store.OpenDeployment(ctx, filepath.Join(dir, "data"), "")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	secret, err := os.ReadFile(filepath.Join(dir, "bench.key"))
	if err != nil {
		b.Fatal(err)
	}
	id, err := keys.ParseIdentity(strings.TrimSpace(string(secret)))
	if err != nil {
		b.Fatal(err)
	}
	p, err := keys.LookupPrincipal(ctx, st.DB(), keys.KindUser, "bench")
	if err != nil {
		b.Fatal(err)
	}
	ring := keys.NewKeyring()
	ring.Add(p.ID, id)
	if err := ring.UnlockHeld(ctx, st.DB()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(ring.Wipe)
	return st, ring
}

func buildFixture(ctx context.Context, dir string) error {
	_, st, err := store.CreateDeployment(ctx, filepath.Join(dir, "data"), store.CreateOptions{})
	if err != nil {
		return err
	}
	defer st.Close()
	escID, err := keys.GenerateIdentity()
	if err != nil {
		return err
	}
	defer escID.Wipe()
	esc, err := keys.CreatePrincipal(ctx, st.Writer(), keys.KindEscrow, keys.EscrowName, escID.Recipient())
	if err != nil {
		return err
	}
	uid, err := keys.GenerateIdentity()
	if err != nil {
		return err
	}
	defer uid.Wipe()
	u, err := keys.CreatePrincipal(ctx, st.Writer(), keys.KindUser, "bench", uid.Recipient())
	if err != nil {
		return err
	}
	teams := map[string]keys.Principal{}
	for _, name := range []string{"intake", "vetting", "casework", "passage"} {
		p, id, err := keys.CreateTeam(ctx, st.Writer(), name, u)
		if err != nil {
			return err
		}
		id.Wipe()
		teams[name] = p
	}
	var ix *casework.Indexes
	if err := st.Tx(ctx, func(tx *sql.Tx) error {
		ix, err = casework.CreateIndexes(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	defer ix.Wipe()
	rel := map[string]string{synth.RelSpouse: "spouse", synth.RelSon: "child", synth.RelDaughter: "child",
		synth.RelFather: "parent", synth.RelMother: "parent", synth.RelBrother: "sibling", synth.RelSister: "sibling"}
	g := synth.New(benchSeed, benchCases)
	cw := casework.New(st)
	const batch = 500
	for start := 0; start < benchCases; start += batch {
		ps := make([]*casework.Prepared, batch)
		errs := make([]error, batch)
		parallelBench(batch, func(j int) {
			d := g.Defector(start + j)
			nc := casework.NewCase{
				Green: casework.Green{Service: d.Service, RankBand: d.RankBand, Region: d.RegionCode, ContactMonth: d.Contacted.Format("2006-01"), WithArms: d.WithArms, WithVehicle: d.WithVehicle},
				Defector: casework.Person{NameMy: d.NameBurmese, NameLatin: d.NameLatin, Aliases: d.Alias, DateOfBirth: d.DateOfBirth, NRC: d.NRC,
					ServiceNumber: d.ServiceNumber, Rank: d.RankEnglish, Unit: d.Unit, Phone: d.Phone},
				Day: d.Contacted,
			}
			for _, r := range d.Family {
				nc.Family = append(nc.Family, casework.Person{Relation: rel[r.Relationship], StillInside: r.StillInside, Risk: r.Risk, NameMy: r.NameBurmese, NameLatin: r.NameLatin})
			}
			state := casework.SyntheticState(start + j)
			p, err := casework.Prepare(nc, esc, teams[casework.StageTeam(state)])
			if err == nil {
				err = p.SetState(state)
			}
			if err == nil {
				err = p.Index(ix)
			}
			ps[j], errs[j] = p, err
		})
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		if err := st.Tx(ctx, func(tx *sql.Tx) error {
			for _, p := range ps {
				if _, err := cw.Insert(ctx, tx, p); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	secret, err := uid.Secret()
	if err != nil {
		return err
	}
	defer clear(secret)
	if err := os.WriteFile(filepath.Join(dir, "bench.key"), secret, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "done"), nil, 0o600)
}

func parallelBench(n int, f func(int)) {
	done := make(chan struct{})
	workers := 2
	for w := range workers {
		go func() {
			for i := w; i < n; i += workers {
				f(i)
			}
			done <- struct{}{}
		}()
	}
	for range workers {
		<-done
	}
}

// p95 reports the 95th percentile of ds in milliseconds.
func reportP95(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
}

func rssMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkCaseList: a team queue page (50 cases, green data) at 100,000
// cases.
func BenchmarkCaseList(b *testing.B) {
	st, _ := benchFixture(b)
	cw := casework.New(st)
	ctx := context.Background()
	teams := []string{"intake", "vetting", "casework", "passage"}
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		f := casework.Filter{Team: teams[i%len(teams)], Limit: 50}
		if i%3 == 0 {
			f = casework.Filter{State: casework.SyntheticState(i), Limit: 50, Before: int64(benchCases - i%benchCases)}
		}
		if _, err := cw.Find(ctx, f); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	reportP95(b, ds)
}

// BenchmarkCasePage: everything a case page shows (case and people,
// threats, notes, tasks, timeline), each opened with the session's keys.
func BenchmarkCasePage(b *testing.B) {
	st, ring := benchFixture(b)
	cw := casework.New(st)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	var ds []time.Duration
	b.ResetTimer()
	for b.Loop() {
		id := int64(r.IntN(benchCases) + 1)
		t0 := time.Now()
		if _, err := cw.Get(ctx, ring, id); err != nil {
			b.Fatal(err)
		}
		cw.Threats(ctx, ring, id)
		cw.Notes(ctx, ring, id)
		cw.Tasks(ctx, ring, id)
		if _, err := cw.Timeline(ctx, ring, id); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	reportP95(b, ds)
}

// BenchmarkDuplicateCandidates: the warm-up of a fresh process (reported
// once, in seconds), then candidates for new names (p95) and the process's
// resident memory.
func BenchmarkDuplicateCandidates(b *testing.B) {
	st, ring := benchFixture(b)
	cw := casework.New(st)
	ctx := context.Background()
	t0 := time.Now()
	n, err := cw.WarmNames(ctx, ring)
	if err != nil {
		b.Fatal(err)
	}
	warm := time.Since(t0)
	g := synth.New(benchSeed+1, 10_000)
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d := g.Defector(i % 10_000)
		p := casework.Person{NameLatin: d.NameLatin, NRC: d.NRC, Phone: d.Phone}
		if i%2 == 0 {
			p = casework.Person{NameMy: d.NameBurmese}
		}
		t1 := time.Now()
		if _, err := cw.Candidates(ctx, ring, p, ""); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t1))
	}
	reportP95(b, ds)
	b.ReportMetric(warm.Seconds(), "warmup-s")
	b.ReportMetric(float64(n), "names")
	b.ReportMetric(rssMB(), "rss-MB")
}
