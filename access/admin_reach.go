package access

import (
	"context"
	"fmt"

	"haochaping/internal/problem"
)

// An office administrator manages the logins within its reach: those whose scope — a
// department, a hall or a region — lies in the administrator's region or a region below it.
// The rule is written here once, as SQL, and every query and change of the administration
// (admin_users.go) carries it, so that a login outside the reach is never read or changed: it
// is, for that administrator, not there (404).

// errNotAdmin refuses a caller who is not an office administrator: the pages and the API
// check the role first; this holds the domain to it too.
func errNotAdmin() error {
	return problem.Forbidden("forbidden_role", "只有政务服务管理机构的管理员可以管理账号")
}

// AdministeredRegion is the region an office administrator manages (its own and every region
// below it), or ok false when the user is no office administrator with a region scope (an
// administrator scoped to a department or a hall reaches nothing: fails closed). The devices'
// administration (package channels) asks it too.
func (u *User) AdministeredRegion() (int64, bool) {
	if u == nil || u.Role != OfficeAdmin || u.Scope.Kind != ScopeRegion {
		return 0, false
	}
	return u.Scope.ID, true
}

func adminRegion(admin *User) (int64, bool) { return admin.AdministeredRegion() }

// usersInReach is the predicate of the rows of users (aliased alias, from the code) whose scope
// lies in the region of placeholder $argPos or below it.
func usersInReach(alias string, argPos int) string {
	p := alias + "."
	return fmt.Sprintf(`COALESCE((SELECT rd.region_id FROM departments rd WHERE rd.id = %[1]sscope_department_id),
		(SELECT rh.region_id FROM halls rh WHERE rh.id = %[1]sscope_hall_id),
		%[1]sscope_region_id) IN (SELECT region_descendants($%[2]d))`, p, argPos)
}

// scopeInReach reports whether a resolved scope lies in the region or below it.
func (u *Users) scopeInReach(ctx context.Context, s Scope, region int64) (bool, error) {
	var inside bool
	err := u.DB.Pool.QueryRow(ctx, `
		SELECT CASE $1::text
		           WHEN 'department' THEN (SELECT region_id FROM departments WHERE id = $2)
		           WHEN 'hall' THEN (SELECT region_id FROM halls WHERE id = $2)
		           ELSE $2
		       END IN (SELECT region_descendants($3))`, s.Kind, s.ID, region).Scan(&inside)
	if err != nil {
		return false, fmt.Errorf("scope %s in reach: %w", s, err)
	}
	return inside, nil
}

// ScopeChoice is a scope an administrator may give, as a form offers it.
type ScopeChoice struct {
	Scope
	Value string `json:"value"` // "department:ZZ-SPJ", as the forms and the API take it
}

// ScopesInReach lists the scopes an administrator may give: its region and the regions below
// it, their halls and their departments, each kind in the order of its code.
func (u *Users) ScopesInReach(ctx context.Context, admin *User) ([]ScopeChoice, error) {
	region, ok := adminRegion(admin)
	if !ok {
		return nil, errNotAdmin()
	}
	rows, err := u.DB.Pool.Query(ctx, `
		WITH reach AS (SELECT region_descendants($1) AS id)
		SELECT 'region', r.id, r.code, r.name, 1 FROM regions r WHERE r.id IN (SELECT id FROM reach)
		UNION ALL
		SELECT 'hall', h.id, h.code, h.name, 2 FROM halls h WHERE h.region_id IN (SELECT id FROM reach)
		UNION ALL
		SELECT 'department', d.id, d.code, d.name, 3 FROM departments d WHERE d.region_id IN (SELECT id FROM reach)
		ORDER BY 5, 3`, region)
	if err != nil {
		return nil, fmt.Errorf("scopes in reach: %w", err)
	}
	defer rows.Close()
	var out []ScopeChoice
	for rows.Next() {
		var c ScopeChoice
		var order int
		if err := rows.Scan(&c.Kind, &c.ID, &c.Code, &c.Name, &order); err != nil {
			return nil, fmt.Errorf("scopes in reach: %w", err)
		}
		c.Value = c.Scope.String()
		out = append(out, c)
	}
	return out, rows.Err()
}
