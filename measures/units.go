package measures

import (
	"context"
	"fmt"
)

// Region is a region a table of measures can be asked for.
type Region struct {
	ID               int64
	Code, Name, Kind string // kind: province, city, district, town or village
}

// Regions lists the city and its districts (the levels a disclosure or a dashboard selects).
func (s *Service) Regions(ctx context.Context) ([]Region, error) {
	rows, err := s.DB.Pool.Query(ctx, `SELECT id, code, name, level FROM regions WHERE level IN ('city', 'district') ORDER BY level = 'district', code`)
	if err != nil {
		return nil, fmt.Errorf("regions: %w", err)
	}
	defer rows.Close()
	var out []Region
	for rows.Next() {
		var r Region
		if err := rows.Scan(&r.ID, &r.Code, &r.Name, &r.Kind); err != nil {
			return nil, fmt.Errorf("regions: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// nameDepartments fills in the names of the departments measured, and their regions'.
func (s *Service) nameDepartments(ctx context.Context, list []DepartmentMeasures) error {
	ids := make([]int64, len(list))
	for i, d := range list {
		ids[i] = d.DepartmentID
	}
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT d.id, d.code, d.name, g.name FROM departments d JOIN regions g ON g.id = d.region_id WHERE d.id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("department names: %w", err)
	}
	defer rows.Close()
	byID := map[int64]int{}
	for i, d := range list {
		byID[d.DepartmentID] = i
	}
	for rows.Next() {
		var id int64
		var code, name, region string
		if err := rows.Scan(&id, &code, &name, &region); err != nil {
			return fmt.Errorf("department names: %w", err)
		}
		if i, ok := byID[id]; ok {
			list[i].Code, list[i].Name, list[i].Region = code, name, region
		}
	}
	return rows.Err()
}
