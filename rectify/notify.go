package rectify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"

	"haochaping/internal/bjtime"
	"haochaping/internal/queue"
)

// Who a notification is for.
const (
	audienceHandler = "handler" // the assignee
	audienceHead    = "head"    // the head of the unit
	audienceOffice  = "office"  // the office of the region
)

// effects are what a transaction leaves to do once it has committed: queue work must not be
// sent for a transaction that then rolls back.
type effects struct {
	notifications []int64
	deadlines     []*WorkOrder
}

// notify stores an inbox notification. For the head, staffID is looked up from the unit.
func (s *Service) notify(ctx context.Context, tx pgx.Tx, fx *effects, w *WorkOrder, audience, kind, title, body string) error {
	var staffID *int64
	switch audience {
	case audienceHandler:
		staffID = w.AssigneeID
	case audienceHead:
		var head int64
		err := tx.QueryRow(ctx, `SELECT id FROM staff WHERE department_id = $1 AND is_head AND active ORDER BY id LIMIT 1`,
			w.DepartmentID).Scan(&head)
		if errors.Is(err, pgx.ErrNoRows) {
			audience = audienceOffice // no head: the office hears of it instead
		} else if err != nil {
			return fmt.Errorf("find unit head: %w", err)
		} else {
			staffID = &head
		}
	}
	if audience == audienceHandler && staffID == nil {
		audience = audienceOffice
	}
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO notifications (audience, staff_id, region_id, work_order_id, kind, title, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		audience, staffID, w.RegionID, w.ID, kind, title, body).Scan(&id)
	if err != nil {
		return fmt.Errorf("store notification: %w", err)
	}
	fx.notifications = append(fx.notifications, id)
	return nil
}

// afterCommit sends what a committed transaction left to do. A failure here loses no fact:
// deadlines are also swept by the overdue job, and notifications are in the inbox.
func (s *Service) afterCommit(ctx context.Context, fx *effects) {
	for _, w := range fx.deadlines {
		s.scheduleDeadlines(ctx, w)
	}
	if s.WebhookURL == "" {
		return
	}
	for _, id := range fx.notifications {
		payload, _ := json.Marshal(webhookPayload{NotificationID: id})
		_, err := s.Queue.Client.EnqueueContext(ctx, asynq.NewTask(TaskWebhook, payload),
			asynq.Queue(s.Queue.Name(queue.Notify)), asynq.TaskID("webhook-"+strconv.FormatInt(id, 10)),
			asynq.MaxRetry(12), asynq.Retention(24*time.Hour))
		if err != nil {
			s.Log.Warn("webhook not queued", "notification", id, "err", err)
		}
	}
}

type webhookPayload struct {
	NotificationID int64 `json:"notification_id"`
}

// handleWebhook posts a notification to the configured robot URL, as a WeCom/DingTalk text
// message; a non-2xx answer is an error, retried with backoff by the queue.
func (s *Service) handleWebhook(ctx context.Context, t *asynq.Task) error {
	var p webhookPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("%w: bad payload", asynq.SkipRetry)
	}
	if s.WebhookURL == "" {
		return nil
	}
	var title, body, number string
	err := s.DB.Pool.QueryRow(ctx, `
		SELECT n.title, n.body, COALESCE(w.number, '') FROM notifications n LEFT JOIN work_orders w ON w.id = n.work_order_id
		WHERE n.id = $1`, p.NotificationID).Scan(&title, &body, &number)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load notification %d: %w", p.NotificationID, err)
	}
	msg := map[string]any{"msgtype": "text", "text": map[string]string{"content": "【好差评】" + title + "\n" + body}}
	raw, _ := json.Marshal(msg)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.WebhookURL, bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("%w: webhook URL: %v", asynq.SkipRetry, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // read it, so the connection is reused
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// formatDue shows a deadline the way staff read it.
func formatDue(t time.Time) string {
	return t.In(bjtime.Location).Format("2006年1月2日 15:04")
}
