package rectify

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// ReturnInput sends a work order back to the office (退回): the unit did not handle the case.
type ReturnInput struct {
	Common
	Reason string `json:"reason"`
}

// Return sends the work order back for the office to reassign.
func (s *Service) Return(ctx context.Context, actor *access.User, id int64, in ReturnInput) (*Detail, error) {
	return s.act(ctx, actor, id, Return, in.Common, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		if err := required("reason", in.Reason, "请说明退回原因"); err != nil {
			return err
		}
		c.data = map[string]any{"reason": in.Reason}
		return s.notify(ctx, tx, fx, w, ReturnNotice(w.Number, in.Reason))
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
func (s *Service) Reassign(ctx context.Context, actor *access.User, id int64, in ReassignInput) (*Detail, error) {
	if err := s.authorize(ctx, actor, id, Reassign); err != nil {
		return nil, err
	}
	if (in.StaffNo == "") == (in.DepartmentCode == "") {
		return nil, problem.Invalid("assignee_required", "staff_no", "请指定一名工作人员（staff_no）或一个单位（department_code）")
	}
	return s.act(ctx, actor, id, Reassign, in.Common, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		// The order moves with its new handler: unit, region, and — for staff at a window — the
		// window and hall, so that the new unit's office and heads see it, and the old ones no longer.
		var staffID, deptID, regionID int64
		var windowID, hallID *int64
		var err error
		field := "staff_no"
		if in.StaffNo != "" {
			err = tx.QueryRow(ctx, `
				SELECT s.id, s.department_id, d.region_id, s.window_id, w.hall_id
				FROM staff s JOIN departments d ON d.id = s.department_id LEFT JOIN windows w ON w.id = s.window_id
				WHERE s.staff_no = $1 AND s.active`, in.StaffNo).Scan(&staffID, &deptID, &regionID, &windowID, &hallID)
		} else {
			field = "department_code"
			err = tx.QueryRow(ctx, `
				SELECT h.id, d.id, d.region_id, h.window_id, w.hall_id FROM departments d
				JOIN staff h ON h.department_id = d.id AND h.is_head AND h.active
				LEFT JOIN windows w ON w.id = h.window_id
				WHERE d.code = $1 ORDER BY h.id LIMIT 1`, in.DepartmentCode).Scan(&staffID, &deptID, &regionID, &windowID, &hallID)
		}
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.Invalid("assignee_not_found", field, "找不到该工作人员，或该单位没有在岗负责人")
		}
		if err != nil {
			return err
		}
		// The office may send it only where its own scope reaches.
		pred, arg := actor.Scope.SQL("d", 4)
		var inScope bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM (SELECT $1::bigint AS department_id, $2::bigint AS hall_id,
			$3::bigint AS region_id) d WHERE `+pred+`)`, deptID, hallID, regionID, arg).Scan(&inScope); err != nil {
			return err
		}
		if !inScope {
			return problem.Invalid("assignee_out_of_scope", "department_code", "不能分派到您管辖范围之外的单位")
		}
		d, err := regionDeadlineDays(ctx, tx, w.RegionID)
		if err != nil {
			return err
		}
		due := ReassignDeadlines(s.Calendar, s.now(), d, w.Deadlines)
		c.put("assignee_staff_id", staffID)
		c.put("department_id", deptID)
		c.put("region_id", regionID)
		c.put("window_id", windowID)
		c.put("hall_id", hallID)
		c.put("callback_due", due.Callback)
		c.put("callback_overdue", false)
		if !due.Rectify.Equal(w.Deadlines.Rectify) {
			c.put("rectify_due", due.Rectify)
		}
		if !due.Max.Equal(w.Deadlines.Max) {
			c.put("max_rectify_due", due.Max)
		}
		c.data = map[string]any{"assignee_staff_id": staffID, "department_id": deptID, "region_id": regionID,
			"from_department_id": w.DepartmentID, "callback_due": due.Callback}
		w.AssigneeID, w.DepartmentID = &staffID, deptID
		return s.notify(ctx, tx, fx, w, ReassignNotice(w.Number, due.Callback))
	})
}
