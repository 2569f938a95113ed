package measures

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/database"
)

// StaffFigures is one staff member's ratings over a period, counted as the rankings count
// them (every rating, active and default, by the Beijing day it was rated): what a clerk sees
// of their own work, and a unit's head of each clerk's.
type StaffFigures struct {
	StaffID      int64   `json:"staff_id"`
	StaffNo      string  `json:"staff_no"`
	Name         string  `json:"name"`
	Window       string  `json:"window,omitempty"`
	Evaluations  int     `json:"evaluations"`
	Active       int     `json:"active"`
	Good         int     `json:"good"`
	Bad          int     `json:"bad"`
	Satisfaction float64 `json:"satisfaction"` // mean score 0..10; 0 without ratings
}

// StaffQuery selects the staff and the period of StaffFigures.
type StaffQuery struct {
	From, To   time.Time // Beijing days, both included
	Staff      int64     // one staff member; 0: every active one of the department or hall
	Department int64     // 0: any
	Hall       int64     // the hall of their window; 0: any
}

// Staff lists the staff members asked for, with their figures over the period — those
// without a rating too, with zeros — by staff number. The caller decides who may see whom.
func (s *Service) Staff(ctx context.Context, q StaffQuery) ([]StaffFigures, error) {
	var out []StaffFigures
	err := s.read(ctx, func(db database.Querier) error {
		rows, err := db.Query(ctx, `
			SELECT s.id, s.staff_no, s.name, COALESCE(w.name, ''),
			       COALESCE(sum(r.total), 0), COALESCE(sum(r.active), 0), COALESCE(sum(r.good), 0), COALESCE(sum(r.bad), 0),
			       COALESCE(round(sum(r.score_sum)::numeric / NULLIF(sum(r.total), 0), 3), 0)::float8
			FROM staff s
			LEFT JOIN windows w ON w.id = s.window_id
			LEFT JOIN rollup_evaluations r ON r.staff_id = s.id AND r.day >= $1 AND r.day <= $2
			WHERE ($3 = 0 AND s.active OR s.id = $3) AND ($4 = 0 OR s.department_id = $4) AND ($5 = 0 OR w.hall_id = $5)
			GROUP BY s.id, w.name
			ORDER BY s.staff_no`, q.From, q.To, q.Staff, q.Department, q.Hall)
		if err != nil {
			return fmt.Errorf("staff figures: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (StaffFigures, error) {
			var f StaffFigures
			err := r.Scan(&f.StaffID, &f.StaffNo, &f.Name, &f.Window, &f.Evaluations, &f.Active, &f.Good, &f.Bad, &f.Satisfaction)
			return f, err
		})
		if err != nil {
			return fmt.Errorf("staff figures: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
