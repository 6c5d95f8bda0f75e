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
	"embrace/internal/keys"
	"embrace/internal/store"
)

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// Purge crypto-shreds the routes of plans that arrived at least the
// purge period (SettingPurgeDays) before now: every wrap of every leg key
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
	rows, err := s.st.DB().QueryContext(ctx, "SELECT id FROM passage_plans WHERE status = $1 AND arrived_day <> '' AND arrived_day <= $2", PlanArrived, cutoff)
	if err != nil {
		return 0, fmt.Errorf("passage: purge: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("passage: purge: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("passage: purge: %w", err)
	}
	n := 0
	for _, id := range ids {
		purged := false
		err := s.st.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, "UPDATE passage_plans SET status = $1, purged_day = $2 WHERE id = $3 AND status = $4", PlanPurged, day(now), id, PlanArrived)
			if err != nil {
				return fmt.Errorf("passage: purge: %w", err)
			}
			if c, _ := res.RowsAffected(); c != 1 {
				return nil // another process purged it
			}
			lrows, err := tx.QueryContext(ctx, "SELECT id FROM passage_legs WHERE plan_id = $1", id)
			if err != nil {
				return fmt.Errorf("passage: purge: %w", err)
			}
			var legs []string
			for lrows.Next() {
				var l string
				if err := lrows.Scan(&l); err != nil {
					lrows.Close()
					return fmt.Errorf("passage: purge: %w", err)
				}
				legs = append(legs, l)
			}
			lrows.Close()
			if err := lrows.Err(); err != nil {
				return fmt.Errorf("passage: purge: %w", err)
			}
			var wraps int64
			for _, l := range legs {
				w, err := keys.ShredObject(ctx, tx, ObjectLeg, l)
				if err != nil {
					return err
				}
				wraps += w
				if _, err := tx.ExecContext(ctx, "DELETE FROM passage_checkins WHERE leg_id = $1", l); err != nil {
					return fmt.Errorf("passage: purge: %w", err)
				}
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM passage_legs WHERE plan_id = $1", id); err != nil {
				return fmt.Errorf("passage: purge: %w", err)
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM passage_travellers WHERE plan_id = $1", id); err != nil {
				return fmt.Errorf("passage: purge: %w", err)
			}
			purged = true
			_, err = audit.Append(ctx, tx, audit.Entry{Actor: "system", Action: "passage.purge", Object: planObject(id),
				Detail: map[string]string{"legs": strconv.Itoa(len(legs)), "wraps": strconv.FormatInt(wraps, 10)}})
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
