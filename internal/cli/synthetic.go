package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/synth"
)

// synthBatch is how many synthetic cases go into one transaction.
const synthBatch = 500

// relation maps the generator's family relationships onto casework's.
var relation = map[string]string{
	synth.RelSpouse: "spouse", synth.RelSon: "child", synth.RelDaughter: "child",
	synth.RelFather: "parent", synth.RelMother: "parent", synth.RelBrother: "sibling", synth.RelSister: "sibling",
}

// synthCase turns a generated defector into the input a real case takes, so
// synthetic data travels the same code path as real data.
func synthCase(d synth.Defector) casework.NewCase {
	nc := casework.NewCase{
		Green: casework.Green{
			Service: d.Service, RankBand: d.RankBand, Region: d.RegionCode,
			ContactMonth: d.Contacted.Format("2006-01"), WithArms: d.WithArms, WithVehicle: d.WithVehicle,
		},
		Defector: casework.Person{
			NameMy: d.NameBurmese, NameLatin: d.NameLatin, Aliases: d.Alias, DateOfBirth: d.DateOfBirth,
			NRC: d.NRC, ServiceNumber: d.ServiceNumber, Rank: d.RankEnglish, Unit: d.Unit, Phone: d.Phone,
			Place: d.TownshipEnglish + ", " + d.RegionEnglish,
		},
		Day: d.Contacted,
	}
	for _, r := range d.Family {
		nc.Family = append(nc.Family, casework.Person{
			Relation: relation[r.Relationship], StillInside: r.StillInside, Risk: r.Risk,
			NameMy: r.NameBurmese, NameLatin: r.NameLatin,
		})
	}
	return nc
}

// addSynthetic adds total generated cases (from generator seed) to the
// deployment, each wrapped to the given principals, the team owning its
// stage and escrow, in a realistic mix of states, reporting progress on
// progress. When the deployment has no duplicate-index keys yet they are
// made here (wrapped to the teams and escrow) and every person is indexed
// as it is stored; otherwise the people are indexed later by a session
// holding the keys. The sealing runs on every core; the inserts go through
// the one writer in batches.
func addSynthetic(ctx context.Context, st *store.Store, seed uint64, total int, to []keys.Principal, progress io.Writer) error {
	esc, err := keys.Escrow(ctx, st.DB())
	if err != nil {
		return err
	}
	var ix *casework.Indexes
	if err := st.Tx(ctx, func(tx *sql.Tx) error {
		ix, err = casework.CreateIndexes(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	defer ix.Wipe()
	teams := map[string]keys.Principal{}
	for _, name := range []string{casework.TeamIntake, casework.TeamVetting, casework.TeamCasework, casework.TeamPassage} {
		p, err := keys.LookupPrincipal(ctx, st.DB(), keys.KindTeam, name)
		if err == nil {
			teams[name] = p
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	g := synth.New(seed, total)
	cw := casework.New(st)
	now := time.Now().UTC()
	batch := make([]*casework.Prepared, synthBatch)
	for start := 0; start < total; start += synthBatch {
		end := min(start+synthBatch, total)
		if err := prepareParallel(batch[:end-start], func(j int) (*casework.Prepared, error) {
			state := casework.SyntheticState(start + j)
			holders := to
			if t, ok := teams[casework.StageTeam(state)]; ok && !slices.ContainsFunc(to, func(p keys.Principal) bool { return p.ID == t.ID }) {
				holders = append(slices.Clip(to), t)
			}
			d := g.Defector(start + j)
			p, err := casework.Prepare(synthCase(d), esc, holders...)
			if err != nil {
				return nil, err
			}
			if err := p.SetHistory(casework.SyntheticHistory(start+j, state, d.Contacted, now)); err != nil {
				return nil, err
			}
			if ix != nil {
				if err := p.Index(ix); err != nil {
					return nil, err
				}
			}
			return p, nil
		}); err != nil {
			return fmt.Errorf("synthetic cases %d-%d: %w", start, end-1, err)
		}
		err := st.Tx(ctx, func(tx *sql.Tx) error {
			for _, p := range batch[:end-start] {
				if _, err := cw.Insert(ctx, tx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if progress != nil && (end%10000 == 0 || end == total) {
			fmt.Fprintf(progress, "  %d of %d cases\n", end, total)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// prepareParallel fills out[j] = f(j) on every core, returning the first
// error.
func prepareParallel(out []*casework.Prepared, f func(j int) (*casework.Prepared, error)) error {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := w; j < len(out); j += workers {
				p, err := f(j)
				if err != nil {
					errs[w] = err
					return
				}
				out[j] = p
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
