package evaluation_test

import (
	"context"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/internal/testenv"
)

func TestDefaultEvaluations(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	svc := srv.App.Evaluation
	ctx := context.Background()
	now := env.Clock.Now()
	completed := func(no string, ago time.Duration) {
		srv.PushCase(apptest.Case(no, now.Add(-ago)))
	}
	completed("DEF-OLD", 10*24*time.Hour)   // its 7 days passed unrated: a default
	completed("DEF-RECENT", 3*24*time.Hour) // still inside its window: nothing yet
	completed("DEF-RATED", 10*24*time.Hour) // rated in time: no default
	completed("DEF-EDGE", 8*24*time.Hour+time.Hour)
	// DEF-RATED was rated by its applicant through the portal, within its window.
	env.Exec(`UPDATE cases SET completed_at = $1::timestamptz - interval '6 days' WHERE case_no = 'DEF-RATED'`, now)
	r := srv.Signed(srv.DemoDevice("demo-pc"), "POST", "/api/v1/channels/pc/evaluations", map[string]any{
		"case_no": "DEF-RATED", "level": 4, "user": map[string]any{"id_number": apptest.ApplicantID}})
	if r.Status != 201 {
		t.Fatalf("rating: %d %s", r.Status, r.Body)
	}
	env.Exec(`UPDATE cases SET completed_at = $1::timestamptz - interval '10 days' WHERE case_no = 'DEF-RATED'`, now)

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

// TestDefaultWaitsForBeijingMidnight: a case completed on 11-18 gets its default once its
// window has closed at the end of 11-25, Beijing time — not a second before midnight, and
// at midnight (16:00 UTC) yes — rated at the window's last instant.
func TestDefaultWaitsForBeijingMidnight(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 18, 12, 0, 0))
	srv.PushCase(apptest.Case("DEF-MIDNIGHT", testenv.Beijing(2026, 11, 18, 11, 0, 0)))
	svc := srv.App.Evaluation
	env.Clock.Set(testenv.Beijing(2026, 11, 25, 23, 59, 59))
	if n, err := svc.DefaultEvaluations(context.Background()); err != nil || n != 0 {
		t.Fatalf("a second before midnight: %d defaults, %v", n, err)
	}
	env.Clock.Set(time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC))
	if n, err := svc.DefaultEvaluations(context.Background()); err != nil || n != 1 {
		t.Fatalf("at midnight: %d defaults, %v", n, err)
	}
	var rated time.Time
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT rated_at FROM evaluations WHERE NOT active`).Scan(&rated); err != nil {
		t.Fatal(err)
	}
	if want := testenv.Beijing(2026, 11, 25, 23, 59, 59).Add(time.Second - time.Microsecond); !rated.Equal(want) {
		t.Fatalf("default rated at %v, want %v", rated, want)
	}
}
