package rectify

import (
	"context"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// RulingInput is the office's ruling on an appeal.
type RulingInput struct {
	Common
	Upheld *bool `json:"upheld"` // true: 申诉成立 (the review leaves the rates); false: 申诉驳回
}

// RuleAppeal upholds or rejects an appeal. A rejected appeal goes back to rectification with
// a new deadline counted from the ruling.
func (s *Service) RuleAppeal(ctx context.Context, actor *access.User, id int64, in RulingInput) (*Detail, error) {
	if in.Upheld == nil {
		return nil, problem.Invalid("upheld_required", "upheld", "请说明申诉是否成立")
	}
	action := RuleRejected
	if *in.Upheld {
		action = RuleUpheld
	}
	return s.act(ctx, actor, id, action, in.Common, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		if err := required("note", in.Note, "请填写裁定意见"); err != nil {
			return err
		}
		if *in.Upheld {
			c.put("appeal_outcome", "upheld")
			return s.notify(ctx, tx, fx, w, audienceHandler, "appeal", "工单 "+w.Number+" 申诉成立", in.Note)
		}
		var days string
		if err := tx.QueryRow(ctx, `SELECT COALESCE(region_setting($1, 'rectify_working_days'), '5')`, w.RegionID).Scan(&days); err != nil {
			return err
		}
		due := s.Calendar.DeadlineAfter(s.now(), atoiOr(days, 5))
		if due.After(w.Deadlines.Max) {
			c.put("max_rectify_due", due)
		}
		c.put("appeal_outcome", "rejected")
		c.put("decision", "deadline")
		c.put("rectify_due", due)
		c.put("rectify_overdue", false)
		c.data = map[string]any{"rectify_due": due}
		return s.notify(ctx, tx, fx, w, audienceHandler, "appeal", "工单 "+w.Number+" 申诉驳回，请限期整改",
			in.Note+"（整改期限 "+formatDue(due)+"）")
	})
}
