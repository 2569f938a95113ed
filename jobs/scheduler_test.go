package jobs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"haochaping/internal/testenv"
	"haochaping/jobs"
)

// TestTwoSchedulersRunEachTickOnce runs two schedulers at once with the same every-second job
// and checks that each tick ran once: one record per tick, and the job's own count of runs
// equal to the number of ticks.
func TestTwoSchedulersRunEachTickOnce(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Exec(`CREATE TABLE ticks (at timestamptz NOT NULL DEFAULT clock_timestamp(), instance text NOT NULL)`)
	var ran atomic.Int64
	job := func(instance string) jobs.Job {
		return jobs.Job{Name: "count_ticks", Schedule: "* * * * * *", Summary: "test", Run: func(ctx context.Context) (int64, error) {
			ran.Add(1)
			_, err := env.DB.Pool.Exec(ctx, `INSERT INTO ticks (instance) VALUES ($1)`, instance)
			return 1, err
		}}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, name := range []string{"a", "b"} {
		s := &jobs.Scheduler{DB: env.DB, Log: env.Log, Instance: name}
		if err := s.Add(job(name)); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); _ = s.Run(ctx) }()
	}
	testenv.Eventually(t, 15*time.Second, "at least four ticks ran", func() bool {
		return env.Count(`SELECT count(*) FROM job_runs WHERE outcome = 'ok'`) >= 4
	})
	cancel()
	wg.Wait()
	runs := env.Count(`SELECT count(*) FROM job_runs`)
	ticks := env.Count(`SELECT count(DISTINCT tick) FROM job_runs`)
	executed := env.Count(`SELECT count(*) FROM ticks`)
	if runs != ticks || int64(executed) != ran.Load() || executed != env.Count(`SELECT count(*) FROM job_runs WHERE outcome = 'ok'`) {
		t.Fatalf("runs %d, distinct ticks %d, executions %d (counted %d): a tick ran twice", runs, ticks, executed, ran.Load())
	}
	if n := env.Count(`SELECT count(DISTINCT instance) FROM job_runs`); n < 1 {
		t.Fatal("no instance recorded")
	}
}

func TestRunRecordsOutcomeAndLocks(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	s := &jobs.Scheduler{DB: env.DB, Log: env.Log}
	release := make(chan struct{})
	started := make(chan struct{})
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Add(jobs.Job{Name: "slow", Schedule: "@every 1h", Run: func(ctx context.Context) (int64, error) {
		close(started)
		<-release
		return 7, nil
	}}))
	must(s.Add(jobs.Job{Name: "broken", Schedule: "@every 1h", Run: func(ctx context.Context) (int64, error) {
		return 0, errors.New("the provincial platform refused")
	}}))
	must(s.Add(jobs.Job{Name: "panics", Schedule: "@every 1h", Run: func(ctx context.Context) (int64, error) {
		panic("nil map")
	}}))
	ctx := context.Background()
	done := make(chan *jobs.RunRecord)
	go func() { r, _ := s.RunNow(ctx, "slow"); done <- r }()
	<-started
	// A second run while the first holds the lock is skipped, and recorded as such.
	second, err := s.RunNow(ctx, "slow")
	if err != nil || second.Outcome != "skipped" {
		t.Fatalf("a concurrent run: %+v %v", second, err)
	}
	close(release)
	first := <-done
	if first.Outcome != "ok" || first.Rows != 7 || first.FinishedAt == nil {
		t.Fatalf("first run: %+v", first)
	}
	r, err := s.RunNow(ctx, "broken")
	if err == nil || r.Outcome != "failed" || r.Error != "the provincial platform refused" {
		t.Fatalf("failing job: %+v %v", r, err)
	}
	r, err = s.RunNow(ctx, "panics")
	if err == nil || r.Outcome != "failed" {
		t.Fatalf("panicking job: %+v %v", r, err)
	}
	last, err := s.LastRuns(ctx)
	if err != nil || len(last) != 3 || last["broken"].Outcome != "failed" {
		t.Fatalf("last runs: %v %v", last, err)
	}
	if _, err := s.RunNow(ctx, "nope"); err == nil {
		t.Fatal("ran a job that does not exist")
	}
	if err := s.Add(jobs.Job{Name: "bad", Schedule: "every tuesday"}); err == nil {
		t.Fatal("accepted a schedule that does not parse")
	}
}
