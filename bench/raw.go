package bench

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/app"
	"haochaping/evaluation"
)

// RawOptions shape `haochaping bench raw`: the naive database rate the HTTP path is compared
// with — the same rows (a window rating, and its outbox row when bad: 20 %), one transaction
// each, committed before the next, from Concurrency clients for Duration.
type RawOptions struct {
	Duration    time.Duration
	Concurrency int
	Keep        bool      // keep the run's schema afterwards
	Progress    io.Writer // the progress line; nil: none
}

// RawReport is what `bench raw` measured.
type RawReport struct {
	Schema      string
	Concurrency int
	Result      *Result
	Machine     benchMachine
}

// Throughput is the ratings committed per second over the send phase.
func (r *RawReport) Throughput() float64 { return r.Result.Throughput() }

// Raw runs the naive baseline in a schema of its own, seeded like the others.
func Raw(ctx context.Context, e *app.Env, o RawOptions) (*RawReport, error) {
	if o.Concurrency < 1 {
		o.Concurrency = 32
	}
	if o.Duration <= 0 {
		o.Duration = 15 * time.Second
	}
	cfg := *e.Cfg
	cfg.DatabaseURL = withPoolSize(cfg.DatabaseURL, o.Concurrency)
	w, err := openBenchWorld(ctx, &app.Env{Cfg: &cfg, Log: e.Log})
	if err != nil {
		return nil, err
	}
	defer func() { _ = w.close(o.Keep) }()
	places, err := windowPlaces(ctx, w)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	pool := w.env.DB.Pool
	res := Run(ctx, Options{Duration: o.Duration, Clients: o.Concurrency, Want: 201, MaxFailures: 10, Progress: o.Progress},
		func(ctx context.Context, i int) (int, error) {
			p := places[i%len(places)]
			r := evaluation.NaiveRating{Key: "raw:" + strconv.Itoa(i), TicketNo: "R" + strconv.Itoa(i),
				RegionID: p.region, DepartmentID: p.department, HallID: p.hall, WindowID: p.window, StaffID: p.staff,
				Level: evaluation.VerySatisfied, ServedAt: now.Add(-10 * time.Minute), RatedAt: now}
			if i%5 == 0 {
				r.Level, r.Reasons = evaluation.VeryDissatisfied, []string{"efficiency"}
			}
			if err := evaluation.InsertNaive(ctx, pool, r); err != nil {
				return 0, err
			}
			return 201, nil
		})
	return &RawReport{Schema: w.schema, Concurrency: o.Concurrency, Result: res, Machine: machine(ctx, w)}, nil
}

// place is a window with its hall, unit, region and one of its staff: what a rating names.
type place struct{ window, hall, department, region, staff int64 }

func windowPlaces(ctx context.Context, w *benchWorld) ([]place, error) {
	rows, err := w.env.DB.Pool.Query(ctx, `SELECT wi.id, wi.hall_id, wi.department_id, h.region_id, s.id
		FROM windows wi JOIN halls h ON h.id = wi.hall_id JOIN staff s ON s.window_id = wi.id ORDER BY wi.id, s.id`)
	if err != nil {
		return nil, fmt.Errorf("bench raw: the windows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (place, error) {
		var p place
		err := r.Scan(&p.window, &p.hall, &p.department, &p.region, &p.staff)
		return p, err
	})
	if err != nil || len(out) == 0 {
		return nil, fmt.Errorf("bench raw: no window with staff in the seeded city (%v)", err)
	}
	return out, nil
}

// withPoolSize sets the pool's size in the URL, so that every client has its connection.
func withPoolSize(dbURL string, n int) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	q := u.Query()
	q.Set("pool_max_conns", strconv.Itoa(max(n, 16)))
	u.RawQuery = q.Encode()
	return u.String()
}

// PrintRaw writes the report; its last line is `throughput=<n>/s p50=<ms> p99=<ms>`, as
// loadgen's, so that the two compare line by line.
func PrintRaw(out io.Writer, r *RawReport) error {
	res := r.Result
	fmt.Fprintf(out, "bench raw: %d clients, one transaction per rating (the evaluation, and its outbox row when bad), schema %s\n",
		r.Concurrency, r.Schema)
	m := r.Machine
	fmt.Fprintf(out, "machine: %d CPUs, %s/%s, %s, PostgreSQL %s\n", m.CPUs, m.OS, m.Arch, m.Go, m.PostgreSQL)
	fmt.Fprintf(out, "ratings committed %d, failed %d, in %.1f s\n", res.OK, res.Failed(), res.Duration().Seconds())
	for _, ex := range res.Examples {
		fmt.Fprintf(out, "  failure: %s\n", ex)
	}
	_, err := fmt.Fprintf(out, "throughput=%.1f/s p50=%.1f p99=%.1f\n", res.Throughput(),
		ms(Percentile(res.Latencies, 0.50)), ms(Percentile(res.Latencies, 0.99)))
	return err
}
