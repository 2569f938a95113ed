package jobs

import (
	"context"
	"time"
)

// Job is a unit of periodic work.
type Job struct {
	Name     string // stable, lower_snake: the name of `haochaping jobs run NAME`
	Schedule string // cron spec in Beijing time; seconds optional ("*/30 * * * * *", "0 1 * * *", "@every 1m")
	Summary  string // what it does, for people (中文)
	// Run does the work and returns how many rows it touched.
	Run func(ctx context.Context) (int64, error)
	// Timeout bounds a run (default 10 minutes).
	Timeout time.Duration
}

func (j Job) timeout() time.Duration {
	if j.Timeout > 0 {
		return j.Timeout
	}
	return 10 * time.Minute
}
