package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"haochaping/app"
	"haochaping/channels"
	"haochaping/internal/bench"
	"haochaping/internal/queue"
	"haochaping/rectify"
	"haochaping/seeds"
)

// The goal of the dispatch benchmark (from the issue): p99 of commit → work order under 1 s
// at 200 bad reviews per second.
const (
	goalP99  = time.Second
	goalRate = 200.0
	// maxFailures is the handful of refused or unanswered requests after which the load stops:
	// beyond it the figures would describe a broken run, not the system.
	maxFailures = 5
	// windowPath is the endpoint of the window pads, the busiest channel in a hall.
	windowPath = "/api/v1/channels/window/evaluations"
)

func runBench(ctx context.Context, args []string) error {
	return benchCommand(ctx, args, os.Stdout, os.Stderr)
}

const benchUsage = `usage: haochaping bench dispatch [--reviews 10000] [--rate 200] [--clients 32] [--wait 2m] [--json] [--keep]

Sends bad reviews through the window pads' endpoint of an in-process system (HTTP server and
worker, as "haochaping all" runs them) working in a schema of its own, bench_<unix time>, and
reports the time from each bad review's commit to its work order, and the throughput.`

// benchOptions are the flags of `bench dispatch`.
type benchOptions struct {
	Reviews int
	Rate    float64 // bad reviews started per second; 0: as fast as Clients allow
	Clients int
	Wait    time.Duration // how long to wait for the work orders after sending
	JSON    bool
	Keep    bool // keep the schema and the queues, for a look afterwards
}

// benchCommand is the `bench` command with its output streams, so that a test can run it.
func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "measures" {
		o, err := parseMeasuresFlags(args[1:], stderr)
		if err != nil {
			return err
		}
		report, err := benchMeasures(ctx, o, stderr)
		if report != nil {
			if perr := printMeasuresReport(stdout, report, o.JSON); perr != nil && err == nil {
				err = perr
			}
		}
		return err
	}
	if len(args) == 0 || args[0] != "dispatch" {
		fmt.Fprintln(stderr, benchUsage+"\n\n"+measuresUsage)
		return errUsage
	}
	o, err := parseBenchFlags(args[1:], stderr)
	if err != nil {
		return err
	}
	report, err := benchDispatch(ctx, o, stderr)
	if report != nil {
		if perr := printBenchReport(stdout, report, o.JSON); perr != nil && err == nil {
			err = perr
		}
	}
	if err != nil {
		return err
	}
	if !report.OK {
		return fmt.Errorf("the run failed: %s", strings.Join(report.Problems, "; "))
	}
	return nil
}

