package rectify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"

	"haochaping/internal/queue"
)

type deadlinePayload struct {
	WorkOrderID int64  `json:"work_order_id"`
	Step        string `json:"step"`
	Kind        string `json:"kind"` // remind or overdue
	Due         int64  `json:"due"`  // unix seconds: a task for an older deadline is stale
}

// ReminderLead is how long before a deadline the handler is reminded.
const ReminderLead = 4 * time.Hour

// scheduleDeadlines queues, for the open steps of a work order, a reminder before each
// deadline and an overdue check at it. If the queue is down they are not queued; the overdue
// sweep of the jobs still finds what is late.
func (s *Service) scheduleDeadlines(ctx context.Context, w *WorkOrder) {
	type step struct {
		name string
		due  time.Time
		open bool
	}
	for _, st := range []step{{StepCallback, w.Deadlines.Callback, w.callbackStepOpen()}, {StepRectify, w.Deadlines.Rectify, w.rectifyStepOpen()}} {
		if !st.open {
			continue
		}
		for _, kind := range []string{"remind", "overdue"} {
			at := st.due
			if kind == "remind" {
				at = st.due.Add(-ReminderLead)
				if at.Before(s.now()) {
					continue
				}
			}
			p := deadlinePayload{WorkOrderID: w.ID, Step: st.name, Kind: kind, Due: st.due.Unix()}
			raw, _ := json.Marshal(p)
			id := fmt.Sprintf("deadline-%d-%s-%s-%d", w.ID, st.name, kind, p.Due)
			// The queue waits on the machine's clock, the deadline is in business time: the
			// wait is how far the deadline lies ahead of the business clock, so that a task
			// never falls due only because the machine's hour passed the business one.
			_, err := s.Queue.Client.EnqueueContext(ctx, asynq.NewTask(TaskDeadline, raw),
				asynq.Queue(s.Queue.Name(queue.Deadlines)), asynq.TaskID(id), asynq.ProcessIn(at.Sub(s.now())+time.Second),
				asynq.MaxRetry(20), asynq.Retention(24*time.Hour))
			if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
				s.Log.Warn("deadline task not queued; the overdue sweep will cover it", "work_order", w.ID, "err", err)
			}
		}
	}
}

func (s *Service) handleDeadline(ctx context.Context, t *asynq.Task) error {
	var p deadlinePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("%w: bad payload", asynq.SkipRetry)
	}
	if p.Kind == "overdue" {
		_, err := s.SweepOverdue(ctx, p.WorkOrderID)
		return err
	}
	return s.remind(ctx, p)
}

// remind tells the handler a deadline is near, if the step is still owed and the deadline
// has not moved since the reminder was queued.
func (s *Service) remind(ctx context.Context, p deadlinePayload) error {
	fx := &effects{}
	err := pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		w, err := loadForUpdate(ctx, tx, p.WorkOrderID)
		if err != nil {
			return err
		}
		due, open := w.Deadlines.Callback, w.callbackStepOpen()
		if p.Step == StepRectify {
			due, open = w.Deadlines.Rectify, w.rectifyStepOpen()
		}
		if !open || due.Unix() != p.Due {
			return nil
		}
		if err := s.appendEvent(ctx, tx, w, Remind, w.State, nil, SystemActor, "system", ReminderNote(p.Step), map[string]any{"step": p.Step}, nil); err != nil {
			return err
		}
		return s.notify(ctx, tx, fx, w, ReminderNotice(w.Number, p.Step, due))
	})
	if err != nil {
		return err
	}
	s.afterCommit(ctx, fx)
	return nil
}

// SweepOverdue marks the steps whose deadline passed undone — of one work order, or of all
// when id is 0 — records it, and escalates to the unit head and the office. It returns how
// many steps it marked. It is what the overdue job runs, and what the queued check at each
// deadline runs for its work order.
func (s *Service) SweepOverdue(ctx context.Context, id int64) (int, error) {
	fx := &effects{}
	marked := 0
	err := pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT w.id, 'callback' FROM work_orders w
			WHERE NOT w.callback_overdue AND w.callback_due < $1 AND w.state = 'pending_callback'
			  AND ($2 = 0 OR w.id = $2)
			UNION ALL
			SELECT w.id, 'rectify' FROM work_orders w
			WHERE NOT w.rectify_overdue AND w.rectify_due < $1
			  AND (w.state IN ('pending_callback', 'verified', 'rectifying_now', 'rectifying_deadline')
			       OR (w.real_name AND w.state IN ('rectified', 'explained')))
			  AND ($2 = 0 OR w.id = $2)
			ORDER BY 1, 2`, s.now(), id)
		if err != nil {
			return fmt.Errorf("find overdue steps: %w", err)
		}
		type late struct {
			id   int64
			step string
		}
		var found []late
		for rows.Next() {
			var l late
			if err := rows.Scan(&l.id, &l.step); err != nil {
				rows.Close()
				return err
			}
			found = append(found, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, l := range found {
			w, err := loadForUpdate(ctx, tx, l.id)
			if err != nil {
				return err
			}
			column, due := "callback_overdue", w.Deadlines.Callback
			if l.step == StepRectify {
				column, due = "rectify_overdue", w.Deadlines.Rectify
			}
			if _, err := tx.Exec(ctx, `UPDATE work_orders SET `+column+` = true, escalated_at = COALESCE(escalated_at, $2),
				updated_at = $2 WHERE id = $1`, w.ID, s.now()); err != nil {
				return fmt.Errorf("mark overdue: %w", err)
			}
			data := map[string]any{"step": l.step, "due": due}
			if err := s.appendEvent(ctx, tx, w, Overdue, w.State, nil, SystemActor, "system", OverdueNote(l.step), data, nil); err != nil {
				return err
			}
			if err := s.appendEvent(ctx, tx, w, Escalate, w.State, nil, SystemActor, "system", EscalateNote, data, nil); err != nil {
				return err
			}
			if err := s.notify(ctx, tx, fx, w, OverdueNotices(w.Number, l.step, due)...); err != nil {
				return err
			}
			marked++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.afterCommit(ctx, fx)
	return marked, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
