package rectify_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/queue"
	"haochaping/internal/testenv"
	"haochaping/rectify"
)

// goodReview posts a satisfied rating from the pad and returns its id.
func goodReview(t *testing.T, srv *apptest.Server, pad apptest.Device, ticket string) int64 {
	t.Helper()
	r := srv.Signed(pad, "POST", windowPath, map[string]any{"ticket_no": ticket, "level": 5,
		"served_at": srv.Clock.Now().Add(-30 * time.Minute).Format(time.RFC3339)})
	if r.Status != 201 {
		t.Fatalf("good review: %d %s", r.Status, r.Body)
	}
	return int64(r.JSON(t)["id"].(float64))
}

func TestDispatchAllTellsEachEvaluationApart(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	srv := apptest.Start(env) // no worker: the test dispatches by hand
	pad := srv.DemoDevice("demo-window-370400-zh01")
	ctx := context.Background()
	before := badReview(t, srv, pad, "D301", "")
	if _, _, err := srv.App.Rectify.Dispatch(ctx, before); err != nil {
		t.Fatal(err)
	}
	first, second := badReview(t, srv, pad, "D302", "370400-ZH01-2"), badReview(t, srv, pad, "D303", "")
	good := goodReview(t, srv, pad, "D304")
	const missing = 987654321

	ids := []int64{second, good, missing, before, first, second}
	outs, err := srv.App.Rectify.DispatchAll(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range outs {
		if o.EvaluationID != ids[i] {
			t.Fatalf("outcome %d is of evaluation %d, want %d", i, o.EvaluationID, ids[i])
		}
	}
	if o := outs[1]; o.Err != nil || o.WorkOrderID != 0 || o.Created {
		t.Errorf("a good review: %+v, want no work order", o)
	}
	if o := outs[2]; o.Err == nil || o.WorkOrderID != 0 {
		t.Errorf("a missing evaluation: %+v, want its own error", o)
	}
	if o := outs[3]; o.Err != nil || o.Created || o.WorkOrderID == 0 {
		t.Errorf("a bad review dispatched before: %+v, want its work order, not a new one", o)
	}
	for _, i := range []int{0, 4, 5} {
		if o := outs[i]; o.Err != nil || !o.Created || o.WorkOrderID == 0 {
			t.Errorf("a new bad review: %+v, want a new work order", o)
		}
	}
	if outs[0].WorkOrderID != outs[5].WorkOrderID {
		t.Error("an evaluation named twice got two work orders")
	}
	if n := env.Count(`SELECT count(*) FROM work_orders`); n != 3 {
		t.Fatalf("%d work orders for three bad reviews", n)
	}
	// Each new work order has its record and its notice, once; every outbox row is closed.
	if n := env.Count(`SELECT count(*) FROM work_order_events WHERE action = 'dispatched'`); n != 3 {
		t.Errorf("%d dispatched events, want 3", n)
	}
	if n := env.Count(`SELECT count(DISTINCT work_order_id) FROM notifications WHERE kind = 'assigned'`); n != 3 {
		t.Errorf("%d work orders notified, want 3", n)
	}
	if n := env.Count(`SELECT count(*) FROM notifications n JOIN work_orders w ON w.id = n.work_order_id
		JOIN staff s ON s.id = n.staff_id WHERE w.evaluation_id = $1 AND s.staff_no = '370400-ZH01-2'`, first); n != 1 {
		t.Error("the staff member who served was not told of the work order")
	}
	if n := env.Count(`SELECT count(*) FROM outbox WHERE dispatched_at IS NULL`); n != 0 {
		t.Errorf("%d outbox rows still open", n)
	}
}

// dispatchTogether runs a dispatch task for each evaluation, all waiting until the batcher's
// slot is free, and returns each task's error.
func dispatchTogether(t *testing.T, srv *apptest.Server, ids []int64) []error {
	t.Helper()
	b := rectify.NewDispatchBatcher(srv.App.Rectify)
	b.Hold()
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = b.Dispatch(context.Background(), id)
		}()
	}
	testenv.Eventually(t, 10*time.Second, "every task waits for the batch", func() bool { return b.Waiting() == len(ids) })
	b.Free()
	wg.Wait()
	return errs
}

