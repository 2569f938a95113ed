package jobs_test

import (
	"context"
	"testing"
	"time"

	"haochaping/internal/testenv"
	"haochaping/jobs"
)

// TestDuplicateTicksAreFound: the tick claim is what keeps a tick from running twice; the
// check reads the record itself, so a duplicate shows however it got there. Injected by
// dropping the claim's constraint in the test's schema.
func TestDuplicateTicksAreFound(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	s := &jobs.Scheduler{DB: env.DB, Log: env.Log}
	tick := time.Date(2026, 11, 25, 2, 0, 30, 0, time.UTC)
	env.Exec(`INSERT INTO job_runs (job, tick, instance, outcome) VALUES ('rollups', $1, 'a:1', 'ok'), ('rollups', $2, 'a:1', 'ok'),
		('overdue', $1, 'b:2', 'ok')`, tick, tick.Add(30*time.Second))
	dups, ticks, err := s.DuplicateTicks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(dups) != 0 || ticks != 3 {
		t.Fatalf("clean record: %v duplicates, %d ticks", dups, ticks)
	}

	env.Exec(`ALTER TABLE job_runs DROP CONSTRAINT job_runs_job_tick_key`)
	env.Exec(`INSERT INTO job_runs (job, tick, instance, outcome) VALUES ('rollups', $1, 'b:2', 'ok'), ('overdue', $1, 'a:1', 'skipped')`, tick)
	dups, ticks, err = s.DuplicateTicks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// rollups ran twice at the tick; overdue's second claim was skipped (the lock was held): it did not run.
	if len(dups) != 1 || dups[0].Job != "rollups" || !dups[0].Tick.Equal(tick) || dups[0].Runs != 2 || ticks != 3 {
		t.Fatalf("duplicates %+v, ticks %d; want rollups at %v twice", dups, ticks, tick)
	}
}
