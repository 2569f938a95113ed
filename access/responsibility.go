package access

import "fmt"

// Who answers for a bad review ("谁办理、谁负责"). A work order has a responsible unit (承办单位:
// the department whose case it is; for a ticket, the window's department) and a handler (the
// staff member who served, else the unit's head). In a 一窗受理 hall the clerk at the 综合受理
// window belongs to one department (often 审批服务局) and accepts cases of many: she handles the
// bad review of a 公安 case, and the heads of both units see it.
//
//	who                 sees                                   acts on
//	the handler         own orders, whichever unit owns them   the unit's steps (Handle)
//	other window staff  nothing of others' orders              —
//	unit head           the unit's orders and its staff's      the unit's steps, on any of them
//	hall head           the hall's orders                      the unit's steps, for the hall
//	office              its region                             reassign, appeals, extensions, 督办 (Rule)
//	auditor             its region                             nothing
//
// A hall head is a unit head whose scope is a hall. This file is the one place the rule is
// written; every query and action on work orders asks it.

// Duty is a part a person plays in the bad-review loop.
type Duty int

// The duties.
const (
	// Handle is the unit's part: callback (回访核实, and seeing the evaluator's phone for it),
	// deciding, rectifying, feedback, closing, returning an order, asking for an extension.
	Handle Duty = iota + 1
	// Rule is the office's part: reassigning, ruling on appeals and extensions, supervising (督办).
	Rule
)

// May reports whether the user's role carries the duty, on the work orders the user sees.
func (u *User) May(d Duty) bool {
	switch d {
	case Handle:
		return u.Role == WindowStaff || u.Role == UnitHead
	case Rule:
		return u.Role == OfficeAdmin
	}
	return false
}

// noStaff stands for a login without a staff identity: it matches no assignee.
const noStaff int64 = -1

func (u *User) staffID() int64 {
	if u.StaffID == nil {
		return noStaff
	}
	return *u.StaffID
}

// WorkOrders is the SQL predicate of the work orders the user sees, on a work_orders table
// aliased alias (which must come from the code, never from input). Its placeholders are
// numbered from argPos; their values are returned in order:
//
//	pred, args := user.WorkOrders("w", 2)
//	rows, err := pool.Query(ctx, `SELECT … FROM work_orders w WHERE w.id = $1 AND `+pred, append([]any{id}, args...)...)
//
// An order outside it is, for that user, not there at all (404): its existence is not told.
func (u *User) WorkOrders(alias string, argPos int) (string, []any) {
	p := alias + "."
	own := fmt.Sprintf("%sassignee_staff_id = $%d", p, argPos)
	switch u.Role {
	case WindowStaff:
		return own, []any{u.staffID()}
	case UnitHead:
		next := argPos + 1
		var unit string
		switch u.Scope.Kind {
		case ScopeDepartment:
			// The unit's orders, and those its staff handle for other units (一窗受理).
			unit = fmt.Sprintf(`%[1]sdepartment_id = $%[2]d OR EXISTS (SELECT 1 FROM staff hs
				WHERE hs.id = %[1]sassignee_staff_id AND hs.department_id = $%[2]d)`, p, next)
		default:
			unit, _ = u.Scope.SQL(alias, next)
		}
		return "(" + own + " OR " + unit + ")", []any{u.staffID(), u.Scope.ID}
	case OfficeAdmin, Auditor:
		pred, arg := u.Scope.SQL(alias, argPos)
		return pred, []any{arg}
	}
	return fmt.Sprintf("(FALSE AND $%d::bigint IS NULL)", argPos), []any{noStaff}
}

// Measures is the part of the city whose measures (the rollups, keyed by responsible unit,
// hall and region) the user may read: the office and auditors their scope, a unit head their
// unit or hall. Window staff read no statistics of units (ok false).
func (u *User) Measures() (scope Scope, ok bool) {
	switch u.Role {
	case OfficeAdmin, Auditor, UnitHead:
		return u.Scope, true
	}
	return Scope{}, false
}
