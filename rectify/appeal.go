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
	if err := s.authorize(ctx, actor, id, RuleUpheld); err != nil {
		return nil, err
	}
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
			return s.notify(ctx, tx, fx, w, RulingNotice(w.Number, true, in.Note, w.Deadlines.Rectify))
		}
		d, err := regionDeadlineDays(ctx, tx, w.RegionID)
		if err != nil {
			return err
		}
		due := RejectedAppealDeadlines(s.Calendar, s.now(), d, w.Deadlines)
		if !due.Max.Equal(w.Deadlines.Max) {
			c.put("max_rectify_due", due.Max)
		}
		c.put("appeal_outcome", "rejected")
		c.put("decision", "deadline")
		c.put("rectify_due", due.Rectify)
		c.put("rectify_overdue", false)
		c.data = map[string]any{"rectify_due": due.Rectify}
		return s.notify(ctx, tx, fx, w, RulingNotice(w.Number, false, in.Note, due.Rectify))
	})
}
