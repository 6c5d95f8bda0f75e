package passage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"embrace/internal/audit"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// Summary is a plan's green facts.
type Summary struct {
	ID         string `json:"id"`
	CaseID     int64  `json:"case_id"`
	CaseState  string `json:"case_state"`
	Status     string `json:"status"`
	Legs       int    `json:"legs"`
	Travellers int    `json:"travellers"`
	Done       int    `json:"legs_done"`
	Problems   int    `json:"problems"`
	CreatedDay string `json:"created_day"`
	ArrivedDay string `json:"arrived_day,omitempty"`
	PurgedDay  string `json:"purged_day,omitempty"`
	CaseMoved  bool   `json:"case_moved"`
	Outcome    string `json:"outcome,omitempty"`
}

const summarySQL = `SELECT p.id, p.case_id, c.state, p.status, p.legs, p.travellers, p.created_day, p.arrived_day, p.purged_day, p.case_moved, p.outcome,
	(SELECT COUNT(*) FROM passage_legs l WHERE l.plan_id = p.id AND l.status = 'handed_over'),
	(SELECT COALESCE(SUM(l.problems), 0) FROM passage_legs l WHERE l.plan_id = p.id)
	FROM passage_plans p JOIN cases c ON c.id = p.case_id`

func scanSummary(row interface{ Scan(...any) error }) (Summary, error) {
	var p Summary
	err := row.Scan(&p.ID, &p.CaseID, &p.CaseState, &p.Status, &p.Legs, &p.Travellers, &p.CreatedDay, &p.ArrivedDay, &p.PurgedDay, &p.CaseMoved, &p.Outcome, &p.Done, &p.Problems)
	return p, err
}

// List returns the plans (green facts only), newest first, at most limit.
func (s *Service) List(ctx context.Context, limit int) ([]Summary, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	rows, err := s.st.DB().QueryContext(ctx, summarySQL+" ORDER BY p.status = 'purged', p.created_day DESC, p.id LIMIT $1", limit)
	if err != nil {
		return nil, fmt.Errorf("passage: list: %w", err)
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		p, err := scanSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("passage: list: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Checkin is one check-in as a coordinator reads it.
type Checkin struct {
	Kind    string    `json:"kind"`
	Day     string    `json:"day"`
	At      time.Time `json:"at"`
	Message string    `json:"message,omitempty"`
}

// LegView is a leg as a coordinator reads it; Leg is empty once purged.
type LegView struct {
	ID       string `json:"id"`
	Position int    `json:"position"`
	Status   string `json:"status"`
	Problems int    `json:"problems"`
	Overdue  bool   `json:"overdue"`
	Leg      Leg    `json:"leg"`
	// Originals are the Zawgyi originals of converted fields, by name.
	Originals map[string]string `json:"originals,omitempty"`
	Checkins  []Checkin         `json:"checkins"`
}

// PlanView is a plan opened with a coordinator's keys.
type PlanView struct {
	Summary
	Travellers []string  `json:"traveller_ids"`
	LegViews   []LegView `json:"legs_detail"`
}

// Get opens plan id with ring (each leg key through the passage team's or
// escrow's wrap). Reading a route is audited ("passage.read").
func (s *Service) Get(ctx context.Context, a casework.Actor, ring *keys.Keyring, id string) (PlanView, error) {
	sum, err := scanSummary(s.st.DB().QueryRowContext(ctx, summarySQL+" WHERE p.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return PlanView{}, ErrNotFound
	}
	if err != nil {
		return PlanView{}, fmt.Errorf("passage: plan: %w", err)
	}
	v := PlanView{Summary: sum, Travellers: []string{}, LegViews: []LegView{}}
	rows, err := s.st.DB().QueryContext(ctx, "SELECT person_id FROM passage_travellers WHERE plan_id = $1 ORDER BY person_id", id)
	if err != nil {
		return PlanView{}, fmt.Errorf("passage: plan: %w", err)
	}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return PlanView{}, fmt.Errorf("passage: plan: %w", err)
		}
		v.Travellers = append(v.Travellers, p)
	}
	rows.Close()
	if sum.Status != PlanPurged {
		if v.LegViews, err = s.openLegs(ctx, ring, id, true); err != nil {
			return PlanView{}, err
		}
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "passage.read", Object: planObject(id)})
		return err
	})
	return v, err
}

