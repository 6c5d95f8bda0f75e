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
	"embrace/internal/keys"
)

// Check-in kinds: what a guide's three buttons report.
const (
	CheckPickedUp   = "picked_up"
	CheckHandedOver = "handed_over"
	CheckProblem    = "problem"
)

// GuideView is what a guide's link shows: their leg and nothing else.
type GuideView struct {
	LegID    string
	Position int
	Legs     int
	Status   string
	Leg      Leg
	// CanPickUp and CanHandOver say which buttons make sense now.
	CanPickUp   bool
	CanHandOver bool
}

// checkinRecord is the sealed part of a check-in.
type checkinRecord struct {
	At      time.Time `json:"at"`
	Message string    `json:"message,omitempty"`
}

type legRow struct {
	id, planID, status string
	position, legs     int
	planStatus         string
	guideKey, sealed   []byte
}

func (s *Service) legByLink(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, l Link) (legRow, error) {
	var r legRow
	err := q.QueryRowContext(ctx, `SELECT l.id, l.plan_id, l.status, l.position, p.legs, p.status, l.guide_key, l.sealed
		FROM passage_legs l JOIN passage_plans p ON p.id = l.plan_id WHERE l.lookup = $1`, l.lookup()).
		Scan(&r.id, &r.planID, &r.status, &r.position, &r.legs, &r.planStatus, &r.guideKey, &r.sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return legRow{}, ErrLinkUnknown
	}
	if err != nil {
		return legRow{}, fmt.Errorf("passage: link: %w", err)
	}
	return r, nil
}

// openByLink finds the link's leg and opens it with the key derived from
// the link; it does not check expiry.
func (s *Service) openByLink(ctx context.Context, l Link) (legRow, *keys.DataKey, Leg, error) {
	r, err := s.legByLink(ctx, s.st.DB(), l)
	if err != nil {
		return legRow{}, nil, Leg{}, err
	}
	gk := l.guideKey()
	defer clear(gk)
	k, err := keys.OpenDataKey(gk, r.guideKey, guideAD(r.id))
	if err != nil {
		return legRow{}, nil, Leg{}, fmt.Errorf("passage: link: %v: %w", err, ErrLinkUnknown)
	}
	raw, err := keys.OpenField(k, legPlace(r.id), r.sealed)
	if err != nil {
		k.Wipe()
		return legRow{}, nil, Leg{}, fmt.Errorf("passage: open leg: %v", err)
	}
	defer clear(raw)
	rec, err := openLeg(raw)
	if err != nil {
		k.Wipe()
		return legRow{}, nil, Leg{}, err
	}
	return r, k, rec.Leg, nil
}

// expired reports whether a leg's link has lapsed at now.
func (s *Service) expired(ctx context.Context, leg Leg, now time.Time) (bool, error) {
	hours, err := s.intSetting(ctx, SettingLinkHours, DefaultLinkHours)
	if err != nil {
		return false, err
	}
	_, end, err := leg.Window()
	if err != nil {
		return false, fmt.Errorf("passage: damaged window: %w", err)
	}
	return now.After(end.Add(time.Duration(hours) * time.Hour)), nil
}

// refuse audits a refused check-in (or view) of leg legID and returns err.
func (s *Service) refuse(ctx context.Context, legID, action string, err error) error {
	aerr := s.st.Tx(ctx, func(tx *sql.Tx) error {
		_, e := audit.Append(ctx, tx, audit.Entry{Actor: guideActor, Action: "passage.refused", Object: legObject(legID),
			Detail: map[string]string{"action": action, "reason": Code(err)}})
		return e
	})
	if aerr != nil {
		return fmt.Errorf("passage: audit refusal: %w", aerr)
	}
	return err
}

func (s *Service) view(r legRow, leg Leg, prevDone bool) GuideView {
	return GuideView{LegID: r.id, Position: r.position, Legs: r.legs, Status: r.status, Leg: leg,
		CanPickUp: r.status == LegPlanned && prevDone, CanHandOver: r.status == LegPickedUp}
}

func (s *Service) prevHandedOver(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, r legRow) (bool, error) {
	if r.position == 1 {
		return true, nil
	}
	var st string
	err := q.QueryRowContext(ctx, "SELECT status FROM passage_legs WHERE plan_id = $1 AND position = $2", r.planID, r.position-1).Scan(&st)
	if err != nil {
		return false, fmt.Errorf("passage: previous leg: %w", err)
	}
	return st == LegHandedOver, nil
}

// Guide opens link's leg for its guide. An unknown link is ErrLinkUnknown
// (not audited: it names no leg); a lapsed link or a complete leg is
// refused and audited. A view is audited too ("passage.guide.view").
func (s *Service) Guide(ctx context.Context, l Link) (GuideView, error) {
	r, k, leg, err := s.openByLink(ctx, l)
	if err != nil {
		return GuideView{}, err
	}
	k.Wipe()
	if r.status == LegHandedOver {
		return GuideView{}, s.refuse(ctx, r.id, "view", ErrLegComplete)
	}
	exp, err := s.expired(ctx, leg, s.now())
	if err != nil {
		return GuideView{}, err
	}
	if exp {
		return GuideView{}, s.refuse(ctx, r.id, "view", ErrLinkExpired)
	}
	prev, err := s.prevHandedOver(ctx, s.st.DB(), r)
	if err != nil {
		return GuideView{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: guideActor, Action: "passage.guide.view", Object: legObject(r.id)})
		return err
	})
	if err != nil {
		return GuideView{}, err
	}
	return s.view(r, leg, prev), nil
}

