package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"haochaping/app"
	"haochaping/evaluation"
	"haochaping/internal/bjtime"
	"haochaping/seeds/demohistory"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The goals of the measures benchmark (overview: issue 14's, at 10 million evaluations).
const (
	goalOverviewP95 = 50 * time.Millisecond
	goalRollup100k  = 2 * time.Second
)

type MeasuresOptions struct {
	Evaluations int
	Days        int
	Rounds      int
	Reuse       string
	Keep        bool
	JSON        bool
}

// MeasuresReport is what a run found; the JSON of --json.
type MeasuresReport struct {
	Schema      string          `json:"schema"`
	Machine     benchMachine    `json:"machine"`
	Evaluations int64           `json:"evaluations"`
	LoadSeconds float64         `json:"load_seconds,omitempty"`
	Overview    latencySummary  `json:"overview"`
	RawGroupBy  latencySummary  `json:"raw_group_by"`
	Ratio       float64         `json:"ratio_raw_over_rollup_p50"`
	Rollups     []float64       `json:"rollup_100k_seconds"`
	Checks      []string        `json:"checks"`
	Queries     []measuresQuery `json:"queries"`
	Goals       map[string]bool `json:"goals_met"`
}

// measuresQuery is one overview the office asks for: a period and filters.
type measuresQuery struct {
	Name              string `json:"name"`
	From, To          string `json:"-"`
	Region, Dept, Chn string `json:"-"`
	// What this query's answers took through HTTP, over the rounds.
	Latency latencySummary `json:"latency"`
}

func Measures(ctx context.Context, o MeasuresOptions, progress io.Writer) (report *MeasuresReport, err error) {
	e, err := app.NewEnv()
	if err != nil {
		return nil, err
	}
	defer e.Close()
	var w *benchWorld
	if o.Reuse != "" {
		w, err = reuseBenchWorld(ctx, e, o.Reuse)
		o.Keep = true // a reused schema is never dropped
	} else {
		w, err = openBenchWorld(ctx, e)
	}
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := w.close(o.Keep); cerr != nil && err == nil {
			err = cerr
		}
	}()
	report = &MeasuresReport{Schema: w.schema, Machine: machine(ctx, w), Goals: map[string]bool{}}

	owner, release, err := w.env.OwnerDB(ctx)
	if err != nil {
		return report, err
	}
	defer release()
	if o.Reuse == "" {
		start := time.Now()
		l := &demohistory.Loader{DB: owner, Keys: w.env.Keys, Log: w.env.Log}
		if _, err := l.Load(ctx, demohistory.Options{Evaluations: o.Evaluations, Days: o.Days, Seed: 1,
			RatingDays: w.env.Cfg.EvaluationWindowDays, Progress: progress, RollupWait: 10 * time.Minute}); err != nil {
			return report, fmt.Errorf("load the history: %w", err)
		}
		report.LoadSeconds = time.Since(start).Seconds()
	}
	if err := w.env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM evaluations`).Scan(&report.Evaluations); err != nil {
		return report, err
	}
	// Statistics for the planner after a bulk load, as autovacuum would give them in time (only
	// the tables' owner may).
	if _, err := owner.Pool.Exec(ctx, `ANALYZE`); err != nil {
		return report, err
	}

	sys, err := startBenchSystem(ctx, w)
	if err != nil {
		return report, err
	}
	defer sys.stop()
	queries, err := overviewQueries(ctx, w)
	if err != nil {
		return report, err
	}
	report.Queries = queries

	fmt.Fprintln(progress, "measuring the overview through HTTP …")
	token, err := loginOffice(ctx, sys)
	if err != nil {
		return report, err
	}
	var viaRollups []time.Duration
	perQuery := make([][]time.Duration, len(queries))
	for round := 0; round < o.Rounds; round++ {
		for i, q := range queries {
			d, total, err := timeOverview(ctx, sys, token, q)
			if err != nil {
				return report, fmt.Errorf("overview %s: %w", q.Name, err)
			}
			viaRollups = append(viaRollups, d)
			perQuery[i] = append(perQuery[i], d)
			if round == 0 {
				// Once per query: the rollups must agree with the raw rows.
				raw, _, err := rawOverview(ctx, w.env.DB.Pool, q)
				if err != nil {
					return report, fmt.Errorf("raw overview %s: %w", q.Name, err)
				}
				status := "agree"
				if raw != total {
					status = fmt.Sprintf("DISAGREE (rollups %d, raw %d)", total, raw)
				}
				report.Checks = append(report.Checks, fmt.Sprintf("%s: total evaluations %d, rollups and raw rows %s", q.Name, total, status))
			}
		}
	}
	report.Overview = summarise(viaRollups)
	for i := range queries {
		queries[i].Latency = summarise(perQuery[i])
	}

	fmt.Fprintln(progress, "measuring the plain GROUP BY over the raw tables …")
	var raw []time.Duration
	for round := 0; round < 3; round++ {
		for _, q := range queries {
			_, d, err := rawOverview(ctx, w.env.DB.Pool, q)
			if err != nil {
				return report, err
			}
			raw = append(raw, d)
		}
	}
	report.RawGroupBy = summarise(raw)
	if report.Overview.P50ms > 0 {
		report.Ratio = report.RawGroupBy.P50ms / report.Overview.P50ms
	}

	fmt.Fprintln(progress, "measuring the rollup of 100,000 new evaluations …")
	for i := 0; i < 3; i++ {
		d, err := timeRollup100k(ctx, w, sys, i)
		if err != nil {
			return report, err
		}
		report.Rollups = append(report.Rollups, d.Seconds())
	}
	report.Goals["overview_p95_under_50ms"] = report.Overview.P95ms < ms(goalOverviewP95)
	report.Goals["rollup_100k_under_2s"] = median(report.Rollups) < goalRollup100k.Seconds()
	return report, nil
}

// overviewQueries are what an office looks at: the year, the month, the week; the city, a
// district, a unit, a channel.
func overviewQueries(ctx context.Context, w *benchWorld) ([]measuresQuery, error) {
	var last time.Time
	if err := w.env.DB.Pool.QueryRow(ctx, `SELECT max(day) FROM rollup_units`).Scan(&last); err != nil {
		return nil, fmt.Errorf("the history's last day: %w", err)
	}
	d := func(days int) string { return last.AddDate(0, 0, -days).Format("2006-01-02") }
	end := last.Format("2006-01-02")
	return []measuresQuery{
		{Name: "year, city", From: d(364), To: end},
		{Name: "month, city", From: d(29), To: end},
		{Name: "week, city", From: d(6), To: end},
		{Name: "year, 市中区", From: d(364), To: end, Region: "370402"},
		{Name: "year, 市审批服务局", From: d(364), To: end, Dept: "ZZ-SPJ"},
		{Name: "month, mobile", From: d(29), To: end, Chn: "mobile"},
		{Name: "month, 滕州市, window", From: d(29), To: end, Region: "370481", Chn: "window"},
	}, nil
}

// timeOverview asks for one overview and returns how long the answer took and its total.
func timeOverview(ctx context.Context, sys *benchSystem, token string, q measuresQuery) (time.Duration, int64, error) {
	v := url.Values{"from": {q.From}, "to": {q.To}}
	if q.Region != "" {
		v.Set("region", q.Region)
	}
	if q.Dept != "" {
		v.Set("department", q.Dept)
	}
	if q.Chn != "" {
		v.Set("channel", q.Chn)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", sys.url+"/api/v1/stats/overview?"+v.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	resp, err := sys.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	var ans struct {
		Measures map[string]struct {
			Numerator float64 `json:"numerator"`
		} `json:"measures"`
	}
	err = json.NewDecoder(resp.Body).Decode(&ans)
	took := time.Since(start)
	if err != nil || resp.StatusCode != 200 {
		return 0, 0, fmt.Errorf("status %d: %v", resp.StatusCode, err)
	}
	return took, int64(ans.Measures["total_evaluations"].Numerator), nil
}

// rawOverview computes the overview's counts the plain way — a GROUP BY over the raw
// evaluations, work orders and cases of the period — and returns the total and the time taken.
func rawOverview(ctx context.Context, pool *pgxpool.Pool, q measuresQuery) (int64, time.Duration, error) {
	from, _ := time.Parse("2006-01-02", q.From)
	to, _ := time.Parse("2006-01-02", q.To)
	fromTS, toTS := bjtime.StartOfDay(from), bjtime.StartOfDay(to.AddDate(0, 0, 1))
	start := time.Now()
	var total int64
	var a, g, b, s, rb, cb, rect, comp, eval int64
	err := pool.QueryRow(ctx, `
		WITH f AS (
		    SELECT e.* FROM evaluations e
		    WHERE e.rated_at >= $1 AND e.rated_at < $2
		      AND ($3 = '' OR e.region_id IN (SELECT region_descendants((SELECT id FROM regions WHERE code = $3))))
		      AND ($4 = '' OR e.department_id = (SELECT id FROM departments WHERE code = $4))
		      AND ($5 = '' OR e.channel = $5)
		), ev AS (
		    SELECT count(*) AS total, count(*) FILTER (WHERE active) AS active, count(*) FILTER (WHERE level >= 4) AS good,
		           count(*) FILTER (WHERE level <= 2) AS bad, COALESCE(sum(score), 0) AS score FROM f
		), rc AS (
		    SELECT count(*) FILTER (WHERE w.appeal_outcome IS DISTINCT FROM 'upheld') AS bad,
		           count(*) FILTER (WHERE w.called_back_at IS NOT NULL AND w.appeal_outcome IS DISTINCT FROM 'upheld') AS called,
		           count(*) FILTER (WHERE w.rectified_at IS NOT NULL AND w.appeal_outcome IS DISTINCT FROM 'upheld') AS rect
		    FROM f LEFT JOIN work_orders w ON w.evaluation_id = f.id WHERE f.bad
		), cs AS (
		    SELECT count(*) AS completed,
		           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM evaluations x WHERE x.case_id = c.id AND x.stage = 'complete' AND NOT x.superseded)) AS evaluated
		    FROM cases c
		    WHERE c.completed_at >= $1 AND c.completed_at < $2
		      AND ($3 = '' OR c.region_id IN (SELECT region_descendants((SELECT id FROM regions WHERE code = $3))))
		      AND ($4 = '' OR c.department_id = (SELECT id FROM departments WHERE code = $4))
		      AND ($5 = '' OR c.source_channel = $5)
		)
		SELECT ev.total, ev.active, ev.good, ev.bad, ev.score, rc.bad, rc.called, rc.rect, cs.completed, cs.evaluated
		FROM ev, rc, cs`, fromTS, toTS, q.Region, q.Dept, q.Chn).Scan(&total, &a, &g, &b, &s, &rb, &cb, &rect, &comp, &eval)
	return total, time.Since(start), err
}

// timeRollup100k writes 100,000 new evaluations in one transaction — copies of window ratings
// of the history, rated now — and times the rollup that counts them.
func timeRollup100k(ctx context.Context, w *benchWorld, sys *benchSystem, batch int) (time.Duration, error) {
	tag := strconv.FormatInt(time.Now().Unix(), 10) + "-" + strconv.Itoa(batch) // unique across --reuse runs
	if err := evaluation.CopyRecentWindowRatings(ctx, w.env.DB.Pool, tag, 100_000); err != nil {
		return 0, err
	}
	// The rollup counts what finished below the snapshot's xmin: a transaction open elsewhere on
	// the server may hold it back one run; the time is that of the run that counted them.
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		start := time.Now()
		n, err := sys.app.Measures.RollUp(ctx)
		took := time.Since(start)
		if err != nil {
			return 0, err
		}
		if n >= 100_000 {
			return took, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0, fmt.Errorf("the rollup did not count the 100,000 evaluations within a minute")
}
