// Package casework holds cases and the people in them: the defector and each
// family member, their green attributes in the clear and everything that
// identifies them sealed under the case's own key; the case lifecycle,
// assignment, notes, tasks, threats to relatives, the timeline and the
// duplicate check.
//
// # Invariants
//
// Every red field (names, aliases, date of birth, NRC and service numbers,
// unit, phone, place, relocation needs, photo, notes, task texts, threat
// details, transition reasons, Zawgyi originals) is sealed under a per-case
// data key before it reaches the database, bound to its row so a ciphertext
// cannot be moved (DESIGN §2 invariant 1). The case key exists at rest only
// wrapped to the principals that may open it: escrow always, the team owning
// the current stage and the assigned handler. Every read and every change
// opens the key with the caller's keyring first, and a case it cannot open
// is store.ErrNotFound, whether or not it exists (invariant 3). Every
// decision is audited in its own transaction, naming states and ids only.
//
// # Lifecycle
//
// One table (lifecycle) lists every state, the team owning it and each
// allowed move with the auth.Permission it needs. Transition refuses any
// other move with a *TransitionError carrying the allowed states, re-wraps
// the case key to the new stage's team and removes the old team's wrap.
//
// # Duplicates
//
// Exact matches use blind indexes (keys.IndexKey HMAC) of the normalised
// NRC, service and phone numbers. Fuzzy matches compare names with
// myanmar.PrepareName/Score over a name index. The index key and the
// name-index key are held by the intake, vetting and casework teams and
// escrow, never by the server: a seized server cannot test guesses against
// the blind indexes nor read the name index.
//
// The name index is a row per person sealed under the one name-index key,
// not the names inside each case: warming up then costs one key unwrap and
// a fast AEAD open per person (about a second for 250,000 people on two
// cores) instead of one public-key unwrap per case, which would not fit the
// five-second budget at 100,000 cases. The price is that a member of those
// teams can read every name (not the rest of any record); they are the
// people who must check every newcomer against every case. The prepared
// names live in this process's memory only, filled only with a key an
// authorised session opened, and are wiped after 15 minutes without use or
// by WipeNames. People added without the index keys (intake opening a case)
// are indexed by the next session that holds them (IndexPending).
package casework

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"embrace/internal/keys"
	"embrace/internal/myanmar"
	"embrace/internal/store"
)

// ObjectCase is the key_wraps object kind of a case key.
const ObjectCase = "case"

// ErrInvalid is wrapped by every validation error; the message names the
// field, never its value.
var ErrInvalid = errors.New("invalid")

// FieldError names the field that failed validation.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("casework: %s: %s", e.Field, e.Reason) }

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Green is what statistics and queues need, stored in the clear.
type Green struct {
	Service      string // army, navy, air_force, police, unknown
	RankBand     string // enlisted, nco, junior_officer, field_officer, general_officer, unknown
	Region       string // state/region pcode, or "" when unknown
	ContactMonth string // YYYY-MM
	WithArms     bool
	WithVehicle  bool
}

// Person is one person of a case. ID, CaseID, Relation, StillInside, Risk,
// Relocation, MergedInto and HasPhoto are green; every other field is red
// and sealed.
type Person struct {
	ID          string `json:"-"`
	CaseID      int64  `json:"-"`
	Relation    string `json:"-"` // self, spouse, child, parent, sibling, other
	StillInside bool   `json:"-"`
	Risk        string `json:"-"` // "", low, medium, high
	Relocation  string `json:"-"` // "", none, needed, planned, done
	MergedInto  string `json:"-"` // the person this one was merged into, if any
	HasPhoto    bool   `json:"-"`

	NameMy          string            `json:"name_my,omitempty"`
	NameLatin       string            `json:"name_latin,omitempty"`
	Aliases         string            `json:"aliases,omitempty"`
	DateOfBirth     string            `json:"dob,omitempty"`
	NRC             string            `json:"nrc,omitempty"`
	ServiceNumber   string            `json:"service_number,omitempty"`
	Rank            string            `json:"rank,omitempty"`
	Unit            string            `json:"unit,omitempty"`
	Phone           string            `json:"phone,omitempty"`
	Place           string            `json:"place,omitempty"`
	RelocationNeeds string            `json:"relocation_needs,omitempty"`
	Originals       map[string]string `json:"originals,omitempty"`
}

