package intake

import (
	"sync"
	"time"
)

// bucket is a token bucket: it holds up to burst tokens and refills at
// rate per second.
type bucket struct {
	tokens float64
	last   time.Time
}

func (b *bucket) take(now time.Time, rate, burst float64) (bool, time.Duration) {
	if b.last.IsZero() {
		b.tokens = burst
	} else if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(burst, b.tokens+el*rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / rate * float64(time.Second))
	return false, max(wait, time.Second)
}

// Rate is a token-bucket limit: Burst at once, then PerSecond.
type Rate struct {
	PerSecond float64
	Burst     float64
}

// limiter applies a per-client and a global rate. It lives in memory only:
// client keys (remote hosts) are never written anywhere, and the map is
// pruned of idle clients so it cannot grow without bound.
type limiter struct {
	mu      sync.Mutex
	client  Rate
	global  Rate
	all     bucket
	clients map[string]*bucket
}

const maxTrackedClients = 50000

func newLimiter(client, global Rate) *limiter {
	return &limiter{client: client, global: global, clients: map[string]*bucket{}}
}

// allow takes a token for client and one from the global bucket.
func (l *limiter) allow(client string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.client.PerSecond > 0 {
		b := l.clients[client]
		if b == nil {
			if len(l.clients) >= maxTrackedClients {
				l.prune(now)
			}
			b = &bucket{}
			l.clients[client] = b
		}
		if ok, wait := b.take(now, l.client.PerSecond, l.client.Burst); !ok {
			return false, wait
		}
	}
	if l.global.PerSecond > 0 {
		if ok, wait := l.all.take(now, l.global.PerSecond, l.global.Burst); !ok {
			return false, wait
		}
	}
	return true, 0
}

// prune forgets clients whose buckets have refilled (they would start
// full anyway), and everyone if that is not enough.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.clients {
		if b.tokens+now.Sub(b.last).Seconds()*l.client.PerSecond >= l.client.Burst {
			delete(l.clients, k)
		}
	}
	if len(l.clients) >= maxTrackedClients {
		clear(l.clients)
	}
}
