package evaluation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/internal/problem"
	"haochaping/internal/testenv"
)

// ingestNow is the business time of the ingest tests: a Wednesday morning in Beijing.
var ingestNow = testenv.Beijing(2026, 11, 25, 10, 0, 0)

// newService seeds the test's schema and returns a service on it, its clock at ingestNow, with
// the id of the city hall's first comprehensive window.
func newService(t *testing.T) (*testenv.Env, *evaluation.Service, int64) {
	t.Helper()
	env := testenv.New(t)
	env.Clock.Set(ingestNow)
	apptest.Seed(env)
	svc := evaluation.NewService(env.DB, env.Keys, evaluation.Settings{RatingDays: 7, PublicURL: "http://test"}, env.Clock.Now)
	t.Cleanup(svc.Close)
	windowID := int64(env.Count(`SELECT id FROM windows WHERE code = $1`, apptest.CityWindow))
	return env, svc, windowID
}

func ticket(windowID int64, no string, level evaluation.Level, reasons ...string) *evaluation.Submission {
	return &evaluation.Submission{
		Channel: evaluation.Window, Key: "test:" + no, TicketNo: no, WindowID: windowID,
		ServedAt: ingestNow.Add(-time.Hour), Level: level, Reasons: reasons,
	}
}

func TestConcurrentIdenticalSubmissionsMakeOneEvaluation(t *testing.T) {
	t.Parallel()
	env, svc, windowID := newService(t)
	const n = 50
	served := ingestNow.Add(-time.Hour)
	var wg sync.WaitGroup
	results := make([]*evaluation.Evaluation, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			sub := ticket(windowID, "B001", evaluation.Dissatisfied, "attitude")
			sub.ServedAt = served
			results[i], errs[i] = svc.Ingest(context.Background(), sub)
		}()
	}
	close(start)
	wg.Wait()
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("submission %d: %v", i, errs[i])
		}
		if results[i].ID != results[0].ID {
			t.Fatalf("submission %d answered evaluation %d, another %d", i, results[i].ID, results[0].ID)
		}
		if results[i].Status == evaluation.Created {
			created++
		}
	}
	if created != 1 {
		t.Fatalf("%d answers say created, want exactly 1", created)
	}
	if got := env.Count(`SELECT count(*) FROM evaluations`); got != 1 {
		t.Fatalf("evaluations = %d, want 1", got)
	}
	if got := env.Count(`SELECT count(*) FROM outbox`); got != 1 {
		t.Fatalf("outbox rows = %d, want 1", got)
	}
}

func TestRepeatWithAnotherKeyIsTheSameEvaluation(t *testing.T) {
	t.Parallel()
	env, svc, windowID := newService(t)
	first, err := svc.Ingest(context.Background(), ticket(windowID, "C001", evaluation.VerySatisfied))
	if err != nil {
		t.Fatal(err)
	}
	// Same ticket, same day, same window, but the device lost its key and sends another level:
	// still the same evaluation, never a second one.
	again := ticket(windowID, "C001", evaluation.VeryDissatisfied, "efficiency")
	again.Key = "test:other-key"
	second, err := svc.Ingest(context.Background(), again)
	if err != nil {
		t.Fatal(err)
	}
	if second.ID != first.ID || second.Status != evaluation.Duplicate {
		t.Fatalf("repeat answered %+v, want the original %d", second, first.ID)
	}
	// The answer names the original and shows nothing of it.
	if raw, err := json.Marshal(second); err != nil || string(raw) != fmt.Sprintf(`{"id":%d,"status":"duplicate"}`, first.ID) {
		t.Fatalf("repeat shown as %s, %v", raw, err)
	}
	if got := env.Count(`SELECT count(*) FROM evaluations`); got != 1 {
		t.Fatalf("evaluations = %d, want 1", got)
	}
	if got := env.Count(`SELECT count(*) FROM outbox`); got != 0 {
		t.Fatalf("outbox rows = %d, want 0: the original is a good review", got)
	}
}

