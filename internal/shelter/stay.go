package shelter

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"embrace/internal/audit"
	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/vetting"
)

// The statuses of a stay.
const (
	StatusRequested = "requested"
	StatusStaying   = "staying"
	StatusLeft      = "left"
	// StatusWithdrawn: a request withdrawn by the case's handler or
	// declined by the shelter team before any house was assigned.
	StatusWithdrawn = "withdrawn"
)

// MaxHeadcount bounds the people of one stay.
const MaxHeadcount = 40

// Resident is one person of a stay as the shelter team sees them: the green
// person id and relation, and the names (red, sealed under the stay key).
type Resident struct {
	PersonID  string `json:"id"`
	Relation  string `json:"relation"`
	NameMy    string `json:"name_my,omitempty"`
	NameLatin string `json:"name_latin,omitempty"`
}

// Disclosure is what a case learns of its house at assignment, sealed
// under the stay key.
type Disclosure struct {
	Code    string `json:"code"`
	Area    string `json:"area"`
	Address string `json:"address"`
	Contact string `json:"contact,omitempty"`
	Phone   string `json:"phone,omitempty"`
}

// Stay is a request for a place or a stay in a house.
type Stay struct {
	ID        int64
	CaseID    int64
	HouseID   int64  // 0 while requested
	HouseCode string // "" while requested
	Status    string
	Headcount int
	People    []string // green person ids
	Requested string
	In, Out   string
	// Residents are the names, when the reader's keyring opens the stay.
	Residents []Resident
	// Disclosed is the house's address, once assigned and when the
	// reader's keyring opens the stay.
	Disclosed *Disclosure
}

func stayPlace(ref string) keys.Place {
	return keys.Place{Table: "shelter_stays", Column: "sealed", Row: ref}
}

func disclosedPlace(ref string) keys.Place {
	return keys.Place{Table: "shelter_stays", Column: "disclosed", Row: ref}
}

func stayObject(id int64) string { return "shelter_stay:" + strconv.FormatInt(id, 10) }
func caseObject(id int64) string { return "case:" + strconv.FormatInt(id, 10) }

// refusalReason is the green reason of a clearance refusal, for the audit.
func refusalReason(err error) string {
	var q *vetting.QuarantineError
	if errors.As(err, &q) {
		return "in quarantine until " + q.Until.Format("2006-01-02")
	}
	return "not verified"
}

// clearance asks vetting whether case id may be given a shelter; a refusal
// comes back as a *ClearanceError (with nil error), a failure as error.
func (s *Service) clearance(ctx context.Context, q store.Querier, caseID int64) (refusal, err error) {
	err = vetting.Cleared(ctx, q, caseID, s.now())
	var qe *vetting.QuarantineError
	switch {
	case err == nil:
		return nil, nil
	case errors.Is(err, vetting.ErrNotVerified), errors.As(err, &qe):
		return &ClearanceError{Err: err}, nil
	}
	return nil, err
}

