package database

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The periodic recounts remember, each under a name in rollup_state, how far they got. Reading
// a watermark locks its row until the transaction ends, so two runs of one recount never
// overlap even without the scheduler's lock.

// Watermark reads the named watermark (0 the first time).
func Watermark(ctx context.Context, tx pgx.Tx, name string) (int64, error) {
	var v int64
	err := tx.QueryRow(ctx, `INSERT INTO rollup_state (name) VALUES ($1)
		ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING watermark`, name).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("watermark %s: %w", name, err)
	}
	return v, nil
}

// SetWatermark sets the named watermark.
func SetWatermark(ctx context.Context, tx pgx.Tx, name string, v int64) error {
	if _, err := tx.Exec(ctx, `UPDATE rollup_state SET watermark = $2, updated_at = now() WHERE name = $1`, name, v); err != nil {
		return fmt.Errorf("watermark %s: %w", name, err)
	}
	return nil
}

// TimeWatermark reads a watermark that is an instant (stored as unix microseconds); zero the
// first time.
func TimeWatermark(ctx context.Context, tx pgx.Tx, name string) (time.Time, error) {
	v, err := Watermark(ctx, tx, name)
	if err != nil || v == 0 {
		return time.Time{}, err
	}
	return time.UnixMicro(v), nil
}

// SetTimeWatermark sets an instant watermark.
func SetTimeWatermark(ctx context.Context, tx pgx.Tx, name string, t time.Time) error {
	return SetWatermark(ctx, tx, name, t.UnixMicro())
}
