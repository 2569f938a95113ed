package rectify

import (
	"context"
	"errors"
	"fmt"
	"haochaping/evaluation"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Dispatch creates the work order of a bad review and assigns it by "谁办理、谁负责": to the
// staff member who served, else to the head of the unit that handled the case. It is
// idempotent: the work order is unique per evaluation, so a task run twice makes one.
func (s *Service) Dispatch(ctx context.Context, evaluationID int64) (workOrderID int64, created bool, err error) {
	fx := &effects{}
	err = pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		var e struct {
			bad, realName                   bool
			channel                         string
			regionID, deptID                int64
			hallID, windowID, staffID, head *int64
			createdAt                       time.Time
			cbDays, rectifyDays, maxDays    string
		}
		err := tx.QueryRow(ctx, `
			SELECT e.bad, e.real_name, e.channel, e.region_id, e.department_id, e.hall_id, e.window_id,
			       (SELECT st.id FROM staff st WHERE st.id = e.staff_id AND st.active),
			       (SELECT h.id FROM staff h WHERE h.department_id = e.department_id AND h.is_head AND h.active ORDER BY h.id LIMIT 1),
			       e.created_at,
			       COALESCE(region_setting(e.region_id, 'callback_working_days'), '1'),
			       COALESCE(region_setting(e.region_id, 'rectify_working_days'), '5'),
			       COALESCE(region_setting(e.region_id, 'rectify_max_working_days'), '15')
			FROM evaluations e WHERE e.id = $1`, evaluationID).Scan(
			&e.bad, &e.realName, &e.channel, &e.regionID, &e.deptID, &e.hallID, &e.windowID, &e.staffID, &e.head,
			&e.createdAt, &e.cbDays, &e.rectifyDays, &e.maxDays)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("dispatch: evaluation %d does not exist", evaluationID)
		}
		if err != nil {
			return fmt.Errorf("dispatch: load evaluation %d: %w", evaluationID, err)
		}
		if !e.bad {
			return nil // only bad reviews have work orders
		}
		assignee := e.staffID
		if assignee == nil {
			assignee = e.head
		}
		// Deadlines run from when the bad review arrived, so that a queue outage does not
		// lengthen them.
		due := DispatchDeadlines(s.Calendar, e.createdAt, ParseDeadlineDays(e.cbDays, e.rectifyDays, e.maxDays))
		err = tx.QueryRow(ctx, `
			INSERT INTO work_orders (number, evaluation_id, state, channel, real_name, region_id, department_id,
			                         hall_id, window_id, handled_by_staff_id, assignee_staff_id,
			                         callback_due, rectify_due, max_rectify_due, received_at, created_at, updated_at)
			VALUES ('ZG' || to_char($14::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || work_order_seq_text(nextval('work_order_number_seq')),
			        $1, 'pending_callback', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
			ON CONFLICT (evaluation_id) DO NOTHING
			RETURNING id`,
			evaluationID, e.channel, e.realName, e.regionID, e.deptID, e.hallID, e.windowID, e.staffID, assignee,
			due.Callback, due.Rectify, due.Max, e.createdAt, s.now()).Scan(&workOrderID)
		if errors.Is(err, pgx.ErrNoRows) {
			// Dispatched before (a retry, a re-send): make sure the outbox knows.
			if err := tx.QueryRow(ctx, `SELECT id FROM work_orders WHERE evaluation_id = $1`, evaluationID).Scan(&workOrderID); err != nil {
				return fmt.Errorf("dispatch: find work order of evaluation %d: %w", evaluationID, err)
			}
			return evaluation.MarkDispatched(ctx, tx, evaluationID)
		}
		if err != nil {
			return fmt.Errorf("dispatch: create work order of evaluation %d: %w", evaluationID, err)
		}
		created = true
		if _, err := tx.Exec(ctx, `
			INSERT INTO work_order_events (work_order_id, action, to_state, actor_name, method, data, at)
			VALUES ($1, 'dispatched', 'pending_callback', $5, 'system',
			        jsonb_build_object('assignee_staff_id', $2::bigint, 'handled_by_staff_id', $3::bigint), $4)`,
			workOrderID, assignee, e.staffID, s.now(), SystemActor); err != nil {
			return fmt.Errorf("dispatch: record event: %w", err)
		}
		wo, err := loadForUpdate(ctx, tx, workOrderID)
		if err != nil {
			return err
		}
		if err := s.notify(ctx, tx, fx, wo, DispatchNotice(wo.Number, assignee != nil, due.Callback)); err != nil {
			return err
		}
		fx.deadlines = append(fx.deadlines, wo)
		return evaluation.MarkDispatched(ctx, tx, evaluationID)
	})
	if err != nil {
		return 0, false, err
	}
	s.afterCommit(ctx, fx)
	return workOrderID, created, nil
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return def
	}
	return n
}
