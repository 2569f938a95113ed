package rectify

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/evaluation"
)

// Dispatch creates the work order of a bad review and assigns it by "谁办理、谁负责": to the
// staff member who served, else to the head of the unit that handled the case. It is
// idempotent: the work order is unique per evaluation, so a task run twice makes one.
func (s *Service) Dispatch(ctx context.Context, evaluationID int64) (workOrderID int64, created bool, err error) {
	outs, err := s.DispatchAll(ctx, []int64{evaluationID})
	if err != nil {
		return 0, false, err
	}
	return outs[0].WorkOrderID, outs[0].Created, outs[0].Err
}

// DispatchOutcome is what dispatching one evaluation came to.
type DispatchOutcome struct {
	EvaluationID int64
	WorkOrderID  int64 // 0: not a bad review, or Err
	Created      bool  // false: it had its work order before
	Err          error // this evaluation alone could not be dispatched (it does not exist)
}

// DispatchAll dispatches several evaluations in one transaction, as Dispatch does each: one
// statement a step for all of them, so that a worker behind on a burst of bad reviews spends
// one commit and a handful of round trips on a batch rather than on every work order. The
// outcomes are in the order of evaluationIDs; the error is for what failed them all.
func (s *Service) DispatchAll(ctx context.Context, evaluationIDs []int64) ([]DispatchOutcome, error) {
	outs, fx, err := s.dispatchTx(ctx, evaluationIDs)
	if err != nil {
		return nil, err
	}
	s.afterCommit(ctx, fx)
	return outs, nil
}

// dispatchTx is DispatchAll up to its commit; the effects are left for the caller to send.
func (s *Service) dispatchTx(ctx context.Context, evaluationIDs []int64) ([]DispatchOutcome, *effects, error) {
	// Sorted, each once: two batches sharing an evaluation (a task re-sent) then take its
	// work order's key in the same order and never deadlock.
	ids := slices.Compact(slices.Sorted(slices.Values(evaluationIDs)))
	byEval, fx := make(map[int64]DispatchOutcome, len(ids)), &effects{}
	err := pgx.BeginTxFunc(ctx, s.DB.Pool, genericPlans, func(tx pgx.Tx) error { return s.dispatchIn(ctx, tx, ids, byEval, fx) })
	if err != nil {
		return nil, nil, err
	}
	outs := make([]DispatchOutcome, len(evaluationIDs))
	for i, id := range evaluationIDs {
		outs[i] = byEval[id]
	}
	return outs, fx, nil
}

// genericPlans begins a transaction of the dispatch or the relay with the statements' generic
// plans. Their steps name rows by arrays; PostgreSQL, which estimates a custom plan for the
// array's length cheaper, planned them again on most executions (the evaluations' read: 836
// plans for 1,077 calls under a burst, 1.6 ms each on the partitioned table, more than the read
// itself). The generic plan is the same Append of index probes; the SET travels with BEGIN, no
// round trip.
var genericPlans = pgx.TxOptions{BeginQuery: "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan"}

// dispatchSource is what a work order is made from: its evaluation, who served, the unit's
// head and the region's deadline settings.
type dispatchSource struct {
	evaluationID, regionID, deptID  int64
	bad, realName                   bool
	channel                         string
	hallID, windowID, staffID, head *int64
	createdAt                       time.Time
	cbDays, rectifyDays, maxDays    string
}

