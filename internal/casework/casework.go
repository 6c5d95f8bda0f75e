// Package casework holds cases and the people in them: the defector and each
// family member, their green attributes in the clear and everything that
// identifies them sealed under the case's own key.
//
// # Invariants
//
// Every red field (names, aliases, date of birth, NRC and service numbers,
// unit, phone, place, Zawgyi originals) is sealed under a per-case data key
// before it reaches the database, bound to its row so a ciphertext cannot be
// moved (DESIGN §2 invariant 1). The case key exists at rest only wrapped to
// the principals that may open it, always including escrow; reading a case
// needs a keyring holding one of those wraps, so access is enforced by keys
// (invariant 3). Green attributes are validated and coarse: state, service,
// rank band, state/region code, month of contact.
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

// Case states (the full lifecycle arrives with the state machine).
const (
	StateContacted = "contacted"
)

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

// Person is one person of a case. Relation, StillInside and Risk are green;
// every other field is red and sealed.
type Person struct {
	Relation    string `json:"-"` // self, spouse, child, parent, sibling, other
	StillInside bool   `json:"-"`
	Risk        string `json:"-"` // "", low, medium, high

	NameMy        string            `json:"name_my,omitempty"`
	NameLatin     string            `json:"name_latin,omitempty"`
	Aliases       string            `json:"aliases,omitempty"`
	DateOfBirth   string            `json:"dob,omitempty"`
	NRC           string            `json:"nrc,omitempty"`
	ServiceNumber string            `json:"service_number,omitempty"`
	Rank          string            `json:"rank,omitempty"`
	Unit          string            `json:"unit,omitempty"`
	Phone         string            `json:"phone,omitempty"`
	Place         string            `json:"place,omitempty"`
	Originals     map[string]string `json:"originals,omitempty"`
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
	st *store.Store
}

// New returns the casework capability on st.
func New(st *store.Store) *Service { return &Service{st: st} }

