// Package migrations holds the versioned SQL of the schema, embedded in the binary, and
// applies it with goose.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed *.sql
var files embed.FS

// Up applies every migration not yet applied. lockID keeps two instances starting at once
// from migrating the same schema together.
func Up(ctx context.Context, db *sql.DB, lockID int64) error {
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID), lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range results {
		slog.Debug("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

// Version reports the applied version and the newest one the binary carries.
func Version(ctx context.Context, db *sql.DB) (current, latest int64, err error) {
	p, err := goose.NewProvider(goose.DialectPostgres, db, files)
	if err != nil {
		return 0, 0, fmt.Errorf("load migrations: %w", err)
	}
	return p.GetVersions(ctx)
}
