package evaluation

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// NaiveRating is a window rating by its ticket as the naive design writes it: the baseline
// `haochaping bench raw` measures the HTTP path against (docs/PERFORMANCE.md). It has what a
// stored rating needs and nothing of the checks, caches or batching of Ingest.
type NaiveRating struct {
	Key                                               string // the idempotency key, unique
	TicketNo                                          string
	RegionID, DepartmentID, HallID, WindowID, StaffID int64
	Level                                             Level
	Reasons                                           []string // reason codes of the 现场 set; one at least when bad
	ServedAt, RatedAt                                 time.Time
}

// InsertNaive stores one rating in a transaction of its own, committed before it returns (the
// durability of an acknowledged rating): the evaluation, and its outbox row when it is bad.
func InsertNaive(ctx context.Context, pool *pgxpool.Pool, r NaiveRating) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var id int64
		var bad bool
		kind, reasons := any(nil), r.Reasons
		if reasons == nil {
			reasons = []string{}
		}
		if len(reasons) > 0 {
			kind = "offline"
		}
		if err := tx.QueryRow(ctx, `INSERT INTO evaluations (idem_key, channel, ticket_no, service_day, region_id, department_id,
				hall_id, window_id, staff_id, level, reasons, reason_kind, active, real_name, served_at, rated_at)
			VALUES ($1, 'window', $2, ($3::timestamptz AT TIME ZONE 'Asia/Shanghai')::date, $4, $5, $6, $7, $8, $9, $10, $11, true, false, $3, $12)
			RETURNING id, bad`,
			r.Key, r.TicketNo, r.ServedAt, r.RegionID, r.DepartmentID, r.HallID, r.WindowID, r.StaffID, int16(r.Level), reasons, kind, r.RatedAt).
			Scan(&id, &bad); err != nil {
			return err
		}
		if !bad {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO outbox (topic, evaluation_id) VALUES ('bad_review', $1)`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("naive insert: %w", err)
	}
	return nil
}
