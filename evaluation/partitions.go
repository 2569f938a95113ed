package evaluation

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/bjtime"
)

// PartitionMonthsAhead is how many months past the current one have their partition of
// evaluations made in advance (migration 00031).
const PartitionMonthsAhead = 12

// EnsurePartitions makes the monthly partitions of evaluations that are missing, up to
// PartitionMonthsAhead months after the business clock's month, and moves any rows that waited
// in the DEFAULT partition into their month's (SQL ensure_evaluation_partitions). It returns how
// many partitions it made. The function runs as the schema's owner, so the application's role
// may call it.
func (s *Service) EnsurePartitions(ctx context.Context) (int64, error) {
	until := bjtime.Day(s.Now()).AddDate(0, PartitionMonthsAhead, 0)
	var made int64
	if err := s.db.Pool.QueryRow(ctx, `SELECT ensure_evaluation_partitions($1::date)`, until).Scan(&made); err != nil {
		return 0, fmt.Errorf("ensure evaluation partitions until %s: %w", until.Format("2006-01-02"), err)
	}
	return made, nil
}

// MakePartitionsFor makes the monthly partitions of evaluations for the service days from to
// through (a history loaded in bulk, whose months are in the past), so that its rows go
// straight into their months: left to DEFAULT, each month would be copied again when the
// daily job made it. It returns how many it made.
func MakePartitionsFor(ctx context.Context, q rowQuerier, from, through time.Time) (int64, error) {
	var made int64
	if err := q.QueryRow(ctx, `SELECT count(*) FILTER (WHERE evaluation_partition(m::date))
		FROM generate_series(date_trunc('month', $1::date), $2::date, interval '1 month') m`,
		from.Format(time.DateOnly), through.Format(time.DateOnly)).Scan(&made); err != nil {
		return 0, fmt.Errorf("make the partitions of evaluations from %s to %s: %w",
			from.Format(time.DateOnly), through.Format(time.DateOnly), err)
	}
	return made, nil
}

// rowQuerier is what a pool and a transaction both answer.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
