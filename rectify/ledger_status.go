package rectify

import (
	"context"
	"fmt"
)

// UpdateLedgerStatus sets the status of every rectification under 限期整改 — the rectification
// ledger (差评整改台账) — to on_track, due_soon (due by the end of the next working day) or
// overdue, and clears it for the others. It touches only the rows whose status changes, and
// returns how many.
func (s *Service) UpdateLedgerStatus(ctx context.Context) (int64, error) {
	soon := s.Calendar.DeadlineAfter(s.now(), 1)
	tag, err := s.DB.Pool.Exec(ctx, `
		UPDATE work_orders w SET ledger_status = st.status
		FROM (SELECT id, CASE
		          WHEN state <> 'rectifying_deadline' THEN NULL
		          WHEN rectify_due < $1 THEN 'overdue'
		          WHEN rectify_due <= $2 THEN 'due_soon'
		          ELSE 'on_track' END AS status
		      FROM work_orders WHERE state = 'rectifying_deadline' OR ledger_status IS NOT NULL) st
		WHERE w.id = st.id AND w.ledger_status IS DISTINCT FROM st.status`, s.now(), soon)
	if err != nil {
		return 0, fmt.Errorf("ledger status: %w", err)
	}
	return tag.RowsAffected(), nil
}
