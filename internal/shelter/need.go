package shelter

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"embrace/internal/audit"
	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// The statuses of a need.
const (
	NeedOpen = "open"
	NeedMet  = "met"
)

// NeedKinds lists the kinds of need a house may have.
func NeedKinds() []string { return []string{"food", "medicine", "repairs", "other"} }

// ValidNeedKind reports whether k is one of NeedKinds.
func ValidNeedKind(k string) bool {
	for _, x := range NeedKinds() {
		if x == k {
			return true
		}
	}
	return false
}

// Need is one need of a house; Note is sealed under the house key.
type Need struct {
	ID     int64
	Kind   string
	Status string
	Opened string
	Met    string
	Note   string
}

func needPlace(ref string) keys.Place {
	return keys.Place{Table: "shelter_needs", Column: "sealed", Row: ref}
}

// AddNeed records an open need of house houseID; the note is sealed under
// the house key, opened with ring.
func (s *Service) AddNeed(ctx context.Context, a casework.Actor, ring *keys.Keyring, houseID int64, kind, note string) (int64, error) {
	if err := need(a, auth.PermShelter); err != nil {
		return 0, err
	}
	if !ValidNeedKind(kind) {
		return 0, &FieldError{"kind", "must be food, medicine, repairs or other"}
	}
	note, err := cleanText("note", note, maxNotes, false)
	if err != nil {
		return 0, err
	}
	h, err := readHouse(ctx, s.st.DB(), houseID, "")
	if err != nil {
		return 0, err
	}
	k, err := openKey(ctx, s.st.DB(), ring, ObjectHouse, h.ref)
	if err != nil {
		return 0, err
	}
	defer k.Wipe()
	ref := newRef()
	sealed, err := keys.SealField(k, needPlace(ref), []byte(note))
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "INSERT INTO shelter_needs (ref, house_id, kind, status, opened_day, sealed) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
			ref, houseID, kind, NeedOpen, s.today(), sealed).Scan(&id)
		if err != nil {
			return fmt.Errorf("shelter: add need: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "shelter.need.add", Object: houseObject(houseID),
			Detail: map[string]string{"need": strconv.FormatInt(id, 10), "kind": kind}})
		return err
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// MeetNeed marks need needID of house houseID met. A need that is not
// open, or not the house's, is store.ErrNotFound.
func (s *Service) MeetNeed(ctx context.Context, a casework.Actor, houseID, needID int64) error {
	if err := need(a, auth.PermShelter); err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE shelter_needs SET status = $1, met_day = $2 WHERE id = $3 AND house_id = $4 AND status = $5",
			NeedMet, s.today(), needID, houseID, NeedOpen)
		if err != nil {
			return fmt.Errorf("shelter: meet need: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("shelter: open need %d: %w", needID, store.ErrNotFound)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "shelter.need.met", Object: houseObject(houseID),
			Detail: map[string]string{"need": strconv.FormatInt(needID, 10)}})
		return err
	})
}

// Needs lists house houseID's needs, open first, with notes opened by
// ring (a read audited for actor).
func (s *Service) Needs(ctx context.Context, ring *keys.Keyring, houseID int64, actor string) ([]Need, error) {
	h, err := readHouse(ctx, s.st.DB(), houseID, "")
	if err != nil {
		return nil, err
	}
	k, err := openKey(ctx, s.st.DB(), ring, ObjectHouse, h.ref)
	if err != nil {
		return nil, err
	}
	defer k.Wipe()
	rows, err := s.st.DB().QueryContext(ctx, "SELECT id, ref, kind, status, opened_day, met_day, sealed FROM shelter_needs WHERE house_id = $1 ORDER BY status = $2 DESC, id DESC LIMIT 200", houseID, NeedOpen)
	if err != nil {
		return nil, fmt.Errorf("shelter: needs: %w", err)
	}
	defer rows.Close()
	out := []Need{}
	for rows.Next() {
		var n Need
		var ref string
		var sealed []byte
		if err := rows.Scan(&n.ID, &ref, &n.Kind, &n.Status, &n.Opened, &n.Met, &sealed); err != nil {
			return nil, fmt.Errorf("shelter: needs: %w", err)
		}
		raw, err := keys.OpenField(k, needPlace(ref), sealed)
		if err != nil {
			return nil, errors.New("shelter: a need's note does not open")
		}
		n.Note = string(raw)
		clear(raw)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("shelter: needs: %w", err)
	}
	rows.Close()
	if len(out) > 0 {
		if err := s.auditRead(ctx, actor, "shelter.needs.read", houseObject(houseID), nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
