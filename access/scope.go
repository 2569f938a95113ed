package access

import (
	"fmt"
	"strings"

	"haochaping/internal/problem"
)

// The kinds of scope.
const (
	ScopeDepartment = "department"
	ScopeHall       = "hall"
	ScopeRegion     = "region"
)

// Scope is the part of the organisation a login sees: one department, one hall, or a region
// with every region below it (a city's scope includes its districts).
type Scope struct {
	Kind string `json:"kind"` // department, hall or region
	ID   int64  `json:"id"`
	Code string `json:"code"` // the department, hall or region code, e.g. ZZ-SPJ, 370400-ZWFW, 370400
	Name string `json:"name,omitempty"`
}

// String is the scope as written on the command line: "region:370400".
func (s Scope) String() string { return s.Kind + ":" + s.Code }

// ParseScope splits "department:ZZ-SPJ", "hall:370400-ZWFW" or "region:370400" into its kind
// and code.
func ParseScope(s string) (kind, code string, err error) {
	kind, code, ok := strings.Cut(strings.TrimSpace(s), ":")
	kind, code = strings.TrimSpace(kind), strings.TrimSpace(code)
	if !ok || code == "" || !ValidScopeKind(kind) {
		return "", "", problem.Invalid("invalid_scope", "scope",
			fmt.Sprintf("范围“%.40s”无效：须写作 department:部门编码、hall:大厅编码 或 region:区划编码", s))
	}
	return kind, code, nil
}

func ValidScopeKind(kind string) bool {
	return kind == ScopeDepartment || kind == ScopeHall || kind == ScopeRegion
}

// SQL is the predicate that restricts the rows of a table carrying department_id, hall_id and
// region_id columns (evaluations, cases, work orders, …) to the scope; alias names the table
// in the query ("w" for "FROM work_orders w"; empty for none) and argPos is the number of the
// placeholder the predicate uses, whose value is returned with it:
//
//	pred, arg := user.Scope.SQL("w", 2)
//	rows, err := pool.Query(ctx, `SELECT … FROM work_orders w WHERE w.state = $1 AND `+pred, state, arg)
//
// department → w.department_id = $N; hall → w.hall_id = $N; region → w.region_id IN
// (SELECT region_descendants($N)), the region and every region below it.
//
// This is how every query enforces scope: inside SQL, so that what is outside the scope is
// never read, counted or returned — never by filtering rows afterwards. A scope of unknown kind
// matches nothing (fails closed); the placeholder is still used, so the arguments still line up.
// alias must be a name from the code, never from input.
func (s Scope) SQL(alias string, argPos int) (string, any) {
	p := ""
	if alias != "" {
		p = alias + "."
	}
	switch s.Kind {
	case ScopeDepartment:
		return fmt.Sprintf("%sdepartment_id = $%d", p, argPos), s.ID
	case ScopeHall:
		return fmt.Sprintf("%shall_id = $%d", p, argPos), s.ID
	case ScopeRegion:
		return fmt.Sprintf("%sregion_id IN (SELECT region_descendants($%d))", p, argPos), s.ID
	}
	return fmt.Sprintf("(FALSE AND $%d::bigint IS NULL)", argPos), s.ID
}
