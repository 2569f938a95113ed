// Package testenv gives each test its own world on the real servers: a fresh PostgreSQL
// schema, migrated; its own data key; a Redis namespace; a business clock of its own. Tests so
// isolated can run in parallel. The seeded city and the running system on top of it are
// package app/apptest's: this one is plumbing, and knows nothing of the domain.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"haochaping/internal/clock"
	"haochaping/internal/config"
	"haochaping/internal/database"
	"haochaping/internal/pii"
	"haochaping/internal/redisconn"
	"haochaping/migrations"
)

// Env is one test's world.
type Env struct {
	T   testing.TB
	Cfg *config.Config
	DB  *database.DB // as the application's role (DATABASE_URL): what the system under test uses
	// Owner is the schema's owner (DATABASE_OWNER_URL): for the fixtures and the tampering a test
	// does behind the system's back (Exec runs there).
	Owner *database.DB
	Keys  *pii.Keys
	// Redis is the system's own client (internal/redisconn): through Sentinels when the settings say so.
	Redis  redis.UniversalClient
	Prefix string // unique per test: the schema's name; use it for Redis keys and queue names
	Log    *slog.Logger
	// Clock is the test's business time, read by every rule the system runs for this test.
	// It starts at DefaultNow, standing still; a test sets it where its case needs.
	Clock *clock.Manual
}

var (
	adminOnce sync.Once
	adminPool *pgxpool.Pool
	adminCfg  *config.Config
	adminErr  error
)

func admin(t testing.TB) (*pgxpool.Pool, *config.Config) {
	adminOnce.Do(func() {
		adminCfg, adminErr = config.Load()
		if adminErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		adminPool, adminErr = pgxpool.New(ctx, adminCfg.OwnerDatabaseURL)
		if adminErr == nil {
			adminErr = adminPool.Ping(ctx)
		}
	})
	if adminErr != nil {
		t.Fatalf("testenv: PostgreSQL is not reachable (%v); run the tests with `make test`, which starts it", adminErr)
	}
	return adminPool, adminCfg
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9]+`)

// New creates a migrated schema for the test and drops it when the test ends.
func New(t testing.TB) *Env {
	t.Helper()
	pool, base := admin(t)
	ctx := context.Background()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := unsafeChars.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	schema := "t_" + name + "_" + hex.EncodeToString(suffix)
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("testenv: create schema: %v", err)
	}
	t.Cleanup(func() {
		if os.Getenv("HAOCHAPING_KEEP_TEST_SCHEMA") != "" {
			t.Logf("testenv: kept schema %s", schema)
			return
		}
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("testenv: drop schema %s: %v", schema, err)
		}
	})
	cfg := *base
	cfg.DatabaseURL = WithSearchPath(base.DatabaseURL, schema)
	cfg.DataKey, cfg.PreviousDataKeys = make([]byte, 32), nil
	_, _ = rand.Read(cfg.DataKey)
	cfg.QueuePrefix = schema
	cfg.Demo = true
	cfg.TOTPRequired = false // as in demo mode; a test of the second factor turns it on
	// No test reports upward unless it says where to (a test of the report sets its own).
	cfg.UpwardURL, cfg.Upward = "", config.Upward{}
	clk := clock.NewManual(DefaultNow(t))
	cfg.Clock = clk

	cfg.OwnerDatabaseURL = WithSearchPath(base.OwnerDatabaseURL, schema)
	owner, err := database.Open(ctx, cfg.OwnerDatabaseURL)
	if err != nil {
		t.Fatalf("testenv: open as the owner: %v", err)
	}
	t.Cleanup(owner.Close)
	// Migrated and granted the way every command of the binary does it (app.Env.Migrate); the
	// application's role reaches the schema only then.
	sqlDB, _ := owner.Gorm.DB()
	if err := migrations.Up(ctx, sqlDB, owner.LockKey("migrate")); err != nil {
		t.Fatalf("testenv: migrate: %v", err)
	}
	db := owner
	if cfg.DatabaseURL != cfg.OwnerDatabaseURL {
		app, err := pgconn.ParseConfig(cfg.DatabaseURL)
		if err != nil {
			t.Fatalf("testenv: DATABASE_URL: %v", err)
		}
		if err := migrations.GrantApp(ctx, sqlDB, owner.LockKey("migrate"), schema, app.User); err != nil {
			t.Fatalf("testenv: %v", err)
		}
		if db, err = database.Open(ctx, cfg.DatabaseURL); err != nil {
			t.Fatalf("testenv: open as the application: %v", err)
		}
		t.Cleanup(db.Close)
	}
	keys, err := pii.NewKeys(cfg.DataKey)
	if err != nil {
		t.Fatal(err)
	}
	rdb, err := redisconn.Open(&cfg)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return &Env{T: t, Cfg: &cfg, DB: db, Owner: owner, Keys: keys, Redis: rdb, Prefix: schema, Log: log, Clock: clk}
}

// WithSearchPath returns the URL with its search_path set to schema.
func WithSearchPath(dbURL, schema string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		panic(fmt.Sprintf("testenv: DATABASE_URL: %v", err))
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Exec runs SQL in the test's schema, failing the test on error.
func (e *Env) Exec(sql string, args ...any) {
	e.T.Helper()
	if _, err := e.Owner.Pool.Exec(context.Background(), sql, args...); err != nil {
		e.T.Fatalf("testenv: %s: %v", sql, err)
	}
}

// Count returns the result of a count query.
func (e *Env) Count(sql string, args ...any) int {
	e.T.Helper()
	var n int
	if err := e.DB.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		e.T.Fatalf("testenv: %s: %v", sql, err)
	}
	return n
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
