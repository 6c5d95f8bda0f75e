package shelter

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

	"embrace/internal/audit"
	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/myanmar"
	"embrace/internal/store"
)

// Object kinds of the keys in key_wraps.
const (
	ObjectHouse = "shelter_house"
	ObjectStay  = "shelter_stay"
)

// MaxBeds bounds a house's capacity: a larger number is a typo (the
// largest camps hold a few hundred).
const MaxBeds = 500

// maxText bounds each sealed text field; maxNotes the notes.
const (
	maxText  = 300
	maxNotes = 2000
)

var (
	codeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{0,15}$`)
	areaRE = regexp.MustCompile(`^[\p{L}\p{N} ,.'()/-]{1,60}$`)
)

// Service is the shelter capability.
type Service struct {
	st *store.Store
	cw *casework.Service
	// now is the clock (the quarantine is counted against it).
	now func() time.Time
}

// New returns the shelter capability on st; cw reads the cases a handler
// asks places for. now is the clock (time.Now when nil).
func New(st *store.Store, cw *casework.Service, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, cw: cw, now: now}
}

func (s *Service) today() string { return s.now().UTC().Format(time.DateOnly) }

// Details is a house's amber part, sealed under its key.
type Details struct {
	Address string `json:"address,omitempty"`
	Contact string `json:"contact,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Notes   string `json:"notes,omitempty"`
}

// NewHouse is what creating a house takes: green code, area and beds, and
// the amber details.
type NewHouse struct {
	Code string
	Area string
	Beds int
	Details
}

// House is a house as the shelter team sees it.
type House struct {
	ID      int64
	Code    string
	Area    string
	Beds    int
	Created string
	Details
}

func validBeds(n int) error {
	if n < 0 || n > MaxBeds {
		return &FieldError{"beds", "must be a whole number from 0 to " + strconv.Itoa(MaxBeds)}
	}
	return nil
}

// clean passes the house's text through the Myanmar boundary and checks it.
func (h *NewHouse) clean() error {
	t, err := myanmar.Clean(h.Code)
	if err != nil || !codeRE.MatchString(t.Value) {
		return &FieldError{"code", "must be 1 to 16 capital letters, digits or dashes, such as MS-3"}
	}
	h.Code = t.Value
	t, err = myanmar.Clean(h.Area)
	if err != nil || !areaRE.MatchString(t.Value) {
		return &FieldError{"area", "must be a town or district, 1 to 60 letters"}
	}
	h.Area = t.Value
	if err := validBeds(h.Beds); err != nil {
		return err
	}
	return h.Details.clean()
}

func (d *Details) clean() error {
	var err error
	if d.Address, err = cleanText("address", d.Address, maxText, true); err != nil {
		return err
	}
	if d.Contact, err = cleanText("contact", d.Contact, maxText, false); err != nil {
		return err
	}
	if d.Phone, err = cleanText("phone", d.Phone, 40, false); err != nil {
		return err
	}
	d.Notes, err = cleanText("notes", d.Notes, maxNotes, false)
	return err
}

// cleanText passes v through the Myanmar text boundary and bounds it.
func cleanText(field, v string, limit int, required bool) (string, error) {
	if len(v) > limit {
		return "", &FieldError{field, "is too long (at most " + strconv.Itoa(limit) + " bytes)"}
	}
	t, err := myanmar.Clean(v)
	if err != nil {
		return "", &FieldError{field, "is not valid text"}
	}
	if required && t.Value == "" {
		return "", &FieldError{field, "is required"}
	}
	return t.Value, nil
}

func newRef() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func housePlace(ref string) keys.Place {
	return keys.Place{Table: "shelter_houses", Column: "sealed", Row: ref}
}

func houseObject(id int64) string { return "shelter_house:" + strconv.FormatInt(id, 10) }

func need(a casework.Actor, p auth.Permission) error {
	if !auth.Can(a.Roles, p) {
		return fmt.Errorf("%w (needs %s)", ErrForbidden, p)
	}
	return nil
}

// sealJSON seals v as JSON under k at p.
func sealJSON(k *keys.DataKey, p keys.Place, v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("shelter: seal: %w", err)
	}
	defer clear(raw)
	return keys.SealField(k, p, raw)
}

func openJSON(k *keys.DataKey, p keys.Place, sealed []byte, v any) error {
	raw, err := keys.OpenField(k, p, sealed)
	if err != nil {
		return fmt.Errorf("shelter: a sealed record does not open: %w", err)
	}
	defer clear(raw)
	if err := json.Unmarshal(raw, v); err != nil {
		return errors.New("shelter: a sealed record is damaged")
	}
	return nil
}

// holders are the principals every shelter key is wrapped to: the shelter
// team and escrow.
func (s *Service) holders(ctx context.Context, q store.Querier) ([]keys.Principal, error) {
	esc, err := keys.Escrow(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("shelter: escrow: %w", err)
	}
	team, err := keys.LookupPrincipal(ctx, q, keys.KindTeam, string(auth.TeamShelter))
	if err != nil {
		return nil, fmt.Errorf("shelter: shelter team: %w", err)
	}
	return []keys.Principal{team, esc}, nil
}

// CreateHouse records a house: its details sealed under a fresh key
// wrapped to the shelter team and escrow. It needs no keyring (the wraps
// use public keys only). A code already in use is store.ErrConflict.
func (s *Service) CreateHouse(ctx context.Context, a casework.Actor, h NewHouse) (int64, error) {
	if err := need(a, auth.PermShelter); err != nil {
		return 0, err
	}
	if err := h.clean(); err != nil {
		return 0, err
	}
	to, err := s.holders(ctx, s.st.DB())
	if err != nil {
		return 0, err
	}
	k, err := keys.NewDataKey()
	if err != nil {
		return 0, err
	}
	defer k.Wipe()
	ref := newRef()
	sealed, err := sealJSON(k, housePlace(ref), h.Details)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "INSERT INTO shelter_houses (ref, code, area, beds, created_day, sealed) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
			ref, h.Code, h.Area, h.Beds, s.today(), sealed).Scan(&id)
		if store.IsUniqueViolation(err) {
			return fmt.Errorf("shelter: a house with code %s already exists: %w", h.Code, store.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("shelter: create house: %w", err)
		}
		if err := keys.WrapObjectKey(ctx, tx, ObjectHouse, ref, k, to...); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "shelter.house.create", Object: houseObject(id),
			Detail: map[string]string{"code": h.Code, "beds": strconv.Itoa(h.Beds)}})
		return err
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

type houseRow struct {
	id      int64
	ref     string
	code    string
	area    string
	beds    int
	created string
	sealed  []byte
}

func readHouse(ctx context.Context, q store.Querier, id int64, lock string) (houseRow, error) {
	var h houseRow
	err := q.QueryRowContext(ctx, "SELECT id, ref, code, area, beds, created_day, sealed FROM shelter_houses WHERE id = $1"+lock, id).
		Scan(&h.id, &h.ref, &h.code, &h.area, &h.beds, &h.created, &h.sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("shelter: house %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return h, fmt.Errorf("shelter: read house: %w", err)
	}
	return h, nil
}

// forUpdate is the locking clause of a read that decides a change: the
// house row is locked on PostgreSQL; SQLite has one writer, and its
// immediate transactions already serialise every decision.
func (s *Service) forUpdate() string {
	if s.st.Engine() == store.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// House opens house id with ring (the shelter team's or escrow's key) for
// actor, and audits the read ("shelter.house.read"); a house the ring
// cannot open is store.ErrNotFound.
func (s *Service) House(ctx context.Context, ring *keys.Keyring, id int64, actor string) (House, error) {
	h, err := readHouse(ctx, s.st.DB(), id, "")
	if err != nil {
		return House{}, err
	}
	k, err := openKey(ctx, s.st.DB(), ring, ObjectHouse, h.ref)
	if err != nil {
		return House{}, err
	}
	defer k.Wipe()
	out := House{ID: h.id, Code: h.code, Area: h.area, Beds: h.beds, Created: h.created}
	if err := openJSON(k, housePlace(h.ref), h.sealed, &out.Details); err != nil {
		return House{}, err
	}
	if err := s.auditRead(ctx, actor, "shelter.house.read", houseObject(id), nil); err != nil {
		return House{}, err
	}
	return out, nil
}

// auditRead records that actor read sealed shelter data.
func (s *Service) auditRead(ctx context.Context, actor, action, object string, detail map[string]string) error {
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: action, Object: object, Detail: detail})
		return err
	})
	if err != nil {
		return fmt.Errorf("shelter: audit: %w", err)
	}
	return nil
}

func openKey(ctx context.Context, q store.Querier, ring *keys.Keyring, kind, ref string) (*keys.DataKey, error) {
	if ring == nil {
		return nil, fmt.Errorf("shelter: %w", store.ErrNotFound)
	}
	k, err := ring.OpenObjectKey(ctx, q, kind, ref)
	if errors.Is(err, keys.ErrNoAccess) {
		return nil, fmt.Errorf("shelter: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("shelter: open key: %w", err)
	}
	return k, nil
}

// UpdateDetails reseals house id's details under its key, opened with ring.
func (s *Service) UpdateDetails(ctx context.Context, a casework.Actor, ring *keys.Keyring, id int64, d Details) error {
	if err := need(a, auth.PermShelter); err != nil {
		return err
	}
	if err := d.clean(); err != nil {
		return err
	}
	h, err := readHouse(ctx, s.st.DB(), id, "")
	if err != nil {
		return err
	}
	k, err := openKey(ctx, s.st.DB(), ring, ObjectHouse, h.ref)
	if err != nil {
		return err
	}
	defer k.Wipe()
	sealed, err := sealJSON(k, housePlace(h.ref), d)
	if err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE shelter_houses SET sealed = $1 WHERE id = $2", sealed, id); err != nil {
			return fmt.Errorf("shelter: update house: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "shelter.house.update", Object: houseObject(id)})
		return err
	})
}

// occupancy is the beds used in house id: the headcount of its current
// stays.
func occupancy(ctx context.Context, q store.Querier, id int64) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, "SELECT COALESCE(SUM(headcount), 0) FROM shelter_stays WHERE house_id = $1 AND status = $2", id, StatusStaying).Scan(&n); err != nil {
		return 0, fmt.Errorf("shelter: occupancy: %w", err)
	}
	return n, nil
}

// SetBeds changes house id's capacity. A number out of range is a
// *FieldError; fewer beds than people staying is an *OccupancyError
// (audited as a refusal); nothing changes in either case.
func (s *Service) SetBeds(ctx context.Context, a casework.Actor, id int64, beds int) error {
	if err := need(a, auth.PermShelter); err != nil {
		return err
	}
	if err := validBeds(beds); err != nil {
		return err
	}
	var refusal error
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		h, err := readHouse(ctx, tx, id, s.forUpdate())
		if err != nil {
			return err
		}
		used, err := occupancy(ctx, tx, id)
		if err != nil {
			return err
		}
		detail := map[string]string{"code": h.code, "from": strconv.Itoa(h.beds), "to": strconv.Itoa(beds), "used": strconv.Itoa(used)}
		if beds < used {
			refusal = &OccupancyError{Code: h.code, Used: used, Beds: beds}
			detail["refused"] = "below occupancy"
			_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "shelter.house.beds.refused", Object: houseObject(id), Detail: detail})
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE shelter_houses SET beds = $1 WHERE id = $2", beds, id); err != nil {
			return fmt.Errorf("shelter: set beds: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "shelter.house.beds", Object: houseObject(id), Detail: detail})
		return err
	})
	if err != nil {
		return err
	}
	return refusal
}

// Occupancy is one house's line on the dashboard: green data only.
type Occupancy struct {
	ID        int64
	Code      string
	Area      string
	Beds      int
	Used      int
	OpenNeeds int
}

// Free is the beds not in use (never negative).
func (o Occupancy) Free() int { return max(o.Beds-o.Used, 0) }

// Dashboard lists every house with its beds, beds used and open needs, in
// code order, with one query and no key.
func (s *Service) Dashboard(ctx context.Context) ([]Occupancy, error) {
	rows, err := s.st.DB().QueryContext(ctx, `SELECT h.id, h.code, h.area, h.beds, COALESCE(u.used, 0), COALESCE(n.open, 0)
		FROM shelter_houses h
		LEFT JOIN (SELECT house_id, SUM(headcount) AS used FROM shelter_stays WHERE status = $1 GROUP BY house_id) u ON u.house_id = h.id
		LEFT JOIN (SELECT house_id, COUNT(*) AS open FROM shelter_needs WHERE status = $2 GROUP BY house_id) n ON n.house_id = h.id
		ORDER BY h.code`, StatusStaying, NeedOpen)
	if err != nil {
		return nil, fmt.Errorf("shelter: dashboard: %w", err)
	}
	defer rows.Close()
	out := []Occupancy{}
	for rows.Next() {
		var o Occupancy
		if err := rows.Scan(&o.ID, &o.Code, &o.Area, &o.Beds, &o.Used, &o.OpenNeeds); err != nil {
			return nil, fmt.Errorf("shelter: dashboard: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
