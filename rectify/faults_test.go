package rectify_test

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/queue"
	"haochaping/internal/testenv"
	"haochaping/rectify"
)

// loopIsClean runs the checks of `haochaping check` with no grace period and fails on any
// broken invariant.
func loopIsClean(t *testing.T, srv *apptest.Server) {
	t.Helper()
	invariants, err := srv.App.Rectify.Check(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range invariants {
		if inv.Broken > 0 {
			t.Errorf("invariant %s broken %d times, e.g. %v", inv.Name, inv.Broken, inv.Examples)
		}
	}
}

func TestRedisDownWhileBadReviewsArrive(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	redis := testenv.StartRedis(t)
	env.Redis = redis.Client()
	apptest.Seed(env)
	srv := apptest.Start(env)
	srv.RunWorker()
	pad := srv.DemoDevice("demo-window-370400-zh01")

	redis.Stop()
	var ids []int64
	for i := range 20 {
		// Ratings are still answered 201: PostgreSQL holds the facts, Redis only the work in flight.
		ids = append(ids, badReview(t, srv, pad, "R"+string(rune('A'+i)), ""))
	}
	if n := env.Count(`SELECT count(*) FROM outbox WHERE published_at IS NULL`); n != 20 {
		t.Fatalf("%d outbox rows waiting while Redis is down, want 20", n)
	}
	redis.Start()
	testenv.Eventually(t, 30*time.Second, "every bad review dispatched after Redis returned", func() bool {
		return env.Count(`SELECT count(*) FROM work_orders`) == 20
	})
	for _, id := range ids {
		if n := workOrderOf(env, id); n != 1 {
			t.Fatalf("evaluation %d has %d work orders", id, n)
		}
	}
	loopIsClean(t, srv)
}

func TestRelayKilledBetweenPublishingAndMarking(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	srv := apptest.Start(env)
	id := badReview(t, srv, srv.DemoDevice("demo-window-370400-zh01"), "K001", "")
	// The state a relay leaves when it dies after the queue took the task but before it marked
	// the outbox row: the task of its claim is queued, the row still unpublished.
	row := int64(env.Count(`SELECT id FROM outbox WHERE evaluation_id = $1`, id))
	if err := rectify.EnqueueDispatchBatch(srv.App.Rectify, context.Background(), []int64{id}, rectify.DispatchBatchTaskID([]int64{row})); err != nil {
		t.Fatal(err)
	}
	if n := env.Count(`SELECT count(*) FROM outbox WHERE published_at IS NULL`); n != 1 {
		t.Fatalf("unpublished rows = %d", n)
	}
	srv.RunWorker() // the relay restarts: it publishes the row again, and the queue refuses the duplicate
	completed := func() int {
		tasks, err := srv.App.Queue.Inspector.ListCompletedTasks(srv.App.Queue.Name(queue.Dispatch))
		if err != nil {
			t.Fatal(err)
		}
		return len(tasks)
	}
	// The work order commits inside the task; the queue files the task as completed just after.
	testenv.Eventually(t, 10*time.Second, "dispatched, and its task completed", func() bool {
		return workOrderOf(env, id) == 1 && completed() >= 1 &&
			env.Count(`SELECT count(*) FROM outbox WHERE dispatched_at IS NULL OR published_at IS NULL`) == 0
	})
	if n := completed(); n != 1 {
		t.Fatalf("%d dispatch tasks ran, want 1", n)
	}
	loopIsClean(t, srv)
}

func TestQueueLostItsTasks(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	redis := testenv.StartRedis(t)
	env.Redis = redis.Client()
	apptest.Seed(env)
	srv := apptest.Start(env)
	pad := srv.DemoDevice("demo-window-370400-zh01")
	a, b := badReview(t, srv, pad, "L001", ""), badReview(t, srv, pad, "L002", "")
	// The relay publishes; then Redis loses everything (a restart without its files) before any
	// worker ran the tasks.
	for {
		n, err := srv.App.Rectify.RelayOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if err := env.Redis.FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	srv.App.Rectify.ResendAfter = 200 * time.Millisecond
	srv.RunWorker()
	// The outbox_reconcile job, run as the scheduler would, until it has re-sent what Redis lost.
	testenv.Eventually(t, 15*time.Second, "the reconciler re-sent what Redis lost", func() bool {
		if _, err := srv.App.Rectify.Reconcile(context.Background()); err != nil {
			t.Logf("reconcile: %v", err)
		}
		return workOrderOf(env, a) == 1 && workOrderOf(env, b) == 1
	})
	loopIsClean(t, srv)
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

func haochapingBinary(t *testing.T) string {
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "haochaping-rectify-test")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "haochaping")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/haochaping").CombinedOutput()
		if err != nil {
			binErr = err
			t.Logf("%s", out)
		}
	})
	if binErr != nil {
		t.Fatalf("build haochaping: %v", binErr)
	}
	return binPath
}

