package casework

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"embrace/internal/keys"
)

// warmState orders background warm-ups of the name cache against wipes:
// a warm-up that started before a wipe drops what it loaded, so the cache
// never outlives the sessions whose keys filled it.
type warmState struct {
	mu  sync.Mutex
	gen uint64
	wg  sync.WaitGroup
}

// warmTimeout bounds one background warm-up.
const warmTimeout = time.Minute

// WarmNamesAsync starts filling the duplicate name cache with ring's keys
// in the background and returns at once, so a sign-in is never delayed. A
// ring that holds no index key warms nothing. If DropNames runs before the
// warm-up ends (lockdown, or the last session ended), whatever it loaded
// is wiped when it ends. Failures go to log (never with red data).
func (s *Service) WarmNamesAsync(ring *keys.Keyring, log *slog.Logger) {
	if ring == nil {
		return
	}
	s.warm.mu.Lock()
	gen := s.warm.gen
	s.warm.wg.Add(1)
	s.warm.mu.Unlock()
	go func() {
		defer s.warm.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), warmTimeout)
		defer cancel()
		_, err := s.WarmNames(ctx, ring)
		s.warm.mu.Lock()
		defer s.warm.mu.Unlock()
		if s.warm.gen != gen {
			// A wipe came while this ran: what it loaded must go too.
			s.names.wipe()
			return
		}
		if err != nil && !errors.Is(err, ErrNoIndex) && log != nil {
			log.Warn("casework: warm the name cache", "err", err)
		}
	}()
}

// DropNames wipes the name cache and makes every warm-up still running
// wipe what it loads. Call it at lockdown and when the process holds no
// live session any more (auth.Config.OnWipe).
func (s *Service) DropNames() {
	s.warm.mu.Lock()
	defer s.warm.mu.Unlock()
	s.warm.gen++
	s.names.wipe()
}

// WaitWarm waits for the background warm-ups started so far (tests and
// shutdown).
func (s *Service) WaitWarm() { s.warm.wg.Wait() }

// CachedNames is how many names the duplicate name cache holds now.
func (s *Service) CachedNames() int { return s.names.size() }
