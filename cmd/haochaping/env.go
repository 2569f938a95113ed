package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/redis/go-redis/v9"

	"haochaping/app"
	"haochaping/internal/config"
	"haochaping/internal/database"
	"haochaping/internal/pii"
	"haochaping/migrations"
)

// env is what every subcommand may need, opened on demand.
type env struct {
	cfg  *config.Config
	log  *slog.Logger
	db   *database.DB
	keys *pii.Keys
	rdb  redis.UniversalClient
}

func newEnv() (*env, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, fmt.Errorf("HAOCHAPING_LOG_LEVEL=%q: %w", cfg.LogLevel, err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(log)
	return &env{cfg: cfg, log: log}, nil
}

// openDB connects to PostgreSQL.
func (e *env) openDB(ctx context.Context) error {
	db, err := database.Open(ctx, e.cfg.DatabaseURL)
	if err != nil {
		hint := ""
		if e.cfg.LocalStack == "" && !strings.Contains(os.Getenv("DATABASE_URL"), "://") {
			hint = " (is the local stack running? `make run` or scripts/devstack.sh up)"
		}
		return fmt.Errorf("%w%s", err, hint)
	}
	e.db = db
	return nil
}

// migrate applies the migrations.
func (e *env) migrate(ctx context.Context) error {
	sqlDB, err := e.db.Gorm.DB()
	if err != nil {
		return err
	}
	return migrations.Up(ctx, sqlDB, e.db.LockKey("migrate"))
}

// openKeys derives the keys for personal data.
func (e *env) openKeys() error {
	if err := e.cfg.RequireDataKey(); err != nil {
		return err
	}
	keys, err := pii.NewKeys(e.cfg.DataKey)
	if err != nil {
		return err
	}
	e.keys = keys
	return nil
}

// openRedis creates the Redis client; it connects lazily.
func (e *env) openRedis() error {
	opts, err := redis.ParseURL(e.cfg.RedisURL)
	if err != nil {
		return fmt.Errorf("parse REDIS_URL: %w", err)
	}
	e.rdb = redis.NewClient(opts)
	return nil
}

func (e *env) close() {
	if e.rdb != nil {
		_ = e.rdb.Close()
	}
	if e.db != nil {
		e.db.Close()
	}
}

// needs say what a subcommand opens besides the migrated database.
type needs struct{ keys, redis bool }

// open loads the settings and opens what a subcommand needs: the database (migrated), and on
// request the data keys and Redis. The caller closes the env.
func open(ctx context.Context, n needs) (*env, error) {
	e, err := newEnv()
	if err != nil {
		return nil, err
	}
	steps := []func() error{func() error { return e.openDB(ctx) }, func() error { return e.migrate(ctx) }}
	if n.keys {
		steps = append(steps, e.openKeys)
	}
	if n.redis {
		steps = append(steps, e.openRedis)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			e.close()
			return nil, err
		}
	}
	return e, nil
}

// openApp opens everything and assembles the system. The caller closes both (the app first).
func openApp(ctx context.Context) (*env, *app.App, error) {
	e, err := open(ctx, needs{keys: true, redis: true})
	if err != nil {
		return nil, nil, err
	}
	return e, app.New(e.cfg, e.db, e.keys, e.rdb, e.log), nil
}

// switchOn is `haochaping <thing> enable|disable NAME`, shared by devices and users: set turns
// the named one on or off.
func switchOn(ctx context.Context, thing string, args []string, set func(ctx context.Context, name string, on bool) error) error {
	if len(args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: haochaping %s %s NAME\n", thing, args[0])
		return errUsage
	}
	if err := set(ctx, args[1], args[0] == "enable"); err != nil {
		return err
	}
	fmt.Printf("%s %s %sd\n", thing, args[1], args[0])
	return nil
}
