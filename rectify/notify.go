package rectify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"

	"haochaping/internal/live"
	"haochaping/internal/pii"
	"haochaping/internal/queue"
)

// effects are what a transaction leaves to do once it has committed: queue work must not be
// sent for a transaction that then rolls back.
type effects struct {
	notifications []int64
	topics        []string // live topics of the notifications' audiences (internal/live)
	deadlines     []*WorkOrder
	sms           []int64 // evaluator_sms rows to hand to the queue
}

// notify stores inbox notifications (texts.go) for their audiences of the work order (access's
// table, "who is notified"): the handler (its assignee); the heads — of the responsible unit
// and, when the handler belongs to another unit (一窗受理), of the handler's unit too; or the
// office of the region. An audience without anyone to tell falls to the office.
func (s *Service) notify(ctx context.Context, tx pgx.Tx, fx *effects, w *WorkOrder, notices ...Notice) error {
	for _, n := range notices {
		if err := s.notifyOne(ctx, tx, fx, w, n); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) notifyOne(ctx context.Context, tx pgx.Tx, fx *effects, w *WorkOrder, n Notice) error {
	// A notice quotes the reason or note typed for the action; it is stored, shown and sent to
	// the webhook masked only (the original is the event's sealed text).
	if hasText(n.Body+n.Title, nil) {
		names, err := s.peopleNames(ctx, tx, w.EvaluationID)
		if err != nil {
			return err
		}
		n.Title, n.Body = pii.MaskText(n.Title, names...), pii.MaskText(n.Body, names...)
	}
	audience := n.Audience
	var staff []int64
	switch audience {
	case AudienceHandler:
		if w.AssigneeID != nil {
			staff = []int64{*w.AssigneeID}
		}
	case AudienceHead:
		rows, err := tx.Query(ctx, `
			SELECT DISTINCT ON (h.department_id) h.id FROM staff h
			WHERE h.is_head AND h.active
			  AND h.department_id IN ($1, (SELECT a.department_id FROM staff a WHERE a.id = $2))
			ORDER BY h.department_id, h.id`, w.DepartmentID, w.AssigneeID)
		if err != nil {
			return fmt.Errorf("find unit heads: %w", err)
		}
		if staff, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return fmt.Errorf("find unit heads: %w", err)
		}
	}
	if audience != AudienceOffice && len(staff) == 0 {
		audience = AudienceOffice // nobody to tell: the office hears of it instead
	}
	if audience == AudienceOffice {
		staff = []int64{0}
	}
	for _, st := range staff {
		var staffID *int64
		if st != 0 {
			staffID = &st
		}
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO notifications (audience, staff_id, region_id, work_order_id, kind, title, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			audience, staffID, w.RegionID, w.ID, n.Kind, n.Title, n.Body, s.now()).Scan(&id)
		if err != nil {
			return fmt.Errorf("store notification: %w", err)
		}
		fx.notifications = append(fx.notifications, id)
		if staffID != nil {
			fx.topics = append(fx.topics, live.StaffTopic(*staffID))
		} else {
			fx.topics = append(fx.topics, live.OfficeTopic(w.RegionID))
		}
	}
	return nil
}

// afterCommit sends what a committed transaction left to do. A failure here loses no fact:
// deadlines are also swept by the overdue job, and notifications are in the inbox.
func (s *Service) afterCommit(ctx context.Context, fx *effects) {
	for _, w := range fx.deadlines {
		s.scheduleDeadlines(ctx, w)
	}
	for _, id := range fx.sms {
		s.queueSMS(ctx, id, 0)
	}
	if s.Live != nil {
		for _, t := range slices.Compact(slices.Sorted(slices.Values(fx.topics))) {
			if err := s.Live.Publish(ctx, t); err != nil {
				s.Log.Warn("live signal not sent", "topic", t, "err", err)
			}
		}
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
