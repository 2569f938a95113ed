package rectify

import (
	"context"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// CallbackInput records a callback and verification (回访核实).
type CallbackInput struct {
	Common
	Reached  *bool  `json:"reached"`   // whether the evaluator was reached
	Facts    string `json:"facts"`     // what was verified
	ScriptID *int64 `json:"script_id"` // the 回访话术 used, if any
}

// Callback records the callback and verification: by phone, SMS or visit for a real-name
// review; for an anonymous one, the unit verifies the facts without a call (method optional).
func (s *Service) Callback(ctx context.Context, actor *access.User, id int64, in CallbackInput) (*Detail, error) {
	return s.act(ctx, actor, id, Callback, in.Common, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		if err := required("facts", in.Facts, "请填写核实情况"); err != nil {
			return err
		}
		if w.RealName && in.Method == "" {
			return problem.Invalid("method_required", "method", "实名差评须写明回访方式")
		}
		if w.RealName && in.Reached == nil {
			return problem.Invalid("reached_required", "reached", "请说明是否联系到评价人")
		}
		c.data = map[string]any{"facts": in.Facts, "reached": in.Reached}
		if in.ScriptID != nil {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM callback_scripts WHERE id = $2 AND `+scriptsOfOrder+`)`,
				w.RegionID, *in.ScriptID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return problem.Invalid("script_not_found", "script_id", "回访话术不存在或已停用")
			}
			c.data["script_id"] = *in.ScriptID
		}
		c.put("called_back_at", s.now())
		return nil
	})
}
