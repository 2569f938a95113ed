package rectify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/hibiken/asynq"
)

// Task types on the queue.
const (
	TaskDispatch = "rectify:dispatch" // payload: dispatchPayload
	TaskDeadline = "rectify:deadline" // payload: deadlinePayload
	TaskWebhook  = "rectify:webhook"  // payload: webhookPayload
	TaskSMS      = "rectify:sms"      // payload: smsPayload
)

// dispatchPayload names the bad reviews a dispatch task carries: the relay's batch (the rows one
// claim took), or one evaluation (the reconciler's re-send, and tasks queued before batches).
type dispatchPayload struct {
	EvaluationID  int64   `json:"evaluation_id,omitempty"`
	EvaluationIDs []int64 `json:"evaluation_ids,omitempty"`
}

// ids returns the payload's evaluations, or nil if it names none or one that cannot exist.
func (p dispatchPayload) ids() []int64 {
	ids := p.EvaluationIDs
	if p.EvaluationID != 0 {
		ids = append([]int64{p.EvaluationID}, ids...)
	}
	for _, id := range ids {
		if id <= 0 {
			return nil
		}
	}
	return ids
}

// Handler returns the queue's handler for the loop's tasks.
func (s *Service) Handler() asynq.Handler {
	mux := asynq.NewServeMux()
	// Two batches under way at once: one commits while the next gathers.
	batcher := newDispatchBatcher(s, 2, 100)
	mux.HandleFunc(TaskDispatch, func(ctx context.Context, t *asynq.Task) error {
		var p dispatchPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil || len(p.ids()) == 0 {
			return fmt.Errorf("%w: bad payload %q", asynq.SkipRetry, t.Payload())
		}
		return batcher.dispatch(ctx, p.ids()...)
	})
	mux.HandleFunc(TaskDeadline, s.handleDeadline)
	mux.HandleFunc(TaskWebhook, s.handleWebhook)
	mux.HandleFunc(TaskSMS, s.handleSMS)
	return mux
}

// dispatchTaskID names the task that carries an outbox row; a re-send gets a new name so that
// a task stuck in the queue cannot block it.
func dispatchTaskID(evaluationID int64, attempt int) string {
	return taskID("dispatch", evaluationID, attempt)
}

// dispatchBatchTaskID names the task that carries the outbox rows one claim of the relay took
// (ids ascending): by their first and last row and their count, so that a relay that died
// after queueing and before recording it, claiming the same rows again, finds its task there;
// a claim of other rows makes another task, and the dispatcher's unique key makes the overlap
// harmless.
func dispatchBatchTaskID(rowIDs []int64) string {
	return fmt.Sprintf("dispatch-b%d-%d-%d", rowIDs[0], rowIDs[len(rowIDs)-1], len(rowIDs))
}

// taskID is kind-id for the first sending, kind-id-rN for the N-th re-send: a finished or
// dead-lettered task of the old name, which asynq keeps for a while, cannot block a new one.
func taskID(kind string, id int64, resend int) string {
	name := kind + "-" + strconv.FormatInt(id, 10)
	if resend > 0 {
		name += "-r" + strconv.Itoa(resend)
	}
	return name
}