func TestBadReviewAndOutboxRowCommitTogether(t *testing.T) {
	t.Parallel()
	env, svc, windowID := newService(t)
	// Make every outbox insert fail, as a full disk or a broken constraint would.
	env.Exec(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'outbox refused'; END $$`)
	env.Exec(`CREATE TRIGGER refuse BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse()`)

	_, err := svc.Ingest(context.Background(), ticket(windowID, "D001", evaluation.VeryDissatisfied, "attitude"))
	if err == nil {
		t.Fatal("a bad review was answered although its outbox row could not be written")
	}
	if got := env.Count(`SELECT count(*) FROM evaluations`); got != 0 {
		t.Fatalf("evaluations = %d: the bad review was stored without its outbox row", got)
	}
	// A good review needs no outbox row and is unaffected.
	if _, err := svc.Ingest(context.Background(), ticket(windowID, "D002", evaluation.Satisfied)); err != nil {
		t.Fatalf("good review: %v", err)
	}

	env.Exec(`DROP TRIGGER refuse ON outbox`)
	e, err := svc.Ingest(context.Background(), ticket(windowID, "D001", evaluation.VeryDissatisfied, "attitude"))
	if err != nil || e.Status != evaluation.Created {
		t.Fatalf("after the fault: %+v, %v", e, err)
	}
	if got := env.Count(`SELECT count(*) FROM outbox WHERE evaluation_id = $1`, e.ID); got != 1 {
		t.Fatalf("outbox rows for the bad review = %d, want 1", got)
	}
	if got := env.Count(`SELECT count(*) FROM evaluations e WHERE e.bad AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.evaluation_id = e.id)`); got != 0 {
		t.Fatalf("%d bad reviews without an outbox row", got)
	}
}

func TestOneFailingRowDoesNotCostTheOthers(t *testing.T) {
	t.Parallel()
	env, svc, windowID := newService(t)
	env.Exec(`CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.comment = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$`)
	env.Exec(`CREATE TRIGGER boom BEFORE INSERT ON evaluations FOR EACH ROW EXECUTE FUNCTION boom()`)
	var subs []*evaluation.Submission
	for i, no := range []string{"E001", "E002", "E003", "E004"} {
		s := ticket(windowID, no, evaluation.Satisfied)
		if i == 2 {
			s.Comment = "boom"
		}
		subs = append(subs, s)
	}
	out := svc.IngestBatch(context.Background(), subs)
	for i, o := range out {
		if i == 2 {
			if o.Err == nil {
				t.Fatal("the failing row was accepted")
			}
			continue
		}
		if o.Err != nil || o.Evaluation.Status != evaluation.Created {
			t.Fatalf("row %d: %+v %v", i, o.Evaluation, o.Err)
		}
	}
	if got := env.Count(`SELECT count(*) FROM evaluations`); got != 3 {
		t.Fatalf("evaluations = %d, want 3", got)
	}
}

func TestDefaultLevelsAndReasonNames(t *testing.T) {
	t.Parallel()
	env, svc, windowID := newService(t)
	// Reasons may be sent as codes or as the national names, and are stored as codes, once.
	e, err := svc.Ingest(context.Background(), ticket(windowID, "F001", evaluation.Dissatisfied, "服务态度", "attitude", "办事环境"))
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Reasons) != 2 || e.Reasons[0] != "attitude" || e.Reasons[1] != "environment" {
		t.Fatalf("reasons = %v", e.Reasons)
	}
	// An online reason is not an offline one.
	_, err = svc.Ingest(context.Background(), ticket(windowID, "F002", evaluation.Dissatisfied, "平台操作性"))
	if p, ok := problem.As(err); !ok || p.Code != "invalid_reason" {
		t.Fatalf("online reason at a window: %v", err)
	}
	if got := env.Count(`SELECT count(*) FROM evaluations`); got != 1 {
		t.Fatalf("evaluations = %d, want 1", got)
	}
}

func TestRatingDeadlineCountsNaturalDaysInBeijing(t *testing.T) {
	t.Parallel()
	bj := time.FixedZone("CST", 8*3600)
	served := time.Date(2026, 11, 20, 23, 30, 0, 0, bj)
	got := evaluation.RatingDeadline(served, 7)
	want := time.Date(2026, 11, 27, 23, 59, 59, 999999999, bj)
	if !got.Equal(want) {
		t.Fatalf("deadline %v, want %v", got, want)
	}
	// 23:30 UTC on the 19th is already the 20th in Beijing.
	if got := evaluation.RatingDeadline(time.Date(2026, 11, 19, 16, 30, 0, 0, time.UTC), 7); !got.Equal(want) {
		t.Fatalf("deadline from UTC %v, want %v", got, want)
	}
}

func TestRegionSettingOverridesTheDefault(t *testing.T) {
	t.Parallel()
	env, svc, windowID := newService(t)
	// The city sets 3 days for itself (and its districts); the city hall's window is in the city.
	env.Exec(`INSERT INTO settings (region_id, key, value) SELECT id, 'evaluation_window_days', '3' FROM regions WHERE code = '370400'`)
	sub := ticket(windowID, "G001", evaluation.Satisfied)
	sub.ServedAt = ingestNow.AddDate(0, 0, -5)
	_, err := svc.Ingest(context.Background(), sub)
	if p, ok := problem.As(err); !ok || p.Code != "rating_period_over" {
		t.Fatalf("rated 5 days after service with a 3-day window: %v", err)
	}
	sub = ticket(windowID, "G002", evaluation.Satisfied)
	sub.ServedAt = ingestNow.AddDate(0, 0, -2)
	if _, err := svc.Ingest(context.Background(), sub); err != nil {
		t.Fatalf("rated 2 days after service: %v", err)
	}
}

// TestRatingWindowClosesAtBeijingMidnight: a visit of 11-18 may be rated until the end of
// 11-25, Beijing time — a second before midnight yes, at midnight no — whatever the machine's
// zone (16:00 UTC is that midnight).
func TestRatingWindowClosesAtBeijingMidnight(t *testing.T) {
	t.Parallel()
	env, svc, windowID := newService(t)
	served := testenv.Beijing(2026, 11, 18, 10, 0, 0)
	env.Clock.Set(testenv.Beijing(2026, 11, 25, 23, 59, 59))
	before := ticket(windowID, "M001", evaluation.Satisfied)
	before.ServedAt = served
	if _, err := svc.Ingest(context.Background(), before); err != nil {
		t.Fatalf("a second before Beijing midnight: %v", err)
	}
	env.Clock.Set(time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)) // Beijing midnight
	after := ticket(windowID, "M002", evaluation.Satisfied)
	after.ServedAt = served
	if _, err := svc.Ingest(context.Background(), after); !isCode(err, "rating_period_over") {
		t.Fatalf("at Beijing midnight: %v, want rating_period_over", err)
	}
}

func isCode(err error, code string) bool {
	p, ok := problem.As(err)
	return ok && p.Code == code
}
