// Package refcache keeps reference data — devices, the organisation, the regions' settings —
// in memory for the rating hot path, and forgets it as soon as any instance changes it.
//
// A statement trigger on each of those tables sends NOTIFY refdata_<schema> on commit
// (migration 00028). Every instance listens; each notification starts a new generation, and an
// entry loaded under an older generation is not used again. While the listener is not
// connected — at start, or after its connection broke, when notifications may have been missed
// — nothing is cached and every lookup reads the database, so the cache is never the reason a
// change is missed. A change made by this instance is forgotten at once (Invalidate); one made
// by another instance, within the time its NOTIFY takes to arrive (milliseconds).
package refcache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Generations is the listener that the caches of one database share.
type Generations struct {
	n    atomic.Uint64
	live atomic.Bool // listening now: what is cached under the current generation is current
	// ready is closed the first time the listener is listening (tests wait on it).
	ready     chan struct{}
	readyOnce sync.Once
}

// NewGenerations returns a listener that is not yet listening: until Listen runs, caches read
// through.
func NewGenerations() *Generations {
	return &Generations{ready: make(chan struct{})}
}

// Invalidate starts a new generation: this instance changed reference data.
func (g *Generations) Invalidate() { g.n.Add(1) }

// Ready is closed once the listener listens for the first time.
func (g *Generations) Ready() <-chan struct{} { return g.ready }

// current returns the generation and whether its entries may be used at all.
func (g *Generations) current() (uint64, bool) {
	if g == nil {
		return 0, false
	}
	return g.n.Load(), g.live.Load()
}

// Listen listens on channel until ctx ends, reconnecting after a broken connection.
func (g *Generations) Listen(ctx context.Context, pool *pgxpool.Pool, channel string, log *slog.Logger) {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		err := g.listenOnce(ctx, pool, channel)
		g.live.Store(false)
		g.Invalidate()
		if ctx.Err() != nil {
			return
		}
		backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
		log.Warn("reference-data listener interrupted; lookups read the database until it is back", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
	}
}

func (g *Generations) listenOnce(ctx context.Context, pool *pgxpool.Pool, channel string) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("refcache: acquire connection: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("refcache: listen: %w", err)
	}
	defer func() {
		// The connection goes back to the pool: stop listening on it.
		_, _ = conn.Exec(context.Background(), "UNLISTEN *")
	}()
	// Whatever changed before LISTEN took effect is behind us: start afresh, then trust.
	g.Invalidate()
	g.live.Store(true)
	g.readyOnce.Do(func() { close(g.ready) })
	for {
		if _, err := conn.Conn().WaitForNotification(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("refcache: wait: %w", err)
		}
		g.Invalidate()
	}
}

// Cache holds values loaded from reference data, by key.
type Cache[K comparable, V any] struct {
	gens *Generations
	max  int           // entries at most; past it the cache starts empty again
	ttl  time.Duration // a backstop: an entry is read again after this long regardless

	mu      sync.RWMutex
	entries map[K]entry[V]
}

type entry[V any] struct {
	v      V
	gen    uint64
	loaded time.Time
}

// New returns a cache of at most max entries, each kept at most ttl, forgotten on each new
// generation of gens. A nil gens caches nothing.
func New[K comparable, V any](gens *Generations, max int, ttl time.Duration) *Cache[K, V] {
	return &Cache[K, V]{gens: gens, max: max, ttl: ttl, entries: map[K]entry[V]{}}
}

// ErrNotFound is what a load returns for a key with no value: absence is not cached, so that
// made-up keys cannot fill the cache and a new row is seen at once.
var ErrNotFound = errors.New("refcache: not found")

// Get returns the value of k, loading it when it is not cached under the current generation.
func (c *Cache[K, V]) Get(ctx context.Context, k K, load func(context.Context) (V, error)) (V, error) {
	gen, live := c.gens.current()
	if live {
		c.mu.RLock()
		e, ok := c.entries[k]
		c.mu.RUnlock()
		if ok && e.gen == gen && time.Since(e.loaded) < c.ttl {
			return e.v, nil
		}
	}
	v, err := load(ctx)
	if err != nil || !live {
		return v, err
	}
	// Stored under the generation read before loading: if a change came in meanwhile, the
	// entry is stale from birth and is never used.
	c.mu.Lock()
	if len(c.entries) >= c.max {
		c.entries = map[K]entry[V]{}
	}
	c.entries[k] = entry[V]{v: v, gen: gen, loaded: time.Now()}
	c.mu.Unlock()
	return v, nil
}
