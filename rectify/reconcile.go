package rectify

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"haochaping/evaluation"
	"haochaping/internal/queue"
)

// Reconcile sends again every outbox row whose work order does not exist a minute (ResendAfter)
// after it was handed to the queue, unless its task is still on its way (pending, scheduled,
// retrying, or held by a live worker). A task that was lost (Redis restarted without it),
// orphaned (its worker died) or dead-lettered is replaced by a new task of a new ID; the
// dispatcher's unique key makes any late duplicate harmless. It returns how many rows it sent.
func (s *Service) Reconcile(ctx context.Context) (int, error) {
	found, err := evaluation.StaleSent(ctx, s.DB.Pool, s.resendAfter())
	if err != nil {
		return 0, fmt.Errorf("reconcile: %w", err)
	}
	if len(found) == 0 {
		return 0, nil
	}
	orphaned := s.orphanedTasks()
	sent := 0
	for _, r := range found {
		if r.TaskID != "" && s.taskOnItsWay(r.TaskID, orphaned) {
			continue
		}
		taskID := dispatchTaskID(r.EvaluationID, r.Attempts)
		if err := s.enqueueDispatch(ctx, r.EvaluationID, taskID); err != nil {
			return sent, fmt.Errorf("reconcile: re-send evaluation %d: %w", r.EvaluationID, err)
		}
		if err := evaluation.MarkResent(ctx, s.DB.Pool, r.ID, taskID); err != nil {
			return sent, fmt.Errorf("reconcile: %w", err)
		}
		s.Log.Info("outbox row re-sent", "evaluation", r.EvaluationID, "task", taskID)
		sent++
	}
	return sent, nil
}

// orphanedTasks returns the IDs of the dispatch tasks held by workers whose lease expired
// (a dead worker's). The inspector marks them only when listing active tasks.
func (s *Service) orphanedTasks() map[string]bool {
	out := map[string]bool{}
	active, err := s.Queue.Inspector.ListActiveTasks(s.Queue.Name(queue.Dispatch), asynq.PageSize(10000))
	if err != nil {
		return out
	}
	for _, t := range active {
		if t.IsOrphaned {
			out[t.ID] = true
		}
	}
	return out
}

// taskOnItsWay reports whether a task will still run by itself.
func (s *Service) taskOnItsWay(taskID string, orphaned map[string]bool) bool {
	info, err := s.Queue.Inspector.GetTaskInfo(s.Queue.Name(queue.Dispatch), taskID)
	if err != nil {
		if !errors.Is(err, asynq.ErrTaskNotFound) && !errors.Is(err, asynq.ErrQueueNotFound) {
			s.Log.Warn("reconcile: cannot inspect task", "task", taskID, "err", err)
		}
		return false
	}
	switch info.State {
	case asynq.TaskStatePending, asynq.TaskStateScheduled, asynq.TaskStateRetry:
		return true
	case asynq.TaskStateActive:
		return !orphaned[taskID]
	}
	return false // completed without a work order, archived (dead letter), aggregating
}
