package measures

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/database"
)

// overlap re-reads a little of the period before the last run: a change committed late, with
// an updated_at before that run's start, is still seen. Recounting a day twice costs little.
const overlap = 5 * time.Minute

// RollUpRectification recounts the rectification measures (回访率, 整改率, 记录率, 实名差评整改率,
// 按时整改率, 平均整改时长) of every day — the day the bad review was rated — on which a bad
// review or its work order changed since the last run. It returns how many days it recounted.
func (s *Service) RollUpRectification(ctx context.Context) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		since, err := database.TimeWatermark(ctx, tx, "rectification")
		if err != nil {
			return err
		}
		start := s.now()
		rows, err := tx.Query(ctx, `
			SELECT DISTINCT (e.rated_at AT TIME ZONE 'Asia/Shanghai')::date
			FROM evaluations e WHERE e.bad AND e.created_at >= $1
			UNION
			SELECT DISTINCT (e.rated_at AT TIME ZONE 'Asia/Shanghai')::date
			FROM work_orders w JOIN evaluations e ON e.id = w.evaluation_id WHERE w.updated_at >= $1`, since.Add(-overlap))
		if err != nil {
			return fmt.Errorf("changed days: %w", err)
		}
		days, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
		if err != nil {
			return fmt.Errorf("changed days: %w", err)
		}
		n = int64(len(days))
		if len(days) > 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM rollup_rectification WHERE day = ANY($1::date[])`, days); err != nil {
				return fmt.Errorf("recount rectification: %w", err)
			}
			if _, err := tx.Exec(ctx, recountRectificationSQL, days); err != nil {
				return fmt.Errorf("recount rectification: %w", err)
			}
			if err := refreshRectificationMonths(ctx, tx, days); err != nil {
				return err
			}
		}
		return database.SetTimeWatermark(ctx, tx, "rectification", start)
	})
	return n, err
}

// recountRectificationSQL counts the bad reviews of the given days and where their work orders
// stand. An upheld appeal leaves the rates (counted apart as upheld, with its score, so that
// the measures can take it out of the evaluation counts too). A work order reassigned to another
// unit counts for that unit; its upheld appeal, though, is counted under the department rated, as
// the evaluation counts it is taken out of are (rollup_units), so that a department's rates lose
// exactly the upheld reviews among its own ratings. Durations are in
// working days (calendar_days.seq), from when the bad review arrived.
const recountRectificationSQL = `
WITH b AS (
    SELECT (e.rated_at AT TIME ZONE 'Asia/Shanghai')::date AS day, e.region_id,
           COALESCE(w.department_id, e.department_id) AS department_id, e.department_id AS rated_department_id,
           COALESCE(e.hall_id, 0) AS hall_id, e.channel,
           e.real_name, e.score, e.active, w.appeal_outcome = 'upheld' AS upheld, w.state, w.called_back_at,
           w.rectified_at, w.fed_back_at, w.rectify_due, w.received_at
    FROM evaluations e LEFT JOIN work_orders w ON w.evaluation_id = e.id
    WHERE e.bad
      AND e.rated_at >= (SELECT min(d) FROM unnest($1::date[]) d)::timestamp AT TIME ZONE 'Asia/Shanghai'
      AND e.rated_at < ((SELECT max(d) FROM unnest($1::date[]) d) + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
      AND (e.rated_at AT TIME ZONE 'Asia/Shanghai')::date = ANY($1::date[])
), g AS (
    SELECT day, region_id, department_id, hall_id, channel,
           count(*) FILTER (WHERE upheld IS NOT TRUE) AS bad,
           count(*) FILTER (WHERE upheld IS NOT TRUE AND real_name) AS bad_real_name,
           0 AS upheld,
           count(*) FILTER (WHERE upheld IS NOT TRUE AND called_back_at IS NOT NULL) AS called_back,
           count(*) FILTER (WHERE upheld IS NOT TRUE AND rectified_at IS NOT NULL) AS rectified,
           count(*) FILTER (WHERE upheld IS NOT TRUE AND state = 'closed' AND called_back_at IS NOT NULL
                            AND rectified_at IS NOT NULL AND (NOT real_name OR fed_back_at IS NOT NULL)) AS recorded,
           count(*) FILTER (WHERE upheld IS NOT TRUE AND real_name AND rectified_at IS NOT NULL AND fed_back_at IS NOT NULL) AS real_name_done,
           count(*) FILTER (WHERE upheld IS NOT TRUE AND rectified_at IS NOT NULL AND rectified_at <= rectify_due) AS on_time,
           COALESCE(sum((SELECT r.seq FROM calendar_days r WHERE r.day = (rectified_at AT TIME ZONE 'Asia/Shanghai')::date)
                      - (SELECT c.seq FROM calendar_days c WHERE c.day = (received_at AT TIME ZONE 'Asia/Shanghai')::date))
                    FILTER (WHERE upheld IS NOT TRUE AND rectified_at IS NOT NULL), 0) AS duration,
           0 AS upheld_score, 0 AS upheld_active
    FROM b GROUP BY day, region_id, department_id, hall_id, channel
    UNION ALL
    SELECT day, region_id, rated_department_id, hall_id, channel, 0, 0, count(*), 0, 0, 0, 0, 0, 0,
           COALESCE(sum(score), 0), count(*) FILTER (WHERE active)
    FROM b WHERE upheld GROUP BY day, region_id, rated_department_id, hall_id, channel
)
INSERT INTO rollup_rectification (day, region_id, department_id, hall_id, channel, bad, bad_real_name, upheld,
    called_back, rectified, recorded, real_name_done, on_time, duration_workdays_sum, upheld_score_sum, upheld_active)
SELECT day, region_id, department_id, hall_id, channel, sum(bad), sum(bad_real_name), sum(upheld), sum(called_back),
       sum(rectified), sum(recorded), sum(real_name_done), sum(on_time), sum(duration), sum(upheld_score), sum(upheld_active)
FROM g
GROUP BY day, region_id, department_id, hall_id, channel`
