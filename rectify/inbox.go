package rectify

import (
	"context"
	"fmt"
	"time"

	"haochaping/access"
	"haochaping/internal/problem"
)

// Notification is one message of a user's in-app inbox.
type Notification struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	WorkOrderID *int64     `json:"work_order_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	ReadAt      *time.Time `json:"read_at,omitempty"`
}

// inboxOf is the SQL predicate of the notifications addressed to a user: those for their staff
// identity, and for an office admin those of the office in their scope.
func inboxOf(actor *access.User) (string, []any) {
	var staff int64 = -1
	if actor.StaffID != nil {
		staff = *actor.StaffID
	}
	office := actor.Role == access.OfficeAdmin
	var region int64 = -1
	if office && actor.Scope.Kind == "region" {
		region = actor.Scope.ID
	}
	return `(n.staff_id = $1 AND n.audience <> 'office')
		OR ($2 AND n.audience = 'office' AND n.region_id IN (SELECT region_descendants($3)))`, []any{staff, office, region}
}

// Inbox returns the newest notifications of the actor, and how many are unread.
func (s *Service) Inbox(ctx context.Context, actor *access.User, unreadOnly bool, limit int) ([]Notification, int, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	pred, args := inboxOf(actor)
	args = append(args, unreadOnly, limit)
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT n.id, n.kind, n.title, n.body, n.work_order_id, n.created_at, n.read_at,
		       count(*) FILTER (WHERE n.read_at IS NULL) OVER ()
		FROM notifications n WHERE (`+pred+`) AND (n.read_at IS NULL OR NOT $4)
		ORDER BY n.id DESC LIMIT $5`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("inbox: %w", err)
	}
	defer rows.Close()
	out := []Notification{}
	unread := 0
	for rows.Next() {
		var n Notification
		if err := rows.Scan(&n.ID, &n.Kind, &n.Title, &n.Body, &n.WorkOrderID, &n.CreatedAt, &n.ReadAt, &unread); err != nil {
			return nil, 0, fmt.Errorf("inbox: %w", err)
		}
		out = append(out, n)
	}
	return out, unread, rows.Err()
}

// MarkRead marks a notification of the actor's as read.
func (s *Service) MarkRead(ctx context.Context, actor *access.User, id int64) error {
	pred, args := inboxOf(actor)
	args = append(args, id)
	args = append(args, s.now())
	tag, err := s.DB.Pool.Exec(ctx, `UPDATE notifications n SET read_at = COALESCE(read_at, $5)
		WHERE n.id = $4 AND (`+pred+`)`, args...)
	if err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return problem.NotFound("notification_not_found", "消息不存在")
	}
	return nil
}
