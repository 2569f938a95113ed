package rectify

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
)

// RevealPhone discloses the evaluator's phone number to whoever must call back — the handler,
// or a unit or hall head taking the step for them (access.Handle, on an order they see) — and
// records the disclosure in the timeline. The office and auditors never see it, and an
// anonymous review has none (Next).
func (s *Service) RevealPhone(ctx context.Context, actor *access.User, id int64, in Common) (string, error) {
	var phone string
	_, err := s.act(ctx, actor, id, RevealPhone, in, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
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
