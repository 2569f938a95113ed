package rectify

import (
	"context"
	"haochaping/access"

	"github.com/jackc/pgx/v5"
)

// Supervise records the office's supervision (督办) and tells the handler and the unit head.
func (s *Service) Supervise(ctx context.Context, actor *access.User, id int64, in Common) (*Detail, error) {
	return s.act(ctx, actor, id, Supervise, in, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		if err := required("note", in.Note, "请填写督办意见"); err != nil {
			return err
		}
		c.put("supervised_at", s.now())
		return s.notify(ctx, tx, fx, w, SuperviseNotices(w.Number, in.Note)...)
	})
}
