package access

// Role is what a login may do.
type Role string

// The roles.
const (
	WindowStaff Role = "window_staff" // 窗口工作人员: answers the bad reviews they caused
	UnitHead    Role = "unit_head"    // 单位负责人: the unit's work orders, escalations
	OfficeAdmin Role = "office_admin" // 政务服务管理机构: coverage, rates, appeals, ledgers
	Auditor     Role = "auditor"      // 监督人员: reads everything in scope, changes nothing
)

// Roles are the roles, in order of reach.
var Roles = []Role{WindowStaff, UnitHead, OfficeAdmin, Auditor}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// NeedsStaff reports whether a login of this role must be a staff member (it handles work
// orders in its own name).
func (r Role) NeedsStaff() bool { return r == WindowStaff || r == UnitHead }

// Label is the role's Chinese name.
func (r Role) Label() string {
	switch r {
	case WindowStaff:
		return "窗口工作人员"
	case UnitHead:
		return "单位负责人"
	case OfficeAdmin:
		return "政务服务管理机构管理员"
	case Auditor:
		return "监督人员"
	}
	return string(r)
}
