package rectify

import (
	"context"
	"fmt"
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
	action, ok := map[string]Action{"now": DecideNow, "deadline": DecideDeadline, "explain": DecideExplain, "appeal": DecideAppeal}[in.Decision]
	if !ok && !actor.May(access.Handle) {
		return nil, problem.Forbidden("forbidden_action", actor.Role.Label()+"不能处理工单")
	}
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
			return s.notify(ctx, tx, fx, w, audienceOffice, "appeal", "工单 "+w.Number+" 提出申诉", in.Reason)
		}
		return nil
	})
}

// unitDeadline is the deadline a unit may set itself: `days` working days after the bad review
// arrived, at most the region's rectify_working_days (5). Beyond it the unit must ask the office
// for an extension.
func (s *Service) unitDeadline(ctx context.Context, tx pgx.Tx, w *WorkOrder, days int) (time.Time, error) {
	var def string
	if err := tx.QueryRow(ctx, `SELECT COALESCE(region_setting($1, 'rectify_working_days'), '5')`, w.RegionID).Scan(&def); err != nil {
		return time.Time{}, err
	}
	limit := atoiOr(def, 5)
	if days > limit {
		return time.Time{}, problem.Invalid("deadline_needs_extension", "working_days",
			fmt.Sprintf("单位自定的整改期限最长 %d 个工作日；更长的期限须申请延期，由政务服务管理机构批准", limit))
	}
	if days < 1 {
		return time.Time{}, problem.Invalid("invalid_working_days", "working_days", fmt.Sprintf("整改期限须为 1 至 %d 个工作日", limit))
	}
	return s.dueWithin(ctx, tx, w, days)
}

// dueWithin is the deadline `days` working days after the bad review arrived, refused beyond
// the region's maximum (rectify_max_working_days, 15 by default).
func (s *Service) dueWithin(ctx context.Context, tx pgx.Tx, w *WorkOrder, days int) (time.Time, error) {
	var maxDays string
	if err := tx.QueryRow(ctx, `SELECT COALESCE(region_setting($1, 'rectify_max_working_days'), '15')`, w.RegionID).Scan(&maxDays); err != nil {
		return time.Time{}, err
	}
	limit := atoiOr(maxDays, 15)
	if days < 1 || days > limit {
		return time.Time{}, problem.Invalid("invalid_working_days", "working_days", fmt.Sprintf("整改期限须为 1 至 %d 个工作日", limit))
	}
	due := s.Calendar.DeadlineAfter(w.receivedAt, days)
	if due.After(w.Deadlines.Max) {
		due = w.Deadlines.Max // the maximum may have been set from another clock (a rejected appeal)
	}
	return due, nil
}