func TestWorkerKilledInTheMiddleOfATask(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	srv := apptest.Start(env)
	id := badReview(t, srv, srv.DemoDevice("demo-window-370400-zh01"), "W001", "")

	// Hold an uncommitted work order of the evaluation, so that the dispatcher blocks inside its
	// transaction, at the insert of the work order: its ON CONFLICT (evaluation_id) waits for
	// this transaction. (Locking the evaluation row no longer blocks it: since migration 00031
	// the reference to evaluations is a constraint trigger, which takes no row lock.)
	ctx := context.Background()
	lock, err := env.DB.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(ctx)
	if _, err := lock.Exec(ctx, `INSERT INTO work_orders (number, evaluation_id, state, channel, real_name, region_id,
			department_id, callback_due, rectify_due, max_rectify_due, received_at)
		SELECT 'HOLD-' || id, id, 'pending_callback', channel, real_name, region_id, department_id, now(), now(), now(), now()
		FROM evaluations WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}

	app := "w-" + env.Prefix[len(env.Prefix)-8:]
	worker := exec.Command(haochapingBinary(t), "worker")
	worker.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"DATABASE_URL=" + env.Cfg.DatabaseURL + "&application_name=" + app,
		"REDIS_URL=" + env.Cfg.RedisURL,
		"HAOCHAPING_DATA_KEY=" + base64.StdEncoding.EncodeToString(env.Cfg.DataKey),
		"HAOCHAPING_QUEUE_PREFIX=" + env.Cfg.QueuePrefix,
	}
	var logs strings.Builder
	worker.Stdout, worker.Stderr = &logs, &logs
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = worker.Process.Kill(); _ = worker.Wait() }()
	testenv.Eventually(t, 20*time.Second, "the worker blocked inside the dispatch", func() bool {
		return env.Count(`SELECT count(*) FROM pg_stat_activity WHERE application_name = $1
			AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO work_orders%'`, app) == 1
	})
	if err := worker.Process.Kill(); err != nil { // SIGKILL: no chance to hand the task back
		t.Fatal(err)
	}
	_ = worker.Wait()
	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := workOrderOf(env, id); n != 0 {
		t.Fatalf("the killed worker's transaction committed %d work orders", n)
	}

	// A healthy worker takes over. The dead worker's task stays "active" until its lease
	// expires (30 s in asynq); then the reconciler sees it orphaned and sends the row again.
	srv.App.Rectify.ResendAfter = time.Second
	srv.RunWorker()
	testenv.Eventually(t, 90*time.Second, "dispatched after the worker died", func() bool {
		if _, err := srv.App.Rectify.Reconcile(context.Background()); err != nil {
			t.Logf("reconcile: %v", err)
		}
		return workOrderOf(env, id) == 1
	})
	loopIsClean(t, srv)
	if t.Failed() {
		t.Logf("killed worker's log:\n%s", logs.String())
	}
}
