package passage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"embrace/internal/audit"
	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// ObjectLeg is the key_wraps object kind of a leg key.
const ObjectLeg = "passage_leg"

// ObjectSchedule is the key_wraps object kind of the schedule key, which
// seals each leg's deadline (its window's end) so that the alerts of
// every route under way cost one unwrap. It is made with the first plan.
const ObjectSchedule = "passage_schedule"

// scheduleID is the schedule key's object id (there is one).
const scheduleID = "deadlines"

// scheduleMarker is the setting written when the schedule key is made: a
// second, concurrent first plan fails on it instead of replacing the key.
const scheduleMarker = "passage_schedule_key"

// Settings (green, in the settings table).
const (
	// SettingPurgeDays: days after arrival before a route is shredded
	// (default DefaultPurgeDays).
	SettingPurgeDays = "passage_purge_days"
	// SettingLinkHours: hours after a leg's window ends that its link
	// still works (default DefaultLinkHours).
	SettingLinkHours = "passage_link_hours"
)

// Defaults of the settings.
const (
	DefaultPurgeDays = 30
	DefaultLinkHours = 72
)

// Plan statuses and leg statuses (green).
const (
	PlanActive  = "active"
	PlanArrived = "arrived"
	PlanPurged  = "purged"

	LegPlanned    = "planned"
	LegPickedUp   = "picked_up"
	LegHandedOver = "handed_over"
)

// guideActor is the audit actor of a guide: guides have no account, the
// audit object (the leg) tells them apart.
const guideActor = "guide"

// Service plans routes and takes guides' check-ins.
type Service struct {
	st  *store.Store
	cw  *casework.Service
	now func() time.Time
}

// New returns the passage service on st; cw moves cases to arrived; now is
// the clock (nil: time.Now).
func New(st *store.Store, cw *casework.Service, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, cw: cw, now: now}
}

func newID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func legPlace(id string) keys.Place {
	return keys.Place{Table: "passage_legs", Column: "sealed", Row: id}
}

func deadlinePlace(id string) keys.Place {
	return keys.Place{Table: "passage_legs", Column: "deadline", Row: id}
}

// scheduleKey opens the schedule key with ring, or makes it (wrapped to
// team and escrow) when there is none yet. A ring that cannot open an
// existing one is ErrNotFound.
func scheduleKey(ctx context.Context, tx *sql.Tx, ring *keys.Keyring, team, esc keys.Principal) (*keys.DataKey, error) {
	k, err := ring.OpenObjectKey(ctx, tx, ObjectSchedule, scheduleID)
	if err == nil || !errors.Is(err, keys.ErrNoAccess) {
		return k, err
	}
	ws, err := keys.WrappedTo(ctx, tx, ObjectSchedule, scheduleID)
	if err != nil {
		return nil, err
	}
	if len(ws) > 0 {
		return nil, fmt.Errorf("passage: your keys do not open the schedule: %w", ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2)", scheduleMarker, "made"); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, fmt.Errorf("passage: the schedule key was being made meanwhile, try again: %w", store.ErrConflict)
		}
		return nil, fmt.Errorf("passage: schedule key: %w", err)
	}
	if k, err = keys.NewDataKey(); err != nil {
		return nil, err
	}
	if err := keys.WrapObjectKey(ctx, tx, ObjectSchedule, scheduleID, k, team, esc); err != nil {
		k.Wipe()
		return nil, err
	}
	return k, nil
}

// sealDeadline seals a leg's window end (unix seconds) under the schedule key.
func sealDeadline(k *keys.DataKey, legID string, end time.Time) ([]byte, error) {
	return keys.SealField(k, deadlinePlace(legID), []byte(strconv.FormatInt(end.Unix(), 10)))
}

func openDeadline(k *keys.DataKey, legID string, sealed []byte) (time.Time, error) {
	raw, err := keys.OpenField(k, deadlinePlace(legID), sealed)
	if err != nil {
		return time.Time{}, fmt.Errorf("passage: open deadline: %w", err)
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("passage: damaged deadline: %w", err)
	}
	return time.Unix(n, 0), nil
}