// CheckIn records a guide's report on link's leg. formLeg is the leg id
// the page was rendered for (another leg's is ErrWrongLeg); kind is
// picked_up, handed_over or problem; message (problem only, optional) is
// sealed under the leg key. The route's order is kept: a leg is picked up
// after the previous one was handed over, handed over after it was picked
// up; a problem can be reported while the leg is not complete. Every
// check-in is audited ("passage.checkin"); every refusal too
// ("passage.refused"), and changes nothing else. Handing over the last leg
// marks the plan arrived.
func (s *Service) CheckIn(ctx context.Context, l Link, formLeg, kind, message string) (GuideView, error) {
	r, k, leg, err := s.openByLink(ctx, l)
	if err != nil {
		return GuideView{}, err
	}
	defer k.Wipe()
	action := kind
	if kind != CheckPickedUp && kind != CheckHandedOver && kind != CheckProblem {
		action = "checkin"
	}
	if r.status == LegHandedOver {
		return GuideView{}, s.refuse(ctx, r.id, action, ErrLegComplete)
	}
	now := s.now()
	exp, err := s.expired(ctx, leg, now)
	if err != nil {
		return GuideView{}, err
	}
	if exp {
		return GuideView{}, s.refuse(ctx, r.id, action, ErrLinkExpired)
	}
	if action == "checkin" {
		return GuideView{}, s.refuse(ctx, r.id, action, &FieldError{"kind", "must be picked_up, handed_over or problem"})
	}
	if formLeg != r.id {
		return GuideView{}, s.refuse(ctx, r.id, kind, ErrWrongLeg)
	}
	if kind != CheckProblem {
		message = ""
	}
	if message, err = cleanText("message", message, MaxProblem, false); err != nil {
		return GuideView{}, s.refuse(ctx, r.id, kind, err)
	}
	cid := newID()
	raw, err := json.Marshal(checkinRecord{At: now.UTC().Truncate(time.Second), Message: message})
	if err != nil {
		return GuideView{}, err
	}
	sealed, err := keys.SealField(k, checkinPlace(cid), raw)
	clear(raw)
	if err != nil {
		return GuideView{}, fmt.Errorf("passage: seal check-in: %w", err)
	}
	today := day(now)
	var refusal error
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		prev, err := s.prevHandedOver(ctx, tx, r)
		if err != nil {
			return err
		}
		var res sql.Result
		switch kind {
		case CheckPickedUp:
			if !prev {
				refusal = ErrOutOfOrder
				return nil
			}
			res, err = tx.ExecContext(ctx, "UPDATE passage_legs SET status = $1, updated_day = $2 WHERE id = $3 AND status = $4", LegPickedUp, today, r.id, LegPlanned)
		case CheckHandedOver:
			res, err = tx.ExecContext(ctx, "UPDATE passage_legs SET status = $1, updated_day = $2 WHERE id = $3 AND status = $4", LegHandedOver, today, r.id, LegPickedUp)
		case CheckProblem:
			res, err = tx.ExecContext(ctx, "UPDATE passage_legs SET problems = problems + 1, updated_day = $1 WHERE id = $2 AND status <> $3", today, r.id, LegHandedOver)
		}
		if err != nil {
			return fmt.Errorf("passage: check-in: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			if kind == CheckProblem {
				refusal = ErrLegComplete
			} else {
				refusal = ErrOutOfOrder
			}
			return nil
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO passage_checkins (id, leg_id, kind, day, sealed) VALUES ($1, $2, $3, $4, $5)", cid, r.id, kind, today, sealed); err != nil {
			return fmt.Errorf("passage: check-in: %w", err)
		}
		detail := map[string]string{"kind": kind, "position": strconv.Itoa(r.position)}
		if kind == CheckHandedOver && r.position == r.legs {
			if _, err := tx.ExecContext(ctx, "UPDATE passage_plans SET status = $1, arrived_day = $2 WHERE id = $3 AND status = $4", PlanArrived, today, r.planID, PlanActive); err != nil {
				return fmt.Errorf("passage: arrival: %w", err)
			}
			detail["arrived"] = "true"
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: guideActor, Action: "passage.checkin", Object: legObject(r.id), Detail: detail})
		return err
	})
	if err != nil {
		return GuideView{}, err
	}
	if refusal != nil {
		return GuideView{}, s.refuse(ctx, r.id, kind, refusal)
	}
	switch kind {
	case CheckPickedUp:
		r.status = LegPickedUp
	case CheckHandedOver:
		r.status = LegHandedOver
	}
	return s.view(r, leg, true), nil
}
