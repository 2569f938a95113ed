package evaluation_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/internal/bjtime"
)

// TestEnsurePartitionsKeepsAYearAhead: the daily job's call makes the partitions of
// evaluations up to PartitionMonthsAhead months after the business clock's month, and a second
// call makes none. The clock is set past the months the migration made (which counts from the
// database's own date), so that there is something to make.
func TestEnsurePartitionsKeepsAYearAhead(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, time.Now().Add(70*24*time.Hour))
	ctx := context.Background()
	made, err := srv.App.Evaluation.EnsurePartitions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if made < 1 {
		t.Errorf("made %d partitions, want the months between the migration's last and the clock's year ahead", made)
	}
	until := bjtime.Day(env.Clock.Now()).AddDate(0, evaluation.PartitionMonthsAhead, 0)
	last := fmt.Sprintf("evaluations_y%04dm%02d", until.Year(), until.Month())
	if n := env.Count(`SELECT count(*) FROM pg_inherits WHERE inhparent = 'evaluations'::regclass AND inhrelid = to_regclass($1)`, last); n != 1 {
		t.Errorf("no partition %s after EnsurePartitions", last)
	}
	again, err := srv.App.Evaluation.EnsurePartitions(ctx)
	if err != nil || again != 0 {
		t.Errorf("a second call made %d partitions (%v), want 0", again, err)
	}
}