// withBadReviews starts a system without a worker and posts a bad review for each ticket.
func withBadReviews(t *testing.T, tickets ...string) (*testenv.Env, *apptest.Server, []int64) {
	t.Helper()
	env := testenv.New(t)
	apptest.Seed(env)
	srv := apptest.Start(env)
	pad := srv.DemoDevice("demo-window-370400-zh01")
	var ids []int64
	for _, ticket := range tickets {
		ids = append(ids, badReview(t, srv, pad, ticket, ""))
	}
	return env, srv, ids
}

// The worker's dispatch tasks that wait while a batch is under way go together in the next
// transaction, and each task hears of its own evaluation.
func TestWaitingDispatchTasksShareOneTransaction(t *testing.T) {
	t.Parallel()
	env, srv, ids := withBadReviews(t, "D401", "D402", "D403", "D404", "D405")
	const missing = 987654321
	ids = append(ids, missing)

	errs := dispatchTogether(t, srv, ids)
	for i, err := range errs {
		if (ids[i] == missing) != (err != nil) {
			t.Errorf("task of evaluation %d: err %v", ids[i], err)
		}
	}
	if n := env.Count(`SELECT count(*) FROM work_orders`); n != 5 {
		t.Fatalf("%d work orders, want 5", n)
	}
	if n := env.Count(`SELECT count(DISTINCT xmin::text) FROM work_orders`); n != 1 {
		t.Errorf("the work orders were written by %d transactions, want one", n)
	}
}

// When a batch's transaction fails, each of its evaluations is dispatched alone: the one that
// cannot be costs the others nothing.
func TestABatchThatFailsIsDispatchedOneByOne(t *testing.T) {
	t.Parallel()
	env, srv, ids := withBadReviews(t, "D501", "D502", "D503")
	// A work order the database refuses, as a broken row would be.
	env.Exec(`CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.evaluation_id = ` + strconv.FormatInt(ids[1], 10) + ` THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`)
	env.Exec(`CREATE TRIGGER refuse_one BEFORE INSERT ON work_orders FOR EACH ROW EXECUTE FUNCTION refuse_one()`)

	errs := dispatchTogether(t, srv, ids)
	if errs[0] != nil || errs[2] != nil || errs[1] == nil || !strings.Contains(errs[1].Error(), "refused") {
		t.Fatalf("errors %v, want one for the refused work order alone", errs)
	}
	if n := env.Count(`SELECT count(*) FROM work_orders WHERE evaluation_id = ANY($1)`, []int64{ids[0], ids[2]}); n != 2 {
		t.Fatalf("%d work orders for the two that could be made", n)
	}
	if n := env.Count(`SELECT count(*) FROM outbox WHERE evaluation_id = $1 AND dispatched_at IS NULL`, ids[1]); n != 1 {
		t.Error("the refused one's outbox row was closed")
	}
}

// The relay hands the rows of one claim to the queue as one task, and the worker's run of that
// task dispatches every evaluation it names, in one transaction.
func TestTheRelaySendsAClaimAsOneTask(t *testing.T) {
	t.Parallel()
	env, srv, ids := withBadReviews(t, "R501", "R502", "R503", "R504")
	n, err := srv.App.Rectify.RelayOnce(context.Background())
	if err != nil || n != len(ids) {
		t.Fatalf("relay published %d rows (%v), want %d", n, err, len(ids))
	}
	if got := env.Count(`SELECT count(DISTINCT task_id) FROM outbox WHERE published_at IS NOT NULL`); got != 1 {
		t.Fatalf("the claim went out as %d tasks, want 1", got)
	}
	pending, err := srv.App.Queue.Inspector.ListPendingTasks(srv.App.Queue.Name(queue.Dispatch))
	if err != nil || len(pending) != 1 {
		t.Fatalf("%d dispatch tasks queued (%v), want 1", len(pending), err)
	}
	for _, id := range ids {
		if !strings.Contains(string(pending[0].Payload), strconv.FormatInt(id, 10)) {
			t.Errorf("the task %s does not name evaluation %d", pending[0].Payload, id)
		}
	}
	srv.RunWorker()
	testenv.Eventually(t, 10*time.Second, "every evaluation of the task dispatched", func() bool {
		return env.Count(`SELECT count(*) FROM work_orders`) == len(ids) &&
			env.Count(`SELECT count(*) FROM outbox WHERE dispatched_at IS NULL`) == 0
	})
	if n := env.Count(`SELECT count(DISTINCT xmin::text) FROM work_orders`); n != 1 {
		t.Errorf("the task's work orders were written by %d transactions, want one", n)
	}
	loopIsClean(t, srv)
}
