package rectify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"

	"haochaping/evaluation"
	"haochaping/internal/queue"
)

// relayPoll is how often the relay looks for outbox rows without a notification: NOTIFY is a
// wake-up, not the data, and a relay that missed one still finds its rows.
const relayPoll = 2 * time.Second

// RunRelay moves outbox rows to the queue until ctx ends. It wakes on NOTIFY outbox_<schema>
// (sent on commit by the outbox trigger) and polls every few seconds besides. Several relays
// may run at once: each row is claimed with FOR UPDATE SKIP LOCKED.
func (s *Service) RunRelay(ctx context.Context) error {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		err := s.listenAndRelay(ctx)
		if ctx.Err() != nil {
			return nil
		}
		backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
		s.Log.Warn("outbox relay interrupted; retrying", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
	}
	return nil
}

func (s *Service) listenAndRelay(ctx context.Context) error {
	conn, err := s.DB.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("relay: acquire connection: %w", err)
	}
	defer conn.Release()
	channel := s.DB.Channel("outbox")
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("relay: listen: %w", err)
	}
	defer func() {
		// The connection goes back to the pool: stop listening on it.
		_, _ = conn.Exec(context.Background(), "UNLISTEN *")
	}()
	for {
		// Drain whatever is pending, then wait for a wake-up or the poll interval.
		for {
			n, err := s.RelayOnce(ctx)
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
		}
		wait, cancel := context.WithTimeout(ctx, relayPoll)
		_, err := conn.Conn().WaitForNotification(wait)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("relay: wait: %w", err)
		}
	}
}

// RelayOnce publishes up to 100 unpublished outbox rows and returns how many it published.
// The rows one claim took go to the queue as one task (a row that names a task of its own
// already keeps it): a task a row cost the queue three round trips and a Lua script each, and
// the dispatch a transaction for every few rows, under a burst the slowest steps of the loop. A
// row is marked published only after the queue accepted it; if the relay dies in between, the
// row is published again and the queue refuses the duplicate task ID. The rows the queue took
// are marked in one statement.
func (s *Service) RelayOnce(ctx context.Context) (int, error) {
	published := 0
	err := pgx.BeginTxFunc(ctx, s.DB.Pool, genericPlans, func(tx pgx.Tx) error {
		claimed, err := evaluation.ClaimUnpublished(ctx, tx, 100)
		if err != nil {
			return fmt.Errorf("relay: %w", err)
		}
		var ids []int64
		var taskIDs []string
		var batchRows, batchEvals []int64
		for _, r := range claimed {
			if r.TaskID == "" {
				batchRows, batchEvals = append(batchRows, r.ID), append(batchEvals, r.EvaluationID)
				continue
			}
			if err = s.enqueueDispatch(ctx, r.EvaluationID, r.TaskID); err != nil {
				// Keep what was published so far; record why the rest waits.
				_ = evaluation.RecordFailedAttempt(ctx, tx, r.ID, err)
				break
			}
			ids, taskIDs = append(ids, r.ID), append(taskIDs, r.TaskID)
		}
		if err == nil && len(batchRows) > 0 {
			taskID := dispatchBatchTaskID(batchRows)
			if err = s.enqueueDispatchBatch(ctx, batchEvals, taskID); err != nil {
				for _, id := range batchRows {
					_ = evaluation.RecordFailedAttempt(ctx, tx, id, err)
				}
			} else {
				for _, id := range batchRows {
					ids, taskIDs = append(ids, id), append(taskIDs, taskID)
				}
			}
		}
		if len(ids) == 0 && err != nil {
			return errRelayQueueDown{err}
		}
		if err := evaluation.MarkAllPublished(ctx, tx, ids, taskIDs); err != nil {
			return fmt.Errorf("relay: %w", err)
		}
		published = len(ids)
		return nil
	})
	var down errRelayQueueDown
	if errors.As(err, &down) {
		// The attempt counts were rolled back with the transaction; that is fine, the row waits.
		return 0, fmt.Errorf("relay: the queue refused: %w", down.err)
	}
	if err != nil {
		return 0, err
	}
	return published, nil
}

type errRelayQueueDown struct{ err error }

func (e errRelayQueueDown) Error() string { return e.err.Error() }

// enqueueDispatch hands a dispatch task of one evaluation to the queue under taskID; a task of
// that ID already there counts as handed over.
func (s *Service) enqueueDispatch(ctx context.Context, evaluationID int64, taskID string) error {
	return s.enqueueDispatchPayload(ctx, dispatchPayload{EvaluationID: evaluationID}, taskID)
}

// enqueueDispatchBatch hands a dispatch task of several evaluations to the queue, as
// enqueueDispatch.
func (s *Service) enqueueDispatchBatch(ctx context.Context, evaluationIDs []int64, taskID string) error {
	if len(evaluationIDs) == 1 {
		return s.enqueueDispatch(ctx, evaluationIDs[0], taskID)
	}
	return s.enqueueDispatchPayload(ctx, dispatchPayload{EvaluationIDs: evaluationIDs}, taskID)
}

func (s *Service) enqueueDispatchPayload(ctx context.Context, p dispatchPayload, taskID string) error {
	payload, _ := json.Marshal(p)
	_, err := s.Queue.Client.EnqueueContext(ctx, asynq.NewTask(TaskDispatch, payload),
		asynq.Queue(s.Queue.Name(queue.Dispatch)), asynq.TaskID(taskID),
		asynq.MaxRetry(25), asynq.Retention(7*24*time.Hour))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	return err
}
