package measures

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/database"
	"haochaping/internal/problem"
)

// Measure is one measure of DOMAIN.md over a period: the counts it is made of, its value, the
// work plan's target and whether it is met. Value and Met are null when there is nothing to
// measure (a zero denominator), or, for Met, when the plan sets no target.
type Measure struct {
	Numerator   float64  `json:"numerator"`
	Denominator float64  `json:"denominator"`
	Value       *float64 `json:"value"`
	Target      *float64 `json:"target"`
	Met         *bool    `json:"met"`
	Unit        string   `json:"unit"` // count, ratio (0..1), score (0..10) or workdays
	Name        string   `json:"name"` // 中文
}

// Query selects the period and the slice of the city measured.
type Query struct {
	From, To   time.Time // Beijing days, both included
	RegionID   int64     // with its sub-regions; 0: all
	Department int64     // 0: all
	Hall       int64     // 0: all
	Channel    string    // empty: all
	Scope      access.Scope
}

// counts are the sums the measures are made of.
type counts struct {
	total, active, good, bad, score, reported, timely float64
	completed, evaluated                              float64
	badR, badRealName, upheld, calledBack, rectified  float64
	recorded, realNameDone, onTime, durationSum       float64
	upheldScore, upheldActive                         float64
}

// measures turns the counts into the measures. An upheld appeal (申诉成立: a mistaken or
// malicious bad review) leaves the rates: it is taken out of the rates' denominators and of
// the bad reviews and scores, while 总评价量 still counts every rating given, and 及时上报率
// every rating reported.
func (c *counts) measures(activeTarget float64) map[string]Measure {
	one := 1.0
	rated := c.total - c.upheld
	m := map[string]Measure{
		"total_evaluations":           {Numerator: c.total, Denominator: 1, Name: "总评价量（主动+默认）", Unit: "count"},
		"active_rate":                 ratio(c.active-c.upheldActive, rated, &activeTarget, "主动评价率"),
		"evaluation_rate":             ratio(c.evaluated, c.completed, nil, "评价率"),
		"good_rate":                   ratio(c.good, rated, nil, "好评率"),
		"bad_rate":                    ratio(c.bad-c.upheld, rated, nil, "差评率"),
		"satisfaction":                {Numerator: c.score - c.upheldScore, Denominator: rated, Unit: "score", Name: "满意度（平均分，满分10）"},
		"callback_rate":               ratio(c.calledBack, c.badR, &one, "回访率"),
		"rectification_rate":          ratio(c.rectified, c.badR, &one, "整改率"),
		"record_rate":                 ratio(c.recorded, c.badR, &one, "记录率"),
		"realname_rectification_rate": ratio(c.realNameDone, c.badRealName, &one, "实名差评整改率"),
		"ontime_rate":                 ratio(c.onTime, c.rectified, nil, "按时整改率"),
		"avg_rectification_workdays":  {Numerator: c.durationSum, Denominator: c.rectified, Unit: "workdays", Name: "平均整改时长（工作日）"},
		"timely_report_rate":          ratio(c.timely, c.total, &one, "及时上报率"),
	}
	total := m["total_evaluations"]
	total.Value = &c.total
	m["total_evaluations"] = total
	for _, k := range []string{"satisfaction", "avg_rectification_workdays"} {
		x := m[k]
		if x.Denominator > 0 {
			v := x.Numerator / x.Denominator
			x.Value = &v
		}
		m[k] = x
	}
	return m
}

func ratio(num, den float64, target *float64, name string) Measure {
	m := Measure{Numerator: num, Denominator: den, Target: target, Unit: "ratio", Name: name}
	if den > 0 {
		v := num / den
		m.Value = &v
		if target != nil {
			met := v >= *target
			m.Met = &met
		}
	}
	return m
}

