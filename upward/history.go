package upward

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/database"
)

// SeedHistory writes the report's past for a demo history loaded in one go: as if the sender
// had run all along, each evaluation whose report would have been acknowledged before `until`
// gets its service record and its rating acknowledged — most within a day of the service, one
// in 53 after nine days (late) — the rating acknowledged again after its work order's last
// change (the rectification went up), and the fix's rating when the citizen gave one. mark is
// told each rating's first acknowledgement (evaluation.MarkAcknowledgedEach: 及时上报率 counts
// it by the same rule as a live one). The evaluations after that are the live job's. It returns
// how many evaluations it reported.
//
// With skipChecks (a loader allowed to, as its COPY is) the foreign keys are not checked row by
// row: every record is made from an evaluation by a join, so they hold by construction, and each
// check locks its evaluation's row — at 10 million evaluations, 25 million checks rewrote the
// whole table and took longer than the rest of the load.
func SeedHistory(ctx context.Context, db *database.DB, until time.Time, skipChecks bool,
	mark func(ctx context.Context, tx pgx.Tx, ids []int64, ats []time.Time, message string) error) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if skipChecks {
			if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
				return fmt.Errorf("upward history: %w", err)
			}
		}
		rows, err := tx.Query(ctx, seedHistorySQL, until)
		if err != nil {
			return fmt.Errorf("upward history: %w", err)
		}
		var ids []int64
		var ats []time.Time
		var id int64
		var at time.Time
		if _, err := pgx.ForEachRow(rows, []any{&id, &at}, func() error {
			ids, ats = append(ids, id), append(ats, at)
			return nil
		}); err != nil {
			return fmt.Errorf("upward history: %w", err)
		}
		n = int64(len(ids))
		return mark(ctx, tx, ids, ats, "demo-history")
	})
	return n, err
}

// seedHistorySQL: the delay of an evaluation's report is drawn from its id (10 minutes to 20
// hours; nine days for one in 53), so that the same history always has the same report.
const seedHistorySQL = `
WITH e AS (
	SELECT e.id, ` + projectNoSQL + ` AS project_no,
	       CASE WHEN e.active THEN e.served_at ELSE e.created_at END
	         + make_interval(secs => 600 + (e.id * 2654435761) % 72000)
	         + CASE WHEN e.id % 53 = 0 THEN interval '9 days' ELSE interval '0' END AS acked,
	       w.updated_at AS changed,
	       COALESCE(w.evaluator_verdict_at, w.fed_back_at) AS fix_rated, ` + fixLevel + ` AS fix_level
	FROM evaluations e ` + projectJoins + `
	LEFT JOIN work_orders w ON w.evaluation_id = e.id
	WHERE NOT e.superseded AND ` + reportable + ` AND NOT EXISTS (SELECT 1 FROM upward_records u WHERE u.evaluation_id = e.id)
), due AS (
	SELECT * FROM e WHERE acked < $1
), services AS (
	INSERT INTO upward_records (evaluation_id, kind, assess_number, project_no, state, next_attempt_at,
	                            first_acknowledged_at, acknowledged_at, created_at)
	SELECT id, 'service', 0, project_no, 'acknowledged', acked, acked - interval '1 second', acked - interval '1 second', acked - interval '1 second'
	FROM due
), fixes AS (
	INSERT INTO upward_records (evaluation_id, kind, assess_number, project_no, state, next_attempt_at,
	                            first_acknowledged_at, acknowledged_at, created_at)
	SELECT id, 'evaluation', 2, project_no, 'acknowledged', fix_rated + interval '10 minutes', fix_rated + interval '10 minutes',
	       fix_rated + interval '10 minutes', fix_rated
	FROM due WHERE fix_level IS NOT NULL AND fix_rated + interval '10 minutes' < $1
)
INSERT INTO upward_records (evaluation_id, kind, assess_number, project_no, state, next_attempt_at,
                            first_acknowledged_at, acknowledged_at, created_at)
SELECT id, 'evaluation', 1, project_no, 'acknowledged', acked, acked,
       GREATEST(acked, LEAST(changed + interval '10 minutes', $1)), acked
FROM due
RETURNING evaluation_id, first_acknowledged_at`
