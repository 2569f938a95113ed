package rectify

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// DecideInput is the unit's decision after verification.
type DecideInput struct {
	Common
	// Decision: now (立行立改), deadline (限期整改), explain (解释说明) or appeal (申诉).
	Decision string `json:"decision"`
	// Reason: why the rectification needs a deadline, or the grounds of the appeal.
	Reason string `json:"reason"`
	// Explanation given to the evaluator when there is no legal basis to change anything.
	Explanation string `json:"explanation"`
	// WorkingDays: for a deadline, the working days from the bad review — at most the region's
	// rectify_working_days (5), which is also the default. A longer deadline is an extension,
	// which the unit asks for and only the office grants (at most rectify_max_working_days).
	WorkingDays *int `json:"working_days"`
}

// Decide records the decision: rectify at once, rectify by a deadline (entered in the
// rectification ledger), explain, or appeal to the office.
func (s *Service) Decide(ctx context.Context, actor *access.User, id int64, in DecideInput) (*Detail, error) {
	if err := s.authorize(ctx, actor, id, DecideNow); err != nil {
		return nil, err
	}
	action, ok := map[string]Action{"now": DecideNow, "deadline": DecideDeadline, "explain": DecideExplain, "appeal": DecideAppeal}[in.Decision]
	if !ok {
		return nil, problem.Invalid("invalid_decision", "decision", "处理方式须为 now（立行立改）、deadline（限期整改）、explain（解释说明）或 appeal（申诉）")
	}
	return s.act(ctx, actor, id, action, in.Common, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		c.put("decision", in.Decision)
		c.put("decided_at", s.now())
		c.data = map[string]any{"decision": in.Decision}
		switch action {
		case DecideDeadline:
			if err := required("reason", in.Reason, "限期整改须说明原因"); err != nil {
				return err
			}
			c.data["reason"] = in.Reason
			c.put("rectify_deadline_reason", in.Reason)
			if in.WorkingDays != nil {
				due, err := s.unitDeadline(ctx, tx, w, *in.WorkingDays)
				if err != nil {
					return err
				}
				c.put("rectify_due", due)
				c.data["working_days"] = *in.WorkingDays
			}
			if due, ok := c.set["rectify_due"]; ok {
				c.data["rectify_due"] = due
			} else {
				c.data["rectify_due"] = w.Deadlines.Rectify
			}
		case DecideExplain:
			if err := required("explanation", in.Explanation, "请填写解释说明的内容"); err != nil {
				return err
			}
			c.data["explanation"] = in.Explanation
			c.put("rectified_at", s.now()) // an explanation stands where a rectification would
		case DecideAppeal:
			if err := required("reason", in.Reason, "申诉须说明理由"); err != nil {
				return err
			}
			c.data["reason"] = in.Reason
			return s.notify(ctx, tx, fx, w, AppealNotice(w.Number, in.Reason))
		}
		return nil
	})
}

// unitDeadline is the deadline a unit may set itself (UnitDeadline, with the region's settings).
func (s *Service) unitDeadline(ctx context.Context, tx pgx.Tx, w *WorkOrder, days int) (time.Time, error) {
	d, err := regionDeadlineDays(ctx, tx, w.RegionID)
	if err != nil {
		return time.Time{}, err
	}
	return UnitDeadline(s.Calendar, w.receivedAt, days, d, w.Deadlines.Max)
}
