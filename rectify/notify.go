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
	rows, err := s.prepareNotice(ctx, tx, w, n)
	if err != nil {
		return err
	}
	return s.storeNotices(ctx, tx, fx, rows)
}

// notice is one row of notifications: a notice addressed to one staff member, or to the office.
type notice struct {
	audience    string
	staffID     *int64 // nil: the office of the region
	regionID    int64
	workOrderID int64
	Notice
}

// prepareNotice finds who hears of n and masks what it quotes; storeNotices writes the rows.
func (s *Service) prepareNotice(ctx context.Context, tx pgx.Tx, w *WorkOrder, n Notice) ([]notice, error) {
	// A notice quotes the reason or note typed for the action; it is stored, shown and sent to
	// the webhook masked only (the original is the event's sealed text).
	if hasText(n.Body+n.Title, nil) {
		names, err := s.peopleNames(ctx, tx, w.EvaluationID)
		if err != nil {
			return nil, err
		}
		n.Title, n.Body = pii.MaskText(n.Title, names...), pii.MaskText(n.Body, names...)
	}
	return s.addressNotice(ctx, tx, w, n)
}

// addressNotice finds who hears of n, which quotes nothing typed (prepareNotice masks what does).
func (s *Service) addressNotice(ctx context.Context, tx pgx.Tx, w *WorkOrder, n Notice) ([]notice, error) {
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
			return nil, fmt.Errorf("find unit heads: %w", err)
		}
		if staff, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return nil, fmt.Errorf("find unit heads: %w", err)
		}
	}
	if audience != AudienceOffice && len(staff) == 0 {
		audience = AudienceOffice // nobody to tell: the office hears of it instead
	}
	if audience == AudienceOffice {
		return []notice{{audience: audience, regionID: w.RegionID, workOrderID: w.ID, Notice: n}}, nil
	}
	out := make([]notice, len(staff))
	for i := range staff {
		out[i] = notice{audience: audience, staffID: &staff[i], regionID: w.RegionID, workOrderID: w.ID, Notice: n}
	}
	return out, nil
}

// storeNotices writes notices in one statement and leaves their webhook deliveries and live
// signals to the commit.
func (s *Service) storeNotices(ctx context.Context, tx pgx.Tx, fx *effects, notes []notice) error {
	if len(notes) == 0 {
		return nil
	}
	var (
		audiences, kinds, titles, bodies []string
		staff                            []*int64
		regions, workOrders              []int64
	)
	for _, n := range notes {
		audiences, kinds, titles, bodies = append(audiences, n.audience), append(kinds, n.Kind), append(titles, n.Title), append(bodies, n.Body)
		staff, regions, workOrders = append(staff, n.staffID), append(regions, n.regionID), append(workOrders, n.workOrderID)
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO notifications (audience, staff_id, region_id, work_order_id, kind, title, body, created_at)
		SELECT r.audience, r.staff_id, r.region_id, r.work_order_id, r.kind, r.title, r.body, $8
		FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY
		     AS r(audience, staff_id, region_id, work_order_id, kind, title, body, n)
		ORDER BY r.n
		RETURNING id`,
		audiences, staff, regions, workOrders, kinds, titles, bodies, s.now())
	if err != nil {
		return fmt.Errorf("store notifications: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("store notifications: %w", err)
	}
	fx.notifications = append(fx.notifications, ids...)
	for _, n := range notes {
		if n.staffID != nil {
			fx.topics = append(fx.topics, live.StaffTopic(*n.staffID))
		} else {
			fx.topics = append(fx.topics, live.OfficeTopic(n.regionID))
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