// NewCase is what opening a case takes.
type NewCase struct {
	Green
	Defector Person
	Family   []Person
	// Day is the day the case is recorded (defaults to today).
	Day time.Time
}

// Service is the casework capability.
type Service struct {
	st    *store.Store
	names *nameCache
	warm  warmState
	// screen, when set, is called for every person staff record or edit
	// and for every person of a case entering vetting (SetScreener).
	screen Screener
}

// Screener is told of a person inside the transaction that records them,
// with the cleaned red fields: vetting seals a screening record to the
// watch list's public key with it. It must not keep p.
type Screener func(ctx context.Context, tx *sql.Tx, caseID int64, personID string, p Person) error

// SetScreener makes s call f for every person recorded, edited or
// entering vetting. Call it while wiring, before s serves anyone.
func (s *Service) SetScreener(f Screener) { s.screen = f }

// New returns the casework capability on st.
func New(st *store.Store) *Service { return &Service{st: st, names: newNameCache()} }

var (
	services  = set("army", "navy", "air_force", "police", "unknown")
	bands     = set("enlisted", "nco", "junior_officer", "field_officer", "general_officer", "unknown")
	relations = set("self", "spouse", "child", "parent", "sibling", "other")
	risks     = set("", "low", "medium", "high")
	relocs    = set("", "none", "needed", "planned", "done")
	monthRE   = regexp.MustCompile(`^20[0-9]{2}-(0[1-9]|1[0-2])$`)
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// maxField bounds every red text field.
const maxField = 500

// Validate checks green attributes.
func (g Green) Validate() error {
	switch {
	case !services[g.Service]:
		return &FieldError{"service", "must be army, navy, air_force, police or unknown"}
	case !bands[g.RankBand]:
		return &FieldError{"rank_band", "is not a known rank band"}
	case !monthRE.MatchString(g.ContactMonth):
		return &FieldError{"contact_month", "must be YYYY-MM"}
	}
	if g.Region != "" {
		if _, ok := myanmar.RegionByCode(g.Region); !ok {
			return &FieldError{"region", "is not a known state or region code"}
		}
	}
	return nil
}

// clean passes every red text field of p through the Myanmar text boundary,
// keeping Zawgyi originals, and validates it.
func (p *Person) clean(prefix string) error {
	if !relations[p.Relation] {
		return &FieldError{prefix + "relation", "is not a known relation"}
	}
	if !risks[p.Risk] {
		return &FieldError{prefix + "risk", "must be low, medium or high"}
	}
	if !relocs[p.Relocation] {
		return &FieldError{prefix + "relocation", "must be none, needed, planned or done"}
	}
	fields := []struct {
		name string
		v    *string
	}{
		{"name_my", &p.NameMy}, {"name_latin", &p.NameLatin}, {"aliases", &p.Aliases},
		{"dob", &p.DateOfBirth}, {"nrc", &p.NRC}, {"service_number", &p.ServiceNumber},
		{"rank", &p.Rank}, {"unit", &p.Unit}, {"phone", &p.Phone}, {"place", &p.Place},
		{"relocation_needs", &p.RelocationNeeds},
	}
	for _, f := range fields {
		if len(*f.v) > maxField {
			return &FieldError{prefix + f.name, "is too long"}
		}
		t, err := myanmar.Clean(*f.v)
		if err != nil {
			return &FieldError{prefix + f.name, "is not valid text"}
		}
		if t.Converted {
			if p.Originals == nil {
				p.Originals = map[string]string{}
			}
			p.Originals[f.name] = t.Original
		}
		*f.v = t.Value
	}
	if p.DateOfBirth != "" && !validDay(p.DateOfBirth) {
		return &FieldError{prefix + "dob", "must be YYYY-MM-DD"}
	}
	return nil
}

// newID returns a random row id for sealed rows (so a row can be sealed
// before it is inserted).
func newID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// peoplePlace binds a person's sealed record to its row.
func peoplePlace(id string) keys.Place {
	return keys.Place{Table: "people", Column: "sealed", Row: id}
}

// Prepared is a new case made ready for storage: validated, its red fields
// sealed under a fresh case key and the key wrapped to its holders. The
// expensive cryptography happens here, outside any transaction, so the one
// database writer is held only for the inserts.
type Prepared struct {
	green  Green
	state  string
	team   string
	day    string
	people []preparedPerson
	wraps  map[int64][]byte // principal id → wrapped case key
	// history is the path of an imported or synthetic case (SetHistory).
	history []Step
	// plain holds the cleaned people until Index runs (or Insert drops
	// them); it is red and never stored.
	plain []Person
}

type preparedPerson struct {
	id          string
	relation    string
	stillInside bool
	risk        string
	relocation  string
	sealed      []byte
	index       *personIndex // nil until Index
}

// Prepare validates nc, seals it under a fresh case key and wraps the key to
// escrow and to each principal in to.
func Prepare(nc NewCase, escrow keys.Principal, to ...keys.Principal) (*Prepared, error) {
	if err := nc.Green.Validate(); err != nil {
		return nil, err
	}
	nc.Defector.Relation = "self"
	if err := nc.Defector.clean(""); err != nil {
		return nil, err
	}
	if len(nc.Family) > 30 {
		return nil, &FieldError{"family", "has too many people"}
	}
	for i := range nc.Family {
		if nc.Family[i].Relation == "self" {
			return nil, &FieldError{"family[" + strconv.Itoa(i) + "].relation", "cannot be self"}
		}
		if err := nc.Family[i].clean("family[" + strconv.Itoa(i) + "]."); err != nil {
			return nil, err
		}
	}
	day := nc.Day
	if day.IsZero() {
		day = time.Now()
	}
	p := &Prepared{green: nc.Green, state: StateContacted, team: teamOf(StateContacted, ""), day: day.UTC().Format(time.DateOnly), wraps: map[int64][]byte{}}
	k, err := keys.NewDataKey()
	if err != nil {
		return nil, err
	}
	defer k.Wipe()
	for _, person := range append([]Person{nc.Defector}, nc.Family...) {
		pid := newID()
		raw, err := json.Marshal(person)
		if err != nil {
			return nil, fmt.Errorf("casework: seal person: %w", err)
		}
		sealed, err := keys.SealField(k, peoplePlace(pid), raw)
		clear(raw)
		if err != nil {
			return nil, fmt.Errorf("casework: seal person: %w", err)
		}
		p.people = append(p.people, preparedPerson{id: pid, relation: person.Relation, stillInside: person.StillInside, risk: person.Risk, relocation: person.Relocation, sealed: sealed})
		p.plain = append(p.plain, person)
	}
	for _, pr := range append([]keys.Principal{escrow}, to...) {
		w, err := keys.Wrap(k, pr.Recipient)
		if err != nil {
			return nil, fmt.Errorf("casework: wrap case key: %w", err)
		}
		p.wraps[pr.ID] = w
	}
	return p, nil
}

// SetState makes a prepared case start in state instead of contacted (for
// imports and synthetic data); state must be a known state.
func (p *Prepared) SetState(state string) error {
	if _, ok := lifecycle[state]; !ok {
		return &FieldError{"state", "is not a known case state"}
	}
	p.state, p.team = state, teamOf(state, TeamIntake)
	return nil
}

// Insert stores a prepared case inside tx and returns its id. People are
// stored with their duplicate indexes when Index was called, and marked
// for indexing by the next authorised session otherwise.
func (s *Service) Insert(ctx context.Context, tx *sql.Tx, p *Prepared) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO cases (state, team, service, rank_band, region, contact_month, with_arms, with_vehicle, dependants, created_day, updated_day)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
		p.state, p.team, p.green.Service, p.green.RankBand, p.green.Region, p.green.ContactMonth, p.green.WithArms, p.green.WithVehicle, len(p.people)-1, p.day).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("casework: open case: %w", err)
	}
	for _, pp := range p.people {
		_, err = tx.ExecContext(ctx, "INSERT INTO people (id, case_id, relation, still_inside, risk, relocation, sealed, created_day, indexed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			pp.id, id, pp.relation, pp.stillInside, pp.risk, pp.relocation, pp.sealed, p.day, pp.index != nil)
		if err != nil {
			return 0, fmt.Errorf("casework: store person: %w", err)
		}
		if pp.index != nil {
			if err := pp.index.store(ctx, tx, pp.id, id); err != nil {
				return 0, err
			}
		}
	}
	if s.screen != nil && len(p.plain) == len(p.people) {
		for i, pp := range p.people {
			if err := s.screen(ctx, tx, id, pp.id, p.plain[i]); err != nil {
				return 0, err
			}
		}
	}
	clear(p.plain)
	p.plain = nil
	caseRef := strconv.FormatInt(id, 10)
	for pr, w := range p.wraps {
		_, err := tx.ExecContext(ctx, "INSERT INTO key_wraps (object_kind, object_id, principal_id, wrapped) VALUES ($1, $2, $3, $4)", ObjectCase, caseRef, pr, w)
		if err != nil {
			return 0, fmt.Errorf("casework: store case key: %w", err)
		}
	}
	first := p.state
	if len(p.history) > 0 {
		first = StateContacted
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO case_events (ref, case_id, day, actor, kind, to_state) VALUES ($1, $2, $3, $4, $5, $6)",
		newID(), id, p.day, "", EventCreated, first); err != nil {
		return 0, fmt.Errorf("casework: timeline: %w", err)
	}
	from, since := first, p.day
	for _, st := range p.history {
		if err := insertEvent(ctx, tx, newID(), id, st.Day, actorImport, EventTransition, from, st.State, nil, stageDays(since, st.Day)); err != nil {
			return 0, err
		}
		from, since = st.State, st.Day
	}
	return id, nil
}

