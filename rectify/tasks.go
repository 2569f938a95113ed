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

type dispatchPayload struct {
	EvaluationID int64 `json:"evaluation_id"`
}

// Handler returns the queue's handler for the loop's tasks.
func (s *Service) Handler() asynq.Handler {
	mux := asynq.NewServeMux()
	// Two batches under way at once: one commits while the next gathers.
	batcher := newDispatchBatcher(s, 2, 100)
	mux.HandleFunc(TaskDispatch, func(ctx context.Context, t *asynq.Task) error {
		var p dispatchPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil || p.EvaluationID <= 0 {
			return fmt.Errorf("%w: bad payload %q", asynq.SkipRetry, t.Payload())
		}
		return batcher.dispatch(ctx, p.EvaluationID)
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

// taskID is kind-id for the first sending, kind-id-rN for the N-th re-send: a finished or
// dead-lettered task of the old name, which asynq keeps for a while, cannot block a new one.
func taskID(kind string, id int64, resend int) string {
	name := kind + "-" + strconv.FormatInt(id, 10)
	if resend > 0 {
		name += "-r" + strconv.Itoa(resend)
	}
	return name
}
