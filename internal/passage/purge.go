package passage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"embrace/internal/audit"
	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// Outcomes of a route, kept when its details are shredded (besides the
// state a case left passage for).
const (
	OutcomeArrived   = "arrived"
	OutcomeCancelled = "cancelled"
)

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// Purge crypto-shreds the routes whose purge period (SettingPurgeDays)
// has passed at now: plans that arrived that many days ago, and active
// plans whose case left passage (lost contact, detained, moved back…) and
// has not changed for that many days. Every wrap of every leg key
// (escrow's included) is deleted, and so are the sealed legs, their
// check-ins, link lookups and the list of travellers. The plan keeps its
// green facts (days, number of legs and travellers, outcome). Each purge
// is audited ("passage.purge"). It returns how many plans it purged.
func (s *Service) Purge(ctx context.Context, now time.Time) (int, error) {
	days, err := s.intSetting(ctx, SettingPurgeDays, DefaultPurgeDays)
	if err != nil {
		return 0, err
	}
	cutoff := day(now.AddDate(0, 0, -days))
	rows, err := s.st.DB().QueryContext(ctx, `SELECT p.id, p.status, c.state FROM passage_plans p JOIN cases c ON c.id = p.case_id
		WHERE (p.status = 'arrived' AND p.arrived_day <> '' AND p.arrived_day <= $1)
		OR (p.status = 'active' AND c.state <> $2 AND c.updated_day <= $1)`, cutoff, casework.StateInPassage)
	if err != nil {
		return 0, fmt.Errorf("passage: purge: %w", err)
	}
	type due struct{ id, status, outcome string }
	var ds []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.status, &d.outcome); err != nil {
			rows.Close()
			return 0, fmt.Errorf("passage: purge: %w", err)
		}
		if d.status == PlanArrived {
			d.outcome = OutcomeArrived
		}
		ds = append(ds, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("passage: purge: %w", err)
	}
	n := 0
	for _, d := range ds {
		purged := false
		err := s.st.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			purged, err = s.shred(ctx, tx, d.id, d.status, d.outcome, "system", now)
			return err
		})
		if err != nil {
			return n, err
		}
		if purged {
			n++
		}
	}
	return n, nil
}

// Cancel shreds an active route at once (to plan it again, or because it
// is compromised): its details are destroyed as by Purge, its outcome is
// cancelled, and the case can have a new route. Audited as a purge by the
// actor.
func (s *Service) Cancel(ctx context.Context, a casework.Actor, planID string) error {
	if !auth.Can(a.Roles, auth.PermPassagePlan) {
		return fmt.Errorf("passage: cancel: %w", casework.ErrForbidden)
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, "SELECT status FROM passage_plans WHERE id = $1", planID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("passage: cancel: %w", err)
		}
		if status != PlanActive {
			return fmt.Errorf("%w (only a route under way can be cancelled)", ErrLegComplete)
		}
		ok, err := s.shred(ctx, tx, planID, PlanActive, OutcomeCancelled, a.Name, s.now())
		if err == nil && !ok {
			err = fmt.Errorf("passage: the route changed meanwhile: %w", store.ErrConflict)
		}
		return err
	})
}

// shred destroys plan id's route inside tx if it is still in status from,
// recording outcome; it reports whether it did.
func (s *Service) shred(ctx context.Context, tx *sql.Tx, id, from, outcome, actor string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, "UPDATE passage_plans SET status = $1, purged_day = $2, outcome = $3 WHERE id = $4 AND status = $5",
		PlanPurged, day(now), outcome, id, from)
	if err != nil {
		return false, fmt.Errorf("passage: purge: %w", err)
	}
	if c, _ := res.RowsAffected(); c != 1 {
		return false, nil // another process got there first
	}
	lrows, err := tx.QueryContext(ctx, "SELECT id FROM passage_legs WHERE plan_id = $1", id)
	if err != nil {
		return false, fmt.Errorf("passage: purge: %w", err)
	}
	var legs []string
	for lrows.Next() {
		var l string
		if err := lrows.Scan(&l); err != nil {
			lrows.Close()
			return false, fmt.Errorf("passage: purge: %w", err)
		}
		legs = append(legs, l)
	}
	lrows.Close()
	if err := lrows.Err(); err != nil {
		return false, fmt.Errorf("passage: purge: %w", err)
	}
	var wraps int64
	for _, l := range legs {
		w, err := keys.ShredObject(ctx, tx, ObjectLeg, l)
		if err != nil {
			return false, err
		}
		wraps += w
		if _, err := tx.ExecContext(ctx, "DELETE FROM passage_checkins WHERE leg_id = $1", l); err != nil {
			return false, fmt.Errorf("passage: purge: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM passage_legs WHERE plan_id = $1", id); err != nil {
		return false, fmt.Errorf("passage: purge: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM passage_travellers WHERE plan_id = $1", id); err != nil {
		return false, fmt.Errorf("passage: purge: %w", err)
	}
	_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "passage.purge", Object: planObject(id),
		Detail: map[string]string{"legs": strconv.Itoa(len(legs)), "wraps": strconv.FormatInt(wraps, 10), "outcome": outcome}})
	return err == nil, err
}

// Run purges once at start and then every interval until ctx ends (the
// sweeper `serve` runs). A failed purge is logged (without detail of any
// route) and tried again at the next tick.
func (s *Service) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	if interval <= 0 {
		interval = time.Hour
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	purge := func() {
		n, err := s.Purge(ctx, s.now())
		if err != nil && ctx.Err() == nil {
			log.Warn("passage purge failed", "err", err)
		}
		if n > 0 {
			log.Info("passage purge", "plans", n)
		}
	}
	purge()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			purge()
		}
	}
}