func (s *Service) dispatchIn(ctx context.Context, tx pgx.Tx, ids []int64, byEval map[int64]DispatchOutcome, fx *effects) error {
	sources, err := loadDispatchSources(ctx, tx, ids)
	if err != nil {
		return err
	}
	var bad []dispatchSource
	for _, id := range ids {
		src, ok := sources[id]
		switch {
		case !ok:
			byEval[id] = DispatchOutcome{EvaluationID: id, Err: fmt.Errorf("dispatch: evaluation %d does not exist", id)}
		case !src.bad:
			byEval[id] = DispatchOutcome{EvaluationID: id} // only bad reviews have work orders
		default:
			bad = append(bad, src)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	created, err := s.insertWorkOrders(ctx, tx, bad)
	if err != nil {
		return err
	}
	var news []*WorkOrder
	var before []int64 // dispatched before (a retry, a re-send): only the outbox is told again
	for _, src := range bad {
		if w, ok := created[src.evaluationID]; ok {
			byEval[src.evaluationID] = DispatchOutcome{EvaluationID: src.evaluationID, WorkOrderID: w.ID, Created: true}
			news = append(news, w)
		} else {
			before = append(before, src.evaluationID)
		}
	}
	if err := findWorkOrdersOf(ctx, tx, before, byEval); err != nil {
		return err
	}
	if len(news) > 0 {
		if err := s.recordDispatched(ctx, tx, news, fx); err != nil {
			return err
		}
	}
	badIDs := make([]int64, len(bad))
	for i, src := range bad {
		badIDs[i] = src.evaluationID
	}
	return evaluation.MarkAllDispatched(ctx, tx, badIDs)
}

func loadDispatchSources(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]dispatchSource, error) {
	rows, err := tx.Query(ctx, `
		SELECT e.id, e.bad, e.real_name, e.channel, e.region_id, e.department_id, e.hall_id, e.window_id,
		       (SELECT st.id FROM staff st WHERE st.id = e.staff_id AND st.active),
		       (SELECT h.id FROM staff h WHERE h.department_id = e.department_id AND h.is_head AND h.active ORDER BY h.id LIMIT 1),
		       e.created_at,
		       COALESCE(region_setting(e.region_id, 'callback_working_days'), '1'),
		       COALESCE(region_setting(e.region_id, 'rectify_working_days'), '5'),
		       COALESCE(region_setting(e.region_id, 'rectify_max_working_days'), '15')
		FROM evaluations e WHERE e.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("dispatch: load evaluations: %w", err)
	}
	out := make(map[int64]dispatchSource, len(ids))
	var e dispatchSource
	if _, err := pgx.ForEachRow(rows, []any{&e.evaluationID, &e.bad, &e.realName, &e.channel, &e.regionID, &e.deptID,
		&e.hallID, &e.windowID, &e.staffID, &e.head, &e.createdAt, &e.cbDays, &e.rectifyDays, &e.maxDays}, func() error {
		out[e.evaluationID] = e
		return nil
	}); err != nil {
		return nil, fmt.Errorf("dispatch: load evaluations: %w", err)
	}
	return out, nil
}

// insertWorkOrders creates the work orders of bad reviews that have none yet and returns them
// by evaluation.
func (s *Service) insertWorkOrders(ctx context.Context, tx pgx.Tx, bad []dispatchSource) (map[int64]*WorkOrder, error) {
	n := len(bad)
	var (
		evalIDs, regions, depts             = make([]int64, n), make([]int64, n), make([]int64, n)
		halls, windows, handlers, assignees = make([]*int64, n), make([]*int64, n), make([]*int64, n), make([]*int64, n)
		channels                            = make([]string, n)
		realNames                           = make([]bool, n)
		cbDue, rectifyDue, maxDue, received = make([]time.Time, n), make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
	)
	for i, e := range bad {
		assignee := e.staffID
		if assignee == nil {
			assignee = e.head
		}
		// Deadlines run from when the bad review arrived, so that a queue outage does not
		// lengthen them.
		due := DispatchDeadlines(s.Calendar, e.createdAt, ParseDeadlineDays(e.cbDays, e.rectifyDays, e.maxDays))
		evalIDs[i], regions[i], depts[i] = e.evaluationID, e.regionID, e.deptID
		halls[i], windows[i], handlers[i], assignees[i] = e.hallID, e.windowID, e.staffID, assignee
		channels[i], realNames[i] = e.channel, e.realName
		cbDue[i], rectifyDue[i], maxDue[i], received[i] = due.Callback, due.Rectify, due.Max, e.createdAt
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO work_orders AS w (number, evaluation_id, state, channel, real_name, region_id, department_id,
		                         hall_id, window_id, handled_by_staff_id, assignee_staff_id,
		                         callback_due, rectify_due, max_rectify_due, received_at, created_at, updated_at)
		SELECT 'ZG' || to_char($14::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || work_order_seq_text(nextval('work_order_number_seq')),
		       r.evaluation_id, 'pending_callback', r.channel, r.real_name, r.region_id, r.department_id,
		       r.hall_id, r.window_id, r.handled_by, r.assignee, r.callback_due, r.rectify_due, r.max_due, r.received_at, $14, $14
		FROM unnest($1::bigint[], $2::text[], $3::bool[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],
		            $8::bigint[], $9::bigint[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[])
		     AS r(evaluation_id, channel, real_name, region_id, department_id, hall_id, window_id,
		          handled_by, assignee, callback_due, rectify_due, max_due, received_at)
		ORDER BY r.evaluation_id
		ON CONFLICT (evaluation_id) DO NOTHING
		RETURNING `+workOrderColumns,
		evalIDs, channels, realNames, regions, depts, halls, windows, handlers, assignees,
		cbDue, rectifyDue, maxDue, received, s.now())
	if err != nil {
		return nil, fmt.Errorf("dispatch: create work orders: %w", err)
	}
	made, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*WorkOrder, error) { return scanWorkOrder(r) })
	if err != nil {
		return nil, fmt.Errorf("dispatch: create work orders: %w", err)
	}
	out := make(map[int64]*WorkOrder, len(made))
	for _, w := range made {
		out[w.EvaluationID] = w
	}
	return out, nil
}