var (
	services  = set("army", "navy", "air_force", "police", "unknown")
	bands     = set("enlisted", "nco", "junior_officer", "field_officer", "general_officer", "unknown")
	relations = set("self", "spouse", "child", "parent", "sibling", "other")
	risks     = set("", "low", "medium", "high")
	monthRE   = regexp.MustCompile(`^20[0-9]{2}-(0[1-9]|1[0-2])$`)
	dateRE    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
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
	fields := []struct {
		name string
		v    *string
	}{
		{"name_my", &p.NameMy}, {"name_latin", &p.NameLatin}, {"aliases", &p.Aliases},
		{"dob", &p.DateOfBirth}, {"nrc", &p.NRC}, {"service_number", &p.ServiceNumber},
		{"rank", &p.Rank}, {"unit", &p.Unit}, {"phone", &p.Phone}, {"place", &p.Place},
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
	if p.DateOfBirth != "" && !dateRE.MatchString(p.DateOfBirth) {
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
	day    string
	people []preparedPerson
	wraps  map[int64][]byte // principal id → wrapped case key
}

type preparedPerson struct {
	id          string
	relation    string
	stillInside bool
	risk        string
	sealed      []byte
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
	p := &Prepared{green: nc.Green, day: day.UTC().Format(time.DateOnly), wraps: map[int64][]byte{}}
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
		p.people = append(p.people, preparedPerson{pid, person.Relation, person.StillInside, person.Risk, sealed})
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

// Insert stores a prepared case inside tx and returns its id.
func (s *Service) Insert(ctx context.Context, tx *sql.Tx, p *Prepared) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO cases (state, service, rank_band, region, contact_month, with_arms, with_vehicle, dependants, created_day, updated_day)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		StateContacted, p.green.Service, p.green.RankBand, p.green.Region, p.green.ContactMonth, p.green.WithArms, p.green.WithVehicle, len(p.people)-1, p.day).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("casework: open case: %w", err)
	}
	for _, pp := range p.people {
		_, err = tx.ExecContext(ctx, "INSERT INTO people (id, case_id, relation, still_inside, risk, sealed, created_day) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			pp.id, id, pp.relation, pp.stillInside, pp.risk, pp.sealed, p.day)
		if err != nil {
			return 0, fmt.Errorf("casework: store person: %w", err)
		}
	}
	caseRef := strconv.FormatInt(id, 10)
	for pr, w := range p.wraps {
		_, err := tx.ExecContext(ctx, "INSERT INTO key_wraps (object_kind, object_id, principal_id, wrapped) VALUES ($1, $2, $3, $4)", ObjectCase, caseRef, pr, w)
		if err != nil {
			return 0, fmt.Errorf("casework: store case key: %w", err)
		}
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
}

// Case is a case opened with a key: its summary and its people decrypted.
type Case struct {
	Summary
	People []Person
}

// Get opens case id with the keys in ring. A case the ring cannot open is
// reported as not found, so its existence is not revealed.
func (s *Service) Get(ctx context.Context, ring *keys.Keyring, id int64) (Case, error) {
	var c Case
	err := s.st.DB().QueryRowContext(ctx, `SELECT id, state, service, rank_band, region, contact_month, with_arms, with_vehicle, dependants, created_day
		FROM cases WHERE id = $1`, id).Scan(&c.ID, &c.State, &c.Service, &c.RankBand, &c.Region, &c.ContactMonth, &c.WithArms, &c.WithVehicle, &c.Dependants, &c.Created)
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, fmt.Errorf("casework: case %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return Case{}, fmt.Errorf("casework: read case: %w", err)
	}
	k, err := ring.OpenObjectKey(ctx, s.st.DB(), ObjectCase, strconv.FormatInt(id, 10))
	if errors.Is(err, keys.ErrNoAccess) {
		return Case{}, fmt.Errorf("casework: case %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return Case{}, fmt.Errorf("casework: open case key: %w", err)
	}
	defer k.Wipe()
	rows, err := s.st.DB().QueryContext(ctx, "SELECT id, relation, still_inside, risk, sealed FROM people WHERE case_id = $1 ORDER BY relation = 'self' DESC, created_day, id", id)
	if err != nil {
		return Case{}, fmt.Errorf("casework: read people: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid string
		var p Person
		var sealed []byte
		if err := rows.Scan(&pid, &p.Relation, &p.StillInside, &p.Risk, &sealed); err != nil {
			return Case{}, fmt.Errorf("casework: read people: %w", err)
		}
		raw, err := keys.OpenField(k, peoplePlace(pid), sealed)
		if err != nil {
			return Case{}, fmt.Errorf("casework: person record of case %d does not open: %w", id, err)
		}
		err = json.Unmarshal(raw, &p)
		clear(raw)
		if err != nil {
			return Case{}, fmt.Errorf("casework: person record of case %d is damaged", id)
		}
		c.People = append(c.People, p)
	}
	return c, rows.Err()
}

// List returns cases newest first, green data only (no key needed), at most
// limit, with ids below before when before > 0.
func (s *Service) List(ctx context.Context, state string, before int64, limit int) ([]Summary, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if before <= 0 {
		before = 1<<62 - 1
	}
	q := `SELECT id, state, service, rank_band, region, contact_month, with_arms, with_vehicle, dependants, created_day FROM cases WHERE id < $1`
	args := []any{before}
	if state != "" {
		q += " AND state = $2"
		args = append(args, state)
	}
	q += " ORDER BY id DESC LIMIT " + strconv.Itoa(limit)
	rows, err := s.st.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("casework: list: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var c Summary
		if err := rows.Scan(&c.ID, &c.State, &c.Service, &c.RankBand, &c.Region, &c.ContactMonth, &c.WithArms, &c.WithVehicle, &c.Dependants, &c.Created); err != nil {
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