// openLegs opens every leg of plan with ring, with check-ins when asked.
func (s *Service) openLegs(ctx context.Context, ring *keys.Keyring, plan string, checkins bool) ([]LegView, error) {
	rows, err := s.st.DB().QueryContext(ctx, "SELECT id, position, status, problems, sealed FROM passage_legs WHERE plan_id = $1 ORDER BY position", plan)
	if err != nil {
		return nil, fmt.Errorf("passage: legs: %w", err)
	}
	type row struct {
		lv     LegView
		sealed []byte
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.lv.ID, &r.lv.Position, &r.lv.Status, &r.lv.Problems, &r.sealed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("passage: legs: %w", err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("passage: legs: %w", err)
	}
	now := s.now()
	out := make([]LegView, 0, len(rs))
	for _, r := range rs {
		lv, err := s.openLeg(ctx, ring, r.lv, r.sealed, checkins, now)
		if err != nil {
			return nil, err
		}
		out = append(out, lv)
	}
	return out, nil
}

func (s *Service) openLeg(ctx context.Context, ring *keys.Keyring, lv LegView, sealed []byte, checkins bool, now time.Time) (LegView, error) {
	k, err := ring.OpenObjectKey(ctx, s.st.DB(), ObjectLeg, lv.ID)
	if errors.Is(err, keys.ErrNoAccess) {
		return LegView{}, ErrNotFound
	}
	if err != nil {
		return LegView{}, fmt.Errorf("passage: leg key: %w", err)
	}
	defer k.Wipe()
	raw, err := keys.OpenField(k, legPlace(lv.ID), sealed)
	if err != nil {
		return LegView{}, fmt.Errorf("passage: open leg: %w", err)
	}
	rec, err := openLeg(raw)
	clear(raw)
	if err != nil {
		return LegView{}, err
	}
	lv.Leg, lv.Originals = rec.Leg, rec.Originals
	if _, end, err := lv.Leg.Window(); err == nil && lv.Status != LegHandedOver && now.After(end) {
		lv.Overdue = true
	}
	lv.Checkins = []Checkin{}
	if !checkins {
		return lv, nil
	}
	rows, err := s.st.DB().QueryContext(ctx, "SELECT id, kind, day, sealed FROM passage_checkins WHERE leg_id = $1 ORDER BY seq", lv.ID)
	if err != nil {
		return LegView{}, fmt.Errorf("passage: check-ins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var c Checkin
		var sc []byte
		if err := rows.Scan(&id, &c.Kind, &c.Day, &sc); err != nil {
			return LegView{}, fmt.Errorf("passage: check-ins: %w", err)
		}
		raw, err := keys.OpenField(k, checkinPlace(id), sc)
		if err != nil {
			return LegView{}, fmt.Errorf("passage: open check-in: %w", err)
		}
		var rec checkinRecord
		err = json.Unmarshal(raw, &rec)
		clear(raw)
		if err != nil {
			return LegView{}, fmt.Errorf("passage: damaged check-in: %w", err)
		}
		c.At, c.Message = rec.At, rec.Message
		lv.Checkins = append(lv.Checkins, c)
	}
	return lv, rows.Err()
}

// Alert kinds.
const (
	AlertOverdue = "overdue"
	AlertProblem = "problem"
)

// Alert is an overdue leg or a guide's problem report. Urgent for
// problems. It carries ids and green facts only.
type Alert struct {
	Kind     string `json:"kind"`
	Urgent   bool   `json:"urgent"`
	PlanID   string `json:"plan_id"`
	CaseID   int64  `json:"case_id"`
	LegID    string `json:"leg_id"`
	Position int    `json:"position"`
	Problems int    `json:"problems,omitempty"`
}

// Alerts lists the alerts of active plans: every leg with problem reports
// that is not yet handed over (urgent), and each plan's current leg (the
// first not handed over) when its window ended without a hand-over. Since
// windows are sealed, overdue is found inside the session: ring opens the
// schedule key once and each current leg's sealed deadline with it (legs
// are in time order, so a later leg never goes overdue before the current
// one). A ring without the passage team's key sees problem alerts only.
// Problems come first.
func (s *Service) Alerts(ctx context.Context, ring *keys.Keyring) ([]Alert, error) {
	rows, err := s.st.DB().QueryContext(ctx, `SELECT l.id, l.plan_id, p.case_id, l.position, l.problems, l.deadline,
		l.position = (SELECT MIN(c.position) FROM passage_legs c WHERE c.plan_id = l.plan_id AND c.status <> 'handed_over')
		FROM passage_legs l JOIN passage_plans p ON p.id = l.plan_id
		WHERE p.status = 'active' AND l.status <> 'handed_over' ORDER BY p.created_day, p.id, l.position`)
	if err != nil {
		return nil, fmt.Errorf("passage: alerts: %w", err)
	}
	type row struct {
		a        Alert
		deadline []byte
		current  bool
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.a.LegID, &r.a.PlanID, &r.a.CaseID, &r.a.Position, &r.a.Problems, &r.deadline, &r.current); err != nil {
			rows.Close()
			return nil, fmt.Errorf("passage: alerts: %w", err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("passage: alerts: %w", err)
	}
	problems, overdue := []Alert{}, []Alert{}
	var sk *keys.DataKey
	if len(rs) > 0 {
		sk, err = ring.OpenObjectKey(ctx, s.st.DB(), ObjectSchedule, scheduleID)
		if err != nil && !errors.Is(err, keys.ErrNoAccess) {
			return nil, fmt.Errorf("passage: schedule key: %w", err)
		}
		if sk != nil {
			defer sk.Wipe()
		}
	}
	now := s.now()
	for _, r := range rs {
		if r.a.Problems > 0 {
			a := r.a
			a.Kind, a.Urgent = AlertProblem, true
			problems = append(problems, a)
		}
		if !r.current || sk == nil {
			continue
		}
		end, err := openDeadline(sk, r.a.LegID, r.deadline)
		if err != nil {
			return nil, err
		}
		if now.After(end) {
			a := r.a
			a.Kind, a.Problems = AlertOverdue, 0
			overdue = append(overdue, a)
		}
	}
	return append(problems, overdue...), nil
}

// Settle moves to arrived the case of every plan whose last leg was
// handed over, with the coordinator's session (ring must open the case;
// casework audits the move). Cases no longer in passage are only marked
// settled. It returns how many cases it moved; a case the ring cannot
// open is left for another session.
func (s *Service) Settle(ctx context.Context, a casework.Actor, ring *keys.Keyring) (int, error) {
	rows, err := s.st.DB().QueryContext(ctx, `SELECT p.id, p.case_id, c.state FROM passage_plans p JOIN cases c ON c.id = p.case_id
		WHERE (p.status = 'arrived' OR (p.status = 'purged' AND p.outcome = 'arrived')) AND p.case_moved = FALSE`)
	if err != nil {
		return 0, fmt.Errorf("passage: settle: %w", err)
	}
	type row struct {
		plan  string
		cs    int64
		state string
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.plan, &r.cs, &r.state); err != nil {
			rows.Close()
			return 0, fmt.Errorf("passage: settle: %w", err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("passage: settle: %w", err)
	}
	moved := 0
	for _, r := range rs {
		if r.state == casework.StateInPassage {
			err := s.cw.Transition(ctx, a, ring, r.cs, casework.StateArrived, "passage: last leg handed over (plan "+r.plan+")")
			if err != nil {
				// Not this session's to move (no key, no right), or another
				// session moved it meanwhile: the next visit settles it.
				if errors.Is(err, casework.ErrForbidden) || errors.Is(err, keys.ErrNoAccess) || isNotFound(err) ||
					errors.Is(err, casework.ErrIllegalTransition) || errors.Is(err, store.ErrConflict) {
					continue
				}
				return moved, fmt.Errorf("passage: settle case %d: %w", r.cs, err)
			}
			moved++
		}
		err := s.st.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "UPDATE passage_plans SET case_moved = TRUE WHERE id = $1", r.plan); err != nil {
				return fmt.Errorf("passage: settle: %w", err)
			}
			_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "passage.arrival", Object: planObject(r.plan),
				Detail: map[string]string{"case": strconv.FormatInt(r.cs, 10), "case_state": r.state}})
			return err
		})
		if err != nil {
			return moved, err
		}
	}
	return moved, nil
}

// Candidate is a case in passage with no route under way (green facts).
type Candidate struct {
	CaseID int64  `json:"case_id"`
	Region string `json:"region"`
	Day    string `json:"updated_day"`
}

// Candidates lists cases in passage that have no active or arrived plan:
// the routes still to plan. At most limit.
func (s *Service) Candidates(ctx context.Context, limit int) ([]Candidate, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	rows, err := s.st.DB().QueryContext(ctx, `SELECT c.id, c.region, c.updated_day FROM cases c WHERE c.state = $1
		AND NOT EXISTS (SELECT 1 FROM passage_plans p WHERE p.case_id = c.id AND p.status <> 'purged') ORDER BY c.id LIMIT $2`, casework.StateInPassage, limit)
	if err != nil {
		return nil, fmt.Errorf("passage: candidates: %w", err)
	}
	defer rows.Close()
	out := []Candidate{}
	for rows.Next() {
		var c Candidate
		if err := rows.Scan(&c.CaseID, &c.Region, &c.Day); err != nil {
			return nil, fmt.Errorf("passage: candidates: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
