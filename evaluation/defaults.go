package evaluation

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/database"
)

// DefaultEvaluations records a default evaluation (默认评价) — level default_level (5), not
// active — for every case whose completion was not rated within its region's evaluation
// window. It is idempotent (a case and stage take one evaluation), and it looks only at the
// cases whose window may have ended since the last run, plus the cases written since then (a
// case pushed after its window ended). It returns how many defaults it recorded.
func (s *Service) DefaultEvaluations(ctx context.Context) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		mark, err := database.Watermark(ctx, tx, "default_evaluations")
		if err != nil {
			return err
		}
		var last *int64 // NULL on the first run: every case
		if mark != 0 {
			last = &mark
		}
		start := s.Now()
		tag, err := tx.Exec(ctx, defaultEvaluationsSQL, last, s.settings.RatingDays, start)
		if err != nil {
			return fmt.Errorf("default evaluations: %w", err)
		}
		n = tag.RowsAffected()
		return database.SetTimeWatermark(ctx, tx, "default_evaluations", start)
	})
	return n, err
}

// defaultEvaluationsSQL: $1 the last run (unix µs, NULL on the first run: every case), $2 the
// default window in days, $3 now. A case's window ends at the end of the N-th natural day after its
// completion day, Beijing time (RatingDeadline); its default is rated at that instant.
const defaultEvaluationsSQL = `
WITH windows AS (
    SELECT r.id AS region_id,
           COALESCE(NULLIF(region_setting(r.id, 'evaluation_window_days'), '')::int, $2) AS days,
           COALESCE(NULLIF(region_setting(r.id, 'default_level'), '')::smallint, 5) AS level
    FROM regions r
), longest AS (
    SELECT max(days) AS days FROM windows
), since AS (
    SELECT to_timestamp($1::bigint / 1e6) AS t
), candidates AS (
    SELECT c.* FROM cases c, since, longest
    WHERE c.completed_at IS NOT NULL
      AND ($1::bigint IS NULL OR c.completed_at >= since.t - (longest.days + 2) * interval '1 day')
    UNION
    SELECT c.* FROM cases c, since
    WHERE c.completed_at IS NOT NULL AND $1::bigint IS NOT NULL AND c.updated_at >= since.t - interval '5 minutes'
)
INSERT INTO evaluations (idem_key, channel, case_id, stage, service_day, region_id, department_id, hall_id, window_id,
                         staff_id, item_id, level, reasons, comment, active, real_name, served_at, rated_at, created_at)
SELECT 'default:' || c.id, c.source_channel, c.id, 'complete', (c.completed_at AT TIME ZONE 'Asia/Shanghai')::date,
       c.region_id, c.department_id, c.hall_id, c.window_id, c.staff_id, c.item_id, w.level, '{}', '', false, false,
       c.completed_at, d.ends - interval '1 microsecond', $3
FROM candidates c
JOIN windows w ON w.region_id = c.region_id
CROSS JOIN LATERAL (
    SELECT (((c.completed_at AT TIME ZONE 'Asia/Shanghai')::date + w.days + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS ends
) d
WHERE d.ends <= $3
  AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.case_id = c.id AND e.stage = 'complete' AND NOT e.superseded)
ON CONFLICT DO NOTHING`
