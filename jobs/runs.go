package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// RunRecord is one recorded run of a job.
type RunRecord struct {
	ID         int64      `json:"id"`
	Job        string     `json:"job"`
	Tick       time.Time  `json:"tick"`
	Manual     bool       `json:"manual"`
	Instance   string     `json:"instance"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Outcome    string     `json:"outcome"` // running, ok, failed, skipped
	Rows       int64      `json:"rows"`
	Error      string     `json:"error,omitempty"`
}

// Duration is how long the run took (so far).
func (r *RunRecord) Duration() time.Duration {
	if r.FinishedAt == nil {
		return time.Since(r.StartedAt)
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

const runColumns = `id, job, tick, manual, instance, started_at, finished_at, outcome, rows, error`

func scanRun(row pgx.Row) (*RunRecord, error) {
	var r RunRecord
	err := row.Scan(&r.ID, &r.Job, &r.Tick, &r.Manual, &r.Instance, &r.StartedAt, &r.FinishedAt, &r.Outcome, &r.Rows, &r.Error)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// LastRuns returns the latest run of each job that has run.
func (s *Scheduler) LastRuns(ctx context.Context) (map[string]*RunRecord, error) {
	rows, err := s.DB.Pool.Query(ctx, `SELECT DISTINCT ON (job) `+runColumns+` FROM job_runs ORDER BY job, started_at DESC`)
	if err != nil {
		return nil, fmt.Errorf("last runs: %w", err)
	}
	defer rows.Close()
	out := map[string]*RunRecord{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("last runs: %w", err)
		}
		out[r.Job] = r
	}
	return out, rows.Err()
}

// PruneRuns deletes the records of the runs started more than days ago, and says how many.
func (s *Scheduler) PruneRuns(ctx context.Context, days int) (int64, error) {
	tag, err := s.DB.Pool.Exec(ctx, `DELETE FROM job_runs WHERE started_at < now() - make_interval(days => $1)`, days)
	if err != nil {
		return 0, fmt.Errorf("prune job runs: %w", err)
	}
	return tag.RowsAffected(), nil
}
