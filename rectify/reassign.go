package rectify

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/auth"
	"haochaping/internal/problem"
)

// ReturnInput sends a work order back to the office (退回): the unit did not handle the case.
type ReturnInput struct {
	Common
	Reason string `json:"reason"`
}

// Return sends the work order back for the office to reassign.
func (s *Service) Return(ctx context.Context, actor *auth.User, id int64, in ReturnInput) (*Detail, error) {
	return s.act(ctx, actor, id, Return, in.Common, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		if err := required("reason", in.Reason, "请说明退回原因"); err != nil {
			return err
		}
		c.data = map[string]any{"reason": in.Reason}
		return s.notify(ctx, tx, fx, w, audienceOffice, "returned", "工单 "+w.Number+" 被退回，请重新分派", in.Reason)
	})
}

// ReassignInput gives a work order to another staff member (and so their unit), or to the
// head of another unit.
type ReassignInput struct {
	Common
	StaffNo        string `json:"staff_no"`
	DepartmentCode string `json:"department_code"`
}

// Reassign gives the work order to the unit that should answer for it; the callback starts again.
func (s *Service) Reassign(ctx context.Context, actor *auth.User, id int64, in ReassignInput) (*Detail, error) {
	if (in.StaffNo == "") == (in.DepartmentCode == "") {
		return nil, problem.Invalid("assignee_required", "staff_no", "请指定一名工作人员（staff_no）或一个单位（department_code）")
	}
	return s.act(ctx, actor, id, Reassign, in.Common, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		var staffID, deptID int64
		var err error
		if in.StaffNo != "" {
			err = tx.QueryRow(ctx, `SELECT id, department_id FROM staff WHERE staff_no = $1 AND active`, in.StaffNo).Scan(&staffID, &deptID)
		} else {
			err = tx.QueryRow(ctx, `
				SELECT h.id, d.id FROM departments d
				JOIN staff h ON h.department_id = d.id AND h.is_head AND h.active
				WHERE d.code = $1 ORDER BY h.id LIMIT 1`, in.DepartmentCode).Scan(&staffID, &deptID)
		}
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.Invalid("assignee_not_found", "staff_no", "找不到该工作人员，或该单位没有在岗负责人")
		}
		if err != nil {
			return err
		}
		// The office may send it only where its own scope reaches.
		pred, arg := actor.Scope.SQL("d", 2)
		var inScope bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM (SELECT d.id AS department_id, NULL::bigint AS hall_id, d.region_id
			FROM departments d WHERE d.id = $1) d WHERE `+pred+`)`, deptID, arg).Scan(&inScope); err != nil {
			return err
		}
		if !inScope {
			return problem.Invalid("assignee_out_of_scope", "department_code", "不能分派到您管辖范围之外的单位")
		}
		var cbDays string
		if err := tx.QueryRow(ctx, `SELECT COALESCE(region_setting($1, 'callback_working_days'), '1')`, w.RegionID).Scan(&cbDays); err != nil {
			return err
		}
		due := s.Calendar.DeadlineAfter(s.now(), atoiOr(cbDays, 1))
		c.put("assignee_staff_id", staffID)
		c.put("department_id", deptID)
		c.put("callback_due", due)
		c.put("callback_overdue", false)
		if due.After(w.Deadlines.Rectify) {
			c.put("rectify_due", due)
			if due.After(w.Deadlines.Max) {
				c.put("max_rectify_due", due)
			}
		}
		c.data = map[string]any{"assignee_staff_id": staffID, "department_id": deptID, "callback_due": due}
		w.AssigneeID, w.DepartmentID = &staffID, deptID
		return s.notify(ctx, tx, fx, w, audienceHandler, "assigned", "工单 "+w.Number+" 已分派给您",
			"请在 "+formatDue(due)+" 前完成回访核实。")
	})
}
