package evaluation

import (
	"context"
	"fmt"

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
