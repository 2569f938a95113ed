package rectify

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Bulk loads: rows made elsewhere — the demo history (seeds/demohistory) — copied into this
// package's tables with COPY, in the caller's transaction. They bypass Dispatch and the
// actions, so the caller answers for the rows being what those would have written: every step
// of a timeline passes Next, deadlines come from due.go, texts from texts.go; the database
// still checks its constraints (and the events stay append-only). Each source fills the
// columns of its list, in that order; the other columns keep their defaults. The lists must
// not be changed.

// WorkOrderCopyColumns are the columns CopyWorkOrders fills.
var WorkOrderCopyColumns = []string{"id", "number", "evaluation_id", "state", "decision", "channel", "real_name",
	"region_id", "department_id", "hall_id", "window_id", "handled_by_staff_id", "assignee_staff_id",
	"callback_due", "rectify_due", "max_rectify_due", "extension_until", "extension_reason",
	"rectify_deadline_reason", "called_back_at", "decided_at", "rectified_at", "fed_back_at", "closed_at",
	"feedback_satisfaction", "appeal_outcome", "callback_overdue", "rectify_overdue", "escalated_at",
	"supervised_at", "created_at", "updated_at", "received_at"}

// EventCopyColumns are the columns CopyEvents fills.
var EventCopyColumns = []string{"work_order_id", "action", "from_state", "to_state", "actor_name", "at", "method", "note",
	"data", "attachments"}

// NotificationCopyColumns are the columns CopyNotifications fills.
var NotificationCopyColumns = []string{"audience", "staff_id", "region_id", "work_order_id", "kind", "title", "body",
	"created_at", "read_at"}

// CopyWorkOrders copies work orders from src into the work_orders table.
func CopyWorkOrders(ctx context.Context, tx pgx.Tx, src pgx.CopyFromSource) (int64, error) {
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"work_orders"}, WorkOrderCopyColumns, src)
	if err != nil {
		return n, fmt.Errorf("copy into work_orders: %w", err)
	}
	return n, nil
}

// CopyEvents copies timeline events from src into the work_order_events table.
func CopyEvents(ctx context.Context, tx pgx.Tx, src pgx.CopyFromSource) (int64, error) {
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"work_order_events"}, EventCopyColumns, src)
	if err != nil {
		return n, fmt.Errorf("copy into work_order_events: %w", err)
	}
	return n, nil
}

// CopyNotifications copies notifications from src into the notifications table.
func CopyNotifications(ctx context.Context, tx pgx.Tx, src pgx.CopyFromSource) (int64, error) {
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"notifications"}, NotificationCopyColumns, src)
	if err != nil {
		return n, fmt.Errorf("copy into notifications: %w", err)
	}
	return n, nil
}
