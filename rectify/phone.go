package rectify

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/auth"
	"haochaping/internal/problem"
)

// RevealPhone discloses the evaluator's phone number to the handler of the work order, who
// must call back, and records the disclosure in the timeline. Nobody else sees it.
func (s *Service) RevealPhone(ctx context.Context, actor *auth.User, id int64, in Common) (string, error) {
	var phone string
	_, err := s.act(ctx, actor, id, RevealPhone, in, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		if actor.StaffID == nil || w.AssigneeID == nil || *actor.StaffID != *w.AssigneeID {
			return problem.Forbidden("not_handler", "只有该工单的承办人可以查看评价人联系电话")
		}
		if !w.RealName {
			return problem.Conflict("anonymous", "匿名评价没有联系电话")
		}
		var sealed []byte
		if err := tx.QueryRow(ctx, `SELECT evaluator_phone_enc FROM evaluations WHERE id = $1`, w.EvaluationID).Scan(&sealed); err != nil {
			return fmt.Errorf("load phone: %w", err)
		}
		var err error
		if phone, err = s.Keys.Open(sealed); err != nil {
			return fmt.Errorf("open phone: %w", err)
		}
		c.data = map[string]any{"purpose": "回访"}
		return nil
	})
	if err != nil {
		return "", err
	}
	return phone, nil
}