// Open prepares and inserts a new case inside tx: green attributes in the
// clear, red fields sealed under a fresh case key, and the key wrapped to
// each principal in to and to escrow. It returns the case id.
func (s *Service) Open(ctx context.Context, tx *sql.Tx, nc NewCase, to ...keys.Principal) (int64, error) {
	esc, err := keys.Escrow(ctx, tx)
	if err != nil {
		return 0, fmt.Errorf("casework: open case: %w", err)
	}
	p, err := Prepare(nc, esc, to...)
	if err != nil {
		return 0, err
	}
	return s.Insert(ctx, tx, p)
}

// Summary is a case as queues and lists show it: green data only.
type Summary struct {
	ID    int64
	State string
	Green
	Dependants int
	Created    string
	Updated    string
	// Team owns the current stage; Handler is the assigned handler's
	// principal id (0 when none).
	Team    string
	Handler int64
}

// Case is a case opened with a key: its summary and its people decrypted.
type Case struct {
	Summary
	People []Person
	// Allowed lists the states the case may move to next (whoever may make
	// each move).
	Allowed []string
}

const summaryColumns = `id, state, service, rank_band, region, contact_month, with_arms, with_vehicle, dependants, created_day, updated_day, team, COALESCE(handler_id, 0)`

func scanSummary(row interface{ Scan(...any) error }) (Summary, error) {
	var c Summary
	err := row.Scan(&c.ID, &c.State, &c.Service, &c.RankBand, &c.Region, &c.ContactMonth, &c.WithArms, &c.WithVehicle, &c.Dependants, &c.Created, &c.Updated, &c.Team, &c.Handler)
	return c, err
}

