package ledger

import "haochaping/access"

// unitsInScope is the SQL of the departments a user's scope covers, exposing department_id,
// hall_id and region_id for auth.Scope.SQL: a department is in a hall's scope when it has a
// window there.
const unitsInScope = `(SELECT d.id AS department_id, d.region_id, w.hall_id
	FROM departments d LEFT JOIN windows w ON w.department_id = d.id)`

// visibleEntry is the SQL predicate (on ledger_entries e) of the entries a user may see: those
// assigned to a unit of their scope. argPos is the position of its one argument.
func visibleEntry(actor *access.User, argPos int) (string, any) {
	pred, arg := actor.Scope.SQL("u", argPos)
	return `EXISTS (SELECT 1 FROM ledger_assignments a JOIN ` + unitsInScope + ` u ON u.department_id = a.department_id
		WHERE a.entry_id = e.id AND ` + pred + `)`, arg
}

// unitVisible is the SQL predicate of a department (column dept) being in the user's scope.
func unitVisible(actor *access.User, dept string, argPos int) (string, any) {
	pred, arg := actor.Scope.SQL("u", argPos)
	return `EXISTS (SELECT 1 FROM ` + unitsInScope + ` u WHERE u.department_id = ` + dept + ` AND ` + pred + `)`, arg
}
