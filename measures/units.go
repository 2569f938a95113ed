package measures

import (
	"context"
	"fmt"
	"haochaping/access"
	"haochaping/internal/database"

	"github.com/jackc/pgx/v5"
)

// Region is a region a table of measures can be asked for.
type Region struct {
	ID               int64
	Code, Name, Kind string // kind: province, city, district, town or village
}

// Regions lists the city and its districts (the levels a disclosure or a dashboard selects).
func (s *Service) Regions(ctx context.Context) ([]Region, error) {
	var out []Region
	err := s.read(ctx, func(db database.Querier) error {
		rows, err := db.Query(ctx, `SELECT id, code, name, level FROM regions WHERE level IN ('city', 'district') ORDER BY level = 'district', code`)
		if err != nil {
			return fmt.Errorf("regions: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Region, error) {
			var r Region
			return r, row.Scan(&r.ID, &r.Code, &r.Name, &r.Kind)
		})
		if err != nil {
			return fmt.Errorf("regions: %w", err)
		}
		return nil
	})
	return out, err
}

// nameDepartments fills in the names of the departments measured, and their regions'.
func (s *Service) nameDepartments(ctx context.Context, list []DepartmentMeasures) error {
	ids := make([]int64, len(list))
	for i, d := range list {
		ids[i] = d.DepartmentID
	}
	type names struct {
		id                 int64
		code, name, region string
	}
	var found []names
	err := s.read(ctx, func(db database.Querier) error {
		rows, err := db.Query(ctx, `
			SELECT d.id, d.code, d.name, g.name FROM departments d JOIN regions g ON g.id = d.region_id WHERE d.id = ANY($1)`, ids)
		if err != nil {
			return fmt.Errorf("department names: %w", err)
		}
		found, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (names, error) {
			var n names
			return n, row.Scan(&n.id, &n.code, &n.name, &n.region)
		})
		if err != nil {
			return fmt.Errorf("department names: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	byID := map[int64]int{}
	for i, d := range list {
		byID[d.DepartmentID] = i
	}
	for _, n := range found {
		if i, ok := byID[n.id]; ok {
			list[i].Code, list[i].Name, list[i].Region = n.code, n.name, n.region
		}
	}
	return nil
}

// Unit is a department or hall a dashboard may filter by.
type Unit struct {
	Code, Name string
}

// Units lists the departments and halls of the region (with its sub-regions; 0: all) that the
// scope covers, for a dashboard's filters: a unit head their unit and the halls of the region,
// a hall head their hall and the departments of the region.
func (s *Service) Units(ctx context.Context, regionID int64, scope access.Scope) (departments, halls []Unit, err error) {
	const typed = "$2::bigint IS NOT NULL" // $2 is always passed: a predicate that does not need it still types it
	deptPred, hallPred := "FALSE AND "+typed, "FALSE AND "+typed
	switch scope.Kind {
	case access.ScopeRegion:
		deptPred, hallPred = "region_id IN (SELECT region_descendants($2))", "region_id IN (SELECT region_descendants($2))"
	case access.ScopeDepartment:
		deptPred, hallPred = "id = $2", typed
	case access.ScopeHall:
		deptPred, hallPred = typed, "id = $2"
	}
	if departments, err = s.units(ctx, "departments", deptPred, regionID, scope.ID); err != nil {
		return nil, nil, err
	}
	if halls, err = s.units(ctx, "halls", hallPred, regionID, scope.ID); err != nil {
		return nil, nil, err
	}
	return departments, halls, nil
}

// units reads code and name of table's rows of the region that pred (over $2) admits; table
// and pred are the constants of Units, never input.
func (s *Service) units(ctx context.Context, table, pred string, regionID, scopeID int64) ([]Unit, error) {
	var list []Unit
	err := s.read(ctx, func(db database.Querier) error {
		rows, err := db.Query(ctx, `SELECT code, name FROM `+table+`
			WHERE ($1 = 0 OR region_id IN (SELECT region_descendants($1))) AND `+pred+` ORDER BY code`, regionID, scopeID)
		if err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		list, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Unit, error) {
			var u Unit
			return u, r.Scan(&u.Code, &u.Name)
		})
		if err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		return nil
	})
	return list, err
}
