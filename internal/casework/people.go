package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"

	"embrace/internal/audit"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// MaxPhoto bounds a person's photo in bytes.
const MaxPhoto = 512 << 10

// personIDRE is the shape of a person id (newID).
var personIDRE = regexp.MustCompile(`^[0-9a-f]{24}$`)

// ValidPersonID reports whether id has the shape of a person id, so that
// callers can refuse malformed ids before touching storage.
func ValidPersonID(id string) bool { return personIDRE.MatchString(id) }

// personCase returns the case of person pid.
func (s *Service) personCase(ctx context.Context, q store.Querier, pid string) (int64, error) {
	if !ValidPersonID(pid) {
		return 0, fmt.Errorf("casework: person: %w", store.ErrNotFound)
	}
	var id int64
	if err := q.QueryRowContext(ctx, "SELECT case_id FROM people WHERE id = $1", pid).Scan(&id); err != nil {
		return 0, errNoRows(err, "person")
	}
	return id, nil
}

// GetPerson opens person pid with the keys in ring; without a wrap of the
// person's case it is store.ErrNotFound.
func (s *Service) GetPerson(ctx context.Context, ring *keys.Keyring, pid string) (Person, error) {
	caseID, err := s.personCase(ctx, s.st.DB(), pid)
	if err != nil {
		return Person{}, err
	}
	k, err := s.caseKey(ctx, ring, caseID)
	if err != nil {
		return Person{}, err
	}
	defer k.Wipe()
	return s.readPerson(ctx, s.st.DB(), k, pid, caseID)
}

func (s *Service) readPerson(ctx context.Context, q store.Querier, k *keys.DataKey, pid string, caseID int64) (Person, error) {
	p := Person{ID: pid, CaseID: caseID}
	var sealed []byte
	err := q.QueryRowContext(ctx, `SELECT relation, still_inside, risk, relocation, COALESCE(merged_into, ''), sealed,
		EXISTS (SELECT 1 FROM person_photos ph WHERE ph.person_id = people.id) FROM people WHERE id = $1`, pid).
		Scan(&p.Relation, &p.StillInside, &p.Risk, &p.Relocation, &p.MergedInto, &sealed, &p.HasPhoto)
	if err != nil {
		return Person{}, errNoRows(err, "person")
	}
	if err := openPerson(k, &p, sealed); err != nil {
		return Person{}, err
	}
	return p, nil
}

// sealPerson seals p's red fields for row pid.
func sealPerson(k *keys.DataKey, pid string, p Person) ([]byte, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("casework: seal person: %w", err)
	}
	defer clear(raw)
	sealed, err := keys.SealField(k, peoplePlace(pid), raw)
	if err != nil {
		return nil, fmt.Errorf("casework: seal person: %w", err)
	}
	return sealed, nil
}

// AddPerson adds a relative to case id (relation other than self) and
// returns the new person's id. Their duplicate indexes are written at once
// when ring opens the index keys, and by the next session that can
// otherwise.
func (s *Service) AddPerson(ctx context.Context, a Actor, ring *keys.Keyring, id int64, p Person) (string, error) {
	if p.Relation == "self" {
		return "", &FieldError{"relation", "cannot be self: a case has one defector"}
	}
	if err := p.clean(""); err != nil {
		return "", err
	}
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return "", err
	}
	defer k.Wipe()
	pid := newID()
	sealed, err := sealPerson(k, pid, p)
	if err != nil {
		return "", err
	}
	pi, err := s.indexFor(ctx, ring, pid, p)
	if err != nil {
		return "", err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO people (id, case_id, relation, still_inside, risk, relocation, sealed, created_day, indexed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			pid, id, p.Relation, p.StillInside, p.Risk, p.Relocation, sealed, today(), pi != nil); err != nil {
			return fmt.Errorf("casework: add person: %w", err)
		}
		if pi != nil {
			if err := pi.store(ctx, tx, pid, id); err != nil {
				return err
			}
		}
		if err := recountDependants(ctx, tx, id); err != nil {
			return err
		}
		if s.screen != nil {
			if err := s.screen(ctx, tx, id, pid, p); err != nil {
				return err
			}
		}
		if err := addEvent(ctx, tx, k, id, a, EventPersonAdd, "", "", pid); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "case.person.add", Object: caseObject(id), Detail: map[string]string{"person": pid, "relation": p.Relation}})
		return err
	})
	if err != nil {
		return "", err
	}
	return pid, nil
}

