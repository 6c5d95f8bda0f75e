// Package stats computes the network's statistics from green data only —
// the attributes stored in the clear (service, rank band, state/region,
// month of contact, with arms or vehicle, case state) — so it needs no key
// and can never reveal a sealed field.
//
// # Invariants
//
// Staff dashboards show exact counts. Everything that leaves the staff
// pages (the public page, the public API, `embrace stats -public`) goes
// through disclosure control (Protection): counts from 1 to threshold-1 are
// suppressed, and further cells are hidden until no suppressed count can be
// worked out from the published totals (checked by interval propagation
// over every row and column equation, and in the tests by exhaustive
// search); tables that share totals are protected together; the most
// recent months are held back for a publication delay; and no breakdown is
// finer than month × state/region × service group.
package stats

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	"embrace/internal/myanmar"
)

// Service groups, the columns of every table.
const (
	GroupMilitary = "military" // army, navy, air force
	GroupPolice   = "police"
	GroupUnknown  = "unknown"
)

// Groups lists the service groups in column order.
func Groups() []string { return []string{GroupMilitary, GroupPolice, GroupUnknown} }

func groupOf(service string) int {
	switch service {
	case "army", "navy", "air_force":
		return 0
	case "police":
		return 1
	}
	return 2
}

// Breakdowns: what a table's rows are.
const (
	ByMonth    = "month"
	ByRankBand = "rank_band"
	ByRegion   = "region"
	ByEquipped = "equipped" // with arms, with a vehicle, neither
	ByStage    = "stage"    // the case funnel (staff only)
)

// PublicBreakdowns lists the breakdowns that may be published.
func PublicBreakdowns() []string { return []string{ByMonth, ByRankBand, ByRegion, ByEquipped} }

// Stages of the case funnel, in order; a case counts at every stage up to
// the one it is in now.
var funnel = []string{"contacted", "screening", "vetting", "verified", "in_passage", "arrived", "sheltered", "resettled"}

// Bands lists the rank bands in order.
var bands = []string{"enlisted", "nco", "junior_officer", "field_officer", "general_officer", "unknown"}

// fact is one group of cases with the same green attributes.
type fact struct {
	month, service, band, region, state string
	arms, vehicle                       bool
	n                                   int
}

// Data is the green facts of a deployment, read once and broken down many
// ways.
type Data struct {
	facts []fact
	// First and Last are the first and last months with a case.
	First, Last string
	// stages holds, per funnel stage, how many moves out of it took each
	// number of days.
	stages map[string]map[int]int
}

// StageTime is how long cases stayed in one stage of the funnel before
// they moved on: how many moves out of it are known, and the median, 90th
// percentile and longest stay in whole days.
type StageTime struct {
	Stage                string
	Moves                int
	Median, P90, Longest int
}

// StageTimes lists the time spent in each funnel stage that cases have
// left (a stage no case has left yet is listed with no moves).
func (d *Data) StageTimes() []StageTime {
	var out []StageTime
	for _, st := range funnel[:len(funnel)-1] {
		hist := d.stages[st]
		t := StageTime{Stage: st}
		days := make([]int, 0, len(hist))
		for day, n := range hist {
			days = append(days, day)
			t.Moves += n
		}
		slices.Sort(days)
		if t.Moves > 0 {
			t.Longest = days[len(days)-1]
			t.Median = quantile(days, hist, t.Moves, 1, 2)
			t.P90 = quantile(days, hist, t.Moves, 9, 10)
		}
		out = append(out, t)
	}
	return out
}

// quantile is the smallest day d such that at least num/den of the n moves
// (counted per day in hist, days sorted) took d days or fewer.
func quantile(days []int, hist map[int]int, n, num, den int) int {
	seen := 0
	for _, d := range days {
		seen += hist[d]
		if seen*den >= n*num {
			return d
		}
	}
	return days[len(days)-1]
}

