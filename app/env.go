package app

import (
	"context"
	"fmt"
	"haochaping/internal/config"
	"haochaping/internal/database"
	"haochaping/internal/pii"
	"haochaping/migrations"
	"log/slog"
	"os"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Env is what a command of the binary (and a benchmark) may need, opened on demand: the
// settings, the logger, the migrated database, the keys of personal data, Redis.
type Env struct {
	Cfg   *config.Config
	Log   *slog.Logger
	DB    *database.DB
	Keys  *pii.Keys
	Redis redis.UniversalClient
}

// NewEnv loads the settings and the logger of HAOCHAPING_LOG_LEVEL (the default logger too).
func NewEnv() (*Env, error) {
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
	return &Env{Cfg: cfg, Log: log}, nil
}

// OpenDB connects to PostgreSQL.
func (e *Env) OpenDB(ctx context.Context) error {
	db, err := database.Open(ctx, e.Cfg.DatabaseURL)
	if err != nil {
		hint := ""
		if e.Cfg.LocalStack == "" && !strings.Contains(os.Getenv("DATABASE_URL"), "://") {
			hint = " (is the local stack running? `make run` or scripts/devstack.sh up)"
		}
		return fmt.Errorf("%w%s", err, hint)
	}
	e.DB = db
	return nil
}

// Migrate applies the migrations.
func (e *Env) Migrate(ctx context.Context) error {
	sqlDB, err := e.DB.Gorm.DB()
	if err != nil {
		return err
	}
	return migrations.Up(ctx, sqlDB, e.DB.LockKey("migrate"))
}

// OpenKeys derives the keys for personal data.
func (e *Env) OpenKeys() error {
	if err := e.Cfg.RequireDataKey(); err != nil {
		return err
	}
	keys, err := pii.NewKeys(e.Cfg.DataKey, e.Cfg.PreviousDataKeys...)
	if err != nil {
		return err
	}
	e.Keys = keys
	return nil
}

// OpenRedis creates the Redis client; it connects lazily.
func (e *Env) OpenRedis() error {
	opts, err := redis.ParseURL(e.Cfg.RedisURL)
	if err != nil {
		return fmt.Errorf("parse REDIS_URL: %w", err)
	}
	e.Redis = redis.NewClient(opts)
	return nil
}

// Close closes what was opened.
func (e *Env) Close() {
	if e.Redis != nil {
		_ = e.Redis.Close()
	}
	if e.DB != nil {
		e.DB.Close()
	}
}

// Needs say what a command opens besides the migrated database.
type Needs struct{ Keys, Redis bool }

// Open loads the settings and opens what a command needs: the database (migrated), and on
// request the data keys and Redis. The caller closes the Env.
func Open(ctx context.Context, n Needs) (*Env, error) {
	e, err := NewEnv()
	if err != nil {
		return nil, err
	}
	steps := []func() error{func() error { return e.OpenDB(ctx) }, func() error { return e.Migrate(ctx) }}
	if n.Keys {
		steps = append(steps, e.OpenKeys)
	}
	if n.Redis {
		steps = append(steps, e.OpenRedis)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

// OpenApp opens everything and assembles the system. The caller closes both (the app first).
func OpenApp(ctx context.Context) (*Env, *App, error) {
	e, err := Open(ctx, Needs{Keys: true, Redis: true})
	if err != nil {
		return nil, nil, err
	}
	return e, New(e.Cfg, e.DB, e.Keys, e.Redis, e.Log), nil
}
