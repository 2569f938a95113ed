package measures

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/database"
)

// bjDay is the SQL of a timestamp's Beijing calendar day.
const bjDay = `((%s) AT TIME ZONE 'Asia/Shanghai')::date`

func dayOf(col string) string { return fmt.Sprintf(bjDay, col) }

// RollUp adds to the rollups the evaluations (and the supersessions of defaults, and the
// upward reports) written by every transaction that finished since the last run: those with
// txid at or above the watermark and below the xmin of this transaction's snapshot (every transaction below it has finished, and its rows are visible
// here). So the cost follows the new rows, a row committed late is still counted, and none is
// counted twice. It then recounts the cases of the completion days the new rows touch, for
// 评价率, and rewrites the monthly rollups of the months it changed. It returns how many
// evaluations it added.
func (s *Service) RollUp(ctx context.Context) (int64, error) {
	// Two runs at once (a manual `jobs run` beside the scheduler's) may change a row the other's
	// snapshot cannot see: then one fails to serialize and starts again.
	for attempt := 1; ; attempt++ {
		n, err := s.rollUpOnce(ctx)
		if err == nil || !database.IsSerializationFailure(err) || attempt == 5 {
			return n, err
		}
	}
}

func (s *Service) rollUpOnce(ctx context.Context) (int64, error) {
	var added int64
	err := pgx.BeginTxFunc(ctx, s.DB.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		from, err := database.Watermark(ctx, tx, "evaluations")
		if err != nil {
			return err
		}
		var horizon int64
		if err := tx.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint`).Scan(&horizon); err != nil {
			return fmt.Errorf("rollup horizon: %w", err)
		}
		if horizon <= from {
			return nil
		}
		var touched []time.Time
		if err := tx.QueryRow(ctx, rollUpSQL, from, horizon).Scan(&added, &touched); err != nil {
			return fmt.Errorf("roll up evaluations: %w", err)
		}
		if err := refreshUnitsMonths(ctx, tx, touched); err != nil {
			return err
		}
		if added > 0 {
			days, err := collectDays(ctx, tx, casesOfNewEvaluationsSQL, from, horizon)
			if err != nil {
				return fmt.Errorf("days of rated cases: %w", err)
			}
			if err := recountCaseDays(ctx, tx, days); err != nil {
				return err
			}
		}
		return database.SetWatermark(ctx, tx, "evaluations", horizon)
	})
	return added, err
}

// rollUpSQL adds the new evaluations ($1 ≤ txid < $2) to the rollups; takes out the defaults
// that active ratings of those transactions superseded (n = -1: a case rated late from an
// offline kiosk counts once, as active); and adds the evaluations those transactions reported
// upward to 及时上报率's counts (rep, tim; n = 0: they count nothing else). sum(n) FILTER … is
// zero, not null, where a group has rows of both signs.
var rollUpSQL = `
WITH delta AS (
    SELECT ` + dayOf("e.rated_at") + ` AS day, e.region_id, e.department_id, COALESCE(e.hall_id, 0) AS hall_id,
           COALESCE(e.window_id, 0) AS window_id, COALESCE(e.staff_id, 0) AS staff_id, e.channel,
           COALESCE(e.item_id, 0) AS item_id, e.level, e.active, e.real_name, e.score, 1 AS n, 0 AS rep, 0 AS tim
    FROM evaluations e
    WHERE e.txid >= $1 AND e.txid < $2
    UNION ALL
    SELECT ` + dayOf("d.rated_at") + `, d.region_id, d.department_id, COALESCE(d.hall_id, 0),
           COALESCE(d.window_id, 0), COALESCE(d.staff_id, 0), d.channel,
           COALESCE(d.item_id, 0), d.level, d.active, d.real_name, d.score, -1, 0, 0
    FROM evaluation_supersessions s JOIN evaluations d ON d.id = s.default_id
    WHERE s.txid >= $1 AND s.txid < $2
    UNION ALL
    SELECT ` + dayOf("e.rated_at") + `, e.region_id, e.department_id, COALESCE(e.hall_id, 0),
           COALESCE(e.window_id, 0), COALESCE(e.staff_id, 0), e.channel,
           COALESCE(e.item_id, 0), e.level, e.active, e.real_name, e.score, 0, 1, CASE WHEN u.timely THEN 1 ELSE 0 END
    FROM upward_reports u JOIN evaluations e ON e.id = u.evaluation_id
    WHERE u.txid >= $1 AND u.txid < $2
), fine AS (
    INSERT INTO rollup_evaluations AS r (day, region_id, department_id, hall_id, window_id, staff_id, channel, item_id,
        total, active, real_name, good, bad, bad_real_name, level1, level2, level3, level4, level5, score_sum)
    SELECT day, region_id, department_id, hall_id, window_id, staff_id, channel, item_id,
           sum(n), ` + signed("active") + `, ` + signed("real_name") + `,
           ` + signed("level >= 4") + `, ` + signed("level <= 2") + `, ` + signed("level <= 2 AND real_name") + `,
           ` + signed("level = 1") + `, ` + signed("level = 2") + `, ` + signed("level = 3") + `,
           ` + signed("level = 4") + `, ` + signed("level = 5") + `, sum(n * score)
    FROM delta WHERE n <> 0
    GROUP BY day, region_id, department_id, hall_id, window_id, staff_id, channel, item_id
    ORDER BY day, region_id, department_id, hall_id, window_id, staff_id, channel, item_id -- a fixed lock order
    ON CONFLICT (day, region_id, department_id, hall_id, window_id, staff_id, channel, item_id) DO UPDATE SET
        total = r.total + EXCLUDED.total, active = r.active + EXCLUDED.active, real_name = r.real_name + EXCLUDED.real_name,
        good = r.good + EXCLUDED.good, bad = r.bad + EXCLUDED.bad, bad_real_name = r.bad_real_name + EXCLUDED.bad_real_name,
        level1 = r.level1 + EXCLUDED.level1, level2 = r.level2 + EXCLUDED.level2, level3 = r.level3 + EXCLUDED.level3,
        level4 = r.level4 + EXCLUDED.level4, level5 = r.level5 + EXCLUDED.level5, score_sum = r.score_sum + EXCLUDED.score_sum
), units AS (
    INSERT INTO rollup_units AS u (day, region_id, department_id, hall_id, channel, total, active, real_name, good, bad,
        bad_real_name, score_sum, reported, reported_timely)
    SELECT day, region_id, department_id, hall_id, channel, sum(n), ` + signed("active") + `,
           ` + signed("real_name") + `, ` + signed("level >= 4") + `, ` + signed("level <= 2") + `,
           ` + signed("level <= 2 AND real_name") + `, sum(n * score), sum(rep), sum(tim)
    FROM delta GROUP BY day, region_id, department_id, hall_id, channel
    ORDER BY day, region_id, department_id, hall_id, channel
    ON CONFLICT (day, region_id, department_id, hall_id, channel) DO UPDATE SET
        total = u.total + EXCLUDED.total, active = u.active + EXCLUDED.active, real_name = u.real_name + EXCLUDED.real_name,
        good = u.good + EXCLUDED.good, bad = u.bad + EXCLUDED.bad, bad_real_name = u.bad_real_name + EXCLUDED.bad_real_name,
        score_sum = u.score_sum + EXCLUDED.score_sum, reported = u.reported + EXCLUDED.reported,
        reported_timely = u.reported_timely + EXCLUDED.reported_timely
)
SELECT count(*) FILTER (WHERE n > 0), COALESCE(array_agg(DISTINCT day), '{}') FROM delta`

// signed is the SQL of a signed count of the delta's rows that meet cond.
func signed(cond string) string { return "COALESCE(sum(n) FILTER (WHERE " + cond + "), 0)" }

// casesOfNewEvaluationsSQL: the completion days of the cases the new evaluations rate.
var casesOfNewEvaluationsSQL = `
SELECT DISTINCT ` + dayOf("c.completed_at") + `
FROM evaluations e JOIN cases c ON c.id = e.case_id
WHERE e.txid >= $1 AND e.txid < $2 AND c.completed_at IS NOT NULL`

// recountCasesSQL recounts, for 评价率, the cases completed on the given days: completed, and
// those among them with an evaluation of their completion.
var recountCasesSQL = `
INSERT INTO rollup_cases (day, region_id, department_id, hall_id, channel, completed, evaluated)
SELECT ` + dayOf("c.completed_at") + `, c.region_id, c.department_id, COALESCE(c.hall_id, 0), c.source_channel, count(*),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM evaluations e WHERE e.case_id = c.id AND e.stage = 'complete' AND NOT e.superseded))
FROM cases c
WHERE c.completed_at >= (SELECT min(d) FROM unnest($1::date[]) d)::timestamp AT TIME ZONE 'Asia/Shanghai'
  AND c.completed_at < ((SELECT max(d) FROM unnest($1::date[]) d) + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
  AND ` + dayOf("c.completed_at") + ` = ANY($1::date[])
GROUP BY 1, 2, 3, 4, 5`

// recountCaseDays replaces the case counts of the given days.
func recountCaseDays(ctx context.Context, tx pgx.Tx, days []time.Time) error {
	if len(days) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM rollup_cases WHERE day = ANY($1::date[])`, days); err != nil {
		return fmt.Errorf("recount cases: %w", err)
	}
	if _, err := tx.Exec(ctx, recountCasesSQL, days); err != nil {
		return fmt.Errorf("recount cases: %w", err)
	}
	return refreshCasesMonths(ctx, tx, days)
}

func collectDays(ctx context.Context, tx pgx.Tx, sql string, args ...any) ([]time.Time, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[time.Time])
}

// caseOverlap re-reads a little before the last run, for cases committed late with an earlier
// updated_at. Recounting a day twice costs little.
const caseOverlap = 5 * time.Minute

// RecountCases recounts the completion days of the cases written or changed since its last run
// (a case completed without any evaluation yet changes 评价率's denominator). It returns how
// many days it recounted.
func (s *Service) RecountCases(ctx context.Context) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		since, err := database.TimeWatermark(ctx, tx, "cases")
		if err != nil {
			return err
		}
		start := s.now()
		days, err := collectDays(ctx, tx, `SELECT DISTINCT `+dayOf("completed_at")+` FROM cases
			WHERE updated_at >= $1 AND completed_at IS NOT NULL`, since.Add(-caseOverlap))
		if err != nil {
			return fmt.Errorf("recount cases: %w", err)
		}
		n = int64(len(days))
		if err := recountCaseDays(ctx, tx, days); err != nil {
			return err
		}
		return database.SetTimeWatermark(ctx, tx, "cases", start)
	})
	return n, err
}