func parseBenchFlags(args []string, stderr io.Writer) (benchOptions, error) {
	fs := flag.NewFlagSet("bench dispatch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, benchUsage); fs.PrintDefaults() }
	var o benchOptions
	fs.IntVar(&o.Reviews, "reviews", 10000, "bad reviews to send")
	fs.Float64Var(&o.Rate, "rate", goalRate, "bad reviews per second, open loop; 0: as fast as the clients allow")
	fs.IntVar(&o.Clients, "clients", 32, "requests in flight at most (HTTP keep-alive connections)")
	fs.DurationVar(&o.Wait, "wait", 2*time.Minute, "how long to wait for the last work orders after sending")
	fs.BoolVar(&o.JSON, "json", false, "print the report as JSON")
	fs.BoolVar(&o.Keep, "keep", false, "keep the schema and the queues instead of dropping them")
	if err := fs.Parse(args); err != nil {
		return o, errUsage
	}
	if fs.NArg() > 0 || o.Reviews < 1 || o.Rate < 0 || o.Clients < 1 || o.Wait <= 0 {
		fmt.Fprintln(stderr, "bench dispatch: --reviews and --clients must be ≥ 1, --rate ≥ 0, --wait > 0, and no arguments")
		fs.Usage()
		return o, errUsage
	}
	return o, nil
}

// benchReport is what a run found; the JSON of --json.
type benchReport struct {
	Schema     string              `json:"schema"`
	SchemaKept bool                `json:"schema_kept"`
	Machine    benchMachine        `json:"machine"`
	Load       benchLoad           `json:"load"`
	Ingest     benchIngest         `json:"ingest"`
	Dispatch   benchDispatchStats  `json:"dispatch"`
	Invariants []rectify.Invariant `json:"invariants"`
	// InvariantsHold: every invariant of `haochaping check` holds, and there is exactly one
	// work order per bad review.
	InvariantsHold bool      `json:"invariants_hold"`
	Goal           benchGoal `json:"goal"`
	OK             bool      `json:"ok"`       // no errors, every work order, invariants hold
	Problems       []string  `json:"problems"` // why not OK
}

type benchMachine struct {
	CPUs       int    `json:"cpus"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	Go         string `json:"go"`
	PostgreSQL string `json:"postgresql"`
}

type benchLoad struct {
	Reviews     int     `json:"reviews"`
	OfferedRate float64 `json:"offered_rate"` // per second; 0: unlimited
	Clients     int     `json:"clients"`
	Pads        int     `json:"pads"` // window pads the reviews were spread over
}

type benchIngest struct {
	Sent       int            `json:"sent"`
	Created    int            `json:"created"` // answered 201
	Statuses   map[string]int `json:"other_statuses"`
	NoAnswer   int            `json:"no_answer"`
	Examples   []string       `json:"failure_examples"`
	Seconds    float64        `json:"seconds"`    // first send to last answer
	Throughput float64        `json:"throughput"` // 201 answers per second over the send phase
	HTTPP50ms  float64        `json:"http_p50_ms"`
	HTTPP99ms  float64        `json:"http_p99_ms"`
	HTTPMaxms  float64        `json:"http_max_ms"`
	MaxLagms   float64        `json:"max_send_lag_ms"` // worst delay of a send behind its schedule
}

type benchDispatchStats struct {
	BadReviews  int     `json:"bad_reviews"` // bad evaluations in the schema
	WorkOrders  int     `json:"work_orders"`
	WaitSeconds float64 `json:"wait_seconds"` // from the last answer until the last work order was seen
	P50ms       float64 `json:"p50_ms"`
	P90ms       float64 `json:"p90_ms"`
	P99ms       float64 `json:"p99_ms"`
	Maxms       float64 `json:"max_ms"`
	// Throughput is work orders per second between the first and the last work order.
	Throughput float64 `json:"throughput"`
}

type benchGoal struct {
	P99ms  float64 `json:"p99_under_ms"`
	Rate   float64 `json:"at_rate"`
	Tested bool    `json:"tested"` // the run offered at least the goal's rate
	Met    bool    `json:"met"`
}

// benchDispatch runs the dispatch benchmark. It returns a report whenever the run got as far as
// sending (also when it failed: the report says why); the error is for what stopped it.
func benchDispatch(ctx context.Context, o benchOptions, progress io.Writer) (report *benchReport, err error) {
	e, err := newEnv()
	if err != nil {
		return nil, err
	}
	defer e.close()
	w, err := openBenchWorld(ctx, e)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := w.close(o.Keep); cerr != nil && err == nil {
			err = cerr
		}
		if report != nil {
			report.SchemaKept = o.Keep
			if err != nil { // a run that stopped early failed, and its report says why
				report.OK, report.Goal = false, benchGoal{P99ms: ms(goalP99), Rate: goalRate}
				report.Problems = append(report.Problems, err.Error())
			}
		}
	}()

	sys, err := startBenchSystem(ctx, w)
	if err != nil {
		return nil, err
	}
	defer sys.stop()

	pads, err := windowPads(ctx, sys.app)
	if err != nil {
		return nil, err
	}
	report = &benchReport{Schema: w.schema, Machine: machine(ctx, w)}
	report.Load = benchLoad{Reviews: o.Reviews, OfferedRate: o.Rate, Clients: o.Clients, Pads: len(pads)}

	result := sendReviews(ctx, sys, pads, o, progress)
	report.Ingest = ingestFigures(result)
	if err := ctx.Err(); err != nil {
		return report, fmt.Errorf("interrupted while sending: %w", err)
	}

	lastAnswer := result.End
	report.Dispatch, err = awaitWorkOrders(ctx, w, o.Wait, progress)
	report.Dispatch.WaitSeconds = time.Since(lastAnswer).Seconds()
	if err != nil {
		return report, err
	}
	if err := measureDispatch(ctx, w, &report.Dispatch); err != nil {
		return report, err
	}
	if report.Invariants, err = sys.app.Rectify.Check(ctx, 0); err != nil {
		return report, err
	}
	judge(report, result)
	return report, nil
}

// benchWorld is the run's own schema and the connections to it.
type benchWorld struct {
	admin  *pgxpool.Pool // on the configured database, outside the schema: creates and drops it
	env    *env          // on the schema: its cfg, db, keys and Redis
	schema string
}

// openBenchWorld creates the schema bench_<unix time>, migrates it and seeds the city with the
// demo devices, so that the run never touches real data and can run beside `make run`.
func openBenchWorld(ctx context.Context, e *env) (*benchWorld, error) {
	admin, err := pgxpool.New(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	schema, err := createBenchSchema(ctx, admin)
	if err != nil {
		admin.Close()
		return nil, err
	}
	cfg := *e.cfg
	cfg.DatabaseURL = withSearchPath(e.cfg.DatabaseURL, schema)
	cfg.QueuePrefix = schema // the run's queues are its own too
	cfg.Demo = true          // the demo devices sign the reviews
	cfg.WebhookURL = ""      // 10,000 notifications must not reach a real robot
	if len(cfg.DataKey) == 0 {
		// A throwaway schema needs no lasting key.
		cfg.DataKey = make([]byte, 32)
		_, _ = rand.Read(cfg.DataKey)
	}
	w := &benchWorld{admin: admin, env: &env{cfg: &cfg, log: e.log}, schema: schema}
	if err := w.prepare(ctx); err != nil {
		_ = w.close(false)
		return nil, err
	}
	return w, nil
}

// createBenchSchema names the schema by the time; a second run in the same second (a test beside
// a manual run) takes the next free suffix.
func createBenchSchema(ctx context.Context, admin *pgxpool.Pool) (string, error) {
	base := "bench_" + strconv.FormatInt(time.Now().Unix(), 10)
	for n := 0; n < 10; n++ {
		schema := base
		if n > 0 {
			schema += "_" + strconv.Itoa(n)
		}
		_, err := admin.Exec(ctx, "CREATE SCHEMA "+schema)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "42P06" { // duplicate_schema
			continue
		}
		if err != nil {
			return "", fmt.Errorf("create schema %s: %w", schema, err)
		}
		return schema, nil
	}
	return "", fmt.Errorf("create schema %s: taken, and the next nine too", base)
}

// withSearchPath returns the URL with its search_path set to schema (as testenv does).
func withSearchPath(dbURL, schema string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL // pgx reports the unparsable URL when it connects
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// prepare opens the schema the way every subcommand opens its environment, then seeds it.
func (w *benchWorld) prepare(ctx context.Context) error {
	if err := w.env.openDB(ctx); err != nil {
		return err
	}
	if err := w.env.migrate(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", w.schema, err)
	}
	if err := w.env.openKeys(); err != nil {
		return err
	}
	if err := w.env.openRedis(); err != nil {
		return err
	}
	l := &seeds.Loader{DB: w.env.db, Keys: w.env.keys, Log: w.env.log}
	if _, err := l.Seed(ctx, true); err != nil {
		return err
	}
	return nil
}

// close drops the schema and the queues unless keep; it runs on its own context, so that an
// interrupted run cleans up too.
func (w *benchWorld) close(keep bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if !keep && w.env.rdb != nil {
		errs = append(errs, removeBenchQueues(ctx, w.env.rdb, w.env.cfg.QueuePrefix))
	}
	w.env.close()
	if keep {
		// The URL is not logged: it may hold a password.
		w.env.log.Warn("bench: schema and queues kept; look with DATABASE_URL's search_path set to the schema",
			"schema", w.schema, "queue_prefix", w.env.cfg.QueuePrefix)
	} else if _, err := w.admin.Exec(ctx, "DROP SCHEMA "+w.schema+" CASCADE"); err != nil {
		errs = append(errs, fmt.Errorf("drop schema %s: %w", w.schema, err))
	}
	w.admin.Close()
	return errors.Join(errs...)
}

// removeBenchQueues deletes the run's queues. asynq's DeleteQueue leaves the completed tasks
// (kept for their retention, up to 7 days) and the daily counters behind, and no janitor visits
// a deleted queue again; so every key of the run's queues — asynq:{<prefix>-<queue>}:… — goes
// too. The prefix is the run's schema name, which no other deployment uses.
func removeBenchQueues(ctx context.Context, rdb redis.UniversalClient, prefix string) error {
	q := queue.New(rdb, prefix)
	var errs []error
	for _, name := range []string{queue.Dispatch, queue.Deadlines, queue.Notify} {
		if err := q.Inspector.DeleteQueue(q.Name(name), true); err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
			errs = append(errs, fmt.Errorf("delete queue %s: %w", q.Name(name), err))
		}
	}
	var batch []string
	flush := func() {
		if len(batch) > 0 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				errs = append(errs, fmt.Errorf("delete the keys of queues %s-*: %w", prefix, err))
			}
			batch = batch[:0]
		}
	}
	iter := rdb.Scan(ctx, 0, "asynq:{"+prefix+"-*", 1000).Iterator()
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 500 {
			flush()
		}
	}
	flush()
	if err := iter.Err(); err != nil {
		errs = append(errs, fmt.Errorf("list the keys of queues %s-*: %w", prefix, err))
	}
	return errors.Join(errs...)
}

// benchSystem is the system under test: the HTTP server and the worker in this process,
// exactly what `haochaping all` runs.
type benchSystem struct {
	app    *app.App
	url    string
	client *http.Client
	stop   func()
}

func startBenchSystem(ctx context.Context, w *benchWorld) (*benchSystem, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cfg := *w.env.cfg
	cfg.PublicURL = "http://" + ln.Addr().String()
	a := app.New(&cfg, w.env.db, w.env.keys, w.env.rdb, w.env.log)

	workCtx, stopWork := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := a.HTTP.Listener(ln); err != nil {
			w.env.log.Error("bench: HTTP server", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := a.RunWorker(workCtx); err != nil {
			w.env.log.Error("bench: worker", "err", err)
		}
	}()
	transport := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}
	sys := &benchSystem{app: a, url: cfg.PublicURL, client: &http.Client{Transport: transport, Timeout: 30 * time.Second}}
	var once sync.Once
	sys.stop = func() {
		once.Do(func() {
			// Idle keep-alive connections would hold the server's shutdown until its timeout.
			transport.CloseIdleConnections()
			_ = a.HTTP.ShutdownWithTimeout(10 * time.Second)
			stopWork()
			wg.Wait()
			a.Close()
		})
	}
	return sys, nil
}

// benchPad is a demo window pad: it signs with its own secret and knows who serves there.
type benchPad struct {
	id, secret, window string
}

// windowPads lists the demo window pads with their secrets.
func windowPads(ctx context.Context, a *app.App) ([]benchPad, error) {
	list, err := a.Devices.List(ctx, true, true)
	if err != nil {
		return nil, err
	}
	var pads []benchPad
	for _, d := range list {
		if d.Channel == "window" && d.Enabled && d.Secret != "" {
			pads = append(pads, benchPad{id: d.ID, secret: d.Secret, window: d.WindowCode})
		}
	}
	if len(pads) == 0 {
		return nil, errors.New("the seeded schema has no demo window pads")
	}
	return pads, nil
}

// The offline reason codes (seeds/org.yaml) a bad review at a window may give.
var benchReasons = []string{"attitude", "efficiency", "quality", "overall", "environment"}

// reviewBody is bad review i: level 1 or 2 with a reason, served a few minutes ago by one of the
// window's two demo staff, with a ticket no other review of the run has — so that no two bodies,
// and so no two signatures, are the same.
func reviewBody(i int, pad benchPad, now time.Time) []byte {
	body, _ := json.Marshal(map[string]any{
		"ticket_no": fmt.Sprintf("B%07d", i),
		"staff_no":  fmt.Sprintf("%s-%d", pad.window, 1+i%2),
		"level":     1 + i%2,
		"reasons":   []string{benchReasons[i%len(benchReasons)]},
		"comment":   fmt.Sprintf("压测差评第 %d 条：等候时间过长", i+1),
		"served_at": now.Add(-3 * time.Minute).Format(time.RFC3339),
	})
	return body
}

// sendReviews sends o.Reviews bad reviews, spread over the pads in turn, through real HTTP.
func sendReviews(ctx context.Context, sys *benchSystem, pads []benchPad, o benchOptions, progress io.Writer) *bench.Result {
	opts := bench.Options{N: o.Reviews, Rate: o.Rate, Clients: o.Clients, Want: http.StatusCreated,
		MaxFailures: maxFailures, Progress: progress}
	return bench.Run(ctx, opts, func(ctx context.Context, i int) (int, error) {
		return sys.post(ctx, pads[i%len(pads)], reviewBody(i, pads[i%len(pads)], time.Now()))
	})
}

// post sends one signed review and reads the answer whole, so the connection is kept alive.
func (sys *benchSystem) post(ctx context.Context, pad benchPad, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sys.url+windowPath, strings.NewReader(string(body)))
	if err != nil {
		return 0, err
	}
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(channels.HeaderDeviceID, pad.id)
	req.Header.Set(channels.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(channels.HeaderSignature, channels.Sign(pad.secret, ts, http.MethodPost, windowPath, body))
	resp, err := sys.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusCreated {
		return resp.StatusCode, errors.New(strings.TrimSpace(string(answer)))
	}
	return resp.StatusCode, nil
}

func ingestFigures(r *bench.Result) benchIngest {
	in := benchIngest{Sent: r.Sent, Created: r.OK, Statuses: map[string]int{}, NoAnswer: r.NoAnswer,
		Examples: r.Examples, Seconds: r.Duration().Seconds(), Throughput: r.Throughput(),
		HTTPP50ms: ms(bench.Percentile(r.Latencies, 0.50)), HTTPP99ms: ms(bench.Percentile(r.Latencies, 0.99)),
		HTTPMaxms: ms(bench.Percentile(r.Latencies, 1)), MaxLagms: ms(r.MaxLag)}
	for status, n := range r.Statuses {
		in.Statuses[strconv.Itoa(status)] = n
	}
	if in.Examples == nil {
		in.Examples = []string{}
	}
	return in
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// awaitWorkOrders polls until every bad review in the schema has its work order, or until wait
// passes after sending; what is then missing is for the report to say, not an error.
func awaitWorkOrders(ctx context.Context, w *benchWorld, wait time.Duration, progress io.Writer) (benchDispatchStats, error) {
	var s benchDispatchStats
	count := func() error {
		return w.env.db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM evaluations WHERE bad), (SELECT count(*) FROM work_orders)`).
			Scan(&s.BadReviews, &s.WorkOrders)
	}
	var mu sync.Mutex
	stopProgress := bench.Progress(progress, 0, func() string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("dispatching: %d/%d work orders", s.WorkOrders, s.BadReviews)
	})
	defer stopProgress()
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		mu.Lock()
		err := count()
		done := s.WorkOrders >= s.BadReviews
		mu.Unlock()
		switch {
		case err != nil:
			return s, fmt.Errorf("count work orders: %w", err)
		case done:
			return s, nil
		case time.Now().After(deadline):
			return s, nil
		}
		select {
		case <-ctx.Done():
			return s, fmt.Errorf("interrupted while waiting for the work orders: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// measureDispatch computes commit → work order from the server's own clock: both created_at
// are now() of their transactions, so client and network play no part. percentile_cont is
// exact (linear between the nearest ranks), the same definition as bench.Percentile.
func measureDispatch(ctx context.Context, w *benchWorld, s *benchDispatchStats) error {
	var q []float64
	var maxS, spanS float64
	var n int
	err := w.env.db.Pool.QueryRow(ctx, `
		WITH l AS (
			SELECT extract(epoch FROM wo.created_at - e.created_at)::float8 AS s, wo.created_at AS at
			FROM evaluations e JOIN work_orders wo ON wo.evaluation_id = e.id
			WHERE e.bad)
		SELECT count(*), COALESCE(percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY s), ARRAY[0, 0, 0]::float8[]),
		       COALESCE(max(s), 0), COALESCE(extract(epoch FROM max(at) - min(at))::float8, 0)
		FROM l`).Scan(&n, &q, &maxS, &spanS)
	if err != nil {
		return fmt.Errorf("measure dispatch: %w", err)
	}
	s.P50ms, s.P90ms, s.P99ms, s.Maxms = q[0]*1000, q[1]*1000, q[2]*1000, maxS*1000
	if spanS > 0 && n > 1 {
		s.Throughput = float64(n-1) / spanS // n work orders span n-1 intervals
	}
	return nil
}

// machine describes where the run took place.
func machine(ctx context.Context, w *benchWorld) benchMachine {
	m := benchMachine{CPUs: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, Go: runtime.Version()}
	if err := w.admin.QueryRow(ctx, "SHOW server_version").Scan(&m.PostgreSQL); err != nil {
		m.PostgreSQL = "unknown (" + err.Error() + ")"
	}
	return m
}

// judge decides whether the run succeeded, and whether it met the goal. Only errors, missing
// work orders and broken invariants fail a run; the goal is a finding, not a test.
func judge(r *benchReport, res *bench.Result) {
	broken := 0
	for _, inv := range r.Invariants {
		broken += inv.Broken
	}
	d := r.Dispatch
	r.InvariantsHold = broken == 0 && d.WorkOrders == d.BadReviews
	if f := res.Failed(); f > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("%d requests were not answered 201", f))
	}
	if res.Aborted {
		r.Problems = append(r.Problems, fmt.Sprintf("the load stopped early: more than %d requests failed", maxFailures))
	}
	if res.Sent < r.Load.Reviews {
		r.Problems = append(r.Problems, fmt.Sprintf("only %d of %d reviews were sent", res.Sent, r.Load.Reviews))
	}
	if d.BadReviews != res.OK {
		r.Problems = append(r.Problems, fmt.Sprintf("%d bad reviews stored for %d answered 201", d.BadReviews, res.OK))
	}
	if d.WorkOrders != d.BadReviews {
		r.Problems = append(r.Problems, fmt.Sprintf("%d work orders for %d bad reviews", d.WorkOrders, d.BadReviews))
	}
	if broken > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("%d records break the invariants", broken))
	}
	r.OK = len(r.Problems) == 0
	r.Goal = benchGoal{P99ms: ms(goalP99), Rate: goalRate}
	// The goal is tested when the run offered its rate (or more, or unlimited); an open-loop
	// run ends a request interval short of n/rate, so 99 % of the rate counts as sustained.
	r.Goal.Tested = r.OK && (r.Load.OfferedRate == 0 || r.Load.OfferedRate >= goalRate)
	r.Goal.Met = r.Goal.Tested && r.Ingest.Throughput >= 0.99*goalRate && d.P99ms < ms(goalP99)
	if r.Problems == nil {
		r.Problems = []string{}
	}
}

