package evaluation

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The outbox carries each bad review to the dispatcher. Its row is written with the bad review,
// in the same statement (committer.go), which is why this package owns the table; the relay,
// the dispatcher and the reconciler of package rectify move a row along through the functions
// below. The times are the database's: they pace the plumbing, not any rule.

// OutboxRow is a bad review on its way to its work order.
type OutboxRow struct {
	ID           int64
	EvaluationID int64
	TaskID       string // the queue task that carries it now; empty before the first hand-over
	Attempts     int
}

// ClaimUnpublished locks, in tx, up to limit rows not yet handed to the queue, oldest first,
// passing over those another relay holds.
func ClaimUnpublished(ctx context.Context, tx pgx.Tx, limit int) ([]OutboxRow, error) {
	rows, err := tx.Query(ctx, `
		SELECT id, evaluation_id, COALESCE(task_id, ''), attempts FROM outbox
		WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: claim rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[OutboxRow])
	if err != nil {
		return nil, fmt.Errorf("outbox: claim rows: %w", err)
	}
	return out, nil
}

// MarkAllPublished records that the queue took the rows ids, each under its task of taskIDs.
func MarkAllPublished(ctx context.Context, tx pgx.Tx, ids []int64, taskIDs []string) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `
		UPDATE outbox o SET published_at = now(), sent_at = now(), task_id = r.task_id,
		       attempts = o.attempts + 1, last_error = ''
		FROM unnest($1::bigint[], $2::text[]) AS r(id, task_id) WHERE o.id = r.id`, ids, taskIDs); err != nil {
		return fmt.Errorf("outbox: mark published: %w", err)
	}
	return nil
}

// RecordFailedAttempt notes why the queue did not take the row (it waits for the next try).
func RecordFailedAttempt(ctx context.Context, tx pgx.Tx, id int64, cause error) error {
	if _, err := tx.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, id, cause.Error()); err != nil {
		return fmt.Errorf("outbox: record attempt: %w", err)
	}
	return nil
}

// MarkAllDispatched records, in the transaction that made them, that the bad reviews have
// their work orders.
func MarkAllDispatched(ctx context.Context, tx pgx.Tx, evaluationIDs []int64) error {
	if _, err := tx.Exec(ctx, `UPDATE outbox SET dispatched_at = now() WHERE evaluation_id = ANY($1) AND dispatched_at IS NULL`, evaluationIDs); err != nil {
		return fmt.Errorf("outbox: mark dispatched: %w", err)
	}
	return nil
}

// StaleSent returns up to 1,000 rows handed to the queue more than after ago that still have no
// work order, oldest first.
func StaleSent(ctx context.Context, pool *pgxpool.Pool, after time.Duration) ([]OutboxRow, error) {
	rows, err := pool.Query(ctx, `
		SELECT id, evaluation_id, COALESCE(task_id, ''), attempts FROM outbox
		WHERE dispatched_at IS NULL AND published_at IS NOT NULL AND sent_at < now() - $1::interval
		ORDER BY id LIMIT 1000`, fmt.Sprintf("%d milliseconds", after.Milliseconds()))
	if err != nil {
		return nil, fmt.Errorf("outbox: find stale rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[OutboxRow])
	if err != nil {
		return nil, fmt.Errorf("outbox: find stale rows: %w", err)
	}
	return out, nil
}

// MarkResent records that the row was handed to the queue again, under a new task.
func MarkResent(ctx context.Context, pool *pgxpool.Pool, id int64, taskID string) error {
	if _, err := pool.Exec(ctx, `UPDATE outbox SET task_id = $2, sent_at = now(), attempts = attempts + 1
		WHERE id = $1`, id, taskID); err != nil {
		return fmt.Errorf("outbox: mark re-sent: %w", err)
	}
	return nil
}