// Summary returns a case's green data; it needs no key (queues show it).
func (s *Service) Summary(ctx context.Context, id int64) (Summary, error) {
	c, err := scanSummary(s.st.DB().QueryRowContext(ctx, `SELECT `+summaryColumns+` FROM cases WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Summary{}, fmt.Errorf("casework: case %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return Summary{}, fmt.Errorf("casework: read case: %w", err)
	}
	return c, nil
}

// Get opens case id with the keys in ring. A case the ring cannot open is
// reported as not found, so its existence is not revealed.
func (s *Service) Get(ctx context.Context, ring *keys.Keyring, id int64) (Case, error) {
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return Case{}, err
	}
	defer k.Wipe()
	sum, err := s.Summary(ctx, id)
	if err != nil {
		return Case{}, err
	}
	c := Case{Summary: sum, Allowed: AllowedFrom(sum.State)}
	rows, err := s.st.DB().QueryContext(ctx, `SELECT p.id, p.relation, p.still_inside, p.risk, p.relocation, COALESCE(p.merged_into, ''), p.sealed,
		EXISTS (SELECT 1 FROM person_photos ph WHERE ph.person_id = p.id)
		FROM people p WHERE p.case_id = $1 ORDER BY p.relation = 'self' DESC, p.created_day, p.id`, id)
	if err != nil {
		return Case{}, fmt.Errorf("casework: read people: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Person
		var sealed []byte
		if err := rows.Scan(&p.ID, &p.Relation, &p.StillInside, &p.Risk, &p.Relocation, &p.MergedInto, &sealed, &p.HasPhoto); err != nil {
			return Case{}, fmt.Errorf("casework: read people: %w", err)
		}
		p.CaseID = id
		if err := openPerson(k, &p, sealed); err != nil {
			return Case{}, err
		}
		c.People = append(c.People, p)
	}
	return c, rows.Err()
}

// openPerson decrypts a person's sealed record into p.
func openPerson(k *keys.DataKey, p *Person, sealed []byte) error {
	raw, err := keys.OpenField(k, peoplePlace(p.ID), sealed)
	if err != nil {
		return fmt.Errorf("casework: person record of case %d does not open: %w", p.CaseID, err)
	}
	err = json.Unmarshal(raw, p)
	clear(raw)
	if err != nil {
		return fmt.Errorf("casework: person record of case %d is damaged", p.CaseID)
	}
	return nil
}

// caseKey opens case id's key with ring; a missing case and a case the
// ring holds no wrap for are both store.ErrNotFound.
func (s *Service) caseKey(ctx context.Context, ring *keys.Keyring, id int64) (*keys.DataKey, error) {
	if ring == nil {
		return nil, fmt.Errorf("casework: case %d: %w", id, store.ErrNotFound)
	}
	k, err := ring.OpenObjectKey(ctx, s.st.DB(), ObjectCase, strconv.FormatInt(id, 10))
	if errors.Is(err, keys.ErrNoAccess) {
		return nil, fmt.Errorf("casework: case %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("casework: open case key: %w", err)
	}
	return k, nil
}

// Filter selects cases for List. Zero fields select everything.
type Filter struct {
	State   string
	Team    string
	Handler int64 // principal id of the assigned handler
	Before  int64 // only ids below this (paging)
	Limit   int   // 1–500, default 50
}

// List returns cases newest first, green data only (no key needed), at most
// limit, with ids below before when before > 0.
func (s *Service) List(ctx context.Context, state string, before int64, limit int) ([]Summary, error) {
	return s.Find(ctx, Filter{State: state, Before: before, Limit: limit})
}

// Find returns the cases f selects, newest first, green data only: my
// cases (Handler), a team queue (Team), or a state.
func (s *Service) Find(ctx context.Context, f Filter) ([]Summary, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.Before <= 0 {
		f.Before = 1<<62 - 1
	}
	q := `SELECT ` + summaryColumns + ` FROM cases WHERE id < $1`
	args := []any{f.Before}
	if f.State != "" {
		args = append(args, f.State)
		q += " AND state = $" + strconv.Itoa(len(args))
	}
	if f.Team != "" {
		args = append(args, f.Team)
		q += " AND team = $" + strconv.Itoa(len(args))
	}
	if f.Handler != 0 {
		args = append(args, f.Handler)
		q += " AND handler_id = $" + strconv.Itoa(len(args))
	}
	q += " ORDER BY id DESC LIMIT " + strconv.Itoa(f.Limit)
	rows, err := s.st.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("casework: list: %w", err)
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		c, err := scanSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("casework: list: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Count returns how many cases there are.
func (s *Service) Count(ctx context.Context) (int64, error) {
	var n int64
	if err := s.st.DB().QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&n); err != nil {
		return 0, fmt.Errorf("casework: count: %w", err)
	}
	return n, nil
}