// findWorkOrdersOf fills in the work orders that bad reviews dispatched before already have.
func findWorkOrdersOf(ctx context.Context, tx pgx.Tx, evaluationIDs []int64, byEval map[int64]DispatchOutcome) error {
	if len(evaluationIDs) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT evaluation_id, id FROM work_orders WHERE evaluation_id = ANY($1)`, evaluationIDs)
	if err != nil {
		return fmt.Errorf("dispatch: find work orders: %w", err)
	}
	var o DispatchOutcome
	if _, err := pgx.ForEachRow(rows, []any{&o.EvaluationID, &o.WorkOrderID}, func() error {
		byEval[o.EvaluationID] = o
		return nil
	}); err != nil {
		return fmt.Errorf("dispatch: find work orders: %w", err)
	}
	for _, id := range evaluationIDs {
		if _, ok := byEval[id]; !ok {
			return fmt.Errorf("dispatch: evaluation %d has neither a work order nor room for one", id)
		}
	}
	return nil
}

// recordDispatched writes the new work orders' first events and their notices, and leaves
// their deadlines to be queued after the commit.
func (s *Service) recordDispatched(ctx context.Context, tx pgx.Tx, created []*WorkOrder, fx *effects) error {
	var woIDs []int64
	var assignees, handlers []*int64
	var notes []notice
	for _, w := range created {
		woIDs, assignees, handlers = append(woIDs, w.ID), append(assignees, w.AssigneeID), append(handlers, w.HandledByID)
		// Made of the number and a date only: nothing typed to mask, so no names to read.
		n, err := s.addressNotice(ctx, tx, w, DispatchNotice(w.Number, w.AssigneeID != nil, w.Deadlines.Callback))
		if err != nil {
			return err
		}
		notes = append(notes, n...)
		fx.deadlines = append(fx.deadlines, w)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO work_order_events (work_order_id, action, to_state, actor_name, method, data, at)
		SELECT r.work_order_id, 'dispatched', 'pending_callback', $4, 'system',
		       jsonb_build_object('assignee_staff_id', r.assignee, 'handled_by_staff_id', r.handled_by), $5
		FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS r(work_order_id, assignee, handled_by)`,
		woIDs, assignees, handlers, SystemActor, s.now()); err != nil {
		return fmt.Errorf("dispatch: record events: %w", err)
	}
	return s.storeNotices(ctx, tx, fx, notes)
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return def
	}
	return n
}
