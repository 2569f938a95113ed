package measures

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/bjtime"
	"haochaping/internal/database"
	"haochaping/internal/problem"
)

// The monthly rankings (DOMAIN.md, "Measures": rankings by department, window and staff each
// month; a unit at the bottom two months running is flagged).
//
// Rules:
//   - Who is ranked among whom: a department among the departments of its own region (the
//     city's departments among the city's, each district's among that district's); a window
//     among the windows of the halls of its hall's region; a staff member among the staff of
//     the region of the hall of their window (a staff member without a window, e.g. a unit's
//     head, in the region of their department). The subject's current place in the
//     organisation decides, not where each rating came from, so that a subject has one row.
//   - Every evaluation of the month counts, active and default alike (总评价量), by the Beijing
//     day it was rated.
//   - Order: satisfaction (满意度, mean score 0..10) descending, then good rate descending, then
//     the subject's id ascending — on the values as stored and shown (3 and 4 decimals), so
//     that what looks equal is equal. Ranks are 1..of_total without gaps.
//   - Only subjects with at least the minimum number of evaluations in the month are ranked:
//     the setting ranking_min_evaluations of the ranking region (region_setting), else
//     DefaultRankingMinEvaluations.
//   - bottom (末位): the last rank of a ranking of two or more — and every subject tied with it
//     on satisfaction and good rate, since the id that breaks the tie says nothing about the
//     service. A ranking where everyone ties has no bottom.
//   - flagged (连续两个月末位): bottom this month and bottom last month, same kind, subject and
//     ranking region. Last month's rankings must have been computed first (the job computes
//     each month once it is over, in order); recomputing last month later does not update
//     this month's flags until this month is recomputed.

// DefaultRankingMinEvaluations is the fewest evaluations in a month that get a subject ranked,
// where the region has no setting ranking_min_evaluations: fewer ratings say too little.
const DefaultRankingMinEvaluations = 30

// Ranking kinds.
const (
	RankDepartment = "department"
	RankWindow     = "window"
	RankStaff      = "staff"
)

// ComputeRankings ranks the departments, windows and staff by the rollups of the calendar
// month (Beijing) that contains month, and replaces that month's rankings, in one
// transaction. It returns how many rows it wrote.
func (s *Service) ComputeRankings(ctx context.Context, month time.Time) (int64, error) {
	first := monthOf(month)
	var n int64
	err := pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		// One computation of the rankings at a time: two would delete and insert the same rows.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.DB.LockKey("rankings")); err != nil {
			return fmt.Errorf("rankings lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM rankings WHERE month = $1 AND kind IN ('department', 'window', 'staff')`, first); err != nil {
			return fmt.Errorf("replace rankings: %w", err)
		}
		tag, err := tx.Exec(ctx, computeRankingsSQL, first, DefaultRankingMinEvaluations)
		if err != nil {
			return fmt.Errorf("compute rankings: %w", err)
		}
		n = tag.RowsAffected()
		return nil
	})
	return n, err
}

// monthOf is the first day of the Beijing calendar month of t, as a date.
func monthOf(t time.Time) time.Time {
	y, m, _ := t.In(bjtime.Location).Date()
	return bjtime.Date(y, m, 1)
}

