package app

import (
	"context"
	"errors"
	"fmt"
	"haochaping/internal/config"
	"haochaping/internal/database"
	"haochaping/internal/pii"
	"haochaping/internal/redisconn"
	"haochaping/migrations"
	"log/slog"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
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

// OpenDB connects to PostgreSQL, and prepares the replica of DATABASE_REPLICA_URL if set.
func (e *Env) OpenDB(ctx context.Context) error {
	db, err := database.Open(ctx, e.Cfg.DatabaseURL)
	if err != nil {
		hint := ""
		if e.Cfg.LocalStack == "" && !strings.Contains(os.Getenv("DATABASE_URL"), "://") {
			hint = " (is the local stack running? `make run` or scripts/devstack.sh up)"
		}
		return fmt.Errorf("%w%s", err, hint)
	}
	if e.Cfg.ReplicaDatabaseURL != "" {
		// The dashboard's measures read there; a replica down now is the primary's load until
		// it is up (database.Replica), not a failure to start.
		if db.Replica, err = database.OpenReplica(e.Cfg.ReplicaDatabaseURL, db, e.Log); err != nil {
			db.Close()
			return err
		}
	}
	e.DB = db
	return nil
}

// Migrate applies the migrations as the schema's owner (DATABASE_OWNER_URL) and then grants the
// application's role (DATABASE_URL's user) its rows (migrations.GrantApp). With one URL for
// both, the one role migrates, on e.DB (opened if need be).
func (e *Env) Migrate(ctx context.Context) error {
	if e.Cfg.OwnerDatabaseURL == "" || e.Cfg.OwnerDatabaseURL == e.Cfg.DatabaseURL {
		if e.DB == nil {
			if err := e.OpenDB(ctx); err != nil {
				return err
			}
		}
		return migrateWith(ctx, e.DB)
	}
	app, err := pgconn.ParseConfig(e.Cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	owner, err := database.Open(ctx, e.Cfg.OwnerDatabaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_OWNER_URL: %w", err)
	}
	defer owner.Close()
	if err := migrateWith(ctx, owner); err != nil {
		return err
	}
	sqlDB, err := owner.Gorm.DB()
	if err != nil {
		return err
	}
	return migrations.GrantApp(ctx, sqlDB, owner.LockKey("migrate"), owner.Schema, app.User)
}

// OpenMigrated migrates (as the owner), then connects as the application: the application's
// role reaches the schema only once it has been granted.
func (e *Env) OpenMigrated(ctx context.Context) error {
	if err := e.Migrate(ctx); err != nil {
		return err
	}
	if e.DB != nil {
		return nil
	}
	return e.OpenDB(ctx)
}

// OwnerDB opens the schema's owner (DATABASE_OWNER_URL) for a bulk load of made-up history
// (`haochaping demo`, the benchmarks), which may skip the foreign-key triggers only as a
// superuser; with one URL for both it is e.DB. Call release when done.
func (e *Env) OwnerDB(ctx context.Context) (db *database.DB, release func(), err error) {
	if e.Cfg.OwnerDatabaseURL == "" || e.Cfg.OwnerDatabaseURL == e.Cfg.DatabaseURL {
		return e.DB, func() {}, nil
	}
	db, err = database.Open(ctx, e.Cfg.OwnerDatabaseURL)
	if err != nil {
		return nil, nil, fmt.Errorf("DATABASE_OWNER_URL: %w", err)
	}
	return db, db.Close, nil
}

func migrateWith(ctx context.Context, db *database.DB) error {
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return err
	}
	return migrations.Up(ctx, sqlDB, db.LockKey("migrate"))
}

// CheckRole refuses an application role that could change what it is meant only to append to:
// a superuser (it may skip triggers), a role that bypasses row security, or the owner of the
// schema's tables (it may disable their triggers). Demo mode only warns, so that a quick trial
// on one role still runs.
func (e *Env) CheckRole(ctx context.Context) error {
	var role string
	var super, bypass, owns bool
	err := e.DB.Pool.QueryRow(ctx, `SELECT current_user, r.rolsuper, r.rolbypassrls,
			EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = current_schema() AND t.tableowner = current_user)
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&role, &super, &bypass, &owns)
	if err != nil {
		return fmt.Errorf("check the application's role: %w", err)
	}
	var why []string
	if super {
		why = append(why, "is a superuser")
	}
	if bypass {
		why = append(why, "bypasses row security")
	}
	if owns {
		why = append(why, "owns the tables")
	}
	if len(why) == 0 {
		return nil
	}
	msg := fmt.Sprintf("DATABASE_URL connects as %q, which %s: give the application a role of its own and the migrations DATABASE_OWNER_URL (README, \"The database roles\")", role, strings.Join(why, " and "))
	if e.Cfg.Demo {
		e.Log.Warn(msg + "; accepted in demo mode only")
		return nil
	}
	return errors.New(msg)
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

// OpenRedis creates the Redis client — through the Sentinels when REDIS_SENTINELS is set
// (internal/redisconn); it connects lazily.
func (e *Env) OpenRedis() error {
	rdb, err := redisconn.Open(e.Cfg)
	if err != nil {
		return err
	}
	e.Redis = rdb
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
	steps := []func() error{func() error { return e.OpenMigrated(ctx) }}
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
	if err := e.CheckRole(ctx); err != nil {
		e.Close()
		return nil, nil, err
	}
	if _, _, err := newUpward(e.Cfg, e.DB, e.Keys); err != nil {
		e.Close()
		return nil, nil, err
	}
	return e, New(e.Cfg, e.DB, e.Keys, e.Redis, e.Log), nil
}
