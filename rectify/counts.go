package rectify

import (
	"context"
	"fmt"
	"strings"

	"haochaping/access"
)

// Counts is how many work orders of an inbox are in each state — what the console shows on
// its state tabs — and how many are overdue now.
type Counts struct {
	ByState map[State]int `json:"by_state"` // every state, those without an order 0
	Overdue int           `json:"overdue"`
	Total   int           `json:"total"`
}

// Count counts the work orders in the actor's scope that match the filter, per state. The
// filter's states are not applied (the counts are of every state), nor its page.
func (s *Service) Count(ctx context.Context, actor *access.User, f Filter) (*Counts, error) {
	f.States = nil
	where, args := s.where(actor, f)
	rows, err := s.DB.Pool.Query(ctx, `SELECT w.state, count(*), count(*) FILTER (WHERE `+overdueNow+`)
		FROM work_orders w WHERE `+strings.Join(where, " AND ")+` GROUP BY w.state`, args...)
	if err != nil {
		return nil, fmt.Errorf("count work orders: %w", err)
	}
	defer rows.Close()
	c := &Counts{ByState: map[State]int{}}
	for _, st := range allStates() {
		c.ByState[st] = 0
	}
	for rows.Next() {
		var st State
		var n, overdue int
		if err := rows.Scan(&st, &n, &overdue); err != nil {
			return nil, fmt.Errorf("count work orders: %w", err)
		}
		c.ByState[st] = n
		c.Overdue += overdue
		c.Total += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count work orders: %w", err)
	}
	return c, nil
}
