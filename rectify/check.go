package rectify

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Invariant is one rule of the loop and how many records break it.
type Invariant struct {
	Name     string  `json:"name"`
	Rule     string  `json:"rule"`
	Broken   int     `json:"broken"`
	Examples []int64 `json:"examples"` // some IDs (evaluations or work orders) that break it
}

// Check counts the records that break the loop's invariants:
// "件件有回访、件件有整改、件件有记录". window is how long a bad review may wait for its work
// order before it counts as missing.
func (s *Service) Check(ctx context.Context, window time.Duration) ([]Invariant, error) {
	checks := []struct{ name, rule, sql string }{
		{"bad_review_without_work_order", "每条差评在派单时限内都有整改工单",
			`SELECT e.id FROM evaluations e WHERE e.bad AND e.created_at < $2::timestamptz - $1::interval
			 AND NOT EXISTS (SELECT 1 FROM work_orders w WHERE w.evaluation_id = e.id) ORDER BY e.id`},
		{"bad_review_without_outbox", "每条差评都有发件箱记录（与差评同一事务写入）",
			`SELECT e.id FROM evaluations e WHERE e.bad AND e.active
			 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.evaluation_id = e.id) ORDER BY e.id`},
		// A default is provisional: once an active rating of its case and stage arrived inside
		// the window, that rating is in force and the default is marked replaced, with the
		// rating that replaced it on record. A default standing beside an active rating, or
		// marked replaced without one, would hide a bad review behind a 5.
		{"bad_review_hidden_behind_default", "默认评价不掩盖主动评价：被取代的默认评价都有取代它的主动评价，未被取代的默认评价没有同一办件环节的主动评价",
			`SELECT d.id FROM evaluations d WHERE NOT d.active AND d.case_id IS NOT NULL AND (
			     (d.superseded AND NOT EXISTS (SELECT 1 FROM evaluation_supersessions s JOIN evaluations a ON a.id = s.evaluation_id
			                                   WHERE s.default_id = d.id AND a.active AND a.case_id = d.case_id AND a.stage = d.stage))
			  OR (NOT d.superseded AND EXISTS (SELECT 1 FROM evaluation_supersessions s WHERE s.default_id = d.id))
			  OR (NOT d.superseded AND EXISTS (SELECT 1 FROM evaluations a WHERE a.case_id = d.case_id AND a.stage = d.stage
			                                   AND a.active)))
			 ORDER BY d.id`},
		{"work_order_twice", "每条差评只有一张整改工单",
			`SELECT evaluation_id FROM work_orders GROUP BY evaluation_id HAVING count(*) > 1`},
		{"work_order_without_events", "每张工单都有记录",
			`SELECT w.id FROM work_orders w WHERE NOT EXISTS (SELECT 1 FROM work_order_events v WHERE v.work_order_id = w.id) ORDER BY w.id`},
		{"closed_without_callback", "办结的实名差评件件有回访",
			`SELECT w.id FROM work_orders w WHERE w.state = 'closed' AND w.real_name AND w.appeal_outcome IS DISTINCT FROM 'upheld'
			 AND NOT EXISTS (SELECT 1 FROM work_order_events v WHERE v.work_order_id = w.id AND v.action = 'callback') ORDER BY w.id`},
		{"closed_without_rectification", "办结的差评件件有整改（或解释说明）",
			`SELECT w.id FROM work_orders w WHERE w.state = 'closed' AND w.appeal_outcome IS DISTINCT FROM 'upheld'
			 AND NOT EXISTS (SELECT 1 FROM work_order_events v WHERE v.work_order_id = w.id AND v.action IN ('rectify', 'decide_explain')) ORDER BY w.id`},
		{"closed_without_feedback", "办结的实名差评件件有反馈",
			`SELECT w.id FROM work_orders w WHERE w.state = 'closed' AND w.real_name AND w.appeal_outcome IS DISTINCT FROM 'upheld'
			 AND NOT EXISTS (SELECT 1 FROM work_order_events v WHERE v.work_order_id = w.id AND v.action = 'feedback') ORDER BY w.id`},
	}
	interval := fmt.Sprintf("%d milliseconds", window.Milliseconds())
	out := make([]Invariant, 0, len(checks))
	for _, c := range checks {
		var args []any
		if strings.Contains(c.sql, "$1") {
			args = append(args, interval, s.now())
		}
		rows, err := s.DB.Pool.Query(ctx, c.sql, args...)
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", c.name, err)
		}
		inv := Invariant{Name: c.name, Rule: c.rule, Examples: []int64{}}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("check %s: %w", c.name, err)
			}
			inv.Broken++
			if len(inv.Examples) < 10 {
				inv.Examples = append(inv.Examples, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("check %s: %w", c.name, err)
		}
		out = append(out, inv)
	}
	return out, nil
}
