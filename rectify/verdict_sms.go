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

// The text message that asks a real-name evaluator for their verdict once the unit fed back.
// It is a row of evaluator_sms written in the feedback's transaction, so that it exists exactly
// when the feedback does; once that commits it is handed to the queue (the notify queue, beside
// the webhooks), whose task sends it through the configured sms.Sender and is retried with
// backoff when the gateway fails. A row the queue lost (Redis down at the commit, a task
// dead-lettered) is handed over again by ResendSMS, a job. Delivery is at least once: a send
// whose success could not be recorded is sent again.

// LinkMaker makes the evaluation link of a case and stage (evaluation.Service).
type LinkMaker interface {
	LinkToken(caseID int64, stage evaluation.Stage) string
	EvaluationURL(token string) string
}

type smsPayload struct {
	SMSID int64 `json:"sms_id"`
}

// requestVerdict stores the message asking the evaluator of w to rate the fix through their
// evaluation link, until the end of the verdict window. A review without a case — a window
// visit rated by its ticket — has no link, and gets no message: staff may record the
// evaluator's satisfaction on their behalf (FeedbackInput.Satisfaction).
func (s *Service) requestVerdict(ctx context.Context, tx pgx.Tx, fx *effects, w *WorkOrder) error {
	if !w.RealName || s.Links == nil {
		return nil
	}
	var caseID *int64
	var stage *string
	var item, unit string
	err := tx.QueryRow(ctx, `
		SELECT e.case_id, e.stage, COALESCE(i.name, ''), d.name
		FROM evaluations e LEFT JOIN service_items i ON i.id = e.item_id, departments d
		WHERE e.id = $1 AND d.id = $2`, w.EvaluationID, w.DepartmentID).Scan(&caseID, &stage, &item, &unit)
	if err != nil {
		return fmt.Errorf("read the evaluation of work order %d: %w", w.ID, err)
	}
	if caseID == nil || stage == nil {
		return nil
	}
	days, err := verdictDays(ctx, tx, w.RegionID)
	if err != nil {
		return err
	}
	link := s.Links.EvaluationURL(s.Links.LinkToken(*caseID, evaluation.Stage(*stage)))
	body := VerdictRequestSMS(item, unit, w.Decision == "explain", link, VerdictDeadline(s.now(), days))
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO evaluator_sms (work_order_id, purpose, body, created_at)
		VALUES ($1, 'verdict_request', $2, $3) RETURNING id`, w.ID, body, s.now()).Scan(&id); err != nil {
		return fmt.Errorf("store the verdict request of work order %d: %w", w.ID, err)
	}
	fx.sms = append(fx.sms, id)
	return nil
}

// smsTaskID names the task that carries a message (taskID: the sweep's re-sends get new names).
func smsTaskID(id int64, resend int) string { return taskID("sms", id, resend) }

// queueSMS hands a message to the queue and records when. If the queue refuses, the message
// waits in its table for ResendSMS.
func (s *Service) queueSMS(ctx context.Context, id int64, resend int) {
	if err := s.enqueueSMS(ctx, id, resend); err != nil {
		s.Log.Warn("sms not queued; the resend job will hand it over", "sms", id, "err", err)
	}
}

func (s *Service) enqueueSMS(ctx context.Context, id int64, resend int) error {
	payload, _ := json.Marshal(smsPayload{SMSID: id})
	_, err := s.Queue.Client.EnqueueContext(ctx, asynq.NewTask(TaskSMS, payload),
		asynq.Queue(s.Queue.Name(queue.Notify)), asynq.TaskID(smsTaskID(id, resend)),
		asynq.MaxRetry(12), asynq.Retention(24*time.Hour))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("queue sms %d: %w", id, err)
	}
	if _, err := s.DB.Pool.Exec(ctx, `UPDATE evaluator_sms SET queued_at = $2, resends = $3 WHERE id = $1`,
		id, s.now(), resend); err != nil {
		return fmt.Errorf("mark sms %d queued: %w", id, err)
	}
	return nil
}

// handleSMS sends one message, holding its row so that two deliveries of it never send at
// once; a failed send is recorded and returned, for the queue to retry.
func (s *Service) handleSMS(ctx context.Context, t *asynq.Task) error {
	var p smsPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.SMSID <= 0 {
		return fmt.Errorf("%w: bad payload %q", asynq.SkipRetry, t.Payload())
	}
	if s.SMS == nil {
		return fmt.Errorf("sms %d: no sender configured", p.SMSID)
	}
	var sendErr error
	err := pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		var body string
		var sent *time.Time
		var sealed []byte
		err := tx.QueryRow(ctx, `
			SELECT m.body, m.sent_at, e.evaluator_phone_enc
			FROM evaluator_sms m JOIN work_orders w ON w.id = m.work_order_id JOIN evaluations e ON e.id = w.evaluation_id
			WHERE m.id = $1 FOR UPDATE OF m`, p.SMSID).Scan(&body, &sent, &sealed)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && (sent != nil || sealed == nil)) {
			return nil // gone, already sent, or nobody to send it to
		}
		if err != nil {
			return fmt.Errorf("load sms %d: %w", p.SMSID, err)
		}
		phone, err := s.Keys.Open(sealed)
		if err != nil {
			return fmt.Errorf("%w: open the phone of sms %d: %v", asynq.SkipRetry, p.SMSID, err)
		}
		if sendErr = s.SMS.Send(ctx, phone, body); sendErr != nil {
			return nil // recorded below, outside this transaction
		}
		if _, err := tx.Exec(ctx, `UPDATE evaluator_sms SET sent_at = $2, attempts = attempts + 1, last_error = '' WHERE id = $1`,
			p.SMSID, s.now()); err != nil {
			return fmt.Errorf("mark sms %d sent: %w", p.SMSID, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if sendErr != nil {
		if _, err := s.DB.Pool.Exec(ctx, `UPDATE evaluator_sms SET attempts = attempts + 1, last_error = left($2, 500) WHERE id = $1`,
			p.SMSID, sendErr.Error()); err != nil {
			s.Log.Warn("sms failure not recorded", "sms", p.SMSID, "err", err)
		}
		return fmt.Errorf("send sms %d: %w", p.SMSID, sendErr)
	}
	return nil
}

// ResendSMS hands over again every unsent message whose task is no longer on its way a minute
// (ResendAfter) after it was last handed to the queue: lost with Redis, or dead-lettered after
// its retries. It returns how many it handed over. It is the evaluator_sms job's.
func (s *Service) ResendSMS(ctx context.Context) (int, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT id, resends FROM evaluator_sms
		WHERE sent_at IS NULL AND COALESCE(queued_at, created_at) < $1
		ORDER BY id LIMIT 1000`, s.now().Add(-s.resendAfter()))
	if err != nil {
		return 0, fmt.Errorf("find unsent sms: %w", err)
	}
	type unsent struct {
		id      int64
		resends int
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (unsent, error) {
		var u unsent
		return u, r.Scan(&u.id, &u.resends)
	})
	if err != nil {
		return 0, fmt.Errorf("find unsent sms: %w", err)
	}
	n := 0
	for _, u := range found {
		if s.smsTaskOnItsWay(smsTaskID(u.id, u.resends)) {
			continue
		}
		if err := s.enqueueSMS(ctx, u.id, u.resends+1); err != nil {
			return n, fmt.Errorf("resend sms: %w", err)
		}
		n++
	}
	return n, nil
}

// smsTaskOnItsWay reports whether a message's task will still run by itself: waiting, retrying
// or running (a message is small: a running task whose worker died is retried by asynq's
// recoverer, so it counts as on its way too).
func (s *Service) smsTaskOnItsWay(taskID string) bool {
	info, err := s.Queue.Inspector.GetTaskInfo(s.Queue.Name(queue.Notify), taskID)
	if err != nil {
		return false
	}
	switch info.State {
	case asynq.TaskStatePending, asynq.TaskStateScheduled, asynq.TaskStateRetry, asynq.TaskStateActive:
		return true
	}
	return false
}