func checkinPlace(id string) keys.Place {
	return keys.Place{Table: "passage_checkins", Column: "sealed", Row: id}
}

// guideAD binds a leg's guide copy to the leg.
func guideAD(legID string) []byte { return []byte("passage_legs.guide_key:" + legID) }

func legObject(id string) string  { return "leg:" + id }
func planObject(id string) string { return "plan:" + id }

// intSetting reads a whole-number setting, def when unset.
func (s *Service) intSetting(ctx context.Context, name string, def int) (int, error) {
	v, err := s.st.Setting(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return def, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return def, nil
	}
	return n, nil
}

// Created is a new plan and the guide links of its legs, in order. The
// links exist only here: the server keeps none of them.
type Created struct {
	PlanID string
	LegIDs []string
	Links  []Link
}

// Plan records a route for a case in passage. The session's keys must
// open the case (else ErrNotFound), the case must be in passage (else
// ErrCaseState) and every traveller must be a person of the case. Each
// leg gets its own key, wrapped to the passage team and escrow, and a
// guide link whose derived key seals a copy of it.
func (s *Service) Plan(ctx context.Context, a casework.Actor, ring *keys.Keyring, np NewPlan) (Created, error) {
	if !auth.Can(a.Roles, auth.PermPassagePlan) {
		return Created{}, fmt.Errorf("passage: plan: %w", casework.ErrForbidden)
	}
	if err := np.Clean(); err != nil {
		return Created{}, err
	}
	ck, err := ring.OpenObjectKey(ctx, s.st.DB(), casework.ObjectCase, strconv.FormatInt(np.CaseID, 10))
	if errors.Is(err, keys.ErrNoAccess) {
		return Created{}, fmt.Errorf("passage: case %d: %w", np.CaseID, ErrNotFound)
	}
	if err != nil {
		return Created{}, fmt.Errorf("passage: plan: %w", err)
	}
	ck.Wipe()
	team, err := keys.LookupPrincipal(ctx, s.st.DB(), keys.KindTeam, string(auth.TeamPassage))
	if err != nil {
		return Created{}, fmt.Errorf("passage: passage team: %w", err)
	}
	esc, err := keys.Escrow(ctx, s.st.DB())
	if err != nil {
		return Created{}, fmt.Errorf("passage: plan: %w", err)
	}
	type prepared struct {
		id       string
		k        *keys.DataKey
		link     Link
		sealed   []byte
		guideKey []byte
	}
	var legs []prepared
	defer func() {
		for _, l := range legs {
			l.k.Wipe()
		}
	}()
	for i, l := range np.Legs {
		p := prepared{id: newID()}
		if p.k, err = keys.NewDataKey(); err != nil {
			return Created{}, fmt.Errorf("passage: leg key: %w", err)
		}
		legs = append(legs, p)
		last := &legs[len(legs)-1]
		if last.link, err = newLink(); err != nil {
			return Created{}, fmt.Errorf("passage: link: %w", err)
		}
		raw, err := json.Marshal(legRecord{Leg: l, Originals: np.originals[i]})
		if err != nil {
			return Created{}, err
		}
		last.sealed, err = keys.SealField(last.k, legPlace(last.id), raw)
		clear(raw)
		if err != nil {
			return Created{}, fmt.Errorf("passage: seal leg: %w", err)
		}
		gk := last.link.guideKey()
		last.guideKey, err = keys.SealDataKey(gk, last.k, guideAD(last.id))
		clear(gk)
		if err != nil {
			return Created{}, fmt.Errorf("passage: seal leg: %w", err)
		}
	}
	planID := newID()
	today := day(s.now())
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var state string
		if err := tx.QueryRowContext(ctx, "SELECT state FROM cases WHERE id = $1", np.CaseID).Scan(&state); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return fmt.Errorf("passage: plan: %w", err)
		}
		if state != casework.StateInPassage {
			return fmt.Errorf("%w (it is %s; the case handler moves it to in_passage)", ErrCaseState, state)
		}
		var active int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM passage_plans WHERE case_id = $1 AND status = $2", np.CaseID, PlanActive).Scan(&active); err != nil {
			return fmt.Errorf("passage: plan: %w", err)
		}
		if active > 0 {
			return fmt.Errorf("%w (cancel it to plan another)", ErrRouteExists)
		}
		for _, pid := range np.Travellers {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM people WHERE id = $1 AND case_id = $2 AND merged_into IS NULL", pid, np.CaseID).Scan(&n); err != nil {
				return fmt.Errorf("passage: plan: %w", err)
			}
			if n != 1 {
				return &FieldError{"travellers", "must be distinct people of the case"}
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO passage_plans (id, case_id, status, legs, travellers, created_day) VALUES ($1, $2, $3, $4, $5, $6)",
			planID, np.CaseID, PlanActive, len(legs), len(np.Travellers), today); err != nil {
			return fmt.Errorf("passage: plan: %w", err)
		}
		for _, pid := range np.Travellers {
			if _, err := tx.ExecContext(ctx, "INSERT INTO passage_travellers (plan_id, person_id) VALUES ($1, $2)", planID, pid); err != nil {
				return fmt.Errorf("passage: plan: %w", err)
			}
		}
		sk, err := scheduleKey(ctx, tx, ring, team, esc)
		if err != nil {
			return err
		}
		defer sk.Wipe()
		for i, l := range legs {
			_, end, _ := np.Legs[i].Window()
			deadline, err := sealDeadline(sk, l.id, end)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO passage_legs (id, plan_id, position, status, lookup, guide_key, sealed, deadline, updated_day) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
				l.id, planID, i+1, LegPlanned, l.link.lookup(), l.guideKey, l.sealed, deadline, today); err != nil {
				return fmt.Errorf("passage: plan: %w", err)
			}
			if err := keys.WrapObjectKey(ctx, tx, ObjectLeg, l.id, l.k, team, esc); err != nil {
				return err
			}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "passage.plan", Object: planObject(planID),
			Detail: map[string]string{"case": strconv.FormatInt(np.CaseID, 10), "legs": strconv.Itoa(len(legs)), "travellers": strconv.Itoa(len(np.Travellers))}})
		return err
	})
	if err != nil {
		return Created{}, err
	}
	c := Created{PlanID: planID}
	for _, l := range legs {
		c.LegIDs = append(c.LegIDs, l.id)
		c.Links = append(c.Links, l.link)
	}
	return c, nil
}