// computeRankingsSQL: $1 the first day of the month, $2 the default minimum of evaluations.
const computeRankingsSQL = `
WITH m AS (
    SELECT r.region_id, r.department_id, r.window_id, r.staff_id, r.total, r.active, r.good, r.bad, r.score_sum
    FROM rollup_evaluations r
    WHERE r.day >= $1::date AND r.day < ($1::date + interval '1 month')::date
), subjects AS (
    SELECT 'department' AS kind, d.id AS subject_id, d.region_id, sum(m.total) AS total, sum(m.active) AS active,
           sum(m.good) AS good, sum(m.bad) AS bad, sum(m.score_sum) AS score_sum
    FROM m JOIN departments d ON d.id = m.department_id
    GROUP BY d.id, d.region_id
    UNION ALL
    SELECT 'window', w.id, h.region_id, sum(m.total), sum(m.active), sum(m.good), sum(m.bad), sum(m.score_sum)
    FROM m JOIN windows w ON w.id = m.window_id JOIN halls h ON h.id = w.hall_id
    WHERE m.window_id <> 0
    GROUP BY w.id, h.region_id
    UNION ALL
    SELECT 'staff', s.id, COALESCE(h.region_id, d.region_id), sum(m.total), sum(m.active), sum(m.good), sum(m.bad),
           sum(m.score_sum)
    FROM m JOIN staff s ON s.id = m.staff_id JOIN departments d ON d.id = s.department_id
         LEFT JOIN windows w ON w.id = s.window_id LEFT JOIN halls h ON h.id = w.hall_id
    WHERE m.staff_id <> 0
    GROUP BY s.id, COALESCE(h.region_id, d.region_id)
), minimum AS (
    SELECT x.region_id,
           CASE WHEN x.v ~ '^[0-9]{1,9}$' THEN x.v::integer ELSE $2::integer END AS min_evaluations
    FROM (SELECT DISTINCT region_id, region_setting(region_id, 'ranking_min_evaluations') AS v FROM subjects) x
), eligible AS (
    SELECT s.kind, s.subject_id, s.region_id, s.total,
           round(s.score_sum::numeric / s.total, 3) AS satisfaction,
           round(s.good::numeric / s.total, 4) AS good_rate,
           round(s.bad::numeric / s.total, 4) AS bad_rate,
           round(s.active::numeric / s.total, 4) AS active_rate
    FROM subjects s JOIN minimum n ON n.region_id = s.region_id
    WHERE s.total > 0 AND s.total >= n.min_evaluations
), ranked AS (
    SELECT e.*,
           row_number() OVER best AS rank,
           count(*) OVER (PARTITION BY e.kind, e.region_id) AS of_total,
           first_value(e.satisfaction) OVER best AS top_satisfaction,
           first_value(e.good_rate) OVER best AS top_good_rate,
           first_value(e.satisfaction) OVER worst AS last_satisfaction,
           first_value(e.good_rate) OVER worst AS last_good_rate
    FROM eligible e
    WINDOW best AS (PARTITION BY e.kind, e.region_id ORDER BY e.satisfaction DESC, e.good_rate DESC, e.subject_id),
           worst AS (PARTITION BY e.kind, e.region_id ORDER BY e.satisfaction, e.good_rate, e.subject_id DESC)
), judged AS (
    SELECT r.*,
           r.of_total >= 2
           AND (r.satisfaction, r.good_rate) = (r.last_satisfaction, r.last_good_rate)
           AND (r.last_satisfaction, r.last_good_rate) <> (r.top_satisfaction, r.top_good_rate) AS bottom
    FROM ranked r
)
INSERT INTO rankings (month, kind, subject_id, region_id, rank, of_total, evaluations, satisfaction, good_rate,
                      bad_rate, active_rate, bottom, flagged)
SELECT $1::date, j.kind, j.subject_id, j.region_id, j.rank, j.of_total, j.total, j.satisfaction, j.good_rate,
       j.bad_rate, j.active_rate, j.bottom,
       j.bottom AND EXISTS (
           SELECT 1 FROM rankings p
           WHERE p.month = ($1::date - interval '1 month')::date AND p.kind = j.kind
             AND p.region_id = j.region_id AND p.subject_id = j.subject_id AND p.bottom)
FROM judged j`

// RankingQuery selects rankings for the API.
type RankingQuery struct {
	Month      time.Time // any day of the month (Beijing); zero: the last complete month
	Kind       string    // department, window or staff; empty: all three
	RegionID   int64     // the ranking region, with its sub-regions; 0: all
	Department int64     // the department ranked or answering for the window or staff; 0: all
	Scope      access.Scope
}

// Ranking is one subject's place in a month's ranking.
type Ranking struct {
	Month        string  `json:"month"` // YYYY-MM
	Kind         string  `json:"kind"`  // department, window or staff
	SubjectID    int64   `json:"subject_id"`
	Code         string  `json:"code"` // department code, window code or staff number
	Name         string  `json:"name"`
	RegionID     int64   `json:"region_id"` // ranked among the subjects of this region
	RegionCode   string  `json:"region_code"`
	RegionName   string  `json:"region_name"`
	DepartmentID int64   `json:"department_id"`
	HallID       *int64  `json:"hall_id,omitempty"`
	Rank         int     `json:"rank"`
	OfTotal      int     `json:"of_total"`
	Evaluations  int     `json:"evaluations"`
	Satisfaction float64 `json:"satisfaction"` // mean score, 0..10
	GoodRate     float64 `json:"good_rate"`
	BadRate      float64 `json:"bad_rate"`
	ActiveRate   float64 `json:"active_rate"`
	Bottom       bool    `json:"bottom"`  // 末位 this month
	Flagged      bool    `json:"flagged"` // 末位 two months running
}

