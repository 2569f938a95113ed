package refcache_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"haochaping/internal/refcache"
	"haochaping/internal/testenv"
)

// TestACacheForgetsWhatAnyInstanceChanged: a value is loaded once while the listener listens;
// a change to a reference table committed elsewhere (here by plain SQL, as another instance
// would) makes it load again, by NOTIFY; while the listener is down, every lookup reads the
// database, so nothing missed meanwhile is served.
func TestACacheForgetsWhatAnyInstanceChanged(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	gens := refcache.NewGenerations()
	c := refcache.New[string, string](gens, 10, time.Hour)
	var loads atomic.Int32
	get := func() {
		t.Helper()
		if _, err := c.Get(ctx, "k", func(context.Context) (string, error) { loads.Add(1); return "v", nil }); err != nil {
			t.Fatal(err)
		}
	}

	get()
	get()
	if n := loads.Load(); n != 2 {
		t.Fatalf("before the listener listens: %d loads of two lookups, want 2 (nothing cached)", n)
	}

	listened := make(chan struct{})
	go func() { defer close(listened); gens.Listen(ctx, env.DB.Pool, env.DB.Channel("refdata"), env.Log) }()
	t.Cleanup(func() { cancel(); <-listened })
	<-gens.Ready()
	get()
	get()
	get()
	if n := loads.Load(); n != 3 {
		t.Fatalf("listening: %d loads after three more lookups, want 3 (one)", n)
	}

	env.Exec(`UPDATE windows SET name = name || '（改）' WHERE id = (SELECT min(id) FROM windows)`)
	testenv.Eventually(t, 5*time.Second, "a change of windows makes the value load again", func() bool {
		get()
		return loads.Load() > 3
	})
	settled := loads.Load()
	get()
	if loads.Load() != settled {
		t.Fatalf("after the reload the value is cached again: loads %d → %d", settled, loads.Load())
	}

	// The listener's connection is cut: until it listens again nothing is cached.
	var pid int32
	if err := env.DB.Pool.QueryRow(ctx, `SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = current_database()
		AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND query LIKE '%' || $1 || '%'`,
		env.DB.Channel("refdata")).Scan(&pid); err != nil {
		t.Fatalf("find the listener: %v", err)
	}
	env.Exec(`SELECT pg_terminate_backend($1)`, pid)
	testenv.Eventually(t, 5*time.Second, "a cut listener stops the caching", func() bool {
		before := loads.Load()
		get()
		get()
		return loads.Load() == before+2
	})
	testenv.Eventually(t, 15*time.Second, "the listener listens again and the cache serves", func() bool {
		get()
		before := loads.Load()
		get()
		return loads.Load() == before
	})
}

// TestAbsenceIsNotCached: a key without a value is read again each time, so that a row added
// is seen at once and made-up keys do not fill the cache.
func TestAbsenceIsNotCached(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	gens := refcache.NewGenerations()
	listened := make(chan struct{})
	go func() { defer close(listened); gens.Listen(ctx, env.DB.Pool, env.DB.Channel("refdata"), env.Log) }()
	t.Cleanup(func() { cancel(); <-listened })
	<-gens.Ready()
	c := refcache.New[int, int](gens, 2, time.Hour)
	loads := 0
	for range 3 {
		if _, err := c.Get(ctx, 1, func(context.Context) (int, error) { loads++; return 0, refcache.ErrNotFound }); err != refcache.ErrNotFound {
			t.Fatalf("absent: %v", err)
		}
	}
	if loads != 3 {
		t.Fatalf("absent key loaded %d times in three lookups, want 3", loads)
	}
}
