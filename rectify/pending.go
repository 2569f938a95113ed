package rectify

import (
	"context"
	"fmt"
)

// Backlog is the bad-review loop's work not yet done: outbox rows not yet handed to the queue,
// and bad reviews (in force) still without their work order.
type Backlog struct {
	Unpublished      int `json:"unpublished_outbox"`
	WithoutWorkOrder int `json:"bad_reviews_without_work_order"`
	BadReviews       int `json:"bad_reviews"`
	WorkOrders       int `json:"work_orders"`
}

// Done says whether the loop has caught up: nothing waits to be sent or dispatched.
func (b Backlog) Done() bool { return b.Unpublished == 0 && b.WithoutWorkOrder == 0 }

// Backlog counts what the relay and the dispatcher still have to do; a fault run waits on it
// before it checks the invariants with no grace period.
func (s *Service) Backlog(ctx context.Context) (Backlog, error) {
	var b Backlog
	err := s.DB.Pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL),
		       (SELECT count(*) FROM evaluations e WHERE e.bad AND e.active
		          AND NOT EXISTS (SELECT 1 FROM work_orders w WHERE w.evaluation_id = e.id)),
		       (SELECT count(*) FROM evaluations WHERE bad AND active),
		       (SELECT count(*) FROM work_orders)`).Scan(&b.Unpublished, &b.WithoutWorkOrder, &b.BadReviews, &b.WorkOrders)
	if err != nil {
		return b, fmt.Errorf("count the loop's backlog: %w", err)
	}
	return b, nil
}
