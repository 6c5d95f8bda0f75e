package casework

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"embrace/internal/audit"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// ErrNotUser is returned when a case is assigned to something that is not
// a user principal.
var ErrNotUser = fmt.Errorf("casework: a case is assigned to a person: %w", ErrInvalid)

// Assign makes handler (a user principal) the case's handler: the case key,
// opened with ring, is wrapped to the handler, and the previous handler's
// wrap is removed. Without a wrap in ring the case is store.ErrNotFound.
func (s *Service) Assign(ctx context.Context, a Actor, ring *keys.Keyring, id int64, handler keys.Principal) error {
	if handler.Kind != keys.KindUser || handler.Recipient == nil {
		return ErrNotUser
	}
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return err
	}
	defer k.Wipe()
	sum, err := s.Summary(ctx, id)
	if err != nil {
		return err
	}
	ref := strconv.FormatInt(id, 10)
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE cases SET handler_id = $1, updated_day = $2 WHERE id = $3 AND COALESCE(handler_id, 0) = $4", handler.ID, today(), id, sum.Handler)
		if err != nil {
			return fmt.Errorf("casework: assign: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("casework: the case changed meanwhile, reload it: %w", store.ErrConflict)
		}
		if err := keys.WrapObjectKey(ctx, tx, ObjectCase, ref, k, handler); err != nil {
			return err
		}
		if sum.Handler != 0 && sum.Handler != handler.ID {
			if err := removeUserWrap(ctx, tx, ref, sum.Handler); err != nil {
				return err
			}
		}
		if err := addEvent(ctx, tx, k, id, a, EventAssigned, "", "", handler.Name); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "case.assign", Object: caseObject(id),
			Detail: map[string]string{"handler": "principal:" + strconv.FormatInt(handler.ID, 10)}})
		return err
	})
}

// Unassign takes the handler off case id and removes their wrap of the case
// key: they can no longer read it (unless a team they hold still owns it).
// Escrow's and the team's wraps are never touched.
func (s *Service) Unassign(ctx context.Context, a Actor, ring *keys.Keyring, id int64) error {
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return err
	}
	defer k.Wipe()
	sum, err := s.Summary(ctx, id)
	if err != nil {
		return err
	}
	if sum.Handler == 0 {
		return nil
	}
	ref := strconv.FormatInt(id, 10)
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE cases SET handler_id = NULL, updated_day = $1 WHERE id = $2 AND handler_id = $3", today(), id, sum.Handler)
		if err != nil {
			return fmt.Errorf("casework: unassign: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("casework: the case changed meanwhile, reload it: %w", store.ErrConflict)
		}
		if err := removeUserWrap(ctx, tx, ref, sum.Handler); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, k, id, a, EventUnassigned, "", "", ""); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "case.unassign", Object: caseObject(id),
			Detail: map[string]string{"handler": "principal:" + strconv.FormatInt(sum.Handler, 10)}})
		return err
	})
}

// removeUserWrap removes principal p's wrap of case ref, only if p is a
// user: escrow's and a team's wraps are never removed by assignment.
func removeUserWrap(ctx context.Context, tx *sql.Tx, ref string, p int64) error {
	pr, err := keys.PrincipalByID(ctx, tx, p)
	if err != nil {
		return err
	}
	if pr.Kind != keys.KindUser {
		return nil
	}
	return keys.RemoveObjectWrap(ctx, tx, ObjectCase, ref, p)
}