// Request asks for a place for people (green person ids of case caseID)
// and headcount people in all (0 means just those people; more counts
// children or others not recorded). The caller is the case's handler: ring
// must open the case. The residents' names are read from the case and
// sealed under a fresh stay key wrapped to the shelter team, escrow, the
// caller and the case's handler. A case vetting has not cleared is refused
// with a *ClearanceError, audited, and nothing is stored.
func (s *Service) Request(ctx context.Context, a casework.Actor, ring *keys.Keyring, caseID int64, people []string, headcount int) (int64, error) {
	if err := need(a, auth.PermCaseHandle); err != nil {
		return 0, err
	}
	if len(people) == 0 {
		return 0, &FieldError{"people", "choose at least one person of the case"}
	}
	if len(people) > MaxHeadcount {
		return 0, &FieldError{"people", "has too many people"}
	}
	if headcount == 0 {
		headcount = len(people)
	}
	if headcount < len(people) || headcount > MaxHeadcount {
		return 0, &FieldError{"headcount", "must count every person chosen, at most " + strconv.Itoa(MaxHeadcount)}
	}
	c, err := s.cw.Get(ctx, ring, caseID)
	if err != nil {
		return 0, err
	}
	var residents []Resident
	for i, pid := range people {
		if slices.Contains(people[:i], pid) {
			return 0, &FieldError{"people", "names a person twice"}
		}
		j := slices.IndexFunc(c.People, func(p casework.Person) bool { return p.ID == pid })
		if j < 0 {
			return 0, &FieldError{"people", "names someone who is not in this case"}
		}
		p := c.People[j]
		residents = append(residents, Resident{PersonID: p.ID, Relation: p.Relation, NameMy: p.NameMy, NameLatin: p.NameLatin})
	}
	defer func() {
		for i := range residents {
			residents[i] = Resident{}
		}
	}()
	refusal, err := s.clearance(ctx, s.st.DB(), caseID)
	if err != nil {
		return 0, err
	}
	if refusal != nil {
		err := s.st.Tx(ctx, func(tx *sql.Tx) error {
			_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "shelter.request.refused", Object: caseObject(caseID),
				Detail: map[string]string{"reason": refusalReason(refusal)}})
			return err
		})
		if err != nil {
			return 0, err
		}
		return 0, refusal
	}
	to, err := s.holders(ctx, s.st.DB())
	if err != nil {
		return 0, err
	}
	for _, pid := range []int64{a.Principal, c.Handler} {
		if pid == 0 || slices.ContainsFunc(to, func(p keys.Principal) bool { return p.ID == pid }) {
			continue
		}
		p, err := keys.PrincipalByID(ctx, s.st.DB(), pid)
		if err != nil {
			return 0, fmt.Errorf("shelter: request: %w", err)
		}
		to = append(to, p)
	}
	k, err := keys.NewDataKey()
	if err != nil {
		return 0, err
	}
	defer k.Wipe()
	ref := newRef()
	sealed, err := sealJSON(k, stayPlace(ref), residents)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		// Lock the case so two requests for the same people cannot both
		// pass the check below (PostgreSQL; SQLite has one writer).
		var locked int64
		if err := tx.QueryRowContext(ctx, "SELECT id FROM cases WHERE id = $1"+s.forUpdate(), caseID).Scan(&locked); err != nil {
			return fmt.Errorf("shelter: request: %w", err)
		}
		busy, err := activePeople(ctx, tx, caseID)
		if err != nil {
			return err
		}
		for _, pid := range people {
			if busy[pid] {
				return ErrAlreadyHoused
			}
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO shelter_stays (ref, case_id, status, headcount, people, requested_day, sealed)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, ref, caseID, StatusRequested, headcount, strings.Join(people, ","), s.today(), sealed).Scan(&id)
		if err != nil {
			return fmt.Errorf("shelter: request: %w", err)
		}
		if err := keys.WrapObjectKey(ctx, tx, ObjectStay, ref, k, to...); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "shelter.request", Object: stayObject(id),
			Detail: map[string]string{"case": strconv.FormatInt(caseID, 10), "headcount": strconv.Itoa(headcount)}})
		return err
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// activePeople are the people of case caseID with a current request or
// stay.
func activePeople(ctx context.Context, q store.Querier, caseID int64) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT people FROM shelter_stays WHERE case_id = $1 AND status IN ($2, $3)", caseID, StatusRequested, StatusStaying)
	if err != nil {
		return nil, fmt.Errorf("shelter: stays: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var ps string
		if err := rows.Scan(&ps); err != nil {
			return nil, fmt.Errorf("shelter: stays: %w", err)
		}
		for _, p := range strings.Split(ps, ",") {
			out[p] = true
		}
	}
	return out, rows.Err()
}

type stayRow struct {
	id        int64
	ref       string
	caseID    int64
	houseID   sql.NullInt64
	houseCode sql.NullString
	status    string
	headcount int
	people    string
	requested string
	in, out   string
	sealed    []byte
	disclosed []byte
}

const staySelect = `SELECT s.id, s.ref, s.case_id, s.house_id, h.code, s.status, s.headcount, s.people, s.requested_day, s.in_day, s.out_day, s.sealed, s.disclosed
	FROM shelter_stays s LEFT JOIN shelter_houses h ON h.id = s.house_id `

func scanStay(row interface{ Scan(...any) error }) (stayRow, error) {
	var r stayRow
	err := row.Scan(&r.id, &r.ref, &r.caseID, &r.houseID, &r.houseCode, &r.status, &r.headcount, &r.people, &r.requested, &r.in, &r.out, &r.sealed, &r.disclosed)
	return r, err
}