// UpdatePerson replaces person pid's record with p (the defector stays the
// defector; a relative cannot become self) and re-indexes them.
func (s *Service) UpdatePerson(ctx context.Context, a Actor, ring *keys.Keyring, pid string, p Person) error {
	caseID, err := s.personCase(ctx, s.st.DB(), pid)
	if err != nil {
		return err
	}
	k, err := s.caseKey(ctx, ring, caseID)
	if err != nil {
		return err
	}
	defer k.Wipe()
	old, err := s.readPerson(ctx, s.st.DB(), k, pid, caseID)
	if err != nil {
		return err
	}
	switch {
	case old.Relation == "self":
		p.Relation = "self"
	case p.Relation == "self":
		return &FieldError{"relation", "cannot be self: a case has one defector"}
	}
	if err := p.clean(""); err != nil {
		return err
	}
	sealed, err := sealPerson(k, pid, p)
	if err != nil {
		return err
	}
	pi, err := s.indexFor(ctx, ring, pid, p)
	if err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE people SET relation = $1, still_inside = $2, risk = $3, relocation = $4, sealed = $5, indexed = $6 WHERE id = $7",
			p.Relation, p.StillInside, p.Risk, p.Relocation, sealed, pi != nil, pid); err != nil {
			return fmt.Errorf("casework: edit person: %w", err)
		}
		if err := clearIndex(ctx, tx, pid); err != nil {
			return err
		}
		if pi != nil {
			if err := pi.store(ctx, tx, pid, caseID); err != nil {
				return err
			}
		}
		if err := recountDependants(ctx, tx, caseID); err != nil {
			return err
		}
		if s.screen != nil {
			if err := s.screen(ctx, tx, caseID, pid, p); err != nil {
				return err
			}
		}
		if err := addEvent(ctx, tx, k, caseID, a, EventPersonEdit, "", "", pid); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "case.person.edit", Object: caseObject(caseID), Detail: map[string]string{"person": pid}})
		return err
	})
}

// recountDependants keeps the green dependants count right: the relatives
// of the case.
func recountDependants(ctx context.Context, tx *sql.Tx, caseID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE cases SET dependants = (SELECT count(*) FROM people WHERE case_id = $1 AND relation <> 'self'), updated_day = $2 WHERE id = $1`, caseID, today())
	if err != nil {
		return fmt.Errorf("casework: count dependants: %w", err)
	}
	return nil
}

func photoPlace(pid string) keys.Place {
	return keys.Place{Table: "person_photos", Column: "sealed", Row: pid}
}

// photoTypes are the image types a photo may be.
var photoTypes = []string{"image/jpeg", "image/png", "image/webp"}

// SetPhoto seals data (a JPEG, PNG or WebP image of at most MaxPhoto
// bytes) as person pid's photo, replacing any earlier one.
func (s *Service) SetPhoto(ctx context.Context, a Actor, ring *keys.Keyring, pid string, data []byte) error {
	if len(data) == 0 || len(data) > MaxPhoto {
		return &FieldError{"photo", "must be an image of at most " + strconv.Itoa(MaxPhoto>>10) + " KiB"}
	}
	if !slices.Contains(photoTypes, http.DetectContentType(data)) {
		return &FieldError{"photo", "must be a JPEG, PNG or WebP image"}
	}
	caseID, err := s.personCase(ctx, s.st.DB(), pid)
	if err != nil {
		return err
	}
	k, err := s.caseKey(ctx, ring, caseID)
	if err != nil {
		return err
	}
	defer k.Wipe()
	sealed, err := keys.SealField(k, photoPlace(pid), data)
	if err != nil {
		return fmt.Errorf("casework: photo: %w", err)
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO person_photos (person_id, case_id, sealed) VALUES ($1, $2, $3)
			ON CONFLICT (person_id) DO UPDATE SET sealed = excluded.sealed`, pid, caseID, sealed); err != nil {
			return fmt.Errorf("casework: photo: %w", err)
		}
		if err := addEvent(ctx, tx, k, caseID, a, EventPhoto, "", "", pid); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "case.person.photo", Object: caseObject(caseID), Detail: map[string]string{"person": pid}})
		return err
	})
}