// Load reads the green attributes of every case, grouped, in one query.
func Load(ctx context.Context, db *sql.DB) (*Data, error) {
	rows, err := db.QueryContext(ctx, `SELECT contact_month, service, rank_band, region, state, with_arms, with_vehicle, count(*)
		FROM cases GROUP BY contact_month, service, rank_band, region, state, with_arms, with_vehicle`)
	if err != nil {
		return nil, fmt.Errorf("stats: load: %w", err)
	}
	defer rows.Close()
	d := &Data{}
	for rows.Next() {
		var f fact
		if err := rows.Scan(&f.month, &f.service, &f.band, &f.region, &f.state, &f.arms, &f.vehicle, &f.n); err != nil {
			return nil, fmt.Errorf("stats: load: %w", err)
		}
		d.facts = append(d.facts, f)
		if d.First == "" || f.month < d.First {
			d.First = f.month
		}
		if f.month > d.Last {
			d.Last = f.month
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stats: load: %w", err)
	}
	if d.stages, err = loadStages(ctx, db); err != nil {
		return nil, err
	}
	return d, nil
}

// loadStages reads how many moves out of each stage took each number of
// days, grouped by the database (green data only).
func loadStages(ctx context.Context, db *sql.DB) (map[string]map[int]int, error) {
	rows, err := db.QueryContext(ctx, `SELECT from_state, stage_days, count(*) FROM case_events
		WHERE kind = 'transition' AND stage_days IS NOT NULL GROUP BY from_state, stage_days`)
	if err != nil {
		return nil, fmt.Errorf("stats: load stages: %w", err)
	}
	defer rows.Close()
	out := map[string]map[int]int{}
	for rows.Next() {
		var st string
		var days, n int
		if err := rows.Scan(&st, &days, &n); err != nil {
			return nil, fmt.Errorf("stats: load stages: %w", err)
		}
		if out[st] == nil {
			out[st] = map[int]int{}
		}
		out[st][days] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stats: load stages: %w", err)
	}
	return out, nil
}

// Query says which cases a table counts and how it breaks them down.
type Query struct {
	Breakdown string
	// From and To bound the months counted, inclusive ("YYYY-MM"); empty
	// means unbounded.
	From, To string
}

var monthRE = regexp.MustCompile(`^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$`)

// earliestMonth is the first month a query may name.
const earliestMonth = "2000-01"

// validate checks q against now: a known breakdown, months well formed, in
// order, not before 2000 and not in the future.
func (q Query) validate(now time.Time, public bool) error {
	known := PublicBreakdowns()
	if !public {
		known = append(known, ByStage)
	}
	if !slices.Contains(known, q.Breakdown) {
		return fmt.Errorf("stats: %w: unknown breakdown (choose one of %v)", ErrInvalid, known)
	}
	thisMonth := now.UTC().Format("2006-01")
	for _, m := range []string{q.From, q.To} {
		if m == "" {
			continue
		}
		if !monthRE.MatchString(m) {
			return fmt.Errorf("stats: %w: a month is written YYYY-MM", ErrInvalid)
		}
		if m < earliestMonth || m > thisMonth {
			return fmt.Errorf("stats: %w: months must lie between %s and %s", ErrInvalid, earliestMonth, thisMonth)
		}
	}
	if q.From != "" && q.To != "" && q.From > q.To {
		return fmt.Errorf("stats: %w: the range starts after it ends", ErrInvalid)
	}
	return nil
}

// Table is a breakdown by service group: one row per category, one column
// per group, with row and column totals.
type Table struct {
	Breakdown string
	// Rows are the categories: months "YYYY-MM", rank bands, region codes,
	// "with_arms"/"with_vehicle"/"neither", or stages.
	Rows []string
	// Columns are the service groups (Groups).
	Columns []string
	// Cells[i][j] counts row i, group j; RowTotals, ColTotals and Total
	// are the margins.
	Cells     [][]Count
	RowTotals []Count
	ColTotals []Count
	Total     Count
	// Through is the last month counted ("" when not limited); set on
	// published tables held back by the publication delay.
	Through string
}

// Count is one published number: its value, or why it is hidden.
type Count struct {
	Value int
	// State is Shown, Primary (below the threshold) or Secondary (hidden
	// to protect another cell). Value is 0 unless Shown.
	State int
}

// Hidden is how a hidden count is printed. Every hidden count is printed
// alike (see Secondary); the legend says "fewer than the threshold, or
// hidden so that such a count cannot be worked out from the totals".
const Hidden = "x"

// String is how a count is printed: the number, or Hidden.
func (c Count) String() string {
	if c.State != Shown {
		return Hidden
	}
	return strconv.Itoa(c.Value)
}

// categories lists the rows of a breakdown over the data, in order.
func (d *Data) categories(q Query) []string {
	switch q.Breakdown {
	case ByMonth:
		var out []string
		first, last := d.First, d.Last
		if q.From != "" {
			first = q.From
		}
		if q.To != "" {
			last = q.To
		}
		if first == "" || last == "" || first > last {
			return nil
		}
		t, _ := time.Parse("2006-01", first)
		for m := first; m <= last; m = t.Format("2006-01") {
			out = append(out, m)
			t = t.AddDate(0, 1, 0)
		}
		return out
	case ByRankBand:
		return bands
	case ByRegion:
		var out []string
		for _, r := range myanmar.Regions() {
			out = append(out, r.Code)
		}
		return append(out, "")
	case ByEquipped:
		return []string{"with_arms", "with_vehicle", "neither"}
	case ByStage:
		return append(append([]string{}, funnel...), "rejected", "withdrawn", "lost_contact", "suspected_infiltrator", "detained", "deceased")
	}
	return nil
}

// rowsOf returns the rows a fact counts in (a case with arms and a vehicle
// counts in both rows of ByEquipped; a case counts in every funnel stage
// up to its own).
func rowsOf(breakdown string, f *fact, index map[string]int) []int {
	switch breakdown {
	case ByMonth:
		if i, ok := index[f.month]; ok {
			return []int{i}
		}
	case ByRankBand:
		if i, ok := index[f.band]; ok {
			return []int{i}
		}
		return []int{index["unknown"]}
	case ByRegion:
		if i, ok := index[f.region]; ok {
			return []int{i}
		}
		return []int{index[""]}
	case ByEquipped:
		var out []int
		if f.arms {
			out = append(out, index["with_arms"])
		}
		if f.vehicle {
			out = append(out, index["with_vehicle"])
		}
		if !f.arms && !f.vehicle {
			out = append(out, index["neither"])
		}
		return out
	case ByStage:
		if k := slices.Index(funnel, f.state); k >= 0 {
			out := make([]int, k+1)
			for i := range out {
				out[i] = i
			}
			return out
		}
		if i, ok := index[f.state]; ok {
			return []int{i}
		}
	}
	return nil
}

// counts builds the exact interior of a breakdown.
func (d *Data) counts(q Query) (rows []string, cells [][]int) {
	rows = d.categories(q)
	index := map[string]int{}
	for i, r := range rows {
		index[r] = i
	}
	cells = make([][]int, len(rows))
	for i := range cells {
		cells[i] = make([]int, len(Groups()))
	}
	for k := range d.facts {
		f := &d.facts[k]
		if (q.From != "" && f.month < q.From) || (q.To != "" && f.month > q.To) {
			continue
		}
		for _, i := range rowsOf(q.Breakdown, f, index) {
			cells[i][groupOf(f.service)] += f.n
		}
	}
	return rows, cells
}

// Exact returns a breakdown with exact counts, for the staff dashboard.
// Totals are sums of the rows, except for breakdowns where a case counts
// in several rows (equipped, stage), whose totals count cases.
func (d *Data) Exact(q Query, now time.Time) (Table, error) {
	if err := q.validate(now, false); err != nil {
		return Table{}, err
	}
	rows, cells := d.counts(q)
	g := newGrid(cells, len(Groups()))
	t := tableOf(q.Breakdown, rows, g, 0)
	if q.Breakdown == ByEquipped || q.Breakdown == ByStage {
		// A case counts in several rows; the totals count cases (every
		// case is in exactly one rank band).
		_, byBand := d.counts(Query{Breakdown: ByRankBand, From: q.From, To: q.To})
		tot := newGrid(byBand, len(Groups()))
		last := tot.rows() - 1
		for j := range t.ColTotals {
			t.ColTotals[j] = Count{Value: tot.v[last][j]}
		}
		t.Total = Count{Value: tot.v[last][len(Groups())]}
	}
	return t, nil
}

// tableOf reads a table out of a grid, rounding shown counts to round.
func tableOf(breakdown string, rows []string, g *grid, round int) Table {
	c := len(Groups())
	t := Table{Breakdown: breakdown, Rows: rows, Columns: Groups(), Cells: make([][]Count, len(rows)), RowTotals: make([]Count, len(rows)), ColTotals: make([]Count, c)}
	count := func(i, j int) Count {
		if g.state[i][j] != Shown {
			return Count{State: g.state[i][j]}
		}
		return Count{Value: roundTo(g.v[i][j], round)}
	}
	for i := range rows {
		t.Cells[i] = make([]Count, c)
		for j := range c {
			t.Cells[i][j] = count(i, j)
		}
		t.RowTotals[i] = count(i, c)
	}
	for j := range c {
		t.ColTotals[j] = count(len(rows), j)
	}
	t.Total = count(len(rows), c)
	return t
}

// Publication is the protected tables that may leave the staff pages.
type Publication struct {
	// Through is the last month published: the publication delay holds
	// back the months after it.
	Through string
	// Threshold and Round are the disclosure control applied.
	Threshold, Round int
	Tables           []Table
}

// DefaultDelay is how long after a month ends its figures are published.
const DefaultDelay = 30 * 24 * time.Hour

// Public builds the publication as of now: the public breakdowns (the ones
// in want, or all when want is empty) over the months that ended at least
// delay ago, protected together under p. The equipped breakdown counts a
// case with arms and a vehicle twice, so it is published without totals
// of its own.
func (d *Data) Public(want []string, from string, p Protection, delay time.Duration, now time.Time) (Publication, error) {
	if err := p.Validate(); err != nil {
		return Publication{}, err
	}
	if delay < 0 || delay > 366*24*time.Hour {
		return Publication{}, fmt.Errorf("stats: %w: the publication delay must be between 0 and 366 days", ErrInvalid)
	}
	if len(want) == 0 {
		want = PublicBreakdowns()
	}
	through := lastPublishable(now, delay)
	if through < earliestMonth {
		return Publication{}, fmt.Errorf("stats: %w: nothing can be published yet", ErrInvalid)
	}
	pub := Publication{Through: through, Threshold: p.Threshold, Round: p.Round}
	var grids []*grid
	var queries []Query
	for _, b := range want {
		q := Query{Breakdown: b, From: from, To: through}
		if from != "" && from > through {
			return Publication{}, fmt.Errorf("stats: %w: nothing after %s can be published yet", ErrInvalid, through)
		}
		if err := q.validate(now, true); err != nil {
			return Publication{}, err
		}
		rows, cells := d.counts(q)
		if b == ByEquipped {
			// Rows overlap, so its margins are not sums: publish the
			// rows alone, each row with its own total, protected as
			// a table of its own.
			g := newGrid(cells, len(Groups()))
			g.protect(p.Threshold)
			t := tableOf(b, rows, g, p.Round)
			t.ColTotals, t.Total = nil, Count{State: Secondary}
			t.Through = through
			pub.Tables = append(pub.Tables, t)
			continue
		}
		grids = append(grids, newGrid(cells, len(Groups())))
		queries = append(queries, q)
	}
	protectTogether(grids, p.Threshold)
	for k, g := range grids {
		rows := d.categories(queries[k])
		t := tableOf(queries[k].Breakdown, rows, g, p.Round)
		t.Through = through
		pub.Tables = append(pub.Tables, t)
	}
	slices.SortStableFunc(pub.Tables, func(a, b Table) int {
		return slices.Index(want, a.Breakdown) - slices.Index(want, b.Breakdown)
	})
	return pub, nil
}

// lastPublishable is the last month that ended at least delay before now.
func lastPublishable(now time.Time, delay time.Duration) string {
	cut := now.UTC().Add(-delay)
	// The month of cut has not ended by cut (unless cut is its last
	// instant); the one before it has.
	first := time.Date(cut.Year(), cut.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, -1, 0).Format("2006-01")
}

// Cache keeps the loaded Data for a while, so that a page under a flood of
// requests costs one query per period, not one per request. Once loaded,
// a request never waits for the query: stale data is answered at once
// while one background load refreshes it.
type Cache struct {
	db  *sql.DB
	ttl time.Duration

	mu         sync.Mutex
	data       *Data
	loaded     time.Time
	refreshing bool
}

// NewCache returns a cache over db refreshing data older than ttl (1
// minute when ≤ 0).
func NewCache(db *sql.DB, ttl time.Duration) *Cache {
	if ttl <= 0 {
		ttl = time.Minute
	}
	return &Cache{db: db, ttl: ttl}
}

// Data returns the cached data. The first call loads it (concurrent first
// callers wait for that one load); later calls answer what is cached and,
// when it is older than the ttl, start one background refresh.
func (c *Cache) Data(ctx context.Context) (*Data, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.data == nil {
		d, err := Load(ctx, c.db)
		if err != nil {
			return nil, err
		}
		c.data, c.loaded = d, time.Now()
		return d, nil
	}
	if time.Since(c.loaded) >= c.ttl && !c.refreshing {
		c.refreshing = true
		go c.refresh()
	}
	return c.data, nil
}

// refresh loads the data again in the background; a failure keeps the old
// data and is retried at the next request.
func (c *Cache) refresh() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := Load(ctx, c.db)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshing = false
	if err == nil {
		c.data, c.loaded = d, time.Now()
	}
}
