package certs

import (
	"sync"
	"time"
)

// Rate is a token-bucket limit: Burst at once, then one per Every.
type Rate struct {
	Every time.Duration
	Burst int
}

// The public routes' default limits: a person checking certificates by
// hand never comes near them; a script guessing at the verifier does.
var (
	DefaultClientRate = Rate{Every: 2 * time.Second, Burst: 20}
	DefaultGlobalRate = Rate{Every: 10 * time.Millisecond, Burst: 200}
)

// bucket counts in whole tokens; last is when it was last refilled.
type bucket struct {
	tokens int
	last   time.Time
}

func (b *bucket) take(now time.Time, r Rate) (bool, time.Duration) {
	if b.last.IsZero() {
		b.tokens, b.last = r.Burst, now
	} else if n := int(now.Sub(b.last) / r.Every); n > 0 {
		b.tokens = min(r.Burst, b.tokens+n)
		b.last = b.last.Add(time.Duration(n) * r.Every)
		if b.tokens == r.Burst {
			b.last = now
		}
	}
	if b.tokens > 0 {
		b.tokens--
		return true, 0
	}
	return false, max(r.Every-now.Sub(b.last), time.Second)
}

// limiter applies a per-client and a global rate to the public routes. It
// lives in memory only (client keys, remote hosts, are never written) and
// forgets every client when it tracks too many, so it cannot grow without
// bound.
type limiter struct {
	mu      sync.Mutex
	client  Rate
	global  Rate
	all     bucket
	clients map[string]*bucket
}

const maxClients = 50000

func newLimiter(client, global Rate) *limiter {
	return &limiter{client: client, global: global, clients: map[string]*bucket{}}
}

func (l *limiter) allow(client string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[client]
	if b == nil {
		if len(l.clients) >= maxClients {
			clear(l.clients)
		}
		b = &bucket{}
		l.clients[client] = b
	}
	if ok, wait := b.take(now, l.client); !ok {
		return false, wait
	}
	return l.all.take(now, l.global)
}

// SetRates replaces the public routes' limits (tests, and deployments
// that expect many checks from one relay address, such as an onion
// service where every client shares one address).
func (s *Service) SetRates(client, global Rate) { s.limit = newLimiter(client, global) }

// Allow takes one public request (verification, key set or revocation
// list) for client; when refused it says how long to wait.
func (s *Service) Allow(client string) (bool, time.Duration) {
	if s.limit == nil {
		return true, 0
	}
	return s.limit.allow(client, s.now())
}
