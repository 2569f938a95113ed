package evaluation_test

import (
	"context"
	"testing"
	"time"

	"haochaping/evaluation"
	"haochaping/internal/testenv"
)

func TestDefaultEvaluations(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Seed()
	srv := env.Start()
	svc := srv.App.Evaluation
	ctx := context.Background()
	now := time.Now()
	completed := func(no string, ago time.Duration) {
		srv.PushCase(testenv.Case(no, now.Add(-ago)))
	}
	completed("DEF-OLD", 10*24*time.Hour)   // its 7 days passed unrated: a default
	completed("DEF-RECENT", 3*24*time.Hour) // still inside its window: nothing yet
	completed("DEF-RATED", 10*24*time.Hour) // rated in time: no default
	completed("DEF-EDGE", 8*24*time.Hour+time.Hour)
	// DEF-RATED was rated by its applicant through the portal, within its window.
	env.Exec(`UPDATE cases SET completed_at = now() - interval '6 days' WHERE case_no = 'DEF-RATED'`)
	r := srv.Signed(srv.DemoDevice("demo-pc"), "POST", "/api/v1/channels/pc/evaluations", map[string]any{
		"case_no": "DEF-RATED", "level": 4, "user": map[string]any{"id_number": testenv.ApplicantID}})
	if r.Status != 201 {
		t.Fatalf("rating: %d %s", r.Status, r.Body)
	}
	env.Exec(`UPDATE cases SET completed_at = now() - interval '10 days' WHERE case_no = 'DEF-RATED'`)

	n, err := svc.DefaultEvaluations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("recorded %d defaults, want 2 (DEF-OLD and DEF-EDGE)", n)
	}
	var level int
	var active, realName bool
	var rated, served time.Time
	if err := env.DB.Pool.QueryRow(ctx, `SELECT e.level, e.active, e.real_name, e.rated_at, e.served_at FROM evaluations e
		JOIN cases c ON c.id = e.case_id WHERE c.case_no = 'DEF-OLD'`).Scan(&level, &active, &realName, &rated, &served); err != nil {
		t.Fatal(err)
	}
	if level != 5 || active || realName {
		t.Fatalf("default: level %d active %v real-name %v; want 5, false, false", level, active, realName)
	}
	deadline := evaluation.RatingDeadline(served, 7)
	if rated.After(deadline) || deadline.Sub(rated) > time.Millisecond {
		t.Fatalf("rated at %v, want the end of the window %v", rated, deadline)
	}
	// Idempotent: nothing new on a second run, nor on a run that looks at everything again.
	if n, err := svc.DefaultEvaluations(ctx); err != nil || n != 0 {
		t.Fatalf("second run: %d, %v", n, err)
	}
	env.Exec(`UPDATE rollup_state SET watermark = 0 WHERE name = 'default_evaluations'`)
	if n, err := svc.DefaultEvaluations(ctx); err != nil || n != 0 {
		t.Fatalf("a run from scratch: %d, %v", n, err)
	}
	// A region that sets a 2-day window: the recent case's window has passed there.
	env.Exec(`INSERT INTO settings (region_id, key, value) SELECT id, 'evaluation_window_days', '2' FROM regions WHERE code = '370400'`)
	// A case pushed late — completed long ago, written now — is found by the next run too.
	completed("DEF-LATE", 30*24*time.Hour)
	if n, err := svc.DefaultEvaluations(ctx); err != nil || n != 2 {
		t.Fatalf("with a 2-day window and a late case: %d, %v; want DEF-RECENT and DEF-LATE", n, err)
	}
	if got := env.Count(`SELECT count(*) FROM evaluations WHERE NOT active`); got != 4 {
		t.Fatalf("defaults = %d, want 4", got)
	}
}