// Photo returns person pid's photo and its content type.
func (s *Service) Photo(ctx context.Context, ring *keys.Keyring, pid string) ([]byte, string, error) {
	caseID, err := s.personCase(ctx, s.st.DB(), pid)
	if err != nil {
		return nil, "", err
	}
	k, err := s.caseKey(ctx, ring, caseID)
	if err != nil {
		return nil, "", err
	}
	defer k.Wipe()
	var sealed []byte
	if err := s.st.DB().QueryRowContext(ctx, "SELECT sealed FROM person_photos WHERE person_id = $1", pid).Scan(&sealed); err != nil {
		return nil, "", errNoRows(err, "photo")
	}
	data, err := keys.OpenField(k, photoPlace(pid), sealed)
	if err != nil {
		return nil, "", fmt.Errorf("casework: photo does not open: %w", err)
	}
	return data, http.DetectContentType(data), nil
}

// Threat kinds: what the regime does to relatives left inside.
var threatKinds = []string{"arrest", "interrogation", "confiscation", "surveillance", "threat", "violence", "eviction", "travel_ban", "other"}

// ThreatKinds lists the kinds of threat event.
func ThreatKinds() []string { return slices.Clone(threatKinds) }

// Threat is a threat event against a relative: Kind and Day are green,
// Details red.
type Threat struct {
	ID       int64
	PersonID string
	Kind     string
	Day      string
	Details  string
}

func threatPlace(ref string) keys.Place {
	return keys.Place{Table: "threat_events", Column: "sealed", Row: ref}
}

// AddThreat records a threat event against person pid.
func (s *Service) AddThreat(ctx context.Context, a Actor, ring *keys.Keyring, pid string, t Threat) (int64, error) {
	if !slices.Contains(threatKinds, t.Kind) {
		return 0, &FieldError{"kind", "is not a known kind of threat"}
	}
	if !validDay(t.Day) {
		return 0, &FieldError{"day", "must be YYYY-MM-DD"}
	}
	details, err := cleanText("details", t.Details, maxThreatText, false)
	if err != nil {
		return 0, err
	}
	caseID, err := s.personCase(ctx, s.st.DB(), pid)
	if err != nil {
		return 0, err
	}
	k, err := s.caseKey(ctx, ring, caseID)
	if err != nil {
		return 0, err
	}
	defer k.Wipe()
	ref := newID()
	sealed, err := keys.SealField(k, threatPlace(ref), []byte(details))
	if err != nil {
		return 0, fmt.Errorf("casework: threat: %w", err)
	}
	var tid int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "INSERT INTO threat_events (ref, case_id, person_id, kind, day, sealed) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
			ref, caseID, pid, t.Kind, t.Day, sealed).Scan(&tid); err != nil {
			return fmt.Errorf("casework: threat: %w", err)
		}
		if err := addEvent(ctx, tx, k, caseID, a, EventThreat, "", "", pid+" "+t.Kind); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "case.threat.add", Object: caseObject(caseID), Detail: map[string]string{"kind": t.Kind, "threat": strconv.FormatInt(tid, 10)}})
		return err
	})
	return tid, err
}

// Threats returns the threat events of case id, oldest first.
func (s *Service) Threats(ctx context.Context, ring *keys.Keyring, id int64) ([]Threat, error) {
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return nil, err
	}
	defer k.Wipe()
	rows, err := s.st.DB().QueryContext(ctx, "SELECT id, ref, person_id, kind, day, sealed FROM threat_events WHERE case_id = $1 ORDER BY day, id", id)
	if err != nil {
		return nil, fmt.Errorf("casework: threats: %w", err)
	}
	defer rows.Close()
	out := []Threat{}
	for rows.Next() {
		var t Threat
		var ref string
		var sealed []byte
		if err := rows.Scan(&t.ID, &ref, &t.PersonID, &t.Kind, &t.Day, &sealed); err != nil {
			return nil, fmt.Errorf("casework: threats: %w", err)
		}
		raw, err := keys.OpenField(k, threatPlace(ref), sealed)
		if err != nil {
			return nil, fmt.Errorf("casework: a threat of case %d does not open: %w", id, err)
		}
		t.Details = string(raw)
		out = append(out, t)
	}
	return out, rows.Err()
}