func readStay(ctx context.Context, q store.Querier, id int64) (stayRow, error) {
	r, err := scanStay(q.QueryRowContext(ctx, staySelect+"WHERE s.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("shelter: stay %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("shelter: read stay: %w", err)
	}
	return r, nil
}

// Assign gives stay stayID a place in house houseID. ring must open the
// house and the stay (the shelter team's key). Inside one transaction,
// with the house row locked, the case must be cleared by vetting (else a
// *ClearanceError) and the house must have a free bed for each person of
// the stay (else a *CapacityError); a refusal is audited and changes
// nothing else. On success the house's address and contact are sealed
// under the stay key, which the case's handler holds: this is the only
// way a location reaches a case.
func (s *Service) Assign(ctx context.Context, a casework.Actor, ring *keys.Keyring, stayID, houseID int64) error {
	if err := need(a, auth.PermShelter); err != nil {
		return err
	}
	st, err := readStay(ctx, s.st.DB(), stayID)
	if err != nil {
		return err
	}
	if st.status != StatusRequested {
		return ErrNotRequested
	}
	h, err := readHouse(ctx, s.st.DB(), houseID, "")
	if err != nil {
		return err
	}
	hk, err := openKey(ctx, s.st.DB(), ring, ObjectHouse, h.ref)
	if err != nil {
		return err
	}
	defer hk.Wipe()
	var d Details
	if err := openJSON(hk, housePlace(h.ref), h.sealed, &d); err != nil {
		return err
	}
	sk, err := openKey(ctx, s.st.DB(), ring, ObjectStay, st.ref)
	if err != nil {
		return err
	}
	defer sk.Wipe()
	disclosed, err := sealJSON(sk, disclosedPlace(st.ref), Disclosure{Code: h.code, Area: h.area, Address: d.Address, Contact: d.Contact, Phone: d.Phone})
	d = Details{}
	if err != nil {
		return err
	}
	var refusal error
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		h, err := readHouse(ctx, tx, houseID, s.forUpdate())
		if err != nil {
			return err
		}
		detail := map[string]string{"house": h.code, "case": strconv.FormatInt(st.caseID, 10), "headcount": strconv.Itoa(st.headcount)}
		refuse := func(e error, why string) error {
			refusal = e
			detail["reason"] = why
			_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "shelter.assign.refused", Object: stayObject(stayID), Detail: detail})
			return err
		}
		cl, err := s.clearance(ctx, tx, st.caseID)
		if err != nil {
			return err
		}
		if cl != nil {
			return refuse(cl, refusalReason(cl))
		}
		used, err := occupancy(ctx, tx, houseID)
		if err != nil {
			return err
		}
		if free := max(h.beds-used, 0); free < st.headcount {
			return refuse(&CapacityError{Code: h.code, Free: free, Need: st.headcount}, "capacity: "+strconv.Itoa(free)+" free")
		}
		res, err := tx.ExecContext(ctx, "UPDATE shelter_stays SET status = $1, house_id = $2, in_day = $3, disclosed = $4 WHERE id = $5 AND status = $6",
			StatusStaying, houseID, s.today(), disclosed, stayID, StatusRequested)
		if err != nil {
			return fmt.Errorf("shelter: assign: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotRequested
		}
		// The case's handler now may read the address: wrap the stay key
		// to them (again, if they asked; anew, if the case changed hands).
		var handler sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT handler_id FROM cases WHERE id = $1", st.caseID).Scan(&handler); err != nil {
			return fmt.Errorf("shelter: assign: %w", err)
		}
		if handler.Valid {
			p, err := keys.PrincipalByID(ctx, tx, handler.Int64)
			if err != nil {
				return err
			}
			if err := keys.WrapObjectKey(ctx, tx, ObjectStay, st.ref, sk, p); err != nil {
				return err
			}
		}
		detail["used"] = strconv.Itoa(used + st.headcount)
		detail["beds"] = strconv.Itoa(h.beds)
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "shelter.assign", Object: stayObject(stayID), Detail: detail})
		return err
	})
	if err != nil {
		return err
	}
	return refusal
}

// CheckOut ends stay stayID: its beds are free again. A stay that is not
// current is ErrNotStaying and nothing changes.
func (s *Service) CheckOut(ctx context.Context, a casework.Actor, stayID int64) error {
	if err := need(a, auth.PermShelter); err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		st, err := readStay(ctx, tx, stayID)
		if err != nil {
			return err
		}
		if st.status != StatusStaying {
			return ErrNotStaying
		}
		res, err := tx.ExecContext(ctx, "UPDATE shelter_stays SET status = $1, out_day = $2, disclosed = NULL WHERE id = $3 AND status = $4", StatusLeft, s.today(), stayID, StatusStaying)
		if err != nil {
			return fmt.Errorf("shelter: check out: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotStaying
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "shelter.checkout", Object: stayObject(stayID),
			Detail: map[string]string{"house": st.houseCode.String, "case": strconv.FormatInt(st.caseID, 10), "headcount": strconv.Itoa(st.headcount)}})
		return err
	})
}

// open fills a stay's sealed parts that ring opens; a stay ring cannot
// open keeps only its green facts.
func (s *Service) open(ctx context.Context, ring *keys.Keyring, r stayRow) (Stay, error) {
	out := Stay{ID: r.id, CaseID: r.caseID, HouseID: r.houseID.Int64, HouseCode: r.houseCode.String, Status: r.status,
		Headcount: r.headcount, People: strings.Split(r.people, ","), Requested: r.requested, In: r.in, Out: r.out}
	if ring == nil {
		return out, nil
	}
	k, err := ring.OpenObjectKey(ctx, s.st.DB(), ObjectStay, r.ref)
	if errors.Is(err, keys.ErrNoAccess) {
		return out, nil
	}
	if err != nil {
		return Stay{}, fmt.Errorf("shelter: open stay key: %w", err)
	}
	defer k.Wipe()
	if err := openJSON(k, stayPlace(r.ref), r.sealed, &out.Residents); err != nil {
		return Stay{}, err
	}
	if len(r.disclosed) > 0 {
		out.Disclosed = &Disclosure{}
		if err := openJSON(k, disclosedPlace(r.ref), r.disclosed, out.Disclosed); err != nil {
			return Stay{}, err
		}
	}
	return out, nil
}