// Overview computes every measure of DOMAIN.md for a period, from the rollups.
func (s *Service) Overview(ctx context.Context, q Query) (map[string]Measure, error) {
	series, err := s.measureSeries(ctx, q, "", false)
	if err != nil {
		return nil, err
	}
	target, err := s.activeTarget(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(series) == 0 {
		return (&counts{}).measures(target), nil
	}
	return series[0].c.measures(target), nil
}

// TrendPoint is the measures of one day, week or month.
type TrendPoint struct {
	Period   string             `json:"period"` // the first day of the bucket, YYYY-MM-DD
	Measures map[string]Measure `json:"measures"`
}

// Trend computes the measures per day, week (from Monday) or month.
func (s *Service) Trend(ctx context.Context, q Query, by string) ([]TrendPoint, error) {
	if by != "day" && by != "week" && by != "month" {
		return nil, problem.Invalid("invalid_granularity", "by", "by 须为 day、week 或 month")
	}
	series, err := s.measureSeries(ctx, q, by, false)
	if err != nil {
		return nil, err
	}
	target, err := s.activeTarget(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]TrendPoint, len(series))
	for i, p := range series {
		out[i] = TrendPoint{Period: p.bucket.Format("2006-01-02"), Measures: p.c.measures(target)}
	}
	return out, nil
}

type bucketCounts struct {
	bucket     time.Time
	department int64 // with perDepartment; else 0
	c          counts
}

// measureSeries sums the three rollups over the period, per bucket (by: "" for one bucket),
// and per department when asked. For one bucket or months, the period's whole months are read
// from the monthly rollups.
func (s *Service) measureSeries(ctx context.Context, q Query, by string, perDepartment bool) ([]bucketCounts, error) {
	bucket := "DATE '2000-01-01'"
	if by != "" {
		bucket = "date_trunc('" + by + "', r.day::timestamp)::date" // without a zone: the session's plays no part
	}
	dept := "0::bigint"
	if perDepartment {
		dept = "r.department_id"
	}
	where, args := q.where()
	units, cases, rect := "rollup_units", "rollup_cases", "rollup_rectification"
	if by == "" || by == "month" {
		units, cases, rect, args = q.monthsAndDays(args)
	}
	sql := fmt.Sprintf(`
WITH u AS (
    SELECT %[1]s AS b, %[3]s AS d, sum(total) AS total, sum(active) AS active, sum(good) AS good, sum(bad) AS bad,
           sum(score_sum) AS score, sum(reported) AS reported, sum(reported_timely) AS timely
    FROM %[4]s r WHERE %[2]s GROUP BY 1, 2
), c AS (
    SELECT %[1]s AS b, %[3]s AS d, sum(completed) AS completed, sum(evaluated) AS evaluated
    FROM %[5]s r WHERE %[2]s GROUP BY 1, 2
), x AS (
    SELECT %[1]s AS b, %[3]s AS d, sum(bad) AS bad, sum(bad_real_name) AS bad_real_name, sum(upheld) AS upheld,
           sum(called_back) AS called_back, sum(rectified) AS rectified, sum(recorded) AS recorded,
           sum(real_name_done) AS real_name_done, sum(on_time) AS on_time, sum(duration_workdays_sum) AS duration,
           sum(upheld_score_sum) AS upheld_score, sum(upheld_active) AS upheld_active
    FROM %[6]s r WHERE %[2]s GROUP BY 1, 2
)
SELECT COALESCE(u.b, c.b, x.b), COALESCE(u.d, c.d, x.d),
       COALESCE(u.total, 0), COALESCE(u.active, 0), COALESCE(u.good, 0), COALESCE(u.bad, 0), COALESCE(u.score, 0),
       COALESCE(u.reported, 0), COALESCE(u.timely, 0), COALESCE(c.completed, 0), COALESCE(c.evaluated, 0),
       COALESCE(x.bad, 0), COALESCE(x.bad_real_name, 0), COALESCE(x.upheld, 0), COALESCE(x.called_back, 0),
       COALESCE(x.rectified, 0), COALESCE(x.recorded, 0), COALESCE(x.real_name_done, 0), COALESCE(x.on_time, 0),
       COALESCE(x.duration, 0), COALESCE(x.upheld_score, 0), COALESCE(x.upheld_active, 0)
FROM u FULL JOIN c ON c.b = u.b AND c.d = u.d
       FULL JOIN x ON x.b = COALESCE(u.b, c.b) AND x.d = COALESCE(u.d, c.d)
ORDER BY 1, 2`, bucket, where, dept, units, cases, rect)
	var out []bucketCounts
	err := s.read(ctx, func(db database.Querier) error {
		rows, err := db.Query(ctx, sql, args...)
		if err != nil {
			return fmt.Errorf("measures: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (bucketCounts, error) {
			var p bucketCounts
			c := &p.c
			err := row.Scan(&p.bucket, &p.department, &c.total, &c.active, &c.good, &c.bad, &c.score, &c.reported, &c.timely,
				&c.completed, &c.evaluated, &c.badR, &c.badRealName, &c.upheld, &c.calledBack, &c.rectified,
				&c.recorded, &c.realNameDone, &c.onTime, &c.durationSum, &c.upheldScore, &c.upheldActive)
			return p, err
		})
		if err != nil {
			return fmt.Errorf("measures: %w", err)
		}
		return nil
	})
	return out, err
}

