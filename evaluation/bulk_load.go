package evaluation

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// CopyRecentWindowRatings writes n new evaluations in one transaction, for load measurements:
// copies of the latest window ratings, rated now (the database's clock), their tickets and keys
// made unique by tag. It is how a benchmark gives the rollup a known number of new rows.
func CopyRecentWindowRatings(ctx context.Context, pool *pgxpool.Pool, tag string, n int) error {
	_, err := pool.Exec(ctx, `
		INSERT INTO evaluations (idem_key, channel, device_id, ticket_no, service_day, region_id, department_id, hall_id,
		                         window_id, staff_id, item_id, level, reasons, reason_kind, reason_set_version, comment, active,
		                         real_name, served_at, rated_at)
		SELECT 'load:' || $1 || ':' || k || ':' || e.id, e.channel, e.device_id, 'R' || $1 || '-' || k || '-' || e.id,
		       (now() AT TIME ZONE 'Asia/Shanghai')::date, e.region_id, e.department_id, e.hall_id, e.window_id, e.staff_id,
		       e.item_id, e.level, e.reasons, e.reason_kind, e.reason_set_version, e.comment, e.active, false,
		       now() - interval '1 hour', now()
		FROM (SELECT * FROM evaluations WHERE window_id IS NOT NULL AND idem_key NOT LIKE 'load:%'
		      ORDER BY id DESC LIMIT $2) e
		CROSS JOIN generate_series(1, 10) k -- a small history has fewer window ratings than that
		LIMIT $2`, tag, n)
	if err != nil {
		return fmt.Errorf("write %d evaluations for a load: %w", n, err)
	}
	return nil
}
