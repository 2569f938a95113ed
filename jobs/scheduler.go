package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/robfig/cron/v3"

	"haochaping/internal/bjtime"
	"haochaping/internal/database"
)

// Scheduler runs jobs on their schedules.
type Scheduler struct {
	DB       *database.DB
	Log      *slog.Logger
	Instance string // who runs: host:pid by default

	mu   sync.Mutex
	jobs map[string]Job
	list []Job
}

// parser accepts the standard five fields, an optional leading seconds field, and descriptors.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Add registers a job; its schedule must parse.
func (s *Scheduler) Add(j Job) error {
	if _, err := parser.Parse(j.Schedule); err != nil {
		return fmt.Errorf("job %s: schedule %q: %w", j.Name, j.Schedule, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jobs == nil {
		s.jobs = map[string]Job{}
	}
	if _, dup := s.jobs[j.Name]; dup {
		return fmt.Errorf("job %s registered twice", j.Name)
	}
	s.jobs[j.Name] = j
	s.list = append(s.list, j)
	return nil
}

// Jobs returns the registered jobs in the order they were added.
func (s *Scheduler) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Job(nil), s.list...)
}

func (s *Scheduler) instance() string {
	if s.Instance != "" {
		return s.Instance
	}
	host, _ := os.Hostname()
	return host + ":" + strconv.Itoa(os.Getpid())
}

// Run runs the jobs on their schedules until ctx ends, then waits for the runs in progress.
func (s *Scheduler) Run(ctx context.Context) error {
	c := cron.New(cron.WithLocation(bjtime.Location), cron.WithParser(parser))
	for _, j := range s.Jobs() {
		t := &tickJob{s: s, job: j, ctx: ctx}
		id, err := c.AddJob(j.Schedule, t)
		if err != nil {
			return fmt.Errorf("job %s: %w", j.Name, err)
		}
		t.id, t.cron = id, c
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	return nil
}

// tickJob adapts a Job to cron: it learns the tick it runs for from its cron entry.
type tickJob struct {
	s    *Scheduler
	job  Job
	ctx  context.Context
	cron *cron.Cron
	id   cron.EntryID
}

func (t *tickJob) Run() {
	// cron sets the entry's Prev to this activation's scheduled time before starting the job:
	// that is the tick, the same on every instance whatever their clocks' drift.
	tick := t.cron.Entry(t.id).Prev
	if tick.IsZero() {
		tick = time.Now().Truncate(time.Second)
	}
	if _, err := t.s.runTick(t.ctx, t.job, tick, false); err != nil && t.ctx.Err() == nil {
		t.s.Log.Warn("job failed", "job", t.job.Name, "tick", tick, "err", err)
	}
}

// RunNow runs a job at once, outside its schedule (haochaping jobs run NAME).
func (s *Scheduler) RunNow(ctx context.Context, name string) (*RunRecord, error) {
	s.mu.Lock()
	j, ok := s.jobs[name]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("no job named %q", name)
	}
	return s.runTick(ctx, j, time.Now(), true)
}

// runTick claims the tick, takes the job's lock, runs the job and records the outcome. It
// returns nil, nil when another instance has the tick.
func (s *Scheduler) runTick(ctx context.Context, j Job, tick time.Time, manual bool) (*RunRecord, error) {
	var runID int64
	err := s.DB.Pool.QueryRow(ctx, `
		INSERT INTO job_runs (job, tick, manual, instance) VALUES ($1, $2, $3, $4)
		ON CONFLICT (job, tick) DO NOTHING RETURNING id`, j.Name, tick, manual, s.instance()).Scan(&runID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil // another scheduler runs this tick
	}
	if err != nil {
		return nil, fmt.Errorf("claim tick: %w", err)
	}

	// The lock keeps two runs of one job apart even for different ticks (a slow run still going
	// when the next tick comes, a manual run during a scheduled one). It is held on a connection
	// of its own, and released with it.
	conn, err := s.DB.Pool.Acquire(ctx)
	if err != nil {
		return s.finish(runID, "failed", 0, fmt.Errorf("lock connection: %w", err))
	}
	defer conn.Release()
	key := s.DB.LockKey("job:" + j.Name)
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&locked); err != nil {
		return s.finish(runID, "failed", 0, fmt.Errorf("lock: %w", err))
	}
	if !locked {
		return s.finish(runID, "skipped", 0, errors.New("a run of this job is still in progress"))
	}
	defer func() { _, _ = conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, key) }()

	runCtx, cancel := context.WithTimeout(ctx, j.timeout())
	defer cancel()
	rows, runErr := s.safeRun(runCtx, j)
	outcome := "ok"
	if runErr != nil {
		outcome = "failed"
	}
	return s.finish(runID, outcome, rows, runErr)
}

// safeRun runs the job, turning a panic into an error: one broken job must not stop the others.
func (s *Scheduler) safeRun(ctx context.Context, j Job) (rows int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return j.Run(ctx)
}

func (s *Scheduler) finish(runID int64, outcome string, rows int64, runErr error) (*RunRecord, error) {
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
	}
	// Recorded even when the run's context ended: the record must say how it went.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := scanRun(s.DB.Pool.QueryRow(ctx, `
		UPDATE job_runs SET finished_at = clock_timestamp(), outcome = $2, rows = $3, error = $4
		WHERE id = $1 RETURNING `+runColumns, runID, outcome, rows, msg))
	if err != nil {
		return nil, fmt.Errorf("record run: %w", err)
	}
	if s.Log != nil {
		s.Log.Info("job run", "job", r.Job, "outcome", outcome, "rows", rows, "took", r.Duration(), "err", msg)
	}
	if runErr != nil && outcome == "failed" {
		return r, runErr
	}
	return r, nil
}
