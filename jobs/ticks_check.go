package jobs

import (
	"context"
	"fmt"
	"time"
)

// DuplicateTick is a job that ran more than once for one tick.
type DuplicateTick struct {
	Job  string    `json:"job"`
	Tick time.Time `json:"tick"`
	Runs int       `json:"runs"`
}

// DuplicateTicks finds the (job, tick) pairs that ran more than once — what "once per tick
// across instances" forbids. The claim in job_runs (UNIQUE (job, tick)) is what prevents it;
// this looks at the record itself, so that a claim that stopped holding (a dropped constraint,
// a scheduler claiming another way) is seen. A run skipped because the last one still held the
// job's lock did not run.
func (s *Scheduler) DuplicateTicks(ctx context.Context) ([]DuplicateTick, int, error) {
	var ticks int
	if err := s.DB.Pool.QueryRow(ctx, `SELECT count(DISTINCT (job, tick)) FROM job_runs WHERE NOT manual`).Scan(&ticks); err != nil {
		return nil, 0, fmt.Errorf("count job ticks: %w", err)
	}
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT job, tick, count(*) FROM job_runs WHERE outcome <> 'skipped'
		GROUP BY job, tick HAVING count(*) > 1 ORDER BY tick, job`)
	if err != nil {
		return nil, 0, fmt.Errorf("duplicate job ticks: %w", err)
	}
	defer rows.Close()
	out := []DuplicateTick{}
	for rows.Next() {
		var d DuplicateTick
		if err := rows.Scan(&d.Job, &d.Tick, &d.Runs); err != nil {
			return nil, 0, fmt.Errorf("duplicate job ticks: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("duplicate job ticks: %w", err)
	}
	return out, ticks, nil
}