// printBenchReport writes the report as a table or as JSON.
func printBenchReport(out io.Writer, r *benchReport, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	p := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	row := func(label, format string, args ...any) {
		p("  %s "+format, append([]any{padRight(label, 20)}, args...)...)
	}
	kept := "dropped"
	if r.SchemaKept {
		kept = "kept"
	}
	m, l, in, d := r.Machine, r.Load, r.Ingest, r.Dispatch
	p("haochaping bench dispatch — 差评派单压测")
	row("schema", "%s (%s)", r.Schema, kept)
	row("machine 机器", "%d CPUs, %s/%s, %s, PostgreSQL %s", m.CPUs, m.OS, m.Arch, m.Go, m.PostgreSQL)
	rate := "as fast as the clients allow"
	if l.OfferedRate > 0 {
		rate = fmt.Sprintf("%g/s offered (open loop)", l.OfferedRate)
	}
	row("load 负载", "%d bad reviews over %d window pads, %s, %d clients", l.Reviews, l.Pads, rate, l.Clients)
	p("")
	p("ingest 提交 (client side, through HTTP)")
	row("answered 201", "%d of %d sent; other statuses: %s; no answer: %d", in.Created, in.Sent, statusList(in.Statuses), in.NoAnswer)
	for _, ex := range in.Examples {
		row("", "e.g. %s", ex)
	}
	row("send phase", "%.2f s, %.1f reviews/s achieved", in.Seconds, in.Throughput)
	row("HTTP answer", "p50 %.1f ms, p99 %.1f ms, max %.1f ms", in.HTTPP50ms, in.HTTPP99ms, in.HTTPMaxms)
	if l.OfferedRate > 0 {
		row("send lag", "at worst %.1f ms behind schedule", in.MaxLagms)
	}
	p("")
	if r.Invariants == nil {
		p("commit → work order: not measured, the run stopped before")
		row("run 结果", "FAILED: %s", strings.Join(r.Problems, "; "))
		return nil
	}
	p("commit → work order 差评入库至生成工单 (server clock)")
	row("work orders", "%d for %d bad reviews; last seen %.2f s after the last answer", d.WorkOrders, d.BadReviews, d.WaitSeconds)
	row("p50 / p90 / p99", "%.1f ms / %.1f ms / %.1f ms", d.P50ms, d.P90ms, d.P99ms)
	row("max", "%.1f ms", d.Maxms)
	row("dispatch rate", "%.1f work orders/s (first to last)", d.Throughput)
	p("  (work_orders.created_at − evaluations.created_at; evaluations.created_at is the start of the")
	p("   group-commit transaction, a few ms before its commit, so the figure slightly overstates")
	p("   commit → work order; work_orders.created_at is the start of the dispatch transaction)")
	p("")
	p("invariants 闭环不变量 (haochaping check)")
	for _, inv := range r.Invariants {
		mark := "ok  "
		if inv.Broken > 0 {
			mark = "FAIL"
		}
		p("  %s %-30s %s", mark, inv.Name, inv.Rule)
	}
	row("one per bad review", "%v (每条差评恰有一张工单)", d.WorkOrders == d.BadReviews)
	p("")
	goal := "not met 未达标"
	switch {
	case !r.Goal.Tested:
		goal = "not tested (the run offered less than the goal's rate, or failed)"
	case r.Goal.Met:
		goal = "met 达标"
	}
	row("goal 目标", "p99 < %.0f ms at %.0f reviews/s: %s", r.Goal.P99ms, r.Goal.Rate, goal)
	result := "ok"
	if !r.OK {
		result = "FAILED: " + strings.Join(r.Problems, "; ")
	}
	row("run 结果", "%s", result)
	return nil
}

// padRight pads s to width terminal columns; a Chinese character takes two.
func padRight(s string, width int) string {
	w := 0
	for _, r := range s {
		w++
		if r >= 0x2E80 { // CJK and full-width forms
			w++
		}
	}
	return s + strings.Repeat(" ", max(width-w, 0))
}

// statusList writes statuses as "422×3, 500×1", or "none".
func statusList(statuses map[string]int) string {
	if len(statuses) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(statuses))
	for k := range statuses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, statuses[k])
	}
	return strings.Join(parts, ", ")
}
