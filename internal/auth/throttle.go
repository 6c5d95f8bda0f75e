package auth

import (
	"context"
	"database/sql"
	"net"
	"time"
)

// Throttling has two halves.
//
// Per account, in the database so every serve process shares it: failures
// are counted in a window (fail_count since fail_since); reaching
// MaxFailures locks the account until locked_until. A success resets it.
//
// Per client, in this process's memory only: the client is a keyed hash of
// the remote address (never stored, never logged), and too many failures
// from it pause it until its window ends. Behind a proxy or an onion
// service every client has the proxy's address, so the per-client limit is
// generous and the per-account lock does the real work.
//
// Unknown usernames get an in-memory counter of their own (keyed hash, as
// for clients), so that after MaxFailures tries they answer "paused" just
// as a real account would: locking must not tell which usernames exist.

// failWindow counts failures since start; locked holds until until.
type failWindow struct {
	start time.Time
	count int
	until time.Time
}

// maxMemEntries bounds each in-memory table; beyond it, expired entries are
// dropped and, if that is not enough, the table starts afresh.
const maxMemEntries = 50000

// clientHost reduces a remote address to its host.
func clientHost(remote string) string {
	if h, _, err := net.SplitHostPort(remote); err == nil {
		return h
	}
	return remote
}

// lockedIn reports until when key is paused in table m, if it is.
func (s *Service) lockedIn(m map[string]*failWindow, key string, now time.Time) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := m[key]
	if w != nil && now.Before(w.until) {
		return w.until, true
	}
	return time.Time{}, false
}

// noteFailure counts a failure for key in m; max failures within window
// pause it for lockFor (or until the window ends when lockFor is zero).
func (s *Service) noteFailure(m map[string]*failWindow, key string, now time.Time, max int, window, lockFor time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(m) >= maxMemEntries {
		for k, w := range m {
			if now.Sub(w.start) > window && now.After(w.until) {
				delete(m, k)
			}
		}
		if len(m) >= maxMemEntries {
			clear(m)
		}
	}
	w := m[key]
	if w == nil || now.Sub(w.start) > window {
		w = &failWindow{start: now}
		m[key] = w
	}
	w.count++
	if w.count >= max {
		if lockFor > 0 {
			w.until = now.Add(lockFor)
		} else {
			w.until = w.start.Add(window)
		}
		w.start, w.count = now, 0
	}
}

// accountFailure counts a failed sign-in against a real account in the
// database, locking it when the count reaches MaxFailures.
func (s *Service) accountFailure(ctx context.Context, tx *sql.Tx, a *account, now time.Time) error {
	window := int64(s.cfg.FailureWindow / time.Second)
	// The counter is read and written in one statement so that two
	// processes failing at once both count.
	_, err := tx.ExecContext(ctx, `UPDATE auth_accounts SET
		fail_count = CASE WHEN $1 - fail_since > $2 THEN 1 ELSE fail_count + 1 END,
		fail_since = CASE WHEN $1 - fail_since > $2 THEN $1 ELSE fail_since END
		WHERE id = $3`, now.Unix(), window, a.id)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE auth_accounts SET locked_until = $1, fail_count = 0, fail_since = $2
		WHERE id = $3 AND fail_count >= $4`, now.Add(s.cfg.LockFor).Unix(), now.Unix(), a.id, s.cfg.MaxFailures)
	return err
}