// stays reads the stays where selects, opening what ring opens; when it
// opened any, the read is audited as action on object for actor.
func (s *Service) stays(ctx context.Context, ring *keys.Keyring, actor, action, object string, where string, args ...any) ([]Stay, error) {
	rows, err := s.st.DB().QueryContext(ctx, staySelect+where, args...)
	if err != nil {
		return nil, fmt.Errorf("shelter: stays: %w", err)
	}
	var rs []stayRow
	for rows.Next() {
		r, err := scanStay(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("shelter: stays: %w", err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("shelter: stays: %w", err)
	}
	out := make([]Stay, 0, len(rs))
	opened := 0
	for _, r := range rs {
		st, err := s.open(ctx, ring, r)
		if err != nil {
			return nil, err
		}
		if st.Residents != nil {
			opened++
		}
		out = append(out, st)
	}
	if opened > 0 {
		if err := s.auditRead(ctx, actor, action, object, map[string]string{"stays": strconv.Itoa(opened)}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Requests lists the requests waiting for a house, oldest first, with the
// residents' names when ring opens them (a read audited for actor).
func (s *Service) Requests(ctx context.Context, ring *keys.Keyring, actor string) ([]Stay, error) {
	return s.stays(ctx, ring, actor, "shelter.requests.read", "", "WHERE s.status = $1 ORDER BY s.id LIMIT 500", StatusRequested)
}

// Residents lists the current stays of house houseID, with the residents'
// names when ring opens them (a read audited for actor).
func (s *Service) Residents(ctx context.Context, ring *keys.Keyring, houseID int64, actor string) ([]Stay, error) {
	return s.stays(ctx, ring, actor, "shelter.residents.read", houseObject(houseID), "WHERE s.house_id = $1 AND s.status = $2 ORDER BY s.id", houseID, StatusStaying)
}

// CaseStays lists every request and stay of case caseID, newest first.
// The ring must open the case (its handler's); the address of an assigned
// house is filled in when ring opens the stay (a read audited for actor).
func (s *Service) CaseStays(ctx context.Context, ring *keys.Keyring, caseID int64, actor string) ([]Stay, error) {
	if _, err := s.cw.Get(ctx, ring, caseID); err != nil {
		return nil, err
	}
	return s.stays(ctx, ring, actor, "shelter.case.read", caseObject(caseID), "WHERE s.case_id = $1 ORDER BY s.id DESC", caseID)
}

// Withdraw takes back request stayID of case caseID before a house is
// assigned: the caller is the case's handler (ring must open the case). A
// stay of another case is store.ErrNotFound; one no longer waiting is
// ErrNotRequested. Nothing else changes.
func (s *Service) Withdraw(ctx context.Context, a casework.Actor, ring *keys.Keyring, caseID, stayID int64) error {
	if err := need(a, auth.PermCaseHandle); err != nil {
		return err
	}
	if _, err := s.cw.Get(ctx, ring, caseID); err != nil {
		return err
	}
	return s.endRequest(ctx, a, caseID, stayID, "shelter.request.withdraw")
}

// Decline turns request stayID down (for example when no house fits the
// family); the case's handler sees it declined and may ask again.
func (s *Service) Decline(ctx context.Context, a casework.Actor, stayID int64) error {
	if err := need(a, auth.PermShelter); err != nil {
		return err
	}
	return s.endRequest(ctx, a, 0, stayID, "shelter.request.decline")
}

// endRequest moves a waiting request to withdrawn; caseID, when not 0,
// must be the stay's case.
func (s *Service) endRequest(ctx context.Context, a casework.Actor, caseID, stayID int64, action string) error {
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		st, err := readStay(ctx, tx, stayID)
		if err != nil {
			return err
		}
		if caseID != 0 && st.caseID != caseID {
			return fmt.Errorf("shelter: stay %d: %w", stayID, store.ErrNotFound)
		}
		res, err := tx.ExecContext(ctx, "UPDATE shelter_stays SET status = $1, out_day = $2 WHERE id = $3 AND status = $4", StatusWithdrawn, s.today(), stayID, StatusRequested)
		if err != nil {
			return fmt.Errorf("shelter: end request: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotRequested
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: action, Object: stayObject(stayID),
			Detail: map[string]string{"case": strconv.FormatInt(st.caseID, 10)}})
		return err
	})
}
