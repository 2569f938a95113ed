package rectify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/problem"
)

// WorkOrder is a 整改工单 as the loop and the API see it.
type WorkOrder struct {
	ID           int64        `json:"id"`
	Number       string       `json:"number"`
	EvaluationID int64        `json:"evaluation_id"`
	State        State        `json:"state"`
	StateName    string       `json:"state_name"`
	Decision     string       `json:"decision,omitempty"`
	Channel      string       `json:"channel"`
	RealName     bool         `json:"real_name"`
	RegionID     int64        `json:"region_id"`
	DepartmentID int64        `json:"department_id"`
	HallID       *int64       `json:"hall_id,omitempty"`
	WindowID     *int64       `json:"window_id,omitempty"`
	HandledByID  *int64       `json:"handled_by_staff_id,omitempty"`
	AssigneeID   *int64       `json:"assignee_staff_id,omitempty"`
	Deadlines    Deadlines    `json:"deadlines"`
	Overdue      OverdueSteps `json:"overdue"`
	Supervised   bool         `json:"supervised"`
	Satisfaction *int16       `json:"feedback_satisfaction,omitempty"`
	Appeal       string       `json:"appeal_outcome,omitempty"`
	// The evaluator's own verdict on the rectification (verdict.go), when given, and how often
	// a 不满意 sent the order back to rectification (at most once).
	Verdict       Verdict    `json:"evaluator_verdict,omitempty"`
	VerdictName   string     `json:"evaluator_verdict_name,omitempty"`
	VerdictAt     *time.Time `json:"evaluator_verdict_at,omitempty"`
	ReopenedCount int        `json:"reopened_count"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`

	calledBackAt, rectifiedAt, fedBackAt *time.Time
	extensionReason                      string
	receivedAt                           time.Time // when the bad review arrived: deadlines count from it
}

// Deadlines are the due instants of the steps (end of a working day, Beijing time).
type Deadlines struct {
	Callback           time.Time  `json:"callback"`
	Rectify            time.Time  `json:"rectify"`
	Max                time.Time  `json:"max"`
	ExtensionRequested *time.Time `json:"extension_requested,omitempty"`
}

// OverdueSteps says which steps passed their deadline undone.
type OverdueSteps struct {
	Callback bool `json:"callback"`
	Rectify  bool `json:"rectify"`
}

// workOrderColumns are read by scanWorkOrder, in this order, from work_orders aliased w.
const workOrderColumns = `w.id, w.number, w.evaluation_id, w.state, COALESCE(w.decision, ''), w.channel, w.real_name,
	w.region_id, w.department_id, w.hall_id, w.window_id, w.handled_by_staff_id, w.assignee_staff_id,
	w.callback_due, w.rectify_due, w.max_rectify_due, w.extension_until, w.extension_reason,
	w.callback_overdue, w.rectify_overdue, w.supervised_at IS NOT NULL, w.feedback_satisfaction,
	COALESCE(w.appeal_outcome, ''), w.called_back_at, w.rectified_at, w.fed_back_at, w.closed_at,
	w.created_at, w.updated_at, w.received_at, COALESCE(w.evaluator_verdict, ''), w.evaluator_verdict_at, w.reopened_count`

// targets are the scan destinations of workOrderColumns, in their order.
func (w *WorkOrder) targets() []any {
	return []any{&w.ID, &w.Number, &w.EvaluationID, &w.State, &w.Decision, &w.Channel, &w.RealName,
		&w.RegionID, &w.DepartmentID, &w.HallID, &w.WindowID, &w.HandledByID, &w.AssigneeID,
		&w.Deadlines.Callback, &w.Deadlines.Rectify, &w.Deadlines.Max, &w.Deadlines.ExtensionRequested, &w.extensionReason,
		&w.Overdue.Callback, &w.Overdue.Rectify, &w.Supervised, &w.Satisfaction,
		&w.Appeal, &w.calledBackAt, &w.rectifiedAt, &w.fedBackAt, &w.ClosedAt,
		&w.CreatedAt, &w.UpdatedAt, &w.receivedAt, &w.Verdict, &w.VerdictAt, &w.ReopenedCount}
}

// named fills the names shown beside the codes.
func (w *WorkOrder) named() {
	w.StateName = w.State.Name()
	w.VerdictName = w.Verdict.Name()
}

func scanWorkOrder(row pgx.Row) (*WorkOrder, error) {
	var w WorkOrder
	if err := row.Scan(w.targets()...); err != nil {
		return nil, err
	}
	w.named()
	return &w, nil
}

var errNotFound = problem.NotFound("work_order_not_found", "工单不存在或不在您的权限范围内")

// loadForUpdate reads a work order and locks it for the rest of the transaction.
func loadForUpdate(ctx context.Context, tx pgx.Tx, id int64) (*WorkOrder, error) {
	w, err := scanWorkOrder(tx.QueryRow(ctx, `SELECT `+workOrderColumns+` FROM work_orders w WHERE w.id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load work order %d: %w", id, err)
	}
	return w, nil
}

// rectifyStepOpen reports whether rectification and feedback are still owed (StepOpen).
func (w *WorkOrder) rectifyStepOpen() bool { return StepOpen(StepRectify, w.State, w.RealName) }

// callbackStepOpen reports whether the callback is still owed (StepOpen).
func (w *WorkOrder) callbackStepOpen() bool { return StepOpen(StepCallback, w.State, w.RealName) }
