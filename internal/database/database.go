// Package database opens the PostgreSQL pool shared by the hot paths (pgx, SQL you can read)
// and by the record-keeping code (gorm on the same pool). It owns rollup_state, where the
// periodic recounts keep their watermarks (watermark.go).
package database

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"haochaping/internal/refcache"
)

// DB is one connection pool seen two ways, and the replica the reports may read instead.
type DB struct {
	Pool *pgxpool.Pool
	Gorm *gorm.DB
	// Replica is the streaming replica of DATABASE_REPLICA_URL; nil: none. Only what reads
	// without needing its own writes asks for it (the dashboard's measures): every other query
	// uses Pool, the primary.
	Replica *Replica
	// Schema is the schema the connections work in (search_path). Names that PostgreSQL
	// shares across schemas — advisory locks, NOTIFY channels — are made from it, so that
	// several deployments (or parallel tests) can share one database.
	Schema string
	// RefData tells the reference-data caches (internal/refcache) of this database when to
	// forget: ListenRefData makes it listen; until then they read through.
	RefData *refcache.Generations
}

// Open connects to url and checks that the server answers. A search_path parameter in the
// URL selects the schema.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	cfg.ConnConfig.RuntimeParams["timezone"] = "Asia/Shanghai"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	var schema string
	if err := pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if schema == "" {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: the search_path names no existing schema")
	}
	gdb, err := gorm.Open(postgres.New(postgres.Config{Conn: stdlib.OpenDBFromPool(pool)}), &gorm.Config{
		Logger:                 logger.Default.LogMode(logger.Silent),
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open gorm: %w", err)
	}
	return &DB{Pool: pool, Gorm: gdb, Schema: schema, RefData: refcache.NewGenerations()}, nil
}

// Close releases every connection.
func (db *DB) Close() {
	if sqlDB, err := db.Gorm.DB(); err == nil {
		_ = sqlDB.Close()
	}
	db.Replica.Close()
	db.Pool.Close()
}

// LockKey turns a name into an advisory-lock key that is distinct per schema.
func (db *DB) LockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(db.Schema))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// Channel names a NOTIFY channel of this schema.
func (db *DB) Channel(name string) string {
	return name + "_" + db.Schema
}

// ListenRefData listens for changes of reference data (NOTIFY refdata_<schema>, migration
// 00028) until ctx ends, so that the caches of RefData may keep what they read.
func (db *DB) ListenRefData(ctx context.Context, log *slog.Logger) {
	db.RefData.Listen(ctx, db.Pool, db.Channel("refdata"), log)
}