// NewLink replaces leg legID's guide link (for a lost or leaked link): the
// session's keys open the leg key, a fresh secret seals a new guide copy,
// and the old link stops working. Audited.
func (s *Service) NewLink(ctx context.Context, a casework.Actor, ring *keys.Keyring, legID string) (Link, error) {
	if !auth.Can(a.Roles, auth.PermPassagePlan) {
		return Link{}, fmt.Errorf("passage: new link: %w", casework.ErrForbidden)
	}
	var status string
	err := s.st.DB().QueryRowContext(ctx, "SELECT status FROM passage_legs WHERE id = $1", legID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return Link{}, ErrNotFound
	}
	if err != nil {
		return Link{}, fmt.Errorf("passage: new link: %w", err)
	}
	if status == LegHandedOver {
		return Link{}, ErrLegComplete
	}
	k, err := ring.OpenObjectKey(ctx, s.st.DB(), ObjectLeg, legID)
	if errors.Is(err, keys.ErrNoAccess) {
		return Link{}, ErrNotFound
	}
	if err != nil {
		return Link{}, fmt.Errorf("passage: new link: %w", err)
	}
	defer k.Wipe()
	link, err := newLink()
	if err != nil {
		return Link{}, fmt.Errorf("passage: link: %w", err)
	}
	gk := link.guideKey()
	sealed, err := keys.SealDataKey(gk, k, guideAD(legID))
	clear(gk)
	if err != nil {
		return Link{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE passage_legs SET lookup = $1, guide_key = $2 WHERE id = $3 AND status <> $4", link.lookup(), sealed, legID, LegHandedOver)
		if err != nil {
			return fmt.Errorf("passage: new link: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLegComplete
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "passage.link", Object: legObject(legID)})
		return err
	})
	if err != nil {
		return Link{}, err
	}
	return link, nil
}