// DepartmentMeasures are the measures of one department over a period.
type DepartmentMeasures struct {
	DepartmentID       int64
	Code, Name, Region string
	Measures           map[string]Measure
}

// ByDepartment computes the measures of each department with ratings or cases in the period
// (for the public disclosure and the office's tables), with their names, in department order.
func (s *Service) ByDepartment(ctx context.Context, q Query) ([]DepartmentMeasures, error) {
	series, err := s.measureSeries(ctx, q, "", true)
	if err != nil {
		return nil, err
	}
	target, err := s.activeTarget(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]DepartmentMeasures, len(series))
	for i, p := range series {
		out[i] = DepartmentMeasures{DepartmentID: p.department, Measures: p.c.measures(target)}
	}
	return out, s.nameDepartments(ctx, out)
}

// where is the filter of a measure query on a rollup aliased r: the period, the slice asked
// for, and the user's scope — in the SQL, as everywhere.
func (q Query) where() (string, []any) {
	args := []any{q.From, q.To}
	clauses := []string{"r.day >= $1", "r.day <= $2"}
	add := func(clause string, v any) {
		args = append(args, v)
		clauses = append(clauses, strings.ReplaceAll(clause, "?", "$"+strconv.Itoa(len(args))))
	}
	if q.RegionID != 0 {
		add("r.region_id IN (SELECT region_descendants(?))", q.RegionID)
	}
	if q.Department != 0 {
		add("r.department_id = ?", q.Department)
	}
	if q.Hall != 0 {
		add("r.hall_id = ?", q.Hall)
	}
	if q.Channel != "" {
		add("r.channel = ?", q.Channel)
	}
	pred, arg := q.Scope.SQL("r", len(args)+1)
	args = append(args, arg)
	clauses = append(clauses, pred)
	return strings.Join(clauses, " AND "), args
}

// activeTarget is the target of the active-evaluation rate: the setting target_active_rate of
// the region measured (the city's plan: 70 %).
func (s *Service) activeTarget(ctx context.Context, q Query) (float64, error) {
	region := q.RegionID
	if region == 0 && q.Scope.Kind == "region" {
		region = q.Scope.ID
	}
	var v *string
	if err := s.read(ctx, func(db database.Querier) error {
		return db.QueryRow(ctx, `SELECT region_setting($1, 'target_active_rate')`, region).Scan(&v)
	}); err != nil {
		return 0, fmt.Errorf("active-rate target: %w", err)
	}
	if v != nil {
		if f, err := strconv.ParseFloat(*v, 64); err == nil {
			return f, nil
		}
	}
	return 0.70, nil
}
