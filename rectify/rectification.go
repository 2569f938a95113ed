package rectify

import (
	"context"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// RectifyInput records the rectification (整改) and the measures taken.
type RectifyInput struct {
	Common
	Measures string `json:"measures"`
}

// Rectify records that the problem was put right.
func (s *Service) Rectify(ctx context.Context, actor *access.User, id int64, in RectifyInput) (*Detail, error) {
	return s.act(ctx, actor, id, Rectify, in.Common, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		if err := required("measures", in.Measures, "请填写整改措施"); err != nil {
			return err
		}
		c.data = map[string]any{"measures": in.Measures, "on_time": !s.now().After(w.Deadlines.Rectify)}
		c.put("rectified_at", s.now())
		return nil
	})
}

// FeedbackInput records the feedback (反馈) to the evaluator.
type FeedbackInput struct {
	Common
	// Satisfaction: the evaluator's satisfaction, 1..5, as staff recorded it on their behalf
	// (by phone, say) when they gave one. The evaluator's own verdict, given on their link's
	// page, is the order's evaluator_verdict (verdict.go), which counts first.
	Satisfaction *int `json:"satisfaction"`
}

// Feedback records that the evaluator was told the outcome (of a real-name review: Next).
func (s *Service) Feedback(ctx context.Context, actor *access.User, id int64, in FeedbackInput) (*Detail, error) {
	return s.act(ctx, actor, id, Feedback, in.Common, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		if in.Method == "" {
			return problem.Invalid("method_required", "method", "请写明反馈方式")
		}
		c.data = map[string]any{}
		if in.Satisfaction != nil {
			if *in.Satisfaction < 1 || *in.Satisfaction > 5 {
				return problem.Invalid("invalid_satisfaction", "satisfaction", "满意程度须为 1 至 5")
			}
			c.put("feedback_satisfaction", int16(*in.Satisfaction))
			c.data["satisfaction"] = *in.Satisfaction
		}
		c.put("fed_back_at", s.now())
		// The evaluator is asked, by text message with their link, to rate the fix (verdict.go).
		return s.requestVerdict(ctx, tx, fx, w)
	})
}

// Close ends the loop (办结). A real-name review closes only after feedback (or an upheld
// appeal); an anonymous one, which cannot be fed back, once rectified or explained (Next).
func (s *Service) Close(ctx context.Context, actor *access.User, id int64, in Common) (*Detail, error) {
	return s.act(ctx, actor, id, Close, in, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		c.put("closed_at", s.now())
		return nil
	})
}