// rankingRowsSQL exposes each ranking with the department_id, hall_id and region_id of its
// subject, so that filters and auth.Scope.SQL apply: a department's own id; a window's
// department and hall; a staff member's department and the hall of their window.
const rankingRowsSQL = `
SELECT k.month, k.kind, k.subject_id, k.region_id, k.rank, k.of_total, k.evaluations, k.satisfaction,
       k.good_rate, k.bad_rate, k.active_rate, k.bottom, k.flagged,
       COALESCE(d.code, w.code, s.staff_no, '') AS code, COALESCE(d.name, w.name, s.name, '') AS name,
       CASE k.kind WHEN 'department' THEN k.subject_id WHEN 'window' THEN w.department_id ELSE s.department_id END AS department_id,
       CASE k.kind WHEN 'window' THEN w.hall_id WHEN 'staff' THEN sw.hall_id END AS hall_id
FROM rankings k
LEFT JOIN departments d ON k.kind = 'department' AND d.id = k.subject_id
LEFT JOIN windows w ON k.kind = 'window' AND w.id = k.subject_id
LEFT JOIN staff s ON k.kind = 'staff' AND s.id = k.subject_id
LEFT JOIN windows sw ON sw.id = s.window_id`

// Rankings returns a month's rankings, within the user's scope (in the SQL), ordered by kind
// (department, window, staff), ranking region and rank.
func (s *Service) Rankings(ctx context.Context, q RankingQuery) ([]Ranking, error) {
	month := q.Month
	if month.IsZero() {
		month = monthOf(s.now()).AddDate(0, -1, 0)
	}
	args := []any{monthOf(month)}
	clauses := []string{"x.month = $1"}
	add := func(clause string, v any) {
		args = append(args, v)
		clauses = append(clauses, strings.ReplaceAll(clause, "?", "$"+strconv.Itoa(len(args))))
	}
	switch q.Kind {
	case "":
	case RankDepartment, RankWindow, RankStaff:
		add("x.kind = ?", q.Kind)
	default:
		return nil, problem.Invalid("invalid_kind", "kind", "kind 须为 department、window 或 staff")
	}
	if q.RegionID != 0 {
		add("x.region_id IN (SELECT region_descendants(?))", q.RegionID)
	}
	if q.Department != 0 {
		add("x.department_id = ?", q.Department)
	}
	pred, arg := q.Scope.SQL("x", len(args)+1)
	args = append(args, arg)
	clauses = append(clauses, pred)
	sql := `SELECT x.month, x.kind, x.subject_id, x.code, x.name, x.region_id, g.code, g.name, COALESCE(x.department_id, 0), x.hall_id,
       x.rank, x.of_total, x.evaluations, x.satisfaction::float8, x.good_rate::float8, x.bad_rate::float8,
       x.active_rate::float8, x.bottom, x.flagged
FROM (` + rankingRowsSQL + `) x JOIN regions g ON g.id = x.region_id
WHERE ` + strings.Join(clauses, " AND ") + `
ORDER BY array_position(ARRAY['department', 'window', 'staff'], x.kind), g.code, x.rank`
	var out []Ranking
	err := s.read(ctx, func(db database.Querier) error {
		rows, err := db.Query(ctx, sql, args...)
		if err != nil {
			return fmt.Errorf("rankings: %w", err)
		}
		out, err = pgx.AppendRows([]Ranking{}, rows, func(row pgx.CollectableRow) (Ranking, error) {
			var r Ranking
			var m time.Time
			err := row.Scan(&m, &r.Kind, &r.SubjectID, &r.Code, &r.Name, &r.RegionID, &r.RegionCode, &r.RegionName,
				&r.DepartmentID, &r.HallID, &r.Rank, &r.OfTotal, &r.Evaluations, &r.Satisfaction, &r.GoodRate,
				&r.BadRate, &r.ActiveRate, &r.Bottom, &r.Flagged)
			r.Month = m.Format("2006-01")
			return r, err
		})
		if err != nil {
			return fmt.Errorf("rankings: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
